"""Render the pathway report: one self-contained HTML page in Chinese and English.

The page answers in sentences (what is built when, what retires, the cost path
and present value, when targets bind and at what shadow price), then shows the
trajectory (charts and tables), the targets of each period, the model against
published figures with what the model cannot know, and the pathway's
assumptions (foresight, discount rate, weights, what changes between periods).
Both languages are rendered from the message catalogue into one page with the
report's language switch; charts are inline SVG, so the file works offline.
Jinja2 autoescaping is on, so text from scenario or published-data files
cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import xarray as xr
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from energy_model.output.charts.pathway import pathway_charts
from energy_model.output.glossary import scenario_text
from energy_model.output.i18n import LANGS, Lang
from energy_model.output.pathway_tables import pathway_names, pathway_tables
from energy_model.output.pathway_text import pathway_answer, pathway_assumptions
from energy_model.output.report import html_table

_ENV = Environment(loader=PackageLoader("energy_model.output", "templates"), autoescape=True)


def render_pathway_report(doc: dict[str, Any], results: Sequence[xr.Dataset], inputs: Sequence[xr.Dataset], *,
                          published: pd.DataFrame | None = None,
                          charts: dict[str, dict[str, str]] | None = None) -> str:
    """Return the HTML report of a pathway run (both languages in one page).

    Parameters
    ----------
    doc : dict
        The pathway document (:func:`energy_model.output.pathway_doc.pathway_summary`).
    results, inputs : sequence of xarray.Dataset
        Per period, the Results and their ModelInputs (in the order of ``doc["periods"]``).
    published : pandas.DataFrame, optional
        Published figures to compare with (``year``, ``item``, ``value``, ``unit``, ``source_id``,
        optionally ``grade``); without them the appendix says there is nothing to compare.
    charts : dict, optional
        The charts per language code already drawn (:func:`energy_model.output.charts.pathway.pathway_charts`);
        drawn here if not.
    """
    names = pathway_names(inputs)
    tables = pathway_tables(doc, results, inputs, published)
    langs = []
    for code in LANGS:
        lang = Lang(code)
        drawn = (charts or {}).get(code) or pathway_charts(doc, results, inputs, lang, names)
        langs.append({
            "code": code, "html": lang.html, "t": lang,
            "title": scenario_text(doc, "title", lang),
            "answer": pathway_answer(doc, names, lang),
            "assumptions": pathway_assumptions(doc, lang),
            "tables": {t.name: html_table(t, lang) for t in tables},
            "charts": {k: Markup(v) for k, v in drawn.items()},
            "has_published": bool(tables[-1].rows),
        })
    ps = doc["periods"]
    return _ENV.get_template("pathway_report.html").render(
        doc=doc, langs=langs, first=ps[0]["year"], last=ps[-1]["year"], count=len(ps))
