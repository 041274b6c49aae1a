"""Read the published figures a pathway is held against (``inputs/published_fleet.csv``).

One row per figure: ``year`` (the period it is compared with), ``item`` (a
technology, carrier, fuel or named figure such as ``new_energy_share``,
``consumption``, ``new_energy``, ``total_capacity``), ``date`` (what the
figure stands for when no figure of the period's year was found), ``value``
(empty: not found), ``unit``, ``grade``, ``source_id``, ``source``, ``note``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energy_model.errors import InputError, InputIssue

#: Columns the file must have.
PUBLISHED_COLUMNS = ("year", "item", "date", "value", "unit", "grade", "source_id", "source", "note")


def read_published(path: str | Path) -> pd.DataFrame | None:
    """The published figures (``value`` float, NaN where not found); None when the file does not exist.

    Raises
    ------
    InputError
        Missing columns, a year or value that is not a number; every problem of the file together.
    """
    path = Path(path)
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    issues = [InputIssue(path.name, c, "missing column", None) for c in PUBLISHED_COLUMNS if c not in frame.columns]
    if issues:
        raise InputError(issues)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for col in ("year", "value"):
            text = str(getattr(row, col)).strip()
            if col == "value" and not text:
                continue
            try:
                float(text)
            except ValueError:
                issues.append(InputIssue(path.name, col, "expected a number", text, i))
    if issues:
        raise InputError(issues)
    frame["year"] = frame["year"].astype(int)
    frame["value"] = pd.to_numeric(frame["value"].replace("", None), errors="coerce")
    return frame
