"""Charts of prices, costs, emissions, fuel supply limits and target frontiers.

Each function draws one chart from the data of :mod:`energy_model.output.chart_data`
and returns it as inline SVG; every label comes from the catalogue, and money
and CO2 are scaled to the language's unit (M CNY or 亿元; Mt or 万吨).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.dates import DateFormatter, DayLocator, MonthLocator, num2date
from matplotlib.ticker import FuncFormatter

from energy_model import vocabulary as n
from energy_model.output.chart_data import FuelLimitUse
from energy_model.output.charts.style import COLOURS, CYCLE, chart_style, new_figure, text_width_in, to_svg
from energy_model.output.i18n import Lang, Names


def price_duration(curves: dict[str, tuple[np.ndarray, np.ndarray]], hours: int, lang: Lang) -> str:
    """Sorted hourly marginal price, enforced and reference case, across every hour [CNY/MWh].

    Parameters
    ----------
    curves : dict
        ``{"with": (hours, price), "without": (hours, price)}`` from
        :func:`energy_model.output.chart_data.price_duration`.
    hours : int
        Hours in the horizon: the x axis runs from 0 to ``hours - 1``.
    """
    title = lang("chart.price.title")
    with chart_style():
        fig = new_figure(2.9, left_in=0.65)
        ax = fig.add_subplot()
        top = 1.0
        peak = 0.0
        for case in ("without", "with"):
            if case not in curves:
                continue
            x, y = curves[case]
            ax.plot(x, y, color=COLOURS[case if case == "with" else "reference"], label=lang(f"case.{case}"),
                    linewidth=1.6 if case == "with" else 1.1, drawstyle="steps-post")
            if y.size:
                top = max(top, float(np.percentile(y, 99.5)) * 1.15, float(np.median(y)) * 1.5)
                peak = max(peak, float(y.max()))
        ax.set_xlim(0, max(hours - 1, 1))
        bottom = min(0.0, *(float(c[1].min(initial=0.0)) * 1.1 for c in curves.values()))
        ax.set_ylim(bottom, top)
        if peak > top:
            ax.text(0.995, 0.97, lang("chart.price.capped", top=lang.num(peak)), transform=ax.transAxes,
                    ha="right", va="top", fontsize=7, color="#555555")
        ax.set_xlabel(lang("axis.hours_sorted"))
        ax.set_ylabel(lang("axis.price"))
        ax.set_title(title, loc="left")
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9))
        return to_svg(fig, f"price-{lang.code}", title)


def cost_breakdown(costs: pd.DataFrame, lang: Lang) -> str:
    """Annual cost by category, without and with the targets [M CNY/yr or 亿元/年].

    Parameters
    ----------
    costs : pandas.DataFrame
        Index: cost category; columns ``without`` and ``with`` [CNY/yr].
    """
    title = lang("chart.cost.title")
    scale = lang.scale("money")
    shown = costs[(costs.abs() > 1e-6 * costs.abs().to_numpy().max(initial=1.0)).any(axis=1)]
    labels = [lang(f"cost.{c}") for c in shown.index]
    with chart_style():
        fig = new_figure(1.05 + 0.3 * max(len(shown), 1), left_in=text_width_in(labels) + 0.2, bottom_in=0.45,
                         top_in=0.62)
        ax = fig.add_subplot()
        y = np.arange(len(shown))[::-1]
        for offset, case in ((0.2, "without"), (-0.2, "with")):
            ax.barh(y + offset, shown[case] / scale, height=0.38, color=COLOURS[case], label=lang(f"case.{case}"))
        for yi, v in zip(y - 0.2, shown["with"] / scale):
            ax.text(v, yi, " " + lang.num(v, 1 if abs(v) < 100 else 0), va="center", fontsize=7,
                    ha="left" if v >= 0 else "right")
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, labels)
        lo, hi = float((shown / scale).to_numpy().min(initial=0.0)), float((shown / scale).to_numpy().max(initial=1.0))
        ax.set_xlim(min(lo * 1.25, 0.0), hi * 1.18)
        ax.set_xlabel(lang("axis.money_per_yr"))
        ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2)
        return to_svg(fig, f"cost-{lang.code}", title)


def emissions(cases: dict[str, pd.DataFrame], lang: Lang, names: Names) -> str:
    """CO2 by fuel plus CO2 in imports (left) and SO2, NOx, PM (right), without and with targets.

    Parameters
    ----------
    cases : dict
        ``{"without": frame, "with": frame}`` from :func:`energy_model.output.chart_data.emissions` [t/yr].
    """
    title = lang("chart.emissions.title")
    scale = lang.scale("co2")
    order = ("without", "with")
    with chart_style():
        fig = new_figure(3.6, top_in=0.6, bottom_in=1.05, left_in=0.65, wspace=0.35)
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        sources = [c for c in cases["with"].columns
                   if any(abs(float(cases[k].loc["co2", c])) > 0 for k in order if "co2" in cases[k].index)]
        for i, case in enumerate(order):
            bottom = 0.0
            for j, src in enumerate(sources):
                v = float(cases[case].loc["co2", src]) / scale
                hatch = "//" if src == "imports" else None
                colour = COLOURS["imports"] if src == "imports" else CYCLE[(j + 4) % len(CYCLE)]
                label = (lang("series.co2_imports") if src == "imports" else names.fuel_name(src, lang)) if i == 0 \
                    else None
                left.bar(i, v, bottom=bottom, color=colour, hatch=hatch, label=label, width=0.6,
                         edgecolor="white" if hatch else None)
                bottom += v
            left.text(i, bottom, lang.num(bottom, 1), ha="center", va="bottom", fontsize=7)
        left.set_ylim(0, left.get_ylim()[1] * 1.12)  # room for the totals above the bars
        left.set_xticks(range(len(order)), [lang(f"case.{c}") for c in order])
        left.set_ylabel(lang("axis.co2"))
        left.set_title(lang("chart.emissions.co2"), loc="left")
        left.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=1)  # long fuel names: one column, clear of the right panel
        others = [p for p in n.POLLUTANTS if p != "co2" and p in cases["with"].index]
        x = np.arange(len(others))
        for offset, case in ((-0.2, "without"), (0.2, "with")):
            vals = [float(cases[case].loc[p].sum()) for p in others]
            right.bar(x + offset, vals, width=0.38, color=COLOURS[case], label=lang(f"case.{case}"))
        right.set_xticks(x, [lang(f"pollutant.{p}") for p in others])
        right.set_ylabel(lang("axis.t_per_yr"))
        right.set_title(lang("chart.emissions.air"), loc="left")
        right.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=2)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        return to_svg(fig, f"emissions-{lang.code}", title)


def fuel_limits(uses: list[FuelLimitUse], lang: Lang, names: Names) -> str:
    """Per limited fuel supply: hourly send-out against the hourly limit, cumulative use against the annual one."""
    title = lang("chart.fuel.title")
    with chart_style():
        fig = new_figure(0.6 + 2.0 * max(len(uses), 1), top_in=0.55, left_in=0.8, bottom_in=0.35, wspace=0.32,
                         hspace=0.55)
        axes = fig.subplots(max(len(uses), 1), 2, squeeze=False)
        for row, use in zip(axes, uses):
            hourly, annual = row
            unit = lang.get(f"fuel_unit.{use.unit}", use.unit)
            name = names.fuel_name(use.fuel, lang)
            if use.daily:
                hourly.fill_between(use.time, 0, use.peak, color=COLOURS["gas"], alpha=0.35, linewidth=0,
                                    label=lang("series.daily_peak"))
                hourly.plot(use.time, use.mean, color=COLOURS["gas"], linewidth=1.0, label=lang("series.daily_mean"))
            else:
                hourly.step(use.time, use.peak, where="post", color=COLOURS["gas"], linewidth=1.0,
                            label=lang("series.hourly_use"))
            top = float(np.nanmax(use.peak, initial=0.0))
            if math.isfinite(use.limit_per_h):
                hourly.axhline(use.limit_per_h, color=COLOURS["limit"], linestyle="--", linewidth=1.2,
                               label=lang("series.hourly_limit"))
                top = max(top, use.limit_per_h)
            hourly.set_ylim(0, max(top * 1.45, 1.0))
            _scaled_axis(hourly, top, lang, lang("axis.per_h", unit=unit))
            hourly.set_title(lang("chart.fuel.hourly", fuel=name), loc="left", fontsize=8.5)
            annual.plot(use.cumulative_time, use.cumulative, color=COLOURS["with"], linewidth=1.3,
                        label=lang("series.cumulative"))
            top = float(use.cumulative[-1]) if use.cumulative.size else 0.0
            if math.isfinite(use.limit_per_yr):
                annual.axhline(use.limit_per_yr, color=COLOURS["limit"], linestyle="--", linewidth=1.2,
                               label=lang("series.annual_limit"))
                top = max(top, use.limit_per_yr)
            annual.set_ylim(0, max(top * 1.45, 1.0))
            _scaled_axis(annual, top, lang, lang("axis.per_yr", unit=unit))
            annual.set_title(lang("chart.fuel.annual"), loc="left", fontsize=8.5)
            for ax in row:
                _date_axis(ax, use.daily, lang)
                ax.set_xlim(use.cumulative_time[0], use.cumulative_time[-1])
                ax.legend(loc="upper left", fontsize=6.5, ncols=2, frameon=True, framealpha=0.9, edgecolor="none")
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        return to_svg(fig, f"fuel-{lang.code}", title)


def _date_axis(ax: object, daily: bool, lang: Lang) -> None:
    """Month names every other month for a year of days; month-day every other day for a short horizon."""
    if daily:
        ax.xaxis.set_major_locator(MonthLocator(bymonth=range(1, 13, 2)))  # type: ignore[attr-defined]
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: lang(f"month.{num2date(v).month}")))  # type: ignore[attr-defined]
    else:
        ax.xaxis.set_major_locator(DayLocator(interval=2))  # type: ignore[attr-defined]
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))  # type: ignore[attr-defined]


def _scaled_axis(ax: object, top: float, lang: Lang, label: str) -> None:
    """Tick labels divided by a round power (万, M ...) and the prefix put in the axis label."""
    divisor, prefix = lang.prefix(top)

    def tick(v: float, _pos: int) -> str:
        x = v / divisor
        if abs(x - round(x)) < 1e-9 or abs(x) >= 100:
            return lang.num(x, 0)
        return lang.num(x, 2).rstrip("0").rstrip(".")

    ax.yaxis.set_major_formatter(FuncFormatter(tick))  # type: ignore[attr-defined]
    ax.set_ylabel(f"{prefix}{label}" if prefix else label)  # type: ignore[attr-defined]


def frontier(table: pd.DataFrame, kind: str, name: str, lang: Lang, key: str) -> str:
    """A target frontier: cost increase against the level (top) and the marginal cost of each step (bottom).

    Parameters
    ----------
    table : pandas.DataFrame
        ``frontier_<target>.csv`` (level, status, cost_increase_cny_per_yr, marginal_cost).
    kind : str
        Target kind (min_share, min_capacity, max_emissions).
    name : str
        What the target measures, in ``lang``.
    key : str
        Unique id of the chart in the page.
    """
    title = lang("chart.frontier.title", name=name)
    ok = table[table["status"] == "optimal"].sort_values("level")
    level_scale = 0.01 if kind == n.MIN_SHARE else (lang.scale("co2") if kind == n.MAX_EMISSIONS else 1.0)
    x = ok["level"].to_numpy(dtype=float) / level_scale
    with chart_style():
        fig = new_figure(3.4, left_in=0.8, bottom_in=0.5, hspace=0.25)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.4, 1.0])
        top.plot(x, ok["cost_increase_cny_per_yr"] / lang.scale("money"), marker="o", color=COLOURS["with"])
        top.set_ylabel(lang("axis.money_per_yr"))
        top.set_title(title, loc="left")
        marg = ok["marginal_cost"].to_numpy(dtype=float)
        mids = (x[1:] + x[:-1]) / 2 if len(x) > 1 else x
        widths = np.diff(x) * 0.8 if len(x) > 1 else np.ones(1)
        per = marg[1:] if len(x) > 1 else marg
        scale = lang.scale("money") if kind != n.MAX_EMISSIONS else 1.0
        bottom.bar(mids, np.nan_to_num(per / scale), width=widths, color=COLOURS["without"], edgecolor=COLOURS["with"])
        bottom.set_ylabel(lang(f"axis.marginal.{kind}"))
        bottom.set_xlabel(lang(f"axis.level.{kind}"))
        return to_svg(fig, f"frontier-{key}-{lang.code}", title)
