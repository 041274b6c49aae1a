"""Text in a write-only openpyxl sheet stored as text: never a formula, an error code or a crash.

openpyxl stores a string that starts with ``=`` as a live formula (a scenario
title ``=HYPERLINK("http://x","y")`` would become a link) and one such as
``#N/A`` as an error value, and it refuses control characters. Every row of
``results.xlsx`` and ``compare.xlsx`` goes through :func:`append_row`, which
stores every string as an inline string (cell type ``s``) with the characters
a worksheet cannot hold removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def text_cell(ws: WriteOnlyWorksheet, text: str) -> Cell:
    """A cell holding ``text`` as a string, whatever its first character.

    Parameters
    ----------
    ws : WriteOnlyWorksheet
        Sheet the cell belongs to.
    text : str
        The text; characters a worksheet cannot hold (C0 controls other than tab,
        newline and carriage return) are removed. Validation refuses them in user
        input; this keeps the writer from failing on anything else.

    Returns
    -------
    openpyxl.cell.cell.Cell
        A cell of data type ``s``.
    """
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def as_text(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` ready for ``ws.append``: a string becomes a :func:`text_cell`, a text cell is kept as text."""
    if isinstance(value, str):
        return text_cell(ws, value)
    if isinstance(value, Cell) and isinstance(value.value, str):
        value.value = ILLEGAL_CHARACTERS_RE.sub("", value.value)
        value.data_type = "s"
    return value


def append_row(ws: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append one row to ``ws`` with every string stored as text (:func:`as_text`)."""
    ws.append([as_text(ws, v) for v in values])
