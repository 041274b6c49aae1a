"""Read a user's hourly electricity demand file and align it with the model horizon."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from energy_model.io.demand_shapes import LOCAL_TZ
from energy_model.io.tables.common import CITY_MEAN_MW, DEMAND_COLUMNS, _Issues, _parse_number, _read_rows, _Row

# --------------------------------------------------------------------------
# a user's hourly demand file

_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def read_demand_csv(path: str | Path, time: pd.DatetimeIndex) -> np.ndarray:
    """Read a user's hourly electricity demand and align it with the horizon.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with columns ``time`` (hour start, ``YYYY-MM-DD HH:MM``, China
        Standard Time; an explicit ``+08:00`` suffix is accepted) and
        ``demand_mw``.
    time : pandas.DatetimeIndex
        The model horizon (hourly, tz-naive China Standard Time or tz-aware).

    Returns
    -------
    numpy.ndarray
        Demand at each stamp of ``time``. [MW]

    Raises
    ------
    InputError
        Listing every problem: bad separators or decimal commas, unknown
        columns, unparsable or foreign-offset stamps, empty/NaN/text/negative
        values, duplicate, unordered or missing hours, a length or start
        differing from the horizon, and a mean outside 100-50,000 MW (kW or
        GW instead of MW?).
    """
    path = Path(path)
    name = path.name
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    rows = _read_rows(path, DEMAND_COLUMNS, issues)
    stamps, values, lines = _parse_demand_rows(rows, name, issues)
    horizon = _horizon(time)
    parsed = len(stamps)
    dropped_day = next((t.normalize() for t in stamps if (t.month, t.day) == (2, 29)), None)
    stamps, values, lines = _without_missing_leap_day(stamps, values, lines, horizon)
    complete = not issues.items
    left_out = "" if len(stamps) == parsed else (
        f"; the {parsed - len(stamps)} hours of {dropped_day:%Y-%m-%d} in the file were left out: the weather has no "
        "29 February (the synthetic weather and typical-year files have 8,760 hours a year)")
    _check_demand_series(stamps, values, lines, horizon, name, issues, complete=complete, left_out=left_out)
    issues.raise_if_any()
    return np.asarray(values, dtype=float)


def _without_missing_leap_day(stamps: list[pd.Timestamp], values: list[float], lines: list[int],
                              horizon: pd.DatetimeIndex) -> tuple[list[pd.Timestamp], list[float], list[int]]:
    """Leave out the file's hours of a 29 February inside the horizon that the horizon itself does not have.

    The synthetic weather and typical-year files have 8,760 hours a year
    (no 29 February), so a horizon over a leap year's February skips that
    day; a demand file with the full calendar is then read without it.
    """
    if not len(horizon) or not stamps:
        return stamps, values, lines
    days = set(horizon.normalize())
    first, last = horizon[0], horizon[-1]
    keep = [k for k, t in enumerate(stamps)
            if not ((t.month, t.day) == (2, 29) and first <= t <= last and t.normalize() not in days)]
    if len(keep) == len(stamps):
        return stamps, values, lines
    return [stamps[k] for k in keep], [values[k] for k in keep], [lines[k] for k in keep]


def _horizon(time: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The horizon as tz-naive China Standard Time."""
    stamps = pd.DatetimeIndex(time)
    return stamps.tz_convert(LOCAL_TZ).tz_localize(None) if stamps.tz is not None else stamps


def _parse_demand_rows(rows: list[_Row], name: str,
                       issues: _Issues) -> tuple[list[pd.Timestamp], list[float], list[int]]:
    """Parse stamps and values row by row, reporting each bad cell."""
    stamps: list[pd.Timestamp] = []
    values: list[float] = []
    lines: list[int] = []
    for row in rows:
        text = row.cells["time"]
        stamp = _parse_stamp(text, f"{name}:{text or f'line{row.line}'}.time", row.line, issues)
        value, problem = _parse_number(row.cells["demand_mw"])
        if problem is None and math.isnan(value):  # type: ignore[arg-type]
            problem = "empty cell; every hour needs a demand value"
        elif problem is None and value < 0:  # type: ignore[operator]
            problem = "demand must be >= 0"
        if problem is not None:
            issues.add(f"{name}:{text}.demand_mw", problem, value=row.cells["demand_mw"], line=row.line)
        if stamp is not None and problem is None:
            stamps.append(stamp)
            values.append(float(value))  # type: ignore[arg-type]
            lines.append(row.line)
    if not rows:
        issues.add(f"{name}:demand_mw", "no data rows")
    return stamps, values, lines


def _parse_stamp(text: str, where: str, line: int, issues: _Issues) -> pd.Timestamp | None:
    """Parse one time stamp; only no offset or +08:00 is accepted."""
    match = _OFFSET.search(text)
    if match and match.group(1).replace(":", "") not in ("+0800",):
        issues.add(where, "time zone offset other than +08:00; give China Standard Time stamps "
                   "(without suffix or with +08:00)", value=text, line=line)
        return None
    try:
        stamp = pd.Timestamp(text[: match.start()] if match else text)
    except (ValueError, TypeError):
        issues.add(where, "time stamp expected as YYYY-MM-DD HH:MM", value=text, line=line)
        return None
    if pd.isna(stamp):
        issues.add(where, "time stamp expected as YYYY-MM-DD HH:MM", value=text, line=line)
        return None
    return stamp


def _check_stamps_match(stamps: list[pd.Timestamp], lines: list[int], horizon: pd.DatetimeIndex, name: str,
                        issues: _Issues) -> None:
    """Every stamp must be the horizon's hour at the same position (same length and start already checked).

    The synthetic weather and typical-year files have no 29 February, so a
    leap-year demand file of the right length would otherwise be read one
    day out of step from 1 March on.
    """
    differ = np.flatnonzero(pd.DatetimeIndex(stamps) != horizon)
    if not len(differ):
        return
    k = int(differ[0])
    stamp = stamps[k]
    message = f"time stamp differs from the model horizon, which has {horizon[k]} at this position"
    if (stamp.month, stamp.day) == (2, 29) and not ((horizon.month == 2) & (horizon.day == 29)).any():
        message += ("; the weather has no 29 February (the synthetic weather and typical-year files have 8,760 "
                    "hours a year): use weather files that include 29 February, or leave it out of the demand file")
    issues.add(f"{name}:{stamp}.time", message, value=str(stamp), line=lines[k])


def _check_demand_series(stamps: list[pd.Timestamp], values: list[float], lines: list[int],
                         horizon: pd.DatetimeIndex, name: str, issues: _Issues, *, complete: bool,
                         left_out: str = "") -> None:
    """Order, duplicates, gaps, alignment with the horizon and magnitude.

    Rows that failed to parse are absent; the gap check skips over them and
    the length/start checks run only when every row parsed (``complete``).
    ``left_out`` ends the length message (hours of a 29 February the horizon does not have).
    """
    seen: dict[pd.Timestamp, int] = {}
    for stamp, line in zip(stamps, lines):
        if stamp in seen:
            issues.add(f"{name}:{stamp}.time", f"duplicate time stamp (first on line {seen[stamp]})",
                       value=str(stamp), line=line)
        seen.setdefault(stamp, line)
    position = {t: k for k, t in enumerate(horizon)}
    for prev, stamp, prev_line, line in zip(stamps, stamps[1:], lines, lines[1:]):
        skipped_by_horizon = prev in position and position.get(stamp) == position[prev] + 1  # e.g. 29 February
        if stamp < prev:
            issues.add(f"{name}:{stamp}.time", f"time stamps out of order (after {prev})", value=str(stamp), line=line)
        elif stamp - prev > pd.Timedelta(hours=1) and line == prev_line + 1 and not skipped_by_horizon:
            issues.add(f"{name}:{stamp}.time", f"gap: hours missing after {prev}", value=str(stamp), line=line)
        elif pd.Timedelta(0) < stamp - prev < pd.Timedelta(hours=1):
            issues.add(f"{name}:{stamp}.time", "not hourly: stamps less than one hour apart",
                       value=str(stamp), line=line)
    if complete and len(values) != len(horizon):
        message = (f"{len(values)} hourly values but the model horizon has {len(horizon)} hours "
                   f"({horizon[0]} to {horizon[-1]}){left_out}" if len(horizon) else "the model horizon is empty")
        issues.add(f"{name}:demand_mw", message, value=len(values))
    elif complete and stamps and stamps[0] != horizon[0]:
        issues.add(f"{name}:{stamps[0]}.time", f"first stamp differs from the horizon start {horizon[0]}",
                   value=str(stamps[0]), line=lines[0])
    elif complete and stamps:
        _check_stamps_match(stamps, lines, horizon, name, issues)
    if values:
        mean = float(np.mean(values))
        low, high = CITY_MEAN_MW
        if mean > high:
            issues.add(f"{name}:demand_mw", f"mean {mean:,.0f} is implausible for a city in MW "
                       f"(expected {low:,.0f}-{high:,.0f} MW); is this kW?", value=mean)
        elif mean < low:
            issues.add(f"{name}:demand_mw", f"mean {mean:,.3g} is implausible for a city in MW "
                       f"(expected {low:,.0f}-{high:,.0f} MW); is this GW?", value=mean)
