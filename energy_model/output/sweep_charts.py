"""The charts of the sweep page (heatmap, tornado, scatter, shadow prices) and the words and units on them.

Math text is off in the charts, so a ``$`` in a label is drawn as it is;
matplotlib escapes the text of its SVGs.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from energy_model import vocabulary as n
from energy_model.output.charts.style import COLOURS, CYCLE, chart_style, new_figure, text_width_in, to_svg
from energy_model.output.glossary import localized, names_from_meta, parameter_words, unit_of
from energy_model.output.i18n import Lang
from energy_model.output.sweep_numbers import OBJECTIVE, OPTIMAL, Heatmap, numeric, optimal, statuses

#: Most scatter panels drawn (the parameters that move the objective most first).
MAX_PANELS = 12
#: Largest heatmap whose cells are labelled with their value (beyond it the colours and the colour bar tell).
MAX_LABELLED_CELLS = 200
#: Points of a scatter panel beyond which its dots are drawn as an embedded image (axes and text stay vector):
#: 10,000 variants as vector dots made a 17.5 MB page.
RASTER_POINTS = 2_000
#: Matplotlib settings of the sweep charts on top of the report's: no math text in labels from the data; dots drawn
#: as an image at 192 dpi (sharp on high-density screens).
_RC: Any = {"text.parse_math": False, "savefig.dpi": 192}


def value_text(value: float | None, lang: Lang) -> str:
    """A swept value as typed: integers with separators, others with up to four significant digits."""
    if value is None or not math.isfinite(float(value)):
        return lang.num(value)
    v = float(value)
    if v == int(v):
        return lang.num(v, 0)
    decimals = min(8, max(1, 3 - math.floor(math.log10(abs(v)))))
    return lang.num(v, decimals).rstrip("0").rstrip(".")


def _unit(meta: dict[str, Any], column: str) -> str:
    units = meta.get("units") or {}
    return str(units.get(column, units.get(column.removeprefix("param."), "")) or "")


def _kinds(meta: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (meta.get("target_kinds") or {}).items()}


def price_unit(meta: dict[str, Any], target: str, lang: Lang) -> str:
    """Unit of a target's shadow price: from its kind (``meta["target_kinds"]``) or ``meta["units"]``."""
    kind = _kinds(meta).get(target)
    if kind and lang.has(f"price_unit.{kind}"):
        return lang(f"price_unit.{kind}")
    return _unit(meta, f"target_shadow_price.{target}")


def target_value_text(meta: dict[str, Any], target: str, value: float, lang: Lang) -> str:
    kind = _kinds(meta).get(target)
    family = n.TARGET_FAMILY.get(str(kind))
    if family in (n.SHARE, n.MARGIN):
        return lang.q("share", value)
    if family == n.CAPACITY:
        return lang.q("power", value)
    if family == n.EMISSIONS:
        return lang.q("mass", value, per="yr")
    if family == n.ENERGY:
        return lang.q("energy", value, per="yr")
    unit = _unit(meta, f"target_value.{target}")
    return f"{lang.num(value, 3 if abs(value) < 10 else 0)} {unit}".strip()


def metric(meta: dict[str, Any] | None) -> str:
    """Suffix of the messages of a sweep's headline: ``_pv`` for a pathway sweep (present value [CNY]), else ""
    (annual cost [CNY/yr])."""
    return "_pv" if meta and meta.get("periods") else ""


def money(value: float, lang: Lang, meta: dict[str, Any] | None = None) -> str:
    """The headline in words: an annual cost [CNY/yr], or a present value [CNY] in a pathway sweep."""
    return lang.q("money", value, per="" if metric(meta) else "yr")


def signed_money(value: float, lang: Lang, meta: dict[str, Any] | None = None) -> str:
    text = money(value, lang, meta)
    return ("+" + text) if value > 0 and math.isfinite(value) else text


def param_words(path: str, meta: dict[str, Any], lang: Lang, unit: bool = False) -> str:
    """A parameter path in words in ``lang`` (:func:`energy_model.output.glossary.parameter_words`)."""
    return parameter_words(path, lang, names_from_meta(meta.get("tech_names"), meta.get("fuel_names")), unit=unit)


def param_unit(path: str, meta: dict[str, Any], lang: Lang) -> str:
    """A parameter's unit in ``lang``: from its column name, else as the sweep's metadata gives it."""
    return unit_of(path.rsplit(".", 1)[-1], lang) or _unit(meta, f"param.{path}")


def target_words(meta: dict[str, Any], target: str, lang: Lang) -> str:
    """A target's label in ``lang`` (``meta["target_labels"]``: id -> {"en", "zh"}); the id when it has none."""
    labels = (meta.get("target_labels") or {}).get(target) or {}
    return localized(labels.get("en"), labels.get("zh"), lang) or target


def _param_label(path: str, meta: dict[str, Any], lang: Lang, width: int = 30) -> str:
    """A parameter for a chart axis: its words, wrapped at the dash when long, with its unit in brackets."""
    text = param_words(path, meta, lang)
    if len(text) > width and " — " in text:
        text = text.replace(" — ", " —\n", 1)
    unit = param_unit(path, meta, lang)
    return f"{text} [{unit}]" if unit else text


def _value_axis(axis: Any, lang: Lang) -> None:
    """Tick labels of a parameter axis written like the tables (thousands separators)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: value_text(v, lang)))


def _decimals(values: np.ndarray) -> int:
    """Decimals that tell the cells of a heatmap apart: about 100 steps across their range, at most 3."""
    finite = values[np.isfinite(values)]
    span = float(np.ptp(finite)) if finite.size else 0.0
    if span <= 0:
        return 1
    return int(min(3, max(0, math.ceil(2 - math.log10(span)))))


# -- charts -----------------------------------------------------------------------------------------------------


def heatmap_chart(hm: Heatmap, meta: dict[str, Any], lang: Lang) -> str:
    """Cells coloured and labelled with the objective over two parameters [M CNY/yr or 亿元/年]."""
    title = lang("sweep.chart.heatmap" + metric(meta))
    scale = lang.scale("money")
    grid = hm.values.to_numpy(dtype=float) / scale
    decimals = _decimals(grid)
    ny, nx = grid.shape
    with chart_style(), matplotlib.rc_context(_RC):
        fig = new_figure(min(1.3 + 0.42 * ny, 7.5) + (0.35 if nx >= 8 else 0.0), left_in=1.2, right_in=1.3,
                         bottom_in=0.95 if nx >= 8 else 0.6, top_in=0.35)  # room for slanted tick labels
        ax = fig.add_subplot()
        cmap = matplotlib.colormaps["YlOrRd"].with_extremes(bad="#eeeeee")
        image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, aspect="auto", origin="lower",
                          interpolation="nearest")
        finite = grid[np.isfinite(grid)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        for i in range(ny):
            for j in range(nx):
                v = grid[i, j]
                if math.isfinite(v) and nx * ny <= MAX_LABELLED_CELLS:
                    dark = hi > lo and (v - lo) / (hi - lo) > 0.6
                    ax.text(j, i, lang.num(v, decimals), ha="center", va="center", fontsize=7 if nx < 9 else 6,
                            color="white" if dark else "#1f2328")
                elif bool(hm.failed.iat[i, j]):
                    ax.text(j, i, lang("sweep.failed_cell"), ha="center", va="center", fontsize=6.5,
                            color=COLOURS["unserved"])
        step_x, step_y = max(1, math.ceil(nx / 20)), max(1, math.ceil(ny / 25))  # at most ~20 tick labels
        ax.set_xticks(range(0, nx, step_x), [value_text(v, lang) for v in hm.values.columns[::step_x]],
                      rotation=0 if nx < 8 else 45)
        ax.set_yticks(range(0, ny, step_y), [value_text(v, lang) for v in hm.values.index[::step_y]])
        ax.set_xlabel(_param_label(hm.x, meta, lang, 70))
        ax.set_ylabel(_param_label(hm.y, meta, lang))
        ax.grid(visible=False)
        bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
        bar.set_label(lang("sweep.axis.objective" + metric(meta)))
        _value_axis(bar.ax.yaxis, lang)
        ax.set_title(title, loc="left")
        return to_svg(fig, f"sweep-heatmap-{lang.code}", title)


def tornado_chart(tor: pd.DataFrame, meta: dict[str, Any], lang: Lang) -> str:
    """Horizontal bars: objective change from the base for each parameter's low and high value, widest on top."""
    title = lang("sweep.chart.tornado" + metric(meta))
    scale = lang.scale("money")
    labels = [_param_label(str(p), meta, lang) for p in tor.index]
    width = text_width_in([line for lab in labels for line in lab.split("\n")])
    with chart_style(), matplotlib.rc_context(_RC):
        fig = new_figure(1.2 + 0.5 * max(len(tor), 1), left_in=min(width + 0.25, 3.2), top_in=0.62, bottom_in=0.5)
        ax = fig.add_subplot()
        y = np.arange(len(tor))[::-1]
        span = float(np.nanmax(np.abs(tor[["low_delta", "high_delta"]].to_numpy(dtype=float) / scale),
                              initial=0.0)) or 1.0
        decimals = _decimals(np.concatenate([[0.0], tor[["low_delta", "high_delta"]].to_numpy(dtype=float).ravel()
                                             / scale]))
        # low above high on each row, so two changes of the same sign never hide each other
        for s, colour, offset in (("low", COLOURS["without"], 0.19), ("high", COLOURS["with"], -0.19)):
            d = tor[f"{s}_delta"].to_numpy(dtype=float) / scale
            ax.barh(y + offset, np.nan_to_num(d), height=0.36, color=colour, label=lang(f"sweep.side.{s}"))
            for yi, v, value, bad in zip(y + offset, d, tor[f"{s}_value"], tor[f"{s}_failed"]):
                if math.isfinite(v):
                    ax.text(v + (0.01 if v >= 0 else -0.01) * span, yi,
                            f"{lang.num(v, decimals)} ({value_text(value, lang)})", va="center",
                            ha="left" if v >= 0 else "right", fontsize=6.5)
                elif bad:
                    ax.text(0, yi, " " + lang("sweep.failed_cell"), va="center", ha="left", fontsize=6.5,
                            color=COLOURS["unserved"])
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlim(-span * 1.45, span * 1.45)
        ax.set_yticks(y, labels)
        ax.set_xlabel(lang("sweep.axis.delta" + metric(meta)))
        ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2)
        return to_svg(fig, f"sweep-tornado-{lang.code}", title)


def _panels(count: int) -> tuple[int, int]:
    cols = 1 if count == 1 else 2 if count in (2, 4) else 3
    return math.ceil(count / cols), cols


def scatter_chart(table: pd.DataFrame, params: list[str], meta: dict[str, Any], lang: Lang) -> str:
    """The objective of each variant against each parameter, one panel per parameter; failed variants marked."""
    title = lang("sweep.chart.scatter" + metric(meta))
    scale = lang.scale("money")
    ok = (statuses(table) == OPTIMAL) & numeric(table, OBJECTIVE).notna()
    rows, cols = _panels(len(params))
    with chart_style(), matplotlib.rc_context(_RC):
        fig = new_figure(0.55 + 2.3 * rows, left_in=0.8, top_in=0.6, bottom_in=0.6, wspace=0.35, hspace=0.7)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for i, (ax, p) in enumerate(zip(axes, params)):
            x = numeric(table, f"param.{p}")
            ax.scatter(x[ok], numeric(table, OBJECTIVE)[ok] / scale, s=12, color=COLOURS["with"], alpha=0.75,
                       linewidths=0, label=lang("sweep.series.optimal") if i == 0 else None,
                       rasterized=bool(ok.sum() > RASTER_POINTS))
            if (~ok).any():
                ax.scatter(x[~ok], np.zeros(int((~ok).sum())), marker="x", s=16, color=COLOURS["unserved"],
                           transform=ax.get_xaxis_transform(), clip_on=False,
                           label=lang("sweep.series.failed") if i == 0 else None)
            ax.set_xlabel(_param_label(p, meta, lang), fontsize=7.5)
            _value_axis(ax.xaxis, lang)
            _value_axis(ax.yaxis, lang)
            if i % cols == 0:
                ax.set_ylabel(lang("sweep.axis.objective" + metric(meta)))
        for ax in axes[len(params):]:
            ax.set_visible(False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        fig.legend(loc="upper right", ncols=2)
        return to_svg(fig, f"sweep-scatter-{lang.code}", title)


def shadow_price_chart(table: pd.DataFrame, targets: list[str], param: str, meta: dict[str, Any], lang: Lang) -> str:
    """Each target's shadow price against one parameter (one panel per target, its own unit)."""
    title = lang("sweep.chart.prices", param=param_words(param, meta, lang))
    ok = optimal(table)
    rows, cols = _panels(len(targets))
    with chart_style(), matplotlib.rc_context(_RC):
        fig = new_figure(0.55 + 2.2 * rows, left_in=0.8, top_in=0.5, bottom_in=0.6, wspace=0.35, hspace=0.75)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        x = numeric(ok, f"param.{param}")
        for i, (ax, k) in enumerate(zip(axes, targets)):
            price = numeric(ok, f"target_shadow_price.{k}")
            ax.scatter(x, price, s=16, linewidths=0, alpha=0.8, color=CYCLE[i % len(CYCLE)], clip_on=False,
                       rasterized=len(x) > RASTER_POINTS)
            ax.ticklabel_format(axis="y", style="plain", useOffset=False)
            _value_axis(ax.xaxis, lang)
            unit = price_unit(meta, k, lang)
            ax.set_title(target_words(meta, k, lang), loc="left", fontsize=8.5)
            ax.set_ylabel(lang("sweep.axis.price", unit=unit) if unit else lang("sweep.axis.price_no_unit"))
            ax.set_xlabel(_param_label(param, meta, lang), fontsize=7.5)
            top = max(float(price.max()) if len(price) else 0.0, 0.0)
            low = min(float(price.min()) if len(price) else 0.0, 0.0)
            pad = 0.05 * ((top - low) or 1.0)
            ax.set_ylim(low - pad, top + pad)  # zeros (not binding) drawn clear of the axis
        for ax in axes[len(targets):]:
            ax.set_visible(False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        return to_svg(fig, f"sweep-prices-{lang.code}", title)
