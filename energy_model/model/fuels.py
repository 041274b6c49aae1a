"""Fuel supplies: carrier balances, hourly send-out and annual volume limits.

Each supply f (a row of fuels.csv: coal, pipeline gas, the LNG terminal,
biomass) delivers a fuel carrier c(f). Plants burn carriers, so gas plants
draw on a pool fed by every gas supply.

Variables (GWh_th per hour)::

    x[f,t] >= 0,  x[f,t] <= xmax_h[f]   (hourly send-out limit, a variable bound)

A supply that is the only source of its carrier and has no hourly limit gets
no variable: its hourly value is the carrier's burn (see :func:`direct_fuels`).

Constraint families::

    fuel_balance[c,t]:  sum_{f: c(f)=c} x[f,t] = sum_{g burning c} p[g,t] / eta[g]
    annual_supply[f]:   sum_t w[t] * x[f,t] <= xmax_yr[f]    [GWh_th/yr]  (w[t]: hours per year of step t)

The dual of ``annual_supply`` is the value of one more GWh_th of that supply
per year; :mod:`energy_model.output.run_folder` converts it to CNY per native unit.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData


def direct_fuels(data: LPData) -> list[str]:
    """Supplies that are the only source of their carrier and have no hourly limit.

    Their hourly supply equals the burn of their carrier's plants, so no
    variable and no balance row is created; annual totals use the burn.
    """
    out = []
    for f in data.fuels:
        c = data.fuel_carrier[f]
        alone = sum(1 for h in data.fuels if data.fuel_carrier[h] == c) == 1
        if alone and math.isinf(data.fuel_max_h[f]):
            out.append(f)
    return out


def add_fuels(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add fuel supply variables, carrier balances, annual totals and annual limits."""
    m.F = pyo.Set(initialize=data.fuels, ordered=True)
    direct = set(direct_fuels(data))
    m.FX = pyo.Set(initialize=[f for f in data.fuels if f not in direct], ordered=True)

    def x_bounds(m: pyo.ConcreteModel, f: str, t: int) -> tuple[float, float | None]:
        hi = data.fuel_max_h[f]
        return 0.0, (None if math.isinf(hi) else hi)

    m.x = pyo.Var(m.FX, m.T, bounds=x_bounds)
    burners: dict[str, list[str]] = {}
    for g in data.techs:
        if data.kind[g] in n.FUELLED_KINDS:
            burners.setdefault(data.fuel_of[g], []).append(g)
    carriers = sorted({data.fuel_carrier[f] for f in m.FX})
    supplies = {c: [f for f in m.FX if data.fuel_carrier[f] == c] for c in carriers}
    m.C = pyo.Set(initialize=carriers, ordered=True)

    def fuel_balance(m: pyo.ConcreteModel, c: str, t: int) -> pyo.Expression:
        burn = sum(m.p[g, t] / data.efficiency[g] for g in burners.get(c, []))
        return sum(m.x[f, t] for f in supplies[c]) == burn

    m.fuel_balance = pyo.Constraint(m.C, m.T, rule=fuel_balance)

    w = data.weight.tolist()

    def annual(m: pyo.ConcreteModel, f: str) -> pyo.Expression:
        if f in direct:
            c = data.fuel_carrier[f]
            return sum(m.energy[g] / data.efficiency[g] for g in burners.get(c, []))  # energy is annual
        return sum(w[t] * m.x[f, t] for t in m.T)

    m.fuel_annual = pyo.Expression(m.F, rule=annual)
    limited = [f for f in data.fuels if math.isfinite(data.fuel_max_yr[f])]
    m.fuel_max_yr = pyo.Param(limited, mutable=True, initialize={f: data.fuel_max_yr[f] for f in limited})
    m.annual_supply = pyo.Constraint(limited, rule=lambda m, f: m.fuel_annual[f] <= m.fuel_max_yr[f])
