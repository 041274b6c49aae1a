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

The numbers are computed by pure functions that the tests check one by one:
:func:`parameters`, :func:`influence`, :func:`heatmap_data`, :func:`tornado_data`,
:func:`target_summary`, :func:`capacity_summary` and :func:`verification_data`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from matplotlib.ticker import FuncFormatter

from energy_model import vocabulary as n
from energy_model.output.aggregation_text import annual_label
from energy_model.output.charts.style import COLOURS, CYCLE, chart_style, new_figure, text_width_in, to_svg
from energy_model.output.glossary import localized, names_from_meta, parameter_words, unit_of
from energy_model.output.i18n import LANGS, Lang
from energy_model.output.run_folder import write_atomic
from energy_model.output.sensitivity_chart import sensitivity_context

_ENV = Environment(loader=PackageLoader("energy_model.output", "templates"), autoescape=True,
                   undefined=StrictUndefined)

#: Column of the objective [CNY/yr].
OBJECTIVE = "objective_cny_per_yr"
#: Status of a variant solved to a proven optimum; every other status is a failure.
OPTIMAL = "optimal"
#: A target binds in a variant when its shadow price exceeds this, in the target's own unit
#: (CNY/MWh, CNY/kW/yr, CNY/t): the engine's own threshold (``engine.extract.BINDING_PRICE``).
BINDING_TOL = 1e-6
#: Most scatter panels drawn (the parameters that move the objective most first).
MAX_PANELS = 12
#: Most failed variants listed by id in the page (the rest are counted; sweep.csv has them all).
MAX_FAILED_LISTED = 50
#: Largest heatmap whose cells are labelled with their value (beyond it the colours and the colour bar tell).
MAX_LABELLED_CELLS = 200
#: Points of a scatter panel beyond which its dots are drawn as an embedded image (axes and text stay vector):
#: 10,000 variants as vector dots made a 17.5 MB page.
RASTER_POINTS = 2_000
#: Matplotlib settings of the sweep charts on top of the report's: no math text in labels from the data; dots drawn
#: as an image at 192 dpi (sharp on high-density screens).
_RC: Any = {"text.parse_math": False, "savefig.dpi": 192}


# -- numbers ----------------------------------------------------------------------------------------------------


#: Capacity differences below this [MW] count as none in the verification table.
SAME_CAPACITY_MW = 0.5

def parameters(table: pd.DataFrame, meta: dict[str, Any]) -> list[str]:
    """The swept parameter paths: those ``meta["parameters"]`` lists first, then any other ``param.`` column."""
    listed = [str(p) for p in meta.get("parameters") or [] if f"param.{p}" in table.columns]
    found = [str(c).removeprefix("param.") for c in table.columns if str(c).startswith("param.")]
    return listed + [p for p in found if p not in listed]


def _status(table: pd.DataFrame) -> pd.Series:
    if "status" not in table.columns:
        raise ValueError("the sweep table has no 'status' column")
    return table["status"].astype(str)


def _num(table: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats (NaN where missing or not a number)."""
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype=float)
    return pd.to_numeric(table[column], errors="coerce").astype(float)


def optimal(table: pd.DataFrame) -> pd.DataFrame:
    """The variants solved to a proven optimum that have an objective."""
    return table[(_status(table) == OPTIMAL) & _num(table, OBJECTIVE).notna()]


def dimensions(table: pd.DataFrame, meta: dict[str, Any]) -> list[list[str]]:
    """The sweep's independent dimensions: each a paired group of paths that move together, or one path.

    Taken from ``meta["dimensions"]`` when given (the sweep's own
    ``SweepSpec.dimensions()``); otherwise found in the table: in a grid two
    paths are paired when their values map one to one, one at a time when
    they leave the base in the same variants, in sampled modes when they are
    exactly collinear. ``list`` mode moves every path together by
    construction, so each path is its own dimension there.
    """
    params = parameters(table, meta)
    given = meta.get("dimensions")
    if given:
        listed = [[str(p) for p in d if str(p) in params] for d in given]
        listed = [d for d in listed if d]
        known = {p for d in listed for p in d}
        return listed + [[p] for p in params if p not in known]
    mode = str(meta.get("mode", ""))
    values = {p: _num(table, f"param.{p}").to_numpy() for p in params}
    varying = {p for p in params if np.unique(values[p][np.isfinite(values[p])]).size > 1}

    def paired(a: str, b: str) -> bool:
        if mode == "list" or a not in varying or b not in varying:
            return False
        if mode == "grid":
            pairs = pd.DataFrame({"a": values[a], "b": values[b]}).drop_duplicates()
            return bool(pairs["a"].is_unique and pairs["b"].is_unique)
        if mode == "oat" and "oat_parameter" in table.columns:
            who = table["oat_parameter"].astype(str).to_numpy()
            base = table["oat_side"].astype(str).to_numpy() == "base"
            if not base.any():
                return False
            moved_b = ~np.isclose(values[b], values[b][base][0], rtol=1e-12, atol=0.0)
            return bool(moved_b.any() and (who[moved_b] == a).all())
        if len(values[a]) < 3:
            return False
        return bool(abs(np.corrcoef(values[a], values[b])[0, 1]) > 1 - 1e-9)

    dims: list[list[str]] = []
    placed: set[str] = set()
    for p in params:
        if p not in placed:
            group = [p] + [q for q in params if q not in placed and q != p and paired(p, q)]
            dims.append(group)
            placed.update(group)
    return dims


def influence(table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """How much each parameter moves the objective [CNY/yr], largest first.

    The effect is found per dimension (:func:`dimensions`; the paths of a paired
    group share it) and depends on the sweep's mode:

    * ``oat``: the swing of the tornado chart (span of the objective over the
      base, low and high variants of that dimension);
    * ``grid``: the span of the dimension's main effect, from an additive
      least-squares fit (one term per value of each dimension), so a failed
      variant does not bias the other values' averages;
    * sampled modes: a linear least-squares fit of the objective on every
      varying dimension, effect = |slope| x the sampled range (``attrs["r2"]``
      is the fit's R²). When the dimensions cannot be told apart (``list``
      mode, where they move together, or fewer variants than dimensions + 2)
      each is fitted alone and ``attrs["method"]`` is ``"separate"``.

    Returns
    -------
    pandas.DataFrame
        Index: parameter; columns ``effect_cny_per_yr``, ``low`` and ``high`` (smallest and
        largest value swept, user units) and ``dimension`` (the first path of its paired group,
        itself when unpaired). ``attrs``: ``method`` (oat, grid, linear, separate) and ``r2``
        (linear only).
    """
    params = parameters(table, meta)
    dims = dimensions(table, meta)
    leaders = [d[0] for d in dims]
    leader_of = {p: d[0] for d in dims for p in d}
    ok = optimal(table)
    y = _num(ok, OBJECTIVE).to_numpy()
    lows = {p: float(_num(table, f"param.{p}").min()) for p in params}
    highs = {p: float(_num(table, f"param.{p}").max()) for p in params}
    mode = str(meta.get("mode", ""))
    effect: dict[str, float] = {}
    attrs: dict[str, Any] = {}
    tornado = tornado_data(table, meta) if mode == "oat" else None
    if tornado is not None:
        attrs["method"] = "oat"
        effect = {p: float(tornado["swing"].get(p, np.nan)) for p in leaders}
    elif mode == "grid":
        attrs["method"] = "grid"
        effect = _main_effects(ok, leaders, y)
    else:
        x = np.column_stack([_num(ok, f"param.{p}").to_numpy() for p in leaders]) if leaders else \
            np.zeros((len(ok), 0))
        spans = np.ptp(x, axis=0) if len(ok) else np.zeros(len(leaders))
        varying = [i for i, s in enumerate(spans) if s > 0]
        design = np.column_stack([np.ones(len(ok)), x[:, varying]])
        separable = mode != "list" and len(ok) >= len(varying) + 2 and \
            np.linalg.matrix_rank(design) == design.shape[1]
        if separable and varying:
            beta = np.linalg.lstsq(design, y, rcond=None)[0]
            ss_tot = float(((y - y.mean()) ** 2).sum())
            ss_res = float(((y - design @ beta) ** 2).sum())
            attrs.update(method="linear", r2=1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0)
            for i, p in enumerate(leaders):
                effect[p] = abs(float(beta[1 + varying.index(i)])) * float(spans[i]) if i in varying else 0.0
        else:
            attrs["method"] = "separate"
            for i, p in enumerate(leaders):
                if i in varying and len(ok) >= 2:
                    slope = np.polyfit(x[:, i], y, 1)[0]
                    effect[p] = abs(float(slope)) * float(spans[i])
                else:
                    effect[p] = 0.0 if len(ok) else math.nan
    frame = pd.DataFrame({"effect_cny_per_yr": pd.Series({p: effect.get(leader_of[p], math.nan) for p in params},
                                                         dtype=float),
                          "low": pd.Series(lows), "high": pd.Series(highs),
                          "dimension": pd.Series(leader_of)}, index=pd.Index(params, name="parameter"))
    frame = frame.sort_values("effect_cny_per_yr", ascending=False, na_position="last", kind="stable")
    frame.attrs.update(attrs)
    return frame


def _main_effects(ok: pd.DataFrame, params: list[str], y: np.ndarray) -> dict[str, float]:
    """Span of each parameter's main effect on the objective in a grid [CNY/yr].

    An additive model (one coefficient per value of each parameter) fitted by
    least squares: on a complete grid each coefficient is the mean objective at
    that value minus the overall mean; with failed variants (a grid with holes)
    the fit is not biased by which cells are missing, as plain means would be.
    Falls back to plain means when the holes leave the model unidentified.
    """
    levels = {p: np.unique(_num(ok, f"param.{p}").to_numpy()) for p in params}
    columns = [np.ones(len(ok))]
    owner: list[tuple[str, float]] = []
    for p in params:
        x = _num(ok, f"param.{p}").to_numpy()
        for v in levels[p][1:]:
            columns.append((x == v).astype(float))
            owner.append((p, float(v)))
    design = np.column_stack(columns)
    effect: dict[str, float] = {}
    if len(ok) and np.linalg.matrix_rank(design) == design.shape[1]:
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        for p in params:
            coef = [0.0] + [float(b) for (q, _), b in zip(owner, beta[1:]) if q == p]
            effect[p] = max(coef) - min(coef)
        return effect
    for p in params:
        means = ok.groupby(_num(ok, f"param.{p}"))[OBJECTIVE].mean()
        effect[p] = float(means.max() - means.min()) if len(means) else math.nan
    return effect


@dataclass
class Heatmap:
    """The objective over the first two parameters of a grid.

    Attributes
    ----------
    x, y : str
        Parameter on the horizontal and on the vertical axis (the first path of the first and of
        the second dimension).
    values : pandas.DataFrame
        Objective [CNY/yr]; index: values of ``y`` (ascending), columns: values of ``x``
        (ascending); NaN where the variant failed or does not exist.
    failed : pandas.DataFrame
        True where the variant exists but failed.
    fixed : dict
        The first path of every other dimension and the value it is held at (its first value).
    """

    x: str
    y: str
    values: pd.DataFrame
    failed: pd.DataFrame
    fixed: dict[str, float]


def heatmap_data(table: pd.DataFrame, meta: dict[str, Any]) -> Heatmap | None:
    """The heatmap of a grid sweep with at least two parameters (None otherwise).

    Its axes are the first two dimensions (:func:`dimensions`; the first path
    of a paired group stands for it). Further dimensions are held at their
    first value (the value in the table's first row, which is the first value
    of the sweep file in grid order).
    """
    dims = dimensions(table, meta)
    if str(meta.get("mode", "")) != "grid" or len(dims) < 2 or table.empty:
        return None
    x, y = dims[0][0], dims[1][0]
    fixed = {d[0]: float(_num(table, f"param.{d[0]}").iloc[0]) for d in dims[2:]}
    keep = np.ones(len(table), dtype=bool)
    for p, v in fixed.items():
        keep &= np.isclose(_num(table, f"param.{p}").to_numpy(), v, rtol=1e-12, atol=0.0)
    sel = table[keep]
    ok = _status(sel) == OPTIMAL
    frame = pd.DataFrame({"x": _num(sel, f"param.{x}"), "y": _num(sel, f"param.{y}"),
                          "objective": _num(sel, OBJECTIVE).where(ok), "failed": ~ok})
    groups = frame.groupby(["y", "x"])
    values = groups["objective"].first().unstack("x").sort_index().sort_index(axis=1)
    failed = groups["failed"].all().unstack("x").reindex_like(values).fillna(False).astype(bool)
    return Heatmap(x, y, values, failed, fixed)


def tornado_data(table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame | None:
    """Objective change from the base variant for each dimension's low and high end, largest swing first.

    Needs the columns ``oat_parameter`` (first path of the moved dimension) and
    ``oat_side`` (base, low, high); None without them.

    Returns
    -------
    pandas.DataFrame
        Index: parameter (first path of each dimension). Columns: ``paired`` (the other paths
        that moved with it), ``base_value``, ``low_value``, ``high_value`` (user units),
        ``low_delta``, ``high_delta`` (objective minus the base objective [CNY/yr]; NaN when
        that variant failed or is missing), ``low_failed``, ``high_failed`` and ``swing``
        (span of the objective over base, low and high [CNY/yr]). ``attrs["base_objective"]``
        is the base objective (NaN when the base variant failed).
    """
    if "oat_side" not in table.columns or "oat_parameter" not in table.columns:
        return None
    dims = dimensions(table, meta)
    side = table["oat_side"].astype(str)
    who = table["oat_parameter"].astype(str)
    ok = (_status(table) == OPTIMAL).to_numpy()
    obj = _num(table, OBJECTIVE).where(ok)
    base_rows = obj[side == "base"].dropna()
    base_obj = float(base_rows.iloc[0]) if len(base_rows) else math.nan
    base_values = meta.get("base") or {}
    rows = []
    for d in dims:
        p = d[0]
        rec: dict[str, Any] = {"parameter": p, "paired": list(d[1:])}
        base_row = table[side == "base"]
        rec["base_value"] = float(base_values[p]) if p in base_values else \
            (float(_num(base_row, f"param.{p}").iloc[0]) if len(base_row) else math.nan)
        for s in ("low", "high"):
            pick = (who == p) & (side == s)
            rec[f"{s}_value"] = float(_num(table[pick], f"param.{p}").iloc[0]) if pick.any() else math.nan
            rec[f"{s}_delta"] = float(obj[pick].iloc[0]) - base_obj if pick.any() else math.nan
            rec[f"{s}_failed"] = bool(pick.any() and not ok[pick.to_numpy()].all())
        deltas = [d for d in (rec["low_delta"], rec["high_delta"]) if not math.isnan(d)]
        rec["swing"] = max([0.0, *deltas]) - min([0.0, *deltas]) if deltas else math.nan
        rows.append(rec)
    frame = pd.DataFrame(rows, columns=["parameter", "paired", "base_value", "low_value", "high_value", "low_delta",
                                        "high_delta", "low_failed", "high_failed", "swing"]).set_index("parameter")
    frame = frame.sort_values("swing", ascending=False, na_position="last", kind="stable")
    frame.attrs["base_objective"] = base_obj
    return frame


def target_keys(table: pd.DataFrame) -> list[str]:
    """Targets with a shadow-price column, in table order."""
    return [str(c).removeprefix("target_shadow_price.") for c in table.columns
            if str(c).startswith("target_shadow_price.")]


def target_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per target: in how many optimal variants it binds and its shadow price (target's own unit).

    A target binds when ``|shadow price| >`` :data:`BINDING_TOL`.

    Returns
    -------
    pandas.DataFrame
        Index: target. Columns ``variants`` (optimal variants with a price), ``binding``
        (how many bind), ``share`` (binding / variants [-]), ``price_min``, ``price_median``,
        ``price_max`` (over those variants), ``value_min``, ``value_max`` (achieved value).
    """
    ok = optimal(table)
    rows = []
    for k in target_keys(table):
        price = _num(ok, f"target_shadow_price.{k}").dropna()
        value = _num(ok, f"target_value.{k}").dropna()
        binding = int((price.abs() > BINDING_TOL).sum())
        rows.append({"target": k, "variants": len(price), "binding": binding,
                     "share": binding / len(price) if len(price) else math.nan,
                     "price_min": float(price.min()) if len(price) else math.nan,
                     "price_median": float(price.median()) if len(price) else math.nan,
                     "price_max": float(price.max()) if len(price) else math.nan,
                     "value_min": float(value.min()) if len(value) else math.nan,
                     "value_max": float(value.max()) if len(value) else math.nan})
    columns = ["target", "variants", "binding", "share", "price_min", "price_median", "price_max", "value_min",
               "value_max"]
    return pd.DataFrame(rows, columns=columns).set_index("target")


def capacity_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per technology: min, median and max capacity over the optimal variants [MW]."""
    ok = optimal(table)
    rows = []
    for c in table.columns:
        if str(c).startswith("capacity_mw."):
            v = _num(ok, str(c)).dropna()
            rows.append({"technology": str(c).removeprefix("capacity_mw."),
                         "min": float(v.min()) if len(v) else math.nan,
                         "median": float(v.median()) if len(v) else math.nan,
                         "max": float(v.max()) if len(v) else math.nan})
    return pd.DataFrame(rows, columns=["technology", "min", "median", "max"]).set_index("technology")


def _truthy(values: pd.Series) -> pd.Series:
    """A verified flag as booleans (True, 1 or the text 'true' as read back from a CSV)."""
    return values.map(lambda v: v is True or (isinstance(v, (int, float, np.integer, np.floating)) and v == 1)
                      or str(v).strip().lower() in ("true", "1", "1.0"))


def _largest(frame: pd.DataFrame) -> pd.Series:
    """Per column, the value of largest magnitude with its sign (NaN for a column of NaN)."""
    return pd.Series({c: (float(col.loc[col.abs().idxmax()]) if col.notna().any() else math.nan)
                      for c, col in frame.items()}, dtype=float)


def verification_data(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Aggregated against full-year results of the verified variants (None when none is verified).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per verified variant (aggregated solve optimal): ``aggregated`` and ``full`` objective
        [CNY/yr], ``full_status`` (status of the full-year solve; ``full`` and the errors are NaN
        unless it is optimal), ``error`` (relative, (aggregated − full) / |full| [-]), and the technology with the largest capacity error
        (``worst_technology``, ``worst_error_mw`` [MW], ``worst_error`` relative [-]); with the annual
        figures' errors in the table (CO2, imports, exports, curtailment, fuels): ``annual_worst`` (the
        figure of the largest, ``annual_max_error_quantity``), ``annual_worst_error`` [-] and
        ``annual_flagged`` (the figures above 3 %, ``;``-joined).
        Per technology: ``largest_error_mw`` (the error of largest magnitude over the variants, with its
        sign), ``mean_error_mw`` [MW] and ``largest_error`` (the relative error of largest magnitude, with
        its sign, relative to the full-year capacity, technologies above 1 MW) [-]. A capacity the
        aggregated solve builds 2.84 % too small is −2.84 %, never +2.84 %.
    """
    if "verified" not in table.columns or f"full.{OBJECTIVE}" not in table.columns:
        return None
    sel = optimal(table)
    sel = sel[_truthy(sel["verified"])]
    if sel.empty:
        return None
    status = sel["full.status"].astype(str) if "full.status" in sel.columns else \
        pd.Series(OPTIMAL, index=sel.index).where(_num(sel, f"full.{OBJECTIVE}").notna(), "missing")
    good = (status == OPTIMAL) & _num(sel, f"full.{OBJECTIVE}").notna()
    agg = _num(sel, OBJECTIVE)
    full = _num(sel, f"full.{OBJECTIVE}").where(good)
    techs = [str(c).removeprefix("capacity_mw.") for c in table.columns
             if str(c).startswith("capacity_mw.") and f"full.{c}" in table.columns]
    full_cap = pd.DataFrame({t: _num(sel, f"full.capacity_mw.{t}").where(good) for t in techs}, index=sel.index)
    err_mw = pd.DataFrame({t: _num(sel, f"capacity_mw.{t}") for t in techs}, index=sel.index) - full_cap
    rel = (err_mw / full_cap.abs()).where(full_cap.abs() > 1.0)
    per_variant = pd.DataFrame({"aggregated": agg, "full": full, "error": (agg - full) / full.abs(),
                                "full_status": status})
    if techs:
        largest = err_mw.abs().max(axis=1)
        # no technology is named when every capacity agrees (below half a MW): naming one would mislead
        worst = err_mw.abs().fillna(-1.0).idxmax(axis=1).where(good & (largest >= SAME_CAPACITY_MW), "")
        per_variant["worst_technology"] = worst
        per_variant["worst_error_mw"] = [float(err_mw.at[v, t]) if t else (0.0 if good[v] else math.nan)
                                         for v, t in worst.items()]
        per_variant["worst_error"] = [float(rel.at[v, t]) if t else (0.0 if good[v] else math.nan)
                                      for v, t in worst.items()]
    if "annual_max_error_quantity" in sel.columns:
        per_variant["annual_worst"] = sel["annual_max_error_quantity"].fillna("").astype(str).where(good, "")
        per_variant["annual_worst_error"] = _num(sel, "annual_max_rel_error").where(good)
        per_variant["annual_flagged"] = sel["annual_flagged"].fillna("").astype(str).where(good, "") \
            if "annual_flagged" in sel.columns else ""
    per_tech = pd.DataFrame({"largest_error_mw": _largest(err_mw), "mean_error_mw": err_mw.mean(),
                             "largest_error": _largest(rel)}, index=pd.Index(techs, name="technology"))
    return per_variant, per_tech


# -- text -------------------------------------------------------------------------------------------------------


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


def _target_value(meta: dict[str, Any], target: str, value: float, lang: Lang) -> str:
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


def _money(value: float, lang: Lang) -> str:
    return lang.q("money", value, per="yr")


def _signed_money(value: float, lang: Lang) -> str:
    text = _money(value, lang)
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
    title = lang("sweep.chart.heatmap")
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
        bar.set_label(lang("sweep.axis.objective"))
        _value_axis(bar.ax.yaxis, lang)
        ax.set_title(title, loc="left")
        return to_svg(fig, f"sweep-heatmap-{lang.code}", title)


def tornado_chart(tor: pd.DataFrame, meta: dict[str, Any], lang: Lang) -> str:
    """Horizontal bars: objective change from the base for each parameter's low and high value, widest on top."""
    title = lang("sweep.chart.tornado")
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
        ax.set_xlabel(lang("sweep.axis.delta"))
        ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=9.5)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2)
        return to_svg(fig, f"sweep-tornado-{lang.code}", title)


def _panels(count: int) -> tuple[int, int]:
    cols = 1 if count == 1 else 2 if count in (2, 4) else 3
    return math.ceil(count / cols), cols


def scatter_chart(table: pd.DataFrame, params: list[str], meta: dict[str, Any], lang: Lang) -> str:
    """The objective of each variant against each parameter, one panel per parameter; failed variants marked."""
    title = lang("sweep.chart.scatter")
    scale = lang.scale("money")
    ok = (_status(table) == OPTIMAL) & _num(table, OBJECTIVE).notna()
    rows, cols = _panels(len(params))
    with chart_style(), matplotlib.rc_context(_RC):
        fig = new_figure(0.55 + 2.3 * rows, left_in=0.8, top_in=0.6, bottom_in=0.6, wspace=0.35, hspace=0.7)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for i, (ax, p) in enumerate(zip(axes, params)):
            x = _num(table, f"param.{p}")
            ax.scatter(x[ok], _num(table, OBJECTIVE)[ok] / scale, s=12, color=COLOURS["with"], alpha=0.75,
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
                ax.set_ylabel(lang("sweep.axis.objective"))
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
        x = _num(ok, f"param.{param}")
        for i, (ax, k) in enumerate(zip(axes, targets)):
            price = _num(ok, f"target_shadow_price.{k}")
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


# -- page -------------------------------------------------------------------------------------------------------


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
    return _Facts(parameters(table, meta), dimensions(table, meta), _status(table), optimal(table), influence(table, meta),
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
        obj = _num(f.ok, OBJECTIVE)
        out.append(lang("sweep.summary.range", low=_money(float(obj.min()), lang), low_id=str(obj.idxmin()),
                        high=_money(float(obj.max()), lang), high_id=str(obj.idxmax()),
                        span=_money(float(obj.max() - obj.min()), lang)))
        co2 = _num(f.ok, "co2_t_per_yr").dropna()
        if len(co2):
            out.append(lang("sweep.summary.co2", low=lang.q("mass", float(co2.min()), per="yr"),
                            high=lang.q("mass", float(co2.max()), per="yr")))
    else:
        out.append(lang("sweep.summary.none_optimal"))
    solve = _num(table, "solve_s").dropna()
    if len(solve):
        out.append(lang("sweep.summary.solve", total=lang.num(float(solve.sum()), 1),
                        median=lang.num(float(solve.median()), 1)))
    eff = f.influence["effect_cny_per_yr"].dropna()
    method = f.influence.attrs.get("method", "")
    if len(f.params) > 1 and method == "separate" and meta.get("mode") == "list":
        out.append(lang("sweep.summary.list_together"))
    elif len(eff) and len(f.ok):
        top = str(eff.index[0])
        out.append(lang(f"sweep.summary.top.{method}", param=_dim_text(top, f, lang, meta), effect=_money(float(eff.iloc[0]), lang),
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
                     "effect": _money(float(eff), lang) if math.isfinite(eff) else lang.num(None)})
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
        heat_note = lang("sweep.caption.heatmap", x=_dim_text(f.heatmap.x, f, lang, meta),
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
                                 _signed_money(r["low_delta"], lang),
                                 "high_delta": lang("sweep.failed_cell") if r["high_failed"] else
                                 _signed_money(r["high_delta"], lang),
                                 "swing": _money(r["swing"], lang)})
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
        verify = {"variants": [{"id": str(v), "aggregated": _money(r["aggregated"], lang),
                                "full": _money(r["full"], lang) if r["full_status"] == OPTIMAL else
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
            "params": _param_rows(f, meta, lang), "failed": _failed_rows(table, f.status),
            "failed_more": max(0, int((f.status != OPTIMAL).sum()) - MAX_FAILED_LISTED),
            "heat_note": heat_note, "tornado": tornado_rows, "targets": target_rows, "top": top,
            "prices_caption": lang("sweep.caption.prices_list" if together else "sweep.caption.prices",
                                   param=param_words(top, meta, lang) if top else ""),
            "capacities": capacity_rows, "verify": verify,
            "mode": lang.get(f"sweep.mode.{mode}", mode), "tol": f"{BINDING_TOL:g}",
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
    first, last = _target_value(meta, target, low, lang), _target_value(meta, target, high, lang)
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
        units) and ``tech_names`` (technology -> {"zh": ..., "en": ...}).

    Raises
    ------
    ValueError
        When the table has no ``status`` column.
    """
    if OBJECTIVE not in table.columns:  # every variant failed: no solved numbers, but the page still lists them
        table = table.assign(**{OBJECTIVE: np.nan})
    facts = _facts(table, meta)
    langs = [_language_context(code, facts, table, meta) for code in LANGS]
    return _ENV.get_template("sweep_report.html").render(meta=meta, langs=langs, name=str(meta.get("name", "")),
                                                         scenario=str(meta.get("scenario", "")))


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
