"""File formats of a run folder: CSV for spreadsheets, JSON, NetCDF.

CSV files are written for zh-CN spreadsheet programs as well as for scripts:

- UTF-8 **with** a byte-order mark (``utf-8-sig``), so Excel shows Chinese
  labels instead of mojibake;
- numbers in plain decimal notation (never ``1.70829e+09``), rounded to the
  column's display precision: six significant digits of the column's largest
  value, at most :data:`MAX_DECIMALS` decimals (fewer for units where smaller
  steps mean nothing, see :func:`max_decimals`). Anything below that
  precision, solver leftovers such as ``0.00097`` t of LNG next to millions
  of t of coal, is written as ``0``;
- text cells that start with ``= + - @`` followed by a non-number get a
  leading quote so spreadsheet programs do not run them as formulas.
"""

from __future__ import annotations

import errno
import json
import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import xarray as xr

#: Significant digits kept relative to a column's largest magnitude.
SIGNIFICANT = 6
#: Most decimals written for any number.
MAX_DECIMALS = 6
#: Most decimals by unit suffix of a column name: power and energy to 1 kW / 1 kWh, money (also per unit) to 0.01 CNY.
UNIT_DECIMALS: tuple[tuple[str, int], ...] = (
    (r"_mw(_th)?$", 3), (r"_mwh(_th)?(_per_yr)?$", 3), (r"_cny(_per_[a-z_]+)?$", 2), (r"_t(_per_yr)?$", 3),
)


def max_decimals(column: str) -> int:
    """Most decimals that mean something for a column, from the unit in its name [-]."""
    for pattern, dec in UNIT_DECIMALS:
        if re.search(pattern, column):
            return dec
    return MAX_DECIMALS


def display_decimals(values: np.ndarray, cap: int = MAX_DECIMALS) -> int:
    """Decimals that show ``SIGNIFICANT`` digits of the largest finite magnitude, between 0 and ``cap``."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    if top == 0.0:
        return 0
    return int(min(max(SIGNIFICANT - 1 - math.floor(math.log10(top)), 0), cap))


def at_display_precision(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round to ``decimals``; values below that precision (and ``-0``) become exactly 0."""
    out = np.round(np.asarray(values, dtype=float), decimals)
    out[out == 0] = 0.0
    return out


def format_column(values: np.ndarray, decimals: int) -> np.ndarray:
    """Plain decimal strings at ``decimals`` (trailing zeros dropped; NaN as empty, inf as ``inf``)."""
    rounded = at_display_precision(values, decimals)
    finite = np.isfinite(rounded)
    text = np.full(rounded.shape, "", dtype=object)
    if finite.any():
        s = pd.Series(np.char.mod(f"%.{decimals}f", rounded[finite]))
        if decimals > 0:
            s = s.str.rstrip("0").str.rstrip(".")
        text[finite] = s.to_numpy(dtype=object)
    text[np.isposinf(rounded)] = "inf"
    text[np.isneginf(rounded)] = "-inf"
    return text


def _safe_cell(value: object) -> object:
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return np.format_float_positional(float(value), trim="-")  # numbers among text: no exponent either
    if isinstance(value, str) and value and value[0] in "=+-@\t\r" and value not in ("-", "+"):  # a lone dash: no formula
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def csv_ready(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> pd.DataFrame:
    """The frame as it goes into a CSV: numbers at display precision as text, formula-safe text.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table to write.
    decimals : dict, optional
        Column -> fixed number of decimals (instead of the display-precision rule).
    """
    safe = frame.copy()
    text = pd.api.types.is_string_dtype  # object columns and pandas 3's "str" dtype alike
    fixed = decimals or {}
    for col in safe.columns:
        dtype = safe[col].dtype
        if pd.api.types.is_float_dtype(dtype):
            values = safe[col].to_numpy(dtype=float)
            dec = fixed.get(col, display_decimals(values, max_decimals(str(col))))
            safe[col] = format_column(values, dec)
        elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
            continue
        elif text(dtype):
            safe[col] = safe[col].map(_safe_cell)
    if text(safe.index.dtype):
        safe.index = safe.index.map(_safe_cell)
    return safe


def write_csv(frame: pd.DataFrame, path: Path, index: bool = True, *,
              decimals: dict[str, int] | None = None) -> None:
    """Write a CSV for spreadsheets: UTF-8 with BOM, display precision, formula-safe (module docstring)."""
    csv_ready(frame, decimals).to_csv(path, index=index, encoding="utf-8-sig")


def _netcdf_variable(var: xr.Variable) -> xr.Variable:
    """One variable as NetCDF stores it: object (string) arrays as text, bools as int8 marked ``dtype: bool``."""
    if var.dtype == object:
        return var.astype(str)
    if var.dtype == bool:
        out = var.astype("int8")
        out.attrs = {**var.attrs, "dtype": "bool"}
        return out
    return var


def _netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """Object (string) arrays and bool attrs converted so NetCDF can store them.

    The Dataset is made once from the converted variables (one alignment);
    replacing them one by one re-aligned the whole Dataset each time (2 s of
    a typical-days run's writing under load).
    """
    attrs = {k: (int(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in ds.attrs.items()
             if isinstance(v, (str, int, float, np.integer, np.floating, bool, np.bool_))}
    coords = {name: _netcdf_variable(ds.variables[name]) for name in ds.coords}
    data_vars = {name: _netcdf_variable(ds.variables[name]) for name in ds.data_vars}
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


#: Free space below which a failed NetCDF write is reported as a full disk [bytes].
LOW_SPACE_BYTES = 64 * 1024 * 1024


def _netcdf_failure(exc: RuntimeError, path: Path) -> OSError:
    """The OSError for a failed NetCDF write: the library says only ``NetCDF: HDF error`` when the disk is full."""
    try:
        free = shutil.disk_usage(Path(path).parent).free
    except OSError:
        free = -1
    code = errno.ENOSPC if 0 <= free < LOW_SPACE_BYTES else errno.EIO
    space = f", {free / 2**20:.0f} MB free" if free >= 0 else ""
    return OSError(code, f"the NetCDF library failed ({exc}{space}; a full disk is the usual cause)", str(path))


def _install_quick_scheduler_lookup() -> None:
    """Let xarray learn that no dask cluster is in use without importing ``distributed``.

    Before each NetCDF write xarray asks which dask scheduler is active
    (``xarray.backends.locks.get_dask_scheduler``, to choose the write lock
    and whether to close the file between chunked writes); with dask
    installed that question imports ``distributed`` (1.5 s and more of a
    small run). No cluster client can exist before ``distributed`` is
    imported, so while it is not, and no scheduler is configured, the answer
    is xarray's own one for that case, ``"threaded"``, given at once;
    otherwise xarray's function is asked. What is written does not change.
    """
    import sys

    from xarray.backends import locks as xr_locks
    from xarray.backends import writers as xr_writers

    original = getattr(xr_locks, "get_dask_scheduler", None)
    if original is None or getattr(xr_writers, "get_dask_scheduler", None) is not original:
        return  # another xarray (or already installed): leave it alone
    ask_xarray = cast("Callable[..., str | None]", original)

    def get_dask_scheduler(get: Any = None, collection: Any = None) -> str | None:
        if "distributed" in sys.modules or get is not None or collection is not None:
            return ask_xarray(get, collection)
        try:
            import dask
        except ImportError:
            return None
        if dask.config.get("scheduler", None) or dask.config.get("get", None):
            return ask_xarray(get, collection)
        return "threaded"

    xr_locks.get_dask_scheduler = get_dask_scheduler
    xr_writers.get_dask_scheduler = get_dask_scheduler


_install_quick_scheduler_lookup()


def write_netcdf(ds: xr.Dataset, path: Path) -> None:
    """Write a Dataset to NetCDF (zlib-compressed floats).

    Raises
    ------
    OSError
        The write failed; a ``RuntimeError`` of the NetCDF library (``NetCDF:
        HDF error``, as on a full disk) becomes an OSError naming ``path``,
        with ``errno.ENOSPC`` when less than :data:`LOW_SPACE_BYTES` are free.
    """
    ready = _netcdf_ready(ds)
    encoding = {v: {"zlib": True, "complevel": 4} for v in ready.data_vars if ready[v].dtype.kind == "f"}
    try:
        ready.to_netcdf(path, encoding=encoding)
    except RuntimeError as exc:
        raise _netcdf_failure(exc, path) from exc


def open_netcdf(path: Path) -> xr.Dataset:
    """Read a Dataset written by :func:`write_netcdf` fully into memory (bools restored)."""
    with xr.open_dataset(path) as ds:
        loaded = ds.load()
    for name in list(loaded.variables):
        if loaded[name].attrs.get("dtype") == "bool":
            attrs = {k: v for k, v in loaded[name].attrs.items() if k != "dtype"}
            loaded[name] = loaded[name].astype(bool)
            loaded[name].attrs = attrs
    return loaded


def json_ready(x: Any) -> Any:
    """Plain JSON types: numpy scalars and arrays converted, NaN and inf as None."""
    if isinstance(x, dict):
        return {str(k): json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else None
    if isinstance(x, np.ndarray):
        return json_ready(x.tolist())
    return x


def write_json(data: Any, path: Path) -> None:
    """Write JSON (UTF-8, Chinese kept as characters) with NaN/inf as null."""
    path.write_text(json.dumps(json_ready(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
