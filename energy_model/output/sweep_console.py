"""The table printed when a sweep ends: one line per variant, plain numbers, and where the files are."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from energy_model.output.i18n import Lang, display_width, pad
from energy_model.output.sweep_charts import value_text

#: The objective is shown in the language's money unit per year (M CNY or 亿元), one decimal.


def format_sweep_table(table: pd.DataFrame, folder: Path | None, lang: Lang | None = None) -> str:
    """The sweep's variants as aligned text: swept values as typed, status, objective [M CNY/yr]
    (a pathway sweep, with ``present_value_cny``: the present value [M CNY]).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`energy_model.sweep.run.run_sweep`'s table (index: variant id; ``param.<path>`` in user
        units, ``status``, ``objective_cny_per_yr`` [CNY/yr]).
    folder : pathlib.Path or None
        The sweep folder, printed last (``sweep.csv``, ``sweep.nc``, ``sweep.html`` are there).
    lang : Lang, optional
        Language of the numbers and the last line (default English).

    Returns
    -------
    str
        Lines with thousands separators and no exponent (1.52e+10 is written 15,212.5).
    """
    lang = lang or Lang("en")
    params = [c for c in table.columns if str(c).startswith("param.")]
    heads = ["variant", *(str(c).removeprefix("param.") for c in params)]
    if "status" in table.columns:
        heads.append("status")
    headline = "present_value_cny" if "present_value_cny" in table.columns else "objective_cny_per_yr"
    heads.append(f"present value [{lang('unit.money')}]" if headline == "present_value_cny"
                 else f"objective [{lang('unit.money_per_yr')}]")
    rows = []
    for variant, r in table.iterrows():
        cells = [str(variant)] + [_value(r[c], lang) for c in params]
        if "status" in table.columns:
            cells.append(str(r["status"]))
        objective = pd.to_numeric(r.get(headline), errors="coerce")
        cells.append(lang.num(None if pd.isna(objective) else float(objective) / lang.scale("money"), 1))
        rows.append(cells)
    numeric = [False] + [True] * len(params) + ([False] if "status" in table.columns else []) + [True]
    widths = [max([display_width(h)] + [display_width(row[i]) for row in rows]) for i, h in enumerate(heads)]
    lines = ["  ".join(pad(h, w, right=n) for h, w, n in zip(heads, widths, numeric))]
    lines += ["  ".join(pad(c, w, right=n) for c, w, n in zip(row, widths, numeric)) for row in rows]
    if folder is not None:
        lines.append(lang("score.results", folder=str(folder)))
    return "\n".join(lines)


def format_plan_table(table: pd.DataFrame, file: Path | None, lang: Lang | None = None) -> str:
    """A sweep's plan as aligned text: variant id, the labels (sample, oat side) and every swept value as typed.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`energy_model.sweep.plan.plan_table` (index: variant id; ``param.<path>`` in user units).
    file : pathlib.Path or None
        The plan file written, named on the last line with the number of variants.
    lang : Lang, optional
        Language of the numbers and the last line (default English).
    """
    lang = lang or Lang("en")
    cols = [str(c) for c in table.columns]
    heads = ["variant", *(c.removeprefix("param.") for c in cols)]
    rows = [[str(variant)] + [_value(r[c], lang) for c in cols] for variant, r in table.iterrows()]
    numeric = [False] + [c.startswith("param.") or c == "sample" for c in cols]
    widths = [max([display_width(h)] + [display_width(row[i]) for row in rows]) for i, h in enumerate(heads)]
    lines = ["  ".join(pad(h, w, right=n) for h, w, n in zip(heads, widths, numeric))]
    lines += ["  ".join(pad(c, w, right=n) for c, w, n in zip(row, widths, numeric)) for row in rows]
    if file is not None:
        lines.append(lang("sweep.plan.written", count=lang.num(len(table)), file=str(file)))
    return "\n".join(lines)


def _value(value: object, lang: Lang) -> str:
    number = pd.to_numeric(value, errors="coerce")
    if pd.isna(number):
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return value_text(float(number), lang)
