"""Hourly price multipliers of a case: what shapes a technology's ``vom_cny_per_mwh`` hour by hour.

``provincial_value``: the province's marginal value of electricity
(:mod:`energy_model.profiles.provincial_value`), computed from the case's own
full-resolution demand shape and the mean capacity factor of its wind and of
its solar profiles, with the province parameters of ``economics``
(``provincial_*``, set per cost year). ``trade_prices``: a technology's own
hourly series from the scenario's trade-prices file, divided by its mean (the
mean is the row's ``vom_cny_per_mwh``). Aggregation, if any, is applied after.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue
from energy_model.io.case import Case
from energy_model.profiles.provincial_value import provincial_value_shape

#: The price profile that takes a technology's own series from the scenario's trade-prices file.
TRADE_PRICES = "trade_prices"


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
    profile = case.technologies["price_profile"] if "price_profile" in case.technologies else pd.Series(dtype=object)
    used = {str(g): str(p) for g, p in profile.dropna().items() if str(p)}
    out: dict[str, np.ndarray] = {}
    if "provincial_value" in used.values():
        e = case.economics
        out["provincial_value"] = provincial_value_shape(
            case.demand_shape, _carrier_cf(case, "wind"), _carrier_cf(case, "solar"),
            wind_share=e.provincial_wind_share, solar_share=e.provincial_solar_share,
            must_run_share=e.provincial_must_run_share, merit_spread=e.provincial_merit_spread,
            surplus_floor=e.provincial_surplus_floor)
    missing = []
    for g, p in used.items():
        if p != TRADE_PRICES:
            continue
        series = case.price_series.get(g)
        if series is None:
            missing.append(g)
            continue
        out[series_key(g)] = np.asarray(series, dtype=float) / float(np.mean(series))
    if missing:
        raise InputError([InputIssue(case.file, f"technologies.{g}.price_profile", "'trade_prices' needs a column "
                                     f"'{g}' in the scenario's trade_prices file", value=TRADE_PRICES)
                          for g in missing])
    return out


def series_key(technology: str) -> str:
    """Name of a technology's own price shape from the trade-prices file."""
    return f"{TRADE_PRICES}:{technology}"
