"""Capacity variables: how much of each technology exists after investment.

Decision variables (LP units: GW, GWh)::

    build[g]   >= 0           new power capacity of technology g
    P[g]       = existing[g] + build[g]
    lo[g] <= P[g] <= hi[g]    (bounds on build: lo - existing, hi - existing)

    build_e[s] >= 0           new energy capacity of storage s
    E[s]       = existing_e[s] + build_e[s] <= hi_e[s]
    d_lo[s] * P[s] <= E[s] <= d_hi[s] * P[s]     (duration limits)  [GWh]

Bounds live on the variables so that a sweep or a target test can move them
with ``setlb``/``setub`` and re-solve without rebuilding.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData


def capacity_bounds(data: LPData, tech: str) -> tuple[float, float | None]:
    """Return the (lower, upper) bound of ``build[tech]`` [GW]."""
    existing = data.cap_existing[tech]
    lo = max(0.0, data.cap_lo[tech] - existing)
    hi = data.cap_hi[tech]
    return lo, (None if math.isinf(hi) else max(0.0, hi - existing))


def energy_bounds(data: LPData, storage: str) -> tuple[float, float | None]:
    """Return the (lower, upper) bound of ``build_e[storage]`` [GWh]."""
    hi = data.e_hi[storage]
    return 0.0, (None if math.isinf(hi) else max(0.0, hi - data.e_existing[storage]))


def add_capacity(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add ``build``, the capacity expression ``P`` and storage energy capacity."""
    m.G = pyo.Set(initialize=data.techs, ordered=True)
    m.build = pyo.Var(m.G, domain=pyo.NonNegativeReals, bounds=lambda m, g: capacity_bounds(data, g))
    m.P = pyo.Expression(m.G, rule=lambda m, g: data.cap_existing[g] + m.build[g])

    storage = data.by_kind[n.STORAGE]
    m.S = pyo.Set(initialize=storage, ordered=True)

    m.build_e = pyo.Var(m.S, domain=pyo.NonNegativeReals, bounds=lambda m, s: energy_bounds(data, s))
    m.E = pyo.Expression(m.S, rule=lambda m, s: data.e_existing[s] + m.build_e[s])

    def dur_lo(m: pyo.ConcreteModel, s: str) -> pyo.Expression:
        return m.E[s] >= data.dur_lo[s] * m.P[s] if data.dur_lo[s] > 0 else pyo.Constraint.Skip

    def dur_hi(m: pyo.ConcreteModel, s: str) -> pyo.Expression:
        d = data.dur_hi[s]
        return m.E[s] <= d * m.P[s] if math.isfinite(d) else pyo.Constraint.Skip

    m.duration_min = pyo.Constraint(m.S, rule=dur_lo)
    m.duration_max = pyo.Constraint(m.S, rule=dur_hi)
