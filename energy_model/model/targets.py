"""Plan targets as named constraints that can be enforced, only reported, or made soft.

Every target k gets one row and one shortfall variable ``short[k] >= 0``;
its level is a mutable parameter, so a target test changes the level or the
mode and re-solves without rebuilding. Members are technologies (carriers and
whole-system kinds are resolved to technologies when the inputs are built).

``target_row[k]`` by family of its kind (annual quantities; w[t] = hours per year step t stands for,
E[g] = sum_t w[t] * p[g,t] the annual output of g)::

    min_capacity:          sum_{g in k} P[g] + short[k] >= L[k]                       [GW]
    min_share,
    min_self_sufficiency:  sum_{g in k} E[g] + short[k] >= L[k] * sum_t w[t] * demand[t]   [GWh/yr]
    max_emissions:         sum_t w[t] * sum_f ef[f,pol] * x[f,t] - short[k] <= L[k]    [kt/yr]
    max_import:            sum_{g import} E[g] - short[k] <= L[k]                      [GWh/yr]
    max_net_export:        sum_{g export} E[g] - sum_{g import} E[g] - short[k] <= L[k]  [GWh/yr]
    reserve_margin:        sum_{g not storage} c[g] * P[g] + sum_s F[s] + short[k] >= (1 + L[k]) * peak   [GW]

with c[g] the capacity credit and, for storage, firm capacity limited by power and by energy::

    storage_firm_power[s]:   F[s] <= c[s] * P[s]
    storage_firm_energy[s]:  F[s] <= c[s] * E[s] / d_firm[s]    (d_firm: discharge hours for full credit)

Modes: ``enforce`` fixes short[k] = 0; ``soft`` frees short[k] at the penalty
price in the objective; ``report`` deactivates the row (checked afterwards).
The row dual is the target's shadow price: CNY/kW-yr (capacity, reserve margin),
x1000 CNY/MWh (shares, exchange caps) and x1000 CNY/t in LP units (see
:mod:`energy_model.engine.extract`).
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData


def annual_emissions(m: pyo.ConcreteModel, data: LPData, pollutant: str) -> pyo.Expression:
    """Direct fuel-based emissions of one pollutant [kt/yr]."""
    return sum(data.emission[f, pollutant] * m.fuel_annual[f] for f in data.fuels if data.emission[f, pollutant])


def firm_capacity(m: pyo.ConcreteModel, data: LPData, members: list[str]) -> pyo.Expression:
    """Firm capacity of ``members`` [GW]: credit x capacity, storage through ``F[s]``."""
    return (sum(data.capacity_credit[g] * m.P[g] for g in members
                if data.kind[g] != n.STORAGE and data.capacity_credit[g])
            + sum(m.firm[s] for s in members if s in m.S))


def add_firm_storage(m: pyo.ConcreteModel, data: LPData) -> None:
    """``F[s]`` and its two limits (only when a reserve-margin target exists; else no rows)."""
    needed = any(n.target_family(data.target_kind[k]) == n.MARGIN for k in data.targets)
    firm = [s for s in data.by_kind[n.STORAGE] if needed and data.capacity_credit[s] > 0]
    m.SF = pyo.Set(initialize=firm, ordered=True)
    m.firm = pyo.Var(m.SF, domain=pyo.NonNegativeReals)
    m.storage_firm_power = pyo.Constraint(
        m.SF, rule=lambda m, s: m.firm[s] <= data.capacity_credit[s] * m.P[s])

    def by_energy(m: pyo.ConcreteModel, s: str) -> object:
        d = data.firm_duration[s]
        return m.firm[s] * d <= data.capacity_credit[s] * m.E[s] if math.isfinite(d) else pyo.Constraint.Skip

    m.storage_firm_energy = pyo.Constraint(m.SF, rule=by_energy)


def target_measure(m: pyo.ConcreteModel, data: LPData, k: str) -> pyo.Expression:
    """What target ``k`` measures, in LP units (the left-hand side of its row without ``short``).

    Capacity [GW], annual generation of the members [GWh/yr] (shares), firm
    capacity [GW] (reserve margin), annual exchange [GWh/yr] or emissions [kt/yr].
    """
    kind = data.target_kind[k]
    family = n.target_family(kind)
    members = data.target_members[k]
    if family == n.CAPACITY:
        return sum(m.P[g] for g in members)
    if family == n.SHARE:
        return sum(m.energy[g] for g in members if g in m.D)
    if family == n.MARGIN:
        return firm_capacity(m, data, members)
    if family == n.ENERGY:
        sign = {n.IMPORT: -1.0 if kind == n.MAX_NET_EXPORT else 1.0, n.EXPORT: 1.0}
        return sum(sign[data.kind[g]] * m.energy[g] for g in members if data.kind[g] in sign)
    return annual_emissions(m, data, data.target_pollutant[k])


def add_targets(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add target rows, shortfall variables and their mutable levels."""
    m.K = pyo.Set(initialize=data.targets, ordered=True)
    m.target_level = pyo.Param(m.K, mutable=True, initialize=lambda m, k: data.target_level[k])
    m.target_penalty = pyo.Param(m.K, mutable=True, initialize=lambda m, k: data.target_penalty[k])
    m.short = pyo.Var(m.K, domain=pyo.NonNegativeReals)
    add_firm_storage(m, data)
    total_demand = float((data.weight * data.demand).sum())

    def row(m: pyo.ConcreteModel, k: str) -> pyo.Expression:
        family = n.target_family(data.target_kind[k])
        measure = target_measure(m, data, k)
        if family == n.CAPACITY:
            return measure + m.short[k] >= m.target_level[k]
        if family == n.SHARE:
            return measure + m.short[k] >= m.target_level[k] * total_demand
        if family == n.MARGIN:
            return measure + m.short[k] >= (1.0 + m.target_level[k]) * data.peak_demand
        return measure - m.short[k] <= m.target_level[k]

    m.target_row = pyo.Constraint(m.K, rule=row)
    for k in data.targets:
        set_target_mode(m, k, data.target_mode[k])


def set_target_mode(m: pyo.ConcreteModel, target: str, mode: str) -> None:
    """Switch a built target between ``enforce``, ``soft`` and ``report``."""
    if mode not in n.TARGET_MODES:
        raise ValueError(f"unknown target mode {mode!r}")
    if mode == n.REPORT:
        m.target_row[target].deactivate()
        m.short[target].fix(0.0)
    elif mode == n.ENFORCE:
        m.target_row[target].activate()
        m.short[target].fix(0.0)
    else:
        m.target_row[target].activate()
        m.short[target].unfix()
