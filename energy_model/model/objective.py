"""Total annual system cost and its components [million CNY/yr].

Cost parameters are mutable so that sweeps and break-even searches change
them in place. With w[t] the hours per year step t stands for (8760 / hours
for a plain horizon; period weights under time aggregation) and d[t] its
duration [h]::

    energy[g] = sum_t w[t] * p[g,t]          (annual output, GWh/yr)
    capex    = sum_g a[g] * build[g] + sum_s a_e[s] * build_e[s]
               (+ sum_v a_v[g] * build_v[g] over earlier vintages alive in a pathway's period,
                each at its own vintage's annuity; see :mod:`energy_model.model.capacity`)
    fom      = sum_g f[g] * P[g] + sum_s f_e[s] * E[s]
    vom      = sum_g v[g] * priced[g] + sum_s v[s] * sum_t w[t] * dis[s,t]
               priced[g] = sum_t w[t] * m[g,t] * p[g,t]   (m: the hourly price multiplier of g,
               1 unless g has a price profile, e.g. trade at the provincial value)
               (exports carry a negative v: sales revenue)
    startup  = sum_g su_cost[g] * sum_t (w[t] / d[t]) * su[g,t]   (start-ups per year)
    fuel     = sum_f price[f] * X[f],    X[f] = sum_t w[t] * x[f,t]
    carbon   = cprice * (sum_f ef[f,co2] * X[f] + [price imported CO2] * sum_g co2[g] * energy[g])
               (co2[g]: the CO2 factor of imported electricity)
    unserved = sum_t w[t] * (voll * shed[t] + voll_heat * shed_heat[t])
    penalty  = sum_k pen[k] * short[k]

    minimise  capex + fom + vom + startup + fuel + carbon + unserved + penalty
"""

from __future__ import annotations

import pyomo.environ as pyo

from energy_model.inputs.lp_units import LPData
from energy_model.model.capacity import earlier_of

#: Cost components in reporting order.
COMPONENTS = ("capex", "fom", "vom", "startup", "fuel", "carbon", "unserved", "penalty")


def add_cost_parameters(m: pyo.ConcreteModel, data: LPData) -> None:
    """Mutable cost parameters (LP units)."""
    m.capex = pyo.Param(m.G, mutable=True, initialize=data.capex)
    m.fom = pyo.Param(m.G, mutable=True, initialize=data.fom)
    m.vom = pyo.Param(m.G, mutable=True, initialize=data.vom)
    m.capex_e = pyo.Param(m.S, mutable=True, initialize={s: data.e_capex[s] for s in data.by_kind["storage"]})
    m.fom_e = pyo.Param(m.S, mutable=True, initialize={s: data.e_fom[s] for s in data.by_kind["storage"]})
    m.fuel_price = pyo.Param(m.F, mutable=True, initialize=data.fuel_price)
    m.carbon_price = pyo.Param(mutable=True, initialize=data.carbon_price)
    m.voll = pyo.Param(mutable=True, initialize=data.voll)
    m.voll_heat = pyo.Param(mutable=True, initialize=data.heat_voll)


def add_energy_totals(m: pyo.ConcreteModel, data: LPData) -> None:
    """Annual output and discharge, weighted sums over steps used by costs and targets [GWh/yr]."""
    w = data.weight.tolist()
    m.energy = pyo.Expression(m.D, rule=lambda m, g: sum(w[t] * m.p[g, t] for t in m.T))
    shaped = {g: (data.weight * data.price_shape[g]).tolist() for g in data.price_shape if g in m.D}
    m.priced = pyo.Expression(
        m.D, rule=lambda m, g: sum(shaped[g][t] * m.p[g, t] for t in m.T) if g in shaped else m.energy[g])
    m.discharged = pyo.Expression(m.S, rule=lambda m, s: sum(w[t] * m.dis[s, t] for t in m.T))


def earlier_capex(m: pyo.Block) -> object:
    """Annuities of the earlier vintages still in service [MCNY/yr] (0 for a plain model)."""
    old = earlier_of(m)
    return sum(a * v for terms in (*old.power.values(), *old.energy.values()) for v, a in terms)


def add_objective(m: pyo.Block, data: LPData) -> None:
    """Add the cost component expressions and the objective."""
    w = data.weight.tolist()
    starts = (data.weight / data.step_hours).tolist()
    co2 = {f: data.emission[f, "co2"] for f in data.fuels}
    comp = {
        "capex": sum(m.capex[g] * m.build[g] for g in m.G) + sum(m.capex_e[s] * m.build_e[s] for s in m.S)
        + earlier_capex(m),
        "fom": sum(m.fom[g] * m.P[g] for g in m.G) + sum(m.fom_e[s] * m.E[s] for s in m.S),
        "vom": sum(m.vom[g] * m.priced[g] for g in m.D) + sum(m.vom[s] * m.discharged[s] for s in m.S),
        "startup": sum(data.startup[g] * starts[t] * m.su[g, t] for g in m.U for t in m.T if data.startup[g]),
        "fuel": sum(m.fuel_price[f] * m.fuel_annual[f] for f in m.F),
        "carbon": m.carbon_price * (sum(co2[f] * m.fuel_annual[f] for f in m.F if co2[f])
                                    + sum(data.direct_co2[g] * m.energy[g] for g in m.D
                                          if data.price_imported_co2 and data.direct_co2[g])),
        "unserved": m.voll * sum(w[t] * m.shed[t] for t in m.T) + m.voll_heat * sum(w[t] * m.shed_heat[t] for t in m.T),
        "penalty": sum(m.target_penalty[k] * m.short[k] for k in m.K),
    }
    m.COMP = pyo.Set(initialize=COMPONENTS, ordered=True)
    m.cost = pyo.Expression(m.COMP, rule=lambda m, c: comp[c])
    m.total_cost = pyo.Objective(expr=sum(m.cost[c] for c in m.COMP), sense=pyo.minimize)
