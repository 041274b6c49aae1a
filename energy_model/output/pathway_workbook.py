"""``pathway.xlsx``: the pathway's tables as one workbook (openpyxl, write-only; the run workbook's helpers).

Sheet ``summary`` holds the pathway's facts (scenario, foresight, discount rate, base year, present value
in CNY) and the answer and assumptions in both languages; then one sheet per table of
:func:`energy_model.output.pathway_tables.pathway_tables` (``trajectory``, ``capacity``, ``new_build``,
``retired``, ``targets``, ``weights``, ``inputs``, ``reality``), each with a Chinese and an English header
row. Numbers are numbers; money is in CNY (per year for annual costs); every text cell goes through
:func:`energy_model.output.xlsx_text.append_row`, so no text is ever read as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr
from openpyxl import Workbook

from energy_model.output.i18n import LANGS, Lang
from energy_model.output.pathway_tables import pathway_names, pathway_tables, workbook_rows
from energy_model.output.pathway_text import foresight_text, pathway_answer, pathway_assumptions
from energy_model.output.workbook import _head_cell, write_table
from energy_model.output.xlsx_text import append_row


def _summary_sheet(wb: Workbook, doc: dict[str, Any], facts: dict[str, list[str]]) -> None:
    ws = wb.create_sheet("summary")
    zh, en = Lang("zh"), Lang("en")
    meta: list[tuple[str, str, Any]] = [
        (zh("pathway.col.scenario"), en("pathway.col.scenario"), doc["scenario"]),
        (zh("pathway.col.title"), en("pathway.col.title"), doc.get("title") or ""),
        (zh("pathway.col.foresight"), en("pathway.col.foresight"), foresight_text(doc, en)),
        (zh("pathway.col.discount_rate"), en("pathway.col.discount_rate"), float(doc["discount_rate"])),
        (zh("pathway.col.base_year"), en("pathway.col.base_year"), int(doc["base_year"])),
        (f"{zh('pathway.item.present_value', base=doc['base_year'])} [{zh('pathway.unit.cny')}]",
         f"{en('pathway.item.present_value', base=doc['base_year'])} [{en('pathway.unit.cny')}]",
         float(doc["present_value_cny"])),
    ]
    for label_zh, label_en, value in meta:
        append_row(ws, [_head_cell(ws, label_zh), _head_cell(ws, label_en), value])
    append_row(ws, [])
    for code in LANGS:
        for sentence in facts[code]:
            append_row(ws, [sentence])
        append_row(ws, [])


def write_pathway_workbook(path: Path, doc: dict[str, Any], results: Sequence[xr.Dataset],
                           inputs: Sequence[xr.Dataset], *, published: pd.DataFrame | None = None) -> None:
    """Write the pathway workbook (module docstring) to ``path``.

    Parameters
    ----------
    path : pathlib.Path
        File to write (a run folder's staging copy: :mod:`energy_model.output.run_folder` publishes it).
    doc : dict
        The pathway document (:func:`energy_model.output.pathway_doc.pathway_summary`).
    results, inputs : sequence of xarray.Dataset
        Per period, the Results and their ModelInputs.
    published : pandas.DataFrame, optional
        Published figures for the ``reality`` sheet (``year``, ``item``, ``value``, ``unit``, ``source_id``).
    """
    names = pathway_names(inputs)
    facts = {code: pathway_answer(doc, names, Lang(code)) + pathway_assumptions(doc, Lang(code)) for code in LANGS}
    wb = Workbook(write_only=True)
    _summary_sheet(wb, doc, facts)
    for table in pathway_tables(doc, results, inputs, published):
        write_table(wb, workbook_rows(table))
    wb.save(path)
