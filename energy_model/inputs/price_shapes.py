"""Hourly price multipliers of a case: what shapes a technology's ``vom_cny_per_mwh`` hour by hour.

Only ``provincial_value`` today (the province's marginal value of electricity,
:mod:`energy_model.profiles.provincial_value`), computed from the case's own
full-resolution demand shape and the mean capacity factor of its wind and of
its solar profiles, with the province parameters of ``economics``
(``provincial_*``, set per cost year). Aggregation, if any, is applied after.
"""

from __future__ import annotations

import numpy as np

from energy_model import vocabulary as n
from energy_model.io.case import Case
from energy_model.profiles.provincial_value import provincial_value_shape


def _carrier_cf(case: Case, carrier: str) -> np.ndarray:
    """Mean hourly capacity factor of the profiles of the case's variable technologies of one carrier [-]."""
    tech = case.technologies
    names = sorted({str(tech.loc[g, "profile"]) for g in tech.index
                    if str(tech.loc[g, "kind"]) == n.VARIABLE and str(tech.loc[g, "carrier"]) == carrier})
    series = [np.asarray(case.capacity_factors[p], dtype=float) for p in names if p in case.capacity_factors]
    return np.mean(series, axis=0) if series else np.zeros(case.hours)


def price_shapes(case: Case) -> dict[str, np.ndarray]:
    """Hourly multipliers (mean 1 over the horizon) by price-profile name, for the case's hours.

    Returns an empty mapping when no technology has a ``price_profile``.
    """
    used = {str(p) for p in case.technologies["price_profile"].dropna() if str(p)} \
        if "price_profile" in case.technologies else set()
    if not used:
        return {}
    e = case.economics
    shape = provincial_value_shape(
        case.demand_shape, _carrier_cf(case, "wind"), _carrier_cf(case, "solar"),
        wind_share=e.provincial_wind_share, solar_share=e.provincial_solar_share,
        must_run_share=e.provincial_must_run_share, merit_spread=e.provincial_merit_spread,
        surplus_floor=e.provincial_surplus_floor)
    return {"provincial_value": shape}
