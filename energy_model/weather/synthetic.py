"""Deterministic synthetic hourly weather for Yancheng (the offline default).

The generator is statistical, not a weather model. Per calendar year it gives
every site of a sites table a canonical frame (see
:mod:`energy_model.weather.canonical`):

* GHI = pvlib Ineichen clear sky (shipped Linke turbidity) x a stochastic
  clear-sky index: a daily Beta-distributed index with Gaussian-copula AR(1)
  persistence, times hourly log-normal AR(1) cloud noise, rescaled so each
  month's total is on target; DNI/DHI by the Erbs decomposition.
* Air temperature: smooth seasonal cycle + daily AR(1) anomaly + diurnal
  cosine (peak 14:30, larger on clear days) + noise; monthly means on target.
* Wind at 100 m: a latent Gaussian AR(1) per site (correlated between sites),
  rank-transformed within each month to a Weibull marginal whose scale follows
  the winter-monsoon season, times a diurnal factor (night maximum), rescaled
  to each month's target mean. 10 m wind from a day/night power-law shear.

The first year is the calibrated "typical" year (monthly GHI, temperature
and wind means exactly on target). Each further year multiplies the monthly
targets by random annual and monthly factors (spread from the ``interannual``
parameters) so that several years show realistic interannual variability.
Everything is deterministic given the seed.

Every synthetic year has 8,760 hours: 29 February is dropped from leap years.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from energy_model.io.disk_cache import DiskLayer, decode_frames, encode_frames
from energy_model.io.memo import ContentCache, frame_digest
from energy_model.weather.canonical import COLUMNS, TIMEZONE, expected_index
from energy_model.weather.synthetic_params import SyntheticParameters

#: Years of weather already generated, by sites, parameters, years and seed: in this process, and between
#: processes in the user's cache folder (:mod:`energy_model.io.disk_cache`).
_CACHE: ContentCache[dict[str, pd.DataFrame]] = ContentCache(maxsize=4, disk=DiskLayer(
    "weather", encode_frames, decode_frames, modules=("energy_model.weather", "energy_model.io.disk_cache"),
    packages=("numpy", "pandas", "scipy", "pvlib")))


def ar1(n: int, phi: float, rng: np.random.Generator, size: int = 1) -> np.ndarray:
    """Standardised Gaussian AR(1) series.

    Parameters
    ----------
    n : int
        Length.
    phi : float
        Lag-1 autocorrelation [-], ``0 <= phi < 1``.
    rng : numpy.random.Generator
        Random source.
    size : int, default 1
        Number of independent series.

    Returns
    -------
    numpy.ndarray
        Shape ``(size, n)``, unit variance, zero mean in expectation.
    """
    eps = rng.standard_normal((size, n))
    out = np.empty_like(eps)
    out[:, 0] = eps[:, 0]
    scale = np.sqrt(1.0 - phi * phi)
    from scipy.signal import lfilter  # scipy and pvlib are imported when weather is generated, not cached

    out[:, 1:] = lfilter([scale], [1.0, -phi], eps[:, 1:], axis=1, zi=(phi * eps[:, :1]))[0]
    return out


def _monthly_factor(rng: np.random.Generator, annual_sd: float, monthly_sd: float) -> np.ndarray:
    """Multiplicative interannual factors for 12 months [-]."""
    return np.exp(annual_sd * rng.standard_normal() + monthly_sd * rng.standard_normal(12))


def _rescale_months(x: np.ndarray, month: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Scale each month of ``x`` so its mean equals ``target[month-1]``."""
    out = x.copy()
    for m in range(1, 13):
        sel = month == m
        mean = out[sel].mean()
        if mean > 0:
            out[sel] *= target[m - 1] / mean
    return out


def _ghi(cs: np.ndarray, day: np.ndarray, month: np.ndarray, target_daily_wh: np.ndarray,
         p: SyntheticParameters, rng: np.random.Generator, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    """GHI per site [W/m2], shape (n_sites, n_hours); cs is clear-sky GHI per site."""
    s = p.solar
    n_days = int(day.max()) + 1
    day_month = np.zeros(n_days, dtype=int)
    day_month[day] = month
    cs_daily_mean = np.array([cs[:, month == m].mean() for m in range(1, 13)])  # W/m2
    m_kd = np.clip(target_daily_wh / 24.0 / cs_daily_mean - s.kd_offset, 0.05, 0.95)
    a = m_kd * s.kd_concentration
    b = (1 - m_kd) * s.kd_concentration
    from scipy import special, stats

    u = special.ndtr(ar1(n_days, s.kd_phi, rng)[0])
    kd_day = np.clip(stats.beta.ppf(u, a[day_month - 1], b[day_month - 1]) + s.kd_offset, 0.02, 1.0)
    kd = kd_day[day]
    sigma = s.kh_sigma * 4.0 * kd * (1.0 - kd)
    x = ar1(len(day), s.kh_phi, rng, size=n_sites)
    kh = np.clip(kd * np.exp(sigma * x - 0.5 * sigma**2), 0.0, s.max_clear_sky_ratio)
    ghi = cs * kh
    cap = cs * s.max_clear_sky_ratio
    for _ in range(4):  # rescale to target and re-apply the cap; converges in 2-3 passes
        for i in range(n_sites):
            ghi[i] = np.minimum(_rescale_months(ghi[i], month, target_daily_wh / 24.0), cap[i])
    return ghi, kd_day


def _temperature(doy: np.ndarray, hour: np.ndarray, day: np.ndarray, month: np.ndarray, kd_day: np.ndarray,
                 target: np.ndarray, diurnal_amp: np.ndarray, p: SyntheticParameters,
                 rng: np.random.Generator) -> np.ndarray:
    """Air temperature per site [degC], shape (n_sites, n_hours)."""
    t = p.temperature
    mid_doy = np.array([15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349], dtype=float)
    w = 2 * np.pi / 365.0
    design = np.column_stack([np.ones(12), np.cos(w * mid_doy), np.sin(w * mid_doy),
                              np.cos(2 * w * mid_doy), np.sin(2 * w * mid_doy)])
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    hd = doy + hour / 24.0
    seasonal = coef @ np.vstack([np.ones_like(hd), np.cos(w * hd), np.sin(w * hd),
                                 np.cos(2 * w * hd), np.sin(2 * w * hd)])
    anomaly = t.daily_anomaly_sd_c * ar1(len(kd_day), t.daily_anomaly_phi, rng)[0]
    diurnal_shape = np.cos(2 * np.pi * (hour - 14.5) / 24.0) * (1.0 + 1.2 * (kd_day[day] - 0.5))
    n_sites = len(diurnal_amp)
    temp = (seasonal + anomaly[day])[None, :] + diurnal_amp[:, None] * diurnal_shape[None, :]
    temp = temp + t.noise_sd_c * rng.standard_normal((n_sites, len(hour)))
    for i in range(n_sites):
        for m in range(1, 13):
            sel = month == m
            temp[i, sel] += target[m - 1] - temp[i, sel].mean()
    return temp


def _wind100(doy: np.ndarray, hour: np.ndarray, month: np.ndarray, surf: list, p: SyntheticParameters,
             rng: np.random.Generator, factor: np.ndarray) -> np.ndarray:
    """Wind speed at 100 m per site [m/s], shape (n_sites, n_hours)."""
    from scipy import stats

    w = p.wind
    n, n_sites = len(doy), len(surf)
    common = ar1(n, w.hourly_phi, rng)[0]
    own = ar1(n, w.hourly_phi, rng, size=n_sites)
    rho = np.sqrt(w.site_correlation)
    latent = rho * common[None, :] + np.sqrt(1.0 - rho * rho) * own
    season_m = np.array([np.mean(1.0 + w.season_amplitude * np.cos(2 * np.pi * (doy[month == m] - w.season_peak_day)
                                                                    / 365.0)) for m in range(1, 13)])
    season_m /= season_m.mean()
    out = np.empty((n_sites, n))
    for i, sp in enumerate(surf):
        target = sp.mean_speed_100_m_s * season_m * factor
        v = np.empty(n)
        for m in range(1, 13):
            sel = np.flatnonzero(month == m)
            ranks = stats.rankdata(latent[i, sel]) - 0.5
            v[sel] = stats.weibull_min.ppf(ranks / len(sel), sp.weibull_k)
        v *= 1.0 + sp.diurnal_amplitude * np.cos(2 * np.pi * (hour - 2.0) / 24.0)  # night maximum
        out[i] = _rescale_months(v, month, target)
    return out


def synthetic_year(sites: pd.DataFrame, year: int, params: SyntheticParameters, *, seed: int = 1,
                   exact: bool = True, stream: int = 0) -> dict[str, pd.DataFrame]:
    """Generate one synthetic year for every site.

    Parameters
    ----------
    sites : pandas.DataFrame
        Validated sites table (:func:`energy_model.weather.read_sites`).
    year : int
        Calendar year of the labels; 29 February is dropped (8,760 hours).
    params : SyntheticParameters
        Generator parameters.
    seed : int, default 1
        Random seed.
    exact : bool, default True
        Pin monthly GHI, temperature and wind means to their targets (the
        "typical" year). If False, the targets get random interannual factors.
    stream : int, default 0
        Sub-stream of the seed (the position of the year in a multi-year run).

    Returns
    -------
    dict of str to pandas.DataFrame
        Canonical frame per site name (start-of-hour labels, Asia/Shanghai).
    """
    import pvlib

    rng = np.random.default_rng([seed, stream, year])
    idx = expected_index(year, keep_feb29=False)
    mid = idx + pd.Timedelta("30min")
    month = idx.month.to_numpy()
    hour = idx.hour.to_numpy().astype(float) + 0.5
    doy = np.asarray(idx.day_of_year, dtype=float)
    day = np.asarray((idx.normalize() - idx[0].normalize()).days)
    day = np.unique(day, return_inverse=True)[1]
    n_sites = len(sites)
    surf = [params.surfaces[s] for s in sites["surface"]]

    ia = params.interannual
    if exact:
        ghi_f = wind_f = np.ones(12)
        temp_off = np.zeros(12)
    else:
        ghi_f = _monthly_factor(rng, ia.ghi_annual_sd, ia.ghi_monthly_sd)
        wind_f = _monthly_factor(rng, ia.wind_annual_sd, ia.wind_monthly_sd)
        temp_off = ia.temp_annual_sd_c * rng.standard_normal() + ia.temp_monthly_sd_c * rng.standard_normal(12)

    shape = np.asarray(params.solar.monthly_shape_wh_per_m2_day, dtype=float)
    days_in_month = np.array([np.sum(month == m) / 24 for m in range(1, 13)])
    shape_annual_kwh = float((shape * days_in_month).sum()) / 1000.0
    target_daily_wh = shape * params.solar.annual_ghi_kwh_per_m2 / shape_annual_kwh * ghi_f

    cs = np.empty((n_sites, len(idx)))
    zen = np.empty((n_sites, len(idx)))
    for i, row in enumerate(sites.itertuples(index=False)):
        loc = pvlib.location.Location(row.latitude_deg, row.longitude_deg, tz=TIMEZONE, altitude=row.altitude_m)
        sp = loc.get_solarposition(mid)
        zen[i] = sp["apparent_zenith"].to_numpy()
        cs[i] = loc.get_clearsky(mid, model="ineichen", solar_position=sp)["ghi"].to_numpy()
    ghi, kd_day = _ghi(cs, day, month, target_daily_wh, params, rng, n_sites)
    temp = _temperature(doy, hour, day, month, kd_day,
                        np.asarray(params.temperature.monthly_mean_c) + temp_off,
                        np.array([s.temp_diurnal_amplitude_c for s in surf]), params, rng)
    v100 = _wind100(doy, hour, month, surf, params, rng, wind_f)

    out: dict[str, pd.DataFrame] = {}
    for i, row in enumerate(sites.itertuples(index=False)):
        sp_ = surf[i]
        daytime = cs[i] > 0
        alpha = np.where(daytime, sp_.shear_exponent_day, sp_.shear_exponent_night)
        erbs = pvlib.irradiance.erbs(ghi[i], zen[i], mid)
        frame = pd.DataFrame(index=idx, columns=list(COLUMNS), dtype="float64")
        frame["ghi"] = ghi[i]
        frame["dni"] = np.nan_to_num(np.asarray(erbs["dni"], dtype=float))
        frame["dhi"] = np.nan_to_num(np.asarray(erbs["dhi"], dtype=float))
        frame["temp_air"] = temp[i]
        frame["wind_speed_100"] = v100[i]
        frame["wind_speed_10"] = v100[i] * 0.1 ** alpha
        frame["pressure"] = (101325.0 - 12.0 * row.altitude_m
                             + 800.0 * np.cos(2 * np.pi * (doy - 15.0) / 365.0))
        frame["roughness_length"] = float(row.roughness_length_m)
        out[row.site] = frame
    return out


def synthetic_weather(sites: pd.DataFrame, years: Sequence[int], params: SyntheticParameters, *,
                      seed: int = 1) -> dict[str, pd.DataFrame]:
    """Generate consecutive synthetic years for every site.

    Parameters
    ----------
    sites : pandas.DataFrame
        Validated sites table.
    years : sequence of int
        Calendar years; the first is the exact "typical" year, the others carry
        interannual spread.
    params : SyntheticParameters
        Generator parameters.
    seed : int, default 1
        Random seed; the same seed gives the same weather.

    Returns
    -------
    dict of str to pandas.DataFrame
        Canonical frame per site, 8,760 hours per year. The same sites
        table, parameters, years and seed give bit-identical frames; they
        are generated once and copied from then on
        (:class:`~energy_model.io.memo.ContentCache`, kept between processes
        in the user's cache folder: :mod:`energy_model.io.disk_cache`), so a
        caller may change what it gets.
    """
    key = ("synthetic_weather", frame_digest(sites), params.model_dump_json(), tuple(int(y) for y in years),
           int(seed))
    return _CACHE.get(key, lambda: _generate(sites, years, params, seed=seed))


def _generate(sites: pd.DataFrame, years: Sequence[int], params: SyntheticParameters, *,
              seed: int = 1) -> dict[str, pd.DataFrame]:
    """Generate :func:`synthetic_weather` afresh (no cache)."""
    per_year = [synthetic_year(sites, y, params, seed=seed, exact=(k == 0), stream=k)
                for k, y in enumerate(years)]
    return {s: pd.concat([py[s] for py in per_year]) for s in sites["site"]}
