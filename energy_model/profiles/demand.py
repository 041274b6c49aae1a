"""Hourly electricity and heat demand of the city, built from shape data.

Pure functions: no file I/O (the shape tables are read by
:mod:`energy_model.io.tables`). All times are China Standard Time (UTC+8); a
tz-aware index is converted to it, a tz-naive index is taken as it is.

Electricity load for day ``d`` and hour ``h`` is

.. math::

    P(d, h) = \\frac{E_{yr}}{8760}\\,
              \\frac{r(d, h)}{\\overline{r}_{year(d)}}, \\qquad
    r(d, h) = \\ell(d)\\, w(d)\\, s(d)\\,
              \\left[p_d(h) + c_d\\, k^{cool}(h) + q_d\\, k^{heat}(h)\\right]

with :math:`\\ell` the underlying seasonal level (monthly means interpolated
day by day, mean-preserving), :math:`w` the weekday factor, :math:`s` the
Spring-Festival factor, :math:`p_d` the daily profile (summer and winter
typical days blended by season, mean 1), and :math:`c_d`, :math:`q_d` the
weather terms: the deviation of the day's cooling and heating degrees from
their climatological expectation times a sensitivity [1/°C], spread over the
hours by the weights :math:`k` (mean 1). The mean :math:`\\overline{r}` is
taken over the whole calendar year, so the values at a given hour do not
depend on the slice of the calendar asked for, and a whole calendar year sums
to ``annual_mwh * hours / 8760``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.io.demand_shapes import HOLIDAYS_FILE, HOURS_PER_YEAR, LOCAL_TZ, DemandShape, HeatShape

__all__ = ["HOLIDAYS_FILE", "HOURS_PER_YEAR", "LOCAL_TZ", "DemandShape", "HeatShape", "electricity_demand", "heat_demand"]


# --------------------------------------------------------------------------
# public functions


def electricity_demand(
    time: pd.DatetimeIndex,
    annual_mwh: float,
    shape: DemandShape,
    temperature_c: np.ndarray | None = None,
) -> np.ndarray:
    """Hourly electricity demand of the city.

    Parameters
    ----------
    time : pandas.DatetimeIndex
        Hour-start stamps, China Standard Time (tz-naive, or tz-aware and
        then converted). Any slice of the calendar, several years allowed.
    annual_mwh : float
        Electricity consumption per calendar year. [MWh/yr]
    shape : DemandShape
        Load-shape data.
    temperature_c : numpy.ndarray, optional
        Air temperature at each stamp of ``time`` (same length). Its daily
        means drive the weather term; days of the same calendar years not
        covered by ``time`` use the seeded synthetic weather. [°C]

    Returns
    -------
    numpy.ndarray
        Demand at each stamp. [MW]

    Notes
    -----
    The mean over every whole calendar year is ``annual_mwh / 8760`` MW, so
    a whole calendar year sums to ``annual_mwh * len(time) / 8760`` MWh (a
    leap year gets 24 more hours at the same mean load). A shorter slice gets
    exactly the values of the whole-year series at its stamps.
    """
    _check_annual(annual_mwh, "annual_mwh")
    stamps = _local_naive(time)
    daily_temperature = _daily_temperature_from_hourly(stamps, temperature_c)
    relative = {
        year: _relative_electricity_year(year, shape, daily_temperature)
        for year in np.unique(stamps.year)
    }
    return _pick(stamps, relative) * (annual_mwh / HOURS_PER_YEAR)


def heat_demand(time: pd.DatetimeIndex, annual_mwh_th: float, shape: HeatShape) -> np.ndarray:
    """Hourly industrial heat (steam) demand served by CHP and boilers.

    Parameters
    ----------
    time : pandas.DatetimeIndex
        Hour-start stamps, China Standard Time (see :func:`electricity_demand`).
    annual_mwh_th : float
        Heat consumption per calendar year. [MWh_th/yr]
    shape : HeatShape
        Heat-shape data.

    Returns
    -------
    numpy.ndarray
        Heat demand at each stamp. [MW_th]

    Notes
    -----
    Same normalisation as :func:`electricity_demand`: every whole calendar
    year has the mean ``annual_mwh_th / 8760`` MW_th.
    """
    _check_annual(annual_mwh_th, "annual_mwh_th")
    stamps = _local_naive(time)
    relative = {year: _relative_heat_year(year, shape) for year in np.unique(stamps.year)}
    return _pick(stamps, relative) * (annual_mwh_th / HOURS_PER_YEAR)


def synthetic_daily_temperature(year: int, shape: DemandShape) -> np.ndarray:
    """Deterministic synthetic daily mean temperature of one calendar year.

    Climatology (monthly normals interpolated day by day) plus a first-order
    autoregressive anomaly drawn from a generator seeded by ``(seed, year)``.
    Within each month the anomalies are replaced by normal quantiles of their
    ranks (scaled by the stated standard deviation): the timing of warm and
    cold spells changes with the year, their size does not.

    Parameters
    ----------
    year : int
        Calendar year. [yr]
    shape : DemandShape
        Supplies the normals, anomaly statistics and seed.

    Returns
    -------
    numpy.ndarray
        Daily mean temperature, one value per day of the year. [°C]
    """
    n_days = _days_in_year(year)
    rng = np.random.default_rng([int(shape.seed), int(year)])
    phi = shape.temperature_anomaly_autocorrelation
    noise = rng.standard_normal(n_days)
    anomaly = np.empty(n_days)
    anomaly[0] = noise[0]
    for i in range(1, n_days):
        anomaly[i] = phi * anomaly[i - 1] + math.sqrt(1.0 - phi**2) * noise[i]
    months = _year_days(year).month.to_numpy()
    for month in range(1, 13):
        anomaly[months == month] = _normal_scores(anomaly[months == month])
    return _interpolate_mid_month(shape.normal_temperature_c, year) + anomaly * shape.temperature_anomaly_sd_c


def _normal_scores(values: np.ndarray) -> np.ndarray:
    """Replace values by standard-normal quantiles of their ranks. [-]

    Keeps the order (hence the persistence of warm and cold spells) but
    gives every month the same distribution, so that the design extremes,
    and with them the annual peak, do not depend on the draw.
    """
    ranks = np.argsort(np.argsort(values))
    normal = NormalDist()
    return np.array([normal.inv_cdf((r + 0.5) / len(values)) for r in ranks])


def spring_festival_factor(
    days: pd.DatetimeIndex,
    dates: tuple[dt.date, ...],
    offset_days: tuple[int, ...],
    factor: tuple[float, ...],
) -> np.ndarray:
    """Spring-Festival factor of each day.

    Parameters
    ----------
    days : pandas.DatetimeIndex
        Midnight stamps of the days.
    dates : tuple of datetime.date
        Lunar-new-year days; every year of ``days`` must be covered.
    offset_days : tuple of int
        Increasing offsets from the lunar new year. [d]
    factor : tuple of float
        Factor at each offset; interpolated linearly, 1 outside. [-]

    Returns
    -------
    numpy.ndarray
        Factor per day. [-]

    Raises
    ------
    InputError
        When a year of ``days`` has no lunar-new-year date (the holiday
        table must be extended).
    """
    known = {d.year: d for d in dates}
    missing = sorted(set(days.year) - set(known))
    if missing:
        covered = f"{min(known)}-{max(known)}" if known else "none"
        raise InputError(InputIssue(
            file=HOLIDAYS_FILE, key_path=f"{HOLIDAYS_FILE}:spring_festival",
            message=f"no Spring-Festival (lunar new year) date for year(s) {', '.join(map(str, missing))} "
            f"(covered: {covered}); add a row 'YYYY-MM-DD,spring_festival,春节' per year",
        ))
    day_numbers = days.values.astype("datetime64[D]").astype(np.int64)
    result = np.ones(len(days))
    for date in dates:
        offset = day_numbers - np.datetime64(date, "D").astype(np.int64)
        near = (offset >= offset_days[0]) & (offset <= offset_days[-1])
        result[near] *= np.interp(offset[near], offset_days, factor)
    return result


# --------------------------------------------------------------------------
# building blocks


def _check_annual(value: float, name: str) -> None:
    """Raise ValueError unless ``value`` is a finite number >= 0."""
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def _local_naive(time: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Return ``time`` as tz-naive China Standard Time."""
    stamps = pd.DatetimeIndex(time)
    if stamps.tz is not None:
        stamps = stamps.tz_convert(LOCAL_TZ).tz_localize(None)
    return stamps


def _days_in_year(year: int) -> int:
    """Number of days of a calendar year. [d]"""
    return 366 if calendar.isleap(year) else 365


def _year_days(year: int) -> pd.DatetimeIndex:
    """Midnight stamps of every day of ``year``."""
    return pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")


def _pick(stamps: pd.DatetimeIndex, by_year: dict[int, np.ndarray]) -> np.ndarray:
    """Look up ``by_year[year][day_of_year - 1, hour]`` for each stamp."""
    out = np.empty(len(stamps))
    years = stamps.year.to_numpy()
    doy = stamps.day_of_year.to_numpy() - 1
    hour = stamps.hour.to_numpy()
    for year, table in by_year.items():
        sel = years == year
        out[sel] = table[doy[sel], hour[sel]]
    return out


def _mid_month_positions(year: int) -> np.ndarray:
    """Day-of-year position (0-based, fractional) of each month's middle. [d]"""
    starts = pd.date_range(f"{year}-01-01", periods=13, freq="MS").day_of_year.to_numpy() - 1
    starts[-1] = _days_in_year(year)
    return (starts[:-1] + starts[1:]) / 2.0 - 0.5


def _interpolate_mid_month(values: tuple[float, ...] | np.ndarray, year: int) -> np.ndarray:
    """Periodic linear interpolation of 12 mid-month values to every day."""
    n_days = _days_in_year(year)
    mid = _mid_month_positions(year)
    xp = np.concatenate([[mid[-1] - n_days], mid, [mid[0] + n_days]])
    vals = np.asarray(values, dtype=float)
    fp = np.concatenate([[vals[-1]], vals, [vals[0]]])
    return np.interp(np.arange(n_days), xp, fp)


def _month_mean_matrix(year: int, weights: np.ndarray) -> np.ndarray:
    """Matrix ``M`` with ``month_means = M @ anchors`` for weighted interpolation."""
    months = _year_days(year).month.to_numpy() - 1
    matrix = np.zeros((12, 12))
    for j in range(12):
        unit = np.zeros(12)
        unit[j] = 1.0
        daily = _interpolate_mid_month(unit, year) * weights
        matrix[:, j] = np.bincount(months, weights=daily, minlength=12) / np.bincount(months, minlength=12)
    return matrix


def _mean_preserving_daily(month_means: np.ndarray, year: int, weights: np.ndarray) -> np.ndarray:
    """Smooth daily level whose weighted monthly means equal ``month_means``.

    Solves for mid-month anchor values such that the interpolated level times
    ``weights`` (daily multiplicative effects such as holidays) reproduces the
    given monthly means in ``year``; returns the anchors.
    """
    return np.linalg.solve(_month_mean_matrix(year, weights), month_means)


def _weekday_factor(days: pd.DatetimeIndex, factor: tuple[float, ...]) -> np.ndarray:
    """Weekday factor per day, normalised to a weekly mean of 1. [-]"""
    weekly = np.asarray(factor, dtype=float)
    return (weekly / weekly.mean())[days.day_of_week.to_numpy()]


def _unit_mean(values: tuple[float, ...]) -> np.ndarray:
    """Return ``values`` as an array scaled to mean 1."""
    arr = np.asarray(values, dtype=float)
    return arr / arr.mean()


def _expected_excess(mean: np.ndarray, sd: float, threshold: float, above: bool) -> np.ndarray:
    """Expected degrees beyond ``threshold`` for a normal temperature. [°C]

    ``E[max(T - b, 0)]`` (``above``) or ``E[max(b - T, 0)]`` for
    ``T ~ N(mean, sd)``.
    """
    margin = (mean - threshold) if above else (threshold - mean)
    z = margin / sd
    pdf = np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)
    cdf = 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))
    return sd * pdf + margin * cdf


def _weather_terms(temperature: np.ndarray, year: int, shape: DemandShape) -> tuple[np.ndarray, np.ndarray]:
    """Relative cooling and heating load deviation per day. [-]"""
    normal = _interpolate_mid_month(shape.normal_temperature_c, year)
    sd = shape.temperature_anomaly_sd_c
    cooling = np.maximum(temperature - shape.cooling_base_c, 0.0)
    heating = np.maximum(shape.heating_base_c - temperature, 0.0)
    cooling_dev = cooling - _expected_excess(normal, sd, shape.cooling_base_c, above=True)
    heating_dev = heating - _expected_excess(normal, sd, shape.heating_base_c, above=False)
    return shape.cooling_sensitivity_per_c * cooling_dev, shape.heating_sensitivity_per_c * heating_dev


def _daily_temperature_from_hourly(
    stamps: pd.DatetimeIndex, temperature_c: np.ndarray | None
) -> pd.Series | None:
    """Daily mean of user temperatures, indexed by midnight stamps. [°C]"""
    if temperature_c is None:
        return None
    values = np.asarray(temperature_c, dtype=float)
    if values.shape != (len(stamps),):
        raise ValueError(f"temperature_c has shape {values.shape}, expected ({len(stamps)},) like time")
    if not np.all(np.isfinite(values)):
        raise ValueError("temperature_c contains NaN or infinite values")
    return pd.Series(values, index=stamps).groupby(stamps.normalize()).mean()


def _year_temperature(year: int, shape: DemandShape, observed: pd.Series | None) -> np.ndarray:
    """Daily temperature of ``year``: observed days where given, else synthetic. [°C]"""
    temperature = synthetic_daily_temperature(year, shape)
    if observed is not None:
        days = _year_days(year)
        known = observed.reindex(days)
        mask = known.notna().to_numpy()
        temperature[mask] = known.to_numpy()[mask]
    return temperature


def _daily_profiles(year: int, shape: DemandShape) -> np.ndarray:
    """Season-blended daily profile per day, each of mean 1 (days x 24). [-]"""
    weight = np.clip(_interpolate_mid_month(shape.summer_weight, year), 0.0, 1.0)[:, None]
    return weight * _unit_mean(shape.profile_summer) + (1.0 - weight) * _unit_mean(shape.profile_winter)


def _underlying_anchors(shape: DemandShape) -> np.ndarray:
    """Mid-month level anchors with the reference year's calendar effects removed."""
    year = shape.reference_year
    days = _year_days(year)
    calendar = _weekday_factor(days, shape.weekday_factor) * spring_festival_factor(
        days, shape.spring_festival_dates, shape.spring_festival_offset_days, shape.spring_festival_factor
    )
    return _mean_preserving_daily(np.asarray(shape.month_factor, dtype=float), year, calendar)


def _relative_electricity_year(year: int, shape: DemandShape, observed: pd.Series | None) -> np.ndarray:
    """Relative load of one calendar year (days x 24), mean 1. [-]"""
    days = _year_days(year)
    level = _interpolate_mid_month(_underlying_anchors(shape), year)
    calendar = _weekday_factor(days, shape.weekday_factor) * spring_festival_factor(
        days, shape.spring_festival_dates, shape.spring_festival_offset_days, shape.spring_festival_factor
    )
    cooling, heating = _weather_terms(_year_temperature(year, shape, observed), year, shape)
    hourly = (
        _daily_profiles(year, shape)
        + cooling[:, None] * _unit_mean(shape.cooling_hourly_weight)
        + heating[:, None] * _unit_mean(shape.heating_hourly_weight)
    )
    relative = np.maximum((level * calendar)[:, None] * hourly, 0.0)
    return relative / relative.mean()


def _relative_heat_year(year: int, shape: HeatShape) -> np.ndarray:
    """Relative heat demand of one calendar year (days x 24), mean 1. [-]"""
    days = _year_days(year)
    level = _interpolate_mid_month(shape.month_factor, year)
    calendar = _weekday_factor(days, shape.weekday_factor) * spring_festival_factor(
        days, shape.spring_festival_dates, shape.spring_festival_offset_days, shape.spring_festival_factor
    )
    relative = (level * calendar)[:, None] * _unit_mean(shape.profile)
    return relative / relative.mean()
