"""The pathway's ``summary.json`` document: each period's headline numbers and the pathway's totals.

A pathway run (several periods, e.g. 2020, 2025, 2030, solved as one plan)
gives, per period, a Results and a ModelInputs Dataset exactly like a plain
run's, plus figures only the pathway knows (:class:`PathwayFigures`): what was
built and retired in each period, the period's annual cost and weight, the
present value and the foresight. :func:`pathway_summary` puts them in one
JSON-ready document; each period's numbers come from the plain run's
:func:`energy_model.analysis.metrics.summary` (kept whole under ``summary``),
so a period reads the same as a plain run of the same case.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.metrics import BUILD_NOISE_MW, FUEL_NOISE_MWH_TH, summary

#: Fraction of the larger cost under which a given present value and sum W_p * cost_p count as equal [-].
PV_REL_TOL = 1e-6


@dataclass(frozen=True)
class PathwayFigures:
    """The figures of a pathway that per-period Datasets do not hold.

    Attributes
    ----------
    foresight : str
        ``perfect`` or ``myopic``.
    discount_rate : float
        Rate discounting costs between periods to the first period's year [1/yr].
    weights : sequence of float
        ``W_p`` of each period: the discounted calendar years its annual cost stands for [yr].
    years : sequence of int, optional
        Calendar years each period represents [yr]; None: not known (not shown).
    annual_cost_cny_per_yr : sequence of float, optional
        Annual cost of each period as the pathway counts it [CNY/yr]; None: each Results'
        ``objective_cny_per_yr``.
    present_value_cny : float, optional
        Present value of the pathway at the first period's year [CNY]; None: ``sum_p W_p * cost_p``.
    new_build_mw, retired_mw : sequence of mapping of str to float, optional
        Per period, technology -> capacity built / retired in that period [MW]. Where a
        period's mapping is not given it is taken from the capacity difference with the
        period before (the first period: the Results' ``new_capacity_mw``, nothing retired).
    scenario, title, title_zh : str
        The pathway's name and title (both languages) for the report.
    """

    foresight: str
    discount_rate: float
    weights: Sequence[float]
    years: Sequence[int] | None = None
    annual_cost_cny_per_yr: Sequence[float] | None = None
    present_value_cny: float | None = None
    new_build_mw: Sequence[Mapping[str, float] | None] | None = None
    retired_mw: Sequence[Mapping[str, float] | None] | None = None
    scenario: str = "pathway"
    title: str = ""
    title_zh: str = ""

    @classmethod
    def of(cls, extra: PathwayFigures | Mapping[str, Any]) -> PathwayFigures:
        """``extra`` as figures: a mapping's keys are the attribute names (unknown keys are an error).

        Raises
        ------
        ValueError
            On a key that is not an attribute.
        """
        if isinstance(extra, PathwayFigures):
            return extra
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(extra) - known)
        if unknown:
            raise ValueError(f"pathway figures: unknown key(s) {', '.join(unknown)}; expected some of "
                             f"{', '.join(sorted(known))}")
        return cls(**dict(extra))


def _per_period(values: Sequence[Any] | None, count: int, what: str) -> list[Any]:
    if values is None:
        return [None] * count
    if len(values) != count:
        raise ValueError(f"pathway figures: {what} has {len(values)} values for {count} periods")
    return list(values)


def _capacity(results: xr.Dataset) -> dict[str, float]:
    return {str(g): float(v) for g, v in zip(results[n.TECH].values, results["capacity_mw"].values)}


def _changes(periods: Sequence[int], results: Sequence[xr.Dataset], figures: PathwayFigures
             ) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """New build and retirements per period and technology [MW], given or from the capacity differences."""
    given_new = _per_period(figures.new_build_mw, len(periods), "new_build_mw")
    given_old = _per_period(figures.retired_mw, len(periods), "retired_mw")
    new_all, old_all = [], []
    for i, res in enumerate(results):
        cap = _capacity(res)
        before = _capacity(results[i - 1]) if i else None
        if before is None:
            derived_new = {str(g): float(v) for g, v in zip(res[n.TECH].values, res["new_capacity_mw"].values)}
            derived_old = dict.fromkeys(cap, 0.0)
        else:
            diff = {g: cap[g] - before.get(g, 0.0) for g in cap}
            derived_new = {g: max(d, 0.0) for g, d in diff.items()}
            derived_old = {g: max(-d, 0.0) for g, d in diff.items()}
            if given_new[i] is not None and given_old[i] is None:  # retired = built - net change
                derived_old = {g: max(float(given_new[i].get(g, 0.0)) - d, 0.0) for g, d in diff.items()}
            if given_old[i] is not None and given_new[i] is None:  # built = net change + retired
                derived_new = {g: max(d + float(given_old[i].get(g, 0.0)), 0.0) for g, d in diff.items()}
        new = {g: float((given_new[i] or derived_new).get(g, 0.0)) for g in cap}
        old = {g: float((given_old[i] or derived_old).get(g, 0.0)) for g in cap}
        new_all.append({g: (v if abs(v) >= BUILD_NOISE_MW else 0.0) for g, v in new.items()})
        old_all.append({g: (v if abs(v) >= BUILD_NOISE_MW else 0.0) for g, v in old.items()})
    return new_all, old_all


def _fuels(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, dict[str, Any]]:
    """Every fuel supply's annual use in its trading unit and in MWh_th, with its carrier and unit."""
    fuels = inputs[n.FUEL].values.astype(str)
    carrier = inputs["fuel_carrier"].values.astype(str) if "fuel_carrier" in inputs else fuels
    unit = inputs["fuel_unit"].values.astype(str) if "fuel_unit" in inputs else np.array([""] * len(fuels))
    units = results["fuel_use_units_per_yr"].values.astype(float)
    mwh = results["fuel_use_mwh_th_per_yr"].values.astype(float) if "fuel_use_mwh_th_per_yr" in results \
        else units * inputs["energy_mwh_per_unit"].values
    noise = mwh < FUEL_NOISE_MWH_TH  # solver tolerance, not a quantity (as the plain run's fuel table)
    units, mwh = np.where(noise, 0.0, units), np.where(noise, 0.0, mwh)
    return {str(f): {"carrier": str(c), "unit": str(u), "use_units_per_yr": float(q), "use_mwh_th_per_yr": float(e)}
            for f, c, u, q, e in zip(fuels, carrier, unit, units, mwh)}


def _targets(results: xr.Dataset) -> list[dict[str, Any]]:
    """Each target of a period: level, value, met, shadow price, binding (user units, see extract)."""
    if n.TARGET not in results.dims or not results.sizes[n.TARGET]:
        return []
    out = []
    for i, k in enumerate(results[n.TARGET].values.astype(str)):
        def get(name: str, default: Any = None, i: int = i) -> Any:
            if name not in results:
                return default
            value = results[name].values[i]
            return value.item() if isinstance(value, np.generic) else value
        out.append({"target": str(k), "label": str(get("target_label", "")), "label_zh": str(get("target_label_zh", "")),
                    "kind": str(get("target_kind", "")), "mode": str(get("target_mode", "")),
                    "level": float(get("target_level", math.nan)), "value": float(get("target_value", math.nan)),
                    "met": bool(get("target_met", False)), "shadow_price": float(get("target_shadow_price", 0.0)),
                    "binding": bool(get("target_binding", False))})
    return out


def _period_inputs(inputs: xr.Dataset, info: dict[str, Any]) -> dict[str, Any]:
    """What the period's inputs say that changes between periods (for the assumptions; existing: plant only, MW)."""
    attrs = inputs.attrs
    plant = ~np.isin(inputs["kind"].values.astype(str), [n.IMPORT, n.EXPORT, n.BOILER])  # MW of power plant

    def num(key: str) -> float | None:
        try:
            return float(attrs[key])
        except (KeyError, TypeError, ValueError):
            return None

    return {"consumption_mwh_per_yr": info["consumption_mwh_per_yr"], "peak_demand_mw": info["peak_demand_mw"],
            "existing_mw": float(np.nansum(np.where(plant, inputs["existing_mw"].values, 0.0)))
            if "existing_mw" in inputs else None,
            "cost_year": attrs.get("cost_year"), "build_year": attrs.get("build_year"),
            "carbon_price_cny_per_t": num("carbon_price_cny_per_t"), "discount_rate": num("discount_rate")}


def pathway_summary(periods: Sequence[int], results: Sequence[xr.Dataset], inputs: Sequence[xr.Dataset],
                    extra: PathwayFigures | Mapping[str, Any]) -> dict[str, Any]:
    """The pathway's summary document (JSON-ready, user units: MW, MWh/yr, t/yr, CNY/yr, CNY).

    Parameters
    ----------
    periods : sequence of int
        The periods' years, increasing.
    results, inputs : sequence of xarray.Dataset
        Per period, the Results (:func:`energy_model.engine.extract.extract_results`) and their
        ModelInputs, as a plain run has them.
    extra : PathwayFigures or mapping
        The pathway's own figures (:class:`PathwayFigures`; a mapping with its attribute names).

    Returns
    -------
    dict
        ``periods``: one entry per period with ``year``, ``years``, ``weight_yr``, ``annual_cost_cny_per_yr``,
        ``discounted_cost_cny`` (W_p * cost_p), ``cost_components_cny_per_yr``, ``capacity_mw``,
        ``new_build_mw``, ``retired_mw`` (technology -> MW), ``new_energy_share``, ``co2_production_t_per_yr``,
        ``co2_consumption_t_per_yr``, ``fuels`` (fuel -> carrier, unit, ``use_units_per_yr``,
        ``use_mwh_th_per_yr``), ``imports_mwh_per_yr``, ``exports_mwh_per_yr``, ``targets`` (level, value,
        met, shadow price, binding), ``inputs`` (what changes between periods) and ``summary`` (the plain
        run's summary); and the totals ``present_value_cny``, ``present_value_from_weights_cny``,
        ``base_year``, ``foresight``, ``discount_rate``, ``weights_yr``, ``years``.

    Raises
    ------
    ValueError
        When the lengths disagree, the periods do not increase, or a given present value differs
        from ``sum_p W_p * cost_p`` by more than :data:`PV_REL_TOL`.
    """
    figures = PathwayFigures.of(extra)
    count = len(periods)
    if not count or len(results) != count or len(inputs) != count:
        raise ValueError(f"pathway summary: {count} periods, {len(results)} results and {len(inputs)} inputs")
    if any(b <= a for a, b in zip(periods, periods[1:])):
        raise ValueError(f"pathway summary: periods must increase, got {list(periods)}")
    weights = [float(w) for w in _per_period(figures.weights, count, "weights")]
    years = _per_period(figures.years, count, "years")
    costs = [float(c) if c is not None else float(res.attrs["objective_cny_per_yr"])
             for c, res in zip(_per_period(figures.annual_cost_cny_per_yr, count, "annual_cost_cny_per_yr"), results)]
    from_weights = float(sum(w * c for w, c in zip(weights, costs)))
    pv = from_weights if figures.present_value_cny is None else float(figures.present_value_cny)
    if abs(pv - from_weights) > PV_REL_TOL * max(abs(pv), abs(from_weights), 1.0):
        raise ValueError(f"pathway summary: present value {pv:,.0f} CNY is not sum W_p * cost_p = "
                         f"{from_weights:,.0f} CNY")
    new, old = _changes(periods, results, figures)
    out = []
    for i, (year, res, inp) in enumerate(zip(periods, results, inputs)):
        info = summary(res, inp)
        ledgers = info.get("co2_ledgers_t_per_yr") or {}
        out.append({
            "year": int(year), "years": None if years[i] is None else int(years[i]), "weight_yr": weights[i],
            "annual_cost_cny_per_yr": costs[i], "discounted_cost_cny": weights[i] * costs[i],
            "cost_components_cny_per_yr": info["cost_components_cny_per_yr"],
            "capacity_mw": info["capacity_mw"], "new_build_mw": new[i], "retired_mw": old[i],
            "new_energy_share": info["new_energy_share"],
            "co2_production_t_per_yr": float(ledgers.get("production", math.nan)),
            "co2_consumption_t_per_yr": float(ledgers.get("consumption", math.nan)),
            "fuels": _fuels(res, inp),
            "imports_mwh_per_yr": info["exchange"]["imports_mwh_per_yr"],
            "exports_mwh_per_yr": info["exchange"]["exports_mwh_per_yr"],
            "targets": _targets(res),
            "inputs": _period_inputs(inp, info),
            "summary": info,
        })
    return {"scenario": figures.scenario, "title": figures.title, "title_zh": figures.title_zh,
            "base_year": int(periods[0]), "foresight": figures.foresight, "discount_rate": float(figures.discount_rate),
            "weights_yr": weights, "years": years, "present_value_cny": pv,
            "present_value_from_weights_cny": from_weights, "periods": out}
