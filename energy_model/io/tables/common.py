"""Shared machinery of the CSV readers: row reading, number parsing, value ranges, issue collection."""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.io import free_text

# --------------------------------------------------------------------------
# vocabulary and column lists

TECHNOLOGY_COLUMNS: tuple[str, ...] = (
    "technology", "name", "name_zh", "kind", "carrier", "fuel", "profile",
    "existing_mw", "min_mw", "max_mw", "capex_cny_per_kw", "fom_cny_per_kw_yr", "vom_cny_per_mwh",
    "lifetime_yr", "efficiency", "heat_to_power", "min_stable_load", "ramp_rate_per_h", "availability",
    "co2_t_per_mwh", "capex_cny_per_kwh", "fom_cny_per_kwh_yr", "existing_mwh", "max_mwh",
    "charge_efficiency", "discharge_efficiency", "min_duration_h", "max_duration_h", "self_discharge_per_h",
    "startup_cost_cny_per_mw", "capacity_credit", "firm_duration_h", "min_full_load_hours", "max_full_load_hours",
    "price_profile",
)
TECHNOLOGY_TEXT: tuple[str, ...] = (*TECHNOLOGY_COLUMNS[:7], "price_profile")
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
#: Hourly price multipliers (mean 1) a technology's ``vom_cny_per_mwh`` may be shaped by.
PRICE_PROFILES: tuple[str, ...] = ("provincial_value", "trade_prices")
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


def read_text(path: Path, issues: _Issues) -> str:
    """The file's UTF-8 text (a BOM is dropped); a missing or unreadable file raises its issue at once."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        issues.add("", "file not found")
    except (OSError, UnicodeDecodeError) as exc:
        issues.add("", f"cannot read the file as UTF-8 text: {exc}")
    issues.raise_if_any()
    raise AssertionError("unreachable: raise_if_any raised")


def _read_rows(path: Path, expected: Sequence[str], issues: _Issues) -> list[_Row]:
    """Read a comma-separated file, checking the header and the field counts.

    Unknown and missing columns are reported with the closest valid name. A
    semicolon-separated file or a row with too many fields (an unquoted
    decimal comma) is reported. Returns the rows that could be split.
    """
    name = path.name
    text = read_text(path, issues)
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
    "capacity_credit": _FRACTION0,
    "firm_duration_h": _Range(0.0, 10_000.0, low_open=True),
    "min_full_load_hours": _Range(0.0, 8784.0),
    "max_full_load_hours": _Range(0.0, 8784.0),
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


def _check_text(rows: list[_Row], ids: list[str], text: Sequence[str], name: str, issues: _Issues) -> None:
    """Report text cells holding control characters (names reach every report and workbook)."""
    for row, ident in zip(rows, ids):
        for column in text:
            message = free_text.problem(row.cells[column])
            if message is not None:
                issues.add(f"{name}:{ident}.{column}", message, value=row.cells[column], line=row.line)


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




def read_table(path: Path, columns: Sequence[str], text: Sequence[str]) -> tuple[pd.DataFrame, list[int | None], _Issues]:
    """Read a one-row-per-id table into a typed DataFrame; problems are collected, not raised.

    The first column is the id (index); ``text`` lists the text columns (the id
    first), every other column is numeric. Returns the frame, the file line of
    each row and the issues found so far (messages name the file, not its path).
    """
    issues = _Issues(path.name, [])
    rows = _read_rows(path, columns, issues)
    ids = _ids(rows, columns[0], path.name, issues)
    numeric = [c for c in columns if c not in text]
    _check_text(rows, ids, text[1:], path.name, issues)
    frame = _frame(rows, ids, columns[0], text[1:], numeric, path.name, issues)
    return frame, [row.line for row in rows], issues
