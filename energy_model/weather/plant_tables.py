"""Read and check ``inputs/pv_plants.csv`` and ``inputs/wind_plants.csv``.

Plant parameters are data, not code. This module only reads the tables and
checks columns, types and ranges; the turbine itself is checked when it is
built (:func:`energy_model.profiles.turbines.make_turbine`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from energy_model.errors import InputError, InputIssue

#: Numeric columns of the PV table: (lower, upper) bounds, unit.
PV_NUMERIC: dict[str, tuple[float, float]] = {
    "tilt_deg": (0, 90), "azimuth_deg": (0, 360), "dc_ac_ratio": (0.8, 2.0), "inverter_efficiency": (0.8, 1.0),
    "losses_pct": (0, 50), "gamma_pdc_per_c": (-0.01, 0), "albedo": (0, 1),
}
#: Numeric columns of the wind table (rated power and rotor only for generic turbines).
WIND_NUMERIC: dict[str, tuple[float, float]] = {
    "hub_height_m": (10, 300), "n_turbines": (1, 1000), "losses_pct": (0, 50),
}
WIND_OPTIONAL: dict[str, tuple[float, float]] = {"rated_power_mw": (0.1, 30), "rotor_diameter_m": (10, 350)}
PV_TEXT = {"profile": None, "site": None, "mount": ("open_rack", "close_mount")}
WIND_TEXT = {"profile": None, "site": None, "turbine_type": None,
             "wake_model": ("dena_mean", "knorr_mean", "dena_extreme1", "dena_extreme2", "knorr_extreme1",
                            "knorr_extreme2", "knorr_extreme3", "none"),
             "smoothing": ("true", "false")}


def data_line_numbers(path: Path) -> list[int]:
    """1-based file line of each data row (comment and blank lines skipped, header excluded)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    content = [i + 1 for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    return content[1:]


def _check(df: pd.DataFrame, name: str, lines: list[int], numeric: dict, optional: dict,
           text: dict) -> tuple[pd.DataFrame, list[InputIssue]]:
    issues: list[InputIssue] = []
    for col in list(numeric) + list(text) + ["reference_full_load_hours"]:
        if col not in df.columns:
            issues.append(InputIssue(name, col, f"missing column '{col}'"))
    if issues:
        return df, issues
    out = df.copy()

    def line(i: int) -> int | None:
        return lines[i] if i < len(lines) else None

    for col, (lo, hi) in {**numeric, **optional, "reference_full_load_hours": (0, 8784)}.items():
        if col not in out.columns:
            continue
        num = pd.to_numeric(out[col], errors="coerce")
        allowed_nan = col in optional or col == "reference_full_load_hours"
        bad_nan = num.isna() & out[col].notna() if allowed_nan else num.isna()
        bad = bad_nan | (num < lo) | (num > hi)
        for i in map(int, np.flatnonzero(bad.to_numpy())):
            issues.append(InputIssue(name, col, f"expected a number in [{lo:g}, {hi:g}]", value=df[col].iloc[i],
                                     line=line(i)))
        out[col] = num.astype(float)
    for col, allowed in text.items():
        out[col] = out[col].astype(str).str.strip()
        for i in map(int, np.flatnonzero((out[col] == "") | (out[col] == "nan"))):
            issues.append(InputIssue(name, col, "empty value", line=line(i)))
        if allowed is not None:
            low = out[col].str.lower()
            for i in map(int, np.flatnonzero(~low.isin(allowed).to_numpy())):
                issues.append(InputIssue(name, col, f"expected one of {list(allowed)}", value=df[col].iloc[i],
                                         line=line(i)))
            out[col] = low
    for i in map(int, np.flatnonzero(out["profile"].duplicated().to_numpy())):
        issues.append(InputIssue(name, "profile", "duplicate profile name", value=out["profile"].iloc[i],
                                 line=line(i)))
    return out, issues


def read_plant_tables(pv_path: str | Path, wind_path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read both plant tables and check columns, types and ranges.

    Parameters
    ----------
    pv_path : str or pathlib.Path
        ``pv_plants.csv``: ``profile, site, tilt_deg, azimuth_deg, mount,
        dc_ac_ratio, inverter_efficiency, losses_pct, gamma_pdc_per_c, albedo,
        reference_full_load_hours, source``.
    wind_path : str or pathlib.Path
        ``wind_plants.csv``: ``profile, site, turbine_type, rated_power_mw,
        rotor_diameter_m, hub_height_m, n_turbines, wake_model, smoothing,
        losses_pct, reference_full_load_hours, source``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        PV and wind tables with a ``line`` column (file line of each row).

    Raises
    ------
    InputError
        All problems of both files, each with file, line and column.
    """
    issues: list[InputIssue] = []
    tables: list[pd.DataFrame] = []
    for path, numeric, optional, text in ((Path(pv_path), PV_NUMERIC, {}, PV_TEXT),
                                          (Path(wind_path), WIND_NUMERIC, WIND_OPTIONAL, WIND_TEXT)):
        try:
            df = pd.read_csv(path, comment="#", skipinitialspace=True)
            lines = data_line_numbers(path)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            issues.append(InputIssue(path.name, "", f"cannot read plant table: {exc}"))
            tables.append(None)
            continue
        out, found = _check(df, path.name, lines, numeric, optional, text)
        issues += found
        if "smoothing" in out.columns and not found:
            out["smoothing"] = out["smoothing"] == "true"
        out["line"] = lines[: len(out)] if len(lines) >= len(out) else list(range(2, len(out) + 2))
        tables.append(out)
    if not issues:
        both = pd.concat([tables[0][["profile", "line"]].assign(f=Path(pv_path).name),
                          tables[1][["profile", "line"]].assign(f=Path(wind_path).name)])
        for _, r in both[both["profile"].duplicated()].iterrows():
            issues.append(InputIssue(r["f"], "profile", "profile name used in both plant tables",
                                     value=r["profile"], line=int(r["line"])))
    if issues:
        raise InputError(issues)
    return tables[0], tables[1]
