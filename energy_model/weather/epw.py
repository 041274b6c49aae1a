"""EnergyPlus EPW and NREL TMY3 files (through ``pvlib.iotools``) to canonical frames.

Both formats describe one station. EPW labels are converted by pvlib to the
start of the hour; TMY3 stamps mark the END of the hour and are shifted back
by one hour here. The file's fixed UTC offset is converted to Asia/Shanghai.

A typical-year file (TMY3, TMYx, CSWD, IWEC: 8,760 hours, months from
different years) is mapped onto the requested calendar year with
``coerce_year``; it has no 29 February, so a leap year read from it has
8,760 hours. Hours that the time-zone conversion pushes across the year
boundary (stations outside UTC+8) are wrapped to the other end of the same
typical year. A real-year file keeps all its hours, 8,784 in a leap year.
Missing-value codes (9999, 999.9, ...) become NaN and are then reported;
nothing is filled.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.weather.canonical import TIMEZONE, empty_frame

#: EPW missing-value codes per pvlib column (EnergyPlus Auxiliary Programs, Table 2.x).
EPW_MISSING = {"ghi": 9999.0, "dni": 9999.0, "dhi": 9999.0, "temp_air": 99.9,
               "atmospheric_pressure": 999999.0, "wind_speed": 999.0}


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km]."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _wrap_to_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Move rows outside the local calendar ``year`` by one year (circular typical year)."""
    idx = frame.index
    before = idx.year < year
    after = idx.year > year
    if not (before.any() or after.any()):
        return frame
    new = idx.to_series()
    new[before] = new[before] + pd.DateOffset(years=1)
    new[after] = new[after] - pd.DateOffset(years=1)
    out = frame.copy()
    out.index = pd.DatetimeIndex(new.to_numpy()).tz_convert(TIMEZONE) if new.dt.tz is not None else new
    return out.sort_index()


def read_station_file(path: str | Path, kind: str, site: pd.Series, year: int, *,
                      max_distance_km: float = 100.0) -> pd.DataFrame:
    """Read one EPW or TMY3 file as a canonical frame for one calendar year.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    kind : {"epw", "tmy3"}
        File format.
    site : pandas.Series
        Row of the sites table (``site``, ``latitude_deg``, ``longitude_deg``,
        ``roughness_length_m``).
    year : int
        Calendar year the data are labelled with (``coerce_year``).
    max_distance_km : float, default 100
        Largest allowed distance [km] between the site and the file's station.

    Returns
    -------
    pandas.DataFrame
        Canonical frame (Asia/Shanghai, start-of-hour labels). ``wind_speed_100``
        is NaN (stations measure at 10 m).

    Raises
    ------
    InputError
        Unreadable file, station too far from the site, missing values.
    """
    path = Path(path)
    name = path.name
    import pvlib  # imported when station files are read

    try:
        if kind == "epw":
            df, meta = pvlib.iotools.read_epw(path, coerce_year=year)
            lat, lon = float(meta["latitude"]), float(meta["longitude"])
        elif kind == "tmy3":
            df, meta = pvlib.iotools.read_tmy3(path, coerce_year=year, map_variables=True)
            lat, lon = float(meta["latitude"]), float(meta["longitude"])
            df.index = df.index - pd.Timedelta("1h")  # end-of-hour -> start-of-hour labels
        else:
            raise ValueError(f"unknown station file kind {kind!r}")
    except (OSError, ValueError, KeyError, IndexError, pd.errors.ParserError) as exc:
        raise InputError(InputIssue(name, "", f"cannot read as {kind.upper()}: {exc}")) from exc
    issues: list[InputIssue] = []
    dist = _distance_km(lat, lon, site["latitude_deg"], site["longitude_deg"])
    if dist > max_distance_km:
        issues.append(InputIssue(name, "location", f"station ({lat:.2f}, {lon:.2f}) is {dist:.0f} km from site "
                                 f"{site['site']} ({site['latitude_deg']:.2f}, {site['longitude_deg']:.2f}); "
                                 f"more than max_station_distance_km = {max_distance_km:g}"))
    if df.index.tz is None:
        issues.append(InputIssue(name, "time", "file gives no UTC offset"))
    if issues:
        raise InputError(issues)
    if kind == "epw":
        for col, code in EPW_MISSING.items():
            if col in df:
                df.loc[df[col] >= code, col] = np.nan
        pressure = df["atmospheric_pressure"]  # Pa
    else:
        pressure = df["pressure"] * 100.0  # mbar -> Pa
    out = empty_frame(df.index)
    out["ghi"] = df["ghi"].astype(float)
    out["dni"] = df["dni"].astype(float)
    out["dhi"] = df["dhi"].astype(float)
    out["temp_air"] = df["temp_air"].astype(float)
    out["wind_speed_10"] = df["wind_speed"].astype(float)
    out["pressure"] = pressure.astype(float)
    out["roughness_length"] = float(site["roughness_length_m"])
    out = out.tz_convert(TIMEZONE)
    if len(out) <= 8760:  # typical year: treat as circular
        out = _wrap_to_year(out, year)
    return out
