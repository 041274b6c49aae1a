"""Read everything a scenario refers to and return validated ModelInputs.

Stages: scenario file -> input tables (technologies, fuels, shapes, plants,
sites) -> overrides applied to copies -> weather -> capacity factors ->
demand -> :func:`energy_model.inputs.assemble.assemble_inputs`. Every file error is
an :class:`~energy_model.errors.InputError`; nothing is written here.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.io import tables
from energy_model.inputs.assemble import assemble_inputs
from energy_model.profiles.demand import electricity_demand, heat_demand
from energy_model.errors import InputError, InputIssue
from energy_model.profiles import capacity_factors, read_plants
from energy_model.io.scenario_file import LoadedScenario, load_scenario
from energy_model.weather import load_weather, read_sites

#: Input files read from the inputs folder.
TECHNOLOGIES = "technologies.csv"
FUELS = "fuels.csv"
DEMAND_SHAPE = "demand_shape.csv"
HEAT_SHAPE = "heat_demand_shape.csv"
SITES = "sites.csv"
PV_PLANTS = "pv_plants.csv"
WIND_PLANTS = "wind_plants.csv"


def safe_path(base: Path, relative: str, file: str, key: str) -> Path:
    """Resolve a path written in a scenario, confined to the project folder.

    The project folder is the scenario folder's parent. URLs, absolute paths
    outside it and ``..`` escapes are refused.
    """
    if "://" in relative or relative.startswith(("\\\\", "//")):
        raise InputError(InputIssue(file, key, "URLs are not allowed; give a path inside the project", value=relative))
    root = base.parent.resolve()
    target = (base / relative).resolve()
    if target != root and root not in target.parents:
        raise InputError(InputIssue(file, key, f"path leaves the project folder {root.name}/", value=relative))
    return target


def apply_overrides(
    techs: pd.DataFrame, fuels: pd.DataFrame, overrides: dict[str, Any], file: str, lines: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return copies of the tables with ``table.row.column: value`` overrides applied."""
    techs, fuels = techs.copy(), fuels.copy()
    frames = {"technologies": techs, "fuels": fuels}
    issues: list[InputIssue] = []
    for path, value in overrides.items():
        key = f"overrides.{path}"
        line = lines.get(key)
        parts = path.split(".")
        if len(parts) != 3 or parts[0] not in frames:
            issues.append(InputIssue(file, key, "expected 'technologies.<id>.<column>' or 'fuels.<id>.<column>'",
                                     line=line))
            continue
        table, row, column = parts
        frame = frames[table]
        if row not in frame.index:
            guess = difflib.get_close_matches(row, [str(x) for x in frame.index], n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            issues.append(InputIssue(file, key, f"no {table} row named '{row}'{hint}", line=line))
            continue
        if column not in frame.columns or column in ("kind",):
            guess = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            issues.append(InputIssue(file, key, f"no overridable column '{column}' in {table}{hint}", line=line))
            continue
        if value is None:
            frame.loc[row, column] = np.nan if pd.api.types.is_numeric_dtype(frame[column]) else ""
        elif pd.api.types.is_numeric_dtype(frame[column]):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
                issues.append(InputIssue(file, key, "expected a finite number", value=value, line=line))
                continue
            frame.loc[row, column] = float(value)
        else:
            frame.loc[row, column] = str(value)
    if issues:
        raise InputError(issues)
    return techs, fuels


def _check_targets(loaded: LoadedScenario, techs: pd.DataFrame) -> None:
    scen = loaded.scenario
    file = loaded.path.name
    known = {str(t) for t in techs.index}
    carriers = {str(c) for c in techs["carrier"].fillna("")}
    issues = []
    for name, spec in scen.targets.items():
        for i, t in enumerate(spec.technologies or []):
            if t not in known:
                key = f"targets.{name}.technologies[{i}]"
                guess = difflib.get_close_matches(t, sorted(known), n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else ""
                issues.append(InputIssue(file, key, f"unknown technology{hint}", value=t, line=loaded.lines.get(key)))
        for i, c in enumerate(spec.carriers or []):
            if c not in carriers:
                key = f"targets.{name}.carriers[{i}]"
                issues.append(InputIssue(file, key, f"unknown carrier; known: {', '.join(sorted(carriers))}",
                                         value=c, line=loaded.lines.get(key)))
    if issues:
        raise InputError(issues)


def _check_excluded(loaded: LoadedScenario, techs: pd.DataFrame) -> None:
    """Every name in ``exclude_technologies`` must be a row of the technology table."""
    known = sorted(str(t) for t in techs.index)
    issues = []
    for i, t in enumerate(loaded.scenario.exclude_technologies):
        if t not in known:
            key = f"exclude_technologies[{i}]"
            guess = difflib.get_close_matches(t, known, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            issues.append(InputIssue(loaded.path.name, key, f"unknown technology{hint}", value=t,
                                     line=loaded.lines.get(key)))
    if issues:
        raise InputError(issues)


def input_hash(loaded: LoadedScenario, files: list[Path]) -> str:
    """SHA-256 over the merged scenario and the bytes of every file it used."""
    h = hashlib.sha256(json.dumps(loaded.raw, sort_keys=True, default=str).encode())
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def horizon_slice(time: pd.DatetimeIndex, start: int, hours: int | None, file: str) -> slice:
    """Positions of the horizon within the weather hours."""
    total = len(time)
    stop = total if hours is None else start + hours
    if start >= total or stop > total:
        raise InputError(InputIssue(file, "horizon", f"the horizon (hours {start}..{stop}) runs past the "
                                                     f"{total} hours of the weather years"))
    return slice(start, stop)


def build_model_inputs(scenario: str | Path | LoadedScenario) -> xr.Dataset:
    """Read and validate every input of a scenario and assemble ModelInputs.

    Parameters
    ----------
    scenario : str, pathlib.Path or LoadedScenario
        A scenario file or an already loaded scenario.

    Returns
    -------
    xarray.Dataset
        ModelInputs (see :mod:`energy_model.inputs.assemble`), with the scenario
        name, title and input hash in ``attrs``.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    scen = loaded.scenario
    file = loaded.path.name
    folder = loaded.path.parent
    inputs_dir = safe_path(folder, scen.inputs_dir, file, "inputs_dir")
    if not inputs_dir.is_dir():
        raise InputError(InputIssue(file, "inputs_dir", "inputs folder not found", value=scen.inputs_dir))
    used = [inputs_dir / f for f in (TECHNOLOGIES, FUELS, DEMAND_SHAPE, HEAT_SHAPE, SITES, PV_PLANTS, WIND_PLANTS)]

    techs = tables.read_technologies(inputs_dir / TECHNOLOGIES)
    fuels = tables.read_fuels(inputs_dir / FUELS)
    techs, fuels = apply_overrides(techs, fuels, dict(scen.overrides), file, loaded.lines)
    if scen.overrides:
        tables.validate_technologies(techs, f"{TECHNOLOGIES} (after overrides in {file})", fuels)
        tables.validate_fuels(fuels, f"{FUELS} (after overrides in {file})")
    _check_excluded(loaded, techs)
    techs = techs.drop(index=list(scen.exclude_technologies))
    _check_targets(loaded, techs)

    sites = read_sites(inputs_dir / SITES)
    pv_plants, wind_plants = read_plants(inputs_dir / PV_PLANTS, inputs_dir / WIND_PLANTS)
    weather_paths = [safe_path(folder, f, file, "weather.files") for f in _weather_files(scen.weather)]
    if scen.weather.synthetic_parameters:
        weather_paths.append(safe_path(folder, scen.weather.synthetic_parameters, file,
                                       "weather.synthetic_parameters"))
    try:
        weather = load_weather(scen.weather, sites, folder)
    except InputError as err:  # the weather readers name the scenario generically
        raise InputError([InputIssue(file if i.file == "scenario" else i.file, i.key_path, i.message, i.value,
                                     i.line if i.file != "scenario" else loaded.lines.get(i.key_path))
                          for i in err.issues]) from None
    cf = capacity_factors(weather, sites, pv_plants, wind_plants)
    time_all = pd.DatetimeIndex(cf[n.TIME].values)
    window = horizon_slice(time_all, scen.horizon.start_hour, scen.horizon.hours, file)
    time = time_all[window]
    profiles = {str(p): cf.sel(profile=p).values[window] for p in cf["profile"].values}
    missing = sorted({str(p) for p in techs["profile"].fillna("") if p} - set(profiles))
    if missing:
        raise InputError(InputIssue(TECHNOLOGIES, "profile", "technologies use profiles that no plant table "
                                    f"defines: {', '.join(missing)}"))

    temperature = _site_temperature(weather, sites, time)
    if scen.demand.file is not None:
        demand_path = safe_path(folder, scen.demand.file, file, "demand.file")
        demand = tables.read_demand_csv(demand_path, time)
        used.append(demand_path)
    else:
        shape = tables.read_demand_shape(inputs_dir / DEMAND_SHAPE)
        demand = electricity_demand(time, scen.demand.annual_twh * 1e6, shape, temperature)
    heat = heat_demand(time, scen.heat_demand.annual_twh * 1e6, tables.read_heat_shape(inputs_dir / HEAT_SHAPE))
    used += weather_paths
    attrs = {
        "scenario": scen.name,
        "title": scen.title,
        "input_hash": input_hash(loaded, [p for p in used if p.is_file()]),
        "weather_source": scen.weather.source,
        "weather_years": ",".join(str(y) for y in scen.weather.years),
    }
    return assemble_inputs(techs, fuels, time, demand, heat, profiles, scen.targets, scen.economics, attrs)


def _weather_files(spec: Any) -> list[str]:
    files = getattr(spec, "files", None)
    if not files:
        return []
    if isinstance(files, dict):
        return [f for v in files.values() for f in (v if isinstance(v, list) else [v])]
    return list(files)


def _site_temperature(weather: dict[str, pd.DataFrame], sites: pd.DataFrame, time: pd.DatetimeIndex) -> np.ndarray | None:
    """Air temperature of the first onshore site at the model hours [°C], for the demand's weather term."""
    onshore = [str(row["site"]) for _, row in sites.iterrows() if str(row.get("surface", "")) == "onshore"]
    name = onshore[0] if onshore else next(iter(weather), None)
    if name is None or name not in weather:
        return None
    frame = weather[name]
    stamps = frame.index.tz_convert("Asia/Shanghai").tz_localize(None) if frame.index.tz else frame.index
    temp = pd.Series(frame["temp_air"].to_numpy(), index=stamps)
    return temp.reindex(time).to_numpy()
