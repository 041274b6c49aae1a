"""The pathway part of a comparison: pathway runs side by side, period by period, with differences to the baseline.

A pathway run folder (``manifest.json`` with a ``pathway`` key) has no ``assumptions.csv`` and its
``summary.json`` is the pathway document (:func:`energy_model.output.pathway_doc.pathway_summary`). Its
inputs for the comparison are read from that document and ``inputs.nc`` (:func:`pathway_inputs`): the
periods, foresight, discount rate, committed builds, and per period what changes between periods, the
targets and the technology inputs. The tables (:func:`pathway_tables`) are the pathway's totals (present
value, what the targets cost) and one table per period year (annual cost, new-energy share, CO2 on both
ledgers, imports and exports, capacity, new build and retirements by technology, each target's shadow
price), each run's value and the difference to the first run. A pathway and a plain run are not compared:
:func:`mixed_issue` names the folders (an input error, exit code 2).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.errors import InputIssue
from energy_model.output import tables as tb
from energy_model.output.assumptions import describe
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.input_diff import HOOK_KEY, InputValue
from energy_model.output.pathway_tables import NOT_PLANT, SHOWN_MW, TOTAL_MONEY_UNIT, pathway_names

#: Files a pathway run folder must hold to be compared (``reference.nc`` only when it has enforced targets).
REQUIRED = ("summary.json", "results.nc", "inputs.nc")
#: Keys of a pathway ``summary.json`` the comparison reads.
SUMMARY_KEYS = ("periods", "present_value_cny", "foresight", "discount_rate")
#: CO2 differences below this read as no change [t/yr].
SAME_T_PER_YR = 1.0
#: Name of a period's table before its year (``period_2025``).
PERIOD_TABLE = "period_"
#: Technology inputs of each period compared between pathway runs (columns of ``inputs.nc``).
TECH_INPUTS = ("existing_mw", "min_mw", "max_mw", "capex_cny_per_kw",
               "capex_cny_per_kwh", "fom_cny_per_kw_yr", "vom_cny_per_mwh", "lifetime_yr", "efficiency",
               "co2_t_per_mwh", "availability", "min_full_load_hours", "max_full_load_hours")
#: What changes between periods (``periods[i].inputs`` of the document): key -> unit.
PERIOD_INPUTS = {"consumption_mwh_per_yr": "MWh/yr", "peak_demand_mw": "MW", "existing_mw": "MW", "cost_year": "",
                 "build_year": "", "carbon_price_cny_per_t": "CNY/t", "discount_rate": "1/yr"}
#: Words of the period inputs (message keys).
PERIOD_WORDS = {"consumption_mwh_per_yr": "summary.consumption", "peak_demand_mw": "summary.peak_demand",
                "existing_mw": "pathway.item.existing", "cost_year": "pathway.item.cost_year",
                "build_year": "compare.pathway.build_year", "carbon_price_cny_per_t": "pathway.item.carbon_price",
                "discount_rate": "compare.pathway.discount_rate"}
#: Pathway-wide inputs: key -> message key of its words.
PATHWAY_WORDS = {"pathway.periods": "compare.pathway.periods", "pathway.years": "compare.pathway.years",
                 "pathway.foresight": "compare.pathway.foresight", "pathway.discount_rate": "compare.pathway.discount_rate",
                 "pathway.commitments": "compare.pathway.commitments"}


def is_pathway(manifest: dict[str, Any]) -> bool:
    """Whether a run folder's manifest is a pathway run's."""
    return isinstance(manifest.get("pathway"), dict)


def mixed_issue(pathways: Sequence[Path], plain: Sequence[Path]) -> InputIssue:
    """The input error of a comparison mixing pathway runs and plain runs, naming every folder."""
    return InputIssue("compare", "RUN_DIR",
                      f"cannot compare pathway runs ({', '.join(map(str, pathways))}) with plain runs "
                      f"({', '.join(map(str, plain))}): give only pathway run folders or only plain run folders")


def _text(value: Any) -> str:
    if value is None:
        return "none"
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)


def pathway_inputs(doc: dict[str, Any], inputs: xr.Dataset) -> dict[str, InputValue]:
    """The inputs of a pathway run, keyed ``pathway.*`` (the whole pathway) and ``periods.<year>.*`` (per period).

    Parameters
    ----------
    doc : dict
        The pathway's ``summary.json``.
    inputs : xarray.Dataset
        Its ``inputs.nc`` (dimension ``period``).
    """
    out: dict[str, InputValue] = {
        "pathway.periods": InputValue(", ".join(str(p["year"]) for p in doc["periods"]), ""),
        "pathway.years": InputValue(", ".join(_text(p.get("years")) for p in doc["periods"]), "yr"),
        "pathway.foresight": InputValue(str(doc["foresight"]), ""),
        "pathway.discount_rate": InputValue(_text(doc["discount_rate"]), "1/yr"),
        "pathway.commitments": InputValue("; ".join(f"{c['technology']} {c['period']}: {c['mw']:g} MW"
                                                    for c in doc.get("committed_mw") or []) or "none", ""),
    }
    periods = [int(v) for v in inputs[n.PERIOD].values] if n.PERIOD in inputs.dims else []
    for p in doc["periods"]:
        year = int(p["year"])
        for key, unit in PERIOD_INPUTS.items():
            out[f"periods.{year}.{key}"] = InputValue(_text(p["inputs"].get(key)), unit)
        for t in p.get("targets") or []:
            out[f"periods.{year}.targets.{t['target']}"] = InputValue(_text(t["level"]), "",
                                                                      f"{t['kind']}, {t['mode']}")
        if year not in periods:
            continue
        at = inputs.sel({n.PERIOD: year})
        for column in TECH_INPUTS:
            if column not in at:
                continue
            for g, v in zip(at[n.TECH].values.astype(str), at[column].values):
                out[f"periods.{year}.technologies.{g}.{column}"] = InputValue(_text(float(v)), "")
    hook = doc.get(HOOK_KEY)
    out[HOOK_KEY] = InputValue(f"{hook['module']}.{hook['name']}" if isinstance(hook, dict) else "none", "")
    return out


def input_words(key: str, names: Names, lang: Lang) -> str | None:
    """A pathway input's key in words (``2025年 — 海上风电 — 单位千瓦投资``); None: not a pathway key."""
    if key in PATHWAY_WORDS:
        return lang(PATHWAY_WORDS[key])
    parts = key.split(".")
    if parts[0] != "periods" or len(parts) < 3:
        return None
    rest = ".".join(parts[2:])
    what = lang(PERIOD_WORDS[rest]) if rest in PERIOD_WORDS else describe(rest, names, lang)
    return lang("compare.pathway.period_item", year=lang("pathway.year", year=parts[1]), what=what)


# --- tables ----------------------------------------------------------------------------------------------


def _period(doc: dict[str, Any], year: int) -> dict[str, Any] | None:
    return next((p for p in doc["periods"] if int(p["year"]) == year), None)


def _years(docs: Sequence[dict[str, Any]]) -> list[int]:
    return sorted({int(p["year"]) for d in docs for p in d["periods"]})


def _names(inputs: xr.Dataset) -> Names:
    if n.PERIOD not in inputs.dims:
        return Names(inputs)
    return pathway_names([inputs.isel({n.PERIOD: i}) for i in range(inputs.sizes[n.PERIOD])])


def pathway_tables(docs: Sequence[dict[str, Any]], inputs: Sequence[xr.Dataset],
                   table: Callable[[str, str, list[dict[str, Any]], str], tb.Table],
                   row: Callable[..., dict[str, Any]]) -> list[tb.Table]:
    """The pathway tables of a comparison: totals, then one table per period year.

    Parameters
    ----------
    docs : sequence of dict
        Each run's pathway ``summary.json``, the baseline first.
    inputs : sequence of xarray.Dataset
        Each run's ``inputs.nc`` (names of technologies).
    table : callable
        ``table(name, title, rows, fmt)``: a comparison table with a column per run and per difference.
    row : callable
        ``row(item, unit, values, fmt=None, scale=None)``: a comparison row (differences to the first value).
    """
    names = _names(inputs[0])
    for inp in inputs[1:]:
        more = _names(inp)
        for code in LANGS:
            names.tech[code] = {**more.tech[code], **names.tech[code]}
    money_keys = [f"run{i}" for i in range(len(docs))] + [f"diff{i}" for i in range(1, len(docs))]
    pv = row(tb.bi("compare.pathway.present_value"), tb.bi(TOTAL_MONEY_UNIT),
             [float(d["present_value_cny"]) for d in docs], "num1", tb.MONEY)
    cost = row(tb.bi("compare.pathway.targets_cost"), tb.bi(TOTAL_MONEY_UNIT),
               [None if not d.get("targets_cost") else float(d["targets_cost"]["present_value_cny"]) for d in docs],
               "num1", tb.MONEY)
    totals = [dict(r, _total_money=money_keys) for r in (pv, cost)]
    out = [table("pathway", "compare.pathway.totals", totals, "num1")]
    for year in _years(docs):
        per = [_period(d, year) for d in docs]
        out.append(table(f"{PERIOD_TABLE}{year}", "compare.pathway.period_title", _period_rows(per, names, row), "num1"))
    return out


def _get(per: Sequence[dict[str, Any] | None], key: str, div: float = 1.0) -> list[float | None]:
    return [None if p is None or p.get(key) is None else float(p[key]) / div for p in per]


def _period_rows(per: Sequence[dict[str, Any] | None], names: Names,
                 row: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of one period's table; a run without the period has empty cells."""
    rows = [row(tb.bi("summary.total_cost"), tb.bi(tb.MONEY_UNIT), _get(per, "annual_cost_cny_per_yr"), "num1", tb.MONEY),
            row(tb.bi("summary.new_energy_share"), tb.bi("unit.percent"), _get(per, "new_energy_share"), "pct"),
            row(tb.bi("pathway.item.co2_production"), tb.bi("unit.t_per_yr"), _get(per, "co2_production_t_per_yr"), "num0"),
            row(tb.bi("summary.co2_consumption"), tb.bi("unit.t_per_yr"), _get(per, "co2_consumption_t_per_yr"), "num0"),
            row(tb.bi("summary.imports"), tb.bi("unit.gwh_per_yr"), _get(per, "imports_mwh_per_yr", 1e3), "num1"),
            row(tb.bi("summary.exports"), tb.bi("unit.gwh_per_yr"), _get(per, "exports_mwh_per_yr", 1e3), "num1")]
    for key, label in (("capacity_mw", "compare.pathway.capacity"), ("new_build_mw", "pathway.item.new_build"),
                       ("retired_mw", "pathway.item.retired")):
        techs: list[str] = []
        for p in per:
            if p is None:
                continue
            kinds = p["summary"]["kind"]
            techs += [g for g, v in p[key].items() if kinds.get(g) not in NOT_PLANT and abs(v) >= SHOWN_MW
                      and g not in techs]
        for g in techs:
            item = tb.Bi(*(Lang(code)("compare.pathway.tech_item", what=Lang(code)(label),
                                      tech=names.technology(g, Lang(code))) for code in LANGS))
            rows.append(row(item, tb.bi("unit.mw"),
                            [None if p is None else float(p[key].get(g, 0.0)) for p in per], "num0"))
    ids: list[str] = []
    for p in per:
        ids += [t["target"] for t in (p or {}).get("targets") or [] if t["target"] not in ids]
    for k in ids:
        found = [None if p is None else next((t for t in p.get("targets") or [] if t["target"] == k), None) for p in per]
        t0 = next(t for t in found if t is not None)
        title = tb.Bi((t0.get("label_zh") or t0.get("label") or k), (t0.get("label") or k))
        item = tb.Bi(f"{title.zh} — {Lang('zh')('col.shadow_price')}", f"{title.en} — {Lang('en')('col.shadow_price')}")
        rows.append(row(item, tb.bi(f"price_unit.{t0['kind']}"),
                        [None if t is None else float(t["shadow_price"]) for t in found], "num1"))
    return rows


# --- the answer ------------------------------------------------------------------------------------------


def _co2_items(base: dict[str, Any], other: dict[str, Any], key: str, lang: Lang) -> str:
    items = []
    for year in _years([base, other]):
        a, b = _period(base, year), _period(other, year)
        if a is None or b is None or not math.isfinite(float(a[key])) or not math.isfinite(float(b[key])):
            continue
        diff = float(b[key]) - float(a[key])
        which = "same" if abs(diff) < SAME_T_PER_YR else "less" if diff < 0 else "more"
        items.append(lang(f"compare.pathway.co2_{which}", year=year, value=lang.q("mass", abs(diff), per="yr")))
    return lang("pathway.list_sep").join(items) if items else lang("common.na")


def answer_sentences(names: Sequence[str], docs: Sequence[dict[str, Any]], lang: Lang) -> list[str]:
    """Each run against the baseline: present value more or less, and CO2 per period on both ledgers."""
    base, out = docs[0], []
    for name, doc in zip(names[1:], docs[1:]):
        diff = float(doc["present_value_cny"]) - float(base["present_value_cny"])
        which = "more" if diff > 0 else "less"
        out.append(lang(f"compare.pathway.answer_{which}", run=name, base=names[0], pv=lang.q("money", abs(diff)),
                        year=base["base_year"],
                        production=_co2_items(base, doc, "co2_production_t_per_yr", lang),
                        consumption=_co2_items(base, doc, "co2_consumption_t_per_yr", lang)))
    return out


def table_title(name: str, title: str, lang: Lang) -> str:
    """A comparison table's title in ``lang``: a period's table names its year."""
    return lang(title, year=name.removeprefix(PERIOD_TABLE)) if name.startswith(PERIOD_TABLE) else lang(title)


def status_text(doc: dict[str, Any], lang: Lang) -> str:
    """A pathway run's outcome for the table of runs: its periods and foresight."""
    return lang("compare.pathway.status", periods=lang("pathway.list_sep").join(str(p["year"]) for p in doc["periods"]),
                foresight=lang(f"pathway.foresight.{doc['foresight']}"))
