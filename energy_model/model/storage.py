"""Storage: charge, discharge and state of charge, cyclic over the horizon.

Variables (GW, GWh)::

    ch[s,t], dis[s,t] >= 0   charging and discharging power
    soc[s,t] >= 0            energy stored at the end of hour t

Constraint families::

    soc_balance[s,t]:  soc[s,t] = (1 - l[s]) * soc[s,t-1] + eta_c[s] * ch[s,t] - dis[s,t] / eta_d[s]
                       (t-1 wraps to the last hour: the horizon is cyclic)
    power_limit:       ch[s,t] + dis[s,t] <= P[s]   (one converter: charging and discharging share it)
    soc_limit:         soc[s,t] <= E[s]

Charging efficiency applies on the way in, discharging efficiency on the way
out: delivering 1 GWh takes 1 / (eta_c * eta_d) GWh of charging.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energy_model.inputs.lp_units import LPData


def add_storage(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add storage variables and the state-of-charge family."""
    m.ch = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals)
    m.dis = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals)
    m.soc = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals)
    last = data.hours - 1

    def soc_balance(m: pyo.ConcreteModel, s: str, t: int) -> pyo.Expression:
        prev = t - 1 if t else last
        return m.soc[s, t] == (1.0 - data.self_discharge[s]) * m.soc[s, prev] + data.eta_charge[
            s
        ] * m.ch[s, t] - m.dis[s, t] / data.eta_discharge[s]

    m.soc_balance = pyo.Constraint(m.S, m.T, rule=soc_balance)
    ex, ex_e = data.cap_existing, data.e_existing
    m.power_limit = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: m.ch[s, t] + m.dis[s, t] - m.build[s] <= ex[s]
    )
    m.soc_limit = pyo.Constraint(m.S, m.T, rule=lambda m, s, t: m.soc[s, t] - m.build_e[s] <= ex_e[s])
