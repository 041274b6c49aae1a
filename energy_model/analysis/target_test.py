"""The target test: is each target reachable, what does it cost, what is its price, what stops it.

For a scenario it solves the **reference** (every target only reported) and
the **enforced** case (targets in their scenario modes), and for each target
that the reference misses, the case with that target alone. Targets the
reference already meets cost nothing and need no extra solve: the reference
optimum stays optimal when they are added. Every solve re-uses the one built
model (:class:`energy_model.engine.study.Study`).

An infeasible target is an answer, not a crash: quick pre-checks first, then
one extra LP per failing target that maximises what the target measures
(the **maximum achievable level**), and a sentence in a planner's words
naming the limits that stop it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.binding_limits import binding_limits
from energy_model.engine.highs import SIMPLEX_MAX_HOURS, choose_method
from energy_model.engine.measures import binds, consumption_mwh, is_met, peak_demand_mw
from energy_model.engine.study import MAXIMIZE, MINIMIZE, Study
from energy_model.errors import InfeasibleError, InputError, NumericalError, UnboundedError
from energy_model.inputs.lp_units import target_level_from_lp, time_arrays
from energy_model.io.changes import reference_changes
from energy_model.io.schema import DEFAULT_EXTREMES, DEFAULT_TYPICAL_DAYS
from energy_model.model.targets import target_measure


@dataclass
class TargetTest:
    """Outcome of a target test.

    ``status`` is ``met_without_enforcement``, ``met_with_enforcement``,
    ``soft_shortfall`` or ``infeasible``. ``enforced`` is None when the
    enforced case is infeasible. ``messages`` are the pre-check's findings
    (shared with an infeasible run's diagnosis); ``notes`` are facts, each a
    dict with ``note`` (its kind: ``cost_alone_not_computed``,
    ``cost_alone_estimated``, ``soft_shortfall``) and its numbers, worded in
    both languages by :mod:`energy_model.output.target_notes`; ``binding``
    the limits the enforced solution sits on
    (:func:`energy_model.analysis.binding_limits.binding_limits`).
    """

    reference: xr.Dataset
    enforced: xr.Dataset | None
    table: pd.DataFrame
    status: str
    messages: list[str] = field(default_factory=list)
    binding: list[dict[str, object]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        """One line: the status, how many targets are met and the annual cost without and with them."""
        met = int(self.table["met"].sum()) if "met" in self.table else 0
        cost = [None if ds is None else float(ds.attrs.get("objective_cny_per_yr", float("nan")))
                for ds in (self.reference, self.enforced)]
        shown = ["infeasible" if c is None else f"{c / 1e6:,.1f} M CNY/yr" for c in cost]
        return (f"<TargetTest {self.status}: {met} of {len(self.table)} targets met; cost {shown[0]} without "
                f"targets, {shown[1]} with; .table, .reference, .enforced>")


def _fmt_level(kind: str, value: float) -> str:
    if n.target_family(kind) == n.ENERGY:
        return f"{value / 1e6:,.2f} TWh/yr"
    if n.target_family(kind) in (n.SHARE, n.MARGIN):
        return f"{value:.1%}"
    if kind == n.MIN_CAPACITY:
        return f"{value:,.0f} MW"
    return f"{value / 1e6:,.2f} Mt/yr"


def _achieved(results: xr.Dataset, k: str) -> float:
    return float(results["target_value"].sel({n.TARGET: k}).item())


def _is_met(kind: str, achieved: float, level: float) -> bool:
    return bool(is_met(kind, achieved, level))


def precheck(inputs: xr.Dataset) -> list[str]:
    """Quick checks before any LP: targets above what the maximum capacities could ever give.

    Returns plain-words messages; a message starting with ``"infeasible:"``
    proves the target cannot be met.
    """
    out = []
    w = time_arrays(inputs)[0]
    demand = float(inputs["demand_mw"].values @ w)
    upper = inputs["capacity_upper_mw"].values
    cf = inputs["capacity_factor"].values
    techs = inputs[n.TECH].values.astype(str)
    kind = inputs["kind"].values.astype(str)
    for i, k in enumerate(inputs[n.TARGET].values.astype(str)):
        tk = str(inputs["target_kind"].values[i])
        mode = str(inputs["target_mode"].values[i])
        level = float(inputs["target_level"].values[i])
        members = inputs["target_member"].values[i]
        if mode == n.REPORT:
            continue
        if tk == n.MIN_CAPACITY:
            most = float(upper[members].sum())
            if most < level:
                out.append(f"infeasible: target '{k}' asks for {level:,.0f} MW but the maximum capacities of "
                           f"{', '.join(techs[members])} add up to {most:,.0f} MW")
        elif tk == n.MIN_SHARE:
            gen_members = members & (kind != n.STORAGE)
            energy = float((upper[gen_members, None] * cf[gen_members]).sum(axis=0) @ w)
            if math.isfinite(energy) and energy < level * demand:
                out.append(f"infeasible: target '{k}' needs {level * demand / 1e6:,.2f} TWh/yr but "
                           f"{', '.join(techs[gen_members])} at their maximum capacities could give at most "
                           f"{energy / 1e6:,.2f} TWh/yr ({energy / demand:.1%})")
    firm = (kind != n.VARIABLE) & (kind != n.EXPORT) & (kind != n.BOILER)
    firm_mw = float((upper[firm] * inputs["availability"].fillna(1.0).values[firm]).sum())
    peak = float(inputs["demand_mw"].max())
    if firm_mw < peak:
        out.append(f"warning: peak demand {peak:,.0f} MW exceeds the most firm capacity and imports "
                   f"({firm_mw:,.0f} MW); some hours will depend on wind and sun or go unserved")
    return out


def maximum_achievable(study: Study, target: str, *, others: str = n.REPORT) -> tuple[float, list[str]]:
    """Best level a target can reach (one extra LP that maximises what the target measures).

    Parameters
    ----------
    study : Study
        The built model; every target mode is restored afterwards.
    target : str
        Target name.
    others : {"report", "scenario"}
        ``report`` relaxes every other target (the default: the target's own
        maximum); ``scenario`` keeps the other targets in their current modes
        (enforced ones must still hold, soft ones may fall short for free).

    Returns
    -------
    level : float
        MW (capacity), fraction of consumption (share) or t/yr (lowest emissions); ``inf`` if unlimited.
    limits : list of str
        Plain-words limits that stop it (members at their maximum capacity, fuel limits...).

    Examples
    --------
    >>> from energy_model.engine.study import Study
    >>> from energy_model.inputs.load import load_case
    >>> level, limits = maximum_achievable(Study(load_case("scenarios/example_day.yaml")), "new_energy_share")
    >>> round(level, 3), limits[0]
    (0.422, 'onshore_wind capped at 4,500 MW')
    """
    if others not in (n.REPORT, "scenario"):
        raise ValueError(f"others must be 'report' or 'scenario', not {others!r}")
    relax = reference_changes(k for k in study.targets if others == n.REPORT or k == target)
    with study.changed(relax):
        m = study.model
        data = m.lp_data
        kind = data.target_kind[target]
        members = data.target_members[target]
        expr = target_measure(m, data, target)
        sense = MINIMIZE if n.is_ceiling(kind) else MAXIMIZE
        label = f"maximum achievable: {target}"
        # Interior point without crossover ends "Unknown" on this pure maximisation (measured on the
        # full plan year: HiPO and IPX both); with crossover HiPO proves it (about 14 s there), and
        # dual simplex (about 40 s) is the last resort.
        spec = study.solver.model_copy(update={"crossover": "on"})
        try:
            try:
                sol = study.solve_measure(expr, sense, label, spec)
            except NumericalError:
                if choose_method(study.solver, data.hours) == "simplex":
                    raise
                sol = study.solve_measure(expr, sense, label, spec.model_copy(update={"method": "simplex"}))
        except UnboundedError:
            return math.inf, []
        family = n.target_family(kind)
        if family == n.SHARE:
            level = sol.objective / float(data.weight @ data.demand)
        elif family == n.MARGIN:
            level = sol.objective / data.peak_demand - 1.0 if data.peak_demand > 0 else math.inf
        else:
            level = target_level_from_lp(kind, sol.objective)
        limits = []
        build = sol.value(m.build)
        for i, g in enumerate(data.techs):
            hi = data.cap_hi[g]
            if g in members and math.isfinite(hi) and build[i] + data.cap_existing[g] >= hi * (1 - 1e-6):
                limits.append(f"{g} capped at {target_level_from_lp(n.MIN_CAPACITY, hi):,.0f} MW")
    return level, limits


def _explain(study: Study, k: str, level: float) -> str:
    kind = study.model.lp_data.target_kind[k]
    best, limits = maximum_achievable(study, k)
    label = str(study.inputs["target_label"].sel({n.TARGET: k}).item())
    demand = consumption_mwh(study.inputs)
    why = f"with {', '.join(limits)} " if limits else ""
    if n.is_ceiling(kind):
        return (f"{label} ({_fmt_level(kind, level)}) cannot be met: {why}the lowest the system can "
                f"reach is {_fmt_level(kind, best)}")
    if not math.isfinite(best):
        return f"{label} ({_fmt_level(kind, level)}) is not limited on its own; it conflicts with other targets"
    if kind == n.MIN_SHARE:
        return (f"{label} ({_fmt_level(kind, level)}) needs {level * demand / 1e6:,.2f} TWh/yr; {why}the maximum "
                f"is {_fmt_level(kind, best)} ({best * demand / 1e6:,.2f} TWh/yr)")
    return f"{label} ({_fmt_level(kind, level)}) cannot be met; {why}the maximum is {_fmt_level(kind, best)}"


def run_target_test(study: Study, progress: Callable[[str], None] | None = None, *,
                    each_alone: bool | None = None,
                    on_solved: Callable[[xr.Dataset, xr.Dataset], None] | None = None,
                    while_solving: Callable[[], None] | None = None) -> TargetTest:
    """Solve the reference and enforced cases and cost every target.

    Parameters
    ----------
    study : Study
        The scenario's built model; target modes are restored afterwards.
    progress : callable, optional
        Receives a line of text before each solve.
    each_alone : bool, optional
        Also solve each target the reference misses on its own (one LP each),
        so every target gets its own cost. Default: for short horizons only
        (simplex territory); on a full year these are extra ~70 s solves, so
        they run when asked, or when the enforced case is infeasible (for the
        diagnosis).
    on_solved : callable, optional
        Called as ``on_solved(reference, enforced)`` as soon as both are solved
        (before any target is solved alone), e.g. to start drawing charts;
        not called when the enforced case fails.
    while_solving : callable, optional
        Called once the reference and enforced cases are compiled, just before
        HiGHS solves them (work for the interpreter while it waits on the solver).

    Returns
    -------
    TargetTest

    Examples
    --------
    >>> from energy_model.engine.study import Study
    >>> from energy_model.inputs.load import load_case
    >>> test = run_target_test(Study(load_case("scenarios/example_day.yaml")))
    >>> test  # doctest: +ELLIPSIS
    <TargetTest met_with_enforcement: 3 of 4 targets met; cost ... M CNY/yr without targets, ... M CNY/yr with; ...>
    >>> list(test.table.loc[test.table["met"], "target"])
    ['wind_capacity', 'solar_capacity', 'new_energy_share']

    Raises
    ------
    InfeasibleError
        When the enforced targets cannot all be met; its ``diagnosis`` holds the
        plain-words explanation and the maximum achievable levels, and
        ``exc.target_test`` the partial result (reference and table).
    """
    ds = study.inputs
    targets = study.targets
    modes = study.target_modes()
    kinds = {k: str(ds["target_kind"].sel({n.TARGET: k}).item()) for k in targets}
    levels = {k: float(ds["target_level"].sel({n.TARGET: k}).item()) for k in targets}
    messages = precheck(ds)
    notes: list[dict[str, Any]] = []

    active = [k for k in targets if modes[k] != n.REPORT]
    relax = reference_changes(active)
    cases = [("reference (targets reported, not enforced)", relax)]
    if active:
        cases.append(("enforced (targets as in the scenario)", {}))
    outs = study.solve_many(cases, progress, before_solves=while_solving)
    reference = outs[0]
    if isinstance(reference, Exception):
        raise reference
    enforced_out = outs[1] if active else reference
    if on_solved is not None and isinstance(enforced_out, xr.Dataset):
        on_solved(reference, enforced_out)
    ref_cost = float(reference.attrs["objective_cny_per_yr"])
    consumption = consumption_mwh(ds)
    ref_value = {k: _achieved(reference, k) for k in targets}
    unmet = [k for k in active if not _is_met(kinds[k], ref_value[k], levels[k])]

    alone: dict[str, float] = {k: 0.0 for k in active if k not in unmet}
    infeasible_alone: list[str] = []
    if each_alone is None:
        each_alone = study.model.lp_data.hours <= SIMPLEX_MAX_HOURS
    estimate: dict[str, Any] | None = None
    if len(unmet) > 1 and not each_alone and not isinstance(enforced_out, InfeasibleError):
        estimate = _alone_on_typical_days(study, unmet, active, modes, progress)
        if estimate is None:
            notes.append({"note": "cost_alone_not_computed", "unmet": len(unmet)})
        else:
            alone.update(estimate["alone"])
    elif len(unmet) > 1:
        alone_cases = [(f"target '{k}' alone", reference_changes(active, keep={k: modes[k]})) for k in unmet]
        for k, res in zip(unmet, study.solve_many(alone_cases, progress, objective_only=True)):
            if isinstance(res, InfeasibleError):
                infeasible_alone.append(k)
            elif isinstance(res, Exception):
                raise res
            else:
                alone[k] = float(res.attrs["objective_cny_per_yr"]) - ref_cost

    status = "met_without_enforcement" if not unmet else "met_with_enforcement"
    if isinstance(enforced_out, InfeasibleError):
        exc = enforced_out
        status = "infeasible"
        culprits = infeasible_alone or [k for k in unmet if modes[k] == n.ENFORCE]
        if progress:
            progress("infeasible: computing the maximum achievable level of each failing target")
        diagnosis = [_explain(study, k, levels[k]) for k in culprits]
        if not infeasible_alone and len(unmet) > 1:
            diagnosis.insert(0, "each target can be met alone, but not all of them together")
        exc.diagnosis = diagnosis + [m for m in messages if m.startswith("infeasible:")]
        partial = TargetTest(reference, None, _table(targets, kinds, levels, modes, ref_value, reference, None,
                                                      alone, ref_cost, consumption, ds), status, messages + diagnosis,
                             notes=notes)
        setattr(exc, "target_test", partial)  # noqa: B010 - the partial result travels with the error
        raise exc
    if isinstance(enforced_out, Exception):
        raise enforced_out
    enforced: xr.Dataset = enforced_out
    if len(unmet) == 1:
        alone[unmet[0]] = float(enforced.attrs["objective_cny_per_yr"]) - ref_cost
    if status != "met_without_enforcement":
        if any(float(enforced["target_shortfall"].sel({n.TARGET: k})) > 1e-9 for k in targets):
            status = "soft_shortfall"
    table = _table(targets, kinds, levels, modes, ref_value, reference, enforced, alone, ref_cost, consumption, ds)
    table["cost_alone_basis"] = ["full" if k in alone and (estimate is None or k not in estimate["alone"])
                                 else ESTIMATE_BASIS if k in alone else "" for k in targets]
    if estimate is not None:
        full_all = float(enforced.attrs["objective_cny_per_yr"]) - ref_cost
        error = estimate["all"] / full_all - 1.0 if full_all > 0 else math.nan
        table.attrs["cost_alone_estimate"] = {"basis": ESTIMATE_BASIS, "all_targets_estimated_cny_per_yr":
                                              estimate["all"], "all_targets_full_cny_per_yr": full_all,
                                              "relative_error": error}
        notes.append({"note": "cost_alone_estimated", "typical_days": ESTIMATE_CHANGES["aggregation.periods"],
                      "extremes": list(ESTIMATE_CHANGES["aggregation.extremes"]), "solves": len(unmet),
                      "estimated_cny_per_yr": estimate["all"], "full_cny_per_yr": full_all, "relative_error": error})
    binding = binding_limits(enforced, ds) if enforced is not None else []
    return TargetTest(reference, enforced, table, status, messages, binding, notes + _shortfall_notes(table))


#: The aggregation each target's own cost is estimated on when full-horizon solves per target are not asked for.
ESTIMATE_CHANGES: dict[str, Any] = {"aggregation.method": "typical_days", "aggregation.periods": DEFAULT_TYPICAL_DAYS,
                                    "aggregation.extremes": list(DEFAULT_EXTREMES)}
ESTIMATE_BASIS = "typical_days"


def _alone_on_typical_days(study: Study, unmet: list[str], active: list[str], modes: dict[str, str],
                           progress: Callable[[str], None] | None) -> dict[str, Any] | None:
    """Each unmet target's own cost [CNY/yr] on the scenario's typical days, and all targets' cost there.

    None when the scenario is already aggregated or its horizon cannot be cut into typical days.
    """
    if study.case.aggregation.method != "none":
        return None
    try:
        with study.changed(ESTIMATE_CHANGES):
            cases = [("reference on typical days", reference_changes(active)), ("all targets on typical days", {})]
            cases += [(f"target '{k}' alone on typical days", reference_changes(active, keep={k: modes[k]}))
                      for k in unmet]
            outs = study.solve_many(cases, progress, objective_only=True)  # only the costs are read
    except InputError:
        return None
    solved = [o if isinstance(o, xr.Dataset) else None for o in outs]
    if solved[0] is None or solved[1] is None:
        return None
    ref = float(solved[0].attrs["objective_cny_per_yr"])
    alone = {k: float(o.attrs["objective_cny_per_yr"]) - ref for k, o in zip(unmet, solved[2:]) if o is not None}
    return {"alone": alone, "all": float(solved[1].attrs["objective_cny_per_yr"]) - ref}


def _shortfall_notes(table: pd.DataFrame) -> list[dict[str, Any]]:
    """One note per soft target that falls short: by how much (level's unit) and the penalty paid [CNY/yr] instead."""
    return [{"note": "soft_shortfall", "target": row.target, "kind": row.kind, "shortfall": float(row.shortfall),
             "penalty_paid_cny_per_yr": float(row.penalty_paid_cny_per_yr), "shadow_price": float(row.shadow_price)}
            for row in table.itertuples() if row.mode == n.SOFT and row.shortfall > 0]


def _penalty_base(kind: str, consumption: float, ds: xr.Dataset) -> float:
    """What one unit of a target's shortfall (its level unit) is in the penalty's unit (kW, MWh, t)."""
    family = n.target_family(kind)
    if family == n.CAPACITY:
        return 1000.0  # MW -> kW
    if family == n.SHARE:
        return consumption  # fraction -> MWh/yr
    if family == n.MARGIN:
        return peak_demand_mw(ds) * 1000.0  # fraction of peak -> kW
    return 1.0


def _table(targets: list[str], kinds: dict[str, str], levels: dict[str, float], modes: dict[str, str],
           ref_value: dict[str, float], reference: xr.Dataset, enforced: xr.Dataset | None,
           alone: dict[str, float], ref_cost: float, consumption: float, ds: xr.Dataset) -> pd.DataFrame:
    rows = []
    all_cost = (float(enforced.attrs["objective_cny_per_yr"]) - ref_cost) if enforced is not None else math.nan
    for k in targets:
        sel = {n.TARGET: k}
        value = float(enforced["target_value"].sel(sel)) if enforced is not None else math.nan
        price = float(enforced["target_shadow_price"].sel(sel)) if enforced is not None else math.nan
        short = float(enforced["target_shortfall"].sel(sel)) if enforced is not None else math.nan
        pen = float(ds["target_penalty"].sel(sel))
        paid = short * pen * _penalty_base(kinds[k], consumption, ds) if math.isfinite(pen) and short > 0 else 0.0
        cost_alone = alone.get(k, math.nan)
        rows.append({
            "target": k,
            "label": str(ds["target_label"].sel(sel).item()),
            "label_zh": str(ds["target_label_zh"].sel(sel).item()) if "target_label_zh" in ds else "",
            "kind": kinds[k],
            "mode": modes[k],
            "level": levels[k],
            "unit": n.TARGET_LEVEL_UNIT[kinds[k]],
            "reference_value": ref_value[k],
            "met_without_enforcement": _is_met(kinds[k], ref_value[k], levels[k]),
            "value": value,
            "met": _is_met(kinds[k], value, levels[k]) if enforced is not None else False,
            "shadow_price": price,
            "shadow_price_unit": n.TARGET_PRICE_UNIT[kinds[k]],
            "binding": binds(price) if enforced is not None else False,
            "shortfall": short,
            "penalty_paid_cny_per_yr": paid,
            "cost_alone_cny_per_yr": cost_alone,
            "cost_alone_cny_per_mwh": cost_alone / consumption if math.isfinite(cost_alone) else math.nan,
            "cost_all_cny_per_yr": all_cost,
            "cost_all_cny_per_mwh": all_cost / consumption if math.isfinite(all_cost) else math.nan,
        })
    return pd.DataFrame(rows, columns=[
        "target", "label", "label_zh", "kind", "mode", "level", "unit", "reference_value", "met_without_enforcement", "value",
        "met", "shadow_price", "shadow_price_unit", "binding", "shortfall", "penalty_paid_cny_per_yr",
        "cost_alone_cny_per_yr", "cost_alone_cny_per_mwh", "cost_all_cny_per_yr", "cost_all_cny_per_mwh"])
