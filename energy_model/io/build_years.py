"""Build years: what could exist (plants in service, build limits, terminal volumes) by a given year.

``inputs/build_years.csv`` is a long table, one number per row::

    table,id,column,year,value,source_id,option
    technologies,coal_usc,max_mw,2016,0,coal_red_warning,
    technologies,coal_usc,max_mw,2023,2000,sheyang_port_usc,
    technologies,coal_usc,max_mw,2025,4000,guoxin_binhai_assumed,guoxin_binhai_usc

``table`` is ``technologies`` or ``fuels``; ``column`` one of
:data:`BUILD_COLUMNS` of that table, in the units of its name; the value is
checked by the same rule as the cell of the input table. ``option`` empty: the
row always applies; a name: the row applies only when the scenario lists that
name under ``build_options``. Sources and grades are in ``inputs/sources.csv``
under ``build_years.<table>.<id>.<column>.<year>`` (``.<option>`` appended for
an option's row).

A step function, never interpolated: for a scenario's ``build_year`` each
(table, id, column) series takes the value of its latest applicable row with
``year <= build_year`` (an option's row wins over a plain row of the same
year); before the first row of a series the base value of the input table
holds. :func:`build_year_changes` returns these values as change paths, which
the loader applies through :func:`energy_model.io.changes.apply_changes` after
the cost year and before the scenario's ``overrides`` (which win).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.io.tables.common import FUEL_RULES, TECHNOLOGY_RULES, _Range
from energy_model.io.year_tables import known_ids, read_year_table

#: Columns of ``build_years.csv``, in order.
BUILD_YEAR_COLUMNS: tuple[str, ...] = ("table", "id", "column", "year", "value", "source_id", "option")

#: Columns a build year may set, per table: capacities and supply limits (what exists or may exist).
BUILD_COLUMNS: dict[str, tuple[str, ...]] = {
    "technologies": ("existing_mw", "min_mw", "max_mw", "existing_mwh", "max_mwh"),
    "fuels": ("max_units_per_h", "max_units_per_yr"),
}

#: Value rules per table and column: those of the input tables.
TABLE_RULES: dict[str, dict[str, _Range]] = {
    "technologies": {c: TECHNOLOGY_RULES[c] for c in BUILD_COLUMNS["technologies"]},
    "fuels": {c: FUEL_RULES[c] for c in BUILD_COLUMNS["fuels"]},
}


@dataclass(frozen=True)
class BuildYear:
    """The values a build year gives, and the table rows they come from.

    Attributes
    ----------
    changes : dict
        ``{"technologies.<id>.<column>" | "fuels.<id>.<column>": value}`` in the
        units of the column names.
    rows : dict
        Change path -> source key of the row in force
        (``build_years.<table>.<id>.<column>.<year>[.<option>]``).
    lines : dict
        Change path -> file line of the row in force (for messages).
    """

    changes: dict[str, float]
    rows: dict[str, str]
    lines: dict[str, int]


def read_build_years(
    path: str | Path,
    *,
    technologies: Collection[str] | pd.DataFrame | None = None,
    fuels: Collection[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read and validate ``build_years.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        The build-year table; columns as in :data:`BUILD_YEAR_COLUMNS`.
    technologies, fuels : collection of str or pandas.DataFrame, optional
        Known technology and fuel ids (or the validated tables, whose index is
        used). When given, every ``id`` of that table must be one of them.

    Returns
    -------
    pandas.DataFrame
        One row per number, in file order: ``table``, ``id``, ``column``,
        ``year`` (int), ``value`` (float, in the units of the column),
        ``source_id``, ``option`` ('' = always applied) and ``line`` (1-based
        file line). ``attrs["file"]`` is the file name.

    Raises
    ------
    InputError
        With every problem of the file, each naming the file, line, field,
        value and what was expected.
    """
    return read_year_table(path, BUILD_YEAR_COLUMNS, TABLE_RULES, what="build year", extra=("option",),
                           known={"technologies": known_ids(technologies), "fuels": known_ids(fuels)})


def options_of(table: pd.DataFrame) -> list[str]:
    """The option names a build-year table defines, sorted."""
    return sorted({str(o) for o in table["option"] if o})


def check_options(table: pd.DataFrame, options: Sequence[str], *, file: str, key: str = "build_options",
                  lines: Mapping[str, int] | None = None) -> None:
    """Every option a scenario lists must be defined by the table.

    Raises
    ------
    InputError
        One issue per unknown name (key ``build_options[i]``), with the closest
        defined name and the list of defined names.
    """
    known = options_of(table)
    source = str(table.attrs.get("file", "build_years.csv"))
    issues = []
    for i, name in enumerate(options):
        if name in known:
            continue
        guess = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        listed = ", ".join(known) if known else "none"
        path = f"{key}[{i}]"
        issues.append(InputIssue(file, path, f"no option of that name in {source}{hint} Options: {listed}",
                                 value=name, line=(lines or {}).get(path)))
    if issues:
        raise InputError(issues)


def build_year_changes(table: pd.DataFrame, year: int, options: Sequence[str] = (), *, file: str,
                       key: str = "build_year", line: int | None = None) -> BuildYear:
    """Values of every build-year series in force in ``year``, as change paths.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`read_build_years`.
    year : int
        The scenario's build year.
    options : sequence of str
        Options the scenario takes (checked with :func:`check_options` first).
    file, key : str
        Scenario file name and key path named by an error.
    line : int, optional
        Line of the key in the scenario file.

    Returns
    -------
    BuildYear
        For each (table, id, column) series with an applicable row in or
        before ``year``: the value of the latest such row (an option's row
        wins over a plain row of the same year). Series whose rows all lie
        after ``year`` are left out: the input table's value holds.

    Raises
    ------
    InputError
        When ``year`` is not an integer.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(InputIssue(file, key, "a build year must be an integer year", value=year, line=line))
    taken = set(options)
    rows = table[(table["year"] <= year) & ((table["option"] == "") | table["option"].isin(taken))]
    # the latest year wins; within a year an option's row (sorted after the plain row) wins
    rows = rows.assign(_optional=rows["option"] != "").sort_values(["year", "_optional"], kind="stable")
    changes: dict[str, float] = {}
    sources: dict[str, str] = {}
    lines: dict[str, int] = {}
    for r in rows.itertuples(index=False):
        path = f"{r.table}.{r.id}.{r.column}"
        changes[path] = float(r.value)
        sources[path] = source_key(str(r.table), str(r.id), str(r.column), int(r.year), str(r.option))
        lines[path] = int(r.line)
    order: dict[str, int] = {}
    for k, (t, i, c) in enumerate(zip(table["table"], table["id"], table["column"])):
        order.setdefault(f"{t}.{i}.{c}", k)  # series in file order of their first row
    ordered = sorted(changes, key=lambda p: order[p])
    return BuildYear({p: changes[p] for p in ordered}, {p: sources[p] for p in ordered},
                     {p: lines[p] for p in ordered})


def source_key(table: str, ident: str, column: str, year: int, option: str = "") -> str:
    """Key of a build-year row in ``inputs/sources.csv``."""
    return f"build_years.{table}.{ident}.{column}.{year}" + (f".{option}" if option else "")
