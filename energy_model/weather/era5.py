"""ERA5 single-level NetCDF (current CDS layout and the older one) to canonical frames.

Accepted files:

* current CDS download: time dimension ``valid_time`` with ``number``/``expver``
  coordinates; instantaneous and accumulated variables may sit in two files
  (``...stepType-instant.nc``, ``...stepType-accum.nc``) delivered in a zip;
* older layout: time dimension ``time``, often int16 packed with
  ``scale_factor``/``add_offset`` (decoded by xarray), possibly with an
  ``expver`` dimension (ERA5 + ERA5T).

Variables: ``u100, v100`` (required), ``u10, v10`` (optional, recommended),
``t2m`` [K] and ``ssrd`` [J/m2] (required), ``fdir`` [J/m2] and ``sp`` [Pa]
(optional), ``fsr`` [m] forecast surface roughness (optional).

Conventions applied:

* time stamps are UTC; accumulated fields (``ssrd``, ``fdir``) at stamp t are
  energy over (t-1h, t], divided by 3600 s to give a mean W/m2 and relabelled
  to the START of the hour (t-1h);
* instantaneous fields at t label the hour starting at t (an approximation of
  the hourly mean);
* ``fdir`` is direct irradiance on a HORIZONTAL plane; DNI = fdir/cos(zenith)
  with the zenith at the middle of the hour, zero above 87 deg zenith;
* latitude may be ascending or descending; a site must lie inside the grid
  (nearest: within half a cell of its edge; bilinear: strictly inside).
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from energy_model.errors import InputError, InputIssue
from energy_model.weather.canonical import TIMEZONE, check_index, empty_frame

#: Accepted ``units`` attributes per ERA5 variable.
UNITS_OK: dict[str, set[str]] = {
    "u100": {"m s**-1", "m s-1", "m/s"}, "v100": {"m s**-1", "m s-1", "m/s"},
    "u10": {"m s**-1", "m s-1", "m/s"}, "v10": {"m s**-1", "m s-1", "m/s"},
    "t2m": {"K"}, "sp": {"Pa"}, "ssrd": {"J m**-2", "J m-2", "J/m2", "J/m^2"},
    "fdir": {"J m**-2", "J m-2", "J/m2", "J/m^2"}, "fsr": {"m"},
}
REQUIRED_VARS = ("u100", "v100", "t2m", "ssrd")
ACCUMULATED = ("ssrd", "fdir")
#: Plausible ranges of the raw ERA5 values (to catch unit mix-ups without attrs).
RAW_RANGES: dict[str, tuple[float, float, str]] = {
    "t2m": (180.0, 340.0, "K"), "sp": (40_000.0, 110_000.0, "Pa"),
    "ssrd": (-1000.0, 5.0e6, "J m**-2 per hour"), "fdir": (-1000.0, 5.0e6, "J m**-2 per hour"),
}


def _expand(paths: Sequence[Path], tmp: Path) -> list[tuple[Path, str]]:
    """Unzip archives; return (netcdf path, name for messages)."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    if name.endswith(".nc"):
                        target = tmp / f"{len(out)}_{Path(name).name}"
                        target.write_bytes(z.read(name))
                        out.append((target, f"{p.name}:{name}"))
        else:
            out.append((p, p.name))
    return out


def _normalise(ds: xr.Dataset, name: str) -> tuple[xr.Dataset, list[InputIssue]]:
    """Rename dims to (time, latitude, longitude), collapse expver/number."""
    issues: list[InputIssue] = []
    ds = ds.rename({k: v for k, v in {"valid_time": "time", "lat": "latitude", "lon": "longitude"}.items()
                    if k in ds.dims or k in ds.coords})
    if "expver" in ds.dims:  # older ERA5/ERA5T mix: take the first non-NaN version
        parts = [ds.isel(expver=i, drop=True) for i in range(ds.sizes["expver"])]
        merged = parts[0]
        for p in parts[1:]:
            merged = merged.combine_first(p)
        ds = merged
    if "number" in ds.dims:
        ds = ds.isel(number=0, drop=True)
    ds = ds.drop_vars([v for v in ("number", "expver") if v in ds.variables], errors="ignore")
    for dim in ("time", "latitude", "longitude"):
        if dim not in ds.dims:
            issues.append(InputIssue(name, dim, f"dimension '{dim}' not found (dims: {list(ds.dims)})"))
    for var in ds.data_vars:
        units = ds[var].attrs.get("units")
        if var in UNITS_OK and units is not None and units not in UNITS_OK[var]:
            issues.append(InputIssue(name, var, f"wrong units: expected {sorted(UNITS_OK[var])[0]!r}",
                                     value=units))
    return ds, issues


def _grid_issue(ds: xr.Dataset, site: str, lat: float, lon: float, method: str, name: str) -> InputIssue | None:
    la, lo = ds["latitude"].values, ds["longitude"].values
    half_la = abs(np.diff(la)).min() / 2 if len(la) > 1 else 0.125
    half_lo = abs(np.diff(lo)).min() / 2 if len(lo) > 1 else 0.125
    pad_la, pad_lo = (half_la, half_lo) if method == "nearest" else (0.0, 0.0)
    if method == "bilinear" and (len(la) < 2 or len(lo) < 2):
        return InputIssue(name, f"site {site}", "bilinear interpolation needs at least 2x2 grid cells")
    inside = (la.min() - pad_la <= lat <= la.max() + pad_la) and (lo.min() - pad_lo <= lon <= lo.max() + pad_lo)
    if not inside:
        return InputIssue(name, f"site {site}", f"site ({lat:.3f} N, {lon:.3f} E) lies outside the NetCDF grid "
                          f"(lat {la.min():.2f}..{la.max():.2f}, lon {lo.min():.2f}..{lo.max():.2f})")
    return None


def _point(ds: xr.Dataset, lat: float, lon: float, method: str) -> pd.DataFrame:
    if method == "nearest":
        pt = ds.sel(latitude=lat, longitude=lon, method="nearest")
    else:
        pt = ds.sortby("latitude").sortby("longitude").interp(latitude=lat, longitude=lon, method="linear")
    df = pt.drop_vars([c for c in pt.coords if c != "time"]).to_dataframe()
    df.index = pd.DatetimeIndex(df.index).tz_localize("UTC")
    return df


def read_era5(paths: Sequence[str | Path], sites: pd.DataFrame, *,
              interpolation: str = "nearest") -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read ERA5 NetCDF files and return a canonical frame per site.

    Parameters
    ----------
    paths : sequence of path
        NetCDF files or zips of NetCDF files; together they must hold every
        required variable for the whole period.
    sites : pandas.DataFrame
        Validated sites table.
    interpolation : {"nearest", "bilinear"}
        Grid-to-site method.

    Returns
    -------
    frames : dict of str to pandas.DataFrame
        Canonical frame per site, UTC hours converted to Asia/Shanghai; the
        index spans the union of the files (years are cut later).
    names : dict of str to str
        ERA5 variable name per canonical column (for messages).

    Raises
    ------
    InputError
        Missing variable, wrong units, NaN, duplicate/unordered/gapped time
        stamps, site outside the grid; all issues of all files together.
    """
    files = [Path(p) for p in paths]
    issues: list[InputIssue] = []
    label = ", ".join(p.name for p in files)
    for p in files:
        if not p.is_file():
            issues.append(InputIssue(p.name, "", f"ERA5 file not found: {p}"))
    if issues:
        raise InputError(issues)
    series: dict[str, dict[str, list[pd.Series]]] = {s: {} for s in sites["site"]}
    with tempfile.TemporaryDirectory() as tmp:
        for path, name in _expand(files, Path(tmp)):
            try:
                with xr.open_dataset(path) as raw:
                    ds = raw.load()
            except (OSError, ValueError) as exc:
                issues.append(InputIssue(name, "", f"cannot open as NetCDF: {exc}"))
                continue
            ds, found = _normalise(ds, name)
            issues += found
            if any(i.key_path in ("time", "latitude", "longitude") for i in found):
                continue
            issues += check_index(pd.DatetimeIndex(ds["time"].values).tz_localize("UTC"), name)
            for var, (lo, hi, unit) in RAW_RANGES.items():
                if var in ds:
                    vmin, vmax = float(ds[var].min()), float(ds[var].max())
                    if vmin < lo or vmax > hi:
                        issues.append(InputIssue(name, var, f"values outside [{lo:g}, {hi:g}] {unit}: wrong units?",
                                                 value=vmax if vmax > hi else vmin))
            for row in sites.itertuples(index=False):
                bad = _grid_issue(ds, row.site, row.latitude_deg, row.longitude_deg, interpolation, name)
                if bad:
                    issues.append(bad)
                    continue
                df = _point(ds, row.latitude_deg, row.longitude_deg, interpolation)
                for var in df.columns:
                    if var not in UNITS_OK:
                        continue
                    nan = df[var].isna().to_numpy()
                    if nan.any():
                        issues.append(InputIssue(name, var, f"{int(nan.sum())} NaN value(s) at site {row.site}; "
                                                 "gaps are not filled", value=str(df.index[np.argmax(nan)])))
                    series[row.site].setdefault(var, []).append(df[var])
    if issues:
        raise InputError(issues)
    frames: dict[str, pd.DataFrame] = {}
    for row in sites.itertuples(index=False):
        have = series[row.site]
        missing = [v for v in REQUIRED_VARS if v not in have]
        if missing:
            issues += [InputIssue(label, v, f"required ERA5 variable '{v}' is missing in every file") for v in missing]
            continue
        cols = {}
        for var, parts in have.items():
            s = pd.concat(parts).sort_index()
            dup = s.index[s.index.duplicated()]
            if len(dup):
                issues.append(InputIssue(label, var, "duplicate time stamps across files", value=str(dup[0])))
                s = s[~s.index.duplicated()]
            cols[var] = s
        frames[row.site] = _to_canonical(cols, row)
    if issues:
        raise InputError(issues)
    names = {"ghi": "ssrd", "dni": "fdir", "dhi": "ssrd-fdir", "temp_air": "t2m", "wind_speed_10": "u10/v10",
             "wind_speed_100": "u100/v100", "pressure": "sp", "roughness_length": "fsr"}
    return frames, names


def _to_canonical(cols: dict[str, pd.Series], site) -> pd.DataFrame:
    """Convert point series (UTC, ERA5 units) to a canonical frame."""
    hour = pd.Timedelta("1h")
    inst_idx = cols["t2m"].index
    acc_idx = cols["ssrd"].index - hour
    idx = inst_idx.union(acc_idx)
    out = empty_frame(idx.tz_convert(TIMEZONE))

    def put(col: str, s: pd.Series, shift: bool = False) -> None:
        s = s.copy()
        if shift:
            s.index = s.index - hour
        out[col] = s.reindex(idx).to_numpy()

    put("ghi", (cols["ssrd"] / 3600.0).clip(lower=0.0), shift=True)
    put("temp_air", cols["t2m"] - 273.15)
    put("wind_speed_100", np.hypot(cols["u100"], cols["v100"]))
    if "u10" in cols and "v10" in cols:
        put("wind_speed_10", np.hypot(cols["u10"], cols["v10"]))
    if "sp" in cols:
        put("pressure", cols["sp"])
    if "fsr" in cols:
        put("roughness_length", cols["fsr"])
    else:
        out["roughness_length"] = float(site.roughness_length_m)
    if "fdir" in cols:
        bhi = (cols["fdir"] / 3600.0).clip(lower=0.0)
        bhi.index = bhi.index - hour
        bhi = bhi.reindex(idx)
        mid = idx + pd.Timedelta("30min")
        import pvlib  # imported when ERA5 files are read

        zen = pvlib.solarposition.get_solarposition(mid, site.latitude_deg, site.longitude_deg,
                                                    altitude=site.altitude_m)["zenith"].to_numpy()
        cosz = np.cos(np.radians(zen))
        dni = np.where(zen < 87.0, bhi.to_numpy() / np.maximum(cosz, 1e-3), 0.0)
        dni = np.where(np.isnan(bhi.to_numpy()), np.nan, np.clip(dni, 0.0, 1300.0))
        out["dni"] = dni
        out["dhi"] = np.clip(out["ghi"].to_numpy() - dni * np.clip(cosz, 0.0, None), 0.0, None)
    # the first/last hour exist for only one of the two step types: drop those edge rows
    keep = idx.intersection(inst_idx).intersection(acc_idx)
    return out.loc[keep.tz_convert(TIMEZONE)]
