"""The project's plain CSV weather format (documented in weather/README.md).

One file (or several, concatenated in time) per site::

    time,ghi,temp_air,wind_speed_10,wind_speed_100,dni,dhi,pressure
    2020-01-01T00:00+08:00,0,2.1,3.4,6.0,0,0,102100
    ...

* ``time``: ISO 8601; with a UTC offset, or naive together with
  ``weather.timezone`` in the scenario. Labels the START of the hour unless
  ``weather.csv_time_label: end``.
* Required: ``ghi`` [W/m2], ``temp_air`` [degC], and ``wind_speed_10`` and/or
  ``wind_speed_100`` [m/s]. Optional: ``dni``, ``dhi`` [W/m2] (both or
  neither), ``pressure`` [Pa], ``roughness_length`` [m] (default: sites.csv).
* Lines starting with ``#`` are comments. Other columns are ignored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.weather.canonical import COLUMNS, TIMEZONE, check_index, empty_frame

REQUIRED_CSV = ("time", "ghi", "temp_air")


def read_weather_csv(path: str | Path, site: pd.Series, *, timezone: str | None = None,
                     time_label: str = "start") -> pd.DataFrame:
    """Read one weather CSV file as a canonical frame.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    site : pandas.Series
        Row of the sites table (for the default ``roughness_length``).
    timezone : str, optional
        Time zone of naive stamps; naive stamps without it are an error.
    time_label : {"start", "end"}, default "start"
        Whether a stamp labels the start or the end of its hour.

    Returns
    -------
    pandas.DataFrame
        Canonical frame in Asia/Shanghai (values not yet range-checked).

    Raises
    ------
    InputError
        Missing columns, unparsable or non-numeric values, naive stamps without
        a time zone, duplicate/unordered stamps, gaps.
    """
    path = Path(path)
    name = path.name
    try:
        raw = pd.read_csv(path, comment="#", skipinitialspace=True, dtype={"time": str})
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(InputIssue(name, "", f"cannot read weather CSV: {exc}")) from exc
    issues = [InputIssue(name, c, f"missing column '{c}'") for c in REQUIRED_CSV if c not in raw.columns]
    if "wind_speed_10" not in raw.columns and "wind_speed_100" not in raw.columns:
        issues.append(InputIssue(name, "wind_speed_10", "missing column: need wind_speed_10 and/or wind_speed_100"))
    if issues:
        raise InputError(issues)
    stamps = raw["time"].astype(str).str.strip()
    has_offset = stamps.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    if (~has_offset).any() and timezone is None:
        line = int(np.argmax(~has_offset.to_numpy())) + 2
        raise InputError(InputIssue(name, "time", "naive time stamp without a declared time zone: add a UTC "
                                    "offset (e.g. +08:00) or set weather.timezone", value=stamps.iloc[line - 2],
                                    line=line))
    try:
        if has_offset.all():
            idx = pd.DatetimeIndex(pd.to_datetime(stamps, utc=True, format="ISO8601"))
        elif (~has_offset).all():
            idx = pd.DatetimeIndex(pd.to_datetime(stamps, format="ISO8601")).tz_localize(
                timezone, ambiguous="raise", nonexistent="raise")
        else:
            raise ValueError("some stamps carry a UTC offset and some do not")
    except (ValueError, TypeError) as exc:
        raise InputError(InputIssue(name, "time", f"cannot parse time stamps: {exc}")) from exc
    if time_label == "end":
        idx = idx - pd.Timedelta("1h")
    issues += check_index(idx, name)
    out = empty_frame(idx.tz_convert(TIMEZONE))
    for col in COLUMNS:
        if col not in raw.columns:
            continue
        num = pd.to_numeric(raw[col], errors="coerce")
        bad = num.isna() & raw[col].notna()
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            issues.append(InputIssue(name, col, "not a number", value=raw[col].iloc[i], line=i + 2))
        out[col] = num.to_numpy(dtype=float)
    if "roughness_length" not in raw.columns:
        out["roughness_length"] = float(site["roughness_length_m"])
    if issues:
        raise InputError(issues)
    return out
