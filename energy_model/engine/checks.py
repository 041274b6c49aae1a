"""Post-solve checks recomputed from the Results and ModelInputs Datasets.

They run after every production solve, not only in tests. Each check works
on the published numbers (user units), independently of the solver's own
feasibility report, so that a wrong answer cannot be published as a result:
any violation raises :class:`~energy_model.errors.NumericalError` (exit 6).

Checks (tolerance ``tol`` MW or MWh scaled by the peak demand):

I-01  hourly electricity balance; I-01h hourly heat balance
I-02  0 <= dispatch <= availability x capacity; renewables <= cf x capacity;
      capacity within [lower, upper]; storage charge + discharge <= power, level <= energy
I-03  storage state-of-charge continuity (cyclic)
I-04  fuel balance per carrier and hour; hourly and annual supply limits
I-05  enforced targets met (recomputed from dispatch)
I-06  cost components sum to the objective; per-technology costs sum to totals
I-07  no NaN or infinite value where a number is expected
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.engine.measures import is_met, target_values
from energy_model.errors import NumericalError
from energy_model.inputs.lp_units import time_arrays

#: Relative tolerance of the checks (HiGHS works to 1e-7 on LP-scaled values).
REL_TOL = 1e-5


def _kind(inputs: xr.Dataset) -> np.ndarray:
    return inputs.variables["kind"].values.astype(str)


def check_results(results: xr.Dataset, inputs: xr.Dataset, rel_tol: float = REL_TOL) -> dict[str, float]:
    """Recompute every invariant; raise if one fails.

    Parameters
    ----------
    results, inputs : xarray.Dataset
        The Results and the ModelInputs of one solve.
    rel_tol : float
        Relative tolerance [-]; absolute tolerances scale with peak demand.

    Returns
    -------
    dict
        Largest residual per check (user units), for the run metadata.

    Raises
    ------
    NumericalError
        Listing every failed check with its residual.
    """
    scale = max(1.0, float(inputs["demand_mw"].max()), float(inputs["heat_demand_mw"].max()))
    tol = rel_tol * scale
    kind = _kind(inputs)
    cap = results.variables["capacity_mw"].values
    disp = results.variables["dispatch_mw"].values
    w, step_h, period = time_arrays(inputs)
    linked = bool(inputs.attrs.get("aggregation_link_storage", 0))
    prev = np.arange(len(w)) - 1
    first = np.r_[True, period[1:] != period[:-1]]
    for start in np.flatnonzero(first):
        prev[start] = start + int(np.sum(period == period[start])) - 1
    res: dict[str, float] = {}
    fail: list[str] = []

    def record(name: str, residual: float, limit: float) -> None:
        res[name] = float(residual)
        if not np.isfinite(residual) or residual > limit:
            fail.append(f"{name}: residual {residual:.3g} exceeds tolerance {limit:.3g}")

    # I-07 no NaN/inf in the quantities that must be numbers
    for name in ("capacity_mw", "dispatch_mw", "fuel_use_mwh_th", "price_cny_per_mwh", "cost_cny_per_yr",
                 "unserved_mw", "target_value", "target_shadow_price"):
        bad = ~np.isfinite(results.variables[name].values)
        record(f"finite:{name}", float(bad.sum()), 0.0)

    # I-01 electricity balance
    supply_kinds = np.isin(kind, n.ELECTRIC_SUPPLY_KINDS)
    net = disp[supply_kinds].sum(axis=0) + disp[kind == n.STORAGE].sum(axis=0) - disp[kind == n.EXPORT].sum(axis=0)
    balance = net + results.variables["unserved_mw"].values - inputs.variables["demand_mw"].values
    record("I-01 electricity balance", float(np.abs(balance).max(initial=0.0)), tol)
    # I-01h heat balance (>=: surplus heat may be vented)
    heat = np.nan_to_num(results.variables["heat_output_mw"].values).sum(axis=0) + results.variables["unserved_heat_mw"].values
    record("I-01h heat balance", float(np.maximum(inputs.variables["heat_demand_mw"].values - heat, 0).max(initial=0)), tol)

    # I-02 limits
    lo = inputs.variables["capacity_lower_mw"].values
    hi = inputs.variables["capacity_upper_mw"].values
    record("I-02 capacity bounds", float(np.maximum(np.maximum(lo - cap, cap - hi), 0).max(initial=0)), tol)
    cf = inputs.variables["capacity_factor"].values
    avail = inputs["availability"].fillna(1.0).values
    for i, k in enumerate(kind):
        if k == n.STORAGE:
            continue
        limit = cf[i] * cap[i] if k == n.VARIABLE else avail[i] * cap[i]
        over = float(np.maximum(disp[i] - limit, np.maximum(-disp[i], 0)).max(initial=0))
        record(f"I-02 dispatch limit:{inputs.variables[n.TECH].values[i]}", over, tol)
    for i in map(int, np.flatnonzero(kind == n.STORAGE)):
        name = inputs.variables[n.TECH].values[i]
        ch = results.variables["storage_charge_mw"].values[i]
        dis = results.variables["storage_discharge_mw"].values[i]
        soc = results.variables["storage_level_mwh"].values[i]
        ecap = float(results.variables["energy_capacity_mwh"].values[i])
        over = max(float((ch + dis - cap[i]).max()), float((soc - ecap).max()),
                   float(-min(ch.min(), dis.min(), soc.min())))
        record(f"I-02 storage limits:{name}", max(over, 0.0), tol)
        # I-03 continuity
        loss = float(np.nan_to_num(inputs.variables["self_discharge_per_h"].values[i]))
        ec = float(inputs["charge_efficiency"].fillna(1.0).values[i])
        ed = float(inputs["discharge_efficiency"].fillna(1.0).values[i])
        resid = soc - ((1 - loss) ** step_h * soc[prev] + step_h * (ec * ch - dis / ed))
        if linked:  # a representative day starts from its own day's inter-day state: checked within days only
            resid = resid[~first]
        record(f"I-03 storage continuity:{name}", float(np.abs(resid).max(initial=0.0)), tol)
        if linked and "storage_day_start_mwh" in results:
            record(f"I-03 storage across days:{name}", _inter_day_residual(results, inputs, i, loss, ecap), tol)

    # I-04 fuels. The burn (output / efficiency) is recomputed here from the published Datasets on
    # purpose, not through engine.extract.burn: an invariant must not share the code it checks.
    x = results.variables["fuel_use_mwh_th"].values
    fuel_carrier = inputs.variables["fuel_carrier"].values.astype(str)
    burns = inputs.variables["burns"].values.astype(str)
    eff = inputs["efficiency"].fillna(1.0).values
    for c in sorted(set(fuel_carrier)):
        burners = np.isin(kind, n.FUELLED_KINDS) & (burns == c)
        need = (disp[burners] / eff[burners, None]).sum(axis=0)
        got = x[fuel_carrier == c].sum(axis=0)
        record(f"I-04 fuel balance:{c}", float(np.abs(need - got).max(initial=0)), tol / 0.3)
    maxh = inputs.variables["max_mwh_th_per_h"].values
    maxy = inputs.variables["max_mwh_th_per_yr"].values
    record("I-04 hourly supply limits", float(np.maximum(x - maxh[:, None], 0).max(initial=0)), tol)
    annual = x @ w
    finite = np.isfinite(maxy)
    over_y = np.zeros_like(annual)
    over_y[finite] = (annual[finite] - maxy[finite]) / np.maximum(maxy[finite], 1.0)
    record("I-04 annual supply limits", float(np.maximum(over_y, 0).max(initial=0)), 1e-5)

    # I-05 enforced targets
    if results.sizes.get(n.TARGET, 0):
        mode = inputs.variables["target_mode"].values.astype(str)
        met = np.atleast_1d(is_met(inputs.variables["target_kind"].values.astype(str), target_values(results, inputs),
                     inputs.variables["target_level"].values))  # recomputed, not the extracted flag
        enforced_unmet = [str(k) for k, md, ok in zip(inputs.variables[n.TARGET].values, mode, met) if md == n.ENFORCE and not ok]
        record("I-05 enforced targets met", float(len(enforced_unmet)), 0.0)

    # I-06 costs
    total = float(results["cost_cny_per_yr"].sum())
    objective = float(results.attrs["objective_cny_per_yr"])
    record("I-06 costs sum to objective", abs(total - objective) / max(1.0, abs(objective)), 1e-6)
    by_tech = results["cost_by_technology_cny_per_yr"].sum(n.TECH).values
    comp = results.variables["component"].values.astype(str)
    sys_only = np.isin(comp, ["unserved", "penalty"])
    diff = np.abs(by_tech[~sys_only] - results.variables["cost_cny_per_yr"].values[~sys_only]).max(initial=0)
    record("I-06 technology costs sum to totals", float(diff) / max(1.0, abs(objective)), 1e-6)

    if fail:
        raise NumericalError(
            "the solution failed its post-solve checks; it is not published",
            termination="check_failed",
            diagnosis=fail,
        )
    return res


def _inter_day_residual(results: xr.Dataset, inputs: xr.Dataset, i: int, loss: float, ecap: float) -> float:
    """Linked typical days: largest breach of the day-to-day chain and of 0 <= state <= E at day starts [MWh].

    The state at the start of day j+1 must equal the start of day j decayed over
    the day plus the change within day j's representative day (its level at the
    last step less its own day's start, decayed).
    """
    start = results.variables["storage_day_start_mwh"].values[i]
    level = results.variables["storage_level_mwh"].values[i]
    period = inputs.variables["step_period"].values.astype(int)
    seq = inputs.variables["period_sequence"].values.astype(int)
    days = inputs["period_sequence"]["day"].values
    step_day = np.searchsorted(days, inputs.variables[n.TIME].values, side="right") - 1
    hours = inputs.variables["step_hours"].values
    out = max(0.0, float(-start.min()), float((start - ecap).max()))
    for k in range(int(period.max()) + 1):
        steps = np.flatnonzero(period == k)
        decay = (1.0 - loss) ** float(hours[steps].sum())
        change = level[steps[-1]] - start[step_day[steps[0]]] * decay
        for j in np.flatnonzero(seq == k):
            out = max(out, abs(start[(j + 1) % len(seq)] - (start[j] * decay + change)))
    return out
