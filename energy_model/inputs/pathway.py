"""Turn a :class:`~energy_model.io.pathway_spec.Pathway` into what the multi-period LP is built from.

Each period's validated Case goes through the plain route
(:func:`~energy_model.inputs.assemble.assemble_case` ->
:func:`~energy_model.inputs.lp_units.lp_data`), so every family, target and
cost of a period is exactly the plain scenario's. What links the periods is
:class:`PathwayLinks`, in LP units (GW, GWh, million CNY): the one place the
pathway's MW / MWh figures are converted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import xarray as xr

from energy_model import vocabulary as n
from energy_model.inputs.assemble import assemble_case
from energy_model.inputs.lp_units import LPData, lp_data
from energy_model.io.pathway_spec import Pathway


@dataclass(frozen=True)
class PathwayLinks:
    """The LP-level data that ties the periods of a pathway together.

    Attributes
    ----------
    years : tuple of int
        The periods' years (one block each, in order).
    multiplier : tuple of float
        Objective weight of each period's annual cost, ``W[p] / W[0]`` [-].
    alive : mapping of (str, int, int) to bool
        ``(technology, built year, period year)`` -> capacity of that vintage
        serves that period. Built years include earlier decided vintages
        (``prior_gw``) under myopic foresight.
    committed_gw, committed_gwh : mapping of (str, int) to float
        Builds the model must make, by (technology, period year) [GW, GWh].
    prior_gw, prior_gwh : mapping of (str, int) to float
        Builds already decided before the first period of this LP, by
        (technology, built year) [GW, GWh] (myopic foresight; empty otherwise).
    prior_capex, prior_capex_e : mapping of (str, int) to float
        Their annuities [MCNY/GW/yr, MCNY/GWh/yr], at their own vintage's cost year.
    """

    years: tuple[int, ...]
    multiplier: tuple[float, ...]
    alive: Mapping[tuple[str, int, int], bool]
    committed_gw: Mapping[tuple[str, int], float] = field(default_factory=dict)
    committed_gwh: Mapping[tuple[str, int], float] = field(default_factory=dict)
    prior_gw: Mapping[tuple[str, int], float] = field(default_factory=dict)
    prior_gwh: Mapping[tuple[str, int], float] = field(default_factory=dict)
    prior_capex: Mapping[tuple[str, int], float] = field(default_factory=dict)
    prior_capex_e: Mapping[tuple[str, int], float] = field(default_factory=dict)


def lifetime_of(pathway: Pathway, tech: str, built: int) -> float:
    """Life of ``tech`` built in period year ``built`` [yr]: the pathway's, else that period's table."""
    if tech in pathway.lifetime:
        return float(pathway.lifetime[tech])
    table = pathway.cases[pathway.periods.index(built)].technologies
    value = float(table.loc[tech, "lifetime_yr"]) if "lifetime_yr" in table else math.nan
    return value if math.isfinite(value) else math.inf


def period_inputs(pathway: Pathway) -> tuple[list[xr.Dataset], list[LPData]]:
    """ModelInputs and LP data of every period, each through the plain route."""
    inputs = [assemble_case(case) for case in pathway.cases]
    return inputs, [lp_data(ds) for ds in inputs]


def pathway_links(pathway: Pathway, techs: list[str]) -> PathwayLinks:
    """The links of a pathway's periods, in LP units.

    Parameters
    ----------
    pathway : Pathway
        The validated pathway.
    techs : list of str
        The technologies of the periods' LP data.

    Returns
    -------
    PathwayLinks
        Vintages alive by ``year[v] <= year[p] < year[v] + lifetime`` and the
        committed builds converted MW -> GW, MWh -> GWh.
    """
    w = pathway.weights()
    years = tuple(pathway.periods)
    alive = {(g, v, p): v <= p < v + lifetime_of(pathway, g, v) for g in techs for v in years for p in years}
    return PathwayLinks(
        years=years,
        multiplier=tuple(x / w[0] for x in w),
        alive=alive,
        committed_gw={k: float(mw) / n.MW_PER_LP for k, mw in pathway.committed_mw.items()},
        committed_gwh={k: float(mwh) / n.MW_PER_LP for k, mwh in pathway.committed_mwh.items()},
    )


def myopic_links(pathway: Pathway, techs: list[str], index: int, built_gw: Mapping[tuple[str, int], float],
                 built_gwh: Mapping[tuple[str, int], float], datas: list[LPData]) -> PathwayLinks:
    """Links of the one-period LP of period ``index`` under myopic foresight.

    ``built_gw`` / ``built_gwh`` are the builds decided by the earlier periods'
    LPs, by (technology, built year) [GW, GWh]; ``datas`` the periods' LP data
    (their annuities are the earlier vintages' costs).
    """
    full = pathway_links(pathway, techs)
    year = pathway.periods[index]
    earlier = pathway.periods[:index]
    return PathwayLinks(
        years=(year,),
        multiplier=(1.0,),
        alive={(g, v, year): full.alive[g, v, year] for g in techs for v in (*earlier, year)},
        committed_gw={k: x for k, x in full.committed_gw.items() if k[1] == year},
        committed_gwh={k: x for k, x in full.committed_gwh.items() if k[1] == year},
        prior_gw={k: x for k, x in built_gw.items() if k[1] in earlier},
        prior_gwh={k: x for k, x in built_gwh.items() if k[1] in earlier},
        prior_capex={(g, v): datas[pathway.periods.index(v)].capex[g] for g, v in built_gw},
        prior_capex_e={(s, v): datas[pathway.periods.index(v)].e_capex[s] for s, v in built_gwh},
    )
