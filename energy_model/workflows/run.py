"""Run one scenario end to end: inputs -> model -> target test -> checks -> files.

The only orchestrator: it calls the stages in order and owns no logic of its
own beyond choosing what to write. A run folder is published only when
every solve that it reports ended in a proven optimum that passed the checks.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import __version__
from energy_model import vocabulary as n
from energy_model.analysis.aggregation_check import annual_progress, compare_to_full
from energy_model.analysis.metrics import fuel_table, summary, technology_table
from energy_model.analysis.target_test import TargetTest, run_target_test
from energy_model.engine.extra_rows import ExtraRows
from energy_model.engine.extra_rows import describe as describe_extra_rows
from energy_model.engine.highs import SIMPLEX_MAX_HOURS
from energy_model.engine.study import Study, model_size
from energy_model.inputs.load import load_case
from energy_model.io.case import Case
from energy_model.io.changes import apply_changes
from energy_model.io.paths import results_dir
from energy_model.io.scenario_file import LoadedScenario, load_scenario
from energy_model.output.i18n import Lang, Names
from energy_model.output.run_folder import (
    analyses_to_carry,
    carried_message,
    check_writable,
    publish,
    run_lock,
    write_csv,
    write_json,
    write_netcdf,
)
from energy_model.output.target_notes import note_texts
from energy_model.output.verdicts import binding_sentences

if TYPE_CHECKING:  # imported lazily at run time (its charts pull in matplotlib)
    from energy_model.output.jobs import ChartJobs, OutputJobs

Progress = Callable[[str], None]


@dataclass
class RunOutcome:
    """What a run produced: the target test, headline numbers and where files went."""

    scenario: str
    title: str
    test: TargetTest
    summary: dict[str, Any]
    folder: Path | None
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        """One line: scenario, the target test's status, where the files went."""
        return f"<RunOutcome {self.scenario}: {self.test.status}; folder {self.folder}; .test, .summary>"


def versions() -> dict[str, str]:
    """Versions of the packages that shape the numbers, as installed, and of the HiGHS library that ran.

    A package's version comes from its installed metadata (highspy has no
    ``__version__``), else its ``__version__``; ``highs`` is what the
    ``Highs`` object reports.
    """
    out = {"energy_model": __version__, "python": platform.python_version()}
    for mod in ("pyomo", "highspy", "pandas", "xarray", "numpy", "pvlib", "windpowerlib"):
        try:
            out[mod] = importlib.metadata.version(mod)
        except importlib.metadata.PackageNotFoundError:
            out[mod] = str(getattr(__import__(mod), "__version__", "unknown")) if _importable(mod) else "unknown"
    try:
        import highspy

        out["highs"] = highspy.Highs().version()
    except Exception:  # noqa: BLE001 - a version string is informational
        out["highs"] = "unknown"
    return out


def _importable(mod: str) -> bool:
    try:
        __import__(mod)
    except Exception:  # noqa: BLE001 - a version string is informational
        return False
    return True


def run_timings(t_inputs: float, study: Study, wall: float) -> dict[str, Any]:
    """Each phase of a run once [s]: wall time, except ``solve_s``, summed over the solves.

    ``solve_s`` adds each solve's own seconds; when solves ran in parallel
    processes (``parallel_solves`` > 0) that sum is more than the time that
    passed, which is ``solve_wall_s``. ``wall_s`` is the run's elapsed time up
    to writing the files (``write_s`` and ``total_s`` are added after).
    """
    t = study.timings
    return {"inputs_s": t_inputs, "build_s": t.build, "update_s": t.update, "compile_s": t.compile,
            "compiles": t.compiles, "solve_s": t.solve, "solve_wall_s": t.solve_wall, "solves": t.solves,
            "parallel_solves": t.parallel_solves, "extract_s": t.extract, "check_s": t.check, "wall_s": wall}


def hourly_table(results: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """Hourly electricity and heat, one row per hour, laid out for spreadsheets.

    Electricity first: ``demand_mw``, then every supply column (generators and
    imports, storage discharge, storage charging and exports **negative**,
    unserved energy) so that the columns from the first technology to
    ``unserved_mw`` sum to ``demand_mw`` every hour. Heat apart: heat demand,
    heat output of CHP units and boilers, unserved heat [MW_th]. Then the
    hourly marginal prices of electricity [CNY/MWh] and heat [CNY/MWh_th].
    An aggregated run has one row per step (its first hour as the time) and
    two more columns: the step's duration [h] and the hours per year it
    stands for [h/yr], so that ``sum(column * weight)`` is an annual total.
    """
    kind = inputs["kind"].values.astype(str)
    techs = inputs[n.TECH].values.astype(str)
    disp = results["dispatch_mw"].values
    cols: dict[str, Any] = {"demand_mw": inputs["demand_mw"].values}
    for i in np.flatnonzero(np.isin(kind, n.ELECTRIC_SUPPLY_KINDS)):
        cols[f"{techs[i]}_mw"] = disp[i]
    for i in np.flatnonzero(kind == n.STORAGE):
        cols[f"{techs[i]}_discharge_mw"] = np.nan_to_num(results["storage_discharge_mw"].values[i])
        cols[f"{techs[i]}_charge_mw"] = -np.nan_to_num(results["storage_charge_mw"].values[i])
    for i in np.flatnonzero(kind == n.EXPORT):
        cols[f"{techs[i]}_mw"] = -disp[i]
    cols["unserved_mw"] = results["unserved_mw"].values
    cols["heat_demand_mw_th"] = inputs["heat_demand_mw"].values
    heat = results["heat_output_mw"].values
    for i in np.flatnonzero(np.isin(kind, (n.CHP, n.BOILER))):
        cols[f"{techs[i]}_heat_mw_th"] = np.nan_to_num(heat[i])
    cols["unserved_heat_mw_th"] = results["unserved_heat_mw"].values
    cols["price_cny_per_mwh"] = results["price_cny_per_mwh"].values
    cols["heat_price_cny_per_mwh"] = results["heat_price_cny_per_mwh"].values
    if str(inputs.attrs.get("aggregation_method", "none")) != "none":
        cols["step_hours"] = inputs["step_hours"].values
        cols["weight_h_per_yr"] = inputs["time_weight"].values
    frame = pd.DataFrame(cols, index=pd.DatetimeIndex(inputs[n.TIME].values, name="time_cst"))
    return frame


#: Fixed decimals of hourly.csv: 1 kW / 1 kWh everywhere, so the supply columns still sum to demand.
HOURLY_DECIMALS = 3


def run_scenario(
    scenario: str | Path | LoadedScenario,
    out: str | Path | None = None,
    *,
    progress: Progress | None = None,
    write: bool = True,
    each_target: bool | None = None,
    check_full: bool = False,
    extra_rows: ExtraRows | None = None,
) -> RunOutcome:
    """Run a scenario's target test and publish its results.

    Parameters
    ----------
    scenario : str, pathlib.Path or LoadedScenario
        Scenario file.
    out : str or pathlib.Path, optional
        Parent folder of run folders (default ``results/`` next to ``scenarios/``).
    progress : callable, optional
        Receives one line of text per stage.
    write : bool
        Publish files (False for API use that only wants the Datasets).
    each_target : bool, optional
        Cost each unmet target alone too (see :func:`energy_model.analysis.target_test.run_target_test`).
    check_full : bool
        For an aggregated scenario, solve the same case on the full horizon
        too and report the aggregation's errors (``summary.json``
        ``aggregation.check_full``, the report); the published answer stays
        the aggregated one.
    extra_rows : callable, optional
        ``extra_rows(model, data)`` adds your own constraints to every model built
        (:mod:`energy_model.engine.extra_rows`); named in ``manifest.json`` and ``summary.json``.

    Returns
    -------
    RunOutcome

    Raises
    ------
    energy_model.errors.EnergyModelError
        Input errors before any solve; solver failures (infeasible with a
        diagnosis, limits, numerical trouble); output errors.

    Examples
    --------
    >>> outcome = run_scenario("scenarios/example_day.yaml", write=False)  # write=True publishes a run folder
    >>> outcome
    <RunOutcome example_day: met_with_enforcement; folder None; .test, .summary>
    >>> outcome.summary["extra_rows"] is None  # the plain model (no extra_rows= hook)
    True
    """
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    scen = loaded.scenario
    out_dir = results_dir(loaded.path, out)
    say(f"scenario '{scen.name}': reading inputs, weather and profiles")
    case = load_case(loaded)
    t_inputs = time.perf_counter() - t0
    if write:
        check_writable(out_dir)
    lock = run_lock(out_dir, scen.name, replace=True) if write else None
    if lock is not None:
        lock.__enter__()
    started: list[ChartJobs] = []  # the charts, drawn while the targets are solved alone and files are written
    try:
        method = case.aggregation.method
        span = f"{case.hours:,} hours" if method == "none" else f"{case.hours:,} hours aggregated by {method}"
        say(f"building the LP ({span}, {len(case.technologies)} technologies)")
        study = Study(case, extra_rows)
        if method != "none":  # the LP's steps, not the hours they stand for
            say(f"LP built over {study.inputs.sizes['time']:,} steps standing for {case.hours:,} hours")
        inputs = study.inputs
        size = model_size(study.model)

        # short horizons solve here, with no forked process before the chart pool: while HiGHS solves the
        # reference and enforced cases, the chart and workbook modules are imported on the other core
        preloads: list[threading.Thread] = []

        def preload() -> None:
            if write and study.model.lp_data.hours <= SIMPLEX_MAX_HOURS and not preloads:
                preloads.append(_preload_output_modules())

        def start_charts(reference: xr.Dataset, enforced: xr.Dataset) -> None:
            for thread in preloads:
                thread.join()
            from energy_model.output.jobs import ChartJobs

            started.append(ChartJobs(enforced, reference, study.inputs))

        test = run_target_test(study, say, each_alone=each_target, on_solved=start_charts if write else None,
                               while_solving=preload)
        for thread in preloads:
            thread.join()  # before anything later forks (--check-full)
        result = test.enforced
        assert result is not None
        info = summary(result, study.inputs)
        timings = run_timings(t_inputs, study, time.perf_counter() - t0)
        manifest = {
            "scenario": scen.name,
            "title": scen.title,
            "title_zh": scen.title_zh,
            "status": "optimal",
            "target_status": test.status,
            "input_hash": inputs.attrs["input_hash"],
            # the years the inputs stand for (None: the base values of the input tables)
            "cost_year": _attr(inputs, "cost_year"),
            "build_year": _attr(inputs, "build_year"),
            "build_options": [o for o in str(inputs.attrs.get("build_options", "")).split(",") if o],
            "objective_cny_per_yr": result.attrs["objective_cny_per_yr"],
            "versions": versions(),
            "solves": study.timings.log,
            "model_size": size,
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "extra_rows": describe_extra_rows(extra_rows),  # None: the plain model
        }
        doc = {
            "scenario": scen.name,
            "title": scen.title,
            "title_zh": scen.title_zh,
            "description": scen.description,
            "description_zh": scen.description_zh,
            "target_status": test.status,
            "targets": test.table.to_dict(orient="records"),
            "cost_alone_estimate": test.table.attrs.get("cost_alone_estimate"),
            "binding_limits": binding_sentences(result, inputs, Names(inputs), Lang("en"), test.binding),
            # the pre-check's findings, then the notes in English (words: output.target_notes); the notes' facts
            "messages": test.messages + note_texts(test.notes, Lang("en"), info["consumption_mwh_per_yr"]),
            "notes": test.notes,
            "enforced": info,
            "reference": summary(test.reference, study.inputs),
            "timings_s": timings,
            "input_hash": inputs.attrs["input_hash"],
            "versions": manifest["versions"],
            "aggregation": aggregation_section(case, inputs),
            "extra_rows": manifest["extra_rows"],
        }
        if check_full:
            doc["aggregation"]["check_full"] = _check_full(case, test, inputs, say, each_target, extra_rows)
            timings["check_full_s"] = doc["aggregation"]["check_full"]["seconds"] if doc["aggregation"].get(
                "check_full") else 0.0
        timings["wall_s"] = time.perf_counter() - t0
        manifest["timings_s"] = dict(timings)
        provenance = {f"version_{k}": v for k, v in manifest["versions"].items()}
        provenance["scenario_document"] = json.dumps(loaded.raw, sort_keys=True, default=str)
        for ds in (result, test.reference):
            ds.attrs.update(provenance)
        study.inputs.attrs.update(provenance)
        folder = None
        notes = []
        t_write = time.perf_counter()
        if write:
            say(f"writing results to {out_dir / scen.name}")
            carry = analyses_to_carry(out_dir / scen.name, manifest["input_hash"])
            shown = [f for f, meta in carry.items() if not meta.get("note")]
            writers, jobs = _writers(test, study.inputs, doc, loaded, shown, started[0] if started else None)
            try:
                folder = publish(out_dir, scen.name, writers, manifest, carry=carry)
            finally:
                jobs.close()  # a writer that failed must not leave the drawing processes running
            notes = [text for text in [carried_message(folder, carry)] if text]
        timings["write_s"] = time.perf_counter() - t_write
        timings["total_s"] = time.perf_counter() - t0
        return RunOutcome(scen.name, scen.title, test, doc, folder, timings, notes)
    finally:
        for charts in started:  # a run that failed must not leave the drawing processes running
            charts.close()
        if lock is not None:
            lock.__exit__(None, None, None)


def aggregation_section(case: Case, inputs: xr.Dataset) -> dict[str, Any]:
    """The ``aggregation`` section of summary.json: how the horizon was represented."""
    a = inputs.attrs
    out: dict[str, Any] = {"method": str(a.get("aggregation_method", "none")),
                           "horizon_hours": int(a.get("horizon_hours", case.hours)),
                           "steps": int(inputs.sizes["time"])}
    if out["method"] != "none":
        out |= {"periods": int(a["aggregation_periods"]), "extremes": str(a.get("aggregation_extremes", "")),
                "link_storage": bool(a.get("aggregation_link_storage", 0))}
    return out


def _check_full(case: Case, test: TargetTest, inputs: xr.Dataset, say: Progress,
                each_target: bool | None, extra_rows: ExtraRows | None = None) -> dict[str, Any] | None:
    """Solve the same case on the full horizon and compare (None when the case is not aggregated)."""
    if case.aggregation.method == "none":
        say("--check-full: this scenario is not aggregated; there is nothing to check")
        return None
    t0 = time.perf_counter()
    say(f"--check-full: solving the same case on the full {case.hours:,}-hour horizon")
    full_study = Study(apply_changes(case, {"aggregation.method": "none"}), extra_rows)
    full = run_target_test(full_study, say, each_alone=each_target)
    assert full.enforced is not None and test.enforced is not None
    out = compare_to_full(test.enforced, inputs, full.enforced, full_study.inputs)
    out["reference"] = compare_to_full(test.reference, inputs, full.reference, full_study.inputs)
    out["full_target_status"] = full.status
    out["seconds"] = time.perf_counter() - t0
    obj = out["objective"]["relative_error"]
    cap = out["max_capacity_error"]
    say(f"--check-full: objective {obj:+.2%}, largest capacity error {cap['relative_error']:+.1%} "
        f"({cap['technology'] or 'no technology differs'}), new-energy share {out['new_energy_share']['aggregated']:.1%} aggregated vs "
        f"{out['new_energy_share']['full']:.1%} full; {annual_progress(out)}")
    return out


def _preload_output_modules() -> threading.Thread:
    """Import the chart and workbook modules (matplotlib, openpyxl: about 0.7 s) in a thread, and return it.

    While HiGHS solves, the interpreter waits on the solver's thread and
    releases the GIL, so on a machine with a second core these imports are
    done by the time the charts start (which joins the thread first) instead
    of delaying them. Only for runs that fork no process before the chart
    pool (a fork while a thread holds an import lock could deadlock the child).
    An import error is left to the import where the charts start, which raises it.
    """

    def work() -> None:
        try:
            import energy_model.output.jobs  # noqa: F401
        except Exception:  # noqa: BLE001 - raised again, with its message, where the charts start
            pass

    thread = threading.Thread(target=work, name="import-output-modules", daemon=True)
    thread.start()
    return thread


def _writers(test: TargetTest, inputs: xr.Dataset, doc: dict[str, Any], loaded: LoadedScenario | None = None,
             analyses: list[str] | None = None, charts: ChartJobs | None = None
             ) -> tuple[dict[str, Callable[[Path], None]], OutputJobs]:
    """The files of a run folder, each with the function that writes it (in publishing order), and the
    background jobs drawing the charts and the workbook (to be closed whether or not publishing succeeds).

    ``analyses`` names the frontier and break-even files carried over from the
    folder being replaced (made from the same inputs) that the report shows;
    they are in the staging folder before the report is written. ``charts``: the
    charts if already started (:func:`run_scenario` starts them after the
    reference and enforced solves).
    """
    from energy_model.output.assumptions import assumptions_table, read_sources
    from energy_model.output.jobs import OutputJobs
    from energy_model.output.report import render_report

    res = test.enforced
    assert res is not None
    hourly = hourly_table(res, inputs)
    sources = None
    solver: dict[str, Any] = {}
    if loaded is not None:
        sources = (loaded.path.parent / loaded.scenario.inputs_dir).resolve() / "sources.csv"
        solver = loaded.scenario.solver.model_dump()
    assumptions = assumptions_table(inputs, res, read_sources(sources), solver)
    exact = {c: 9 for c in ("level", "reference_value", "value", "shortfall")}  # shares next to MW: 9 decimals
    jobs = OutputJobs(doc, res, test.reference, inputs, assumptions, hourly, charts)  # the workbook starts now
    return {
        "results.nc": lambda p: write_netcdf(res, p),
        "reference.nc": lambda p: write_netcdf(test.reference, p),
        "inputs.nc": lambda p: write_netcdf(inputs, p),
        "summary.json": lambda p: write_json(doc, p),
        "technologies.csv": lambda p: write_csv(technology_table(res, inputs), p),
        "targets.csv": lambda p: write_csv(test.table, p, index=False, decimals=exact),
        "fuels.csv": lambda p: write_csv(fuel_table(res, inputs), p),
        "hourly.csv": lambda p: write_csv(hourly, p, decimals={c: HOURLY_DECIMALS for c in hourly.columns
                                                               if c.endswith(("_mw", "_mw_th"))}),
        "assumptions.csv": lambda p: write_csv(assumptions, p, index=False),
        "results.xlsx": jobs.write_workbook,
        "report.html": lambda p: p.write_text(render_report(doc, res, inputs, reference=test.reference,
                                                            assumptions=assumptions, charts=jobs.charts(),
                                                            **_shown_analyses(p.parent, inputs, analyses or [])),
                                              encoding="utf-8"),
    }, jobs


def _shown_analyses(folder: Path, inputs: xr.Dataset, names: list[str]) -> dict[str, Any]:
    """The frontiers and break-evens among ``names`` in ``folder``, as keyword arguments of the report."""
    if not names:
        return {}
    from energy_model.output.analyses import read_analyses

    frontiers, breakevens = read_analyses(folder, inputs)
    return {"frontiers": [f for f in frontiers if f.file in names],
            "breakevens": [b for b in breakevens if b.file in names]}


def _attr(inputs: xr.Dataset, name: str) -> int | None:
    """An integer attribute of the inputs (a cost or build year) as a plain int, None when absent."""
    value = inputs.attrs.get(name)
    return None if value is None else int(value)


__all__ = ["RunOutcome", "run_scenario", "hourly_table", "versions", "HOURLY_DECIMALS"]
