"""A variant's record: what a solve leaves (objective, capacities, targets ...), committed atomically, and its status.

Every variant is written to ``<sweep>/variants/<id>.json`` as soon as it is
solved (temporary name, then ``os.replace``); a rerun skips variants already
committed, so a killed sweep resumes where it stopped. A variant whose worker
died is recorded with status :data:`WORKER_DIED` and solved again on resume.

With ``keep: results`` a solved variant's Results Datasets are written first
(:func:`keep_results`: ``<id>.nc``, and ``<id>.reference.nc`` for the
reference solve, each atomically), then its record: a committed record
whose kept files are missing (a sweep first run without ``keep``) counts as
not done and is solved again, so every kept file is complete or absent and
written once per variant.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import errors
from energy_model import vocabulary as n
from energy_model.engine.measures import consumption_mwh, share
from energy_model.errors import EnergyModelError
from energy_model.inputs.lp_units import time_arrays
from energy_model.io.changes import reference_changes
from energy_model.output.run_folder import (
    MANIFEST,
    SWEEP,
    TOOL,
    folder_kind,
    write_atomic,
    write_json,
    write_netcdf,
)

#: Status of a variant whose worker process died while solving it.
WORKER_DIED = "worker_died"
#: Status of a variant solved to a proven optimum.
OPTIMAL = "optimal"
#: What a failed write leaves behind, for the disk-full message.
AFTER_FAILED_WRITE = "no partial file was left; the variants committed so far are kept: run the sweep again to resume"
#: The files that sum a sweep up, in the order they are written.
#: The sensitivity indices of a saltelli or morris sweep, beside sweep.csv.
SENSITIVITY_CSV = "sensitivity.csv"
SWEEP_FILES = ("sweep.csv", "sweep.nc", MANIFEST, "sweep.html")


def after_failed_sweep_file(fname: str, status: str = "complete") -> str:
    """What a failed write of ``fname`` (one of :data:`SWEEP_FILES`) leaves behind, for its message.

    Names the files written before it and those not written, so the message
    never says "nothing" when the table and the manifest are already there.
    """
    done = SWEEP_FILES[:SWEEP_FILES.index(fname)]
    todo = SWEEP_FILES[SWEEP_FILES.index(fname):]
    written = ", ".join(f"{f} (marked {status})" if f == MANIFEST else f for f in done)
    text = (f"{written} {'was' if len(done) == 1 else 'were'} written; " if done else "") + \
        f"{', '.join(todo)} {'was' if len(todo) == 1 else 'were'} not written (any earlier copy is unchanged)"
    return f"{text}; {AFTER_FAILED_WRITE}"

def record_of(results: xr.Dataset, prefix: str, inputs: xr.Dataset | None = None) -> dict[str, Any]:
    """Flat numbers of one solved case, for the sweep table.

    Besides the results' own numbers: ``imported_electricity_mwh_per_yr`` (annual
    output of the ``import`` technologies; needs ``inputs`` for the kinds),
    ``consumption_mwh_per_yr`` (annual consumption, the floor of the
    verification's energy errors),
    ``imported_co2_t_per_yr`` (the engine's CO2 attributed to imports: their
    energy times the emission factor of the technologies table,
    ``results["imported_co2_t_per_yr"]``), and how the solve went:
    ``solve_s`` (wall seconds of the HiGHS run), ``method`` (the HiGHS method
    actually used) and ``iterations`` (simplex + interior-point + crossover
    iterations).
    """
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
    for g, v in results["generation_mwh_per_yr"].to_series().items():
        rec[f"{prefix}generation_mwh_per_yr.{g}"] = float(v)
    if inputs is not None:
        w = time_arrays(inputs)[0]
        for g in results[n.TECH].values.astype(str):
            if np.isfinite(results["available_mw"].sel({n.TECH: g}).values).any():  # variable renewables
                rec[f"{prefix}curtailment_mwh_per_yr.{g}"] = float(
                    results["curtailment_mw"].sel({n.TECH: g}).fillna(0.0).values @ w)
    for name in ("co2_production_t_per_yr", "co2_consumption_t_per_yr"):
        if name in results:
            rec[f"{prefix}{name}"] = float(results[name])
    if inputs is not None:
        kind = inputs["kind"].sel({n.TECH: results[n.TECH].values}).values.astype(str)
        imported = results["generation_mwh_per_yr"].values[kind == n.IMPORT]
        exported = results["generation_mwh_per_yr"].values[kind == n.EXPORT]
        rec[f"{prefix}consumption_mwh_per_yr"] = consumption_mwh(inputs)
        rec[f"{prefix}imported_electricity_mwh_per_yr"] = float(imported.sum())
        rec[f"{prefix}exported_electricity_mwh_per_yr"] = float(exported.sum())
        if "new_energy" in inputs:
            rec[f"{prefix}new_energy_share"] = share(results, inputs, inputs["new_energy"].values.astype(bool))
    rec[f"{prefix}imported_co2_t_per_yr"] = float(results["imported_co2_t_per_yr"].sum())
    for f, v in results["fuel_use_units_per_yr"].to_series().items():
        rec[f"{prefix}fuel_use_units_per_yr.{f}"] = float(v)
    a = results.attrs
    rec[f"{prefix}solve_s"] = float(a.get("solver_solve_seconds", np.nan))
    rec[f"{prefix}method"] = str(a.get("solver_method_used", ""))
    rec[f"{prefix}iterations"] = int(sum(int(a.get(f"solver_{k}_iterations", 0))
                                         for k in ("simplex", "ipm", "crossover")))
    return rec


# -- progress -----------------------------------------------------------------------------------------------------


#: Name ending of a kept Results file by solve: the enforced solve's (a plain run's results.nc) and the reference's.
KEPT_ENDINGS = {"enforced": ".nc", "reference": ".reference.nc"}


def kept_endings(case: str) -> tuple[str, ...]:
    """Endings of the files ``keep: results`` leaves per solved variant of a sweep with ``case`` (enforced ...)."""
    return tuple(KEPT_ENDINGS[k] for k in ("enforced", "reference") if case in (k, "both"))


def keep_results(vdir: Path, vid: str, kept: dict[str, xr.Dataset]) -> None:
    """Write a variant's kept Results (ending -> Dataset) atomically, before its record is committed."""
    for ending, ds in kept.items():
        write_atomic(vdir / f"{vid}{ending}", partial(write_netcdf, ds), after=AFTER_FAILED_WRITE)


def solve_variant(study: Any, case: str, vid: str, changes: dict[str, float],
                  kept: dict[str, xr.Dataset] | None = None) -> dict[str, Any]:
    """Solve one variant on a built Study (restored afterwards); its record, with status and message if it failed.

    Used by the local pool and by the Dask tasks (:mod:`energy_model.sweep.dask_pool`). ``kept``, when
    given, receives each solve's Results Dataset by the ending of its file (:data:`KEPT_ENDINGS`).
    """
    keep = kept if kept is not None else {}
    rec: dict[str, Any] = {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}}
    try:
        with study.changed(changes):
            if case in ("reference", "both"):
                with study.changed(reference_changes(study.targets)):
                    ref = keep[KEPT_ENDINGS["reference"]] = study.solve(f"variant {vid} reference")
                    rec.update(record_of(ref, "reference.", study.inputs))
            if case in ("enforced", "both"):
                res = keep[KEPT_ENDINGS["enforced"]] = study.solve(f"variant {vid}")
                rec.update(record_of(res, "", study.inputs))
        rec["status"] = "optimal"
    except EnergyModelError as exc:
        rec["status"] = getattr(exc, "status", "error")
        rec["message"] = str(exc).splitlines()[0]
        keep.clear()  # a failed variant keeps nothing
    return rec


def commit(vdir: Path, rec: dict[str, Any]) -> None:
    """Write one variant's record atomically; a failed write (disk full) is an OutputError naming the file."""
    write_atomic(vdir / f"{rec['variant']}.json", lambda p: write_json(rec, p), after=AFTER_FAILED_WRITE)


def committed(vdir: Path, kept: tuple[str, ...] = ()) -> set[str]:
    """Ids of variants with a final record (a readable record whose worker did not die).

    ``kept``: endings of the files ``keep: results`` needs (:func:`kept_endings`); a solved variant
    without all of them is not done.
    """
    done = set()
    for path in vdir.glob("*.json"):
        try:
            status = json.loads(path.read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError, AttributeError):
            continue  # unreadable: solved again
        if status != WORKER_DIED and (status != OPTIMAL or all((vdir / f"{path.stem}{e}").is_file() for e in kept)):
            done.add(path.stem)
    return done


def remove_partial(vdir: Path) -> None:
    """Delete temporary files that a stopped or killed worker left in the variants folder."""
    for stale in [*vdir.glob(".*.tmp-*"), *vdir.glob("*.tmp-*")]:
        stale.unlink(missing_ok=True)


def records_folder(vdir: Path) -> Path:
    """Create a folder of variant records (``variants/``, ``verify/``) and clear temporary files from it."""
    try:
        vdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.OutputError(f"cannot create {vdir}: {exc.strerror or exc}") from None
    remove_partial(vdir)
    return vdir


def prepare_folder(folder: Path, name: str, variants_total: int) -> Path:
    """Create ``<folder>/variants`` and, for a new sweep, a manifest that marks the folder as ours."""
    vdir = records_folder(folder / "variants")
    if folder_kind(folder) != SWEEP:
        write_atomic(folder / MANIFEST, lambda p: write_json(manifest(name, "running", variants_total, {}), p))
    return vdir


def manifest(name: str, status: str, total: int, failed: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"tool": TOOL, "kind": SWEEP, "sweep": name, "status": status, "variants": total, **extra,
            "failed": failed}


# -- worker processes ---------------------------------------------------------------------------------------

def died_record(vid: str, changes: dict[str, float], message: str) -> dict[str, Any]:
    return {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}, "status": WORKER_DIED,
            "message": message}

def status_of(vdir: Path, vid: str) -> str:
    """Status in a committed variant record ("" when it cannot be read)."""
    try:
        return str(json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")).get("status", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def gather(rows: list[dict[str, Any]], labels: list[dict[str, Any]]) -> pd.DataFrame:
    """The sweep table in expansion order: ``variant``, the labels (``sample``, ``oat_*``), then each record."""
    table = pd.DataFrame(rows)
    keys = [k for k in ("sample", "oat_parameter", "oat_side") if labels and k in labels[0]]
    for i, k in enumerate(keys):
        table.insert(1 + i, k, [lab[k] for lab in labels])
    return table

