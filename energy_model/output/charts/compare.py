"""Charts of a comparison: capacity and annual cost of each run (with targets)."""

from __future__ import annotations

from typing import Any

import numpy as np

from energy_model import vocabulary as n
from energy_model.output import chart_data
from energy_model.output.charts.style import COLOURS, CYCLE, chart_style, new_figure, text_width_in, to_svg
from energy_model.output.i18n import Lang, Names

#: Colours of the runs compared (far apart, so two runs never look alike).
RUN_COLOURS = ("#2166ac", "#e08214", "#5b8c2a", "#7b3294", "#d7191c", "#4d4d4d")


def capacity_by_run(runs: list[Any], lang: Lang, names: Names) -> str:
    """Grouped horizontal bars: installed capacity per technology, one bar per run [MW]."""
    title = lang("compare.chart_capacity")
    techs: list[str] = []
    for r in runs:
        keep = ~np.isin(r.inputs["kind"].values.astype(str), [n.IMPORT, n.EXPORT, n.BOILER])
        cap = r.results["capacity_mw"].values
        techs += [g for g, k, c in zip(r.inputs[n.TECH].values.astype(str), keep, cap) if k and c > 0.5
                  and g not in techs]
    labels = [names.technology(g, lang) for g in techs]
    height = 0.8 / max(len(runs), 1)
    with chart_style():
        fig = new_figure(1.1 + 0.12 * len(runs) * max(len(techs), 1) + 0.1 * len(techs),
                         left_in=text_width_in(labels) + 0.2, top_in=0.62, bottom_in=0.45)
        ax = fig.add_subplot()
        y = np.arange(len(techs))[::-1]
        for i, r in enumerate(runs):
            cap = r.results["capacity_mw"].to_series()
            vals = [float(cap.get(g, 0.0)) for g in techs]
            ax.barh(y + 0.4 - height * (i + 0.5), vals, height=height * 0.95,
                    color=RUN_COLOURS[i % len(RUN_COLOURS)], label=r.name)
        ax.set_yticks(y, labels)
        ax.set_xlabel(lang("axis.capacity_mw"))
        ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=min(len(runs), 4))
        return to_svg(fig, f"compare-capacity-{lang.code}", title)


def cost_by_run(runs: list[Any], lang: Lang) -> str:
    """Stacked bars: annual system cost by component for each run (export revenue below zero)."""
    title = lang("compare.chart_cost")
    scale = lang.scale("money")
    per = [chart_data.cost_breakdown(r.results, r.inputs) / scale for r in runs]
    with chart_style():
        fig = new_figure(3.2, right_in=1.9, left_in=0.7)
        ax = fig.add_subplot()
        x = np.arange(len(runs))
        up, down = np.zeros(len(runs)), np.zeros(len(runs))
        visible = 1e-3 * max(float(max(p.abs().max() for p in per)), 1e-9)
        for j, c in enumerate(chart_data.COST_CATEGORIES):
            v = np.array([float(p[c]) for p in per])
            if not np.any(np.abs(v) > visible):
                continue
            base = np.where(v >= 0, up, down)
            ax.bar(x, v, bottom=base, width=0.6, color=CYCLE[j % len(CYCLE)], label=lang(f"cost.{c}"))
            up, down = np.where(v >= 0, up + v, up), np.where(v < 0, down + v, down)
        totals = [float(p.sum()) for p in per]
        ax.scatter(x, totals, color=COLOURS["demand"], marker="D", s=18, zorder=3, label=lang("common.total"))
        for xi, tot in zip(x, totals):
            ax.text(float(xi), max(float(up[xi]), tot), lang.num(tot, 1), ha="center", va="bottom", fontsize=7)
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylim(min(float(down.min()) * 1.1, 0.0), max(float(up.max()), max(totals)) * 1.15)
        ax.set_xticks(x, [r.name for r in runs])
        ax.set_ylabel(lang("axis.money_per_yr"))
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return to_svg(fig, f"compare-cost-{lang.code}", title)
