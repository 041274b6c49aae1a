"""Hourly dispatch: electricity and heat balances, availability, thermal limits.

Variables (LP units: GW, i.e. GWh per hour)::

    p[g,t] >= 0   output of every non-storage technology g in hour t
                  (heat for boilers, electricity otherwise; exports are sales)
    u[g,t] >= 0   online capacity of units with a minimum stable load
    shed[t] >= 0, shed_heat[t] >= 0   unserved electricity and heat

Constraint families:

``balance[t]``  (dual = marginal cost of electricity in hour t)::

    sum_{g in variable, thermal, chp, import} p[g,t] + sum_s dis[s,t]
      - sum_s ch[s,t] - sum_{g in export} p[g,t] + shed[t] = demand[t]

``cf_limit[g,t]``  variable renewables (the rest is curtailment)::

    p[g,t] <= cf[g,t] * P[g]

``cap_limit[g,t]``  thermal, chp, boiler, import, export without min load::

    p[g,t] <= availability[g] * P[g]

Both are written as ``p - a * build <= a * existing``. For a technology
whose capacity cannot change (upper bound = existing), the limit becomes the
variable bound ``p[g,t] <= a * existing`` instead of a row; a
:class:`~energy_model.engine.study.Study` rebuilds the model when such a capacity
is made expandable (see :mod:`energy_model.model.update`).

``online_limit, min_load, max_load``  (linear relaxation of unit commitment)::

    u[g,t] <= availability[g] * P[g];  m[g] * u[g,t] <= p[g,t] <= u[g,t]

``startup[g,t]``  online capacity that comes up in step t is paid for (startup cost)::

    su[g,t] >= u[g,t] - u[g,prev(t)]

prev(t) is the step before t, cyclic within its period: the whole horizon
without aggregation or with segments, each representative day with typical
days (minimum load, start-ups and ramps apply within each period).

Without a cost on bringing capacity online the relaxation would be empty
(u = p always satisfies it); the startup cost is what makes units stay at
their minimum load through short dips instead of cycling.

``ramp_up, ramp_down``  (cyclic within each period; d = step durations [h])::

    -r[g] * P[g] * (d[t] + d[prev(t)]) / 2 <= p[g,t] - p[g,prev(t)] <= r[g] * P[g] * (d[t] + d[prev(t)]) / 2

(with one-hour steps the allowed change is r[g] * P[g]; between segments it is
the change of the means of two adjacent steps.)

``heat_balance[t]``  CHP heat is tied to its power (back-pressure), boilers top up::

    sum_{c in chp} h[c] * p[c,t] + sum_{b in boiler} p[b,t] + shed_heat[t] >= heat[t]
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData
from energy_model.model.capacity import added_power


def is_fixed(data: LPData, g: str) -> bool:
    """True if technology ``g`` cannot be built beyond its existing capacity."""
    return data.cap_hi[g] <= data.cap_existing[g] and data.cap_lo[g] <= data.cap_existing[g]


def output_bound(data: LPData, g: str, t: int) -> float | None:
    """Upper bound of ``p[g,t]`` [GW]: a number for fixed-capacity technologies, else None."""
    if not is_fixed(data, g) or data.kind[g] == n.STORAGE or data.min_load[g] > 0:
        return None
    if data.kind[g] == n.VARIABLE:
        return float(data.cf[g][t]) * data.cap_existing[g]
    return data.availability[g] * data.cap_existing[g]


def dispatched(data: LPData) -> list[str]:
    """Technologies with an hourly output variable ``p`` (all but storage)."""
    return [g for g in data.techs if data.kind[g] != n.STORAGE]


def add_dispatch(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add hourly output variables and every dispatch constraint family, one function each."""
    m.D = pyo.Set(initialize=dispatched(data), ordered=True)
    m.p = pyo.Var(m.D, m.T, domain=pyo.NonNegativeReals, bounds=lambda m, g, t: (0.0, output_bound(data, g, t)))
    m.shed = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    m.shed_heat = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    add_balance(m, data)
    add_renewable_limit(m, data)
    add_capacity_limit(m, data)
    add_commitment(m, data)
    add_ramping(m, data)
    add_heat_balance(m, data)


def _limited(data: LPData) -> list[str]:
    """Technologies whose hourly output is limited by their capacity (not variable, not storage)."""
    return [g for g in data.techs if data.kind[g] in (n.THERMAL, n.CHP, n.BOILER, n.IMPORT, n.EXPORT)]


def add_balance(m: pyo.ConcreteModel, data: LPData) -> None:
    """``balance[t]``: supply + discharge - charge - exports + unserved = demand [GW]."""
    supply = [g for g in data.techs if data.kind[g] in n.ELECTRIC_SUPPLY_KINDS]
    export = data.by_kind[n.EXPORT]
    demand = data.demand.tolist()

    def balance(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        return (
            sum(m.p[g, t] for g in supply)
            + sum(m.dis[s, t] - m.ch[s, t] for s in m.S)
            - sum(m.p[g, t] for g in export)
            + m.shed[t]
            == demand[t]
        )

    m.balance = pyo.Constraint(m.T, rule=balance)


def add_renewable_limit(m: pyo.ConcreteModel, data: LPData) -> None:
    """``cf_limit[g,t]``: p[g,t] - cf[g,t] * build[g] <= cf[g,t] * existing[g] for expandable variable g."""
    ex = data.cap_existing
    variable = [g for g in data.by_kind[n.VARIABLE] if not is_fixed(data, g)]
    cf = {g: data.cf[g].tolist() for g in variable}
    m.cf_limit = pyo.Constraint(
        [(g, t) for g in variable for t in range(data.hours)],
        rule=lambda m, g, t: m.p[g, t] - cf[g][t] * added_power(m, g) <= cf[g][t] * ex[g],
    )


def add_capacity_limit(m: pyo.ConcreteModel, data: LPData) -> None:
    """``cap_limit[g,t]``: p[g,t] - a[g] * build[g] <= a[g] * existing[g] (expandable, no minimum load)."""
    ex, av = data.cap_existing, data.availability
    plain = [g for g in _limited(data) if data.min_load[g] <= 0 and not is_fixed(data, g)]
    m.cap_limit = pyo.Constraint(
        [(g, t) for g in plain for t in range(data.hours)],
        rule=lambda m, g, t: m.p[g, t] - av[g] * added_power(m, g) <= av[g] * ex[g],
    )


def add_commitment(m: pyo.ConcreteModel, data: LPData) -> None:
    """``online_limit, max_load, min_load, startup``: the linear relaxation of unit commitment.

    u[g,t] <= a[g] * P[g];  m[g] * u[g,t] <= p[g,t] <= u[g,t];  su[g,t] >= u[g,t] - u[g,t-1] (cyclic).
    """
    ex, av = data.cap_existing, data.availability
    committed = [g for g in _limited(data) if data.min_load[g] > 0]
    m.U = pyo.Set(initialize=committed, ordered=True)

    def u_bounds(m: pyo.ConcreteModel, g: str, t: int) -> tuple[float, float | None]:
        return 0.0, (av[g] * ex[g] if is_fixed(data, g) else None)

    m.u = pyo.Var(m.U, m.T, bounds=u_bounds)
    m.online_limit = pyo.Constraint(
        [(g, t) for g in committed if not is_fixed(data, g) for t in range(data.hours)],
        rule=lambda m, g, t: m.u[g, t] - av[g] * added_power(m, g) <= av[g] * ex[g],
    )
    m.max_load = pyo.Constraint(m.U, m.T, rule=lambda m, g, t: m.p[g, t] <= m.u[g, t])
    m.min_load = pyo.Constraint(m.U, m.T, rule=lambda m, g, t: m.p[g, t] >= data.min_load[g] * m.u[g, t])
    prev = data.prev.tolist()
    m.su = pyo.Var(m.U, m.T, domain=pyo.NonNegativeReals)
    m.startup = pyo.Constraint(
        m.U, m.T, rule=lambda m, g, t: m.su[g, t] >= m.u[g, t] - m.u[g, prev[t]]
    )


def add_ramping(m: pyo.ConcreteModel, data: LPData) -> None:
    """``ramp_up, ramp_down``: |p[g,t] - p[g,prev(t)]| <= r[g] * P[g] * (d[t] + d[prev(t)]) / 2, for r[g] < 1."""
    ex, r = data.cap_existing, data.ramp
    ramped = [g for g in _limited(data) if math.isfinite(r[g]) and r[g] < 1.0]
    prev = data.prev.tolist()
    span = ((data.step_hours + data.step_hours[data.prev]) / 2.0).tolist()
    idx = [(g, t) for g in ramped for t in range(data.hours)]

    def ramp_rhs(m: pyo.ConcreteModel, g: str, t: int) -> object:
        rate = r[g] * span[t] if span[t] != 1.0 else r[g]
        return rate * ex[g] if is_fixed(data, g) else rate * m.P[g]

    m.ramp_up = pyo.Constraint(
        idx, rule=lambda m, g, t: m.p[g, t] - m.p[g, prev[t]] <= ramp_rhs(m, g, t)
    )
    m.ramp_down = pyo.Constraint(
        idx, rule=lambda m, g, t: m.p[g, prev[t]] - m.p[g, t] <= ramp_rhs(m, g, t)
    )


def add_heat_balance(m: pyo.ConcreteModel, data: LPData) -> None:
    """``heat_balance[t]``: sum_chp h[c] * p[c,t] + sum_boiler p[b,t] + shed_heat[t] >= heat[t] [GW_th]."""
    chp = data.by_kind[n.CHP]
    boiler = data.by_kind[n.BOILER]
    heat = data.heat_demand.tolist()
    if chp or boiler or max(heat, default=0.0) > 0:
        m.heat_balance = pyo.Constraint(
            m.T,
            rule=lambda m, t: sum(data.heat_to_power[c] * m.p[c, t] for c in chp)
            + sum(m.p[b, t] for b in boiler)
            + m.shed_heat[t]
            >= heat[t],
        )
