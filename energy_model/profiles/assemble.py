"""Weather + plant tables -> capacity-factor DataArray (profile, time)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from energy_model.errors import InputError, InputIssue
from energy_model.io.disk_cache import DiskLayer, decode_dataarray, encode_dataarray
from energy_model.io.memo import ContentCache, frame_digest
from energy_model.profiles.plants import pv_plant, turbine, wind_plant
from energy_model.profiles.pv import pv_capacity_factor
from energy_model.profiles.wind import wind_capacity_factor

TIMEZONE = "Asia/Shanghai"

#: Capacity factors already computed, by the contents of weather, sites and plant tables: in this process, and
#: between processes in the user's cache folder (:mod:`energy_model.io.disk_cache`).
_CACHE: ContentCache[xr.DataArray] = ContentCache(maxsize=4, disk=DiskLayer(
    "capacity_factors", encode_dataarray, decode_dataarray,
    modules=("energy_model.profiles", "energy_model.io.disk_cache"),
    packages=("numpy", "pandas", "xarray", "pvlib", "windpowerlib")))


def capacity_factors(weather: Mapping[str, pd.DataFrame], sites: pd.DataFrame, pv_plants: pd.DataFrame,
                     wind_plants: pd.DataFrame) -> xr.DataArray:
    """Hourly capacity factors of every PV and wind profile.

    Parameters
    ----------
    weather : mapping of str to pandas.DataFrame
        Canonical weather frame per site (:func:`energy_model.weather.load_weather`);
        all sites must share one index.
    sites : pandas.DataFrame
        Validated sites table.
    pv_plants, wind_plants : pandas.DataFrame
        Validated plant tables (:func:`read_plants`).

    Returns
    -------
    xarray.DataArray
        Name ``capacity_factor``, dims ``("profile", "time")``, values in [0, 1],
        attrs ``units = "1"``. A capacity factor is AC output per MW of the
        capacity the plan counts: per MW_dc (peak) for PV, per MW of rated
        turbine power for wind. ``time`` is tz-naive ``datetime64`` in China
        Standard Time (UTC+8, no DST; ``time.attrs["timezone"] =
        "Asia/Shanghai"``); each stamp is the start of its hour. Coordinates
        ``kind`` (pv|wind) and ``site`` along ``profile``.

    Raises
    ------
    InputError
        A plant refers to a site without weather, or the sites' indexes differ.

    Notes
    -----
    The same weather, sites and plant tables (bit-identical contents) give
    the same capacity factors; they are computed once and copied from then on
    (:class:`~energy_model.io.memo.ContentCache`, kept between processes in
    the user's cache folder: :mod:`energy_model.io.disk_cache`).
    """
    key = ("capacity_factors", tuple((str(s), frame_digest(f)) for s, f in sorted(weather.items())),
           frame_digest(sites), frame_digest(pv_plants), frame_digest(wind_plants))
    return _CACHE.get(key, lambda: _compute(weather, sites, pv_plants, wind_plants))


def _compute(weather: Mapping[str, pd.DataFrame], sites: pd.DataFrame, pv_plants: pd.DataFrame,
             wind_plants: pd.DataFrame) -> xr.DataArray:
    """Compute :func:`capacity_factors` afresh (no cache)."""
    issues: list[InputIssue] = []
    site_rows = {r["site"]: r for _, r in sites.iterrows()}
    for table, name in ((pv_plants, "pv_plants.csv"), (wind_plants, "wind_plants.csv")):
        for _, row in table.iterrows():
            line = int(row["line"]) if "line" in row else None
            if row["site"] not in site_rows:
                issues.append(InputIssue(name, "site", "site not in sites.csv", value=row["site"], line=line))
            elif row["site"] not in weather:
                issues.append(InputIssue(name, "site", "no weather loaded for this site", value=row["site"], line=line))
    if issues:
        raise InputError(issues)
    used = sorted(set(pv_plants["site"]) | set(wind_plants["site"]))
    index = weather[used[0]].index if used else pd.DatetimeIndex([], tz=TIMEZONE)
    for s in used[1:]:
        if not weather[s].index.equals(index):
            raise InputError(InputIssue("weather", s, f"time index differs from site {used[0]}'s"))

    names, kinds, site_of, rows = [], [], [], []

    def add(row: pd.Series, kind: str, cf: pd.Series) -> None:
        names.append(row["profile"])
        kinds.append(kind)
        site_of.append(row["site"])
        rows.append(cf.to_numpy())

    for _, row in pv_plants.iterrows():
        s = site_rows[row["site"]]
        add(row, "pv", pv_capacity_factor(weather[row["site"]], pv_plant(row), latitude=s["latitude_deg"],
                                          longitude=s["longitude_deg"], altitude=s["altitude_m"]))
    for _, row in wind_plants.iterrows():
        s = site_rows[row["site"]]
        add(row, "wind", wind_capacity_factor(weather[row["site"]], turbine(row), wind_plant(row),
                                              altitude=s["altitude_m"]))

    time = index.tz_convert(TIMEZONE).tz_localize(None).as_unit("ns")
    data = np.vstack(rows) if rows else np.empty((0, len(time)))
    da = xr.DataArray(
        np.clip(data, 0.0, 1.0), dims=("profile", "time"),
        coords={"profile": names, "time": time, "kind": ("profile", kinds), "site": ("profile", site_of)},
        name="capacity_factor",
        attrs={"units": "1", "long_name": "hourly capacity factor",
               "description": "AC output per MW of counted capacity: MW_dc (peak) for PV, MW rated for wind; "
                              "time = start of hour in China Standard Time (UTC+8)"},
    )
    da["time"].attrs["timezone"] = TIMEZONE
    return da
