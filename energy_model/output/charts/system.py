"""Charts of the power system: capacity, monthly supply, dispatch weeks, curtailment.

Each function draws one chart from the data of :mod:`energy_model.output.chart_data`
and returns it as inline SVG; every label comes from the catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.dates import DateFormatter, DayLocator

from energy_model.output.charts.style import COLOURS, CYCLE, bars, chart_style, new_figure, text_width_in, to_svg
from energy_model.output.i18n import Lang, Names


def _month_label(period: str, lang: Lang) -> str:
    return lang(f"month.{int(period[5:7])}")


def capacity(frame: pd.DataFrame, lang: Lang, names: Names) -> str:
    """Horizontal bars: capacity without and with the targets per technology, existing marked [MW]."""
    title = lang("chart.capacity.title")
    labels = [names.technology(g, lang) for g in frame.index]
    with chart_style():
        fig = new_figure(1.1 + 0.32 * max(len(frame), 1), left_in=text_width_in(labels) + 0.2, bottom_in=0.45,
                         top_in=0.62)
        ax = fig.add_subplot()
        y = np.arange(len(frame))[::-1]
        ax.barh(y + 0.2, frame["without_targets_mw"], height=0.38, color=COLOURS["without"],
                label=lang("case.without"))
        ax.barh(y - 0.2, frame["with_targets_mw"], height=0.38, color=COLOURS["with"], label=lang("case.with"))
        ax.scatter(frame["existing_mw"], y, marker="|", s=260, color=COLOURS["existing"], linewidths=1.6,
                   label=lang("case.existing"), zorder=3)
        top = float(frame[["without_targets_mw", "with_targets_mw"]].to_numpy().max(initial=1.0))
        for yi, v in zip(y - 0.2, frame["with_targets_mw"]):
            ax.text(v + top * 0.01, yi, lang.num(v), va="center", fontsize=7)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, top * 1.12)
        ax.set_xlabel(lang("axis.capacity_mw"))
        ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3)
        return to_svg(fig, f"capacity-{lang.code}", title)


def _stack(ax: object, x: np.ndarray, frame: pd.DataFrame, lang: Lang, names: Names, as_bars: bool) -> None:
    """Stack positive columns up and negative columns down from zero (bars or areas)."""
    up = np.zeros(len(frame))
    down = np.zeros(len(frame))
    visible = 1e-3 * max(float(frame.abs().to_numpy().max(initial=0.0)), 1e-9)
    for col in frame.columns:
        v = frame[col].to_numpy(dtype=float)
        if not np.any(np.abs(v) > visible):
            continue
        base = np.where(v >= 0, up, down)
        colour = COLOURS.get(col, "#999999")
        label = names.group(col, lang)
        if as_bars:
            bars(ax, x, v, base, 0.75, colour, label)  # type: ignore[arg-type]
        else:
            ax.fill_between(x, base, base + v, color=colour, label=label, linewidth=0, step="post")  # type: ignore[attr-defined]
        up = np.where(v >= 0, up + v, up)
        down = np.where(v < 0, down + v, down)


def monthly_supply(monthly: pd.DataFrame, lang: Lang, names: Names) -> str:
    """Stacked monthly electricity by group (exports below zero) against consumption [GWh/month]."""
    title = lang("chart.monthly.title")
    groups = monthly.drop(columns=["demand"])
    with chart_style():
        fig = new_figure(3.2, right_in=1.75, left_in=0.65)
        ax = fig.add_subplot()
        x = np.arange(len(monthly))
        _stack(ax, x, groups, lang, names, as_bars=True)
        ax.plot(x, monthly["demand"], color=COLOURS["demand"], marker="o", markersize=3, linewidth=1.4,
                label=lang("series.consumption"))
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_xticks(x, [_month_label(str(m), lang) for m in monthly.index])
        ax.set_ylabel(lang("axis.gwh_month"))
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return to_svg(fig, f"monthly-{lang.code}", title)


def dispatch_week(frame: pd.DataFrame, which: str, lang: Lang, names: Names) -> str:
    """Hourly dispatch of one week by group (charging and exports below zero) with demand [MW].

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of :func:`energy_model.output.chart_data.hourly_supply_by_group` for the week.
    which : {"peak_demand", "low_wind"}
        Which week (picks the title).
    """
    start, stop = frame.index[0], frame.index[-1]
    title = lang(f"chart.dispatch.{which}", start=f"{start:%Y-%m-%d}", end=f"{stop:%Y-%m-%d}")
    x = frame.index.to_numpy()
    with chart_style():
        fig = new_figure(3.1, right_in=1.75, left_in=0.65, bottom_in=0.55)
        ax = fig.add_subplot()
        _stack(ax, x, frame.drop(columns=["demand_mw"]), lang, names, as_bars=False)
        ax.step(x, frame["demand_mw"], where="post", color=COLOURS["demand"], linewidth=1.3,
                label=lang("series.demand"))
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_xlim(x[0], x[-1])
        ax.xaxis.set_major_locator(DayLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))
        ax.set_ylabel(lang("axis.mw"))
        ax.set_xlabel(lang("axis.time_cst"))
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return to_svg(fig, f"dispatch-{which}-{lang.code}", title)


def curtailment(frame: pd.DataFrame, lang: Lang, names: Names) -> str:
    """Curtailed wind and solar energy per month by technology, and the share curtailed [GWh, %]."""
    title = lang("chart.curtailment.title")
    techs = [c for c in frame.columns if c != "share"]
    with chart_style():
        fig = new_figure(2.9, right_in=2.55, left_in=0.6)
        ax = fig.add_subplot()
        x = np.arange(len(frame))
        bottom = np.zeros(len(frame))
        for i, g in enumerate(techs):
            v = frame[g].to_numpy(dtype=float)
            bars(ax, x.astype(float), v, bottom.copy(), 0.7, CYCLE[i % len(CYCLE)], names.technology(g, lang))
            bottom += v
        ax.set_xticks(x, [_month_label(str(m), lang) for m in frame.index])
        ax.set_ylabel(lang("axis.gwh_month"))
        ax.set_ylim(0, max(float(bottom.max(initial=0.0)) * 1.15, 1.0))
        share = ax.twinx()
        share.plot(x, frame["share"].to_numpy() * 100, color=COLOURS["limit"], marker="o", markersize=3,
                   label=lang("series.curtailed_share"))
        share.set_ylim(0, max(float(frame["share"].max()) * 100 * 1.2, 1.0))
        share.set_ylabel(lang("axis.percent_available"))
        share.grid(False)
        share.spines["right"].set_visible(True)
        if bottom.max(initial=0.0) < 1e-6:
            ax.text(0.5, 0.5, lang("chart.curtailment.none"), transform=ax.transAxes, ha="center", va="center",
                    color="#555555")
        handles = ax.get_legend_handles_labels()
        extra = share.get_legend_handles_labels()
        ax.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left", bbox_to_anchor=(1.17, 1.0))
        ax.set_title(title, loc="left")
        return to_svg(fig, f"curtailment-{lang.code}", title)
