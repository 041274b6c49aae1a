"""Read a scenario's hourly trade-price file: one price series per import or export technology.

Format (UTF-8 CSV, one row per hour of the model horizon, China Standard Time hour starts)::

    time,grid_import,grid_export
    2021-01-01 00:00,281.5,270.1
    ...

Every column after ``time`` is a technology id; its values are the hourly price [CNY/MWh] paid for
imports or received for exports (positive for both; the export row's revenue sign is the table's).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd

from energy_model.io.tables.common import _Issues, _parse_number, read_text
from energy_model.io.tables.demand_csv import _check_stamps_match, _horizon, _parse_stamp

#: Plausible hourly trade prices [CNY/MWh]; outside them the unit is probably CNY/kWh or CNY/GWh.
PRICE_RANGE: tuple[float, float] = (0.0, 5000.0)


def read_price_csv(path: str | Path, time: pd.DatetimeIndex, allowed: dict[str, str]) -> dict[str, np.ndarray]:
    """Read hourly trade prices and align them with the horizon.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV (see the module docstring).
    time : pandas.DatetimeIndex
        The model horizon.
    allowed : dict of str to str
        Technology ids a column may name, with their kind (``import`` or ``export``).

    Returns
    -------
    dict of str to numpy.ndarray
        Hourly price per technology [CNY/MWh], one value per hour of ``time``.

    Raises
    ------
    InputError
        Listing every problem with its line and column: unknown or non-trade columns, bad stamps,
        empty, negative or implausible prices, a length or hours differing from the horizon, a
        series whose mean is not positive.
    """
    path = Path(path)
    name = path.name
    issues = _Issues(name, [])
    text = read_text(path, issues)
    records = [r for r in csv.reader(text.splitlines()) if r and any(c.strip() for c in r)]
    if not records or [h.strip() for h in records[0]][:1] != ["time"] or len(records[0]) < 2:
        issues.add("", "expected a header 'time,<technology id>,...' naming import or export technologies",
                   value=",".join(records[0]) if records else None, line=1)
        issues.raise_if_any()
    header = [h.strip() for h in records[0]]
    for column in header[1:]:
        if column not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            issues.add(f"{name}:{column}", f"not an import or export technology of the scenario (known: {known})",
                       value=column, line=1)
    if len(set(header)) != len(header):
        issues.add(name, "a column appears twice", value=",".join(header), line=1)
    stamps: list[pd.Timestamp] = []
    lines: list[int] = []
    values = {c: [] for c in header[1:]}  # type: dict[str, list[float]]
    for number, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            issues.add(f"{name}:line{number}", f"row has {len(record)} fields but the header has {len(header)}",
                       value=",".join(record), line=number)
            continue
        stamp = _parse_stamp(record[0].strip(), f"{name}:{record[0].strip() or f'line{number}'}.time", number, issues)
        ok = stamp is not None
        for column, cell in zip(header[1:], record[1:]):
            value, problem = _parse_number(cell.strip())
            if problem is None and math.isnan(value):  # type: ignore[arg-type]
                problem = "empty cell; every hour needs a price"
            elif problem is None and not PRICE_RANGE[0] <= value <= PRICE_RANGE[1]:  # type: ignore[operator]
                problem = (f"must be between {PRICE_RANGE[0]:g} and {PRICE_RANGE[1]:g} CNY/MWh (a price is positive for "
                           "imports and exports; CNY/MWh expected, not CNY/GWh)")
            if problem is not None:
                issues.add(f"{name}:{record[0].strip()}.{column}", problem, value=cell, line=number)
                ok = False
            else:
                values[column].append(float(value))  # type: ignore[arg-type]
        if ok and stamp is not None:
            stamps.append(stamp)
            lines.append(number)
        else:
            for column in header[1:]:
                del values[column][len(stamps):]
    horizon = _horizon(time)
    if not issues.items:
        if len(stamps) != len(horizon):
            issues.add(name, f"the file has {len(stamps)} hours but the horizon has {len(horizon)} "
                             f"({horizon[0]:%Y-%m-%d %H:%M} to {horizon[-1]:%Y-%m-%d %H:%M})")
        else:
            _check_stamps_match(stamps, lines, horizon, name, issues)
    for column, series in values.items():
        if series and not issues.items and float(np.mean(series)) <= 0:
            issues.add(f"{name}:{column}", "the mean price is 0: a price shape needs a positive mean", value=0)
        if series and not issues.items and 0 < float(np.mean(series)) < 1:
            issues.add(f"{name}:{column}", "implausible magnitude: CNY/MWh expected; is this CNY/kWh?",
                       value=round(float(np.mean(series)), 4))
    issues.raise_if_any()
    return {c: np.asarray(v, dtype=float) for c, v in values.items()}
