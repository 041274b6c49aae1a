"""The pathway's answer and assumptions in sentences, in one language (report and workbook share them).

Built from the pathway document (:func:`energy_model.output.pathway_doc.pathway_summary`) only: what is
built and retired when, the cost path and the present value, the new-energy share and CO2 by period,
and when each target binds at what shadow price.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from energy_model import vocabulary as n
from energy_model.output.aggregation_text import annual_sentence
from energy_model.output.glossary import target_label
from energy_model.output.i18n import Lang, Names
from energy_model.output.pathway_tables import NOT_PLANT


def _year(year: int, lang: Lang) -> str:
    return lang("pathway.year", year=year)


def foresight_text(doc: dict[str, Any], lang: Lang) -> str:
    """The foresight in words (the raw mode when the catalogue has no words for it)."""
    return lang.get(f"pathway.foresight.{doc['foresight']}", str(doc["foresight"]))


def _changes(period: dict[str, Any], key: str, names: Names, lang: Lang) -> str:
    """Technologies built (or retired) in a period, largest first: ``光伏50万千瓦、海上风电30万千瓦``."""
    kinds = period["summary"]["kind"]
    items = sorted(((g, v) for g, v in period[key].items() if v > 0 and kinds.get(g) not in NOT_PLANT),
                   key=lambda gv: -gv[1])
    return lang("pathway.list_sep").join(lang("pathway.answer.item", name=names.technology(g, lang),
                                              amount=lang.q("power", v)) for g, v in items)


def _targets(doc: dict[str, Any], lang: Lang) -> list[str]:
    """When each target binds (and at what shadow price) and when an enforced one is not reached."""
    order: list[tuple[str, str]] = []
    rows: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for p in doc["periods"]:
        for t in p["targets"]:
            key = (str(t["target"]), str(t.get("label") or ""))  # the same name at another level reads as its own target
            if key not in rows:
                order.append(key)
            rows.setdefault(key, []).append((int(p["year"]), t))
    sep = lang("pathway.list_sep")
    out = []
    for k in order:
        label = target_label(rows[k][-1][1], lang)
        binding = [(y, t) for y, t in rows[k] if t["binding"]]
        if binding:
            prices = sep.join(lang("pathway.answer.year_value", year=y, value=f"{lang.num(t['shadow_price'], 1)} "
                                   f"{lang.get('price_unit.' + t['kind'], '')}".strip()) for y, t in binding)
            out.append(lang("pathway.answer.binds", target=label, years=sep.join(_year(y, lang) for y, _ in binding),
                            prices=prices))
        unmet = [y for y, t in rows[k] if not t["met"] and t["mode"] != n.REPORT]
        if unmet:
            out.append(lang("pathway.answer.unmet", target=label, years=sep.join(_year(y, lang) for y in unmet)))
    if not any(t["binding"] for p in doc["periods"] for t in p["targets"]):
        out.append(lang("pathway.answer.binds_none"))
    return out


def pathway_answer(doc: dict[str, Any], names: Names, lang: Lang) -> list[str]:
    """The answer in sentences: span and foresight, builds and retirements per period, cost path and present
    value, new-energy share, CO2 on both ledgers, targets."""
    ps = doc["periods"]
    sep = lang("pathway.list_sep")
    out = [lang("pathway.answer.span", count=len(ps), first=ps[0]["year"], last=ps[-1]["year"],
                periods=sep.join(_year(p["year"], lang) for p in ps), foresight=foresight_text(doc, lang),
                rate=lang.q("share", doc["discount_rate"]))]
    for p in ps:
        built, retired = _changes(p, "new_build_mw", names, lang), _changes(p, "retired_mw", names, lang)
        out.append(lang("pathway.answer.builds", year=p["year"], items=built) if built
                   else lang("pathway.answer.builds_none", year=p["year"]))
        if retired:
            out.append(lang("pathway.answer.retires", year=p["year"], items=retired))
    out.append(lang("pathway.answer.cost_path", first_year=ps[0]["year"], last_year=ps[-1]["year"],
                    first=lang.q("money", ps[0]["annual_cost_cny_per_yr"], per="yr"),
                    last=lang.q("money", ps[-1]["annual_cost_cny_per_yr"], per="yr"),
                    base=doc["base_year"], pv=lang.q("money", doc["present_value_cny"])))
    out.append(lang("pathway.answer.share_path", items=sep.join(
        lang("pathway.answer.year_value", year=p["year"], value=lang.q("share", p["new_energy_share"])) for p in ps)))
    out.append(lang("pathway.answer.co2_path", items=sep.join(
        lang("pathway.answer.co2_item", year=p["year"], production=lang.q("mass", p["co2_production_t_per_yr"], per="yr"),
             consumption=lang.q("mass", p["co2_consumption_t_per_yr"], per="yr")) for p in ps)))
    return out + _targets(doc, lang)


def pathway_assumptions(doc: dict[str, Any], lang: Lang) -> list[str]:
    """The assumptions of the pathway in sentences: foresight, discounting and weights, builds."""
    return [lang("pathway.assume.foresight", foresight=foresight_text(doc, lang)),
            lang("pathway.assume.discount", rate=lang.q("share", doc["discount_rate"]), base=doc["base_year"],
                 pv=lang.q("money", doc["present_value_cny"])),
            lang("pathway.assume.builds"), *_aggregation(doc, lang)]


def _aggregation(doc: dict[str, Any], lang: Lang) -> list[str]:
    """How the periods' hours were represented, and what the full-year check of one period found."""
    agg = doc.get("aggregation") or {}
    if not agg or agg.get("method") == "none":
        return []
    out = [lang("pathway.assume.aggregation", days=agg["periods"], extremes=len(agg.get("extremes", [])))]
    check = agg.get("check_full")
    if check:
        out.append(lang("pathway.assume.check_full", year=check["period"],
                        error=f"{check['objective']['relative_error']:+.1%}"))
        text = annual_sentence(check, None, lang)
        if text:
            out.append(text)
    return out


def targets_cost_sentence(doc: dict[str, Any], lang: Lang) -> str | None:
    """What the targets add to the pathway's present value and to each period's annual cost (None: not solved)."""
    cost = doc.get("targets_cost")
    if not cost:
        return None
    if abs(cost["present_value_cny"]) < 1.0:
        return lang("pathway.answer.targets_free")
    items = lang("pathway.list_sep").join(
        lang("pathway.answer.year_value", year=p["year"], value=lang.q("money", v, per="yr"))
        for p, v in zip(doc["periods"], cost["by_period_cny_per_yr"]))
    return lang("pathway.answer.targets_cost", pv=lang.q("money", cost["present_value_cny"]), items=items)


def pathway_scorecard(doc: dict[str, Any], names: Names, folder: Path | None, lang: Lang) -> str:
    """The console summary of a pathway run in ``lang``: title, the answer, the targets' cost, the folder."""
    title = doc.get("title_zh") if lang.code == "zh" and doc.get("title_zh") else doc.get("title", "")
    lines = [str(title or doc.get("scenario", "")), ""]
    lines += [f"- {s}" for s in pathway_answer(doc, names, lang)]
    extra = targets_cost_sentence(doc, lang)
    if extra:
        lines.append(f"- {extra}")
    if folder is not None:
        lines += ["", lang("score.results", folder=str(folder))]
    return "\n".join(lines)
