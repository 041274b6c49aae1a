"""Read and validate ``inputs/sites.csv`` (the weather sites)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from energy_model.errors import InputError, InputIssue

#: Required columns of the sites table and their meaning.
SITE_COLUMNS: dict[str, str] = {
    "site": "unique site name",
    "latitude_deg": "latitude [deg north]",
    "longitude_deg": "longitude [deg east]",
    "altitude_m": "altitude above sea level [m]",
    "surface": "onshore or offshore",
    "roughness_length_m": "surface roughness length [m]",
}


def validate_sites(df: pd.DataFrame, file: str, lines: list[int] | None = None) -> pd.DataFrame:
    """Validate a sites table and return it indexed by position with clean dtypes.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw table with at least :data:`SITE_COLUMNS`.
    file : str
        Name used in error messages.
    lines : list of int, optional
        File line of each row (default: row + 2, a file without comments).

    Returns
    -------
    pandas.DataFrame
        Same rows; numeric columns as float, ``site`` and ``surface`` as str.

    Raises
    ------
    InputError
        Every problem found, each naming row (file line) and column.
    """
    issues: list[InputIssue] = []
    missing = [c for c in SITE_COLUMNS if c not in df.columns]
    for c in missing:
        issues.append(InputIssue(file, c, f"missing column '{c}' ({SITE_COLUMNS[c]})"))
    if missing:
        raise InputError(issues)
    out = df.copy()

    def ln(i: int) -> int:
        return lines[i] if lines is not None and i < len(lines) else i + 2

    limits = {"latitude_deg": (-90, 90), "longitude_deg": (-180, 180), "altitude_m": (-500, 9000),
              "roughness_length_m": (1e-6, 5.0)}
    for col, (lo, hi) in limits.items():
        num = pd.to_numeric(out[col], errors="coerce")
        for i in np.flatnonzero(num.isna() | (num < lo) | (num > hi)):
            issues.append(InputIssue(file, col, f"expected a number in [{lo}, {hi}]",
                                     value=df[col].iloc[i], line=ln(int(i))))
        out[col] = num.astype("float64")
    out["site"] = out["site"].astype(str).str.strip()
    for i in np.flatnonzero(out["site"].duplicated().to_numpy()):
        issues.append(InputIssue(file, "site", "duplicate site name", value=out["site"].iloc[i], line=ln(int(i))))
    for i in np.flatnonzero((out["site"] == "") | (out["site"] == "nan")):
        issues.append(InputIssue(file, "site", "empty site name", line=ln(int(i))))
    out["surface"] = out["surface"].astype(str).str.strip()
    for i in np.flatnonzero(~out["surface"].isin(["onshore", "offshore"]).to_numpy()):
        issues.append(InputIssue(file, "surface", "expected 'onshore' or 'offshore'",
                                 value=out["surface"].iloc[i], line=ln(int(i))))
    if len(out) == 0:
        issues.append(InputIssue(file, "", "no sites defined"))
    if issues:
        raise InputError(issues)
    return out.reset_index(drop=True)


def read_sites(path: str | Path) -> pd.DataFrame:
    """Read ``inputs/sites.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with columns ``site, latitude_deg, longitude_deg, altitude_m,
        surface (onshore|offshore), roughness_length_m`` (further columns such
        as ``source`` are kept). Lines starting with ``#`` are comments.

    Returns
    -------
    pandas.DataFrame
        One row per site.

    Raises
    ------
    InputError
        Missing file or column, bad value (with line and column).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, comment="#", skipinitialspace=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(InputIssue(path.name, "", f"cannot read sites table: {exc}")) from exc
    from energy_model.weather.plant_tables import data_line_numbers

    return validate_sites(df, path.name, data_line_numbers(path))
