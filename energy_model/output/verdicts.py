"""The report's first screen in words: a verdict per target and the 3-5 sentences of the answer.

Every sentence is a catalogue message (:mod:`energy_model.output.i18n`)
filled with numbers from the run; nothing here is written per language.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.binding_limits import binding_limits
from energy_model.engine.measures import binds
from energy_model.inputs.lp_units import time_arrays
from energy_model.output.i18n import Lang, Names

#: Verdict classes of a target (CSS class and catalogue key suffix).
VERDICTS = ("free", "cost", "consequence", "short", "report_met", "report_unmet")
#: Carriers whose share is the plan's new-energy indicator (新能源).
NEW_ENERGY = {"wind", "solar", "biomass"}
#: Kinds of binding limit that concern a fuel supply (the others concern a technology or demand).
FUEL_LIMITS = ("annual_supply", "hourly_supply")
#: Most binding limits named in the answer.
MAX_BINDING = 3


def member_techs(inputs: xr.Dataset, target: str) -> list[str]:
    """Technologies counted by a target (its ``target_member`` row)."""
    members = inputs["target_member"].sel({n.TARGET: target}).values.astype(bool)
    return list(inputs[n.TECH].values.astype(str)[members])


def target_name(inputs: xr.Dataset, target: str, names: Names, lang: Lang) -> str:
    """What a target measures, in the plan's words (风电装机容量, 新能源发电量占全市用电量 ...)."""
    kind = str(inputs["target_kind"].sel({n.TARGET: target}).item())
    if kind in (n.MIN_SELF_SUFFICIENCY, n.MAX_IMPORT, n.MAX_NET_EXPORT, n.RESERVE_MARGIN):
        return lang(f"target.name.{kind}")
    if kind == n.MAX_EMISSIONS:
        pollutant = str(inputs["target_pollutant"].sel({n.TARGET: target}).item())
        return lang("target.name.emissions", pollutant=lang(f"pollutant.{pollutant}"))
    techs = member_techs(inputs, target)
    carrier = dict(zip(inputs[n.TECH].values.astype(str), inputs["carrier"].values.astype(str)))
    carriers = {carrier[g] for g in techs if carrier[g] != "storage"}
    if kind == n.MIN_SHARE:
        if carriers == NEW_ENERGY:
            return lang("target.name.new_energy_share")
        joined = lang("common.list_sep").join(names.group(c, lang) for c in sorted(carriers))
        return lang("target.name.share", what=joined)
    if len(carriers) == 1 and lang.has(f"target.name.{next(iter(carriers))}_capacity"):
        return lang(f"target.name.{next(iter(carriers))}_capacity")
    joined = lang("common.list_sep").join(names.technology(g, lang) for g in techs)
    return lang("target.name.capacity", what=joined)


def level_text(kind: str, value: float | None, lang: Lang) -> str:
    """A target level or value in its unit: capacity, share of consumption, or t/yr."""
    if value is None or not math.isfinite(float(value)):
        return lang.num(value)
    family = n.target_family(kind)
    if family in (n.SHARE, n.MARGIN):
        return lang.q("share", value)
    if family == n.CAPACITY:
        return lang.q("power", value)
    if family == n.ENERGY:
        return lang.q("energy", value, per="yr")
    return lang.q("mass", value, per="yr")


def target_title(inputs: xr.Dataset, row: dict[str, Any], names: Names, lang: Lang) -> str:
    """``风电装机容量 ≥ 600万千瓦`` / ``Wind capacity ≥ 6,000 MW``."""
    cmp = "≤" if n.is_ceiling(row["kind"]) else "≥"
    return lang("target.title", name=target_name(inputs, row["target"], names, lang), cmp=cmp,
                level=level_text(row["kind"], row["level"], lang))


def verdict_class(row: dict[str, Any]) -> str:
    """One of :data:`VERDICTS` for a row of the target table."""
    if row["mode"] == n.REPORT:
        return "report_met" if row["met"] else "report_unmet"
    if row["met_without_enforcement"]:
        return "free"
    if (row.get("shortfall") or 0.0) > 1e-9 or not row["met"]:
        return "short"
    if not row.get("binding", binds(float(row.get("shadow_price") or 0.0))):
        return "consequence"  # missed without policy, met with it, but its own row does not bind
    return "cost"


def target_verdict(inputs: xr.Dataset, row: dict[str, Any], names: Names, lang: Lang,
                   consumption_mwh: float) -> tuple[str, str]:
    """Verdict class and sentence of one target.

    Parameters
    ----------
    row : dict
        A row of the target table (``summary.json`` ``targets``).
    consumption_mwh : float
        Annual electricity consumption [MWh/yr].
    """
    cls = verdict_class(row)
    kind = row["kind"]
    raw = row.get("cost_alone_cny_per_yr")
    cost = float(raw) if raw is not None else math.nan
    known = math.isfinite(cost)  # not computed for long horizons without --each-target
    price_unit = lang(f"price_unit.{kind}")
    values = {
        "title": target_title(inputs, row, names, lang),
        "reference": level_text(kind, row["reference_value"], lang),
        "value": level_text(kind, row["value"], lang),
        "cost": lang.q("money", cost, per="yr") + _estimated(row, lang),
        "per_mwh": lang.q("price", cost / consumption_mwh if consumption_mwh else math.nan),
        "price": f"{lang.num(row['shadow_price'], 1)} {price_unit}",
        "shortfall": level_text(kind, row.get("shortfall"), lang),
        "penalty": lang.q("money", row.get("penalty_paid_cny_per_yr") or 0.0, per="yr"),
    }
    key = "verdict.cost_not_computed" if cls == "cost" and not known else f"verdict.{cls}"
    return cls, lang(key, **values)


def binding_sentences(results: xr.Dataset, inputs: xr.Dataset, names: Names, lang: Lang,
                      items: list[dict[str, object]] | None = None) -> list[str]:
    """The limits the solution sits on, in words: ``items`` from :func:`binding_limits` (found again when None)."""
    out = []
    tech_ids = list(inputs[n.TECH].values.astype(str))
    fuel_ids = list(inputs[n.FUEL].values.astype(str))
    for item in binding_limits(results, inputs) if items is None else items:
        limit, name, value = str(item["limit"]), str(item["name"]), float(str(item["value"]))
        if limit in FUEL_LIMITS and name in fuel_ids:
            j = fuel_ids.index(name)
            unit = str(inputs["fuel_unit"].values[j])
            per_h = float(inputs["max_mwh_th_per_h"].values[j] / inputs["energy_mwh_per_unit"].values[j])
            out.append(lang(f"binding.{limit}", what=names.fuel_name(name, lang), hours=lang.num(value),
                            limit_yr=lang.fuel_amount(float(inputs["max_units_per_yr"].values[j]), unit, per="yr"),
                            limit_h=lang.fuel_amount(per_h, unit, per="h"),
                            value=lang.num(value, 1), unit=lang.get(f"fuel_unit.{unit}", unit)))
        elif name in tech_ids:
            i = tech_ids.index(name)
            cap = float(results["capacity_mw"].values[i])
            avail = float(np.nan_to_num(inputs["availability"].values[i], nan=1.0))
            rate = float(inputs["ramp_rate_per_h"].values[i])
            out.append(lang(f"binding.{limit}", what=names.technology(name, lang), hours=lang.num(value),
                            mw=lang.q("power", value if limit == "max_capacity" else cap * avail),
                            rate=lang.q("share", rate if math.isfinite(rate) else math.nan)))
        else:
            out.append(lang(f"binding.{limit}", hours=lang.num(value),
                            mw=lang.q("power", float(results["unserved_mw"].max()))))
    return out


def _share_from(results: xr.Dataset, inputs: xr.Dataset, kinds: tuple[str, ...]) -> float:
    kind = inputs["kind"].values.astype(str)
    return float(results["generation_mwh_per_yr"].values[np.isin(kind, kinds)].sum())


def answer(doc: dict[str, Any], results: xr.Dataset, inputs: xr.Dataset, names: Names, lang: Lang) -> list[str]:
    """The 3-5 sentences of the answer: cost of the targets, what binds, imports and fuels, CO2."""
    e, r = doc["enforced"], doc["reference"]
    cons = float(e["consumption_mwh_per_yr"])
    delta = float(e["total_cost_cny_per_yr"]) - float(r["total_cost_cny_per_yr"])
    rows = doc["targets"]
    counts = {c: sum(verdict_class(t) == c for t in rows) for c in VERDICTS}
    enforced = [t for t in rows if t["mode"] != n.REPORT]
    out = [lang("answer.targets", total=len(enforced), free=counts["free"], cost=counts["cost"],
                consequence=counts["consequence"], short=counts["short"])] if enforced else []
    key = "answer.cost" if delta > 1e-6 * abs(float(r["total_cost_cny_per_yr"])) else "answer.cost_none"
    out.append(lang(key, delta=lang.q("money", delta, per="yr"), per_mwh=lang.q("price", delta / cons),
                    ref=lang.q("money", r["total_cost_cny_per_yr"], per="yr"),
                    total=lang.q("money", e["total_cost_cny_per_yr"], per="yr"),
                    unit_cost=lang.q("price", e["cost_per_mwh_consumed_cny"])))
    binding = binding_sentences(results, inputs, names, lang)
    if binding:
        more = len(binding) - MAX_BINDING
        text = lang("common.list_sep").join(binding[:MAX_BINDING])
        out.append(lang("answer.binding", limits=text) + (lang("answer.binding_more", more=more) if more > 0 else ""))
    else:
        out.append(lang("answer.binding_none"))
    imports = _share_from(results, inputs, (n.IMPORT,))
    exports = _share_from(results, inputs, (n.EXPORT,))
    fuels = []
    for f, row in e["fuels"].items():
        limit = row.get("limit_per_yr")
        if limit is not None and math.isfinite(float(limit)) and float(limit) > 0:
            fuels.append(lang("answer.fuel_use", fuel=names.fuel_name(f, lang),
                              use=lang.fuel_amount(row["use_per_yr"], row["unit"], per="yr"),
                              limit=lang.fuel_amount(limit, row["unit"], per="yr"),
                              share=lang.q("share", float(row["use_per_yr"]) / float(limit))))
    fossil = e.get("new_fossil_mw") or {}
    if fossil:
        built = lang("common.list_sep").join(f"{names.technology(g, lang)} {lang.q('power', mw)}"
                                             for g, mw in fossil.items())
        out.append(lang("answer.new_fossil", built=built))
    elif "new_fossil_mw" in e:
        out.append(lang("answer.new_fossil_none"))
    trade = e.get("exchange")
    if trade:
        out.append(lang("answer.exchange", imports=lang.q("energy", imports, "yr"), share=lang.q("share", imports / cons),
                        import_price=lang.q("price", trade["import_price_cny_per_mwh"]),
                        exports=lang.q("energy", exports, "yr"),
                        export_price=lang.q("price", trade["export_price_cny_per_mwh"]),
                        net=lang.q("energy", trade["net_export_mwh_per_yr"], "yr"),
                        value=lang.q("money", trade["export_revenue_cny_per_yr"] - trade["import_cost_cny_per_yr"],
                                     per="yr")))
        if "bill_at_benchmark_cny_per_yr" in trade and math.isfinite(trade["benchmark_tariff_cny_per_mwh"]):
            out.append(lang("answer.bill", tariff=lang.q("price", trade["benchmark_tariff_cny_per_mwh"]),
                            bill=lang.q("money", trade["bill_at_benchmark_cny_per_yr"], per="yr"),
                            value=lang.q("money", trade["import_cost_cny_per_yr"] - trade["export_revenue_cny_per_yr"],
                                         per="yr")))
        if fuels:
            out.append(lang("answer.fuels", fuels=lang("common.list_sep").join(fuels)))
    else:
        out.append(lang("answer.dependence", share=lang.q("share", imports / cons),
                        imports=lang.q("energy", imports, "yr"), exports=lang.q("energy", exports, "yr"),
                        fuels=lang("common.list_sep").join(fuels)))
    em, em_ref = e["emissions_t_per_yr"], r["emissions_t_per_yr"]
    ledgers = e.get("co2_ledgers_t_per_yr") or {}
    if "consumption" in ledgers:
        out.append(lang("answer.co2_ledgers", co2=lang.q("mass", ledgers["production"], "yr"),
                        co2_ref=lang.q("mass", em_ref.get("co2", 0.0), "yr"),
                        consumption=lang.q("mass", ledgers["consumption"], "yr"),
                        per_mwh=lang.num(ledgers["consumption"] / cons if cons else math.nan, 3),
                        exported=lang.q("mass", ledgers["exported"], "yr"),
                        imported=lang.q("mass", ledgers["imported"], "yr")))
    else:
        out.append(lang("answer.co2", co2=lang.q("mass", em.get("co2", 0.0), "yr"),
                        co2_ref=lang.q("mass", em_ref.get("co2", 0.0), "yr"),
                        imported=lang.q("mass", e["imported_co2_t_per_yr"], "yr")))
    alone = [t for t in enforced if verdict_class(t) in ("cost", "consequence")]
    if alone:
        parts = []
        for t in alone:
            raw = t.get("cost_alone_cny_per_yr")
            cost = float(raw) if raw is not None else math.nan
            parts.append(lang("answer.cost_alone_item", title=target_title(inputs, t, names, lang),
                              cost=lang.q("money", cost, per="yr") + _estimated(t, lang) if math.isfinite(cost)
                              else lang("common.na")))
        out.append(lang("answer.cost_alone", items=lang("common.list_sep").join(parts)))
    return out


def _estimated(row: dict[str, Any], lang: Lang) -> str:
    """`` (estimated on typical days)`` when a target's own cost comes from the aggregated model."""
    basis = str(row.get("cost_alone_basis") or "")
    return lang("verdict.estimated") if basis.startswith("typical_days") else ""


def status_text(doc: dict[str, Any], lang: Lang) -> str:
    """The run's outcome in one line, with how many enforced targets need policy."""
    rows = [t for t in doc.get("targets", []) if t["mode"] != n.REPORT]
    need = sum(verdict_class(t) in ("cost", "consequence", "short") for t in rows)
    return lang(f"status.{doc['target_status']}", need=need, total=len(rows))


def notices(inputs: xr.Dataset, lang: Lang, names: Names) -> list[str]:
    """Plain warnings for the first screen: synthetic weather, a horizon shorter than a year."""
    out = []
    source = str(inputs.attrs.get("weather_source", ""))
    flh = full_load_hours(inputs)
    listed = lang("common.list_sep").join(
        lang("notice.flh_item", what=names.technology(g, lang), hours=lang.num(h)) for g, h in flh.items())
    if source == "synthetic":
        out.append(lang("notice.synthetic", years=str(inputs.attrs.get("weather_years", "")), flh=listed))
    else:
        out.append(lang("notice.observed", source=source, years=str(inputs.attrs.get("weather_years", "")),
                        flh=listed))
    hours = inputs.sizes[n.TIME]
    time = pd.DatetimeIndex(inputs[n.TIME].values)
    span = {"hours": lang.num(hours), "start": f"{time[0]:%Y-%m-%d %H:%M}", "end": f"{time[-1]:%Y-%m-%d %H:%M}"}
    if str(inputs.attrs.get("aggregation_method", "none")) != "none":
        out.append(lang(f"notice.aggregated_{inputs.attrs['aggregation_method']}",
                        periods=lang.num(int(inputs.attrs["aggregation_periods"])),
                        steps=lang.num(hours), period=lang.period(int(inputs.attrs.get("horizon_hours", hours))),
                        extremes=str(inputs.attrs.get("aggregation_extremes", "")) or "-"))
        return out
    weight = float(inputs.attrs["hour_weight"])
    if abs(weight - 1.0) > 1e-9:
        out.append(lang("notice.scaled", weight=lang.num(weight, 2), days=lang.num(hours / 24, 0), **span))
    else:
        out.append(lang("notice.full_year", **span))
    return out


def full_load_hours(inputs: xr.Dataset) -> dict[str, float]:
    """Full-load hours per year of each weather-driven profile (weighted capacity factor mean x 8,760) [h/yr]."""
    kind = inputs["kind"].values.astype(str)
    cf = inputs["capacity_factor"].transpose(n.TECH, n.TIME).values
    techs = inputs[n.TECH].values.astype(str)
    w = time_arrays(inputs)[0]
    return {techs[i]: float(np.nan_to_num(cf[i]) @ w / w.sum()) * n.HOURS_PER_YEAR
            for i in np.flatnonzero(kind == n.VARIABLE)}
