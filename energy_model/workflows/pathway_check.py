"""What the pathway's time aggregation cost: one period solved on its representative days and on its full year.

A pathway solves every period on representative days. To check one period,
take what the pathway had in service there before that period's decisions
(the starting fleet plus earlier vintages: capacity minus that period's new
build) as the existing fleet of the period's own case, and solve that case
twice with its targets in their modes: on the pathway's aggregation and on
the full year. The two answers are compared by the same rules as a plain
run's ``--check-full`` (:func:`energy_model.analysis.aggregation_check.compare_to_full`):
objective, capacities, new-energy share, targets, CO2 on both ledgers,
imports, exports, curtailment and fuels, errors above 3 % flagged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from energy_model import vocabulary as n
from energy_model.analysis.aggregation_check import compare_to_full
from energy_model.engine.pathway import PathwayResult
from energy_model.engine.study import Study
from energy_model.errors import InputError, InputIssue
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes
from energy_model.io.pathway_spec import Pathway


def period_case(pathway: Pathway, result: PathwayResult, year: int) -> Case:
    """Period ``year``'s case with existing capacity = what the pathway had in service before its decisions [MW, MWh]."""
    i = pathway.periods.index(year)
    res = result.results.sel({n.PERIOD: year})
    case = pathway.cases[i]
    techs = case.technologies
    changes: dict[str, Any] = {}
    for g in techs.index:
        if g not in res[n.TECH].values:
            continue
        before = float(res["capacity_mw"].sel({n.TECH: g})) - float(res["new_build_mw"].sel({n.TECH: g}))
        changes[f"technologies.{g}.existing_mw"] = max(before, 0.0)
        hi = techs.loc[g, "max_mw"]
        if hi == hi and float(hi) < before:  # an earlier vintage above this period's total limit stays in service
            changes[f"technologies.{g}.max_mw"] = before
        if str(techs.loc[g, "kind"]) == n.STORAGE:
            e_before = float(res["energy_capacity_mwh"].sel({n.TECH: g})) - float(res["new_build_mwh"].sel({n.TECH: g}))
            changes[f"technologies.{g}.existing_mwh"] = max(e_before, 0.0)
    return apply_changes(case, changes, Origin(f"pathway {pathway.file}, period {year} before its decisions"))


def check_period(pathway: Pathway, result: PathwayResult, year: int | None = None,
                 say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Solve one period on the pathway's aggregation and on its full year and compare (the last period by default).

    Returns
    -------
    dict
        :func:`compare_to_full`'s document plus ``period``, ``flagged`` (the
        annual figures off by more than 3 %) and ``seconds``.

    Raises
    ------
    InputError
        ``year`` is not a period of the pathway, or the pathway is not aggregated.
    """
    say = say or (lambda _msg: None)
    year = pathway.periods[-1] if year is None else int(year)
    if year not in pathway.periods:
        raise InputError([InputIssue(pathway.file, "--check-period", "not a period of the pathway; expected one of "
                                     + ", ".join(map(str, pathway.periods)), year)])
    case = period_case(pathway, result, year)
    if case.aggregation.method == "none":
        raise InputError([InputIssue(pathway.file, "aggregation.method", "the pathway is solved on every hour: "
                                     "there is no aggregation to check", "none")])
    t0 = time.perf_counter()
    say(f"--check-full: period {year} on its representative days and on its full {case.hours:,} hours")
    agg = Study(case)
    agg_res = agg.solve(f"period {year}, aggregated")
    full = Study(apply_changes(case, {"aggregation.method": "none"}))
    full_res = full.solve(f"period {year}, full year")
    out = compare_to_full(agg_res, agg.inputs, full_res, full.inputs)
    out["period"] = year
    out["seconds"] = time.perf_counter() - t0
    obj = out["objective"]["relative_error"]
    worst = ", ".join(out["flagged"]) or "none above 3 %"
    say(f"--check-full: period {year}: objective {obj:+.2%}; annual figures off by more than 3 %: {worst}")
    return out
