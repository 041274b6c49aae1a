"""The multi-period (pathway) LP: one block of the plain model per period, linked by vintages.

Block ``m.period[i]`` is built by :func:`~energy_model.model.build.add_families`
from period i's LP data, so every constraint family, target and cost of a
period is the plain model's. ``build`` of block p is vintage p. With
``alive(g, v, p)`` true when capacity of g built in period v still serves
period p (``year[v] <= year[p] < year[v] + lifetime[g]``), in LP units (GW,
GWh, million CNY)::

    P_p[g] = existing_p[g] + sum_{v <= p, alive(g, v, p)} build_v[g]              [GW]
    E_p[s] = existing_e_p[s] + sum_{v <= p, alive(s, v, p)} build_e_v[s]          [GWh]
    lo_p[g] <= P_p[g] <= hi_p[g],  E_p[s] <= hi_e_p[s]     (rows once earlier vintages contribute,
                                                            variable bounds otherwise)
    build_p[g] >= committed_p[g],  build_e_p[s] >= committed_e_p[s]
    capex_p = sum_{v alive at p} a_v[g] * build_v[g] + a_e_v[s] * build_e_v[s]   [MCNY/yr]
             (a_v: annuity at vintage v's cost year, paid in every period it serves)
    cost_p  = capex_p + fom_p(P_p, E_p) + vom_p + ... (the plain model's components)   [MCNY/yr]

    minimise  sum_p (W_p / W_0) * cost_p

with ``W_p = sum_{k < years_p} (1 + r)^-(year_p + k - year_0)`` [yr]. The
block objectives are deactivated; with one period the LP has the plain
model's rows, columns and objective.

Myopic foresight solves one such LP per period; the builds of earlier
periods enter as fixed variables ``b.prior_build[g, v]`` (``prior_gw`` of
:class:`~energy_model.inputs.pathway.PathwayLinks`): their capacity adds to
P_p while alive and their annuities are a constant of cost_p.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData
from energy_model.inputs.pathway import PathwayLinks
from energy_model.model.build import add_families
from energy_model.model.capacity import Earlier


def _prior(b: pyo.Block, links: PathwayLinks, year: int, earlier: Earlier) -> None:
    """Fixed variables for builds decided before this LP (myopic), added to ``earlier`` while alive."""
    keys = [k for k in links.prior_gw if links.alive.get((k[0], k[1], year), False)]
    keys_e = [k for k in links.prior_gwh if links.alive.get((k[0], k[1], year), False)]
    b.prior_build = pyo.Var(keys, initialize=lambda b, g, v: links.prior_gw[g, v])
    b.prior_build_e = pyo.Var(keys_e, initialize=lambda b, s, v: links.prior_gwh[s, v])
    for g, v in keys:
        b.prior_build[g, v].fix()
        earlier.power.setdefault(g, []).append((b.prior_build[g, v], links.prior_capex[g, v]))
    for s, v in keys_e:
        b.prior_build_e[s, v].fix()
        earlier.energy.setdefault(s, []).append((b.prior_build_e[s, v], links.prior_capex_e[s, v]))


def build_pathway_model(datas: list[LPData], links: PathwayLinks) -> pyo.ConcreteModel:
    """Build the multi-period LP (equations in the module docstring).

    Parameters
    ----------
    datas : list of LPData
        One per period, in the order of ``links.years``.
    links : PathwayLinks
        Period years, objective multipliers W_p / W_0, vintages alive,
        committed builds [GW, GWh] and (myopic) earlier decided builds.

    Returns
    -------
    pyomo.environ.ConcreteModel
        ``m.period[i]`` the blocks (each with ``lp_data``, ``earlier`` and the
        plain model's components), ``m.total_cost`` the one active objective
        [MCNY, in period-0 annual terms], ``m.years`` and ``m.multiplier``.
    """
    if len(datas) != len(links.years):
        raise ValueError(f"{len(datas)} periods of LP data for {len(links.years)} period years")
    m = pyo.ConcreteModel(name="city_power_pathway")
    m.years = tuple(links.years)
    m.multiplier = tuple(links.multiplier)
    m.period = pyo.Block(range(len(datas)))
    for i, (data, year) in enumerate(zip(datas, links.years)):
        b = m.period[i]
        earlier = Earlier()
        _prior(b, links, year, earlier)
        for j in range(i):
            v, old = links.years[j], m.period[j]
            for g in data.techs:
                if links.alive.get((g, v, year), False):
                    earlier.power.setdefault(g, []).append((old.build[g], old.lp_data.capex[g]))
            for s in data.by_kind[n.STORAGE]:
                if links.alive.get((s, v, year), False):
                    earlier.energy.setdefault(s, []).append((old.build_e[s], old.lp_data.e_capex[s]))
        add_families(b, data, earlier)
        _commit(b, links, year)
        b.total_cost.deactivate()
    m.total_cost = pyo.Objective(
        expr=sum(w * m.period[i].total_cost.expr for i, w in enumerate(links.multiplier)), sense=pyo.minimize)
    return m


def _commit(b: pyo.Block, links: PathwayLinks, year: int) -> None:
    """Raise the lower bound of ``build`` / ``build_e`` to the committed builds of this period [GW, GWh]."""
    for (g, y), gw in links.committed_gw.items():
        if y == year and g in b.G:
            b.build[g].setlb(max(_lb(b.build[g]), gw))
    for (s, y), gwh in links.committed_gwh.items():
        if y == year and s in b.S:
            b.build_e[s].setlb(max(_lb(b.build_e[s]), gwh))


def _lb(var: Any) -> float:
    return float(var.lb) if var.lb is not None else 0.0
