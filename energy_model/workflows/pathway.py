"""Run a pathway end to end: read it, solve it with and without its targets, publish one run folder.

Thin orchestration, no rules: the pathway is read by
:func:`energy_model.inputs.pathway_load.load_pathway`, solved by
:func:`energy_model.engine.pathway.solve_pathway` (perfect or myopic
foresight), its targets' cost is the difference with the same pathway whose
targets are only reported (the plain run's reference case, period by
period), and every file goes through :func:`energy_model.output.run_folder.publish`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.engine.extra_rows import ExtraRows
from energy_model.engine.extra_rows import describe as describe_extra_rows
from energy_model.engine.pathway import PathwayResult, solve_pathway
from energy_model.inputs.pathway_load import load_pathway, without_targets
from energy_model.io.paths import results_dir
from energy_model.io.pathway_spec import Pathway
from energy_model.io.published import read_published
from energy_model.output.pathway_doc import PathwayFigures, pathway_summary
from energy_model.output.run_folder import check_writable, publish, run_lock
from energy_model.output.writers import write_csv, write_json, write_netcdf
from energy_model.workflows.pathway_check import check_period
from energy_model.workflows.run import versions

Progress = Callable[[str], None]
#: The published figures a pathway is held against, in the inputs folder.
PUBLISHED = "published_fleet.csv"


@dataclass
class PathwayOutcome:
    """A finished pathway run.

    Attributes
    ----------
    name, title : str
        The pathway scenario's name and title.
    result : PathwayResult
        The pathway with its targets in their modes.
    reference : PathwayResult or None
        The same pathway with every target only reported (None: no target is enforced or soft).
    summary : dict
        The ``summary.json`` document.
    folder : pathlib.Path or None
        The published run folder (None when not written).
    timings : dict of str to float
        Wall seconds per phase, each phase once.
    """

    name: str
    title: str
    result: PathwayResult
    reference: PathwayResult | None
    summary: dict[str, Any]
    folder: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        periods = ", ".join(str(int(p)) for p in self.result.results[n.PERIOD].values)
        return (f"<PathwayOutcome {self.name}: {self.result.foresight} foresight over {periods}; "
                f"folder {self.folder}; .result, .reference, .summary>")


def run_pathway(scenario: str | Path, out: str | Path | None = None, *, progress: Progress | None = None,
                write: bool = True, extra_rows: ExtraRows | None = None,
                check_full: bool | int = False) -> PathwayOutcome:
    """Solve a pathway scenario and publish its run folder.

    Parameters
    ----------
    scenario : str or pathlib.Path
        A scenario file with a ``pathway:`` block.
    out : str or pathlib.Path, optional
        Parent folder of run folders (default ``results/`` next to ``scenarios/``).
    progress : callable, optional
        Receives one line of text per stage.
    write : bool
        Publish files (False: only return the answer).
    extra_rows : callable, optional
        ``extra_rows(block, data)`` applied to every period's block.
    check_full : bool or int
        Also solve one period (True: the last; an int: that period's year) on
        its representative days and on its full year, from what the pathway
        had in service before that period's decisions, and report the
        aggregation's errors (``summary.json`` ``aggregation.check_full``;
        :mod:`energy_model.workflows.pathway_check`).

    Returns
    -------
    PathwayOutcome

    Raises
    ------
    energy_model.errors.EnergyModelError
        Input errors before any solve (all of the file together), solver
        outcomes other than a proven optimum, output errors.
    """
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    path = Path(scenario)
    say(f"pathway '{path.stem}': reading every period's inputs, weather and profiles")
    pathway = load_pathway(path)
    name = str(pathway.attrs.get("scenario", path.stem))
    published = read_published(Path(str(pathway.attrs["inputs_dir"])) / PUBLISHED) if "inputs_dir" in pathway.attrs else None
    timings: dict[str, float] = {"inputs_s": time.perf_counter() - t0}
    out_dir = results_dir(path, out)
    if write:
        check_writable(out_dir)
    agg = pathway.cases[0].aggregation
    span = ("full hours" if agg.method == "none" else
            f"{agg.periods} {agg.method.replace('_', ' ')} + {len(agg.extremes)} extreme days per period")
    say(f"solving {len(pathway.periods)} periods ({', '.join(map(str, pathway.periods))}) with "
        f"{pathway.foresight} foresight on {span}")
    t1 = time.perf_counter()
    result = solve_pathway(pathway, extra_rows)
    timings["solve_with_targets_s"] = time.perf_counter() - t1
    relaxed = without_targets(pathway)
    reference = None
    if relaxed is not None:
        say("solving the same pathway with its targets only reported (what the targets cost)")
        t1 = time.perf_counter()
        reference = solve_pathway(relaxed, extra_rows)
        timings["solve_reference_s"] = time.perf_counter() - t1
    doc = pathway_document(pathway, result, reference, extra_rows)
    agg = pathway.cases[0].aggregation
    doc["aggregation"] = {"method": agg.method, "periods": agg.periods, "extremes": list(agg.extremes)}
    if check_full is not False:
        t1 = time.perf_counter()
        year = None if check_full is True else int(check_full)
        doc["aggregation"]["check_full"] = check_period(pathway, result, year, say)
        timings["check_full_s"] = time.perf_counter() - t1
    outcome = PathwayOutcome(name, str(pathway.attrs.get("title", name)), result, reference, doc, None, timings)
    if write:
        t1 = time.perf_counter()
        say(f"writing results to {out_dir / name}")
        with run_lock(out_dir, name, replace=True):
            outcome.folder = publish(out_dir, name, _writers(pathway, outcome, published), _manifest(pathway, outcome))
        timings["write_s"] = time.perf_counter() - t1
    timings["total_s"] = time.perf_counter() - t0
    doc["timings_s"] = dict(timings)
    return outcome


def pathway_document(pathway: Pathway, result: PathwayResult, reference: PathwayResult | None,
                     extra_rows: ExtraRows | None = None) -> dict[str, Any]:
    """The pathway's ``summary.json``: per-period figures, totals and what the targets cost [CNY]."""
    res = result.results
    figures = PathwayFigures(
        foresight=pathway.foresight, discount_rate=pathway.discount_rate, weights=list(pathway.weights()),
        years=list(pathway.years), annual_cost_cny_per_yr=[float(v) for v in res["cost_by_period"].values],
        present_value_cny=float(res["present_value_cny"]),
        new_build_mw=[_by_tech(res["new_build_mw"].sel({n.PERIOD: p})) for p in pathway.periods],
        retired_mw=[_by_tech(res["retired_mw"].sel({n.PERIOD: p})) for p in pathway.periods],
        scenario=str(pathway.attrs.get("scenario", "pathway")), title=str(pathway.attrs.get("title", "")),
        title_zh=str(pathway.attrs.get("title_zh", "")))
    doc = pathway_summary(list(pathway.periods), [r for r, _ in result.by_period],
                          [i for _, i in result.by_period], figures)
    doc["description"] = str(pathway.attrs.get("description", ""))
    doc["description_zh"] = str(pathway.attrs.get("description_zh", ""))
    doc["committed_mw"] = [{"technology": g, "period": int(y), "mw": float(mw)}
                           for (g, y), mw in sorted(pathway.committed_mw.items())]
    doc["targets_cost"] = None if reference is None else {
        "present_value_cny": float(res["present_value_cny"]) - float(reference.results["present_value_cny"]),
        "by_period_cny_per_yr": [float(a) - float(b) for a, b in zip(res["cost_by_period"].values,
                                                                      reference.results["cost_by_period"].values)],
    }
    doc["extra_rows"] = describe_extra_rows(extra_rows)
    return doc


def _by_tech(da: xr.DataArray) -> dict[str, float]:
    return {str(g): float(v) for g, v in zip(da[n.TECH].values, da.values)}


def _writers(pathway: Pathway, outcome: PathwayOutcome,
             published: pd.DataFrame | None) -> dict[str, Callable[[Path], None]]:
    """The files of a pathway run folder, each with the function that writes it."""
    from energy_model.output.pathway_report import render_pathway_report
    from energy_model.output.pathway_tables import period_frame, technology_frame
    from energy_model.output.pathway_workbook import write_pathway_workbook

    doc, result = outcome.summary, outcome.result
    results = [r for r, _ in result.by_period]
    inputs = [i for _, i in result.by_period]
    provenance = {f"version_{k}": v for k, v in versions().items()}
    provenance["pathway_periods"] = json.dumps(list(pathway.periods))
    for ds in (result.results, result.inputs):
        ds.attrs.update(provenance)
    writers: dict[str, Callable[[Path], None]] = {
        "results.nc": lambda p: write_netcdf(result.results, p),
        "inputs.nc": lambda p: write_netcdf(result.inputs, p),
        "summary.json": lambda p: write_json(doc, p),
    }
    writers["periods.csv"] = lambda p: write_csv(period_frame(doc), p, index=False)
    writers["technologies.csv"] = lambda p: write_csv(technology_frame(result.results), p, index=False)
    if outcome.reference is not None:
        writers["reference.nc"] = lambda p: write_netcdf(outcome.reference.results, p)  # type: ignore[union-attr]
    writers["results.xlsx"] = lambda p: write_pathway_workbook(p, doc, results, inputs, published=published)
    def report(p: Path) -> None:
        p.write_text(render_pathway_report(doc, results, inputs, published=published), encoding="utf-8")

    writers["report.html"] = report
    return writers


def _manifest(pathway: Pathway, outcome: PathwayOutcome) -> dict[str, Any]:
    """The run folder's manifest: what was solved, with which versions, in how long."""
    res = outcome.result
    return {
        "scenario": outcome.name,
        "title": outcome.title,
        "status": "optimal",
        "pathway": {"periods": list(pathway.periods), "years": list(pathway.years),
                    "foresight": pathway.foresight, "discount_rate": pathway.discount_rate},
        "input_hash": ",".join(str(c.attrs.get("input_hash", "")) for c in pathway.cases),
        "objective_cny": res.objective,
        "present_value_cny": float(res.results["present_value_cny"]),
        "versions": versions(),
        "solver_timings_s": dict(res.timings),
        "timings_s": dict(outcome.timings),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "extra_rows": outcome.summary.get("extra_rows"),
    }


__all__ = ["PathwayOutcome", "run_pathway", "pathway_document", "without_targets"]
