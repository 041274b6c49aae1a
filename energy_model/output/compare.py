"""Compare run folders side by side: ``compare.html`` (both languages) and ``compare.xlsx``.

The first run is the baseline; each other run gets a difference column
(run minus baseline). Only folders this tool published are accepted: a
``manifest.json`` naming a scenario, status ``optimal``, every file
matching its checksum and readable. Anything else is an input error (exit
code 2) that names the folder or file and what is wrong. So is an output
folder that is a run folder, lies inside one, or holds anything but an
earlier comparison: a comparison never replaces or enters a folder whose
files it did not write.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from openpyxl import Workbook

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue, OutputError
from energy_model.output import chart_data
from energy_model.output import compare_pathway as cp
from energy_model.output import tables as tb
from energy_model.output.assumptions import describe
from energy_model.output.charts.compare import capacity_by_run, cost_by_run
from energy_model.output.glossary import unit_of
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.input_diff import InputDifference, InputValue, as_number, differences, read_inputs
from energy_model.output.pathway_tables import workbook_rows
from energy_model.output.run_folder import COMPARISON, MANIFEST, comparison_folder_problem, publish, verify_run
from energy_model.output.verdicts import target_name
from energy_model.output.workbook import write_table
from energy_model.output.writers import open_netcdf
from energy_model.output.xlsx_text import append_row

_ENV = Environment(loader=PackageLoader("energy_model.output", "templates"), autoescape=True)
#: Files a run folder must hold to be compared.
REQUIRED = ("summary.json", "results.nc", "reference.nc", "inputs.nc", "assumptions.csv")
#: Keys of ``summary.json`` the comparison reads.
SUMMARY_KEYS = ("targets", "enforced", "target_status")


@dataclass
class Run:
    """One published run folder, loaded."""

    folder: Path
    name: str
    doc: dict[str, Any]
    results: xr.Dataset
    reference: xr.Dataset
    inputs: xr.Dataset
    used: dict[str, InputValue] = field(default_factory=dict)  # the run's inputs (assumptions.csv)
    pathway: bool = False  # a pathway run (summary.json is the pathway document, Datasets have periods)


def check_run_folder(folder: Path) -> list[InputIssue]:
    """Why ``folder`` is not a run folder of this tool (empty list when it is one)."""
    where = str(folder)
    if not folder.is_dir():
        return [InputIssue(where, "", "not a folder")]
    path = folder / MANIFEST
    if not path.is_file():
        return [InputIssue(where, MANIFEST, "not a run folder of this tool: it has no manifest.json "
                                            "(give folders written by `python run.py run`, e.g. results/plan_year)")]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [InputIssue(where, MANIFEST, f"manifest.json cannot be read: {exc}")]
    if not isinstance(manifest, dict) or "scenario" not in manifest or "files" not in manifest:
        return [InputIssue(where, MANIFEST, "not a run folder of this tool: manifest.json names no scenario and files")]
    if manifest.get("status") != "optimal":
        return [InputIssue(where, f"{MANIFEST}:status", "not a finished run (only proven optima are compared)",
                           value=manifest.get("status"))]
    required = cp.REQUIRED if cp.is_pathway(manifest) else REQUIRED
    missing = [f for f in required if f not in manifest["files"] or not (folder / f).is_file()]
    if missing:
        return [InputIssue(where, "", f"run folder without {', '.join(missing)} (written by an older version?)")]
    try:
        verify_run(folder)
    except OutputError as exc:
        return [InputIssue(where, "", str(exc))]
    return []


def _is_pathway(folder: Path) -> bool:
    return cp.is_pathway(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))


def _read_run(folder: Path) -> tuple[Run | None, list[InputIssue]]:
    """Read a checked run folder's files; a file that cannot be read (truncated, damaged) is an issue naming it."""
    path, pathway = folder / "summary.json", _is_pathway(folder)
    keys = cp.SUMMARY_KEYS if pathway else SUMMARY_KEYS
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, [InputIssue(str(path), "", f"cannot be read as JSON ({exc}); is the file truncated? "
                                                "Run the scenario again to rewrite it")]
    if not isinstance(doc, dict) or not all(k in doc for k in keys):
        return None, [InputIssue(str(path), "", f"not the summary of a run: expected a JSON object with "
                                                f"{', '.join(keys)}")]
    data = {"reference.nc": xr.Dataset()}  # a pathway without enforced targets has no reference
    for name in ("results.nc", "reference.nc", "inputs.nc"):
        if pathway and not (folder / name).is_file():
            continue
        try:
            data[name] = open_netcdf(folder / name)
        except (OSError, ValueError, RuntimeError) as exc:
            return None, [InputIssue(str(folder / name), "", f"cannot be read as NetCDF ({exc}); is the file "
                                                              "truncated? Run the scenario again to rewrite it")]
    try:
        used = cp.pathway_inputs(doc, data["inputs.nc"]) if pathway else read_inputs(folder, doc)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, AttributeError) as exc:
        return None, [InputIssue(str(folder / "assumptions.csv"), "", f"cannot be read as the run's assumptions "
                                                                      f"({exc}); run the scenario again to rewrite it")]
    return Run(folder, str(doc.get("scenario") or folder.name), doc, data["results.nc"], data["reference.nc"],
               data["inputs.nc"], used, pathway), []


def load_runs(folders: list[Path], issues: list[InputIssue] | None = None) -> list[Run]:
    """Load run folders after checking every one of them; all problems are reported together.

    Parameters
    ----------
    folders : list of pathlib.Path
        Run folders; the first is the baseline.
    issues : list of InputIssue, optional
        Problems found before (the output folder), reported with these.

    Raises
    ------
    InputError
        Fewer than two folders, any folder that is not a run folder of this
        tool, a file of one that cannot be read, or an issue given.
    """
    issues = list(issues or []) + [issue for f in folders for issue in check_run_folder(f)]
    if len(folders) < 2:
        issues.insert(0, InputIssue("compare", "RUN_DIR", "give at least two run folders to compare",
                                    value=[str(f) for f in folders]))
    pathways = [] if issues else [f for f in folders if _is_pathway(f)]
    if pathways and len(pathways) < len(folders):
        issues.append(cp.mixed_issue(pathways, [f for f in folders if f not in pathways]))
    if issues:
        raise InputError(issues)
    runs = []
    for f in folders:
        run, problems = _read_run(f)
        issues += problems
        if run is not None:
            runs.append(run)
    if issues:
        raise InputError(issues)
    seen: dict[str, int] = {}
    for r in runs:  # the same scenario from two folders: name them by folder too
        seen[r.name] = seen.get(r.name, 0) + 1
    for r in runs:
        if seen[r.name] > 1:
            r.name = f"{r.folder.parent.name}/{r.name}"
    return runs


def _columns(runs: list[Run], fmt: str, scale: float = 1.0) -> list[tb.Column]:
    """Item, unit, one column per run (headed by its name), one difference column per run after the first."""
    cols = [tb.Column("item", "col.item", fmt="text"), tb.Column("unit", "col.unit", fmt="text")]
    for i, r in enumerate(runs):
        cols.append(tb.Column(f"run{i}", f"@{r.name}", fmt=fmt, scale=scale))
    for i, r in enumerate(runs[1:], start=1):
        cols.append(tb.Column(f"diff{i}", f"@{r.name} − {runs[0].name}", fmt=fmt, scale=scale))
    return cols


def _row(item: tb.Bi, unit: tb.Bi, values: list[float | None], fmt: str | None = None,
         scale: float | str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"item": item, "unit": unit}
    for i, v in enumerate(values):
        row[f"run{i}"] = v
    base = values[0]
    for i, v in enumerate(values[1:], start=1):
        row[f"diff{i}"] = (v - base) if v is not None and base is not None and math.isfinite(v) and \
            math.isfinite(base) else None
    if fmt:
        row["_fmt"] = {k: fmt for k in row if k.startswith(("run", "diff"))}
    if scale is not None:
        row["_scale"] = {k: scale for k in row if k.startswith(("run", "diff"))}
    return row


def _table(name: str, title: str, runs: list[Run], rows: list[dict[str, Any]], fmt: str = "num1",
           scale: float = 1.0) -> tb.Table:
    return tb.Table(name, title, _columns(runs, fmt, scale), rows)


def _union(lists: list[list[str]]) -> list[str]:
    out: list[str] = []
    for items in lists:
        out += [x for x in items if x not in out]
    return out


def _names(runs: list[Run]) -> Names:
    return cp._names(runs[0].inputs)


def key_numbers(runs: list[Run]) -> tb.Table:
    """The key numbers (with targets) of every run."""
    summaries = [tb.summary_table(r.doc, r.results, r.reference, r.inputs) for r in runs]
    rows = []
    for k, row in enumerate(summaries[0].rows):
        rows.append(_row(row["item"], row["unit"], [s.rows[k]["with"] for s in summaries],
                         row["_fmt"]["with"], row.get("_scale", {}).get("with")))
    return _table("key_numbers", "compare.key_numbers", runs, rows)


def targets(runs: list[Run]) -> tb.Table:
    """Every target of any run: level, value without and with policy, shadow price, cost alone."""
    ids = _union([[t["target"] for t in r.doc["targets"]] for r in runs])
    rows = []
    for k in ids:
        per = [{t["target"]: t for t in r.doc["targets"]}.get(k) for r in runs]
        first = next((i for i, t in enumerate(per) if t is not None))
        t0, inputs = per[first], runs[first].inputs
        assert t0 is not None
        names = Names(inputs)
        title = tb.Bi(*(target_name(inputs, k, names, Lang(code)) for code in LANGS))  # levels differ by run
        fmt, unit, scale = tb._level_fmt(t0["kind"])
        for metric, key, mfmt, munit, mscale in (
                ("col.level", "level", fmt, unit, scale), ("case.without", "reference_value", fmt, unit, scale),
                ("case.with", "value", fmt, unit, scale),
                ("col.shadow_price", "shadow_price", "num1", f"price_unit.{t0['kind']}", 1.0),
                ("col.cost_alone", "cost_alone_cny_per_yr", "num1", tb.MONEY_UNIT, tb.MONEY)):
            item = tb.Bi(f"{title.zh} — {Lang('zh')(metric)}", f"{title.en} — {Lang('en')(metric)}")
            div = 1.0 if mscale == tb.MONEY else float(mscale)
            vals = [None if t is None or t.get(key) is None else float(t[key]) / div for t in per]
            rows.append(_row(item, tb.bi(munit), vals, mfmt, tb.MONEY if mscale == tb.MONEY else None))
        rows.append({"item": tb.Bi(f"{title.zh} — {Lang('zh')('col.verdict')}", f"{title.en} — "
                                   f"{Lang('en')('col.verdict')}"), "unit": tb.Bi("", ""),
                     **{f"run{i}": (tb.bi("compare.absent") if t is None else
                                    tb.bi("compare.met" if t["met"] else "compare.not_met"))
                        for i, t in enumerate(per)}})
    return _table("targets", "compare.targets", runs, rows)


def costs(runs: list[Run]) -> tb.Table:
    """Annual cost by category (with targets) and the total [CNY/yr, shown as 亿元/年 or M CNY/yr]."""
    per = [chart_data.cost_breakdown(r.results, r.inputs) for r in runs]
    rows = [_row(tb.bi(f"cost.{c}"), tb.bi(tb.MONEY_UNIT), [float(p[c]) for p in per], scale=tb.MONEY)
            for c in chart_data.COST_CATEGORIES]
    rows.append(_row(tb.bi("common.total"), tb.bi(tb.MONEY_UNIT), [float(p.sum()) for p in per], scale=tb.MONEY))
    rows.append(_row(tb.bi("summary.cost_per_mwh"), tb.bi("unit.cny_per_mwh"),
                     [float(r.doc["enforced"]["cost_per_mwh_consumed_cny"]) for r in runs]))
    return _table("costs", "compare.costs", runs, rows)


def _per_tech(runs: list[Run], var: str, scale: float, unit: str, name: str, title: str) -> tb.Table:
    ids = _union([list(r.inputs[n.TECH].values.astype(str)) for r in runs])
    names = [Names(r.inputs) for r in runs]
    rows = []
    for g in ids:
        vals = [float(r.results[var].sel({n.TECH: g})) / scale if g in r.inputs[n.TECH].values else None
                for r in runs]
        owner = next(i for i, r in enumerate(runs) if g in r.inputs[n.TECH].values)
        rows.append(_row(tb.bi_names(g, names[owner]), tb.bi(unit), vals))
    return _table(name, title, runs, rows, "num0")


def emissions(runs: list[Run]) -> tb.Table:
    """Direct emissions by pollutant and CO2 in imported electricity [t/yr]."""
    frames = [chart_data.emissions(r.results) for r in runs]
    rows = [_row(tb.bi(f"pollutant.{p}"), tb.bi("unit.t_per_yr"), [float(f.loc[p].drop("imports").sum()) for f in frames])
            for p in n.POLLUTANTS]
    rows.append(_row(tb.bi("series.co2_imports"), tb.bi("unit.t_per_yr"), [float(f.loc["co2", "imports"]) for f in frames]))
    return _table("emissions", "compare.emissions", runs, rows, "num0")


def fuels(runs: list[Run]) -> tb.Table:
    """Fuel use per supply [its unit per year], and the share of the annual limit."""
    ids = _union([list(r.doc["enforced"]["fuels"]) for r in runs])
    rows = []
    for f in ids:
        per = [r.doc["enforced"]["fuels"].get(f) for r in runs]
        owner = next(i for i, p in enumerate(per) if p is not None)
        unit = per[owner]["unit"]
        name = tb.bi_names(f, Names(runs[owner].inputs), "fuel")
        unit_text = tb.Bi(*(Lang(code).get(f"fuel_unit.{unit}", unit) + Lang(code)("per.yr") for code in LANGS))
        rows.append(_row(name, unit_text, [None if p is None else float(p["use_per_yr"]) for p in per], "num0"))
        shares = [None if p is None or not p.get("limit_per_yr") else float(p["use_per_yr"]) / float(p["limit_per_yr"])
                  for p in per]
        rows.append(_row(tb.Bi(f"{name.zh} — {Lang('zh')('col.use_of_limit')}", f"{name.en} — "
                               f"{Lang('en')('col.use_of_limit')}"), tb.bi("unit.percent"), shares, "pct"))
    return _table("fuels", "compare.fuels", runs, rows)


def input_differences(runs: list[Run]) -> tuple[list[InputDifference], int]:
    """Inputs that differ between the runs, in order of appearance, and the number of equal ones."""
    return differences([r.used for r in runs])


def _input_words(key: str, names: Names, lang: Lang) -> str:
    return lang("param.extra_rows") if key == "extra_rows" else cp.input_words(key, names, lang) or \
        describe(key, names, lang)


def _input_unit(key: str, values: tuple[InputValue | None, ...], lang: Lang) -> str:
    column = key.split(".")[-1]
    return unit_of(column, lang) if "." in key and unit_of(column, lang) else \
        next((v.unit for v in values if v is not None and v.unit), "")


def _input_cell(value: InputValue | None) -> float | str | None:
    if value is None:
        return None
    number = as_number(value.value)
    shown: float | str = value.value if number is None else number
    return f"{value.value} ({value.note})" if value.note else shown


def _input_fmt(cells: list[float | str | None]) -> str:
    numbers = [c for c in cells if isinstance(c, float)]
    if not numbers:
        return "text"
    if all(c.is_integer() for c in numbers):
        return "num0"
    return "num3" if min(abs(c) for c in numbers) < 10 else "num2"


def inputs_table(runs: list[Run]) -> tb.Table:
    """The inputs that differ between the runs, in words, with each run's value and unit (and the difference)."""
    names = _names(runs)
    found, _equal = input_differences(runs)
    rows = []
    for d in found:
        item = tb.Bi(*(_input_words(d.key, names, Lang(code)) for code in LANGS))
        unit = tb.Bi(*(_input_unit(d.key, d.values, Lang(code)) for code in LANGS))
        cells = [_input_cell(v) for v in d.values]
        if all(isinstance(c, float) or c is None for c in cells):
            rows.append(_row(item, unit, cells, _input_fmt(cells)))  # type: ignore[arg-type]
        else:
            rows.append({"item": item, "unit": unit, "_fmt": {f"run{i}": "text" for i in range(len(cells))},
                         **{f"run{i}": c for i, c in enumerate(cells)}})
    return _table("inputs", "compare.inputs", runs, rows)


def equal_inputs_line(runs: list[Run], lang: Lang) -> str:
    """The line under the inputs table: how many inputs are equal in every run (and how many differ)."""
    found, equal = input_differences(runs)
    return lang("compare.inputs_equal", equal=lang.num(equal), differ=lang.num(len(found)))


def input_lines(runs: list[Run]) -> list[str]:
    """The differing inputs as printed lines (English): words, each run's value and unit, then the equal count."""
    en = Lang("en")
    found, _equal = input_differences(runs)
    names = _names(runs)
    lines = [en("compare.inputs") + ":"]
    for d in found:
        unit = _input_unit(d.key, d.values, en)
        shown = [en("compare.input_absent") if v is None else (f"{v.value} {unit}".strip() + (f" ({v.note})" if v.note
                                                                                         else "")) for v in d.values]
        lines.append(f"  {_input_words(d.key, names, en)}: " + " | ".join(
            f"{r.name} {value}" for r, value in zip(runs, shown)))
    lines.append("  " + equal_inputs_line(runs, en))
    return lines


def comparison_tables(runs: list[Run]) -> list[tb.Table]:
    """Every table of a comparison, in the order shown: the inputs that differ first, then the outputs."""
    if runs[0].pathway:
        return [inputs_table(runs), *cp.pathway_tables(
            [r.doc for r in runs], [r.inputs for r in runs],
            lambda name, title, rows, fmt: _table(name, title, runs, rows, fmt), _row)]
    return [inputs_table(runs), key_numbers(runs), targets(runs), costs(runs),
            _per_tech(runs, "capacity_mw", 1.0, "unit.mw", "capacity", "compare.capacity"),
            _per_tech(runs, "generation_mwh_per_yr", 1e3, "unit.gwh_per_yr", "generation", "compare.generation"),
            emissions(runs), fuels(runs)]


def _status(run: Run, lang: Lang) -> str:
    return cp.status_text(run.doc, lang) if run.pathway else lang(f"status.{run.doc['target_status']}")


def _answer(runs: list[Run], lang: Lang) -> list[str]:
    return cp.answer_sentences([r.name for r in runs], [r.doc for r in runs], lang) if runs[0].pathway else []


def _notices(runs: list[Run], lang: Lang) -> list[str]:
    out = []
    for r in runs:
        if r.pathway:
            continue
        method = str(r.inputs.attrs.get("aggregation_method", "none"))
        if method != "none":
            out.append(lang("compare.notice_aggregated", run=r.name, method=lang(f"aggregation.method.{method}"),
                            periods=lang.num(int(r.inputs.attrs["aggregation_periods"]))))
            continue
        weight = float(r.inputs.attrs["hour_weight"])
        if abs(weight - 1.0) > 1e-9:
            out.append(lang("compare.notice_scaled", run=r.name, hours=lang.num(r.inputs.sizes[n.TIME]),
                            weight=lang.num(weight, 2)))
    if any(str(r.inputs.attrs.get("weather_source")) == "synthetic" for r in runs):
        out.append(lang("compare.notice_synthetic"))
    return out


def render_compare(runs: list[Run], tables: list[tb.Table]) -> str:
    """``compare.html``: both languages with a switch, tables with differences, two charts."""
    from energy_model.output.report import html_table

    langs = []
    names = _names(runs)
    for code in LANGS:
        lang = Lang(code)
        shown = [dict(html_table(t, lang), title=cp.table_title(t.name, t.title, lang)) for t in tables]
        langs.append({"code": code, "html": lang.html, "t": lang, "tables": shown, "notices": _notices(runs, lang),
                      "inputs_equal": equal_inputs_line(runs, lang),
                      "runs": [{"name": r.name, "title": r.doc.get("title") or "", "folder": str(r.folder),
                                "status": _status(r, lang)} for r in runs], "answer": _answer(runs, lang),
                      "charts": [] if runs[0].pathway else [Markup(capacity_by_run(runs, lang, names)),
                                                            Markup(cost_by_run(runs, lang))]})
    return _ENV.get_template("compare.html").render(langs=langs, base=runs[0].name)


def write_compare_workbook(path: Path, runs: list[Run], tables: list[tb.Table]) -> None:
    """``compare.xlsx``: a sheet of the runs compared, then one sheet per table (two header rows)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("runs")
    zh, en = Lang("zh"), Lang("en")
    append_row(ws, [zh("col.run"), zh("col.title"), zh("col.folder"), zh("col.outcome")])
    append_row(ws, [en("col.run"), en("col.title"), en("col.folder"), en("col.outcome")])
    for r in runs:
        append_row(ws, [r.name, r.doc.get("title") or "", str(r.folder), _status(r, en)])
    for code in LANGS:
        for note in _answer(runs, Lang(code)) + _notices(runs, Lang(code)):
            append_row(ws, [note])
    for t in tables:
        sheet = write_table(wb, workbook_rows(t))
        if t.name == "inputs":
            for code in LANGS:
                append_row(sheet, [equal_inputs_line(runs, Lang(code))])
    wb.save(path)


def compare_runs(folders: list[Path], out: Path | None = None, say: Callable[[str], None] | None = None) -> Path:
    """Compare run folders and publish ``compare.html`` and ``compare.xlsx``.

    Parameters
    ----------
    folders : list of pathlib.Path
        Two or more run folders; the first is the baseline.
    out : pathlib.Path, optional
        Folder to write into (default: ``compare_<run>_<run>...`` next to the first run folder).
    say : callable, optional
        Receives the printed lines: the inputs that differ (:func:`input_lines`).

    Returns
    -------
    pathlib.Path
        The folder holding the comparison.

    Raises
    ------
    InputError
        A folder that is not a finished run folder of this tool, a file of one
        that cannot be read, or an output folder that is a run folder, lies
        inside one, or holds anything but an earlier comparison (nothing is
        written).
    """
    folders = [Path(f) for f in folders]
    target = Path(out) if out is not None else (folders[0].parent / ("compare_" + "_".join(
        f.name for f in folders)) if folders else Path("compare"))
    problem = comparison_folder_problem(target)
    issues = [] if problem is None else [InputIssue(str(target), "--out" if out is not None else "",
                                                    f"cannot hold the comparison: it {problem}")]
    runs = load_runs(folders, issues)
    tables = comparison_tables(runs)
    manifest = {"kind": COMPARISON, "status": "comparison", "runs": [str(r.folder) for r in runs],
                "input_hashes": [r.doc.get("input_hash") for r in runs]}
    writers = {"compare.html": lambda p: p.write_text(render_compare(runs, tables), encoding="utf-8"),
               "compare.xlsx": lambda p: write_compare_workbook(p, runs, tables)}
    folder = publish(target.parent, target.name, writers, manifest, kind=COMPARISON)
    if say is not None:
        for line in input_lines(runs):
            say(line)
    return folder
