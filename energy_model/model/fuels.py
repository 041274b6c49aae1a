"""Fuel supplies: carrier balances, hourly send-out and annual volume limits.

Each supply f (a row of fuels.csv: coal, pipeline gas, the LNG terminal,
biomass) delivers a fuel carrier c(f). Plants burn carriers, so gas plants
draw on a pool fed by every gas supply.

Variables (GWh_th per hour)::

    x[f,t] >= 0,  x[f,t] <= xmax_h[f]   (hourly send-out limit, a variable bound)

Constraint families::

    fuel_balance[c,t]:  sum_{f: c(f)=c} x[f,t] = sum_{g burning c} p[g,t] / eta[g]
    annual_supply[f]:   w * sum_t x[f,t] <= xmax_yr[f]       [GWh_th/yr]

The dual of ``annual_supply`` is the value of one more GWh_th of that supply
per year; :mod:`energy_model.results` converts it to CNY per native unit.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from energy_model import names as n
from energy_model.model.data import LPData


def add_fuels(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add fuel supply variables, carrier balances and annual limits."""
    m.F = pyo.Set(initialize=data.fuels, ordered=True)

    def x_bounds(m: pyo.ConcreteModel, f: str, t: int) -> tuple[float, float | None]:
        hi = data.fuel_max_h[f]
        return 0.0, (None if math.isinf(hi) else hi)

    m.x = pyo.Var(m.F, m.T, bounds=x_bounds)
    burners: dict[str, list[str]] = {}
    for g in data.techs:
        if data.kind[g] in n.FUELLED_KINDS:
            burners.setdefault(data.fuel_of[g], []).append(g)
    carriers = sorted({data.fuel_carrier[f] for f in data.fuels} | set(burners))
    supplies = {c: [f for f in data.fuels if data.fuel_carrier[f] == c] for c in carriers}
    m.C = pyo.Set(initialize=carriers, ordered=True)

    def fuel_balance(m: pyo.ConcreteModel, c: str, t: int) -> pyo.Expression:
        burn = sum(m.p[g, t] / data.efficiency[g] for g in burners.get(c, []))
        if not supplies[c] and not burners.get(c):
            return pyo.Constraint.Skip
        return sum(m.x[f, t] for f in supplies[c]) == burn

    m.fuel_balance = pyo.Constraint(m.C, m.T, rule=fuel_balance)
    limited = [f for f in data.fuels if math.isfinite(data.fuel_max_yr[f])]
    m.annual_supply = pyo.Constraint(
        limited, rule=lambda m, f: data.weight * sum(m.x[f, t] for t in m.T) <= data.fuel_max_yr[f]
    )
