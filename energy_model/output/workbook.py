"""``results.xlsx``: the run's tables as one workbook to hand round (openpyxl, write-only).

Sheets ``summary``, ``targets``, ``technologies``, ``fuels``, ``emissions``,
``costs``, ``hourly`` and ``assumptions``. Every sheet has two header rows,
Chinese then English, each with the unit; data start on row 3. Numbers are
stored as numbers (with a display format), anything below a column's display
precision as 0; text that needs translating fills two columns, Chinese and
English. The first rows of ``summary`` carry the answer in both languages.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from energy_model.output import tables as tb
from energy_model.output.assumptions import aggregation_label, describe
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.xlsx_text import append_row

#: Excel number format per table format.
NUMBER_FORMATS = {"int": "#,##0", "num0": "#,##0", "num1": "#,##0.0", "num2": "#,##0.00", "num3": "#,##0.000",
                  "pct": "0.0%"}
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="F3F5F8")
#: Decimals kept in the hourly sheet (1 kW, 0.001 CNY/MWh).
HOURLY_DECIMALS = 3


def _head_cell(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = _HEAD
    cell.fill = _FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _write_headers(ws: WriteOnlyWorksheet, heads: list[tuple[str, str]]) -> None:
    """Two header rows: Chinese, then English."""
    for i, _code in enumerate(LANGS):
        append_row(ws, [_head_cell(ws, h[i]) for h in heads])


def _number_cell(ws: WriteOnlyWorksheet, value: Any, fmt: str, scale: float) -> Any:
    num = tb.cell_number(value, fmt, scale)
    if num is None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isinf(float(value)):
            return None  # no limit: an empty cell, not a huge number
        return value if isinstance(value, (str, bool)) or value is None else None
    cell = WriteOnlyCell(ws, value=num)
    cell.number_format = NUMBER_FORMATS.get(fmt, "General")
    return cell


def write_table(wb: Workbook, table: tb.Table) -> WriteOnlyWorksheet:
    """One sheet from a :class:`~energy_model.output.tables.Table` (bilingual headers with units)."""
    ws = wb.create_sheet(table.name)
    zh, en = Lang("zh"), Lang("en")
    heads: list[tuple[str, str]] = []
    columns = [tb.workbook_column(c) for c in table.columns]  # money in CNY/yr
    bilingual = {c.key: any(isinstance(r.get(c.key), tb.Bi) for r in table.rows) for c in columns}
    for c in columns:
        if bilingual[c.key]:
            heads.append((tb.header_text(c, zh), f"{tb.header_text(c, en)} (zh)"))
            heads.append((f"{tb.header_text(c, zh)}（英文）", tb.header_text(c, en)))
        else:
            heads.append((tb.header_text(c, zh), tb.header_text(c, en)))
    _write_headers(ws, heads)
    for row in map(tb.workbook_row, table.rows):
        fmts = row.get("_fmt", {})
        out: list[Any] = []
        for c in columns:
            value = row.get(c.key)
            if bilingual[c.key]:
                out += [value.zh, value.en] if isinstance(value, tb.Bi) else [value, value]
            elif c.fmt == "bool":
                out.append(bool(value))
            elif c.fmt == "text":
                out.append(value)
            else:
                out.append(_number_cell(ws, value, fmts.get(c.key, c.fmt), float(c.scale)))
        append_row(ws, out)
    return ws


def write_summary(wb: Workbook, table: tb.Table, facts: dict[str, list[str]], meta: list[tuple[str, str, Any]]) -> None:
    """The ``summary`` sheet: run facts, the answer in both languages, then the key numbers."""
    ws = wb.create_sheet("summary")
    for label_zh, label_en, value in meta:
        append_row(ws, [_head_cell(ws, label_zh), _head_cell(ws, label_en), value])
    append_row(ws, [])
    for code in LANGS:
        for sentence in facts.get(code, []):
            append_row(ws, [sentence])
        append_row(ws, [])
    zh, en = Lang("zh"), Lang("en")
    heads = []
    for c in table.columns:
        if c.fmt == "text":
            heads += [(zh(c.header), f"{en(c.header)} (zh)"), (f"{zh(c.header)}（英文）", en(c.header))]
        else:
            heads.append((zh(c.header), en(c.header)))
    _write_headers(ws, heads)
    for row in map(tb.workbook_row, table.rows):
        out: list[Any] = []
        for c in table.columns:
            value = row.get(c.key)
            if c.fmt == "text":
                out += [value.zh, value.en] if isinstance(value, tb.Bi) else [value, value]
            else:
                out.append(_number_cell(ws, value, row.get("_fmt", {}).get(c.key, c.fmt), float(c.scale)))
        append_row(ws, out)


def write_hourly(wb: Workbook, frame: pd.DataFrame, columns: list[tuple[str, tb.Bi, str]]) -> None:
    """The ``hourly`` sheet's headers and first hour (the rows after it are added by :func:`append_hourly_rows`).

    The rows of ``hourly.csv`` with bilingual headers, plain numbers in 1 kW steps and the hour start as an
    Excel date.
    """
    ws = wb.create_sheet("hourly")
    zh, en = Lang("zh"), Lang("en")
    heads = [(zh("hourly.time"), en("hourly.time"))]
    for _col, head, unit in columns:
        heads.append((f"{head.zh} [{zh(unit)}]" if unit else head.zh, f"{head.en} [{en(unit)}]" if unit else head.en))
    _write_headers(ws, heads)
    if len(frame):
        stamp = WriteOnlyCell(ws, value=frame.index[0].to_pydatetime())
        stamp.number_format = "yyyy-mm-dd hh:mm"
        append_row(ws, [stamp, *_hourly_values(frame.iloc[:1])[0].tolist()])


def _hourly_values(frame: pd.DataFrame) -> np.ndarray:
    values = np.array(frame.to_numpy(dtype=float).round(HOURLY_DECIMALS))
    values[values == 0] = 0.0  # no -0
    return values


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def append_hourly_rows(path: Path, sheet_number: int, frame: pd.DataFrame) -> None:
    """Add the hours after the first to the hourly sheet of a saved workbook, as plain SpreadsheetML.

    openpyxl spends about 10 µs per cell; 8,760 hours of 30 columns are most of a workbook's writing
    time. The rows are generated here in one pass with the same cell markup openpyxl writes (the time
    cell reuses the date style of the first hour's cell), and the sheet is replaced in the file.
    """
    name = f"xl/worksheets/sheet{sheet_number}.xml"
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info.filename)) for info in z.infolist()]
    xml = dict((i.filename, d) for i, d in members)[name].decode("utf-8")
    style = re.search(r'<c r="A3" s="(\d+)"', xml)
    if style is None or len(frame) < 2:
        return
    serial = (frame.index[1:].to_numpy() - np.datetime64("1899-12-30")) / np.timedelta64(1, "D")
    cells = np.char.mod(f"%.{HOURLY_DECIMALS}f", _hourly_values(frame.iloc[1:]))
    letters = [_column_letter(j + 1) for j in range(cells.shape[1])]
    rows = []
    for k, (day, row) in enumerate(zip(serial.tolist(), cells.tolist()), start=4):
        body = "".join(f'<c r="{c}{k}" t="n"><v>{v}</v></c>' for c, v in zip(letters, row))
        rows.append(f'<row r="{k}"><c r="A{k}" s="{style.group(1)}" t="n"><v>{day!r}</v></c>{body}</row>')
    xml = xml.replace("</sheetData>", "".join(rows) + "</sheetData>", 1)
    tmp = path.with_name(path.name + ".rows")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for info, data in members:
            out.writestr(info, xml.encode("utf-8") if info.filename == name else data)
    os.replace(tmp, path)


def write_assumptions(wb: Workbook, assumptions: pd.DataFrame, names: Names) -> None:
    """The ``assumptions`` sheet: section and item in both languages, value, unit, default, source, grade, note."""
    ws = wb.create_sheet("assumptions")
    zh, en = Lang("zh"), Lang("en")
    keys = ["col.section", "col.section", "col.item", "col.item", "col.key", "col.value", "col.unit", "col.default",
            "col.source", "col.grade", "col.note"]
    heads = [(zh(k), en(k)) for k in keys]
    heads[0] = (zh("col.section"), f"{en('col.section')} (zh)")
    heads[1] = (f"{zh('col.section')}（英文）", en("col.section"))
    heads[2] = (zh("col.item"), f"{en('col.item')} (zh)")
    heads[3] = (f"{zh('col.item')}（英文）", en("col.item"))
    _write_headers(ws, heads)
    for r in assumptions.itertuples(index=False):
        sec = f"assumptions.section.{r.section}"
        append_row(ws, [zh(sec), en(sec), describe(str(r.key), names, zh), describe(str(r.key), names, en), str(r.key),
                   _plain(r.value), _blank(r.unit), _plain(r.default), _blank(r.source), _blank(r.grade),
                   _blank(r.note)])


def _blank(value: Any) -> str:
    return "" if value is None or str(value) in ("nan", "None") else str(value)


def _plain(value: Any) -> Any:
    """A number when the text is one (stored as a number), else the text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(float(value)) else None
    text = _blank(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def write_workbook(path: Path, *, summary: tb.Table, facts: dict[str, list[str]], meta: list[tuple[str, str, Any]],
                   tables: list[tb.Table], hourly: pd.DataFrame, hourly_heads: list[tuple[str, tb.Bi, str]],
                   assumptions: pd.DataFrame, names: Names) -> None:
    """Write ``results.xlsx`` (module docstring).

    Parameters
    ----------
    path : pathlib.Path
        File to write.
    summary : Table
        Key numbers (:func:`energy_model.output.tables.summary_table`).
    facts : dict
        Sentences of the answer per language code.
    meta : list of (str, str, value)
        Run facts for the top of the summary sheet: Chinese label, English label, value.
    tables : list of Table
        targets, technologies, fuels, emissions, costs (in that order).
    hourly : pandas.DataFrame
        ``hourly.csv``'s table; ``hourly_heads`` its bilingual headers.
    assumptions : pandas.DataFrame
        :func:`energy_model.output.assumptions.assumptions_table`.
    names : Names
        Technology and fuel names.
    """
    wb = Workbook(write_only=True)
    write_summary(wb, summary, facts, meta)
    for table in tables:
        write_table(wb, table)
    write_hourly(wb, hourly, hourly_heads)
    write_assumptions(wb, assumptions, names)
    wb.save(path)
    append_hourly_rows(path, 2 + len(tables), hourly)


def write_run_workbook(path: Path, doc: dict[str, Any], results: Any, reference: Any, inputs: Any,
                       assumptions: pd.DataFrame, hourly: pd.DataFrame) -> None:
    """``results.xlsx`` of a run from its document, both cases' Results, inputs, assumptions and hourly table."""
    from energy_model.output.verdicts import answer, notices, target_verdict

    names = Names(inputs)
    cons = float(doc["enforced"]["consumption_mwh_per_yr"])
    facts = {code: notices(inputs, Lang(code), names) + answer(doc, results, inputs, names, Lang(code))
             + [target_verdict(inputs, t, names, Lang(code), cons)[1] for t in doc["targets"]] for code in LANGS}
    zh, en = Lang("zh"), Lang("en")
    meta = [("情景", "Scenario", doc["scenario"]), ("标题", "Title", doc.get("title") or ""),
            (zh("report.outcome"), en("report.outcome"), en(f"status.{doc['target_status']}")),
            ("输入哈希", "Input hash", doc.get("input_hash", "")),
            (zh("param.weather.source"), en("param.weather.source"), str(inputs.attrs.get("weather_source", ""))),
            (zh("param.horizon.hours"), en("param.horizon.hours"),
             int(inputs.attrs.get("horizon_hours", inputs.sizes["time"]))),
            (zh("param.horizon.hour_weight"), en("param.horizon.hour_weight"),
             float(inputs.attrs.get("hour_weight", 8760.0 / int(inputs.attrs.get("horizon_hours", 8760))))),
            (zh("param.horizon.aggregation"), en("param.horizon.aggregation"), aggregation_label(inputs))]
    write_workbook(path, summary=tb.summary_table(doc, results, reference, inputs), facts=facts, meta=meta,
                   tables=[tb.targets_table(doc, inputs, names), tb.technologies_table(results, reference, inputs, names),
                           tb.fuels_table(doc, names), tb.emissions_table(results, reference, names),
                           tb.costs_table(results, reference, inputs)]
                   + [t for t in [tb.aggregation_table(doc, names)] if t is not None],
                   hourly=hourly, hourly_heads=tb.hourly_columns(hourly, inputs, names), assumptions=assumptions,
                   names=names)
