"""Shared reader of the long year tables (``cost_years.csv``, ``build_years.csv``): one number per row.

Every row names a cell of an input table by ``table``, ``id`` and ``column``,
gives the ``year`` it belongs to, its ``value`` in the units of the column name
and a ``source_id``. Each value is checked by the rule of its column in the
input table it stands for (:mod:`energy_model.io.tables.common`), so a year
table accepts exactly what the CSV it changes would accept. Extra text
columns (a build year's ``option``) are optional identifiers and part of
what makes a row unique.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from energy_model.io.tables.common import _IDENTIFIER, _Issues, _parse_number, _Range, _read_rows

#: Years a year table row (and a scenario's cost or build year) may take.
YEAR_RANGE: tuple[int, int] = (2010, 2050)
#: Tables whose rows have no id (system-wide values).
NO_ID_TABLES: tuple[str, ...] = ("economics",)

_YEAR = re.compile(r"^[0-9]{4}$")


class _Add(Protocol):
    """Records one problem of the current row."""

    def __call__(self, field: str, message: str, value: object = None) -> None: ...  # noqa: D102


def read_year_table(
    path: str | Path,
    columns: Sequence[str],
    rules: Mapping[str, Mapping[str, _Range]],
    *,
    known: Mapping[str, set[str] | None],
    what: str,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Read and validate a long year table.

    Parameters
    ----------
    path : str or pathlib.Path
        The table; its header must be ``columns``.
    columns : sequence of str
        ``table, id, column, year, value, source_id`` followed by ``extra``.
    rules : mapping
        Allowed tables, and per table the allowed columns with their value rule.
    known : mapping
        Known ids per table (None: not checked).
    what : str
        What a row is, for messages (``"cost year"``, ``"build year"``).
    extra : sequence of str
        Further text columns: empty or an identifier; part of a row's identity.

    Returns
    -------
    pandas.DataFrame
        One row per number, in file order: ``columns`` and ``line`` (1-based
        file line); ``year`` int, ``value`` float. ``attrs["file"]`` is the file name.

    Raises
    ------
    InputError
        With every problem of the file, each naming the file, line, field,
        value and what was expected.
    """
    path = Path(path)
    name = path.name
    issues = _Issues(name, [])
    rows = _read_rows(path, columns, issues)
    records: list[dict[str, object]] = []
    first_line: dict[tuple[object, ...], int] = {}
    for row in rows:
        c = row.cells
        table, ident, column = c["table"], c["id"], c["column"]
        tags = "".join(f"[{c[e]}]" for e in extra if c[e])
        where = f"{name}:{table or '?'}.{ident + '.' if ident else ''}{column or '?'}[{c['year'] or '?'}]{tags}"

        def add(field: str, message: str, value: object = None) -> None:
            issues.add(f"{where}.{field}", message, value=value, line=row.line)  # noqa: B023

        ok = _check_cell(table, ident, column, rules, known, what, add)
        year = _check_year(c["year"], add)
        ok = ok and year is not None
        value = _check_value(c["value"], rules.get(table, {}).get(column), f"{table}.{column}", what, add)
        ok = ok and value is not None
        _check_identifier(c["source_id"], "source_id", add, required=(
            "source_id required: a short label whose rows in sources.csv give the source and grade"))
        for e in extra:
            ok = _check_identifier(c[e], e, add) and ok
        if year is not None and table in rules:
            key = (table, ident, column, year, *(c[e] for e in extra))
            if key in first_line:
                label = f"{table}.{column}" if table in NO_ID_TABLES else f"{table}.{ident}.{column}"
                add("year", f"duplicate: {label}{tags} in {year} is already given on line {first_line[key]}", year)
                ok = False
            else:
                first_line[key] = row.line
        if ok:
            records.append({"table": table, "id": ident, "column": column, "year": year, "value": value,
                            "source_id": c["source_id"], **{e: c[e] for e in extra}, "line": row.line})
    issues.raise_if_any()
    frame = pd.DataFrame(records, columns=[*columns, "line"])
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    frame.attrs["file"] = name
    return frame


def known_ids(known: Collection[str] | pd.DataFrame | Mapping[str, object] | None) -> set[str] | None:
    """The ids of a validated table (its index) or of a collection; None stays None (not checked)."""
    if known is None:
        return None
    if isinstance(known, pd.DataFrame):
        return {str(i) for i in known.index}
    return {str(i) for i in known}


def _hint(name: str, choices: Collection[str]) -> str:
    guess = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean '{guess[0]}'?" if guess else ""


def _check_cell(table: str, ident: str, column: str, rules: Mapping[str, Mapping[str, _Range]],
                known: Mapping[str, set[str] | None], what: str, add: _Add) -> bool:
    """Table, id and column name a changeable cell."""
    ok = True
    if table not in rules:
        add("table", f"unknown table{_hint(table, list(rules))} Expected one of: {', '.join(rules)}", table or None)
        return False
    if table in NO_ID_TABLES:
        if ident:
            add("id", f"{table} rows have no id; leave the cell empty", ident)
            ok = False
    elif not ident:
        add("id", f"{table} rows need the id of a row of {table}.csv", None)
        ok = False
    elif not _IDENTIFIER.match(ident):
        add("id", "id must be lower-case letters, digits and '_' starting with a letter", ident)
        ok = False
    elif (ids := known.get(table)) is not None and ident not in ids:
        add("id", f"no {table} row named '{ident}'{_hint(ident, ids)}", ident)
        ok = False
    allowed = rules[table]
    if column not in allowed:
        add("column", f"no numeric {table} column named '{column}' that a {what} may set"
                      f"{_hint(column, list(allowed))} Allowed: {', '.join(allowed)}", column or None)
        ok = False
    return ok


def _check_year(text: str, add: _Add) -> int | None:
    if not _YEAR.match(text):
        add("year", "a four-digit integer year is expected (e.g. 2017)", text or None)
        return None
    year = int(text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        add("year", f"year must be in {YEAR_RANGE[0]}..{YEAR_RANGE[1]}", year)
        return None
    return year


def _check_value(text: str, rule: _Range | None, label: str, what: str, add: _Add) -> float | None:
    value, problem = _parse_number(text)
    if problem is not None:
        add("value", problem, text)
        return None
    if value is None or math.isnan(value):
        add("value", f"a value is required (an empty cell has no meaning in a {what})")
        return None
    if rule is not None and (rule_problem := rule.check(value)):
        add("value", f"{label}: {rule_problem}", value)
        return None
    return float(value)


def _check_identifier(text: str, field: str, add: _Add, *, required: str = "") -> bool:
    """An optional (or, with ``required``, mandatory) identifier cell."""
    if not text:
        if required:
            add(field, required)
            return False
        return True
    if not _IDENTIFIER.match(text):
        add(field, f"{field} must be lower-case letters, digits and '_' starting with a letter", text)
        return False
    return True
