"""The hourly value of electricity on the provincial grid, as a multiplier of its annual mean.

A city trades with its province at what the province's marginal unit saves
or costs in that hour. Without public provincial spot prices the shape is
read off a merit order (method and grades: ``inputs/sources.csv`` keys
``provincial_grid.*``)::

    r[t]  = L[t] / mean(L) - a_w * cf_w[t] / mean(cf_w) - a_s * cf_s[t] / mean(cf_s)
            (provincial residual load per unit of mean load; a_w, a_s: wind and
            solar shares of provincial consumption)
    m'[t] = 1 + s * clip(2 * (r[t] - r_5) / (r_95 - r_5) - 1, -1, 1)
            (coal units in merit order: the marginal unit's short-run cost rises
            from 1 - s to 1 + s of the mean between the 5th and 95th percentile
            of residual load)
    m'[t] = f                      where r[t] < must_run
            (renewable surplus: must-run units and curtailment set the value)
    m[t]  = m'[t] / mean(m')       (mean 1: the annual level stays the table's price)

L is the province's load shape (the shipped Jiangsu shape), cf_w and cf_s the
wind and PV capacity factors of the same weather, so the city's own windy and
sunny hours are the province's cheap hours too.
"""

from __future__ import annotations

import numpy as np


def provincial_value_shape(load: np.ndarray, wind_cf: np.ndarray, solar_cf: np.ndarray, *, wind_share: float,
                           solar_share: float, must_run_share: float, merit_spread: float,
                           surplus_floor: float) -> np.ndarray:
    """Hourly multiplier (mean 1) of the provincial marginal value of electricity.

    Parameters
    ----------
    load : numpy.ndarray
        Provincial load shape, any unit (only its relative shape is used) [-].
    wind_cf, solar_cf : numpy.ndarray
        Hourly wind and PV capacity factors of the same hours [-].
    wind_share, solar_share : float
        Annual wind and solar generation as fractions of provincial consumption [-].
    must_run_share : float
        Residual load, per unit of mean load, below which must-run units and
        curtailment set the value (renewable surplus) [-].
    merit_spread : float
        Half-range of the coal merit order's short-run cost around its mean,
        as a fraction of the mean [-].
    surplus_floor : float
        Value in surplus hours as a fraction of the mean value [-].

    Returns
    -------
    numpy.ndarray
        One multiplier per hour [-], mean 1.

    Examples
    --------
    >>> m = provincial_value_shape(np.array([1.0, 2.0, 3.0, 2.0]), np.zeros(4), np.zeros(4), wind_share=0.0,
    ...                            solar_share=0.0, must_run_share=0.0, merit_spread=0.1, surplus_floor=0.5)
    >>> bool(abs(m.mean() - 1.0) < 1e-12), bool(m[2] > m[1] > m[0])
    (True, True)
    """
    load = np.asarray(load, dtype=float)
    hours = len(load)
    if hours == 0:
        return np.zeros(0)

    def per_mean(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        mean = float(x.mean())
        return x / mean if mean > 0 else np.zeros(hours)

    residual = per_mean(load) - wind_share * per_mean(wind_cf) - solar_share * per_mean(solar_cf)
    lo, hi = np.percentile(residual, [5.0, 95.0])
    position = np.clip(2.0 * (residual - lo) / (hi - lo) - 1.0, -1.0, 1.0) if hi > lo else np.zeros(hours)
    value = 1.0 + merit_spread * position
    value = np.where(residual < must_run_share, surplus_floor, value)
    return value / float(value.mean())
