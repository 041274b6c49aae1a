"""Helpers for the weather and profile tests: small files written under tmp_path."""

from __future__ import annotations

import socket
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from energy_model.weather import validate_sites

WARNING_FILTERS = [
    "ignore::DeprecationWarning",
    "ignore::FutureWarning",
    "ignore:.*initialised without a power curve.*",
]

ONSHORE = (33.35, 120.45)


def sites_frame(rows: list[tuple] | None = None) -> pd.DataFrame:
    """Validated sites table; rows (site, lat, lon, alt, surface, z0)."""
    rows = rows or [("coast", *ONSHORE, 3.0, "onshore", 0.05), ("sea", 33.6, 121.0, 0.0, "offshore", 0.0002)]
    df = pd.DataFrame(rows, columns=["site", "latitude_deg", "longitude_deg", "altitude_m", "surface",
                                     "roughness_length_m"])
    return validate_sites(df, "sites.csv")


@contextmanager
def sockets_blocked():
    """Make any DNS lookup or socket connection fail (and record it)."""
    attempts: list[object] = []

    def deny(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access blocked in tests")

    saved = (socket.getaddrinfo, socket.socket.connect, socket.create_connection)
    socket.getaddrinfo = deny
    socket.socket.connect = deny
    socket.create_connection = deny
    try:
        yield attempts
    finally:
        socket.getaddrinfo, socket.socket.connect, socket.create_connection = saved


def true_ghi(index_start: pd.DatetimeIndex, lat: float, lon: float) -> pd.Series:
    """Hourly-mean 'truth' GHI [W/m2] on start-of-hour labels: clear sky at mid-hour x 0.8."""
    loc = pvlib.location.Location(lat, lon, tz="UTC")
    cs = loc.get_clearsky(index_start + pd.Timedelta("30min"), model="haurwitz")["ghi"]
    return pd.Series(0.8 * cs.to_numpy(), index=index_start)


def era5_dataset(times_utc: pd.DatetimeIndex, *, lats=(34.0, 33.75, 33.5, 33.25, 33.0),
                 lons=(120.0, 120.25, 120.5, 120.75, 121.0, 121.25), gradient: float = 0.0) -> xr.Dataset:
    """ERA5-like dataset: stamps in UTC, ssrd/fdir accumulated over the hour ENDING at the stamp.

    The field is uniform in space except for ``ssrd`` and ``u100`` multiplied by
    ``1 + gradient * (lat - 33.5)``. Latitudes are DESCENDING as in ERA5.
    """
    lats, lons = np.asarray(lats, float), np.asarray(lons, float)
    start_labels = times_utc - pd.Timedelta("1h")
    ghi = true_ghi(start_labels, *ONSHORE).to_numpy()
    n = len(times_utc)
    hours = np.arange(n)
    shape = (n, len(lats), len(lons))
    ones = np.ones(shape)
    lat_f = (1 + gradient * (lats - 33.5))[None, :, None] * np.ones(shape)

    def field(x, f=ones):
        return (np.asarray(x)[:, None, None] * f).astype("float32")

    ds = xr.Dataset(
        {
            "u100": (("time", "latitude", "longitude"), field(6.0 + np.sin(hours / 7.0), lat_f), {"units": "m s**-1"}),
            "v100": (("time", "latitude", "longitude"), field(np.full(n, 2.0)), {"units": "m s**-1"}),
            "u10": (("time", "latitude", "longitude"), field(4.0 + 0.5 * np.sin(hours / 7.0)), {"units": "m s**-1"}),
            "v10": (("time", "latitude", "longitude"), field(np.full(n, 1.0)), {"units": "m s**-1"}),
            "t2m": (("time", "latitude", "longitude"), field(288.15 + 5 * np.sin(hours / 24.0)), {"units": "K"}),
            "sp": (("time", "latitude", "longitude"), field(np.full(n, 101000.0)), {"units": "Pa"}),
            "ssrd": (("time", "latitude", "longitude"), field(ghi * 3600.0, lat_f), {"units": "J m**-2"}),
            "fdir": (("time", "latitude", "longitude"), field(ghi * 3600.0 * 0.6), {"units": "J m**-2"}),
        },
        coords={"time": times_utc.tz_localize(None) if times_utc.tz is not None else times_utc,
                "latitude": lats, "longitude": lons},
    )
    return ds


def write_era5_new(ds: xr.Dataset, folder: Path, *, zip_name: str | None = "era5.zip") -> list[Path]:
    """Write the current CDS layout: valid_time, number/expver, instant + accum files (optionally zipped)."""
    ds = ds.rename(time="valid_time")
    ds = ds.assign_coords(number=0, expver=("valid_time", np.array(["0001"] * ds.sizes["valid_time"])))
    enc = {v: {"zlib": True} for v in ds.data_vars}
    inst = folder / "data_stream-oper_stepType-instant.nc"
    acc = folder / "data_stream-oper_stepType-accum.nc"
    ds[["u100", "v100", "u10", "v10", "t2m", "sp"]].to_netcdf(inst, encoding={k: enc[k] for k in
                                                                             ["u100", "v100", "u10", "v10", "t2m", "sp"]})
    ds[["ssrd", "fdir"]].to_netcdf(acc, encoding={k: enc[k] for k in ["ssrd", "fdir"]})
    if zip_name is None:
        return [inst, acc]
    zpath = folder / zip_name
    with zipfile.ZipFile(zpath, "w") as z:
        z.write(inst, inst.name)
        z.write(acc, acc.name)
    inst.unlink()
    acc.unlink()
    return [zpath]


def write_era5_legacy(ds: xr.Dataset, path: Path) -> Path:
    """Write the older layout: dimension 'time', int16 packed with scale_factor/add_offset."""
    enc = {}
    for v in ds.data_vars:
        lo, hi = float(ds[v].min()), float(ds[v].max())
        scale = (hi - lo) / 60000.0 if hi > lo else 1.0
        enc[v] = {"dtype": "int16", "scale_factor": scale, "add_offset": (hi + lo) / 2, "_FillValue": -32767}
    ds.to_netcdf(path, encoding=enc)
    return path


def year_utc_stamps(year: int) -> pd.DatetimeIndex:
    """UTC stamps covering local (UTC+8) calendar year ``year`` for both instant and accumulated fields."""
    start = pd.Timestamp(f"{year - 1}-12-31 16:00", tz="UTC")
    end = pd.Timestamp(f"{year}-12-31 16:00", tz="UTC")
    return pd.date_range(start, end, freq="h")


def write_weather_csv(path: Path, index: pd.DatetimeIndex, *, naive: bool = False, **columns) -> Path:
    """Write the project's CSV weather format."""
    stamps = index.strftime("%Y-%m-%dT%H:%M") if naive else index.strftime("%Y-%m-%dT%H:%M%z").str.replace(
        r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    df = pd.DataFrame({"time": stamps, **{k: np.asarray(v) for k, v in columns.items()}})
    df.to_csv(path, index=False)
    return path


def simple_weather(index: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Plausible columns for the CSV format on ``index`` (tz-aware)."""
    n = len(index)
    h = np.arange(n)
    ghi = np.clip(800 * np.sin(np.pi * ((index.hour.to_numpy() - 6) / 12.0)), 0, None)
    return {"ghi": ghi, "temp_air": 15 + 8 * np.sin(h / 24.0), "wind_speed_10": 4 + np.sin(h / 5.0),
            "wind_speed_100": 7 + np.sin(h / 5.0), "pressure": np.full(n, 101000.0)}


EPW_HEADER = [
    "LOCATION,Sheyang,JS,CHN,TEST,581500,{lat},{lon},8.0,5.0",
    "DESIGN CONDITIONS,0",
    "TYPICAL/EXTREME PERIODS,0",
    "GROUND TEMPERATURES,0",
    "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
    "COMMENTS 1,written by a test",
    "COMMENTS 2,synthetic values",
    "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
]


def write_epw(path: Path, year: int, *, lat: float = 33.77, lon: float = 120.25, hours: int | None = None,
              ghi_scale: float = 1.0, bad_temp_row: int | None = None) -> tuple[Path, pd.DataFrame]:
    """Write a minimal EPW (35 fields per row); returns path and the values written (start labels, UTC+8)."""
    idx = pd.date_range(f"{year}-01-01 00:00", periods=hours or (8784 if year % 4 == 0 else 8760), freq="h")
    n = len(idx)
    hour = idx.hour.to_numpy()
    ghi = np.round(ghi_scale * np.clip(700 * np.sin(np.pi * (hour + 0.5 - 6) / 12.0), 0, None))
    dni = np.round(ghi * 0.7)
    dhi = np.round(ghi * 0.3)
    temp = np.round(10 + 8 * np.sin(np.arange(n) / 24.0), 1)
    wind = np.round(3 + np.sin(np.arange(n) / 9.0), 1)
    lines = [h.format(lat=lat, lon=lon) for h in EPW_HEADER]
    for i, t in enumerate(idx):
        tt = 99.9 if i == bad_temp_row else temp[i]
        row = [t.year, t.month, t.day, t.hour + 1, 60, "?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9",
               tt, 0.0, 60, 101000, 9999, 9999, 300, ghi[i], dni[i], dhi[i], 999999, 999999, 999999, 9999,
               180, wind[i], 5, 5, 9999, 77777, 9, 999999999, 0, 0.2, 0, 88, 0.2, 0, 0]
        lines.append(",".join(str(x) for x in row))
    path.write_text("\n".join(lines) + "\n")
    truth = pd.DataFrame({"ghi": ghi, "dni": dni, "dhi": dhi, "temp_air": temp, "wind_speed_10": wind},
                         index=idx.tz_localize("Asia/Shanghai"))
    return path, truth
