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

In a pathway (:mod:`energy_model.model.pathway`) capacity built in earlier
periods and still in service adds to a period's capacity: with ``V[g]`` the
earlier vintages' builds alive in this period ([GW]; variables of earlier
periods' blocks, or fixed values under myopic foresight)::

    P[g] = existing[g] + build[g] + sum_{v in V[g]} build_v[g]
    cap_total_min[g]:  build[g] + sum_v build_v[g] >= lo[g] - existing[g]
    cap_total_max[g]:  build[g] + sum_v build_v[g] <= hi[g] - existing[g]

(rows only for technologies with earlier vintages; ``build[g]`` then has no
lower bound of its own). Storage energy likewise with ``build_e``. Without
earlier vintages every expression and bound is the plain model's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData


@dataclass
class Earlier:
    """Earlier vintages still in service in one period: (build variable, annuity) per technology.

    ``power[g]`` lists ``(build_v[g], a_v[g])`` pairs: the vintage's build
    variable [GW] (a fixed variable when that build is already decided) and its
    annualised capital cost [MCNY/GW/yr]; ``energy[s]`` the same for storage
    energy [GWh, MCNY/GWh/yr].
    """

    power: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)
    energy: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)


def earlier_of(m: pyo.Block) -> Earlier:
    """The earlier vintages of a model or period block (none for a plain model)."""
    return getattr(m, "earlier", None) or Earlier()


def added_power(m: pyo.Block, g: str) -> Any:
    """Capacity of ``g`` beyond the starting fleet [GW]: ``build[g]`` plus alive earlier vintages."""
    terms = earlier_of(m).power.get(g)
    return m.build[g] + sum(v for v, _ in terms) if terms else m.build[g]


def added_energy(m: pyo.Block, s: str) -> Any:
    """Storage energy of ``s`` beyond the starting fleet [GWh]: ``build_e[s]`` plus alive earlier vintages."""
    terms = earlier_of(m).energy.get(s)
    return m.build_e[s] + sum(v for v, _ in terms) if terms else m.build_e[s]


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


def _own_bounds(bounds: tuple[float, float | None], linked: bool) -> tuple[float, float | None]:
    """A build variable's own bounds: the plain ones, or only the upper one when earlier vintages share the total."""
    return (0.0, bounds[1]) if linked else bounds


def add_capacity(m: pyo.Block, data: LPData, earlier: Earlier | None = None) -> None:
    """Add ``build``, the capacity expression ``P`` and storage energy capacity.

    ``earlier`` (pathways only) lists the earlier vintages still in service;
    their technologies get total-capacity rows instead of a lower bound on ``build``.
    """
    m.earlier = earlier or Earlier()
    old, old_e = m.earlier.power, m.earlier.energy
    m.G = pyo.Set(initialize=data.techs, ordered=True)
    m.build = pyo.Var(m.G, domain=pyo.NonNegativeReals,
                      bounds=lambda m, g: _own_bounds(capacity_bounds(data, g), bool(old.get(g))))
    m.P = pyo.Expression(m.G, rule=lambda m, g: data.cap_existing[g] + added_power(m, g))

    storage = data.by_kind[n.STORAGE]
    m.S = pyo.Set(initialize=storage, ordered=True)

    m.build_e = pyo.Var(m.S, domain=pyo.NonNegativeReals,
                        bounds=lambda m, s: _own_bounds(energy_bounds(data, s), bool(old_e.get(s))))
    m.E = pyo.Expression(m.S, rule=lambda m, s: data.e_existing[s] + added_energy(m, s))
    if old or old_e:
        _add_total_rows(m, data)

    def dur_lo(m: pyo.ConcreteModel, s: str) -> pyo.Expression:
        return m.E[s] >= data.dur_lo[s] * m.P[s] if data.dur_lo[s] > 0 else pyo.Constraint.Skip

    def dur_hi(m: pyo.ConcreteModel, s: str) -> pyo.Expression:
        d = data.dur_hi[s]
        return m.E[s] <= d * m.P[s] if math.isfinite(d) else pyo.Constraint.Skip

    m.duration_min = pyo.Constraint(m.S, rule=dur_lo)
    m.duration_max = pyo.Constraint(m.S, rule=dur_hi)


def _add_total_rows(m: pyo.Block, data: LPData) -> None:
    """``cap_total_min/max`` and ``energy_total_max``: the period's total bounds over all alive vintages."""
    old, old_e = m.earlier.power, m.earlier.energy
    lows = [g for g in data.techs if old.get(g) and capacity_bounds(data, g)[0] > 0]
    highs = [g for g in data.techs if old.get(g) and capacity_bounds(data, g)[1] is not None]
    m.cap_total_min = pyo.Constraint(lows, rule=lambda m, g: added_power(m, g) >= capacity_bounds(data, g)[0])
    m.cap_total_max = pyo.Constraint(highs, rule=lambda m, g: added_power(m, g) <= capacity_bounds(data, g)[1])
    e_highs = [s for s in data.by_kind[n.STORAGE] if old_e.get(s) and energy_bounds(data, s)[1] is not None]
    m.energy_total_max = pyo.Constraint(e_highs, rule=lambda m, s: added_energy(m, s) <= energy_bounds(data, s)[1])
