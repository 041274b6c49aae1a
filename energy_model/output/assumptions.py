"""The assumptions behind a run, with value, unit, source and confidence grade.

Collected when the run is written (``assumptions.csv`` in the run folder), so
the report and the workbook of a run folder can be rebuilt without the
project's input files. Sections:

- ``scenario``: consumption, heat demand, economics, cost and build year, overrides and targets of the scenario file;
- ``weather``: source, years and, for each weather-driven profile, its full-load hours;
- ``horizon``: hours, first and last hour, and the factor that scales them to a year;
- ``solver``: method, tolerances, the residuals HiGHS and the post-solve checks reported;
- ``inputs``: every row of ``inputs/sources.csv`` for the tables the run used, with the value
  the run used next to the documented default (a scenario override or cost year changes it); of
  ``build_years.csv`` the rows in force in the build year, with the value the run used.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.output.i18n import Lang, Names
from energy_model.output.verdicts import full_load_hours

COLUMNS = ["section", "key", "value", "unit", "default", "source", "grade", "note"]
#: Input tables whose documented rows are listed (cost years only when the scenario picks a cost year).
TABLES = ("technologies.csv", "fuels.csv", "demand_shape.csv", "heat_demand_shape.csv", "holidays.csv")
#: Units of scenario keys.
SCENARIO_UNITS = {"demand.annual_twh": "TWh/yr", "heat_demand.annual_twh": "TWh/yr", "economics.discount_rate": "1/yr",
                  "economics.carbon_price_cny_per_t": "CNY/t", "economics.value_of_lost_load_cny_per_mwh": "CNY/MWh",
                  "economics.value_of_lost_heat_cny_per_mwh": "CNY/MWh_th"}


def _flat(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out |= _flat(f"{prefix}.{k}" if prefix else str(k), v)
        return out
    return {prefix: value}


def _number(text: Any) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _used_value(inputs: xr.Dataset, key: str) -> Any:
    """The value a run used for a ``technologies.<id>.<column>`` or ``fuels.<id>.<column>`` key (None if unknown)."""
    parts = key.split(".")
    if len(parts) != 3 or parts[2] not in inputs:
        return None
    dim = {"technologies": n.TECH, "fuels": n.FUEL}.get(parts[0])
    if dim is None or dim not in inputs[parts[2]].dims or parts[1] not in inputs[dim].values.astype(str):
        return None
    value = inputs[parts[2]].sel({dim: parts[1]}).item()
    return float(value) if isinstance(value, (int, float, np.floating, np.integer)) else value


def _plain(value: object) -> object:
    return float(value) if isinstance(value, (np.floating, np.integer)) else value


def aggregation_label(inputs: xr.Dataset) -> str:
    """``none``, or the method, its periods and extremes (e.g. ``typical_days 16 + peak_demand 2020-01-21``)."""
    method = str(inputs.attrs.get("aggregation_method", "none"))
    if method == "none":
        return method
    extra = str(inputs.attrs.get("aggregation_extremes", ""))
    return f"{method} {int(inputs.attrs['aggregation_periods'])}" + (f" + {extra}" if extra else "")


def _row(section: str, key: str, value: Any, unit: str = "", default: Any = None, source: str = "",
         grade: str = "", note: str = "") -> dict[str, Any]:
    return {"section": section, "key": key, "value": value, "unit": unit, "default": default, "source": source,
            "grade": grade, "note": note}


def read_sources(path: Path | None) -> pd.DataFrame:
    """``inputs/sources.csv`` as a table (empty when the file is missing)."""
    if path is None or not path.is_file():
        return pd.DataFrame(columns=["file", "key", "value", "unit", "source", "confidence", "note"])
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def assumptions_table(inputs: xr.Dataset, results: xr.Dataset, sources: pd.DataFrame,
                      solver: dict[str, Any]) -> pd.DataFrame:
    """Every assumption of a run (module docstring), one row each.

    Parameters
    ----------
    inputs, results : xarray.Dataset
        ModelInputs and enforced Results (solver attributes).
    sources : pandas.DataFrame
        ``inputs/sources.csv`` (:func:`read_sources`).
    solver : dict
        The scenario's solver settings with their defaults filled in.
    """
    doc = json.loads(str(inputs.attrs.get("scenario_document", "{}")))
    name = str(doc.get("name", inputs.attrs.get("scenario", "")))
    yaml_rows = sources[sources["file"].str.endswith(".yaml")]
    rows = []
    flat = {k: v for k, v in _flat("", {key: doc.get(key) for key in
                                         ("demand", "heat_demand", "economics", "cost_year", "build_year",
                                          "build_options", "overrides", "exclude_technologies")}).items()
            if v is not None and v != []}
    # economics as the run used them (a cost year may set the carbon price the scenario leaves empty)
    used = {f"economics.{k}": inputs.attrs[k] for k in ("discount_rate", "carbon_price_cny_per_t",
                                                          "value_of_lost_load_cny_per_mwh",
                                                          "value_of_lost_heat_cny_per_mwh") if k in inputs.attrs}
    for key, value in used.items():
        flat[key] = _plain(value)
    for key, value in flat.items():
        path = key.removeprefix("overrides.")
        match = yaml_rows[(yaml_rows["key"].str.split(".", n=1).str[1] == path)
                          & (yaml_rows["file"].str.removesuffix(".yaml") == name)]
        if match.empty:
            match = yaml_rows[(yaml_rows["key"].str.split(".", n=1).str[1] == path)
                              & (yaml_rows["value"].map(_number) == _number(value))]
        src = match.iloc[0] if not match.empty else None
        unit = SCENARIO_UNITS.get(key, "" if src is None else str(src["unit"]))
        rows.append(_row("scenario", key, ", ".join(map(str, value)) if isinstance(value, list) else value, unit,
                         source=f"scenarios/{name}.yaml" if src is None else str(src["source"]),
                         grade="" if src is None else str(src["confidence"]),
                         note="" if src is None else str(src["note"])))
    for key, spec in (doc.get("targets") or {}).items():
        level = spec.get("value_mw", spec.get("share", spec.get("value_t")))
        unit = "MW" if "value_mw" in spec else ("-" if "share" in spec else "t/yr")
        rows.append(_row("scenario", f"targets.{key}", level, unit, source=f"scenarios/{name}.yaml",
                         note=f"{spec.get('kind', '')}, {spec.get('mode', 'enforce')}: {spec.get('label', '')}"))
    weather = doc.get("weather") or {}
    rows.append(_row("weather", "weather.source", str(inputs.attrs.get("weather_source", weather.get("source", "")))))
    rows.append(_row("weather", "weather.years", str(inputs.attrs.get("weather_years", ""))))
    if "seed" in weather:
        rows.append(_row("weather", "weather.seed", weather["seed"]))
    for g, h in full_load_hours(inputs).items():
        rows.append(_row("weather", f"weather.full_load_hours.{g}", round(h, 1), "h/yr",
                         source="inputs/pv_plants.csv, inputs/wind_plants.csv, inputs/synthetic_weather.yaml"))
    time = pd.DatetimeIndex(inputs[n.TIME].values)
    hours = int(inputs.attrs.get("horizon_hours", len(time)))  # of the horizon, also when steps are aggregated
    rows += [_row("horizon", "horizon.hours", hours, "h"),
             _row("horizon", "horizon.start", str(inputs.attrs.get("horizon_start", f"{time[0]:%Y-%m-%d %H:%M}")), "CST"),
             _row("horizon", "horizon.end", str(inputs.attrs.get("horizon_end", f"{time[-1]:%Y-%m-%d %H:%M}")), "CST"),
             _row("horizon", "horizon.hour_weight", float(inputs.attrs.get("hour_weight", n.HOURS_PER_YEAR / hours)),
                  "-"),
             _row("horizon", "horizon.aggregation", aggregation_label(inputs), "")]
    a = results.attrs
    for key, value, unit in (("method", solver.get("method"), ""), ("method_used", a.get("solver_method_used"), ""),
                             ("crossover", solver.get("crossover"), ""),
                             ("primal_feasibility_tolerance", solver.get("primal_feasibility_tolerance"), "-"),
                             ("dual_feasibility_tolerance", solver.get("dual_feasibility_tolerance"), "-"),
                             ("ipm_optimality_tolerance", solver.get("ipm_optimality_tolerance"), "-"),
                             ("time_limit_s", solver.get("time_limit_s"), "s"),
                             ("highs_version", a.get("solver_highs_version"), ""),
                             ("primal_infeasibility", a.get("solver_primal_infeasibility"), "-"),
                             ("dual_infeasibility", a.get("solver_dual_infeasibility"), "-"),
                             ("max_check_residual", a.get("max_check_residual"), "-")):
        if value is not None:
            rows.append(_row("solver", f"solver.{key}", value if not isinstance(value, np.generic) else value.item(),
                             unit))
    cost_year = doc.get("cost_year")
    in_force = set(str(inputs.attrs.get("build_year_sources", "")).split(",")) - {""}
    for src in sources.itertuples(index=False):
        if src.file == "build_years.csv":
            if src.key not in in_force:
                continue
            used = _used_value(inputs, ".".join(src.key.split(".")[1:4]))  # build_years.<table>.<id>.<column>...
        elif src.file not in TABLES and not (src.file == "cost_years.csv" and cost_year is not None
                                            and src.key.endswith(f".{cost_year}")):
            continue
        else:
            used = _used_value(inputs, src.key)
        default = _number(src.value) if _number(src.value) is not None else src.value
        rows.append(_row("inputs", src.key, default if used is None else used, src.unit, default, src.source,
                         src.confidence, src.note))
    return pd.DataFrame(rows, columns=COLUMNS)


def describe(key: str, names: Names, lang: Lang) -> str:
    """What an assumption key is, in words (``海上风电 — 单位千瓦投资``); the key itself when unknown."""
    parts = key.split(".")
    if parts[0] == "overrides" or parts[0] in ("technologies", "fuels"):
        parts = parts[1:] if parts[0] == "overrides" else parts
        if len(parts) == 3 and parts[0] in ("technologies", "fuels"):
            who = names.technology(parts[1], lang) if parts[0] == "technologies" else names.fuel_name(parts[1], lang)
            return lang("assumption.pair", who=who, what=lang.get(f"param.{parts[2]}", parts[2]))
    if parts[0] == "cost_years" and len(parts) == 5:
        who = names.technology(parts[2], lang) if parts[1] == "technologies" else names.fuel_name(parts[2], lang)
        return lang("assumption.pair", who=who, what=lang.get(f"param.{parts[3]}", parts[3])) + f" ({parts[4]})"
    if parts[0] == "build_years" and len(parts) in (5, 6):
        who = names.technology(parts[2], lang) if parts[1] == "technologies" else names.fuel_name(parts[2], lang)
        when = lang("assumption.build_year", year=parts[4]) + (f", {parts[5]}" if len(parts) == 6 else "")
        return lang("assumption.pair", who=who, what=lang.get(f"param.{parts[3]}", parts[3])) + f" ({when})"
    if parts[0] == "weather" and len(parts) == 3 and parts[1] == "full_load_hours":
        return lang("assumption.pair", who=names.technology(parts[2], lang), what=lang("param.full_load_hours"))
    if parts[0] == "targets" and len(parts) == 2:
        return lang("assumption.target", name=parts[1])
    return lang.get(f"param.{key}", key)
