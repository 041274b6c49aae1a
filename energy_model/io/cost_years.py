"""Cost years: technology costs, fuel prices and the carbon price as they were (or are projected) in a year.

``inputs/cost_years.csv`` is a long table, one number per row::

    table,id,column,year,value,source_id
    technologies,offshore_wind,capex_cny_per_kw,2017,16000,dongtai_offshore_2020
    fuels,coal,price_cny_per_unit,2022,950,coal_2022_mix
    economics,,carbon_price_cny_per_t,2021,54,cea_close_2021

``table`` is ``technologies``, ``fuels`` or ``economics``; ``id`` a row of that
input table (empty for ``economics``); ``column`` a numeric column in the units
of its name; ``year`` the cost year; ``source_id`` a short label of the source
(the full reference and the confidence grade of every number are in
``inputs/sources.csv`` under the key ``cost_years.<table>.<id>.<column>.<year>``).

A scenario picks ``cost_year:``; :func:`cost_year_changes` turns the table into
change paths (``technologies.<id>.<column>``, ``fuels.<id>.<column>``,
``economics.<column>``) by linear interpolation between the years given for
each (table, id, column) series. A year outside the years of any series is an
error naming the scenario file and key: the table is never extrapolated.

Both functions are pure except for reading the file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.io.tables.common import FUEL_RULES, TECHNOLOGY_RULES, _Range
from energy_model.io.year_tables import YEAR_RANGE, known_ids, read_year_table

#: Columns of ``cost_years.csv``, in order.
COST_YEAR_COLUMNS: tuple[str, ...] = ("table", "id", "column", "year", "value", "source_id")

#: System-wide economic values that may vary by cost year (same bounds as the scenario schema).
ECONOMICS_RULES: dict[str, _Range] = {
    "carbon_price_cny_per_t": _Range(0.0, 5000.0),
    "provincial_wind_share": _Range(0.0, 1.0),
    "provincial_solar_share": _Range(0.0, 1.0),
    "provincial_must_run_share": _Range(0.0, 2.0),
    "provincial_merit_spread": _Range(0.0, 0.9),
    "provincial_surplus_floor": _Range(0.0, 1.0),
}

#: Column rules per table: a column is allowed when it has a rule here.
TABLE_RULES: dict[str, dict[str, _Range]] = {
    "technologies": TECHNOLOGY_RULES,
    "fuels": FUEL_RULES,
    "economics": ECONOMICS_RULES,
}


def read_cost_years(
    path: str | Path,
    *,
    technologies: Collection[str] | pd.DataFrame | None = None,
    fuels: Collection[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read and validate ``cost_years.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        The cost-year table; columns as in :data:`COST_YEAR_COLUMNS`.
    technologies, fuels : collection of str or pandas.DataFrame, optional
        Known technology and fuel ids (or the validated tables, whose index is
        used). When given, every ``id`` of that table must be one of them.

    Returns
    -------
    pandas.DataFrame
        One row per number, in file order: ``table``, ``id`` ('' for
        economics), ``column``, ``year`` (int), ``value`` (float),
        ``source_id`` and ``line`` (1-based file line). ``attrs["file"]`` is
        the file name, for messages.

    Raises
    ------
    InputError
        With every problem of the file, each naming the file, line, column,
        value and what was expected.
    """
    return read_year_table(path, COST_YEAR_COLUMNS, TABLE_RULES, what="cost year",
                           known={"technologies": known_ids(technologies), "fuels": known_ids(fuels)})


def cost_year_changes(
    table: pd.DataFrame,
    year: int,
    *,
    file: str,
    key: str = "cost_year",
    line: int | None = None,
) -> dict[str, float]:
    """Values of every cost-year series in ``year``, as change paths.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`read_cost_years`.
    year : int
        The scenario's cost year.
    file, key : str
        Scenario file name and key path (``cost_year``) named by an error.
    line : int, optional
        Line of the key in the scenario file.

    Returns
    -------
    dict
        ``{"technologies.<id>.<column>" | "fuels.<id>.<column>" |
        "economics.<column>": value}``, linear between the two nearest given
        years of each series (exact at a given year), in file order of the
        series.

    Raises
    ------
    InputError
        When ``year`` is not an integer, or lies outside the years given for
        any series (the message names the series, their ranges and the range
        every series covers).
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(InputIssue(file, key, "a cost year must be an integer year", value=year, line=line))
    source = str(table.attrs.get("file", "cost_years.csv"))
    changes: dict[str, float] = {}
    outside: list[tuple[str, int, int]] = []
    for (tab, ident, column), series in table.groupby(["table", "id", "column"], sort=False):
        series = series.sort_values("year")
        years = series["year"].to_numpy(dtype=int)
        values = series["value"].to_numpy(dtype=float)
        path = _path(str(tab), str(ident), str(column))
        lo, hi = int(years[0]), int(years[-1])
        if not lo <= year <= hi:
            outside.append((path, lo, hi))
            continue
        changes[path] = _interpolate(years, values, year)
    if outside:
        low, high = common_range(table)
        shown = "; ".join(f"{p} ({a}..{b})" for p, a, b in outside[:5])
        more = f" and {len(outside) - 5} more" if len(outside) > 5 else ""
        span = f"{low}..{high}" if low <= high else "none (the series share no year)"
        raise InputError(InputIssue(
            file, key,
            f"cost year {year} is outside the years given in {source} for {len(outside)} series: {shown}{more}; "
            f"years every series covers: {span} (values are interpolated, never extrapolated)",
            value=year, line=line))
    return changes


def common_range(table: pd.DataFrame) -> tuple[int, int]:
    """The years every series of ``table`` covers: (latest first year, earliest last year)."""
    if table.empty:
        return YEAR_RANGE
    spans = table.groupby(["table", "id", "column"], sort=False)["year"].agg(["min", "max"])
    return int(spans["min"].max()), int(spans["max"].min())


def _interpolate(years: Iterable[int], values: Iterable[float], year: int) -> float:
    """Linear interpolation in sorted ``years`` (``year`` within them)."""
    ys, vs = list(years), list(values)
    for i, y in enumerate(ys):
        if y == year:
            return float(vs[i])
        if y > year:
            y0, y1, v0, v1 = ys[i - 1], y, vs[i - 1], vs[i]
            return float(v0 + (v1 - v0) * (year - y0) / (y1 - y0))
    raise AssertionError("year outside the series")  # pragma: no cover - checked by the caller


def _path(table: str, ident: str, column: str) -> str:
    return f"{table}.{column}" if table == "economics" else f"{table}.{ident}.{column}"
