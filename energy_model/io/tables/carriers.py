"""Read and validate ``carriers.csv``: names, colours and the new-energy definition of each energy carrier.

Which carriers count as new energy (新能源) is data, not code: the scorecard's
new-energy share, the report's groups and colours all read this table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from energy_model.io.tables.common import _apply_rules, _Issues, _Range, read_table

CARRIER_COLUMNS: tuple[str, ...] = ("carrier", "name", "name_zh", "new_energy", "colour")
CARRIER_TEXT: tuple[str, ...] = ("carrier", "name", "name_zh", "colour")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FLAG = _Range(0.0, 1.0)


def read_carriers(path: str | Path) -> pd.DataFrame:
    """Read the carrier table.

    Parameters
    ----------
    path : str or pathlib.Path
        ``carriers.csv``; columns as in :data:`CARRIER_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``carrier``: ``name``, ``name_zh``, ``new_energy`` (bool) and
        ``colour`` (``#rrggbb``).

    Raises
    ------
    InputError
        Every problem of the file: bad ids, a ``new_energy`` other than 0 or 1,
        a colour that is not ``#rrggbb``, a missing name.
    """
    path = Path(path)
    frame, lines, issues = read_table(path, CARRIER_COLUMNS, CARRIER_TEXT)
    _check(frame, lines, path.name, issues)
    issues.raise_if_any()
    frame["new_energy"] = frame["new_energy"] == 1.0
    return frame


def _check(frame: pd.DataFrame, lines: list[int | None], name: str, issues: _Issues) -> None:
    _apply_rules(frame, {"new_energy": _FLAG}, lines, name, issues)
    for (ident, row), line in zip(frame.iterrows(), lines):
        if row["new_energy"] not in (0.0, 1.0):
            issues.add(f"{name}:{ident}.new_energy", "write 1 (new energy) or 0", value=row["new_energy"], line=line)
        if not isinstance(row["colour"], str) or not _COLOUR.match(row["colour"]):
            issues.add(f"{name}:{ident}.colour", "expected a colour as #rrggbb", value=row["colour"], line=line)
        for column in ("name", "name_zh"):
            if not isinstance(row[column], str) or not row[column]:
                issues.add(f"{name}:{ident}.{column}", "a name is required", line=line)
