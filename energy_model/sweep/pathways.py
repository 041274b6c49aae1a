"""Sweeps of a pathway scenario: each variant's changes applied to the pathway, solved as one pathway, recorded flat.

A sweep file whose ``scenario:`` has a ``pathway:`` block varies the pathway:
a parameter path is a plain change path (every period) or
``periods.<year>.<plain path>`` (that period only), applied by
:func:`energy_model.inputs.pathway_load.apply_pathway_changes`. Every variant
is checked before anything is solved; each is solved by
:func:`energy_model.engine.pathway.solve_pathway`.

A variant's record (:func:`pathway_record`) holds ``present_value_cny``
[CNY, discounted to the first period], ``objective_cny`` (the pathway's
objective [CNY, first-period annual terms]) and, per period, the plain record's
columns with the period year appended: ``annual_cost_cny_per_yr.<year>``,
``capacity_mw.<technology>.<year>``, ``new_build_mw.<technology>.<year>``,
``new_energy_share.<year>``, ``co2_production_t_per_yr.<year>``,
``co2_consumption_t_per_yr.<year>``, ``imported_electricity_mwh_per_yr.<year>``,
``exported_electricity_mwh_per_yr.<year>`` ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from energy_model import vocabulary as n
from energy_model.engine.extra_rows import ExtraRows
from energy_model.engine.pathway import PathwayResult, solve_pathway
from energy_model.errors import MAX_ISSUES, EnergyModelError, InputError, InputIssue
from energy_model.inputs.pathway_load import PERIOD_PREFIX, apply_pathway_changes, without_targets
from energy_model.io.changes import Origin, current_value
from energy_model.io.pathway_spec import Pathway
from energy_model.io.sweep_spec import SweepSpec
from energy_model.sweep.records import KEPT_ENDINGS, OPTIMAL, record_of

#: Columns of the plain record that describe the solve, not a period (kept once per pathway).
SOLVE_COLUMNS = ("solve_s", "method", "iterations")
def hours(pathway: Pathway) -> int:
    """Model hours of a pathway: the time steps of all its periods (for the workers' memory estimate)."""
    return sum(len(c.time) for c in pathway.cases)


def check_pathway_variants(pathway: Pathway, changes: list[dict[str, float]], origin: Origin) -> None:
    """Apply every variant's changes to the pathway (validation only), reporting all problems together.

    Raises
    ------
    InputError
        Each distinct problem once (file, ``parameters.<path>``, line, value):
        an unknown period year, a path that names nothing, a value the tables
        refuse; at most :data:`energy_model.errors.MAX_ISSUES`.
    """
    found: dict[tuple[str, str], InputIssue] = {}
    for ch in changes:
        try:
            apply_pathway_changes(pathway, ch, origin)
        except InputError as err:
            for issue in err.issues:
                found.setdefault((issue.key_path, issue.message), issue)
        if len(found) >= MAX_ISSUES:
            break
    if found:
        raise InputError(list(found.values()))


def pathway_base_values(pathway: Pathway, spec: SweepSpec, origin: Origin) -> dict[str, float]:
    """Each swept path's value in the pathway (``mode: oat``): ``periods.<year>.<path>`` that period's, a plain path
    the first period's.

    Raises
    ------
    InputError
        Every path that names nothing changeable, an unknown period, or a path without a number.
    """
    out: dict[str, float] = {}
    issues: list[InputIssue] = []
    for path in spec.parameters:
        parts = path.split(".", 2)
        case, plain = pathway.cases[0], path
        if parts[0] == PERIOD_PREFIX:
            year = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
            if year not in pathway.periods:
                issues.append(origin.issue(path, "expected periods.<year>.<path> with a period year of "
                                                 f"{', '.join(map(str, pathway.periods))}",
                                           parts[1] if len(parts) > 1 else None))
                continue
            case, plain = pathway.cases[pathway.periods.index(int(parts[1]))], parts[2]
        try:
            value = current_value(case, plain, origin)
        except InputError as err:
            issues.extend(err.issues)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            issues.append(origin.issue(path, "mode: oat starts from the scenario's value, and this path has none "
                                             "(an empty cell or not a number); give it a value in the scenario", value))
            continue
        out[path] = float(value)
    if issues:
        raise InputError(issues)
    return out


def pathway_record(result: PathwayResult, prefix: str = "") -> dict[str, Any]:
    """Flat numbers of one solved pathway, for the sweep table (see the module docstring for the columns)."""
    res = result.results
    rec: dict[str, Any] = {f"{prefix}present_value_cny": float(res["present_value_cny"]),
                           f"{prefix}objective_cny": float(result.objective)}
    for year, (ds, inputs) in zip(res[n.PERIOD].values.astype(int), result.by_period):
        one = record_of(ds, "", inputs)
        one["annual_cost_cny_per_yr"] = one.pop("objective_cny_per_yr")
        for col in SOLVE_COLUMNS:
            one.pop(col, None)
        for name in ("new_build_mw", "new_build_mwh"):
            for g, v in ds[name].to_series().items():
                one[f"{name}.{g}"] = float(v)
        rec.update({f"{prefix}{k}.{year}": v for k, v in one.items()})
    a = res.attrs
    rec[f"{prefix}solve_s"] = float(result.timings.get("solve", np.nan))
    rec[f"{prefix}method"] = str(a.get("solver_method_used", ""))
    rec[f"{prefix}iterations"] = int(sum(int(a.get(f"solver_{k}_iterations", 0))
                                         for k in ("simplex", "ipm", "crossover")))
    return rec


def solve_pathway_variant(pathway: Pathway, case: str, vid: str, changes: Mapping[str, float],
                          extra_rows: ExtraRows | None = None, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """Solve one variant of a pathway sweep; its record, with status and message if it failed.

    Parameters
    ----------
    pathway : Pathway
        The sweep's validated pathway (unchanged).
    case : {"enforced", "reference", "both"}
        The sweep's ``case``: ``reference`` solves the variant with every target only reported.
    vid : str
        The variant's id.
    changes : mapping of str to float
        The variant's changes (already checked by :func:`check_pathway_variants`).
    extra_rows : callable, optional
        Added to every period's block (:func:`energy_model.engine.pathway.solve_pathway`).
    kept : dict, optional
        Receives each solve's pathway Results (with its ``period`` dimension) by the ending of its file
        (:data:`energy_model.sweep.records.KEPT_ENDINGS`); emptied when the variant fails.
    """
    keep = kept if kept is not None else {}
    rec: dict[str, Any] = {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}}
    try:
        changed = apply_pathway_changes(pathway, changes, Origin("sweep", "parameters."))
        if case in ("reference", "both"):
            ref = solve_pathway(without_targets(changed) or changed, extra_rows)
            keep[KEPT_ENDINGS["reference"]] = ref.results
            rec.update(pathway_record(ref, "reference."))
        if case in ("enforced", "both"):
            res = solve_pathway(changed, extra_rows)
            keep[KEPT_ENDINGS["enforced"]] = res.results
            rec.update(pathway_record(res))
        rec["status"] = OPTIMAL
    except EnergyModelError as exc:
        rec["status"] = getattr(exc, "status", "error")
        rec["message"] = str(exc).splitlines()[0]
        keep.clear()
    return rec
