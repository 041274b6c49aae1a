"""Gather everything a scenario refers to into a validated Case (files are read by the io and weather readers).

Stages: scenario file -> input tables (technologies, fuels, shapes, plants,
sites) -> weather -> capacity factors -> demand shapes -> :class:`Case`
-> cost year, build year and ``overrides``, in that order, through
:func:`energy_model.io.changes.apply_changes` (the path every later change takes). Every file error is an
:class:`~energy_model.errors.InputError`; nothing is written here.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue, InputNote
from energy_model.inputs.assemble import assemble_case
from energy_model.io import tables
from energy_model.io.build_years import build_year_changes, check_options, read_build_years
from energy_model.io.case import Case
from energy_model.io.changes import MWH_PER_TWH, TABLE_SECTIONS, Origin, apply_changes
from energy_model.io.cost_years import cost_year_changes, read_cost_years
from energy_model.io.paths import confine_tree, safe_path  # noqa: F401 - safe_path re-exported for callers
from energy_model.io.sanity import check_serveable
from energy_model.io.scenario_file import LoadedScenario, load_scenario
from energy_model.io.yaml_safe import load_yaml
from energy_model.profiles import capacity_factors, read_plants
from energy_model.profiles.demand import electricity_demand, heat_demand
from energy_model.weather import load_weather, read_sites

#: Input files read from the inputs folder.
TECHNOLOGIES = "technologies.csv"
FUELS = "fuels.csv"
DEMAND_SHAPE = "demand_shape.csv"
HEAT_SHAPE = "heat_demand_shape.csv"
SITES = "sites.csv"
PV_PLANTS = "pv_plants.csv"
WIND_PLANTS = "wind_plants.csv"
COST_YEARS = "cost_years.csv"
BUILD_YEARS = "build_years.csv"
CARRIERS = "carriers.csv"


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
    """Read a scenario and assemble its ModelInputs (:func:`load_case`, then the one assembly).

    Parameters
    ----------
    scenario : str, pathlib.Path or LoadedScenario
        A scenario file (or one already loaded).

    Returns
    -------
    xarray.Dataset
        ModelInputs (see :mod:`energy_model.inputs.assemble`), with the scenario
        name, title and input hash in ``attrs``.

    Examples
    --------
    >>> inputs = build_model_inputs("scenarios/example_day.yaml")
    >>> inputs.sizes["time"], float(inputs["capex_cny_per_kw"].sel(technology="offshore_wind"))
    (24, 16000.0)
    """
    return assemble_case(load_case(scenario))


def load_case(scenario: str | Path | LoadedScenario) -> Case:
    """Read and validate every input of a scenario into a :class:`~energy_model.io.case.Case`.

    The scenario's cost year, then its build year, then its ``overrides`` are
    applied with :func:`energy_model.io.changes.apply_changes`, the same path as
    every later change (so the overrides win).

    Parameters
    ----------
    scenario : str, pathlib.Path or LoadedScenario
        A scenario file or an already loaded scenario.

    Returns
    -------
    Case
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    scen = loaded.scenario
    file = loaded.path.name
    folder = loaded.path.parent
    inputs_dir = safe_path(folder, scen.inputs_dir, file, "inputs_dir")
    if not inputs_dir.is_dir():
        raise InputError(InputIssue(file, "inputs_dir", "inputs folder not found", value=scen.inputs_dir))
    confine_tree(inputs_dir, folder, file, "inputs_dir", loaded.lines.get("inputs_dir"))
    used = [inputs_dir / f for f in (TECHNOLOGIES, FUELS, CARRIERS, DEMAND_SHAPE, HEAT_SHAPE, SITES, PV_PLANTS,
                                     WIND_PLANTS)]

    techs = tables.read_technologies(inputs_dir / TECHNOLOGIES)
    carriers = tables.read_carriers(inputs_dir / CARRIERS)
    _check_carriers(techs, carriers)
    fuels = tables.read_fuels(inputs_dir / FUELS)
    _check_excluded(loaded, techs)
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
    weight = n.HOURS_PER_YEAR / len(time)
    if scen.demand.file is not None:
        demand_path = safe_path(folder, scen.demand.file, file, "demand.file")
        series = tables.read_demand_csv(demand_path, time)
        annual = float(np.sum(series)) * weight  # the file's total, annualised [MWh/yr]
        demand_shape = series / annual
        used.append(demand_path)
    else:
        shape = tables.read_demand_shape(inputs_dir / DEMAND_SHAPE)
        assert scen.demand.annual_twh is not None  # the schema asks for exactly one of file / annual_twh
        annual = scen.demand.annual_twh * MWH_PER_TWH
        demand_shape = electricity_demand(time, 1.0, shape, temperature)
    heat_shape = heat_demand(time, 1.0, tables.read_heat_shape(inputs_dir / HEAT_SHAPE))
    used += weather_paths
    attrs = {
        "scenario": scen.name,
        "title": scen.title,
        "input_hash": input_hash(loaded, [p for p in used if p.is_file()]),
        "weather_source": scen.weather.source,
        "weather_years": ",".join(str(y) for y in scen.weather.years),
    }
    full = Case(technologies=techs, fuels=fuels, time=time, demand_shape=np.asarray(demand_shape, dtype=float),
                heat_shape=np.asarray(heat_shape, dtype=float), demand_annual_mwh=annual,
                heat_annual_mwh=scen.heat_demand.annual_twh * MWH_PER_TWH, capacity_factors=profiles,
                targets=dict(scen.targets), economics=scen.economics, solver=scen.solver, aggregation=scen.aggregation, file=file, attrs=attrs,
                carriers=carriers)
    case = full.evolve(technologies=techs.drop(index=list(scen.exclude_technologies)))
    if scen.cost_year is not None:
        case = _apply_cost_year(case, loaded, inputs_dir / COST_YEARS)
        used.append(inputs_dir / COST_YEARS)
        case = case.evolve(attrs=dict(case.attrs) | {"cost_year": scen.cost_year,
                                                     "input_hash": input_hash(loaded, [p for p in used if p.is_file()])})
    if scen.build_year is not None:
        case, rows = _apply_build_year(case, loaded, inputs_dir / BUILD_YEARS)
        used.append(inputs_dir / BUILD_YEARS)
        case = case.evolve(attrs=dict(case.attrs) | {
            "build_year": scen.build_year, "build_options": ",".join(scen.build_options),
            "build_year_sources": ",".join(rows), "input_hash": input_hash(loaded, [p for p in used if p.is_file()])})
    elif scen.build_options:
        key = "build_options"
        raise InputError(InputIssue(file, key, "build options apply to a build year: add 'build_year'",
                                    value=", ".join(scen.build_options), line=loaded.lines.get(key)))
    overrides = overrides_to_apply(loaded)
    if overrides:
        case = apply_changes(case, overrides, Origin(file, "overrides.", loaded.lines), allowed=TABLE_SECTIONS)
    if scen.trade_prices is not None:
        case = _apply_trade_prices(case, loaded, folder, used)
    check_serveable(loaded, case.technologies, case.demand_mw, case.heat_demand_mw, case.capacity_factors, case.time)
    return case


def overrides_to_apply(loaded: LoadedScenario) -> dict[str, Any]:
    """The scenario's ``overrides`` less those of excluded technologies.

    An override of an excluded technology inherited from the ``base``
    scenario is dropped with a note (:class:`~energy_model.errors.InputNote`):
    excluding a technology the base limits is allowed. One the scenario file
    writes itself is an error at its line.

    Raises
    ------
    InputError
        The scenario file itself overrides a technology it excludes.
    """
    scen = loaded.scenario
    excluded = set(scen.exclude_technologies)
    file = loaded.path.name
    keep: dict[str, Any] = {}
    dropped: list[str] = []
    issues = []
    for path, value in scen.overrides.items():
        parts = path.split(".")
        if not (len(parts) > 2 and parts[0] == "technologies" and parts[1] in excluded):
            keep[path] = value
        elif f"overrides.{path}" in loaded.lines:  # written in this file (its own lines), not inherited
            issues.append(InputIssue(file, f"overrides.{path}", f"technology '{parts[1]}' is in "
                                     "exclude_technologies; remove this override or the exclusion", value=value,
                                     line=loaded.lines.get(f"overrides.{path}")))
        else:
            dropped.append(path)
    if issues:
        raise InputError(issues)
    if dropped:
        base = load_yaml(loaded.path)[0].get("base") or "the base scenario"
        warnings.warn(f"{file}: exclude_technologies drops {len(dropped)} override{'s' if len(dropped) != 1 else ''} "
                      f"inherited from {base}: {', '.join(dropped)}", InputNote, stacklevel=2)
    return keep


def _apply_trade_prices(case: Case, loaded: LoadedScenario, folder: Path, used: list[Path]) -> Case:
    """Hourly trade prices from the scenario's file: each named row's mean price and ``price_profile``.

    The file's columns are import or export technologies; each gets
    ``vom_cny_per_mwh`` = the series' mean (negative for exports: revenue) and
    ``price_profile: trade_prices`` through the change path, and the Case keeps
    the series for the hourly shape.
    """
    scen = loaded.scenario
    assert scen.trade_prices is not None
    file = loaded.path.name
    path = safe_path(folder, scen.trade_prices.file, file, "trade_prices.file")
    tech = case.technologies
    allowed = {str(g): str(tech.loc[g, "kind"]) for g in tech.index if str(tech.loc[g, "kind"]) in (n.IMPORT, n.EXPORT)}
    series = tables.read_price_csv(path, case.time, allowed)
    used.append(path)
    changes: dict[str, object] = {}
    for g, values in series.items():
        mean = float(np.mean(values))
        changes[f"technologies.{g}.vom_cny_per_mwh"] = -mean if allowed[g] == n.EXPORT else mean
        changes[f"technologies.{g}.price_profile"] = "trade_prices"
    case = apply_changes(case, changes, Origin(f"{file} (trade_prices from {path.name})"))
    return case.evolve(price_series=dict(series),
                       attrs=dict(case.attrs) | {"trade_prices_file": path.name,
                                                 "input_hash": input_hash(loaded, [p for p in used if p.is_file()])})


def _check_carriers(techs: pd.DataFrame, carriers: pd.DataFrame) -> None:
    """Every technology's carrier must be a row of carriers.csv."""
    known = {str(c) for c in carriers.index}
    issues = [InputIssue(TECHNOLOGIES, f"{TECHNOLOGIES}:{g}.carrier", f"carrier not in {CARRIERS}; known: "
                         f"{', '.join(sorted(known))}", value=c) for g, c in techs["carrier"].items() if str(c) not in known]
    if issues:
        raise InputError(issues)


def _apply_cost_year(case: Case, loaded: LoadedScenario, path: Path) -> Case:
    """Apply the scenario's cost year (technology costs, fuel and carbon prices) through the change path.

    Values the scenario states itself win: ``overrides`` are applied after this,
    and an ``economics`` value written in the scenario is not replaced.
    """
    scen = loaded.scenario
    file = loaded.path.name
    table = read_cost_years(path, technologies=case.technologies.index.union(list(scen.exclude_technologies)),
                            fuels=case.fuels)
    assert scen.cost_year is not None
    changes = cost_year_changes(table, scen.cost_year, file=file, line=loaded.lines.get("cost_year"))
    written = loaded.raw.get("economics") or {}
    keep = {p: v for p, v in changes.items()
            if not (p.startswith("technologies.") and p.split(".")[1] in scen.exclude_technologies)
            and not (p.startswith("economics.") and p.split(".", 1)[1] in written)}
    inherited = [p for p in changes if p.startswith("economics.") and p.split(".", 1)[1] in written
                 and p not in loaded.lines  # written in a base scenario, not in this file
                 and float(written[p.split(".", 1)[1]]) != float(changes[p])]  # and not what the cost year says
    if inherited:
        base = load_yaml(loaded.path)[0].get("base") or "the base scenario"
        kept = ", ".join(f"{p} = {written[p.split('.', 1)[1]]!r} (cost year: {changes[p]:g})" for p in inherited)
        warnings.warn(f"{file}: cost_year {scen.cost_year} keeps {kept}, written in {base}; write the value "
                      f"in {file} to choose it there", InputNote, stacklevel=2)
    return apply_changes(case, keep, Origin(f"{file} (cost_year {scen.cost_year} from {path.name})"))


def _apply_build_year(case: Case, loaded: LoadedScenario, path: Path) -> tuple[Case, list[str]]:
    """Apply the scenario's build year (plants in service, build and supply limits) through the change path.

    Applied after the cost year; ``overrides`` are applied after this and win.

    Returns
    -------
    tuple
        The changed case and the source keys of the table rows applied
        (``build_years.<table>.<id>.<column>.<year>[.<option>]``).
    """
    scen = loaded.scenario
    file = loaded.path.name
    table = read_build_years(path, technologies=case.technologies.index.union(list(scen.exclude_technologies)),
                             fuels=case.fuels)
    assert scen.build_year is not None
    check_options(table, scen.build_options, file=file, lines=loaded.lines)
    year = build_year_changes(table, scen.build_year, scen.build_options, file=file,
                              line=loaded.lines.get("build_year"))
    keep = [p for p in year.changes
            if not (p.startswith("technologies.") and p.split(".")[1] in scen.exclude_technologies)]
    # a value the tables refuse is named at the line of the row in force
    changed = apply_changes(case, {p: year.changes[p] for p in keep}, Origin(path.name, "", year.lines))
    return changed, [year.rows[p] for p in keep]


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
