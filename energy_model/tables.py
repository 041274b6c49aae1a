"""Readers and validators for the CSV tables in ``inputs/``.

Every reader checks the whole file and raises one
:class:`~energy_model.errors.InputError` listing every problem found, each
with the file, the 1-based line (the header is line 1), a key path such as
``technologies.csv:coal_usc.efficiency``, the bad value and what was
expected. Nothing is guessed: a suspicious unit (40 for a fraction, CNY/W
for CNY/kW, kW for MW) is reported, not converted.

Readers
-------
read_technologies   ``technologies.csv`` -> DataFrame indexed by technology
read_fuels          ``fuels.csv`` -> DataFrame indexed by fuel (supply)
validate_*          the same checks on a table changed by scenario overrides
read_demand_shape   ``demand_shape.csv`` (+ ``holidays.csv``) -> DemandShape
read_heat_shape     ``heat_demand_shape.csv`` (+ ``holidays.csv``) -> HeatShape
read_demand_csv     a user's hourly demand file -> array aligned with the horizon
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from energy_model import names
from energy_model.demand import LOCAL_TZ, DemandShape, HeatShape
from energy_model.errors import InputError, InputIssue

# --------------------------------------------------------------------------
# vocabulary and column lists

TECHNOLOGY_COLUMNS: tuple[str, ...] = (
    "technology", "name", "name_zh", "kind", "carrier", "fuel", "profile",
    "existing_mw", "min_mw", "max_mw", "capex_cny_per_kw", "fom_cny_per_kw_yr", "vom_cny_per_mwh",
    "lifetime_yr", "efficiency", "heat_to_power", "min_stable_load", "ramp_rate_per_h", "availability",
    "co2_t_per_mwh", "capex_cny_per_kwh", "fom_cny_per_kwh_yr", "existing_mwh", "max_mwh",
    "charge_efficiency", "discharge_efficiency", "min_duration_h", "max_duration_h", "self_discharge_per_h",
    "startup_cost_cny_per_mw",
)
TECHNOLOGY_TEXT: tuple[str, ...] = TECHNOLOGY_COLUMNS[:7]
FUEL_COLUMNS: tuple[str, ...] = (
    "fuel", "name", "name_zh", "carrier", "unit", "energy_mwh_per_unit", "price_cny_per_unit",
    "co2_t_per_mwh_th", "so2_kg_per_mwh_th", "nox_kg_per_mwh_th", "pm_kg_per_mwh_th",
    "max_units_per_h", "max_units_per_yr",
)
FUEL_TEXT: tuple[str, ...] = FUEL_COLUMNS[:5]
SHAPE_COLUMNS: tuple[str, ...] = ("section", "key", "value", "unit", "note")
HOLIDAY_COLUMNS: tuple[str, ...] = ("date", "holiday", "name_zh")
DEMAND_COLUMNS: tuple[str, ...] = ("time", "demand_mw")

#: Energy-source labels used by share targets.
CARRIERS: tuple[str, ...] = ("wind", "solar", "biomass", "coal", "gas", "grid", "storage", "heat", "tidal")
#: Capacity-factor profiles produced by the weather/profile stage.
PROFILES: tuple[str, ...] = ("onshore_wind", "offshore_wind", "utility_pv", "rooftop_pv")
#: Units a fuel supply may be counted in, with the plausible MWh_th per unit.
FUEL_UNITS: dict[str, tuple[float, float]] = {"t": (1.0, 60.0), "m3": (0.005, 0.02), "MWh": (1.0, 1.0)}
#: Holiday kinds understood by the demand shapes.
HOLIDAYS: tuple[str, ...] = ("spring_festival",)
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Plausible mean demand of a city [MW]; outside it the unit is probably kW or GW.
CITY_MEAN_MW: tuple[float, float] = (100.0, 50_000.0)

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_NOT_NUMBERS = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "na", "n/a"}


# --------------------------------------------------------------------------
# low-level CSV handling


@dataclass
class _Issues:
    """Collects the issues of one file."""

    file: str
    items: list[InputIssue]
    bad_cells: set[tuple[str, str]] = field(default_factory=set)

    def add(self, key_path: str, message: str, value: object = None, line: int | None = None) -> None:
        """Record one issue."""
        self.items.append(InputIssue(file=self.file, key_path=key_path, message=message, value=value, line=line))

    def raise_if_any(self) -> None:
        """Raise InputError with every recorded issue, if there are any."""
        if self.items:
            raise InputError(self.items)


@dataclass(frozen=True)
class _Row:
    """One data row: 1-based file line and the cells by column name."""

    line: int
    cells: dict[str, str]


def _read_rows(path: Path, expected: Sequence[str], issues: _Issues) -> list[_Row]:
    """Read a comma-separated file, checking the header and the field counts.

    Unknown and missing columns are reported with the closest valid name. A
    semicolon-separated file or a row with too many fields (an unquoted
    decimal comma) is reported. Returns the rows that could be split.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        issues.add("", "file not found")
        issues.raise_if_any()
    except (OSError, UnicodeDecodeError) as exc:
        issues.add("", f"cannot read the file as UTF-8 text: {exc}")
        issues.raise_if_any()
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        issues.add("", f"file is empty; expected a header line: {','.join(expected)}", line=1)
        issues.raise_if_any()
    if ";" in lines[0] and "," not in lines[0]:
        issues.add(
            "", "semicolon-separated file; use commas between columns and a decimal point in numbers",
            value=lines[0], line=1,
        )
        issues.raise_if_any()
    records = list(csv.reader(lines))
    header = [h.strip() for h in records[0]]
    _check_header(header, expected, name, issues)
    issues.raise_if_any()
    rows: list[_Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not record or all(not c.strip() for c in record):
            continue
        if record[0].lstrip().startswith("#"):
            continue
        if len(record) != len(header):
            hint = (
                " (a decimal comma? write 0.45, not 0,45)" if len(record) > len(header) else ""
            )
            issues.add(
                f"{name}:line{number}",
                f"row has {len(record)} fields but the header has {len(header)}{hint}",
                value=",".join(record), line=number,
            )
            continue
        rows.append(_Row(number, {h: c.strip() for h, c in zip(header, record)}))
    return rows


def _check_header(header: list[str], expected: Sequence[str], name: str, issues: _Issues) -> None:
    """Report unknown, missing and duplicate column names."""
    seen: set[str] = set()
    for column in header:
        if column in seen:
            issues.add(f"{name}:{column}", "column appears twice", value=column, line=1)
        seen.add(column)
    missing = [c for c in expected if c not in header]
    for column in header:
        if column not in expected:
            close = difflib.get_close_matches(column, missing or list(expected), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            issues.add(f"{name}:{column}", f"unknown column{hint} Expected columns: {', '.join(expected)}",
                       value=column, line=1)
    for column in missing:
        close = difflib.get_close_matches(column, [h for h in header if h not in expected], n=1, cutoff=0.5)
        hint = f" (found {close[0]!r} instead?)" if close else ""
        issues.add(f"{name}:{column}", f"required column is missing{hint}", line=1)


def _parse_number(text: str) -> tuple[float | None, str | None]:
    """Parse a numeric cell: ``(value, None)``, ``(nan, None)`` if empty, or ``(None, problem)``."""
    if text == "":
        return math.nan, None
    if text.lower() in _NOT_NUMBERS:
        return None, "NaN or infinite values are not allowed; leave the cell empty for 'not applicable / unlimited'"
    try:
        value = float(text)
    except ValueError:
        if re.fullmatch(r"[+-]?\d+,\d+", text):
            return None, "decimal comma; write the number with a decimal point (0.45, not 0,45)"
        if re.fullmatch(r"[+-]?\d+(\.\d+)?\s*%", text):
            return None, "percent sign; write a fraction (0.40 for 40 %)"
        return None, "a number is expected"
    if not math.isfinite(value):
        return None, "NaN or infinite values are not allowed"
    return value, None


def _numbers(rows: list[_Row], ids: list[str], columns: Sequence[str], name: str,
             issues: _Issues) -> dict[str, list[float]]:
    """Parse the numeric columns of every row; report bad cells."""
    out: dict[str, list[float]] = {c: [] for c in columns}
    for row, ident in zip(rows, ids):
        for column in columns:
            value, problem = _parse_number(row.cells[column])
            if problem is not None:
                issues.add(f"{name}:{ident}.{column}", problem, value=row.cells[column], line=row.line)
                issues.bad_cells.add((ident, column))
                value = math.nan
            out[column].append(float(value))  # type: ignore[arg-type]
    return out


def _ids(rows: list[_Row], column: str, name: str, issues: _Issues) -> list[str]:
    """Return the id of each row; report empty, malformed and duplicate ids."""
    first_line: dict[str, int] = {}
    ids: list[str] = []
    for row in rows:
        ident = row.cells[column]
        if not ident:
            issues.add(f"{name}:line{row.line}.{column}", f"{column} id is empty", line=row.line)
            ident = f"line{row.line}"
        elif not _IDENTIFIER.match(ident):
            issues.add(f"{name}:{ident}.{column}",
                       "id must be lower-case letters, digits and '_' starting with a letter",
                       value=ident, line=row.line)
        elif ident in first_line:
            issues.add(f"{name}:{ident}", f"duplicate {column} id (first defined on line {first_line[ident]})",
                       value=ident, line=row.line)
        first_line.setdefault(ident, row.line)
        ids.append(ident)
    return ids


# --------------------------------------------------------------------------
# value rules shared by technologies and fuels


@dataclass(frozen=True)
class _Range:
    """Numeric rule for one column: bounds, and a unit hint for implausible values."""

    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    percentage: bool = False
    plausible: tuple[float, float] | None = None
    unit_hint: str = ""

    def check(self, value: float) -> str | None:
        """Return a problem description, or None when ``value`` is fine."""
        if math.isnan(value):
            return None
        below = value <= self.low if self.low_open else value < self.low
        above = value >= self.high if self.high_open else value > self.high
        if below or above:
            lo = "(" if self.low_open else "["
            hi = ")" if self.high_open else "]"
            text = f"must be in {lo}{self.low:g}, {self.high:g}{hi}"
            if self.percentage and 2.0 <= value <= 100.0:
                text = f"looks like a percentage; write a fraction ({value / 100:g} for {value:g} %); {text}"
            return text
        if self.plausible is not None and value != 0.0:
            low, high = self.plausible
            if not low <= abs(value) <= high:
                return f"implausible magnitude: {self.unit_hint}"
        return None


_FRACTION = _Range(0.0, 1.0, low_open=True, percentage=True)
_FRACTION0 = _Range(0.0, 1.0, percentage=True)
_MW = _Range(plausible=(0.0, 1.0e6), unit_hint="MW expected; is this kW?")
_MWH = _Range(plausible=(0.0, 1.0e7), unit_hint="MWh expected; is this kWh?")

TECHNOLOGY_RULES: dict[str, _Range] = {
    "existing_mw": _MW,
    "min_mw": _MW,
    "max_mw": _MW,
    "capex_cny_per_kw": _Range(plausible=(10.0, 1.0e5), unit_hint="CNY/kW expected; is this CNY/MW or CNY/W?"),
    "fom_cny_per_kw_yr": _Range(plausible=(0.1, 1.0e4), unit_hint="CNY/kW/yr expected; is this CNY/MW/yr or CNY/W/yr?"),
    "vom_cny_per_mwh": _Range(-math.inf, math.inf, plausible=(0.0, 1.0e4),
                              unit_hint="CNY/MWh expected; is this CNY/GWh?"),
    "lifetime_yr": _Range(0.0, 100.0, low_open=True),
    "efficiency": _FRACTION,
    "heat_to_power": _Range(0.0, 10.0, low_open=True),
    "min_stable_load": _Range(0.0, 1.0, high_open=True, percentage=True),
    "ramp_rate_per_h": _FRACTION,
    "availability": _FRACTION,
    "co2_t_per_mwh": _Range(0.0, 2.0, percentage=False),
    "capex_cny_per_kwh": _Range(plausible=(10.0, 1.0e5), unit_hint="CNY/kWh expected; is this CNY/MWh or CNY/Wh?"),
    "fom_cny_per_kwh_yr": _Range(plausible=(0.01, 1.0e4), unit_hint="CNY/kWh/yr expected; is this CNY/MWh/yr?"),
    "existing_mwh": _MWH,
    "max_mwh": _MWH,
    "charge_efficiency": _FRACTION,
    "discharge_efficiency": _FRACTION,
    "min_duration_h": _Range(0.0, 10_000.0, low_open=True),
    "max_duration_h": _Range(0.0, 10_000.0, low_open=True),
    "self_discharge_per_h": _Range(0.0, 1.0, high_open=True, percentage=True),
    "startup_cost_cny_per_mw": _Range(plausible=(1.0, 1.0e5), unit_hint="CNY per MW brought online expected"),
}

FUEL_RULES: dict[str, _Range] = {
    "energy_mwh_per_unit": _Range(0.0, low_open=True),
    "price_cny_per_unit": _Range(),
    "co2_t_per_mwh_th": _Range(0.0, 1.0),
    "so2_kg_per_mwh_th": _Range(plausible=(0.0, 100.0), unit_hint="kg/MWh_th expected; is this g/MWh_th?"),
    "nox_kg_per_mwh_th": _Range(plausible=(0.0, 100.0), unit_hint="kg/MWh_th expected; is this g/MWh_th?"),
    "pm_kg_per_mwh_th": _Range(plausible=(0.0, 100.0), unit_hint="kg/MWh_th expected; is this g/MWh_th?"),
    "max_units_per_h": _Range(),
    "max_units_per_yr": _Range(),
}


def _apply_rules(frame: pd.DataFrame, rules: dict[str, _Range], lines: Sequence[int | None], name: str,
                 issues: _Issues) -> None:
    """Check every numeric cell of ``frame`` against its column rule (rows by position)."""
    for column, rule in rules.items():
        for ident, value, line in zip(frame.index, frame[column], lines):
            problem = rule.check(float(value))
            if problem:
                issues.add(f"{name}:{ident}.{column}", problem, value=float(value), line=line)


# --------------------------------------------------------------------------
# technologies.csv


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
    name = path.name
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    rows = _read_rows(path, TECHNOLOGY_COLUMNS, issues)
    ids = _ids(rows, "technology", name, issues)
    numeric = [c for c in TECHNOLOGY_COLUMNS if c not in TECHNOLOGY_TEXT]
    frame = _frame(rows, ids, "technology", TECHNOLOGY_TEXT[1:], numeric, name, issues)
    if fuel_carriers is None:
        fuel_carriers = _sibling_fuel_carriers(path)
    _check_technology_frame(frame, [row.line for row in rows], name, fuel_carriers, issues)
    issues.raise_if_any()
    return frame


def validate_technologies(technologies: pd.DataFrame, file: str, fuels: pd.DataFrame | None = None) -> None:
    """Re-check a technology table after it was changed (e.g. by scenario overrides).

    Parameters
    ----------
    technologies : pandas.DataFrame
        As returned by :func:`read_technologies`, possibly modified.
    file : str
        Label naming where the values came from, used as the issues' file.
    fuels : pandas.DataFrame, optional
        Fuel table whose carriers the fuelled technologies must burn.

    Raises
    ------
    InputError
        With every problem found (no line numbers: values may come from
        several files).
    """
    issues = _Issues(file, [])
    carriers = None if fuels is None else {str(c) for c in fuels["carrier"].dropna()}
    lines: list[int | None] = [None] * len(technologies)
    _check_technology_frame(technologies, lines, "technologies.csv", carriers, issues)
    issues.raise_if_any()


def _check_technology_frame(frame: pd.DataFrame, lines: Sequence[int | None], name: str,
                            fuel_carriers: Collection[str] | None, issues: _Issues) -> None:
    """Value rules and row rules of a whole technology table."""
    _apply_rules(frame, TECHNOLOGY_RULES, lines, name, issues)
    for position, line in enumerate(lines):
        _check_technology_row(frame.iloc[position], str(frame.index[position]), line, name, fuel_carriers, issues)


def _sibling_fuel_carriers(path: Path) -> Collection[str] | None:
    """Carriers of the ``fuels.csv`` next to ``path``, or None if there is none."""
    fuels_path = path.with_name("fuels.csv")
    if not fuels_path.exists():
        return None
    return set(read_fuels(fuels_path)["carrier"].dropna())


def _frame(rows: list[_Row], ids: list[str], index: str, text: Sequence[str], numeric: Sequence[str],
           name: str, issues: _Issues) -> pd.DataFrame:
    """Build a DataFrame from parsed rows: text columns as str/NaN, numbers as float."""
    data: dict[str, list[object]] = {c: [r.cells[c] or math.nan for r in rows] for c in text}
    data.update(_numbers(rows, ids, numeric, name, issues))  # type: ignore[arg-type]
    frame = pd.DataFrame(data, index=pd.Index(ids, name=index))
    for column in numeric:
        frame[column] = frame[column].astype(float)
    return frame


def _text(value: object) -> str:
    """Cell text, '' for NaN."""
    return "" if isinstance(value, float) and math.isnan(value) else str(value)


def _check_technology_row(row: pd.Series, ident: str, line: int | None, name: str,
                          fuel_carriers: Collection[str] | None, issues: _Issues) -> None:
    """Check the kind-specific rules and the cross-column relations of one row."""
    def add(column: str, message: str, value: object = None) -> None:
        key = f"{name}:{ident}.{column}" if column else f"{name}:{ident}"
        issues.add(key, message, value=value, line=line)

    kind, carrier, fuel, profile = (_text(row[c]) for c in ("kind", "carrier", "fuel", "profile"))
    if kind not in names.KINDS:
        close = difflib.get_close_matches(kind, names.KINDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        add("kind", f"unknown kind{hint} Expected one of: {', '.join(names.KINDS)}", kind)
    if carrier not in CARRIERS:
        add("carrier", f"unknown carrier; expected one of: {', '.join(CARRIERS)}", carrier or None)
    bad = {column for cell_id, column in issues.bad_cells if cell_id == ident}
    _check_kind_columns(row, kind, fuel, profile, fuel_carriers, add, bad)
    _check_relations(row, kind, add, bad)


def _check_kind_columns(row: pd.Series, kind: str, fuel: str, profile: str,
                        fuel_carriers: Collection[str] | None, add: Callable[..., None],
                        bad: Collection[str] = ()) -> None:
    """Columns that a kind requires or forbids (cells already reported as bad are skipped)."""
    def missing(column: str, why: str) -> None:
        if column not in bad and math.isnan(row[column]):
            add(column, f"required for kind {kind!r} ({why})")

    if kind == names.VARIABLE:
        if profile not in PROFILES:
            add("profile", f"variable technologies need a profile, one of: {', '.join(PROFILES)}", profile or None)
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
    existing = 0.0 if math.isnan(row["existing_mw"]) else row["existing_mw"]
    expandable = math.isnan(row["max_mw"]) or row["max_mw"] > existing
    if expandable and "capex_cny_per_kw" not in bad and math.isnan(row["capex_cny_per_kw"]):
        add("capex_cny_per_kw", "capacity can grow beyond existing_mw (max_mw empty or larger) but no capex is given; "
            "give a capex or set max_mw = existing_mw")
    energy_price_missing = "capex_cny_per_kwh" not in bad and math.isnan(row["capex_cny_per_kwh"])
    if kind == names.STORAGE and expandable and energy_price_missing:
        add("capex_cny_per_kwh", "expandable storage needs a price for its energy capacity")


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
    name = path.name
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    rows = _read_rows(path, FUEL_COLUMNS, issues)
    ids = _ids(rows, "fuel", name, issues)
    numeric = [c for c in FUEL_COLUMNS if c not in FUEL_TEXT]
    frame = _frame(rows, ids, "fuel", FUEL_TEXT[1:], numeric, name, issues)
    _check_fuel_frame(frame, [row.line for row in rows], name, issues)
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


# --------------------------------------------------------------------------
# shape tables (demand_shape.csv, heat_demand_shape.csv, holidays.csv)

_HOURS = tuple(str(h) for h in range(24))
_MONTHS = tuple(str(m) for m in range(1, 13))
_DEMAND_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "month": _MONTHS,
    "profile_summer": _HOURS,
    "profile_winter": _HOURS,
    "summer_weight": _MONTHS,
    "weekday": WEEKDAYS,
    "spring_festival": None,
    "normal_temperature_c": _MONTHS,
    "cooling_hourly_weight": _HOURS,
    "heating_hourly_weight": _HOURS,
    "parameter": (
        "reference_year", "seed", "temperature_anomaly_sd_c", "temperature_anomaly_autocorrelation",
        "cooling_base_c", "heating_base_c", "cooling_sensitivity_per_c", "heating_sensitivity_per_c",
    ),
}
_HEAT_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "month": _MONTHS, "profile": _HOURS, "weekday": WEEKDAYS, "spring_festival": None,
}
#: Allowed value range per section (or per ``section.key``) of the shape tables.
_SHAPE_RANGES: dict[str, tuple[float, float]] = {
    "month": (0.1, 3.0), "profile": (0.05, 2.0), "profile_summer": (0.05, 2.0), "profile_winter": (0.05, 2.0),
    "summer_weight": (0.0, 1.0), "weekday": (0.3, 1.5), "spring_festival": (0.05, 1.5),
    "normal_temperature_c": (-40.0, 45.0), "cooling_hourly_weight": (0.0, 10.0),
    "heating_hourly_weight": (0.0, 10.0),
    "parameter.reference_year": (1900, 2200), "parameter.seed": (0, 2**31),
    "parameter.temperature_anomaly_sd_c": (0.01, 15.0),
    "parameter.temperature_anomaly_autocorrelation": (0.0, 0.99),
    "parameter.cooling_base_c": (-10.0, 40.0), "parameter.heating_base_c": (-30.0, 30.0),
    "parameter.cooling_sensitivity_per_c": (0.0, 0.5), "parameter.heating_sensitivity_per_c": (0.0, 0.5),
}


def _read_sections(path: Path, sections: dict[str, tuple[str, ...] | None],
                   issues: _Issues) -> dict[str, dict[str, float]]:
    """Read a long ``section,key,value,unit,note`` table into nested dicts."""
    name = path.name
    rows = _read_rows(path, SHAPE_COLUMNS, issues)
    values: dict[str, dict[str, float]] = {s: {} for s in sections}
    for row in rows:
        section, key = row.cells["section"], row.cells["key"]
        where = f"{name}:{section}.{key}"
        if section not in sections:
            close = difflib.get_close_matches(section, list(sections), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            issues.add(where, f"unknown section{hint}", value=section, line=row.line)
            continue
        allowed = sections[section]
        if allowed is not None and key not in allowed:
            issues.add(where, f"unknown key; expected one of: {', '.join(allowed)}", value=key, line=row.line)
            continue
        if allowed is None and not re.fullmatch(r"[+-]?\d+", key):
            issues.add(where, "key must be a whole number of days", value=key, line=row.line)
            continue
        if key in values[section]:
            issues.add(where, "key appears twice", value=key, line=row.line)
            continue
        value, problem = _parse_number(row.cells["value"])
        if problem is None and math.isnan(value):  # type: ignore[arg-type]
            problem = "value required"
        if problem is None:
            low, high = _SHAPE_RANGES.get(f"{section}.{key}", _SHAPE_RANGES.get(section, (-math.inf, math.inf)))
            if not low <= value <= high:  # type: ignore[operator]
                problem = f"must be in [{low:g}, {high:g}]"
        if problem is not None:
            issues.add(where, problem, value=row.cells["value"], line=row.line)
            continue
        values[section][key] = float(value)  # type: ignore[arg-type]
    for section, allowed in sections.items():
        missing = [k for k in (allowed or ()) if k not in values[section]]
        if missing:
            issues.add(f"{name}:{section}", f"missing keys: {', '.join(missing)}")
        if allowed is None and len(values[section]) < 2:
            issues.add(f"{name}:{section}", "needs at least two (offset, factor) points")
    return values


def _ordered(values: dict[str, float], keys: Sequence[str]) -> tuple[float, ...]:
    """Values in the order of ``keys``."""
    return tuple(values[k] for k in keys)


def _offsets(values: dict[str, float]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Spring-Festival points sorted by day offset."""
    points = sorted((int(k), v) for k, v in values.items())
    return tuple(p[0] for p in points), tuple(p[1] for p in points)


def read_holidays(path: str | Path) -> tuple[dt.date, ...]:
    """Read the lunar-new-year dates from ``holidays.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        Table with columns ``date`` (YYYY-MM-DD), ``holiday``
        (``spring_festival``) and ``name_zh``.

    Returns
    -------
    tuple of datetime.date
        Lunar-new-year days, sorted.
    """
    path = Path(path)
    name = path.name
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    rows = _read_rows(path, HOLIDAY_COLUMNS, issues)
    dates: dict[int, dt.date] = {}
    for row in rows:
        text, kind = row.cells["date"], row.cells["holiday"]
        where = f"{name}:{text or f'line{row.line}'}"
        if kind not in HOLIDAYS:
            issues.add(f"{where}.holiday", f"unknown holiday; expected one of: {', '.join(HOLIDAYS)}",
                       value=kind, line=row.line)
            continue
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            issues.add(f"{where}.date", "date expected as YYYY-MM-DD", value=text, line=row.line)
            continue
        if day.year in dates:
            issues.add(f"{where}.date", f"a second Spring-Festival date for {day.year}", value=text, line=row.line)
            continue
        dates[day.year] = day
    issues.raise_if_any()
    return tuple(dates[y] for y in sorted(dates))


def read_demand_shape(path: str | Path, holidays_path: str | Path | None = None) -> DemandShape:
    """Read and validate the electricity demand shape.

    Parameters
    ----------
    path : str or pathlib.Path
        ``demand_shape.csv`` (long table ``section,key,value,unit,note``).
    holidays_path : str or pathlib.Path, optional
        Lunar-new-year dates; default ``holidays.csv`` next to ``path``.

    Returns
    -------
    DemandShape
    """
    path = Path(path)
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    v = _read_sections(path, _DEMAND_SECTIONS, issues)
    issues.raise_if_any()
    dates = read_holidays(holidays_path or path.with_name("holidays.csv"))
    offsets, factors = _offsets(v["spring_festival"])
    p = v["parameter"]
    return DemandShape(
        month_factor=_ordered(v["month"], _MONTHS),
        reference_year=int(p["reference_year"]),
        profile_summer=_ordered(v["profile_summer"], _HOURS),
        profile_winter=_ordered(v["profile_winter"], _HOURS),
        summer_weight=_ordered(v["summer_weight"], _MONTHS),
        weekday_factor=_ordered(v["weekday"], WEEKDAYS),
        spring_festival_offset_days=offsets,
        spring_festival_factor=factors,
        spring_festival_dates=dates,
        normal_temperature_c=_ordered(v["normal_temperature_c"], _MONTHS),
        temperature_anomaly_sd_c=p["temperature_anomaly_sd_c"],
        temperature_anomaly_autocorrelation=p["temperature_anomaly_autocorrelation"],
        cooling_base_c=p["cooling_base_c"],
        heating_base_c=p["heating_base_c"],
        cooling_sensitivity_per_c=p["cooling_sensitivity_per_c"],
        heating_sensitivity_per_c=p["heating_sensitivity_per_c"],
        cooling_hourly_weight=_ordered(v["cooling_hourly_weight"], _HOURS),
        heating_hourly_weight=_ordered(v["heating_hourly_weight"], _HOURS),
        seed=int(p["seed"]),
    )


def read_heat_shape(path: str | Path, holidays_path: str | Path | None = None) -> HeatShape:
    """Read and validate the heat (industrial steam) demand shape.

    Parameters
    ----------
    path : str or pathlib.Path
        ``heat_demand_shape.csv`` (long table ``section,key,value,unit,note``).
    holidays_path : str or pathlib.Path, optional
        Lunar-new-year dates; default ``holidays.csv`` next to ``path``.

    Returns
    -------
    HeatShape
    """
    path = Path(path)
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    v = _read_sections(path, _HEAT_SECTIONS, issues)
    issues.raise_if_any()
    dates = read_holidays(holidays_path or path.with_name("holidays.csv"))
    offsets, factors = _offsets(v["spring_festival"])
    return HeatShape(
        month_factor=_ordered(v["month"], _MONTHS),
        profile=_ordered(v["profile"], _HOURS),
        weekday_factor=_ordered(v["weekday"], WEEKDAYS),
        spring_festival_offset_days=offsets,
        spring_festival_factor=factors,
        spring_festival_dates=dates,
    )


# --------------------------------------------------------------------------
# a user's hourly demand file

_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def read_demand_csv(path: str | Path, time: pd.DatetimeIndex) -> np.ndarray:
    """Read a user's hourly electricity demand and align it with the horizon.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with columns ``time`` (hour start, ``YYYY-MM-DD HH:MM``, China
        Standard Time; an explicit ``+08:00`` suffix is accepted) and
        ``demand_mw``.
    time : pandas.DatetimeIndex
        The model horizon (hourly, tz-naive China Standard Time or tz-aware).

    Returns
    -------
    numpy.ndarray
        Demand at each stamp of ``time``. [MW]

    Raises
    ------
    InputError
        Listing every problem: bad separators or decimal commas, unknown
        columns, unparsable or foreign-offset stamps, empty/NaN/text/negative
        values, duplicate, unordered or missing hours, a length or start
        differing from the horizon, and a mean outside 100-50,000 MW (kW or
        GW instead of MW?).
    """
    path = Path(path)
    name = path.name
    issues = _Issues(path.name, [])  # messages name files, never full machine paths
    rows = _read_rows(path, DEMAND_COLUMNS, issues)
    stamps, values, lines = _parse_demand_rows(rows, name, issues)
    complete = not issues.items
    _check_demand_series(stamps, values, lines, _horizon(time), name, issues, complete=complete)
    issues.raise_if_any()
    return np.asarray(values, dtype=float)


def _horizon(time: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The horizon as tz-naive China Standard Time."""
    stamps = pd.DatetimeIndex(time)
    return stamps.tz_convert(LOCAL_TZ).tz_localize(None) if stamps.tz is not None else stamps


def _parse_demand_rows(rows: list[_Row], name: str,
                       issues: _Issues) -> tuple[list[pd.Timestamp], list[float], list[int]]:
    """Parse stamps and values row by row, reporting each bad cell."""
    stamps: list[pd.Timestamp] = []
    values: list[float] = []
    lines: list[int] = []
    for row in rows:
        text = row.cells["time"]
        stamp = _parse_stamp(text, f"{name}:{text or f'line{row.line}'}.time", row.line, issues)
        value, problem = _parse_number(row.cells["demand_mw"])
        if problem is None and math.isnan(value):  # type: ignore[arg-type]
            problem = "empty cell; every hour needs a demand value"
        elif problem is None and value < 0:  # type: ignore[operator]
            problem = "demand must be >= 0"
        if problem is not None:
            issues.add(f"{name}:{text}.demand_mw", problem, value=row.cells["demand_mw"], line=row.line)
        if stamp is not None and problem is None:
            stamps.append(stamp)
            values.append(float(value))  # type: ignore[arg-type]
            lines.append(row.line)
    if not rows:
        issues.add(f"{name}:demand_mw", "no data rows")
    return stamps, values, lines


def _parse_stamp(text: str, where: str, line: int, issues: _Issues) -> pd.Timestamp | None:
    """Parse one time stamp; only no offset or +08:00 is accepted."""
    match = _OFFSET.search(text)
    if match and match.group(1).replace(":", "") not in ("+0800",):
        issues.add(where, "time zone offset other than +08:00; give China Standard Time stamps "
                   "(without suffix or with +08:00)", value=text, line=line)
        return None
    try:
        stamp = pd.Timestamp(text[: match.start()] if match else text)
    except (ValueError, TypeError):
        issues.add(where, "time stamp expected as YYYY-MM-DD HH:MM", value=text, line=line)
        return None
    if pd.isna(stamp):
        issues.add(where, "time stamp expected as YYYY-MM-DD HH:MM", value=text, line=line)
        return None
    return stamp


def _check_demand_series(stamps: list[pd.Timestamp], values: list[float], lines: list[int],
                         horizon: pd.DatetimeIndex, name: str, issues: _Issues, *, complete: bool) -> None:
    """Order, duplicates, gaps, alignment with the horizon and magnitude.

    Rows that failed to parse are absent; the gap check skips over them and
    the length/start checks run only when every row parsed (``complete``).
    """
    seen: dict[pd.Timestamp, int] = {}
    for stamp, line in zip(stamps, lines):
        if stamp in seen:
            issues.add(f"{name}:{stamp}.time", f"duplicate time stamp (first on line {seen[stamp]})",
                       value=str(stamp), line=line)
        seen.setdefault(stamp, line)
    for prev, stamp, prev_line, line in zip(stamps, stamps[1:], lines, lines[1:]):
        if stamp < prev:
            issues.add(f"{name}:{stamp}.time", f"time stamps out of order (after {prev})", value=str(stamp), line=line)
        elif stamp - prev > pd.Timedelta(hours=1) and line == prev_line + 1:
            issues.add(f"{name}:{stamp}.time", f"gap: hours missing after {prev}", value=str(stamp), line=line)
        elif pd.Timedelta(0) < stamp - prev < pd.Timedelta(hours=1):
            issues.add(f"{name}:{stamp}.time", "not hourly: stamps less than one hour apart",
                       value=str(stamp), line=line)
    if complete and len(values) != len(horizon):
        message = (f"{len(values)} hourly values but the model horizon has {len(horizon)} hours "
                   f"({horizon[0]} to {horizon[-1]})" if len(horizon) else "the model horizon is empty")
        issues.add(f"{name}:demand_mw", message, value=len(values))
    elif complete and stamps and stamps[0] != horizon[0]:
        issues.add(f"{name}:{stamps[0]}.time", f"first stamp differs from the horizon start {horizon[0]}",
                   value=str(stamps[0]), line=lines[0])
    if values:
        mean = float(np.mean(values))
        low, high = CITY_MEAN_MW
        if mean > high:
            issues.add(f"{name}:demand_mw", f"mean {mean:,.0f} is implausible for a city in MW "
                       f"(expected {low:,.0f}-{high:,.0f} MW); is this kW?", value=mean)
        elif mean < low:
            issues.add(f"{name}:demand_mw", f"mean {mean:,.3g} is implausible for a city in MW "
                       f"(expected {low:,.0f}-{high:,.0f} MW); is this GW?", value=mean)
