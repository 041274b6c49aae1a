"""Checks that a scenario can serve its demand at all, before anything is built or solved.

The LP never becomes infeasible for lack of supply: unserved energy is a
variable priced at the value of lost load. A scenario that excludes every
generator, or caps every supply below the demand, is therefore "solved" to a
result in which the city goes dark, and every check passes. These checks
refuse such a scenario as an input error that names the scenario file and
the key to change.

The test is an upper bound: in each hour no technology can deliver more
than its largest possible capacity (``max_mw``, or ``existing_mw`` when that
is larger; unlimited when ``max_mw`` is empty) times its availability or, for
wind and solar, its capacity factor in that hour. Storage counts with its
power limit only when something else can generate. Fuel limits are not
counted, so a scenario that passes may still leave demand unserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue

if TYPE_CHECKING:
    from energy_model.io.scenario_file import LoadedScenario

#: Kinds that deliver heat to the heat balance.
HEAT_SUPPLY_KINDS: tuple[str, ...] = (n.CHP, n.BOILER)
#: Demand above the supply bound by less than this is not reported [MW].
TOLERANCE_MW = 1e-6


def largest_capacity_mw(techs: pd.DataFrame) -> pd.Series:
    """Largest capacity each technology can reach [MW]: ``max_mw`` (or ``existing_mw`` if larger); inf when open."""
    existing = pd.to_numeric(techs["existing_mw"], errors="coerce").fillna(0.0)
    upper = pd.to_numeric(techs["max_mw"], errors="coerce").fillna(np.inf)
    return np.maximum(existing, upper)


def supply_bound_mw(techs: pd.DataFrame, profiles: Mapping[str, np.ndarray], hours: int) -> np.ndarray:
    """Most electricity all technologies together could deliver in each hour [MW] (see the module docstring)."""
    cap = largest_capacity_mw(techs)
    avail = pd.to_numeric(techs["availability"], errors="coerce").fillna(1.0)
    bound = np.zeros(hours)
    for tech, row in techs.iterrows():
        kind = str(row["kind"])
        if kind == n.VARIABLE:
            cf = np.asarray(profiles.get(str(row["profile"]), np.ones(hours)), dtype=float)
            bound = bound + (cf * cap[tech] if np.isfinite(cap[tech]) else np.where(cf > 0, np.inf, 0.0))
        elif kind in (n.THERMAL, n.CHP, n.IMPORT, n.STORAGE):
            bound = bound + cap[tech] * avail[tech] if cap[tech] > 0 else bound
    return bound


def check_serveable(loaded: LoadedScenario, techs: pd.DataFrame, demand_mw: np.ndarray, heat_mw: np.ndarray,
                    profiles: Mapping[str, np.ndarray], time: pd.DatetimeIndex) -> None:
    """Refuse a scenario whose demand no combination of its technologies could serve.

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario (file name, key lines, exclusions, demand source).
    techs : pandas.DataFrame
        Technologies after exclusions and overrides.
    demand_mw, heat_mw : numpy.ndarray
        Hourly electricity and heat demand over the horizon [MW].
    profiles : mapping of str to numpy.ndarray
        Capacity factor per profile over the horizon [-].
    time : pandas.DatetimeIndex
        The horizon's hours (for the message).

    Raises
    ------
    InputError
        No technology left that generates or imports electricity; demand in
        some hour above the most that could be delivered then; heat demand
        with no CHP or boiler left.
    """
    issues = _electricity_issues(loaded, techs, np.asarray(demand_mw, dtype=float), profiles, time)
    issues += _heat_issues(loaded, techs, np.asarray(heat_mw, dtype=float))
    if issues:
        raise InputError(issues)


def _key(loaded: LoadedScenario, fallback: str) -> tuple[str, int | None]:
    """The key to blame: ``exclude_technologies`` when the scenario excludes any, else ``fallback``."""
    if loaded.scenario.exclude_technologies:
        return "exclude_technologies", loaded.lines.get("exclude_technologies")
    return fallback, loaded.lines.get(fallback)


def _electricity_issues(loaded: LoadedScenario, techs: pd.DataFrame, demand: np.ndarray,
                        profiles: Mapping[str, np.ndarray], time: pd.DatetimeIndex) -> list[InputIssue]:
    if not len(demand) or float(np.max(demand)) <= TOLERANCE_MW:
        return []
    file = loaded.path.name
    demand_key = "demand.file" if loaded.scenario.demand.file is not None else "demand.annual_twh"
    cap = largest_capacity_mw(techs)
    suppliers = [str(t) for t in techs.index if str(techs.loc[t, "kind"]) in n.ELECTRIC_SUPPLY_KINDS and cap[t] > 0]
    if not suppliers:
        key, line = _key(loaded, demand_key)
        left = ", ".join(str(t) for t in techs.index) or "none"
        return [InputIssue(file, key, "no technology is left that can generate or import electricity (kinds "
                           f"{', '.join(n.ELECTRIC_SUPPLY_KINDS)} with a capacity above 0 MW); technologies left: "
                           f"{left}. Nothing could serve the demand of {float(np.max(demand)):,.0f} MW",
                           line=line)]
    bound = supply_bound_mw(techs, profiles, len(demand))
    short = demand - bound
    bad = np.flatnonzero(short > TOLERANCE_MW)
    if not len(bad):
        return []
    worst = int(bad[np.argmax(short[bad])])
    key, line = _key(loaded, demand_key)
    when = pd.Timestamp(time[worst]).strftime("%Y-%m-%d %H:%M") if len(time) > worst else f"hour {worst}"
    return [InputIssue(file, key, f"demand of {demand[worst]:,.0f} MW at {when} is above the most that the "
                       f"technologies could deliver in that hour ({bound[worst]:,.0f} MW at their largest "
                       f"capacities); demand cannot be served in {len(bad):,} of {len(demand):,} hours whatever "
                       "is built: raise max_mw, bring excluded technologies back or lower the demand", line=line)]


def _heat_issues(loaded: LoadedScenario, techs: pd.DataFrame, heat: np.ndarray) -> list[InputIssue]:
    if not len(heat) or float(np.max(heat)) <= TOLERANCE_MW:
        return []
    cap = largest_capacity_mw(techs)
    if any(str(techs.loc[t, "kind"]) in HEAT_SUPPLY_KINDS and cap[t] > 0 for t in techs.index):
        return []
    key, line = _key(loaded, "heat_demand.annual_twh")
    return [InputIssue(loaded.path.name, key, "no CHP or boiler is left to serve the heat demand of "
                       f"{float(np.max(heat)):,.0f} MW; keep one or set heat_demand.annual_twh to 0", line=line)]
