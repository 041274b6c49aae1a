"""Read the demand and heat shape tables and the Spring-Festival dates."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Sequence
from pathlib import Path

from energy_model.io.demand_shapes import DemandShape, HeatShape
from energy_model.io.tables.common import (
    HOLIDAY_COLUMNS,
    HOLIDAYS,
    SHAPE_COLUMNS,
    WEEKDAYS,
    _Issues,
    _parse_number,
    _read_rows,
)

# --------------------------------------------------------------------------
# shape tables (demand_shape.csv, heat_demand_shape.csv, holidays.csv)

_HOURS = tuple(str(h) for h in range(24))
_MONTHS = tuple(str(m) for m in range(1, 13))
_DEMAND_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "month": _MONTHS,
    "profile_summer": _HOURS,
    "profile_winter": _HOURS,
    "summer_weight": _MONTHS,
    "weekday": WEEKDAYS,
    "spring_festival": None,
    "normal_temperature_c": _MONTHS,
    "cooling_hourly_weight": _HOURS,
    "heating_hourly_weight": _HOURS,
    "parameter": (
        "reference_year", "seed", "temperature_anomaly_sd_c", "temperature_anomaly_autocorrelation",
        "cooling_base_c", "heating_base_c", "cooling_sensitivity_per_c", "heating_sensitivity_per_c",
    ),
}
_HEAT_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "month": _MONTHS, "profile": _HOURS, "weekday": WEEKDAYS, "spring_festival": None,
}
#: Allowed value range per section (or per ``section.key``) of the shape tables.
_SHAPE_RANGES: dict[str, tuple[float, float]] = {
    "month": (0.1, 3.0), "profile": (0.05, 2.0), "profile_summer": (0.05, 2.0), "profile_winter": (0.05, 2.0),
    "summer_weight": (0.0, 1.0), "weekday": (0.3, 1.5), "spring_festival": (0.05, 1.5),
    "normal_temperature_c": (-40.0, 45.0), "cooling_hourly_weight": (0.0, 10.0),
    "heating_hourly_weight": (0.0, 10.0),
    "parameter.reference_year": (1900, 2200), "parameter.seed": (0, 2**31),
    "parameter.temperature_anomaly_sd_c": (0.01, 15.0),
    "parameter.temperature_anomaly_autocorrelation": (0.0, 0.99),
    "parameter.cooling_base_c": (-10.0, 40.0), "parameter.heating_base_c": (-30.0, 30.0),
    "parameter.cooling_sensitivity_per_c": (0.0, 0.5), "parameter.heating_sensitivity_per_c": (0.0, 0.5),
}


def _read_sections(path: Path, sections: dict[str, tuple[str, ...] | None],
                   issues: _Issues) -> dict[str, dict[str, float]]:
    """Read a long ``section,key,value,unit,note`` table into nested dicts."""
    name = path.name
    rows = _read_rows(path, SHAPE_COLUMNS, issues)
    values: dict[str, dict[str, float]] = {s: {} for s in sections}
    for row in rows:
        section, key = row.cells["section"], row.cells["key"]
        where = f"{name}:{section}.{key}"
        if section not in sections:
            close = difflib.get_close_matches(section, list(sections), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            issues.add(where, f"unknown section{hint}", value=section, line=row.line)
            continue
        allowed = sections[section]
        if allowed is not None and key not in allowed:
            issues.add(where, f"unknown key; expected one of: {', '.join(allowed)}", value=key, line=row.line)
            continue
        if allowed is None and not re.fullmatch(r"[+-]?\d+", key):
            issues.add(where, "key must be a whole number of days", value=key, line=row.line)
            continue
        if key in values[section]:
            issues.add(where, "key appears twice", value=key, line=row.line)
            continue
        value, problem = _parse_number(row.cells["value"])
        if problem is None and math.isnan(value):  # type: ignore[arg-type]
            problem = "value required"
        if problem is None:
            low, high = _SHAPE_RANGES.get(f"{section}.{key}", _SHAPE_RANGES.get(section, (-math.inf, math.inf)))
            if not low <= value <= high:  # type: ignore[operator]
                problem = f"must be in [{low:g}, {high:g}]"
        if problem is not None:
            issues.add(where, problem, value=row.cells["value"], line=row.line)
            continue
        values[section][key] = float(value)  # type: ignore[arg-type]
    for section, allowed in sections.items():
        missing = [k for k in (allowed or ()) if k not in values[section]]
        if missing:
            issues.add(f"{name}:{section}", f"missing keys: {', '.join(missing)}")
        if allowed is None and len(values[section]) < 2:
            issues.add(f"{name}:{section}", "needs at least two (offset, factor) points")
    return values


def _ordered(values: dict[str, float], keys: Sequence[str]) -> tuple[float, ...]:
    """Values in the order of ``keys``."""
    return tuple(values[k] for k in keys)


def _offsets(values: dict[str, float]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Spring-Festival points sorted by day offset."""
    points = sorted((int(k), v) for k, v in values.items())
    return tuple(p[0] for p in points), tuple(p[1] for p in points)


def read_holidays(path: str | Path) -> tuple[dt.date, ...]:
    """Read the lunar-new-year dates from ``holidays.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        Table with columns ``date`` (YYYY-MM-DD), ``holiday``
        (``spring_festival``) and ``name_zh``.

    Returns
    -------
    tuple of datetime.date
        Lunar-new-year days, sorted.
    """
    path = Path(path)
    name = path.name
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    rows = _read_rows(path, HOLIDAY_COLUMNS, issues)
    dates: dict[int, dt.date] = {}
    for row in rows:
        text, kind = row.cells["date"], row.cells["holiday"]
        where = f"{name}:{text or f'line{row.line}'}"
        if kind not in HOLIDAYS:
            issues.add(f"{where}.holiday", f"unknown holiday; expected one of: {', '.join(HOLIDAYS)}",
                       value=kind, line=row.line)
            continue
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            issues.add(f"{where}.date", "date expected as YYYY-MM-DD", value=text, line=row.line)
            continue
        if day.year in dates:
            issues.add(f"{where}.date", f"a second Spring-Festival date for {day.year}", value=text, line=row.line)
            continue
        dates[day.year] = day
    issues.raise_if_any()
    return tuple(dates[y] for y in sorted(dates))


def _read_shape(path: Path, sections: dict[str, tuple[str, ...] | None], holidays_path: str | Path | None
                ) -> tuple[dict[str, dict[str, float]], tuple[dt.date, ...], tuple[int, ...], tuple[float, ...]]:
    """Sections of a shape table, the Spring-Festival dates and the festival offsets/factors."""
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    v = _read_sections(path, sections, issues)
    issues.raise_if_any()
    dates = read_holidays(holidays_path or path.with_name("holidays.csv"))
    offsets, factors = _offsets(v["spring_festival"])
    return v, dates, offsets, factors


def read_demand_shape(path: str | Path, holidays_path: str | Path | None = None) -> DemandShape:
    """Read and validate the electricity demand shape.

    Parameters
    ----------
    path : str or pathlib.Path
        ``demand_shape.csv`` (long table ``section,key,value,unit,note``).
    holidays_path : str or pathlib.Path, optional
        Lunar-new-year dates; default ``holidays.csv`` next to ``path``.

    Returns
    -------
    DemandShape
    """
    v, dates, offsets, factors = _read_shape(Path(path), _DEMAND_SECTIONS, holidays_path)
    p = v["parameter"]
    return DemandShape(
        month_factor=_ordered(v["month"], _MONTHS),
        reference_year=int(p["reference_year"]),
        profile_summer=_ordered(v["profile_summer"], _HOURS),
        profile_winter=_ordered(v["profile_winter"], _HOURS),
        summer_weight=_ordered(v["summer_weight"], _MONTHS),
        weekday_factor=_ordered(v["weekday"], WEEKDAYS),
        spring_festival_offset_days=offsets,
        spring_festival_factor=factors,
        spring_festival_dates=dates,
        normal_temperature_c=_ordered(v["normal_temperature_c"], _MONTHS),
        temperature_anomaly_sd_c=p["temperature_anomaly_sd_c"],
        temperature_anomaly_autocorrelation=p["temperature_anomaly_autocorrelation"],
        cooling_base_c=p["cooling_base_c"],
        heating_base_c=p["heating_base_c"],
        cooling_sensitivity_per_c=p["cooling_sensitivity_per_c"],
        heating_sensitivity_per_c=p["heating_sensitivity_per_c"],
        cooling_hourly_weight=_ordered(v["cooling_hourly_weight"], _HOURS),
        heating_hourly_weight=_ordered(v["heating_hourly_weight"], _HOURS),
        seed=int(p["seed"]),
    )


def read_heat_shape(path: str | Path, holidays_path: str | Path | None = None) -> HeatShape:
    """Read and validate the heat (industrial steam) demand shape.

    Parameters
    ----------
    path : str or pathlib.Path
        ``heat_demand_shape.csv`` (long table ``section,key,value,unit,note``).
    holidays_path : str or pathlib.Path, optional
        Lunar-new-year dates; default ``holidays.csv`` next to ``path``.

    Returns
    -------
    HeatShape
    """
    v, dates, offsets, factors = _read_shape(Path(path), _HEAT_SECTIONS, holidays_path)
    return HeatShape(
        month_factor=_ordered(v["month"], _MONTHS),
        profile=_ordered(v["profile"], _HOURS),
        weekday_factor=_ordered(v["weekday"], WEEKDAYS),
        spring_festival_offset_days=offsets,
        spring_festival_factor=factors,
        spring_festival_dates=dates,
    )
