"""Charts of a pathway: capacity, new-energy share and CO2, and annual cost by period (inline SVG).

Each function draws from the pathway document
(:func:`energy_model.output.pathway_doc.pathway_summary`); the cost chart also
reads each period's Results for the cost by category. Every label comes from
the catalogue, so the same chart is drawn once per language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from energy_model.output import chart_data
from energy_model.output.charts.style import COLOURS, CYCLE, bars, chart_style, new_figure, to_svg
from energy_model.output.i18n import Lang, Names
from energy_model.output.pathway_tables import plant_technologies

#: Keys of the pathway's charts, in the report's order.
PATHWAY_CHARTS = ("capacity", "share_co2", "cost")


def _years(doc: dict[str, Any]) -> list[str]:
    return [str(p["year"]) for p in doc["periods"]]


def capacity_by_period(doc: dict[str, Any], lang: Lang, names: Names) -> str:
    """Stacked bars: installed capacity of each period by technology, one colour per technology [MW]."""
    title = lang("pathway.chart.capacity")
    techs = plant_technologies(doc)
    ps = doc["periods"]
    with chart_style():
        fig = new_figure(3.4, right_in=2.3, left_in=0.75)
        ax = fig.add_subplot()
        x = np.arange(len(ps), dtype=float)
        base = np.zeros(len(ps))
        for i, g in enumerate(techs):
            v = np.array([float(p["capacity_mw"].get(g, 0.0)) for p in ps])
            bars(ax, x, v, base, 0.6, CYCLE[i % len(CYCLE)], names.technology(g, lang))
            base = base + v
        for xi, total in zip(x, base):
            ax.text(float(xi), float(total), lang.num(float(total)), ha="center", va="bottom", fontsize=7)
        ax.set_ylim(0, max(float(base.max(initial=0.0)), 1.0) * 1.12)
        ax.set_xlim(-0.6, len(ps) - 0.4)
        ax.set_xticks(x, _years(doc))
        ax.set_ylabel(lang("axis.capacity_mw"))
        ax.grid(axis="x", visible=False)
        ax.set_title(title, loc="left")
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return to_svg(fig, f"pathway-capacity-{lang.code}", title)


def share_co2_by_period(doc: dict[str, Any], lang: Lang) -> str:
    """Left: new-energy share by period [%]; right: CO2 on the production and consumption ledgers [Mt or 万吨/yr]."""
    title = f"{lang('pathway.chart.share')} · {lang('pathway.chart.co2')}"
    ps = doc["periods"]
    x = np.arange(len(ps), dtype=float)
    share = np.array([float(p["new_energy_share"]) * 100.0 for p in ps])
    scale = lang.scale("co2")
    prod = np.array([float(p["co2_production_t_per_yr"]) for p in ps]) / scale
    cons = np.array([float(p["co2_consumption_t_per_yr"]) for p in ps]) / scale
    with chart_style():
        fig = new_figure(3.0, left_in=0.7, right_in=0.2, top_in=0.4, wspace=0.35)
        left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        left.plot(x, share, color=COLOURS["wind"], marker="o", markersize=4)
        for xi, v in zip(x, share):
            left.text(float(xi), float(v), lang.q("share", v / 100.0), ha="center", va="bottom", fontsize=7)
        left.set_ylim(0, max(float(share.max(initial=0.0)) * 1.2, 1.0))
        left.set_xlim(-0.5, len(ps) - 0.5)
        left.set_xticks(x, _years(doc))
        left.set_ylabel(lang("pathway.axis.share"))
        left.set_title(lang("pathway.chart.share"), loc="left")
        width = 0.38
        bars(right, x - width / 2, prod, np.zeros(len(ps)), width, COLOURS["coal"], lang("pathway.item.co2_production"))
        bars(right, x + width / 2, cons, np.zeros(len(ps)), width, COLOURS["imports"], lang("summary.co2_consumption"))
        right.set_ylim(0, max(float(np.nanmax(np.concatenate([prod, cons, [0.0]]))), 1e-9) * 1.45)  # room for the legend
        right.set_xlim(-0.6, len(ps) - 0.4)
        right.set_xticks(x, _years(doc))
        right.set_ylabel(lang("axis.co2"))
        right.grid(axis="x", visible=False)
        right.set_title(lang("pathway.chart.co2"), loc="left")
        right.legend(loc="upper left", ncols=1)
        return to_svg(fig, f"pathway-share-co2-{lang.code}", title)


def cost_by_period(doc: dict[str, Any], results: Sequence[xr.Dataset], inputs: Sequence[xr.Dataset],
                   lang: Lang) -> str:
    """Stacked bars: annual system cost of each period by category, and the pathway's annual cost [亿元 or M CNY/yr]."""
    title = lang("pathway.chart.cost")
    scale = lang.scale("money")
    per = [chart_data.cost_breakdown(r, i) / scale for r, i in zip(results, inputs)]
    ps = doc["periods"]
    counted = np.array([float(p["annual_cost_cny_per_yr"]) for p in ps]) / scale
    with chart_style():
        fig = new_figure(3.2, right_in=1.9, left_in=0.7)
        ax = fig.add_subplot()
        x = np.arange(len(ps), dtype=float)
        up, down = np.zeros(len(ps)), np.zeros(len(ps))
        visible = 1e-3 * max(float(max(p.abs().max() for p in per)), 1e-9)
        for j, c in enumerate(chart_data.COST_CATEGORIES):
            v = np.array([float(p.get(c, 0.0)) for p in per])
            if not np.any(np.abs(v) > visible):
                continue
            base = np.where(v >= 0, up, down)
            bars(ax, x, v, base, 0.6, CYCLE[j % len(CYCLE)], lang(f"cost.{c}"))
            up, down = np.where(v >= 0, up + v, up), np.where(v < 0, down + v, down)
        ax.scatter(x, counted, color=COLOURS["demand"], marker="D", s=18, zorder=3,
                   label=lang("pathway.chart.pathway_cost"))
        for xi, tot in zip(x, counted):
            ax.text(float(xi), max(float(up[int(xi)]), float(tot)), lang.num(float(tot), 1), ha="center",
                    va="bottom", fontsize=7)
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylim(min(float(down.min()) * 1.1, 0.0), max(float(up.max()), float(counted.max()), 1e-9) * 1.15)
        ax.set_xlim(-0.6, len(ps) - 0.4)
        ax.set_xticks(x, _years(doc))
        ax.set_ylabel(lang("axis.money_per_yr"))
        ax.grid(axis="x", visible=False)
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return to_svg(fig, f"pathway-cost-{lang.code}", title)


def pathway_charts(doc: dict[str, Any], results: Sequence[xr.Dataset], inputs: Sequence[xr.Dataset], lang: Lang,
                   names: Names) -> dict[str, str]:
    """Every chart of :data:`PATHWAY_CHARTS` as inline SVG in ``lang``."""
    return {"capacity": capacity_by_period(doc, lang, names), "share_co2": share_co2_by_period(doc, lang),
            "cost": cost_by_period(doc, results, inputs, lang)}
