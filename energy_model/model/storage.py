"""Storage: charge, discharge and state of charge, cyclic over each period or linked across days.

Variables (GW, GWh)::

    ch[s,t], dis[s,t] >= 0   charging and discharging power in step t
    soc[s,t]                 energy stored at the end of step t

Constraint families (d[t] = step duration [h], l[s] = self-discharge per hour,
prev(t) = the step before t, cyclic within its period)::

    soc_balance[s,t]:  soc[s,t] = (1 - l[s])^d[t] * soc[s,prev(t)] + d[t] * (eta_c[s] * ch[s,t] - dis[s,t] / eta_d[s])
    power_limit:       ch[s,t] + dis[s,t] <= P[s]   (one converter: charging and discharging share it)
    soc_limit:         0 <= soc[s,t] <= E[s]

Without aggregation and with segments there is one period, the horizon, so
the state of charge is cyclic over it. With typical days and
``link_storage`` (Kotzur et al. 2018, Appl. Energy 213:123-135, the
superposition of an intra-day and an inter-day state), ``soc`` is the change
within the representative day (it starts each day from zero and may be
negative) and the state at the start of every original day i of the horizon
is a variable of its own::

    soc_intra[s,t]:  soc[s,t] = (1 - l)^d * soc[s,t-1] + d * (eta_c ch - dis / eta_d),  soc[s,t-1] := 0 on a day's first step
    soc_inter[s,i+1] = (1 - l)^24 * soc_inter[s,i] + soc[s, last step of rep(i)]      (cyclic over the days)
    soc_high[s,k] >= soc[s,t],  soc_low[s,k] <= soc[s,t]                           for t in period k
    inter_upper[s,i]:  soc_inter[s,i] + soc_high[s,rep(i)] <= E[s]
    inter_lower[s,i]:  (1 - l)^24 * soc_inter[s,i] + soc_low[s,rep(i)] >= 0

so energy can be carried from one day to another through the year's actual
sequence of days. Both bounds are conservative with self-discharge and exact
without it. Charging efficiency applies on the way in, discharging
efficiency on the way out: delivering 1 GWh takes 1 / (eta_c * eta_d) GWh of
charging.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData
from energy_model.model.capacity import added_energy, added_power


def _decay(data: LPData, s: str, hours: float) -> float:
    """Fraction of stored energy left after ``hours`` of self-discharge [-]."""
    keep = 1.0 - data.self_discharge[s]
    return keep if hours == 1.0 else keep**hours


def add_storage(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add storage variables and the state-of-charge families."""
    linked = data.link_storage
    m.ch = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals)
    m.dis = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals)
    m.soc = pyo.Var(m.S, m.T, domain=pyo.Reals if linked else pyo.NonNegativeReals)
    d = data.step_hours.tolist()
    prev = data.prev.tolist()
    first = {int(steps[0]) for steps in data.period_steps}

    def soc_balance(m: pyo.ConcreteModel, s: str, t: int) -> pyo.Expression:
        inflow = d[t] * (data.eta_charge[s] * m.ch[s, t] - m.dis[s, t] / data.eta_discharge[s])
        if linked and t in first:
            return m.soc[s, t] == inflow
        return m.soc[s, t] == _decay(data, s, d[t]) * m.soc[s, prev[t]] + inflow

    m.soc_balance = pyo.Constraint(m.S, m.T, rule=soc_balance)
    ex, ex_e = data.cap_existing, data.e_existing
    m.power_limit = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: m.ch[s, t] + m.dis[s, t] - added_power(m, s) <= ex[s]
    )
    if linked:
        _add_linking(m, data)
    else:
        m.soc_limit = pyo.Constraint(m.S, m.T, rule=lambda m, s, t: m.soc[s, t] - added_energy(m, s) <= ex_e[s])


def _add_linking(m: pyo.ConcreteModel, data: LPData) -> None:
    """Inter-day state of charge over the horizon's sequence of days (see the module docstring)."""
    seq = data.sequence.tolist()
    days = len(seq)
    periods = range(len(data.period_steps))
    last = [int(steps[-1]) for steps in data.period_steps]
    length = [float(data.step_hours[steps].sum()) for steps in data.period_steps]
    ex_e = data.e_existing
    m.DAY = pyo.RangeSet(0, days - 1)
    m.PER = pyo.Set(initialize=list(periods), ordered=True)
    m.soc_inter = pyo.Var(m.S, m.DAY, domain=pyo.NonNegativeReals)
    m.soc_high = pyo.Var(m.S, m.PER)
    m.soc_low = pyo.Var(m.S, m.PER)
    m.soc_inter_balance = pyo.Constraint(
        m.S, m.DAY,
        rule=lambda m, s, i: m.soc_inter[s, (i + 1) % days]
        == _decay(data, s, length[seq[i]]) * m.soc_inter[s, i] + m.soc[s, last[seq[i]]],
    )
    member = [(s, k, int(t)) for s in data.by_kind[n.STORAGE] for k in periods for t in data.period_steps[k]]
    m.soc_high_def = pyo.Constraint(member, rule=lambda m, s, k, t: m.soc_high[s, k] >= m.soc[s, t])
    m.soc_low_def = pyo.Constraint(member, rule=lambda m, s, k, t: m.soc_low[s, k] <= m.soc[s, t])
    m.inter_upper = pyo.Constraint(
        m.S, m.DAY, rule=lambda m, s, i: m.soc_inter[s, i] + m.soc_high[s, seq[i]] - added_energy(m, s) <= ex_e[s]
    )
    m.inter_lower = pyo.Constraint(
        m.S, m.DAY,
        rule=lambda m, s, i: _decay(data, s, length[seq[i]]) * m.soc_inter[s, i] + m.soc_low[s, seq[i]] >= 0.0,
    )
