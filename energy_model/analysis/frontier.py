"""Target frontier: the least-cost curve of total cost against one target's level.

For a target k and levels L_0, L_1, ... (ordered from loose to tight) the
frontier solves the built model once per level with only
``targets.<k>.level`` changed and ``targets.<k>.mode`` set to ``enforce``::

    C(L) = min total cost  s.t.  every limit, target k at level L
    marginal cost of step i = (C(L_i) - C(L_{i-1})) / |L_i - L_{i-1}|

in CNY/yr per percentage point of share (min_share), per MW (min_capacity)
or per t/yr (max_emissions). C is convex and non-decreasing in the
tightness of the target (an LP's optimal value is convex in a right-hand
side), so the marginal costs rise along the curve and each one lies between
the target's shadow prices at the two ends of its step.

Other targets: by default (``others="scenario"``) they keep their scenario
modes, so the curve is the cost of the plan as written with target k moved;
the default top level is then the maximum achievable *together with* the
other enforced targets. ``others="report"`` relaxes them (the curve of
target k on its own). The model's targets are restored afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from energy_model import vocabulary as n
from energy_model.analysis.target_test import maximum_achievable
from energy_model.engine.measures import consumption_mwh
from energy_model.engine.study import Study
from energy_model.errors import InfeasibleError, InputError, InputIssue
from energy_model.io.changes import reference_changes

#: Unit of the marginal-cost column by target kind.
MARGINAL_UNITS = {n.MIN_SHARE: "CNY/yr per percentage point", n.MIN_CAPACITY: "CNY/yr per MW",
                  n.MAX_EMISSIONS: "CNY/yr per t/yr"}
#: Size of "one step" of a target in its level units: a percentage point of share, 1 MW, 1 t/yr.
STEP = {n.MIN_SHARE: 0.01, n.MIN_CAPACITY: 1.0, n.MAX_EMISSIONS: 1.0}
COLUMNS = ["level", "value", "case", "status", "total_cost_cny_per_yr", "cost_increase_cny_per_yr",
           "marginal_cost", "marginal_cost_unit", "shadow_price", "shadow_price_unit"]


def _solve_row(study: Study, target: str, level: float, case: str,
               progress: Callable[[str], None] | None) -> dict[str, object]:
    """Solve with ``target`` enforced at ``level``; an infeasible level is a row, not an error."""
    with study.changed({f"targets.{target}.level": level, f"targets.{target}.mode": n.ENFORCE}):
        try:
            res = study.solve(f"frontier: {target} at {level:.6g}", progress)
        except InfeasibleError:
            return {"level": level, "value": math.nan, "case": case, "status": "infeasible",
                    "total_cost_cny_per_yr": math.nan, "shadow_price": math.nan}
    sel = {n.TARGET: target}
    return {"level": level, "value": float(res["target_value"].sel(sel)), "case": case, "status": "optimal",
            "total_cost_cny_per_yr": float(res.attrs["objective_cny_per_yr"]),
            "shadow_price": float(res["target_shadow_price"].sel(sel))}


def _solve_rows(study: Study, target: str, levels: Sequence[float], case: str,
                progress: Callable[[str], None] | None) -> list[dict[str, object]]:
    """:func:`_solve_row` for several levels at once (parallel processes for long horizons)."""
    cases = [(f"frontier: {target} at {level:.6g}",
              {f"targets.{target}.level": level, f"targets.{target}.mode": n.ENFORCE}) for level in levels]
    rows: list[dict[str, object]] = []
    sel = {n.TARGET: target}
    for level, res in zip(levels, study.solve_many(cases, progress)):
        if isinstance(res, InfeasibleError):
            rows.append({"level": level, "value": math.nan, "case": case, "status": "infeasible",
                         "total_cost_cny_per_yr": math.nan, "shadow_price": math.nan})
        elif isinstance(res, Exception):
            raise res
        else:
            rows.append({"level": level, "value": float(res["target_value"].sel(sel)), "case": case,
                         "status": "optimal", "total_cost_cny_per_yr": float(res.attrs["objective_cny_per_yr"]),
                         "shadow_price": float(res["target_shadow_price"].sel(sel))})
    return rows


def default_levels(start: float, best: float, steps: int) -> list[float]:
    """``steps`` equal steps from ``start`` to ``best``, both included [level units]."""
    if steps < 1:
        raise InputError(InputIssue("frontier", "steps", "the number of steps must be at least 1", value=steps))
    if math.isclose(start, best, rel_tol=1e-9, abs_tol=1e-12):
        return [best]
    out = list(np.linspace(start, best, steps + 1))
    out[-1] = best  # exactly the maximum, not a rounded linspace end
    return [float(x) for x in out]


def frontier(study: Study, target: str, levels: Sequence[float] | None = None, steps: int = 4, *,
             others: str = "scenario", progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Least-cost total cost against the level of one target.

    Parameters
    ----------
    study : Study
        The scenario's built model (re-used; restored afterwards).
    target : str
        Target name, e.g. ``new_energy_share``.
    levels : sequence of float, optional
        Levels to solve [fraction of consumption | MW | t/yr]. Default: the
        reference (target only reported; its achieved value, shadow price 0)
        then ``steps`` equal steps up to the maximum achievable level
        (:func:`energy_model.analysis.target_test.maximum_achievable`, one extra LP),
        the maximum itself included: ``steps + 2`` solves.
    steps : int
        Number of equal steps when ``levels`` is not given.
    others : {"scenario", "report"}
        Other targets as in the scenario (default) or only reported.
    progress : callable, optional
        Receives a line of text before each solve.

    Returns
    -------
    pandas.DataFrame
        One row per level, loosest first: ``level``, achieved ``value``,
        ``case`` (reference | enforced), ``status`` (optimal | infeasible),
        ``total_cost_cny_per_yr`` [CNY/yr], ``cost_increase_cny_per_yr`` over
        the first row [CNY/yr], ``marginal_cost`` of the step from the previous
        feasible row [CNY/yr per percentage point | per MW | per t/yr],
        ``shadow_price`` of the target [CNY/MWh | CNY/kW/yr | CNY/t]. ``attrs``
        hold the target, its kind and label, the maximum achievable level and
        the consumption [MWh/yr].

    Raises
    ------
    InputError
        Unknown target, or no finite maximum when ``levels`` is not given.
    InfeasibleError
        The other targets cannot be met even with this one only reported.

    Examples
    --------
    >>> from energy_model.engine.study import Study
    >>> from energy_model.inputs.load import load_case
    >>> table = frontier(Study(load_case("scenarios/example_day.yaml")), "new_energy_share", steps=2)
    >>> [(round(level, 3), case) for level, case in zip(table["level"], table["case"])]
    [(0.247, 'reference'), (0.334, 'enforced'), (0.422, 'enforced')]
    >>> bool((table["total_cost_cny_per_yr"].diff().dropna() > 0).all())  # each step up costs more
    True
    """
    if target not in study.targets:
        raise InputError(InputIssue("frontier", "target", f"unknown target; choose one of {study.targets}",
                                    value=target))
    if others not in ("scenario", n.REPORT):
        raise ValueError(f"others must be 'scenario' or 'report', not {others!r}")
    kind = str(study.inputs["target_kind"].sel({n.TARGET: target}).item())
    if kind not in STEP:
        raise InputError(InputIssue("frontier", "target", f"a frontier is drawn for {', '.join(STEP)} targets; "
                                    f"'{target}' is a {kind} target (sweep its level instead: "
                                    f"targets.{target}.level)", value=target))
    tighter_up = kind != n.MAX_EMISSIONS
    relaxed = reference_changes(k for k in study.targets if others == n.REPORT and k != target)
    rows: list[dict[str, object]] = []
    best = math.nan
    with study.changed(relaxed):
        if levels is None:
            with study.changed(reference_changes([target])):
                ref = study.solve(f"frontier: reference ({target} reported)", progress)
            start = float(ref["target_value"].sel({n.TARGET: target}))
            rows.append({"level": start, "value": start, "case": "reference", "status": "optimal",
                         "total_cost_cny_per_yr": float(ref.attrs["objective_cny_per_yr"]), "shadow_price": 0.0})
            if progress:
                progress(f"frontier: maximum achievable level of '{target}' (one extra LP)")
            best, _limits = maximum_achievable(study, target, others="scenario")
            if kind == n.MIN_SHARE:  # an LP maximum of 1.0000000000000002 is a share of 1, not a bad level
                best = min(best, 1.0)
            if not math.isfinite(best):
                raise InputError(InputIssue("frontier", "levels", f"target '{target}' has no finite maximum; "
                                            "give the levels to solve explicitly"))
            room = (best - start) if tighter_up else (start - best)
            tight = default_levels(start, best, steps)[1:] if room > 1e-9 * max(1.0, abs(best)) else []
            solved = _solve_rows(study, target, tight, "enforced", progress)
            if solved and solved[-1]["status"] == "infeasible":
                # the LP maximum can sit a hair outside the feasibility tolerance of a re-solve
                level = tight[-1]
                nudged = level * (1 - 1e-7) if tighter_up else level * (1 + 1e-7)
                solved[-1] = _solve_row(study, target, nudged, "enforced", progress)
            rows.extend(solved)
        else:
            order = sorted(float(x) for x in levels)
            _check_levels(order, kind)
            rows.extend(_solve_rows(study, target, order if tighter_up else order[::-1], "enforced", progress))
    table = _finish(pd.DataFrame(rows), kind, tighter_up)
    table.attrs.update({
        "target": target, "kind": kind, "label": str(study.inputs["target_label"].sel({n.TARGET: target}).item()),
        "maximum_achievable": best, "others": others,
        "consumption_mwh_per_yr": consumption_mwh(study.inputs),
    })
    return table


def _check_levels(levels: list[float], kind: str) -> None:
    """Refuse negative or non-finite levels, and shares given as percentages."""
    bad = [x for x in levels if not math.isfinite(x) or x < 0 or (kind == n.MIN_SHARE and x > 1)]
    if bad or not levels:
        what = "fractions of consumption between 0 and 1 (0.25 for 25 %)" if kind == n.MIN_SHARE else \
            "non-negative numbers"
        raise InputError(InputIssue("frontier", "levels", f"levels must be {what}", value=bad or levels))


def _finish(table: pd.DataFrame, kind: str, tighter_up: bool) -> pd.DataFrame:
    """Add cost increase and marginal cost columns (steps between consecutive feasible rows)."""
    cost = table["total_cost_cny_per_yr"].to_numpy(dtype=float)
    ok = table["status"].to_numpy() == "optimal"
    first = cost[ok][0] if ok.any() else math.nan
    marginal = np.full(len(table), math.nan)
    prev = None
    for i in range(len(table)):
        if not ok[i]:
            continue
        if prev is not None:
            step = abs(float(table["level"].iloc[i]) - float(table["level"].iloc[prev])) / STEP[kind]
            marginal[i] = (cost[i] - cost[prev]) / step if step > 0 else math.nan
        prev = i
    table["cost_increase_cny_per_yr"] = cost - first
    table["marginal_cost"] = marginal
    table["marginal_cost_unit"] = MARGINAL_UNITS[kind]
    table["shadow_price_unit"] = n.TARGET_PRICE_UNIT[kind]
    return table[COLUMNS].reset_index(drop=True)


def _noun(target: str) -> str:
    """``new_energy_share`` -> ``new-energy share``; ``wind_capacity`` -> ``wind capacity``."""
    words = target.split("_")
    if len(words) > 2:
        return "-".join(words[:-1]) + " " + words[-1]
    return " ".join(words)


def _money(x: float) -> str:
    """``12.3 million CNY`` from 100,000 CNY up, else ``4,500 CNY`` [CNY]."""
    return f"{x / 1e6:,.1f} million CNY" if abs(x) >= 1e5 else f"{x:,.0f} CNY"


def frontier_sentence(table: pd.DataFrame) -> str:
    """One plain sentence on the marginal cost along a frontier (from :func:`frontier`).

    Parameters
    ----------
    table : pandas.DataFrame
        A frontier table with its ``attrs`` (target, kind, maximum achievable).

    Returns
    -------
    str
        The first and last step's marginal cost [million CNY/yr per point, MW or t/yr],
        the maximum achievable level and any infeasible level.

    Examples
    --------
    >>> from energy_model.engine.study import Study
    >>> from energy_model.inputs.load import load_case
    >>> table = frontier(Study(load_case("scenarios/example_day.yaml")), "new_energy_share", steps=2)
    >>> frontier_sentence(table)  # doctest: +ELLIPSIS
    'From 24.7% to 42.2%, each extra point of new-energy share costs ... million CNY/yr in the first step, ...'
    """
    kind, target = table.attrs.get("kind", n.MIN_SHARE), table.attrs.get("target", "target")
    feasible = table[table["status"] == "optimal"]
    steps = feasible["marginal_cost"].dropna()
    unit = {n.MIN_SHARE: "point of", n.MIN_CAPACITY: "MW of", n.MAX_EMISSIONS: "t/yr less under the"}[kind]

    def lvl(x: float) -> str:
        return f"{x:.1%}" if kind == n.MIN_SHARE else f"{x:,.0f} {'MW' if kind == n.MIN_CAPACITY else 't/yr'}"

    if steps.empty:
        return f"No step along the {_noun(target)} frontier could be costed (fewer than two feasible levels)."
    lo_level, hi_level = float(feasible["level"].iloc[0]), float(feasible["level"].iloc[-1])
    first, last = float(steps.iloc[0]), float(steps.iloc[-1])
    text = f"From {lvl(lo_level)} to {lvl(hi_level)}, each extra {unit} {_noun(target)} costs {_money(first)}/yr"
    if len(steps) > 1 and not math.isclose(first, last, rel_tol=1e-3):
        text += f" in the first step, rising to {_money(last)}/yr in the last"
    best = table.attrs.get("maximum_achievable", math.nan)
    if isinstance(best, float) and math.isfinite(best):
        text += f"; the maximum achievable is {lvl(best)}"
    infeasible = table[table["status"] == "infeasible"]
    if not infeasible.empty:
        text += f"; infeasible at {', '.join(lvl(float(x)) for x in infeasible['level'])}"
    return text + "."

