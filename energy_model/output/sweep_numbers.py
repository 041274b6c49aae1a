"""The numbers of the sweep page, from the sweep table: parameters, influence, heatmap, tornado, targets, capacities.

Pure functions the tests check one by one: :func:`parameters`,
:func:`influence`, :func:`heatmap_data`, :func:`tornado_data`,
:func:`target_summary`, :func:`capacity_summary` and
:func:`verification_data`. Only variants with status ``optimal`` (a proven
optimum) enter a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from energy_model.engine.measures import binds

#: Column of the objective [CNY/yr].
OBJECTIVE = "objective_cny_per_yr"
#: Status of a variant solved to a proven optimum; every other status is a failure.
OPTIMAL = "optimal"
#: Capacity differences below this [MW] count as none in the verification table.
SAME_CAPACITY_MW = 0.5


def parameters(table: pd.DataFrame, meta: dict[str, Any]) -> list[str]:
    """The swept parameter paths: those ``meta["parameters"]`` lists first, then any other ``param.`` column."""
    listed = [str(p) for p in meta.get("parameters") or [] if f"param.{p}" in table.columns]
    found = [str(c).removeprefix("param.") for c in table.columns if str(c).startswith("param.")]
    return listed + [p for p in found if p not in listed]


def statuses(table: pd.DataFrame) -> pd.Series:
    if "status" not in table.columns:
        raise ValueError("the sweep table has no 'status' column")
    return table["status"].astype(str)


def numeric(table: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats (NaN where missing or not a number)."""
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype=float)
    return pd.to_numeric(table[column], errors="coerce").astype(float)


def optimal(table: pd.DataFrame) -> pd.DataFrame:
    """The variants solved to a proven optimum that have an objective."""
    return table[(statuses(table) == OPTIMAL) & numeric(table, OBJECTIVE).notna()]


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
    values = {p: numeric(table, f"param.{p}").to_numpy() for p in params}
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
    y = numeric(ok, OBJECTIVE).to_numpy()
    lows = {p: float(numeric(table, f"param.{p}").min()) for p in params}
    highs = {p: float(numeric(table, f"param.{p}").max()) for p in params}
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
        x = np.column_stack([numeric(ok, f"param.{p}").to_numpy() for p in leaders]) if leaders else \
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
    levels = {p: np.unique(numeric(ok, f"param.{p}").to_numpy()) for p in params}
    columns = [np.ones(len(ok))]
    owner: list[tuple[str, float]] = []
    for p in params:
        x = numeric(ok, f"param.{p}").to_numpy()
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
        means = ok.groupby(numeric(ok, f"param.{p}"))[OBJECTIVE].mean()
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
    fixed = {d[0]: float(numeric(table, f"param.{d[0]}").iloc[0]) for d in dims[2:]}
    keep = np.ones(len(table), dtype=bool)
    for p, v in fixed.items():
        keep &= np.isclose(numeric(table, f"param.{p}").to_numpy(), v, rtol=1e-12, atol=0.0)
    sel = table[keep]
    ok = statuses(sel) == OPTIMAL
    frame = pd.DataFrame({"x": numeric(sel, f"param.{x}"), "y": numeric(sel, f"param.{y}"),
                          "objective": numeric(sel, OBJECTIVE).where(ok), "failed": ~ok})
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
    ok = (statuses(table) == OPTIMAL).to_numpy()
    obj = numeric(table, OBJECTIVE).where(ok)
    base_rows = obj[side == "base"].dropna()
    base_obj = float(base_rows.iloc[0]) if len(base_rows) else math.nan
    base_values = meta.get("base") or {}
    rows = []
    for d in dims:
        p = d[0]
        rec: dict[str, Any] = {"parameter": p, "paired": list(d[1:])}
        base_row = table[side == "base"]
        rec["base_value"] = float(base_values[p]) if p in base_values else \
            (float(numeric(base_row, f"param.{p}").iloc[0]) if len(base_row) else math.nan)
        for s in ("low", "high"):
            pick = (who == p) & (side == s)
            rec[f"{s}_value"] = float(numeric(table[pick], f"param.{p}").iloc[0]) if pick.any() else math.nan
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

    A target binds when ``|shadow price| >`` :data:`energy_model.engine.measures.BINDING_PRICE`.

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
        price = numeric(ok, f"target_shadow_price.{k}").dropna()
        value = numeric(ok, f"target_value.{k}").dropna()
        binding = int(np.count_nonzero(binds(price.to_numpy())))
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
            v = numeric(ok, str(c)).dropna()
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
        pd.Series(OPTIMAL, index=sel.index).where(numeric(sel, f"full.{OBJECTIVE}").notna(), "missing")
    good = (status == OPTIMAL) & numeric(sel, f"full.{OBJECTIVE}").notna()
    agg = numeric(sel, OBJECTIVE)
    full = numeric(sel, f"full.{OBJECTIVE}").where(good)
    techs = [str(c).removeprefix("capacity_mw.") for c in table.columns
             if str(c).startswith("capacity_mw.") and f"full.{c}" in table.columns]
    full_cap = pd.DataFrame({t: numeric(sel, f"full.capacity_mw.{t}").where(good) for t in techs}, index=sel.index)
    err_mw = pd.DataFrame({t: numeric(sel, f"capacity_mw.{t}") for t in techs}, index=sel.index) - full_cap
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
        per_variant["annual_worst_error"] = numeric(sel, "annual_max_rel_error").where(good)
        per_variant["annual_flagged"] = sel["annual_flagged"].fillna("").astype(str).where(good, "") \
            if "annual_flagged" in sel.columns else ""
    per_tech = pd.DataFrame({"largest_error_mw": _largest(err_mw), "mean_error_mw": err_mw.mean(),
                             "largest_error": _largest(rel)}, index=pd.Index(techs, name="technology"))
    return per_variant, per_tech
