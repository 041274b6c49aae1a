"""Render the sweep report: one self-contained HTML page (zh/en) on how a sweep's variants differ.

:func:`write_sweep_report` writes ``sweep.html`` from the sweep table (one row
per variant) and the sweep's description; :func:`sweep_report_html` returns the
page. The page has the run report's look, language switch and chart style:
a summary (variants, failures with their messages, objective range, the
parameter that moves the objective most), a heatmap of the objective over the
first two parameters of a grid, a tornado chart for one-at-a-time sweeps,
scatter plots of the objective against each parameter for sampled sweeps,
where each target binds and what its shadow price is, the range of every
technology's capacity and, when variants were re-solved on the full year, the
error of the aggregated solve.

Only variants with status ``optimal`` (a proven optimum) enter a number;
failed variants are counted, listed and marked on the charts. Every text taken
from the data (ids, messages, parameter paths) is escaped: Jinja2 autoescapes
the page and matplotlib escapes the text of its SVGs. Math text is off in the
charts, so a ``$`` in a label is drawn as it is.

The numbers are computed by the pure functions of
:mod:`energy_model.output.sweep_numbers`, the charts and the words on them by
:mod:`energy_model.output.sweep_charts`; this module builds the page.
"""


from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from energy_model.engine.measures import BINDING_PRICE
from energy_model.output.aggregation_text import annual_label
from energy_model.output.i18n import LANGS, Lang
from energy_model.output.run_folder import write_atomic
from energy_model.output.sensitivity_chart import sensitivity_context
from energy_model.output.sweep_charts import (
    MAX_PANELS,
    heatmap_chart,
    metric,
    money,
    param_unit,
    param_words,
    price_unit,
    scatter_chart,
    shadow_price_chart,
    signed_money,
    target_value_text,
    target_words,
    tornado_chart,
    value_text,
)
from energy_model.output.sweep_numbers import (
    OBJECTIVE,
    OPTIMAL,
    Heatmap,
    capacity_summary,
    dimensions,
    heatmap_data,
    influence,
    numeric,
    optimal,
    parameters,
    statuses,
    target_summary,
    tornado_data,
    verification_data,
)

_ENV = Environment(loader=PackageLoader("energy_model.output", "templates"), autoescape=True,
                   undefined=StrictUndefined)
#: Most failed variants listed by id in the page (the rest are counted; sweep.csv has them all).
MAX_FAILED_LISTED = 50


@dataclass
class _Facts:
    """Everything the page shows, computed once for both languages."""

    params: list[str]
    dims: list[list[str]]
    status: pd.Series
    ok: pd.DataFrame
    influence: pd.DataFrame
    heatmap: Heatmap | None
    tornado: pd.DataFrame | None
    targets: pd.DataFrame
    capacities: pd.DataFrame
    verification: tuple[pd.DataFrame, pd.DataFrame] | None


def _facts(table: pd.DataFrame, meta: dict[str, Any]) -> _Facts:
    return _Facts(parameters(table, meta), dimensions(table, meta), statuses(table), optimal(table), influence(table, meta),
                  heatmap_data(table, meta), tornado_data(table, meta) if meta.get("mode") == "oat" else None,
                  target_summary(table), capacity_summary(table), verification_data(table))


def _dim_text(path: str, f: _Facts, lang: Lang, meta: dict[str, Any]) -> str:
    """A parameter in words, followed by the parameters paired with it (they move together) if any."""
    others = [param_words(q, meta, lang) for d in f.dims if path in d for q in d if q != path]
    words = param_words(path, meta, lang)
    return lang("sweep.paired", param=words, others=lang("common.list_sep").join(others)) if others else words


def _summary(f: _Facts, table: pd.DataFrame, meta: dict[str, Any], lang: Lang) -> list[str]:
    """Sentences of the summary."""
    out = [lang("sweep.summary.variants", total=lang.num(len(table)), ok=lang.num(len(f.ok)),
                failed=lang.num(len(table) - len(f.ok)), mode=lang.get(f"sweep.mode.{meta.get('mode')}",
                                                                          str(meta.get("mode", ""))))]
    if len(f.ok):
        obj = numeric(f.ok, OBJECTIVE)
        out.append(lang("sweep.summary.range" + metric(meta), low=money(float(obj.min()), lang, meta), low_id=str(obj.idxmin()),
                        high=money(float(obj.max()), lang, meta), high_id=str(obj.idxmax()),
                        span=money(float(obj.max() - obj.min()), lang, meta)))
        co2 = numeric(f.ok, "co2_t_per_yr").dropna()
        if len(co2):
            out.append(lang("sweep.summary.co2", low=lang.q("mass", float(co2.min()), per="yr"),
                            high=lang.q("mass", float(co2.max()), per="yr")))
    else:
        out.append(lang("sweep.summary.none_optimal"))
    if metric(meta):
        periods = [str(p) for p in meta.get("periods") or []]
        out.insert(1, lang("sweep.summary.pathway", periods=("、" if lang.code == "zh" else ", ").join(periods),
                           last=periods[-1]))
    solve = numeric(table, "solve_s").dropna()
    if len(solve):
        out.append(lang("sweep.summary.solve", total=lang.num(float(solve.sum()), 1),
                        median=lang.num(float(solve.median()), 1)))
    eff = f.influence["effect_cny_per_yr"].dropna()
    method = f.influence.attrs.get("method", "")
    if len(f.params) > 1 and method == "separate" and meta.get("mode") == "list":
        out.append(lang("sweep.summary.list_together"))
    elif len(eff) and len(f.ok):
        top = str(eff.index[0])
        out.append(lang(f"sweep.summary.top.{method}", param=_dim_text(top, f, lang, meta), effect=money(float(eff.iloc[0]), lang, meta),
                        low=value_text(f.influence.at[top, "low"], lang),
                        high=value_text(f.influence.at[top, "high"], lang),
                        unit=param_unit(top, meta, lang)))
        if method == "linear":
            out.append(lang("sweep.summary.r2", r2=lang.num(float(f.influence.attrs["r2"]), 2)))
    return out


def _param_rows(f: _Facts, meta: dict[str, Any], lang: Lang) -> list[dict[str, str]]:
    base = meta.get("base") or {}
    rows = []
    for p in f.params:
        eff = f.influence["effect_cny_per_yr"].get(p, math.nan)
        rows.append({"path": _dim_text(p, f, lang, meta), "key": p, "unit": param_unit(p, meta, lang),
                     "base": value_text(base[p], lang) if p in base else "",
                     "low": value_text(f.influence.at[p, "low"], lang),
                     "high": value_text(f.influence.at[p, "high"], lang),
                     "effect": money(float(eff), lang, meta) if math.isfinite(eff) else lang.num(None)})
    return rows


def _failed_rows(table: pd.DataFrame, status: pd.Series) -> list[dict[str, str]]:
    bad = table[status != OPTIMAL]
    messages = bad["message"] if "message" in bad.columns else pd.Series("", index=bad.index)
    return [{"id": str(v), "status": str(s), "message": "" if pd.isna(m) else str(m)}
            for v, s, m in zip(bad.index, status[bad.index], messages)][:MAX_FAILED_LISTED]


def _language_context(code: str, f: _Facts, table: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    lang = Lang(code)
    charts = {k: Markup("") for k in ("heatmap", "tornado", "scatter", "prices")}
    mode = str(meta.get("mode", ""))
    together = mode == "list" and f.influence.attrs.get("method") == "separate"
    leaders = [d[0] for d in f.dims]
    ranked = leaders if together else [str(p) for p in f.influence.index if p in leaders]
    if f.heatmap is not None and f.heatmap.values.size:
        charts["heatmap"] = Markup(heatmap_chart(f.heatmap, meta, lang))
    if f.tornado is not None and f.tornado["swing"].notna().any():
        charts["tornado"] = Markup(tornado_chart(f.tornado, meta, lang))
    if f.params and mode != "oat" and f.heatmap is None:
        charts["scatter"] = Markup(scatter_chart(table, ranked[:MAX_PANELS], meta, lang))
    top = ranked[0] if ranked else None
    keys = list(f.targets.index)
    if keys and top is not None and len(f.ok):
        sub = table
        if f.tornado is not None:  # one at a time: the base and the top parameter's own variants
            sub = table[(table["oat_side"].astype(str) == "base") | (table["oat_parameter"].astype(str) == top)]
        charts["prices"] = Markup(shadow_price_chart(sub, keys[:MAX_PANELS], top, meta, lang))
    heat_note = ""
    if f.heatmap is not None:
        fixed = lang("common.list_sep").join(f"{param_words(p, meta, lang)} = {value_text(v, lang)} "
                                             f"{param_unit(p, meta, lang)}".strip()
                                             for p, v in f.heatmap.fixed.items())
        heat_note = lang("sweep.caption.heatmap" + metric(meta), x=_dim_text(f.heatmap.x, f, lang, meta),
                         y=_dim_text(f.heatmap.y, f, lang, meta)) + \
            (" " + lang("sweep.caption.heatmap_failed") if f.heatmap.failed.to_numpy().any() else "") + \
            (" " + lang("sweep.caption.heatmap_fixed", fixed=fixed) if fixed else "")
    tornado_rows = []
    if f.tornado is not None:
        for p, r in f.tornado.iterrows():
            tornado_rows.append({"path": _dim_text(str(p), f, lang, meta), "key": str(p),
                                 "unit": param_unit(str(p), meta, lang),
                                 "base": value_text(r["base_value"], lang), "low": value_text(r["low_value"], lang),
                                 "high": value_text(r["high_value"], lang),
                                 "low_delta": lang("sweep.failed_cell") if r["low_failed"] else
                                 signed_money(r["low_delta"], lang, meta),
                                 "high_delta": lang("sweep.failed_cell") if r["high_failed"] else
                                 signed_money(r["high_delta"], lang, meta),
                                 "swing": money(r["swing"], lang, meta)})
    target_rows = []
    for k, r in f.targets.iterrows():
        unit = price_unit(meta, str(k), lang)
        target_rows.append({"key": str(k), "name": target_words(meta, str(k), lang), "share": lang.q("share", r["share"]),
                            "count": lang("sweep.targets.count", binding=lang.num(r["binding"]),
                                          variants=lang.num(r["variants"])),
                            "min": _price_text(r["price_min"], lang), "median": _price_text(r["price_median"], lang),
                            "max": _price_text(r["price_max"], lang), "unit": unit,
                            "achieved": _range_text(meta, str(k), r["value_min"], r["value_max"], lang)})
    names = meta.get("tech_names") or {}

    def tech(ident: str) -> str:
        return str((names.get(ident) or {}).get(code, ident)) if ident else ""

    capacity_rows = [{"key": str(t), "name": tech(str(t)), "min": lang.num(r["min"]),
                      "median": lang.num(r["median"]), "max": lang.num(r["max"])}
                     for t, r in f.capacities.iterrows()]
    verify: dict[str, Any] | None = None
    if f.verification is not None:
        per_variant, per_tech = f.verification
        verify = {"variants": [{"id": str(v), "aggregated": money(r["aggregated"], lang, meta),
                                "full": money(r["full"], lang, meta) if r["full_status"] == OPTIMAL else
                                lang("sweep.failed_cell") + f" ({r['full_status']})", "error": _pct(r["error"], lang),
                                "worst": tech(str(r.get("worst_technology", "") or "")) or "—",
                                "worst_mw": lang.num(r.get("worst_error_mw", math.nan), 1),
                                "worst_pct": _pct(r.get("worst_error", math.nan), lang),
                                **_annual_cells(r, meta, lang)}
                               for v, r in per_variant.iterrows()],
                  "annual": "annual_worst" in per_variant.columns,
                  "techs": [{"key": str(t), "name": tech(str(t)), "max_mw": _signed(r["largest_error_mw"], lang),
                             "mean_mw": _signed(r["mean_error_mw"], lang), "max_pct": _pct(r["largest_error"], lang)}
                            for t, r in per_tech.iterrows()]}
    return {"code": code, "html": lang.html, "t": lang, "charts": charts, "summary": _summary(f, table, meta, lang),
            "metric": metric(meta),
            "params": _param_rows(f, meta, lang), "failed": _failed_rows(table, f.status),
            "failed_more": max(0, int((f.status != OPTIMAL).sum()) - MAX_FAILED_LISTED),
            "heat_note": heat_note, "tornado": tornado_rows, "targets": target_rows, "top": top,
            "prices_caption": lang("sweep.caption.prices_list" if together else "sweep.caption.prices",
                                   param=param_words(top, meta, lang) if top else ""),
            "capacities": capacity_rows, "verify": verify,
            "mode": lang.get(f"sweep.mode.{mode}", mode), "tol": f"{BINDING_PRICE:g}",
            "sensitivity": sensitivity_context(meta, lang)}


def _annual_cells(row: pd.Series, meta: dict[str, Any], lang: Lang) -> dict[str, str]:
    """The verification table's cells on the annual figures: the largest error and the figures above 3 %."""
    fuels = meta.get("fuel_names") or {}

    def label(key: str) -> str:
        return annual_label(key, lambda f: str((fuels.get(f) or {}).get(lang.code) or f), lang)

    key = str(row.get("annual_worst", "") or "")
    over = [k for k in str(row.get("annual_flagged", "") or "").split(";") if k]
    return {"annual_worst": f"{label(key)} {_pct(row.get('annual_worst_error', math.nan), lang)}" if key else "—",
            "annual_flagged": lang("common.list_sep").join(label(k) for k in over) if over else "—"}


def _price_text(value: float, lang: Lang) -> str:
    """A shadow price: one decimal, or two significant digits below 0.05 (so a binding 2e-06 is not '0.0')."""
    if value is None or not math.isfinite(float(value)) or value == 0 or abs(value) >= 0.05:
        return lang.num(value, 1)
    return f"{float(value):.2g}"


def _range_text(meta: dict[str, Any], target: str, low: float, high: float, lang: Lang) -> str:
    """The achieved values of a target, 'low – high' (one value when they agree)."""
    if math.isnan(low):
        return ""
    first, last = target_value_text(meta, target, low, lang), target_value_text(meta, target, high, lang)
    return first if first == last else f"{first} – {last}"


def _signed(value: float, lang: Lang, decimals: int = 1) -> str:
    """A capacity error [MW] with its sign ('+40.0', '-12.5'; '0.0' without one)."""
    text = lang.num(value, decimals)
    return ("+" if value is not None and math.isfinite(float(value)) and value > 0 and text.strip("0.,")
            else "") + text


def _pct(value: float, lang: Lang) -> str:
    """A relative error as a signed percentage with two decimals."""
    if value is None or not math.isfinite(float(value)):
        return lang.num(None)
    text = lang.num(100 * float(value), 2)
    return ("+" if value > 0 and text.strip("0.,") else "") + text + (" %" if lang.code == "en" else "%")


def sweep_report_html(table: pd.DataFrame, meta: dict[str, Any]) -> str:
    """Return the sweep report (both languages in one self-contained page).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per variant (index: variant id): ``param.<path>`` (user units), ``status``,
        ``objective_cny_per_yr`` [CNY/yr], ``capacity_mw.<tech>`` [MW], ``cost_cny_per_yr.<c>``,
        ``target_value.<k>``, ``target_shadow_price.<k>`` (CNY/MWh, CNY/kW/yr or CNY/t by kind),
        ``co2_t_per_yr``; optional ``message``, ``oat_parameter``, ``oat_side`` (base, low,
        high), ``solve_s``, ``verified`` with ``full.<column>``.
    meta : dict
        ``name``, ``scenario``, ``mode`` (grid, list, random, lhs, sobol, oat), ``parameters``
        (paths), ``base`` (path -> base value), ``units`` (column -> unit); optional
        ``target_kinds`` (target -> min_share, min_capacity, max_emissions: bilingual price
        units) and ``tech_names`` (technology -> {"zh": ..., "en": ...}); ``periods`` (period
        years) for a pathway sweep: its headline is ``present_value_cny`` [CNY], and its
        capacities and targets are those of the last period (:func:`_pathway_view`).

    Raises
    ------
    ValueError
        When the table has no ``status`` column.
    """
    if meta.get("periods"):
        table = _pathway_view(table, meta)
    if OBJECTIVE not in table.columns:  # every variant failed: no solved numbers, but the page still lists them
        table = table.assign(**{OBJECTIVE: np.nan})
    facts = _facts(table, meta)
    langs = [_language_context(code, facts, table, meta) for code in LANGS]
    return _ENV.get_template("sweep_report.html").render(meta=meta, langs=langs, name=str(meta.get("name", "")),
                                                         scenario=str(meta.get("scenario", "")))


def _pathway_view(table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """A pathway sweep's table as the page reads it: ``present_value_cny`` [CNY] as the headline, the last period's
    ``capacity_mw.<g>``, ``target_value.<k>`` and ``target_shadow_price.<k>``; other per-period columns left out."""
    last = f".{meta['periods'][-1]}"
    per_period = {c for c in table.columns if re.search(r"\.\d{4}$", str(c)) and not str(c).startswith("param.")}
    out = table[[c for c in table.columns if c not in per_period]].copy()
    if "present_value_cny" in table.columns:
        out[OBJECTIVE] = table["present_value_cny"]
    for c in sorted(per_period):
        if c.endswith(last) and c.split(".")[0] in ("capacity_mw", "target_value", "target_shadow_price"):
            out[c.removesuffix(last)] = table[c]
    return out


def write_sweep_report(table: pd.DataFrame, meta: dict[str, Any], path: Path,
                       after: str = "nothing was published") -> None:
    """Write :func:`sweep_report_html` to ``path`` atomically (temporary file, then ``os.replace``).

    ``after`` says, in the message of a failed write, what the caller had written before.

    Raises
    ------
    OutputError
        When the file cannot be written (disk full, permission); ``path`` keeps its previous content.
    """
    text = sweep_report_html(table, meta)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(Path(path), write, after=after)
