"""Run a frontier or a break-even from a scenario file and add its file to the scenario's run folder.

Thin orchestration: :mod:`energy_model.analysis` computes the table or the
answer, :mod:`energy_model.output.run_folder` adds the file atomically and the
report is rendered again so it shows every analysis present.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from energy_model.analysis.breakeven import breakeven
from energy_model.analysis.frontier import frontier, frontier_sentence
from energy_model.engine.extra_rows import ExtraRows
from energy_model.engine.extra_rows import describe as describe_extra_rows
from energy_model.engine.study import Study
from energy_model.inputs.load import load_case
from energy_model.io.paths import results_dir
from energy_model.io.scenario_file import LoadedScenario, load_scenario
from energy_model.output.analyses import breakeven_filename, frontier_filename
from energy_model.output.run_folder import add_to_run_folder, check_writable, write_csv, write_json

Progress = Callable[[str], None]
Writer = Callable[[Path], None]

__all__ = ["AnalysisOutcome", "open_study", "run_frontier", "run_breakeven"]


@dataclass
class AnalysisOutcome:
    """A frontier table or break-even result, with the file written (None if not written).

    Examples
    --------
    >>> outcome = run_frontier("scenarios/example_day.yaml", "new_energy_share", steps=2, write=False)
    >>> outcome
    <AnalysisOutcome example_day: table of 3 rows; written to None; .sentence, .result>
    """

    scenario: str
    result: pd.DataFrame | dict[str, Any]
    sentence: str
    path: Path | None
    note: str = ""

    def __repr__(self) -> str:
        """One line: scenario, the size of the result, where it was written."""
        what = (f"table of {len(self.result)} rows" if isinstance(self.result, pd.DataFrame)
                else f"status {self.result.get('status')!r}")
        return f"<AnalysisOutcome {self.scenario}: {what}; written to {self.path}; .sentence, .result>"


def _loaded(scenario: str | Path | LoadedScenario) -> LoadedScenario:
    return scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)


def open_study(scenario: str | Path | LoadedScenario, *, extra_rows: ExtraRows | None = None) -> Study:
    """Load a scenario, build its inputs and its LP once (ready for re-solves).

    Parameters
    ----------
    scenario : str, pathlib.Path or LoadedScenario
        A scenario file (or one already loaded).
    extra_rows : callable, optional
        ``extra_rows(model, data)`` adds your own Pyomo constraints to every model the
        study builds, rebuilds or updates (:mod:`energy_model.engine.extra_rows`; LP units:
        GW, GWh, million CNY, kt).

    Returns
    -------
    Study

    Examples
    --------
    >>> import pyomo.environ as pyo
    >>> study = open_study("scenarios/example_day.yaml")
    >>> plain = study.solve().attrs["objective_cny_per_yr"]
    >>> def no_new_biomass(model, data):
    ...     model.no_new_biomass = pyo.Constraint(expr=model.build["biomass"] <= 0)
    >>> capped = open_study("scenarios/example_day.yaml", extra_rows=no_new_biomass)
    >>> capped  # doctest: +ELLIPSIS
    <Study example_day.yaml: 24 steps, 14 technologies, 4 targets; 0 changes, 0 solves; extra_rows=no_new_biomass>
    >>> capped.solve().attrs["objective_cny_per_yr"] >= plain
    True
    """
    loaded = _loaded(scenario)
    return Study(load_case(loaded), extra_rows)


def _report_refresh(folder: Path) -> dict[str, Writer]:
    """The run folder's report, rendered again from its files (with every analysis now in it)."""
    from energy_model.output.report import render_report_from_folder

    return {"report.html": lambda p: p.write_text(render_report_from_folder(folder), encoding="utf-8")}


def _meta(study: Study, command: str, **extra: Any) -> dict[str, Any]:
    return {"command": command, "input_hash": study.inputs.attrs.get("input_hash"), "solves": study.timings.solves,
            "solve_s": round(study.timings.solve, 3), "compile_s": round(study.timings.compile, 3),
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "extra_rows": describe_extra_rows(study.extra_rows)} | extra


def _out_dir(loaded: LoadedScenario, out: str | Path | None) -> Path:
    return results_dir(loaded.path, out)


def run_frontier(scenario: str | Path | LoadedScenario, target: str, *, levels: Sequence[float] | None = None,
                 steps: int = 4, others: str = "scenario", out: str | Path | None = None, write: bool = True,
                 progress: Progress | None = None, extra_rows: ExtraRows | None = None) -> AnalysisOutcome:
    """Frontier of one target for a scenario file; adds ``frontier_<target>.csv`` to its run folder.

    Parameters are those of :func:`energy_model.analysis.frontier.frontier`; ``out`` is
    the parent of run folders (default ``results/`` next to ``scenarios/``); ``write=False``
    writes nothing; ``extra_rows`` as in :func:`open_study`.

    Returns
    -------
    AnalysisOutcome
        ``result`` is the frontier table, ``sentence`` its plain sentence.

    Examples
    --------
    >>> outcome = run_frontier("scenarios/example_day.yaml", "new_energy_share", steps=2, write=False)
    >>> len(outcome.result), outcome.path
    (3, None)
    >>> outcome.sentence  # doctest: +ELLIPSIS
    'From 24.7% to 42.2%, each extra point of new-energy share costs ...'
    """
    loaded = _loaded(scenario)
    out_dir = _out_dir(loaded, out)
    if write:
        check_writable(out_dir)
    study = open_study(loaded, extra_rows=extra_rows)
    table = frontier(study, target, levels, steps, others=others, progress=progress)
    sentence = frontier_sentence(table)
    path, note = None, ""
    if write:
        meta = _meta(study, "frontier", target=target, others=others, sentence=sentence)
        fname = frontier_filename(target)
        folder, note = add_to_run_folder(out_dir, loaded.scenario.name,
                                         {fname: lambda p: write_csv(table, p, index=False)}, meta,
                                         refresh=_report_refresh(out_dir / loaded.scenario.name))
        path = folder / fname
    return AnalysisOutcome(loaded.scenario.name, table, sentence, path, note)


def run_breakeven(scenario: str | Path | LoadedScenario, param: str, target: str, *, lo: float | None = None,
                  hi: float | None = None, tol: float | None = None, out: str | Path | None = None,
                  write: bool = True, progress: Progress | None = None,
                  extra_rows: ExtraRows | None = None) -> AnalysisOutcome:
    """Break-even of a cost parameter for one target; adds ``breakeven_<parameter>_<target>.json`` to the run folder.

    Parameters are those of :func:`energy_model.analysis.breakeven.breakeven`; ``out``,
    ``write`` and ``extra_rows`` as in :func:`run_frontier`.

    Returns
    -------
    AnalysisOutcome
        ``result`` is the break-even dict, ``sentence`` its plain sentence.

    Examples
    --------
    >>> outcome = run_breakeven("scenarios/example_day.yaml", "technologies.offshore_wind.capex_cny_per_kw",
    ...                         "wind_capacity", write=False)
    >>> outcome.result["status"]  # the target binds over the whole default bracket
    'no_sign_change'
    """
    loaded = _loaded(scenario)
    out_dir = _out_dir(loaded, out)
    if write:
        check_writable(out_dir)
    study = open_study(loaded, extra_rows=extra_rows)
    found = breakeven(study, param, target, lo, hi, tol, progress=progress)
    path, note = None, ""
    if write:
        meta = _meta(study, "breakeven", parameter=param, target=target, status=found["status"])
        doc = found | {"scenario": loaded.scenario.name, "input_hash": meta["input_hash"]}
        fname = breakeven_filename(param, target)
        folder, note = add_to_run_folder(out_dir, loaded.scenario.name, {fname: lambda p: write_json(doc, p)}, meta,
                                         refresh=_report_refresh(out_dir / loaded.scenario.name))
        path = folder / fname
    return AnalysisOutcome(loaded.scenario.name, found, found["sentence"], path, note)
