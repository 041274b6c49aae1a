"""Plausibility of a site's weather beyond value ranges: irradiance at night, and wind too strong for this coast.

Two slips pass the per-value ranges and the annual means of
:mod:`energy_model.weather.canonical`:

- stamps shifted by an hour or a time zone: irradiance appears in hours the
  sun is below the horizon throughout (:func:`check_night_irradiance`);
- wind in knots at a calm site: a 100 m mean of 5.5 m/s is 10.7 kn, inside the
  general 1-12 m/s range, and the onshore capacity factor triples
  (:func:`check_coast_wind`).

Both are skipped with ``weather.accept_implausible: true`` only for the wind
check (a night-time irradiance is never right).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy_model.errors import InputIssue

#: Irradiance above which an hour with the sun below the horizon throughout counts as wrong [W/m2].
NIGHT_GHI_W_M2 = 10.0
#: Such hours allowed in a year (stray values, rounding at dawn) before the series is refused.
NIGHT_HOURS_ALLOWED = 24
#: Sun elevation below which it counts as down [deg]: a little below the horizon, for refraction, the
#: minutes of error of the sun-position formula and hour-averaged data at dawn and dusk.
SUN_DOWN_DEG = -3.0
#: Highest plausible annual mean wind speed on this coast per surface and height [m/s]. The
#: synthetic calibration (inputs/synthetic_weather.yaml) has 5.5 m/s at 100 m onshore and 7.6 m/s
#: offshore; the bounds leave 60 % and 45 % above those, while the same series in knots lies above.
COAST_WIND_MAX_M_S: dict[str, dict[str, float]] = {
    "onshore": {"wind_speed_10": 7.0, "wind_speed_100": 9.0},
    "offshore": {"wind_speed_10": 9.0, "wind_speed_100": 11.0},
}


def sun_below_horizon(index: pd.DatetimeIndex, latitude_deg: float, longitude_deg: float) -> np.ndarray:
    """Whether the sun is below the horizon during the whole hour starting at each stamp.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hour starts, tz-aware.
    latitude_deg, longitude_deg : float
        Site position [deg N, deg E].

    Returns
    -------
    numpy.ndarray of bool
        True where the sun is below :data:`SUN_DOWN_DEG` at the start, middle and end of the hour
        (Spencer 1971 declination and equation of time; accurate to a few minutes).
    """
    from pvlib import solarposition  # imported when weather files are checked, not for synthetic weather

    below = np.ones(len(index), dtype=bool)
    for minutes in (0, 30, 60):
        t = index + pd.Timedelta(minutes=minutes)
        doy = t.dayofyear.to_numpy()
        dec = solarposition.declination_spencer71(doy)
        eot = solarposition.equation_of_time_spencer71(doy)
        ha = np.radians(solarposition.hour_angle(t, longitude_deg, eot))
        zen = solarposition.solar_zenith_analytical(np.radians(latitude_deg), ha, dec)
        below &= np.asarray(zen) > np.radians(90.0 - SUN_DOWN_DEG)
    return below


def check_night_irradiance(frame: pd.DataFrame, file: str, latitude_deg: float,
                           longitude_deg: float) -> list[InputIssue]:
    """Refuse irradiance in hours when the sun is below the horizon throughout (shifted stamps).

    Returns
    -------
    list of InputIssue
        One issue when more than :data:`NIGHT_HOURS_ALLOWED` hours have GHI above
        :data:`NIGHT_GHI_W_M2` with the sun down, naming the count, the first
        such stamp and the likely cause.
    """
    ghi = frame["ghi"].to_numpy(dtype=float)
    if not len(ghi) or not np.isfinite(ghi).all():
        return []
    wrong = (ghi > NIGHT_GHI_W_M2) & sun_below_horizon(pd.DatetimeIndex(frame.index), latitude_deg, longitude_deg)
    count = int(wrong.sum())
    if count <= NIGHT_HOURS_ALLOWED:
        return []
    first = frame.index[np.flatnonzero(wrong)[0]]
    return [InputIssue(file, "ghi", f"irradiance above {NIGHT_GHI_W_M2:g} W/m2 in {count} hours when the sun is "
                       f"below the horizon (first {first:%Y-%m-%d %H:%M %z}): time stamps shifted (a time zone, "
                       "daylight saving, or labelling the wrong end of the hour)", value=count)]


def check_coast_wind(frame: pd.DataFrame, file: str, surface: str, *,
                     names: dict[str, str] | None = None) -> list[InputIssue]:
    """Refuse an annual mean wind speed above what this coast has (:data:`COAST_WIND_MAX_M_S`): knots or km/h.

    Columns with NaN (absent heights) are skipped, as is a surface without bounds.
    """
    names = names or {}
    issues = []
    for col, high in COAST_WIND_MAX_M_S.get(surface, {}).items():
        values = frame[col].to_numpy(dtype=float) if col in frame else np.zeros(0)
        if not len(values) or np.isnan(values).any():
            continue
        mean = float(values.mean())
        if mean > high:
            label = names.get(col, col)
            issues.append(InputIssue(file, label, f"{label} annual mean {mean:.3g} m/s is above {high:g} m/s, the "
                                     f"most plausible for an {surface} site of this coast: looks like knots or km/h "
                                     "(if the data are right, set weather.accept_implausible: true in the scenario)",
                                     value=round(mean, 3)))
    return issues
