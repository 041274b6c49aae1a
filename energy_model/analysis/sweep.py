"""Parameter sweeps: many variants of one scenario, built once per worker, resumable.

A sweep file (YAML) names a scenario and the parameters to vary (Study paths
in user units)::

    name: offshore_capex_lng_price
    scenario: ../plan_year.yaml
    mode: grid                     # grid: every combination; list: i-th values together; random
    parameters:
      technologies.offshore_wind.capex_cny_per_kw: [8000, 10000, 12000]
      fuels.lng.price_cny_per_unit: {start: 3000, stop: 6000, num: 4}
    samples: 100                   # random mode: draws, uniform between the first and last value
    seed: 1
    workers: 2                     # local processes; each builds the model once
    case: enforced                 # enforced (one LP per variant) | reference | both

Every variant is written to ``<out>/<sweep>/variants/<id>.json`` as soon as it
is solved (temporary name, then ``os.replace``), keyed by a hash of the base
inputs and its changes; a rerun skips variants already committed with the
same key, so a killed sweep resumes where it stopped. At the end the variants
are gathered into ``sweep.csv`` and ``sweep.nc`` (dimension ``variant``).
A variant whose solve fails is recorded with its status and message; the
sweep then exits with code 10 (:class:`~energy_model.errors.PartialSweepError`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, model_validator

from energy_model import vocabulary as n
from energy_model.errors import EnergyModelError, InputError, InputIssue, PartialSweepError
from energy_model.output.run_folder import check_writable, run_lock, write_csv, write_json, write_netcdf
from energy_model.io.scenario_file import issues_from_validation
from energy_model.io.yaml_safe import load_yaml

#: Most variants a sweep may expand to.
MAX_VARIANTS = 100_000


class Linspace(BaseModel):
    """Evenly spaced values from ``start`` to ``stop`` (inclusive)."""

    model_config = ConfigDict(extra="forbid")
    start: float
    stop: float
    num: int = Field(ge=2, le=10_000)


class SweepSpec(BaseModel):
    """A validated sweep file."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    scenario: StrictStr
    mode: Literal["grid", "list", "random"] = "grid"
    parameters: dict[StrictStr, list[float] | Linspace] = Field(min_length=1)
    samples: int = Field(10, ge=1, le=MAX_VARIANTS)
    seed: int = 1
    workers: int = Field(1, ge=1, le=64)
    case: Literal["enforced", "reference", "both"] = "enforced"

    @model_validator(mode="after")
    def _lengths(self) -> "SweepSpec":
        values = [v for v in self.values().values()]
        if any(len(v) == 0 for v in values):
            raise ValueError("every parameter needs at least one value")
        if self.mode == "list" and len({len(v) for v in values}) > 1:
            raise ValueError("mode: list needs the same number of values for every parameter")
        if self.mode == "grid" and int(np.prod([len(v) for v in values])) > MAX_VARIANTS:
            raise ValueError(f"the grid has more than {MAX_VARIANTS:,} variants")
        return self

    def values(self) -> dict[str, list[float]]:
        """Each parameter's values as a list."""
        out = {}
        for path, v in self.parameters.items():
            out[path] = list(np.linspace(v.start, v.stop, v.num)) if isinstance(v, Linspace) else [float(x) for x in v]
        return out


def variants(spec: SweepSpec) -> list[dict[str, float]]:
    """Expand a sweep into its list of changes (one dict of path -> value per variant)."""
    vals = spec.values()
    paths = list(vals)
    if spec.mode == "grid":
        return [dict(zip(paths, combo)) for combo in itertools.product(*(vals[p] for p in paths))]
    if spec.mode == "list":
        return [dict(zip(paths, combo)) for combo in zip(*(vals[p] for p in paths))]
    rng = np.random.default_rng(spec.seed)
    return [{p: float(rng.uniform(min(vals[p]), max(vals[p]))) for p in paths} for _ in range(spec.samples)]


def variant_id(base_hash: str, changes: dict[str, float]) -> str:
    """Stable id of a variant: hash of the base inputs and its changes."""
    text = base_hash + json.dumps(changes, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; return the spec and the scenario path."""
    path = Path(path)
    data, lines = load_yaml(path)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise InputError(issues_from_validation(err, path.name, lines)) from None
    from energy_model.io.read_inputs import safe_path

    scenario = safe_path(path.parent, spec.scenario, path.name, "scenario")
    if not scenario.is_file():
        raise InputError(InputIssue(path.name, "scenario", "scenario file not found", value=spec.scenario,
                                    line=lines.get("scenario")))
    return spec, scenario


def _record(results: xr.Dataset, prefix: str) -> dict[str, Any]:
    """Flat numbers of one solved case, for the sweep table."""
    rec: dict[str, Any] = {f"{prefix}objective_cny_per_yr": float(results.attrs["objective_cny_per_yr"])}
    for g, v in results["capacity_mw"].to_series().items():
        rec[f"{prefix}capacity_mw.{g}"] = float(v)
    for c, v in results["cost_cny_per_yr"].to_series().items():
        rec[f"{prefix}cost_cny_per_yr.{c}"] = float(v)
    for k in results[n.TARGET].values.astype(str):
        sel = {n.TARGET: k}
        rec[f"{prefix}target_value.{k}"] = float(results["target_value"].sel(sel))
        rec[f"{prefix}target_shadow_price.{k}"] = float(results["target_shadow_price"].sel(sel))
    rec[f"{prefix}co2_t_per_yr"] = float(results["emissions_t_per_yr"].sel(pollutant="co2").sum())
    for f, v in results["fuel_use_units_per_yr"].to_series().items():
        rec[f"{prefix}fuel_use_units_per_yr.{f}"] = float(v)
    return rec


def _solve_chunk(scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], folder: str) -> list[str]:
    """Worker: build the scenario's model once, solve each variant, commit each record."""
    from energy_model.io.read_inputs import build_model_inputs
    from energy_model.io.scenario_file import load_scenario
    from energy_model.engine.study import Study

    loaded = load_scenario(scenario)
    study = Study(build_model_inputs(loaded), loaded.scenario.solver)
    done = []
    for vid, changes in chunk:
        rec: dict[str, Any] = {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}}
        try:
            with study.changed(changes):
                if case in ("reference", "both"):
                    modes = study.target_modes()
                    for k in study.targets:
                        study.set(f"targets.{k}.mode", n.REPORT)
                    try:
                        rec.update(_record(study.solve(f"variant {vid} reference"), "reference."))
                    finally:
                        for k, mode in modes.items():
                            study.set(f"targets.{k}.mode", mode)
                if case in ("enforced", "both"):
                    rec.update(_record(study.solve(f"variant {vid}"), ""))
            rec["status"] = "optimal"
        except EnergyModelError as exc:
            rec["status"] = getattr(exc, "status", "error")
            rec["message"] = str(exc).splitlines()[0]
        target = Path(folder) / f"{vid}.json"
        tmp = target.with_suffix(f".tmp-{os.getpid()}")
        write_json(rec, tmp)
        os.replace(tmp, target)
        done.append(vid)
    return done


def run_sweep(path: str | Path, out: str | Path | None = None, *, workers: int | None = None,
              progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run (or resume) a sweep and gather its table.

    Parameters
    ----------
    path : str or pathlib.Path
        Sweep YAML file.
    out : str or pathlib.Path, optional
        Parent of the sweep folder (default ``results/`` of the project).
    workers : int, optional
        Overrides the file's ``workers``.
    progress : callable, optional
        Receives progress lines.

    Returns
    -------
    pandas.DataFrame
        One row per variant (also written to ``sweep.csv``).

    Raises
    ------
    PartialSweepError
        When some variants failed (their rows carry status and message).
    """
    from energy_model.io.read_inputs import build_model_inputs
    from energy_model.io.scenario_file import load_scenario
    from energy_model.engine.study import Study

    say = progress or (lambda _m: None)
    spec, scenario = load_sweep(path)
    loaded = load_scenario(scenario)
    base = build_model_inputs(loaded)
    todo_all = variants(spec)
    # validate every path once, in the parent, before any solve
    probe = Study(base, loaded.scenario.solver)
    for p in spec.parameters:
        probe.set(p, probe.get(p)) if not p.endswith(".mode") else None
    del probe
    out_dir = Path(out) if out is not None else scenario.parent.parent / "results"
    check_writable(out_dir)
    folder = out_dir / spec.name
    vdir = folder / "variants"
    vdir.mkdir(parents=True, exist_ok=True)
    keyed = [(variant_id(base.attrs["input_hash"] + spec.case, ch), ch) for ch in todo_all]
    committed = {p.stem for p in vdir.glob("*.json")}
    todo = [(vid, ch) for vid, ch in keyed if vid not in committed]
    say(f"sweep '{spec.name}': {len(keyed)} variants, {len(keyed) - len(todo)} already done")
    nworkers = max(1, min(workers or spec.workers, len(todo) or 1))
    with run_lock(out_dir, spec.name):
        if todo:
            chunks = [todo[i::nworkers] for i in range(nworkers)]
            if nworkers == 1:
                _solve_chunk(str(scenario), spec.case, chunks[0], str(vdir))
            else:
                with ProcessPoolExecutor(max_workers=nworkers) as pool:
                    futures = [pool.submit(_solve_chunk, str(scenario), spec.case, c, str(vdir)) for c in chunks if c]
                    for fut in as_completed(futures):
                        say(f"worker finished {len(fut.result())} variants")
        rows = [json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")) for vid, _ in keyed]
        table = pd.DataFrame(rows).set_index("variant")
        write_csv(table, folder / "sweep.csv.tmp")
        os.replace(folder / "sweep.csv.tmp", folder / "sweep.csv")
        numeric = table.select_dtypes("number")
        ds = xr.Dataset({c: ("variant", numeric[c].to_numpy()) for c in numeric.columns},
                        coords={"variant": table.index.to_numpy()})
        ds["status"] = ("variant", table["status"].astype(str).to_numpy())
        ds.attrs.update({"sweep": spec.name, "scenario": loaded.scenario.name, "input_hash": base.attrs["input_hash"]})
        write_netcdf(ds, folder / "sweep.nc.tmp")
        os.replace(folder / "sweep.nc.tmp", folder / "sweep.nc")
        write_json({"sweep": spec.name, "variants": len(keyed),
                    "failed": {vid: r.get("message", "") for vid, r in zip(table.index, rows)
                               if r["status"] != "optimal"}}, folder / "manifest.json")
    failed = table[table["status"] != "optimal"]
    if len(failed):
        raise PartialSweepError(f"{len(failed)} of {len(table)} variants failed; see {folder / 'sweep.csv'}")
    return table
