"""The canonical hourly weather frame: names, units, and its validation.

Every reader in :mod:`energy_model.weather` returns, per site, one
:class:`pandas.DataFrame` of this form:

* index: hourly, time-zone aware in ``Asia/Shanghai`` (China Standard Time,
  UTC+8, no daylight saving); each label is the START of its hour and every
  value is the mean over ``[label, label + 1 h)``;
* columns (all ``float64``):

  ================== ======= ==============================================
  column             unit    meaning
  ================== ======= ==============================================
  ``ghi``            W/m2    global horizontal irradiance
  ``dni``            W/m2    direct normal irradiance
  ``dhi``            W/m2    diffuse horizontal irradiance
  ``temp_air``       degC    air temperature at 2 m
  ``wind_speed_10``  m/s     wind speed at 10 m above ground / sea
  ``wind_speed_100`` m/s     wind speed at 100 m above ground / sea
  ``pressure``       Pa      surface air pressure
  ``roughness_length`` m     surface roughness length
  ================== ======= ==============================================

A column whose source does not provide the quantity (``dni``/``dhi`` from a
GHI-only file, ``wind_speed_100`` from a 10 m station, ``pressure``) is kept
and is NaN over its whole length; the profile stage then decomposes GHI or
extrapolates wind. A column that is NaN in only *some* hours is an error:
gaps are never filled silently.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from energy_model.errors import InputIssue

#: Time zone of every canonical frame (China Standard Time, UTC+8, no DST).
TIMEZONE = "Asia/Shanghai"

#: Canonical columns and their units.
UNITS: dict[str, str] = {
    "ghi": "W/m2",
    "dni": "W/m2",
    "dhi": "W/m2",
    "temp_air": "degC",
    "wind_speed_10": "m/s",
    "wind_speed_100": "m/s",
    "pressure": "Pa",
    "roughness_length": "m",
}
COLUMNS: tuple[str, ...] = tuple(UNITS)

#: Columns that must be complete (no NaN at all).
REQUIRED: tuple[str, ...] = ("ghi", "temp_air", "roughness_length")

#: Plausible physical range per column after conversion to canonical units.
#: A value outside it almost always means wrong units (K for degC, hPa for
#: Pa, J/m2 or kWh/m2 for W/m2) or an unconverted missing-value code.
RANGES: dict[str, tuple[float, float, str]] = {
    "ghi": (0.0, 1500.0, "W/m2 (a larger value suggests J/m2 or Wh over a longer period)"),
    "dni": (0.0, 1400.0, "W/m2"),
    "dhi": (0.0, 1000.0, "W/m2"),
    "temp_air": (-60.0, 60.0, "degC (a value near 273 suggests kelvin)"),
    "wind_speed_10": (0.0, 75.0, "m/s (a larger value suggests km/h or knots)"),
    "wind_speed_100": (0.0, 90.0, "m/s (a larger value suggests km/h or knots)"),
    "pressure": (50_000.0, 110_000.0, "Pa (a value near 1000 suggests hPa/mbar)"),
    "roughness_length": (1e-6, 5.0, "m"),
}


#: Plausible annual mean per column [canonical unit], with the likely unit slip when it is outside.
#: Every value may lie inside :data:`RANGES` while the series is still in the wrong unit (kW/m2 for
#: W/m2, km/h or knots for m/s); the mean over the year shows it. The scenario flag
#: ``weather.accept_implausible: true`` accepts such data deliberately.
ANNUAL_MEANS: dict[str, tuple[float, float, str, str]] = {
    "ghi": (80.0, 300.0, "irradiance in kW/m2?", "irradiance in Wh/m2 per day or J/m2?"),
    "dni": (20.0, 350.0, "irradiance in kW/m2?", "irradiance in Wh/m2 per day or J/m2?"),
    "dhi": (20.0, 200.0, "irradiance in kW/m2?", "irradiance in Wh/m2 per day or J/m2?"),
    "temp_air": (-30.0, 35.0, "a wrong scale or sign?", "temperature in kelvin or degrees Fahrenheit?"),
    "wind_speed_10": (0.5, 9.0, "wind speed in a unit larger than m/s?", "wind speed in km/h or knots?"),
    "wind_speed_100": (1.0, 12.0, "wind speed in a unit larger than m/s?", "wind speed in km/h or knots?"),
}


def check_annual_means(frame: pd.DataFrame, file: str, *, names: dict[str, str] | None = None) -> list[InputIssue]:
    """Check the mean of each column against its plausible annual range (:data:`ANNUAL_MEANS`).

    Columns with any NaN (absent, or gaps that :func:`check_values` reports)
    are skipped. A column may get both this issue and a value-range issue
    from :func:`check_values` (temperature in kelvin).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical frame covering whole years.
    file : str
        File name used in the issues.
    names : dict, optional
        Source variable name per canonical column, for the messages.

    Returns
    -------
    list of InputIssue
        One per implausible column, e.g. ``ghi annual mean 0.16 W/m2 is outside
        the plausible range 80 to 300 W/m2: irradiance in kW/m2?``.
    """
    names = names or {}
    issues: list[InputIssue] = []
    for col, (lo, hi, low_hint, high_hint) in ANNUAL_MEANS.items():
        values = frame[col].to_numpy(dtype=float)
        if not len(values) or np.isnan(values).any():
            continue
        mean = float(values.mean())
        if lo <= mean <= hi:
            continue
        label = names.get(col, col)
        unit = UNITS[col]
        issues.append(InputIssue(file, label, f"{label} annual mean {mean:.3g} {unit} is outside the plausible "
                                 f"range {lo:g} to {hi:g} {unit}: {low_hint if mean < lo else high_hint} (if the data are "
                                 "right, set weather.accept_implausible: true in the scenario)", value=round(mean, 4)))
    return issues


def empty_frame(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Return an all-NaN canonical frame on ``index``.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Tz-aware hourly index (start-of-hour labels).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, all NaN ``float64``.
    """
    return pd.DataFrame(np.nan, index=index, columns=list(COLUMNS), dtype="float64")


def expected_index(year: int, *, keep_feb29: bool = True) -> pd.DatetimeIndex:
    """Hourly start-of-hour labels of one calendar year in China Standard Time.

    Parameters
    ----------
    year : int
        Calendar year (local time).
    keep_feb29 : bool, default True
        If False, the 24 hours of 29 February are left out (typical-year
        files and the synthetic year have 8,760 hours).

    Returns
    -------
    pandas.DatetimeIndex
        8,760 or 8,784 tz-aware labels.
    """
    idx = pd.date_range(f"{year}-01-01 00:00", f"{year}-12-31 23:00", freq="h", tz=TIMEZONE)
    if not keep_feb29:
        idx = idx[~((idx.month == 2) & (idx.day == 29))]
    return idx


def check_index(index: pd.Index, file: str) -> list[InputIssue]:
    """Check a time index for tz-awareness, duplicates, order and spacing.

    Parameters
    ----------
    index : pandas.Index
        The index to check.
    file : str
        File name used in the issues.

    Returns
    -------
    list of InputIssue
        Empty when the index is tz-aware, unique, increasing and hourly.
    """
    issues: list[InputIssue] = []
    if not isinstance(index, pd.DatetimeIndex):
        return [InputIssue(file, "time", "time stamps could not be parsed as date-times")]
    if index.tz is None:
        issues.append(InputIssue(file, "time", "time stamps carry no time zone and none was declared "
                                 "(give an offset such as +08:00 or set weather.timezone)"))
    dup = index[index.duplicated()]
    if len(dup):
        issues.append(InputIssue(file, "time", f"{len(dup)} duplicate time stamp(s)", value=str(dup[0])))
    if len(index) > 1:
        steps = np.diff(index.as_unit("ns").asi8)
        hour = pd.Timedelta("1h").value
        bad = np.flatnonzero(steps < 0)
        if len(bad):
            issues.append(InputIssue(file, "time", "time stamps are not in increasing order",
                                     value=str(index[bad[0] + 1])))
        gaps = np.flatnonzero(steps > hour)
        leap = [g for g in gaps if _is_leap_day_gap(index[g], index[g + 1])]
        if leap:
            year = _local(index[leap[0]]).year
            issues.append(InputIssue(file, "time", f"29 February {year} is missing (a 24-hour gap from 28 February to "
                                     f"1 March): {year} is a leap year and needs 8,784 hours; use that year's "
                                     "data with its leap day, or a non-leap year in weather.years",
                                     value=str(_local(index[leap[0]]))))
        other = [g for g in gaps if g not in leap]
        if other:
            issues.append(InputIssue(file, "time", f"{len(other)} gap(s) in the hourly series; first after",
                                     value=str(_local(index[other[0]]))))
        sub = np.flatnonzero((steps > 0) & (steps < hour))
        if len(sub):
            issues.append(InputIssue(file, "time", "time step is shorter than one hour (hourly data expected)",
                                     value=str(index[sub[0] + 1])))
    return issues


def _local(stamp: pd.Timestamp) -> pd.Timestamp:
    """A stamp in China Standard Time (naive stamps are taken as already local)."""
    return stamp.tz_convert(TIMEZONE) if stamp.tzinfo is not None else stamp


def _is_leap_day_gap(before: pd.Timestamp, after: pd.Timestamp) -> bool:
    """True when exactly the 24 local hours of 29 February lie between two consecutive stamps."""
    a, b = _local(before), _local(after)
    return (a.month, a.day, a.hour) == (2, 28, 23) and (b.month, b.day, b.hour) == (3, 1, 0) and a.is_leap_year


def check_values(frame: pd.DataFrame, file: str, *, names: dict[str, str] | None = None) -> list[InputIssue]:
    """Check NaNs and physical ranges of a canonical frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical frame (columns :data:`COLUMNS`).
    file : str
        File name used in the issues.
    names : dict, optional
        Source variable name per canonical column (e.g. ``{"temp_air": "t2m"}``),
        so that messages name the variable as it appears in the file.

    Returns
    -------
    list of InputIssue
    """
    names = names or {}
    issues: list[InputIssue] = []
    for col in COLUMNS:
        label = names.get(col, col)
        s = frame[col]
        nan = s.isna().to_numpy()
        if nan.all():
            if col in REQUIRED:
                issues.append(InputIssue(file, label, f"required variable '{label}' is missing "
                                         f"(canonical {col} [{UNITS[col]}])"))
            continue
        if nan.any():
            issues.append(InputIssue(file, label, f"{int(nan.sum())} missing value(s) (NaN); gaps are "
                                     "not filled: repair the file", value=str(frame.index[np.argmax(nan)])))
        lo, hi, unit = RANGES[col]
        v = s.to_numpy()[~nan]
        if v.min() < lo - 1e-6 or v.max() > hi:
            worst = v.max() if v.max() > hi else v.min()
            issues.append(InputIssue(file, label, f"value outside the plausible range [{lo:g}, {hi:g}] "
                                     f"{unit}: wrong units or a missing-value code?", value=float(worst)))
    if frame["wind_speed_10"].isna().all() and frame["wind_speed_100"].isna().all():
        issues.append(InputIssue(file, names.get("wind_speed_100", "wind_speed"),
                                 "no wind speed at any height (need wind_speed_10 or wind_speed_100)"))
    if frame["dni"].isna().all() != frame["dhi"].isna().all():
        issues.append(InputIssue(file, "dni/dhi", "give both dni and dhi, or neither (GHI is then decomposed)"))
    return issues


def check_solar_timing(frame: pd.DataFrame, file: str, longitude_deg: float, *,
                       tolerance_h: float = 0.75) -> list[InputIssue]:
    """Check that irradiance peaks around local solar noon (catches series shifted by a time zone).

    The GHI-weighted circular mean of the hour of day (mid-hour, China Standard
    Time) must lie within ``tolerance_h`` hours of solar noon at the site,
    ``12 + (120 - longitude) / 15`` h (the equation of time, at most 16 min,
    is ignored). A UTC series read as local time peaks around 04:00.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical frame (tz-aware index).
    file : str
        File name used in the issue.
    longitude_deg : float
        Site longitude [deg E].
    tolerance_h : float
        Allowed distance from solar noon [h].

    Returns
    -------
    list of InputIssue
    """
    ghi = frame["ghi"].to_numpy(dtype=float)
    if not np.isfinite(ghi).all() or ghi.sum() <= 0:
        return []
    hour = frame.index.tz_convert(TIMEZONE).hour.to_numpy() + 0.5
    angle = 2 * np.pi * hour / 24
    c, s = float(np.sum(ghi * np.cos(angle))), float(np.sum(ghi * np.sin(angle)))
    if np.hypot(c, s) < 0.1 * ghi.sum():  # no daily cycle to judge
        return []
    centre = (np.arctan2(s, c) * 24 / (2 * np.pi)) % 24
    noon = 12 + (120.0 - longitude_deg) / 15
    shift = (centre - noon + 12) % 24 - 12
    if abs(shift) <= tolerance_h:
        return []
    return [InputIssue(file, "ghi", f"irradiance peaks around {centre:04.1f} h local time, {shift:+.1f} h from "
                       f"solar noon ({noon:.1f} h): time stamps in the wrong time zone (UTC read as local?) or "
                       "labelling the wrong end of the hour", value=round(float(centre), 1))]


def select_years(frame: pd.DataFrame, years: Sequence[int], file: str, *,
                 keep_feb29: bool = True) -> tuple[pd.DataFrame, list[InputIssue]]:
    """Cut the requested calendar years (local time) out of a frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tz-aware hourly frame (any tz; it is converted to :data:`TIMEZONE`).
    years : sequence of int
        Calendar years wanted, in China Standard Time.
    file : str
        File name used in the issues.
    keep_feb29 : bool, default True
        Whether 29 February belongs to the expected index.

    Returns
    -------
    frame : pandas.DataFrame
        Rows of the requested years, consecutive in the index.
    issues : list of InputIssue
        One per year whose hours are not all present ("wrong length").
    """
    frame = frame.tz_convert(TIMEZONE)
    issues: list[InputIssue] = []
    parts = []
    for year in years:
        want = expected_index(year, keep_feb29=keep_feb29)
        have = frame.index.intersection(want)
        if len(have) != len(want):
            span = (f"{frame.index[0]} to {frame.index[-1]}" if len(frame) else "nothing")
            missing = want.difference(have)
            issues.append(InputIssue(
                file, "time",
                f"wrong length: year {year} needs {len(want)} hourly values in {TIMEZONE} "
                f"(local {want[0]} to {want[-1]}, start-of-hour labels) but {len(have)} were found; "
                f"first missing hour {missing[0]}; the data cover {span}", value=len(have)))
            continue
        parts.append(frame.loc[want])
    out = pd.concat(parts) if parts else frame.iloc[:0]
    return out, issues
