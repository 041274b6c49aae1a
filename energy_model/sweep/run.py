"""Run (or resume) a sweep: check it, solve its variants on a pool, verify, and write the table, sweep.nc and the page."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from energy_model.engine.extra_rows import ExtraRows
from energy_model.engine.extra_rows import describe as describe_extra_rows
from energy_model.errors import EnergyModelError, InputError, InputIssue, PartialSweepError
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes
from energy_model.io.paths import results_dir
from energy_model.io.pathway_spec import Pathway
from energy_model.io.sweep_file import SweepFile, load_sweep
from energy_model.io.sweep_spec import SweepSpec
from energy_model.io.workers import check_workers, local_workers
from energy_model.output.run_folder import (
    MANIFEST,
    SWEEP,
    check_writable,
    run_lock,
    write_atomic,
    write_csv,
    write_json,
    write_netcdf,
)
from energy_model.sweep import dask_pool, records
from energy_model.sweep.dataset import column_units, sweep_dataset
from energy_model.sweep.design import Expansion, base_values, check_variants, expand, variant_id
from energy_model.sweep.indices import indices_dataset
from energy_model.sweep.pathways import check_pathway_variants, pathway_base_values
from energy_model.sweep.pools import LocalPool
from energy_model.sweep.progress import SweepProgress
from energy_model.sweep.sensitivity import sweep_indices
from energy_model.sweep.verify import FULL_HORIZON, merge_verified, select_verify, verify_changes


@dataclass(frozen=True)
class PreparedSweep:
    """A sweep file checked in full, ready to solve (:func:`prepare_sweep`).

    Attributes
    ----------
    spec : SweepSpec
    scenario : pathlib.Path
        The scenario file.
    file : str
        The sweep file's name, for messages.
    lines : mapping of str to int
        Line of each key of the sweep file.
    loaded : LoadedScenario
    base_case : Case
        The scenario's validated case.
    full : dict or None
        The change of the verification solves (None without ``verify``).
    full_case : Case or None
        ``base_case`` with ``full`` applied.
    at_base : dict of str to float
        ``mode: oat``: each parameter's value in the scenario (else empty).
    expansion : Expansion
    keyed : list of (str, dict)
        Each variant's id and changes, in expansion order.
    pathway : Pathway or None
        The scenario's pathway when it is a pathway file (``base_case`` is
        then its first period's case, for names and units); each variant is
        solved as a pathway (:mod:`energy_model.sweep.pathways`).
    """

    spec: SweepSpec
    scenario: Path
    file: str
    lines: Mapping[str, int]
    loaded: Any
    base_case: Case
    full: dict[str, Any] | None
    full_case: Case | None
    at_base: dict[str, float]
    expansion: Expansion
    keyed: list[tuple[str, dict[str, float]]]
    pathway: Pathway | None = None


def prepare_sweep(path: str | Path) -> PreparedSweep:
    """Check a sweep file and every variant's values against its scenario, without solving.

    Used by :func:`run_sweep` before anything is written, and by
    ``python run.py validate SWEEP.yaml``.

    Raises
    ------
    InputError
        The sweep file's problems (all together, see :func:`load_sweep`),
        the scenario's, or those of variant values the tables or the schema
        refuse.
    """
    from energy_model.inputs.load import load_case

    sweep = load_sweep(path)  # the sweep file and its scenario, each read and validated once
    spec, scenario, file, lines, loaded = sweep.spec, sweep.scenario, sweep.file, sweep.lines, sweep.loaded
    origin = Origin(file, "parameters.", lines)
    if sweep.pathway is not None:
        return _prepare_pathway(sweep, origin)
    base_case = load_case(loaded)
    full = verify_changes(spec, base_case, file, lines)  # verify on a scenario that is not aggregated: input error
    full_case = apply_changes(base_case, full, Origin(file, "verify: ", lines)) if full else None
    at_base = base_values(base_case, spec, origin) if spec.sampler().needs_base else {}
    expansion = expand(spec, at_base or None)
    # every variant's values pass the table and schema validators before any solve
    check_variants(base_case, expansion.changes, origin)
    keyed = [(variant_id(str(base_case.attrs["input_hash"]) + spec.case, ch, _tag(lab)), ch)
             for ch, lab in zip(expansion.changes, expansion.labels)]
    if isinstance(spec.verify, list):  # listed ids must be variants of this sweep
        select_verify(spec.verify, pd.DataFrame({"variant": [vid for vid, _ in keyed]}), file, lines)
    return PreparedSweep(spec, scenario, file, lines, loaded, base_case, full, full_case, at_base, expansion, keyed)


def _prepare_pathway(sweep: SweepFile, origin: Origin) -> PreparedSweep:
    """:func:`prepare_sweep` of a sweep whose scenario is a pathway file (``verify`` was refused by the loader)."""
    from energy_model.inputs.pathway_load import pathway_from_file

    assert sweep.pathway is not None
    spec = sweep.spec
    pathway = pathway_from_file(sweep.pathway)
    at_base = pathway_base_values(pathway, spec, origin) if spec.sampler().needs_base else {}
    expansion = expand(spec, at_base or None)
    check_pathway_variants(pathway, expansion.changes, origin)  # every variant, before any solve
    base_hash = str(pathway.attrs.get("input_hashes", "")) + "pathway" + spec.case
    keyed = [(variant_id(base_hash, ch, _tag(lab)), ch) for ch, lab in zip(expansion.changes, expansion.labels)]
    return PreparedSweep(spec, sweep.scenario, sweep.file, sweep.lines, sweep.loaded, pathway.cases[0], None, None,
                         at_base, expansion, keyed, pathway)


def run_sweep(path: str | Path, out: str | Path | None = None, *, workers: int | None = None,
              progress: Callable[[str], None] | None = None, scheduler: str | None = None,
              extra_rows: ExtraRows | None = None) -> pd.DataFrame:
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
    scheduler : str, optional
        Solve on a Dask cluster: ``local`` (a cluster of ``workers`` processes on
        127.0.0.1) or a scheduler address ``tcp://host:port``
        (:mod:`energy_model.sweep.dask_pool`). None: the local worker pool (:mod:`energy_model.sweep.pools`).
    extra_rows : callable, optional
        ``extra_rows(model, data)`` adds your own constraints to every model
        the sweep builds (:mod:`energy_model.engine.extra_rows`); named in the
        sweep's ``manifest.json``. On a Dask cluster it must be picklable.

    Returns
    -------
    pandas.DataFrame
        One row per variant (also written to ``sweep.csv``).

    Raises
    ------
    PartialSweepError
        When some variants failed (their rows carry status and message).
    """
    say = progress or (lambda _m: None)
    if workers is not None:
        check_workers(workers, "run_sweep", "workers")
    prep = prepare_sweep(path)
    spec, scenario, file, lines, loaded, base_case = (prep.spec, prep.scenario, prep.file, prep.lines, prep.loaded,
                                                      prep.base_case)
    base, full, full_case, at_base, expansion, keyed = (base_case.attrs, prep.full, prep.full_case, prep.at_base,
                                                        prep.expansion, prep.keyed)
    requested = workers or spec.workers
    pool: LocalPool | dask_pool.DaskPool
    if scheduler is not None and prep.pathway is not None:
        raise InputError(InputIssue(file, "", "a pathway sweep runs on the local worker pool (each variant is a "
                                              "whole pathway, solved in one worker); run it without --scheduler",
                                    value=scheduler))
    if scheduler is not None and spec.keep is not None:
        raise InputError(InputIssue(file, "keep", "keep: results runs on the local worker pool (each variant's "
                                                  "results are written where it is solved); run the sweep without "
                                                  "--scheduler or leave keep out", value=scheduler,
                                    line=lines.get("keep")))
    if scheduler is not None:  # reached before anything is written: a bad address or other versions write nothing
        dask_pool.check_shippable(extra_rows, scheduler)
        if scheduler == dask_pool.LOCAL:  # never more processes on this machine than variants or memory allow
            requested, note = local_workers(requested, len(keyed), len(base_case.time))
            if note:
                say(note)
        pool = dask_pool.DaskPool(scheduler, requested, say)
    else:
        pool = LocalPool(requested, say)
    scenario_name = loaded.scenario.name if prep.pathway is None else str(prep.pathway.attrs["scenario"])
    input_hash = str(base["input_hash"]) if prep.pathway is None else str(prep.pathway.attrs["input_hashes"])
    out_dir = results_dir(scenario, out)
    check_writable(out_dir)
    folder = out_dir / spec.name
    quiet = progress is None or bool(getattr(progress, "quiet", False))

    def solve(todo: list[tuple[str, dict[str, float]]], vdir: Path, label: str, case: Case | Pathway,
              keep: bool = False) -> None:
        """Solve ``todo`` on models built from ``case`` into ``vdir`` (on the pool), reporting progress.

        ``keep``: each solved variant's Results are kept beside its record (``keep: results``).
        """
        if not todo:
            return
        tracker = SweepProgress(len(todo), say, label, live=False if quiet else None)
        try:
            pool.solve(case, spec.case, todo, vdir,
                       on_done=lambda vid: tracker.variant_done(records.status_of(vdir, vid) == records.OPTIMAL),
                       extra_rows=extra_rows, keep=keep)
        finally:
            tracker.close()

    with pool, run_lock(out_dir, spec.name, SWEEP):  # refuses a folder at that name that is not a sweep of this tool
        vdir = records.prepare_folder(folder, spec.name, len(keyed))
        kept = records.kept_endings(spec.case) if spec.keep is not None else ()
        committed = records.committed(vdir, kept)  # with keep: a solved variant without its results is solved again
        todo = list(dict((vid, ch) for vid, ch in keyed if vid not in committed).items())  # a repeated point once
        say(f"sweep '{spec.name}': {len(keyed)} variants, {len(keyed) - len(todo)} already done")
        solve(todo, vdir, spec.name, prep.pathway or base_case, keep=bool(kept))
        rows = [json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")) for vid, _ in keyed]
        table = records.gather(rows, expansion.labels)
        failed_ids = {str(r["variant"]): r.get("message", "") for r in rows if r["status"] != records.OPTIMAL}
        if full is not None:
            chosen = select_verify(spec.verify, table, file, lines)
            ddir = records.records_folder(folder / "verify")
            done_before = records.committed(ddir)
            again = [keyed[i] for i in chosen if keyed[i][0] not in done_before]
            say(f"verify: {len(chosen)} variants on the full horizon ({FULL_HORIZON}), "
                f"{len(chosen) - len(again)} already done")
            solve(again, ddir, "verify", full_case or base_case)
            verified = {i: json.loads((ddir / f"{keyed[i][0]}.json").read_text(encoding="utf-8")) for i in chosen}
            table = merge_verified(table, chosen, verified, _fuel_mwh_per_unit(base_case))
            failed_ids.update({f"verify {keyed[i][0]}": r.get("message", "") for i, r in verified.items()
                               if r["status"] != records.OPTIMAL})
        flat = table.set_index("variant")
        write_atomic(folder / "sweep.csv", lambda p: write_csv(flat, p), after=records.after_failed_sweep_file("sweep.csv"))
        cases = prep.pathway.cases if prep.pathway is not None else (base_case,)
        target_kinds = {k: t.kind for c in cases for k, t in c.targets.items()}
        periods = list(prep.pathway.periods) if prep.pathway is not None else None
        units = column_units(list(table.columns), target_kinds, periods)
        sens = sweep_indices(table, spec.mode, spec.dimensions(), spec.bounds(), target_kinds, seed=spec.seed,
                             levels=spec.levels)
        if sens.message():
            say(sens.message())
        (folder / records.SENSITIVITY_CSV).unlink(missing_ok=True)  # never an earlier sweep's indices beside this table
        if sens.indices is not None:
            indices = sens.indices
            write_atomic(folder / records.SENSITIVITY_CSV, lambda p: write_csv(indices, p, index=False),
                         after=f"{records.SENSITIVITY_CSV} was not written; {records.after_failed_sweep_file('sweep.nc')}")
        fuel_units = {str(f): str(u) for f, u in base_case.fuels["unit"].items()} if "unit" in base_case.fuels else {}
        ds = sweep_dataset(table, spec, expansion, {"sweep": spec.name, "scenario": scenario_name,
                                                    "input_hash": input_hash}, target_kinds, fuel_units, periods)
        if sens.indices is not None:
            ds = ds.merge(indices_dataset(sens.indices, units))
        write_atomic(folder / "sweep.nc", lambda p: write_netcdf(ds, p), after=records.after_failed_sweep_file("sweep.nc"))
        status = "partial" if failed_ids else "complete"
        doc = records.manifest(spec.name, status, len(keyed), failed_ids, scenario=scenario_name,
                               input_hash=input_hash, extra_rows=describe_extra_rows(extra_rows),
                               keep=spec.keep, kept_files=[f"variants/<variant>{e}" for e in kept])
        write_atomic(folder / MANIFEST, lambda p: write_json(doc, p), after=records.after_failed_sweep_file(MANIFEST))
        _write_report(flat, {"name": spec.name, "scenario": scenario_name, "mode": spec.mode, "periods": periods,
                             "parameters": list(spec.parameters), "base": at_base,
                             "units": units, "sensitivity": sens.indices, "sensitivity_failed": sens.failed,
                             "levels": spec.levels,
                             "target_kinds": target_kinds, "dimensions": spec.dimensions(),
                             "tech_names": _tech_names(base_case), "fuel_names": _fuel_names(base_case),
                             "target_labels": {k: {"en": t.label or "", "zh": t.label_zh or ""}
                                               for k, t in base_case.targets.items()}},
                      folder / "sweep.html", say, records.after_failed_sweep_file("sweep.html", status))
    table = flat
    if failed_ids:
        raise PartialSweepError(f"{len(failed_ids)} of {len(table)} variants failed"
                                f"{' (verification solves included)' if full is not None else ''}; "
                                f"see {folder / 'sweep.csv'}")
    table.attrs["folder"] = str(folder)  # printed by the command line after the table
    return table


def _tag(labels: Mapping[str, Any]) -> str:
    """What besides its changes makes a variant distinct (an oat side whose value equals the base)."""
    return f"oat:{labels['oat_parameter']}:{labels['oat_side']}" if "oat_side" in labels else ""



def _tech_names(case: Case) -> dict[str, dict[str, str]]:
    """Technology id -> {"en": name, "zh": name_zh} from the technologies table (ids where a name is empty)."""
    out = {}
    for g, row in case.technologies.iterrows():
        en = row.get("name")
        zh = row.get("name_zh")
        out[str(g)] = {"en": str(en) if isinstance(en, str) and en else str(g),
                       "zh": str(zh) if isinstance(zh, str) and zh else str(g)}
    return out


def _fuel_mwh_per_unit(case: Case) -> dict[str, float]:
    """Fuel id -> energy of one trading unit [MWh_th/unit] (empty without the column)."""
    if "energy_mwh_per_unit" not in case.fuels:
        return {}
    return {str(f): float(v) for f, v in case.fuels["energy_mwh_per_unit"].items()}


def _fuel_names(case: Case) -> dict[str, dict[str, str]]:
    """Fuel id -> {"en": name, "zh": name_zh} from the fuels table (ids where a name is empty)."""
    out = {}
    for f, row in case.fuels.iterrows():
        en, zh = row.get("fuel_name", row.get("name")), row.get("fuel_name_zh", row.get("name_zh"))
        out[str(f)] = {"en": str(en) if isinstance(en, str) and en else str(f),
                       "zh": str(zh) if isinstance(zh, str) and zh else str(f)}
    return out


def _write_report(table: pd.DataFrame, meta: dict[str, Any], path: Path, say: Callable[[str], None],
                  after: str = records.AFTER_FAILED_WRITE) -> None:
    """``sweep.html`` by :func:`energy_model.output.sweep_report.write_sweep_report`, when that module is there.

    Written after the table, sweep.nc and the manifest. A failed write
    (disk full) is an OutputError like every other; a bug in the report is
    not allowed to cost the sweep its results or exit code: it is warned
    about (``say`` and :mod:`warnings`) with the error, and the page is
    missing. ``after`` is what a failed write leaves behind, for its message.
    """
    try:
        from energy_model.output.sweep_report import write_sweep_report
    except ImportError:
        return
    try:
        write_sweep_report(table, meta, path, after=after)
    except EnergyModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug in the page must not hide the sweep's results
        text = (f"sweep.html was not written (a bug in the sweep report: {type(exc).__name__}: {exc}); "
                "sweep.csv and sweep.nc are complete")
        say(text)
        warnings.warn(text, RuntimeWarning, stacklevel=2)
