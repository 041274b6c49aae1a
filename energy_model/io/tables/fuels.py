"""Read and validate ``fuels.csv`` (one row per fuel supply)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from energy_model.io.tables.common import (
    _IDENTIFIER,
    FUEL_COLUMNS,
    FUEL_RULES,
    FUEL_TEXT,
    FUEL_UNITS,
    _apply_rules,
    _Issues,
    _text,
    read_table,
)

# --------------------------------------------------------------------------
# fuels.csv


def read_fuels(path: str | Path) -> pd.DataFrame:
    """Read and validate the fuel-supply table.

    Parameters
    ----------
    path : str or pathlib.Path
        ``fuels.csv``; columns as in :data:`FUEL_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``fuel`` (the supply id); numeric columns float, NaN for
        empty cells (unlimited supply, untracked pollutant).

    Raises
    ------
    InputError
        With every problem found in the file.
    """
    path = Path(path)
    frame, lines, issues = read_table(path, FUEL_COLUMNS, FUEL_TEXT)
    _check_fuel_frame(frame, lines, path.name, issues)
    issues.raise_if_any()
    return frame


def validate_fuels(fuels: pd.DataFrame, file: str) -> None:
    """Re-check a fuel table after it was changed (e.g. by scenario overrides).

    Parameters
    ----------
    fuels : pandas.DataFrame
        As returned by :func:`read_fuels`, possibly modified.
    file : str
        Label naming where the values came from, used as the issues' file.

    Raises
    ------
    InputError
        With every problem found.
    """
    issues = _Issues(file, [])
    _check_fuel_frame(fuels, [None] * len(fuels), "fuels.csv", issues)
    issues.raise_if_any()


def _check_fuel_frame(frame: pd.DataFrame, lines: Sequence[int | None], name: str, issues: _Issues) -> None:
    """Value rules and row rules of a whole fuel table."""
    _apply_rules(frame, FUEL_RULES, lines, name, issues)
    for position, line in enumerate(lines):
        _check_fuel_row(frame.iloc[position], str(frame.index[position]), line, name, issues)


def _check_fuel_row(row: pd.Series, ident: str, line: int | None, name: str, issues: _Issues) -> None:
    """Required cells, unit-dependent magnitudes and limit consistency of one supply."""
    def add(column: str, message: str, value: object = None) -> None:
        issues.add(f"{name}:{ident}.{column}", message, value=value, line=line)

    carrier, unit = _text(row["carrier"]), _text(row["unit"])
    if not _IDENTIFIER.match(carrier):
        add("carrier", "carrier required: the fuel burnt by plants (coal, natural_gas, biomass, ...)", carrier or None)
    for column in ("energy_mwh_per_unit", "price_cny_per_unit", "co2_t_per_mwh_th"):
        if (ident, column) not in issues.bad_cells and math.isnan(row[column]):
            add(column, "required")
    if unit not in FUEL_UNITS:
        add("unit", f"unknown unit; expected one of: {', '.join(FUEL_UNITS)}", unit or None)
    else:
        low, high = FUEL_UNITS[unit]
        energy = row["energy_mwh_per_unit"]
        if not math.isnan(energy) and energy > 0 and not low <= energy <= high:
            hint = " (kWh per unit given instead of MWh?)" if low <= energy / 1000 <= high else ""
            add("energy_mwh_per_unit",
                f"implausible for unit {unit!r}: expected {low:g}-{high:g} MWh_th per {unit}{hint}", energy)
    co2 = row["co2_t_per_mwh_th"]
    if not math.isnan(co2) and co2 > 1.0 and 10 <= co2 <= 150:
        add("co2_t_per_mwh_th", "looks like t/TJ or kg/GJ; t per MWh_th expected (94.6 t/TJ = 0.341 t/MWh_th)", co2)
    per_h, per_yr = row["max_units_per_h"], row["max_units_per_yr"]
    if not math.isnan(per_h) and not math.isnan(per_yr) and per_yr < per_h:
        add("max_units_per_yr", "annual limit is smaller than the hourly limit; are the two columns swapped?", per_yr)
