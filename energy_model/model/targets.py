"""Plan targets as named constraints that can be enforced, only reported, or made soft.

Every target k gets one row and one shortfall variable ``short[k] >= 0``;
its level is a mutable parameter, so a target test changes the level or the
mode and re-solves without rebuilding. Members are technologies (carriers are
resolved to technologies when the inputs are built).

``target_row[k]`` by kind (annual quantities; w[t] = hours per year step t stands for)::

    min_capacity:   sum_{g in k} P[g] + short[k] >= L[k]                       [GW]
    min_share:      sum_t w[t] * sum_{g in k} p[g,t] + short[k]
                        >= L[k] * sum_t w[t] * demand[t]                        [GWh/yr]
    max_emissions:  sum_t w[t] * sum_f ef[f,pol] * x[f,t] - short[k] <= L[k]    [kt/yr]

Modes: ``enforce`` fixes short[k] = 0; ``soft`` frees short[k] at the penalty
price in the objective; ``report`` deactivates the row (checked afterwards).
The row dual is the target's shadow price: CNY/kW-yr, x1000 CNY/MWh and
x1000 CNY/t in LP units (see :mod:`energy_model.output.run_folder`).
"""

from __future__ import annotations

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData


def annual_emissions(m: pyo.ConcreteModel, data: LPData, pollutant: str) -> pyo.Expression:
    """Direct fuel-based emissions of one pollutant [kt/yr]."""
    return sum(data.emission[f, pollutant] * m.fuel_annual[f] for f in data.fuels if data.emission[f, pollutant])


def add_targets(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add target rows, shortfall variables and their mutable levels."""
    m.K = pyo.Set(initialize=data.targets, ordered=True)
    m.target_level = pyo.Param(m.K, mutable=True, initialize=lambda m, k: data.target_level[k])
    m.target_penalty = pyo.Param(m.K, mutable=True, initialize=lambda m, k: data.target_penalty[k])
    m.short = pyo.Var(m.K, domain=pyo.NonNegativeReals)
    total_demand = float((data.weight * data.demand).sum())

    def row(m: pyo.ConcreteModel, k: str) -> pyo.Expression:
        kind = data.target_kind[k]
        members = data.target_members[k]
        if kind == n.MIN_CAPACITY:
            return sum(m.P[g] for g in members) + m.short[k] >= m.target_level[k]
        if kind == n.MIN_SHARE:
            made = sum(m.energy[g] for g in members if g in m.D)
            return made + m.short[k] >= m.target_level[k] * total_demand
        return annual_emissions(m, data, data.target_pollutant[k]) - m.short[k] <= m.target_level[k]

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
