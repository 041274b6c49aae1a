"""Render the target-feasibility report: one self-contained HTML file in Chinese and English.

The page holds both languages (the same template rendered once per language
from the message catalogue) and a switch between them that works without
scripts; ``report.html#en`` or ``?lang=en`` opens it in English. Charts are
inline SVG, so the file works offline. No calculations here beyond choosing
what to show: numbers come from the run document (``summary.json``), the
Results of both cases, the assumptions table and the analyses in the folder.
Jinja2 autoescaping is on, so text from scenario files cannot inject markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from energy_model.output import tables as tb
from energy_model.output.aggregation_text import annual_floor_sentence, annual_sentence
from energy_model.output.analyses import (
    Breakeven,
    Frontier,
    breakeven_sentence,
    frontier_rows,
    frontier_sentence,
    read_analyses,
)
from energy_model.output.assumptions import describe
from energy_model.output.chart_data import collect
from energy_model.output.charts import render_all_languages
from energy_model.output.charts.economics import frontier as frontier_chart
from energy_model.output.glossary import scenario_text, target_label, unit_of
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.scorecard import report_timings
from energy_model.output.verdicts import (
    answer,
    level_text,
    notices,
    status_text,
    target_name,
    target_title,
    target_verdict,
)
from energy_model.output.writers import open_netcdf

_ENV = Environment(loader=PackageLoader("energy_model.output", "templates"), autoescape=True)

#: Sections of the assumptions appendix, in order.
ASSUMPTION_SECTIONS = ("scenario", "weather", "horizon", "solver", "inputs")


def html_table(table: tb.Table, lang: Lang) -> dict[str, Any]:
    """A :class:`~energy_model.output.tables.Table` as header and cell texts in ``lang``.

    ``name`` is the table's name; ``id`` its HTML id, with the language code so that a page holding both
    languages has no duplicate id; ``classes`` the class of each column's cells (``n``: a number, right-aligned;
    ``unit``: a unit, never broken across lines).
    """
    columns = [c for c in table.columns if c.report]
    headers = [tb.header_text(c, lang) for c in columns]
    rows = []
    for row in table.rows:
        rows.append([tb.cell_text(row.get(c.key), tb.fmt_of(row, c, lang), lang, tb.scale_of(row, c, lang))
                     for c in columns])
    numeric = [c.fmt not in ("text", "bool") for c in columns]
    classes = ["n" if num else "unit" if c.key == "unit" else "" for c, num in zip(columns, numeric)]
    return {"id": f"table-{table.name}-{lang.code}", "name": table.name, "classes": classes, "title": lang(table.title), "headers": headers, "rows": rows, "numeric": numeric}


def _assumption_value(value: object) -> str:
    """An assumption's value as written: integers plain (years, seeds: no separators below 10,000),
    other numbers with up to six significant digits and no exponent, text as it is."""
    try:
        number = float(str(value))
    except ValueError:
        return "" if value is None or str(value) in ("nan", "None") else str(value)
    if number != number:
        return ""
    if number == int(number):
        return f"{int(number):,}" if abs(number) >= 10_000 else str(int(number))
    if abs(number) < 1e-3:
        return f"{number:.2g}"  # tolerances and residuals: 1e-07, 1.8e-15
    return np.format_float_positional(number, precision=6, unique=True, fractional=False, trim="-")


def assumption_rows(assumptions: pd.DataFrame, names: Names, lang: Lang,
                    targets: list[dict[str, Any]] | None = None) -> dict[str, list[dict[str, str]]]:
    """The assumptions appendix per section, formatted in ``lang``.

    A target's row is named by its label in ``lang`` and noted with its mode
    (``targets``: the run's target rows); a table cell's unit is read from its
    column name (:func:`energy_model.output.glossary.unit_of`) where it has one.
    """
    out: dict[str, list[dict[str, str]]] = {s: [] for s in ASSUMPTION_SECTIONS}
    by_id = {str(t["target"]): t for t in targets or []}
    for r in assumptions.itertuples(index=False):
        text = _assumption_value(r.value)
        changed = r.section == "inputs" and r.default is not None and str(r.default) not in ("", "nan") and \
            str(r.default) != str(r.value)
        key = str(r.key)
        parts = key.removeprefix("overrides.").split(".")
        item, note = describe(key, names, lang), "" if str(r.note) in ("nan", "None") else str(r.note)
        target = by_id.get(parts[1]) if parts[0] == "targets" and len(parts) == 2 else None
        if target is not None:
            item = lang("assumption.target", name=target_label(target, lang))
            note = lang(f"mode.{target['mode']}")
        unit = "" if str(r.unit) in ("nan", "None") else str(r.unit)
        if len(parts) == 3 and parts[0] in ("technologies", "fuels"):
            unit = unit_of(parts[2], lang) or unit
        out.setdefault(str(r.section), []).append({
            "item": item, "key": key, "value": text, "unit": unit,
            "default": str(r.default) if changed else "",
            "source": "" if str(r.source) in ("nan", "None") else str(r.source),
            "grade": "" if str(r.grade) in ("nan", "None") else str(r.grade),
            "note": note})
    return out


def _language_context(code: str, doc: dict[str, Any], results: xr.Dataset, reference: xr.Dataset,
                      inputs: xr.Dataset, names: Names, tables: list[tb.Table], charts: dict[str, str],
                      assumptions: pd.DataFrame, frontiers: list[Frontier], breakevens: list[Breakeven]
                      ) -> dict[str, Any]:
    lang = Lang(code)
    cons = float(doc["enforced"]["consumption_mwh_per_yr"])
    verdicts = []
    for row in doc["targets"]:
        cls, sentence = target_verdict(inputs, row, names, lang, cons)
        cost = row.get("cost_alone_cny_per_yr")
        cost = float(cost) if cost is not None and cost == cost else float("nan")  # nan: not computed (n/a)
        price_unit = lang(f"price_unit.{row['kind']}")
        verdicts.append({"cls": cls, "text": sentence, "title": target_title(inputs, row, names, lang),
                         "label": target_label(row, lang), "badge": lang(f"verdict_short.{cls}"),
                         "mode": lang(f"mode.{row['mode']}"),
                         "reference": level_text(row["kind"], row["reference_value"], lang),
                         "value": level_text(row["kind"], row["value"], lang),
                         "price": f"{lang.num(row['shadow_price'], 1)} {price_unit}",
                         "cost": lang.q("money", cost, per="yr"),
                         "per_mwh": lang.q("price", cost / cons if cons else float("nan"))})
    return {
        "code": code, "html": lang.html, "t": lang,
        "title": scenario_text(doc, "title", lang), "description": scenario_text(doc, "description", lang),
        "status": status_text(doc, lang),
        "notices": notices(inputs, lang, names),
        "answer": answer(doc, results, inputs, names, lang),
        "verdicts": verdicts,
        "tables": {t.name: html_table(t, lang) for t in tables},
        "charts": {k: Markup(v) for k, v in charts.items()},
        "assumptions": assumption_rows(assumptions, names, lang, doc["targets"]),
        "frontiers": [{"title": lang("chart.frontier.title", name=target_name(inputs, f.target, names, lang)),
                       "file": f.file, "sentence": frontier_sentence(f, inputs, names, lang),
                       "rows": frontier_rows(f, lang),
                       "chart": Markup(frontier_chart(f.table, f.kind, target_name(inputs, f.target, names, lang),
                                                      lang, f.target))} for f in frontiers],
        "breakevens": [{"file": b.file, "sentence": breakeven_sentence(b, inputs, names, lang)} for b in breakevens],
        "aggregation_intro": _aggregation_intro(doc, lang),
        "aggregation_annual": annual_sentence(_check(doc), names, lang),
        "aggregation_flagged": bool(_check(doc).get("flagged")),
        "timings": report_timings(doc["timings_s"], lang),
    }


def _check(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``--check-full`` comparison of a run document ({} when the run was not checked)."""
    return (doc.get("aggregation") or {}).get("check_full") or {}


def _aggregation_intro(doc: dict[str, Any], lang: Lang) -> str:
    """The sentence above the aggregation table ('' when the run was not checked against the full horizon)."""
    agg = doc.get("aggregation") or {}
    check = agg.get("check_full")
    if not check:
        return ""
    intro = lang("aggregation.intro", method=lang(f"aggregation.method.{agg['method']}"),
                 periods=lang.num(agg["periods"]), steps=lang.num(agg["steps"]), period=lang.period(agg["horizon_hours"]),
                 floor=lang.num(check["capacity_floor_mw"], 0))
    floors = annual_floor_sentence(check, lang)
    return f"{intro}{'' if lang.code == 'zh' else ' '}{floors}" if floors else intro


def render_report(doc: dict[str, Any], results: xr.Dataset, inputs: xr.Dataset, *,
                  reference: xr.Dataset | None = None, assumptions: pd.DataFrame | None = None,
                  frontiers: list[Frontier] | None = None, breakevens: list[Breakeven] | None = None,
                  charts: dict[str, dict[str, str]] | None = None) -> str:
    """Return the HTML report of a run (both languages in one page).

    Parameters
    ----------
    doc : dict
        The run document written to ``summary.json``.
    results, inputs : xarray.Dataset
        The enforced Results and their ModelInputs.
    reference : xarray.Dataset, optional
        Results of the reference case (targets only reported); without it the
        "without targets" series repeat the enforced case.
    assumptions : pandas.DataFrame, optional
        :func:`energy_model.output.assumptions.assumptions_table`.
    frontiers, breakevens : list, optional
        Analyses found in the run folder (:func:`energy_model.output.analyses.read_analyses`).
    charts : dict, optional
        The charts per language already drawn (:class:`energy_model.output.jobs.OutputJobs`); drawn here if not.
    """
    reference = results if reference is None else reference
    assumptions = pd.DataFrame(columns=["section", "key", "value", "unit", "default", "source", "grade", "note"]) \
        if assumptions is None else assumptions
    names = Names(inputs)
    tables = [tb.targets_table(doc, inputs, names), tb.summary_table(doc, results, reference, inputs),
              tb.technologies_table(results, reference, inputs, names), tb.costs_table(results, reference, inputs),
              tb.emissions_table(results, reference, names), tb.fuels_table(doc, names)]
    aggregation = tb.aggregation_table(doc, names)
    if aggregation is not None:
        tables.append(aggregation)
    charts = charts or render_all_languages(collect(results, reference, inputs), names)
    langs = [_language_context(code, doc, results, reference, inputs, names, tables, charts[code], assumptions,
                               frontiers or [], breakevens or []) for code in LANGS]
    return _ENV.get_template("report.html").render(doc=doc, langs=langs, first=LANGS[0])


def render_report_from_folder(folder: Path) -> str:
    """The report of a published run folder, with every analysis file it holds."""
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    results = open_netcdf(folder / "results.nc")
    inputs = open_netcdf(folder / "inputs.nc")
    reference = open_netcdf(folder / "reference.nc") if (folder / "reference.nc").is_file() else None
    assumptions = pd.read_csv(folder / "assumptions.csv", encoding="utf-8-sig", keep_default_na=False) \
        if (folder / "assumptions.csv").is_file() else None
    frontiers, breakevens = read_analyses(folder, inputs)
    return render_report(doc, results, inputs, reference=reference, assumptions=assumptions, frontiers=frontiers,
                         breakevens=breakevens)
