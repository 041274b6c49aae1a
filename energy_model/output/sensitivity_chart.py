"""Sensitivity indices in the sweep report: one bar chart per output (Sobol' S1/ST or Morris mu*/sigma), zh/en.

The parameters are named in words with their unit (the glossary), the
outputs by what they are (objective, a technology's capacity, the
new-energy share target, CO2). Sobol' indices are shares of the output's
variance (0 to 1) with their 95 % confidence interval as error bars; Morris
mu* and sigma are in the output's unit (the objective in the language's
money unit per year).
"""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from markupsafe import Markup

from energy_model.output.charts.style import COLOURS, chart_style, new_figure, text_width_in, to_svg
from energy_model.output.glossary import localized, names_from_meta, parameter_words, unit_of
from energy_model.output.i18n import Lang

#: The two indices drawn per method: (index, legend key), first drawn on top.
DRAWN = {"sobol": (("s1", "sweep.sens.s1"), ("st", "sweep.sens.st")),
         "morris": (("mu_star", "sweep.sens.mu_star"), ("sigma", "sweep.sens.sigma"))}
_RC: Any = {"text.parse_math": False}


def _method(tidy: pd.DataFrame) -> str:
    return "sobol" if "s1" in set(tidy["index"]) else "morris"


def output_words(output: str, meta: dict[str, Any], lang: Lang) -> str:
    """An output column in words: the objective, '<technology> capacity', a target's label, CO2."""
    head, _, label = output.partition(".")
    if output == "objective_cny_per_yr":
        return lang("sweep.sens.out.objective")
    if head == "capacity_mw":
        name = ((meta.get("tech_names") or {}).get(label) or {}).get(lang.code, label)
        return lang("sweep.sens.out.capacity", tech=name)
    if head == "target_value":
        words = (meta.get("target_labels") or {}).get(label) or {}
        return localized(words.get("en"), words.get("zh"), lang) or label
    if output == "new_energy_share":
        return lang("sweep.sens.out.share")
    if output == "co2_t_per_yr":
        return lang("sweep.sens.out.co2")
    return output


def _output_scale(output: str, meta: dict[str, Any], lang: Lang) -> tuple[float, str]:
    """Divisor and unit text of an output's Morris indices in ``lang``."""
    if output == "objective_cny_per_yr":
        return lang.scale("money"), lang("unit.money_per_yr")
    return 1.0, str((meta.get("units") or {}).get(output, ""))


def _label(path: str, meta: dict[str, Any], lang: Lang) -> str:
    text = parameter_words(path, lang, names_from_meta(meta.get("tech_names"), meta.get("fuel_names")), unit=False)
    unit = unit_of(path.rsplit(".", 1)[-1], lang)
    return f"{text} [{unit}]" if unit else text


def sensitivity_chart(tidy: pd.DataFrame, output: str, meta: dict[str, Any], lang: Lang, key: str) -> str:
    """Horizontal bars of one output's indices per parameter, largest total (ST or mu*) on top; an inline SVG."""
    method = _method(tidy)
    part = tidy[tidy["output"] == output]
    first, second = (k for k, _ in DRAWN[method])
    lead = part[part["index"] == (second if method == "sobol" else first)].set_index("parameter")["value"]
    params = [str(p) for p in lead.sort_values(ascending=True, kind="stable").index]
    labels = [_label(p, meta, lang) for p in params]
    scale, unit = (1.0, "") if method == "sobol" else _output_scale(output, meta, lang)
    title = output_words(output, meta, lang)
    with chart_style(), matplotlib.rc_context(_RC):
        fig = new_figure(0.9 + 0.42 * len(params), left_in=min(text_width_in(labels) + 0.25, 3.4), top_in=0.55,
                         bottom_in=0.5)
        ax = fig.add_subplot()
        y = np.arange(len(params))
        for (index, legend), colour, offset in zip(DRAWN[method], (COLOURS["with"], COLOURS["without"]),
                                                   (0.19, -0.19)):
            rows = part[part["index"] == index].set_index("parameter").reindex(params)
            values = rows["value"].to_numpy(float) / scale
            conf = rows["conf"].to_numpy(float) / scale
            ax.barh(y + offset, np.nan_to_num(values), height=0.36, color=colour, label=lang(legend),
                    xerr=None if np.isnan(conf).all() else np.nan_to_num(conf), error_kw={"linewidth": 0.8})
        ax.set_yticks(y, labels)
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlabel(lang("sweep.sens.axis.sobol") if method == "sobol" else
                      lang("sweep.sens.axis.morris", unit=unit))
        ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2)
        return to_svg(fig, f"sweep-sens-{key}-{lang.code}", title)


def sensitivity_context(meta: dict[str, Any], lang: Lang) -> dict[str, Any] | None:
    """What the report's sensitivity section shows in ``lang``: charts and caption, or why there are none.

    ``meta["sensitivity"]`` is the tidy index table (None when not computed),
    ``meta["sensitivity_failed"]`` the variants that kept it from being computed;
    None for sweeps of other modes.
    """
    tidy = meta.get("sensitivity")
    failed = list(meta.get("sensitivity_failed") or [])
    if str(meta.get("mode", "")) not in ("saltelli", "morris"):
        return None
    if tidy is None or not len(tidy):
        return {"charts": [], "caption": "", "missing": lang("sweep.sens.missing", count=lang.num(len(failed)),
                                                             ids=", ".join(failed[:20]))}
    method = _method(tidy)
    charts = [Markup(sensitivity_chart(tidy, str(o), meta, lang, str(i)))
              for i, o in enumerate(dict.fromkeys(tidy["output"]))]
    caption = lang(f"sweep.sens.caption.{method}", levels=str(meta.get("levels", 4)))
    return {"charts": charts, "caption": caption, "missing": ""}
