"""Read and validate ``technologies.csv`` (one row per technology)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import pandas as pd

from energy_model import vocabulary as names
from energy_model.io.tables.common import (
    CARRIERS,
    PRICE_PROFILES,
    PROFILES,
    TECHNOLOGY_COLUMNS,
    TECHNOLOGY_RULES,
    TECHNOLOGY_TEXT,
    _apply_rules,
    _Issues,
    _text,
    read_table,
)
from energy_model.io.tables.fuels import read_fuels


def read_technologies(path: str | Path, *, fuel_carriers: Collection[str] | None = None) -> pd.DataFrame:
    """Read and validate the technology table.

    Parameters
    ----------
    path : str or pathlib.Path
        ``technologies.csv``; columns as in :data:`TECHNOLOGY_COLUMNS`.
    fuel_carriers : collection of str, optional
        Carriers that fuels.csv supplies; the ``fuel`` of thermal, chp and
        boiler rows must be one of them. By default they are read from the
        ``fuels.csv`` next to ``path`` when it exists (else not checked).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``technology``; the other columns in file order. Numeric
        columns are float with NaN for empty cells (not applicable /
        unlimited); text columns hold NaN for empty cells.

    Raises
    ------
    InputError
        With every problem found in the file.
    """
    path = Path(path)
    frame, lines, issues = read_table(path, TECHNOLOGY_COLUMNS, TECHNOLOGY_TEXT)
    frame = frame[[c for c in TECHNOLOGY_COLUMNS[1:] if c in frame.columns]]  # file order
    if fuel_carriers is None:
        fuel_carriers = _sibling_fuel_carriers(path)
    _check_technology_frame(frame, lines, path.name, fuel_carriers, issues)
    issues.raise_if_any()
    return frame


def validate_technologies(technologies: pd.DataFrame, file: str, fuels: pd.DataFrame | None = None,
                          profiles: Collection[str] = PROFILES) -> None:
    """Re-check a technology table after it was changed (e.g. by scenario overrides).

    Parameters
    ----------
    technologies : pandas.DataFrame
        As returned by :func:`read_technologies`, possibly modified.
    file : str
        Label naming where the values came from, used as the issues' file.
    fuels : pandas.DataFrame, optional
        Fuel table whose carriers the fuelled technologies must burn.
    profiles : collection of str
        Capacity-factor profiles a variable technology may use (default: those
        the profile stage produces).

    Raises
    ------
    InputError
        With every problem found (no line numbers: values may come from
        several files).
    """
    issues = _Issues(file, [])
    carriers = None if fuels is None else {str(c) for c in fuels["carrier"].dropna()}
    lines: list[int | None] = [None] * len(technologies)
    _check_technology_frame(technologies, lines, "technologies.csv", carriers, issues, profiles)
    issues.raise_if_any()


def _check_technology_frame(frame: pd.DataFrame, lines: Sequence[int | None], name: str,
                            fuel_carriers: Collection[str] | None, issues: _Issues,
                            profiles: Collection[str] = PROFILES) -> None:
    """Value rules and row rules of a whole technology table."""
    _apply_rules(frame, TECHNOLOGY_RULES, lines, name, issues)
    for position, line in enumerate(lines):
        _check_technology_row(frame.iloc[position], str(frame.index[position]), line, name, fuel_carriers, issues,
                              profiles)


def _sibling_fuel_carriers(path: Path) -> Collection[str] | None:
    """Carriers of the ``fuels.csv`` next to ``path``, or None if there is none."""
    fuels_path = path.with_name("fuels.csv")
    if not fuels_path.exists():
        return None
    return set(read_fuels(fuels_path)["carrier"].dropna())


def _check_technology_row(row: pd.Series, ident: str, line: int | None, name: str,
                          fuel_carriers: Collection[str] | None, issues: _Issues,
                          profiles: Collection[str] = PROFILES) -> None:
    """Check the kind-specific rules and the cross-column relations of one row."""
    def add(column: str, message: str, value: object = None) -> None:
        key = f"{name}:{ident}.{column}" if column else f"{name}:{ident}"
        issues.add(key, message, value=value, line=line)

    kind, carrier, fuel, profile = (_text(row[c]) for c in ("kind", "carrier", "fuel", "profile"))
    price_profile = _text(row["price_profile"]) if "price_profile" in row.index else ""
    if price_profile and price_profile not in PRICE_PROFILES:
        close = difflib.get_close_matches(price_profile, PRICE_PROFILES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        add("price_profile", f"unknown price profile{hint} Expected one of: {', '.join(PRICE_PROFILES)} "
            "(or leave it empty for a flat vom_cny_per_mwh)", price_profile)
    if kind not in names.KINDS:
        close = difflib.get_close_matches(kind, names.KINDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        add("kind", f"unknown kind{hint} Expected one of: {', '.join(names.KINDS)}", kind)
    if carrier not in CARRIERS:
        add("carrier", f"unknown carrier; expected one of: {', '.join(CARRIERS)}", carrier or None)
    bad = {column for cell_id, column in issues.bad_cells if cell_id == ident}
    _check_kind_columns(row, kind, fuel, profile, fuel_carriers, add, bad, profiles)
    _check_relations(row, kind, add, bad)


def _check_kind_columns(row: pd.Series, kind: str, fuel: str, profile: str,
                        fuel_carriers: Collection[str] | None, add: Callable[..., None],
                        bad: Collection[str] = (), profiles: Collection[str] = PROFILES) -> None:
    """Columns that a kind requires or forbids (cells already reported as bad are skipped)."""
    def missing(column: str, why: str) -> None:
        if column not in bad and math.isnan(row[column]):
            add(column, f"required for kind {kind!r} ({why})")

    if kind == names.VARIABLE:
        if profile not in profiles:
            add("profile", f"variable technologies need a profile, one of: {', '.join(sorted(profiles))}",
                profile or None)
    elif profile:
        add("profile", f"profile applies only to kind 'variable', not {kind!r}; leave it empty", profile)
    if kind in names.FUELLED_KINDS:
        if not fuel:
            add("fuel", "fuel carrier required for thermal, chp and boiler technologies")
        elif fuel_carriers is not None and fuel not in fuel_carriers:
            known = ", ".join(sorted(fuel_carriers))
            add("fuel", f"no fuels.csv supply delivers this carrier; known carriers: {known}", fuel)
        missing("efficiency", "fuel = output / efficiency")
    elif fuel:
        add("fuel", f"fuel applies only to thermal, chp and boiler technologies, not {kind!r}", fuel)
    if kind == names.CHP:
        missing("heat_to_power", "heat output per MWh of electricity")
    if kind == names.STORAGE:
        missing("charge_efficiency", "one-way charging efficiency")
        missing("discharge_efficiency", "one-way discharging efficiency")
    if kind in (names.IMPORT, names.EXPORT):
        missing("vom_cny_per_mwh", "price per MWh exchanged")
    vom = row["vom_cny_per_mwh"]
    if kind == names.EXPORT and not math.isnan(vom) and vom > 0:
        add("vom_cny_per_mwh", "export revenue is written as a negative cost (e.g. -313)", vom)
    if kind != names.EXPORT and not math.isnan(vom) and vom < 0:
        add("vom_cny_per_mwh", "must be >= 0 (only export rows carry a negative value, the revenue)", vom)
    if kind in (names.IMPORT, names.EXPORT) and not math.isnan(vom) and 0 < abs(vom) < 1:
        add("vom_cny_per_mwh", "implausible magnitude: CNY/MWh expected; is this CNY/kWh?", vom)


def _check_relations(row: pd.Series, kind: str, add: Callable[..., None], bad: Collection[str] = ()) -> None:
    """Bounds that must be ordered, and expandable capacity that needs a price."""
    def ordered(low: str, high: str) -> None:
        if not math.isnan(row[low]) and not math.isnan(row[high]) and row[low] > row[high]:
            add(low, f"{low} ({row[low]:g}) exceeds {high} ({row[high]:g})", float(row[low]))

    ordered("min_mw", "max_mw")
    ordered("existing_mw", "max_mw")
    ordered("existing_mwh", "max_mwh")
    ordered("min_duration_h", "max_duration_h")
    ordered("min_full_load_hours", "max_full_load_hours")
    for column in ("min_full_load_hours", "max_full_load_hours"):
        if not math.isnan(row[column]) and kind not in names.FUELLED_KINDS + (names.VARIABLE,):
            add(column, f"annual full-load hours apply to generating technologies, not kind {kind!r}", row[column])
    if not math.isnan(row["firm_duration_h"]) and kind != names.STORAGE:
        add("firm_duration_h", f"applies only to storage (hours of discharge for full capacity credit), "
            f"not kind {kind!r}", row["firm_duration_h"])
    existing = 0.0 if math.isnan(row["existing_mw"]) else row["existing_mw"]
    expandable = math.isnan(row["max_mw"]) or row["max_mw"] > existing
    if expandable and "capex_cny_per_kw" not in bad and math.isnan(row["capex_cny_per_kw"]):
        add("capex_cny_per_kw", "capacity can grow beyond existing_mw (max_mw empty or larger) but no capex is given; "
            "give a capex or set max_mw = existing_mw")
    energy_price_missing = "capex_cny_per_kwh" not in bad and math.isnan(row["capex_cny_per_kwh"])
    if kind == names.STORAGE and expandable and energy_price_missing:
        add("capex_cny_per_kwh", "expandable storage needs a price for its energy capacity")
