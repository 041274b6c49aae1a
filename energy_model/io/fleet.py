"""Read ``fleet.csv``: the starting fleet by vintage and the committed plants after it.

One row per unit or group of units: its ``technology`` (a row of
technologies.csv), a ``unit`` name, power ``mw`` [MW] and storage energy
``mwh`` [MWh] (empty for non-storage), the year it was ``commissioned`` and
the year it ``retires`` (leaves service: it serves the years before), a
``source_id`` (its row in sources.csv is ``fleet.<unit>``) and an ``option``
name (empty: a plant that stands or is committed; a name: a plant a pathway
counts only when its ``commitments`` list it). Rows commissioned in or before a
pathway's ``fleet_year`` are its starting fleet, later ones its commitments.
All problems of the file are reported together.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection
from pathlib import Path

import pandas as pd

from energy_model.io.tables.common import _IDENTIFIER, _Issues, _parse_number, _read_rows
from energy_model.io.year_tables import known_ids

#: Columns of fleet.csv, in order.
FLEET_COLUMNS: tuple[str, ...] = ("technology", "unit", "mw", "mwh", "commissioned", "retires", "source_id",
                                  "option")
#: Years a unit may be commissioned or retire in.
FLEET_YEARS: tuple[int, int] = (1950, 2100)
#: Largest plausible unit group [MW] (a unit-slip check: kW written as MW).
MAX_UNIT_MW = 20_000.0


def read_fleet(path: str | Path, *, technologies: Collection[str] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate ``fleet.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        The fleet table; columns as in :data:`FLEET_COLUMNS`.
    technologies : collection of str or pandas.DataFrame, optional
        Known technology ids (or the validated technology table).

    Returns
    -------
    pandas.DataFrame
        One row per unit in file order: the columns of :data:`FLEET_COLUMNS`
        (``mw``, ``mwh`` float [MW], [MWh], ``mwh`` 0 when empty;
        ``commissioned``, ``retires`` int; ``option`` '' when empty) and
        ``line``. ``attrs["file"]`` is the file name.

    Raises
    ------
    InputError
        Every problem of the file, each naming the file, line, unit, column,
        value and what was expected.
    """
    path = Path(path)
    name = path.name
    known = known_ids(technologies)
    issues = _Issues(name, [])
    records: list[dict[str, object]] = []
    first: dict[str, int] = {}
    for row in _read_rows(path, FLEET_COLUMNS, issues):
        c = row.cells
        where = f"{name}:{c['unit'] or 'line' + str(row.line)}"

        def add(column: str, message: str, value: object = None) -> None:
            issues.add(f"{where}.{column}", message, value=value, line=row.line)  # noqa: B023

        ok = True
        tech = c["technology"]
        if known is not None and tech not in known:
            guess = difflib.get_close_matches(tech, sorted(known), n=1)
            add("technology", "no technology of that name in technologies.csv"
                + (f"; did you mean '{guess[0]}'?" if guess else ""), tech or None)
            ok = False
        for column, required in (("unit", True), ("source_id", True), ("option", False)):
            text = c[column]
            if not text and required:
                add(column, f"{column} required: lower-case letters, digits and '_'")
                ok = False
            elif text and not _IDENTIFIER.match(text):
                add(column, f"{column} must be lower-case letters, digits and '_' starting with a letter", text)
                ok = False
        if c["unit"] in first:
            add("unit", f"duplicate unit: already given on line {first[c['unit']]}", c["unit"])
            ok = False
        elif c["unit"]:
            first[c["unit"]] = row.line
        mw = _amount(c["mw"], "mw", "MW", add, required=True)
        mwh = _amount(c["mwh"], "mwh", "MWh", add, required=False)
        built = _year(c["commissioned"], "commissioned", add)
        retires = _year(c["retires"], "retires", add)
        if built is not None and retires is not None and retires <= built:
            add("retires", f"a unit must retire after it is commissioned ({built})", retires)
            ok = False
        if ok and mw is not None and mwh is not None and built is not None and retires is not None:
            records.append({"technology": tech, "unit": c["unit"], "mw": mw, "mwh": mwh, "commissioned": built,
                            "retires": retires, "source_id": c["source_id"], "option": c["option"],
                            "line": row.line})
    issues.raise_if_any()
    frame = pd.DataFrame(records, columns=[*FLEET_COLUMNS, "line"])
    frame = frame.astype({"mw": float, "mwh": float, "commissioned": int, "retires": int, "line": int})
    frame.attrs["file"] = name
    return frame


def _amount(text: str, column: str, unit: str, add: Callable[..., None], *, required: bool) -> float | None:
    value, problem = _parse_number(text)
    if problem is not None:
        add(column, problem, text)
        return None
    if value is None or math.isnan(value):
        if required:
            add(column, f"a capacity [{unit}] is required")
            return None
        return 0.0
    if value < 0 or value > MAX_UNIT_MW * (4 if unit == "MWh" else 1):
        add(column, f"expected 0..{MAX_UNIT_MW * (4 if unit == 'MWh' else 1):,.0f} {unit}", value)
        return None
    return float(value)


def _year(text: str, column: str, add: Callable[..., None]) -> int | None:
    if not (len(text) == 4 and text.isdigit()) or not FLEET_YEARS[0] <= int(text) <= FLEET_YEARS[1]:
        add(column, f"a four-digit year in {FLEET_YEARS[0]}..{FLEET_YEARS[1]} is expected", text or None)
        return None
    return int(text)


def in_service(fleet: pd.DataFrame, fleet_year: int, year: int) -> pd.DataFrame:
    """Units of the starting fleet of ``fleet_year`` still in service in ``year``.

    The starting fleet is every non-option unit commissioned in or before
    ``fleet_year`` and not retired by then; a unit serves the years before its
    ``retires`` year.

    Examples
    --------
    >>> f = pd.DataFrame({"technology": ["coal"], "unit": ["a"], "mw": [300.0], "mwh": [0.0],
    ...                   "commissioned": [1994], "retires": [2024], "option": [""]})
    >>> len(in_service(f, 2016, 2020)), len(in_service(f, 2016, 2025))
    (1, 0)
    """
    start = (fleet["option"] == "") & (fleet["commissioned"] <= fleet_year) & (fleet["retires"] > fleet_year)
    return fleet[start & (fleet["retires"] > year)]
