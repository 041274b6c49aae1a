"""Bilingual result tables shared by the report, the workbook and the comparison.

A :class:`Table` holds raw numbers (user units: MW, MWh, CNY, t, fractions)
and describes each column once: a catalogue key for its header, a unit key,
a display format and a divisor. The HTML report formats it per language,
the workbook writes the numbers as numbers under a Chinese and an English
header row. Text that needs translating is a :class:`Bi` (one text per language).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.aggregation_check import FUEL_KEY
from energy_model.analysis.metrics import technology_table
from energy_model.output import chart_data
from energy_model.output.aggregation_text import annual_label
from energy_model.output.glossary import target_label
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.verdicts import target_title, verdict_class


@dataclass(frozen=True)
class Bi:
    """A text in both languages."""

    zh: str
    en: str

    def text(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.zh if lang.code == "zh" else self.en


def bi(key: str, **values: Any) -> Bi:
    """A catalogue message in both languages."""
    return Bi(*(Lang(code)(key, **values) for code in LANGS))


def bi_names(ident: str, names: Names, what: str = "technology") -> Bi:
    """A technology's (or fuel's, or group's) name in both languages."""
    get = {"technology": names.technology, "fuel": names.fuel_name, "group": names.group}[what]
    return Bi(*(get(ident, Lang(code)) for code in LANGS))


#: Display formats: decimals shown (``pct``: fraction shown as per cent with one decimal).
FORMATS = {"text": None, "int": 0, "num0": 0, "num1": 1, "num2": 2, "num3": 3, "pct": 1, "bool": None}
#: Scale of an annual amount of money [CNY/yr]: shown in each language's unit (亿元/年, M CNY/yr; the catalogue's
#: ``axis_scales.money``) with :data:`MONEY_FORMATS`, written to the workbook in CNY/yr.
MONEY = "money"
#: Display format of money per language (亿元 with two decimals, M CNY with one) and in the workbook (whole CNY).
MONEY_FORMATS = {"zh": "num2", "en": "num1", "": "num0"}
#: Unit key of money per year in the report (per language) and in the workbook.
MONEY_UNIT, MONEY_UNIT_WORKBOOK = "unit.money_per_yr", "unit.cny_per_yr"


@dataclass
class Column:
    """One column: where its values are, its header, unit and display.

    ``scale`` divides the raw value for display and for the workbook
    (1e3 shows MWh as GWh), or is :data:`MONEY` (CNY/yr shown as 亿元/年 or
    M CNY/yr, written as CNY/yr); ``fmt`` is a key of :data:`FORMATS`.
    """

    key: str
    header: str
    unit: str = ""
    fmt: str = "num0"
    scale: float | str = 1.0
    report: bool = True  # False: workbook only (keeps the report's tables narrow enough for A4)


@dataclass
class Table:
    """Rows of raw values with their column descriptions (see module docstring).

    A row may carry ``_fmt`` and ``_unit`` (column key -> format / unit key) for
    tables whose rows have different units (the summary, targets, fuels).
    """

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)


def scale_of(row: dict[str, Any], column: Column, lang: Lang) -> float:
    """Divisor of a cell in ``lang``: the row's ``_scale`` or the column's, :data:`MONEY` resolved per language."""
    scale = row.get("_scale", {}).get(column.key, column.scale)
    return lang.scale("money") if scale == MONEY else float(scale)


def fmt_of(row: dict[str, Any], column: Column, lang: Lang) -> str:
    """Display format of a cell in ``lang`` (money: :data:`MONEY_FORMATS`)."""
    if row.get("_scale", {}).get(column.key, column.scale) == MONEY:
        return MONEY_FORMATS[lang.code]
    return str(row.get("_fmt", {}).get(column.key, column.fmt))


def workbook_column(column: Column) -> Column:
    """The column as the workbook writes it: money in CNY/yr (one number under both languages' headers)."""
    if column.scale != MONEY:
        return column
    return replace(column, unit=MONEY_UNIT_WORKBOOK if column.unit else "", scale=1.0, fmt=MONEY_FORMATS[""])


def workbook_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row as the workbook writes it: cells scaled as :data:`MONEY` in CNY/yr, with that unit."""
    money = [k for k, s in row.get("_scale", {}).items() if s == MONEY]
    if not money:
        return row
    out = dict(row, _scale={k: 1.0 for k in row["_scale"]},
               _fmt={**row.get("_fmt", {}), **{k: MONEY_FORMATS[""] for k in money}})
    if isinstance(row.get("unit"), Bi):
        out["unit"] = bi(MONEY_UNIT_WORKBOOK)
    return out


def cell_number(value: Any, fmt: str, scale: float = 1.0) -> float | None:
    """The number a cell holds after scaling, with anything below its display precision as 0."""
    if value is None or isinstance(value, (str, Bi, bool, np.bool_)):
        return None
    v = float(value)
    if not math.isfinite(v):
        return None
    v /= scale
    dec = FORMATS.get(fmt)
    if dec is None:
        return v
    shown = dec + 2 if fmt == "pct" else dec
    if abs(v) < 0.5 * 10.0 ** (-shown):
        return 0.0
    return round(v, shown + 3)


def cell_text(value: Any, fmt: str, lang: Lang, scale: float = 1.0) -> str:
    """A cell as text in ``lang``."""
    if isinstance(value, Bi):
        return value.text(lang)
    if fmt == "bool":
        return lang("common.yes") if value else lang("common.no")
    if value is None or isinstance(value, str):
        return "" if value is None else value
    num = cell_number(value, fmt, scale)
    if num is None:
        return lang.num(float(value)) if isinstance(value, (int, float)) and math.isinf(float(value)) else ""
    if fmt == "pct":
        return lang.q("share", num)
    return lang.num(num, FORMATS.get(fmt) or 0)


def header_text(column: Column, lang: Lang, unit: str | None = None) -> str:
    """Header with its unit in brackets (``装机容量 [MW]``); a header starting with ``@`` is literal text."""
    unit_key = column.unit if unit is None else unit
    head = column.header[1:] if column.header.startswith("@") else lang(column.header)
    return f"{head} [{lang(unit_key)}]" if unit_key else head


# --- builders ---------------------------------------------------------------------------------------------


def summary_table(doc: dict[str, Any], results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset) -> Table:
    """Headline numbers without and with the targets, and their difference."""
    cases = {"without": (doc["reference"], reference), "with": (doc["enforced"], results)}
    kind = inputs["kind"].values.astype(str)

    def grid(ds: xr.Dataset, k: str) -> float:
        return float(ds["generation_mwh_per_yr"].values[kind == k].sum())

    items: list[tuple[str, str, str, float | str, Any]] = [
        ("total_cost", MONEY_UNIT, "num1", MONEY, lambda s, d: s["total_cost_cny_per_yr"]),
        ("cost_per_mwh", "unit.cny_per_mwh", "num1", 1.0, lambda s, d: s["cost_per_mwh_consumed_cny"]),
        ("consumption", "unit.gwh_per_yr", "num0", 1e3, lambda s, d: s["consumption_mwh_per_yr"]),
        ("peak_demand", "unit.mw", "num0", 1.0, lambda s, d: s["peak_demand_mw"]),
        ("new_energy_share", "unit.percent", "pct", 1.0, lambda s, d: s["new_energy_share"]),
        ("imports", "unit.gwh_per_yr", "num0", 1e3, lambda s, d: grid(d, n.IMPORT)),
        ("imports_share", "unit.percent", "pct", 1.0, lambda s, d: grid(d, n.IMPORT) / s["consumption_mwh_per_yr"]),
        ("exports", "unit.gwh_per_yr", "num0", 1e3, lambda s, d: grid(d, n.EXPORT)),
        ("co2_direct", "unit.kt_per_yr", "num0", 1e3, lambda s, d: s["emissions_t_per_yr"].get("co2", 0.0)),
        ("co2_imports", "unit.kt_per_yr", "num0", 1e3, lambda s, d: s["imported_co2_t_per_yr"]),
        ("co2_consumption", "unit.kt_per_yr", "num0", 1e3,
         lambda s, d: (s.get("co2_ledgers_t_per_yr") or {}).get("consumption", math.nan)),
        ("co2_per_mwh_consumed", "unit.t_per_mwh", "num3", 1.0,
         lambda s, d: (s.get("co2_ledgers_t_per_yr") or {}).get("consumption", math.nan) / s["consumption_mwh_per_yr"]),
        ("trade_value", MONEY_UNIT, "num1", MONEY,
         lambda s, d: (s.get("exchange") or {}).get("export_revenue_cny_per_yr", math.nan)
         - (s.get("exchange") or {}).get("import_cost_cny_per_yr", math.nan)),
        ("unserved", "unit.mwh_per_yr", "num0", 1.0, lambda s, d: s["unserved_mwh_per_yr"]),
        ("mean_price", "unit.cny_per_mwh", "num1", 1.0, lambda s, d: s["price_cny_per_mwh"]["demand_weighted"]),
    ]
    rows = []
    for key, unit, fmt, scale, get in items:
        vals = {c: float(get(*cases[c])) / (1.0 if scale == MONEY else float(scale)) for c in cases}
        rows.append({"item": bi(f"summary.{key}"), "without": vals["without"], "with": vals["with"],
                     "difference": vals["with"] - vals["without"], "unit": bi(unit),
                     "_fmt": {"without": fmt, "with": fmt, "difference": fmt},
                     **({"_scale": dict.fromkeys(("without", "with", "difference"), MONEY)} if scale == MONEY
                        else {})})
    columns = [Column("item", "col.indicator", fmt="text"), Column("without", "case.without"),
               Column("with", "case.with"), Column("difference", "col.difference"),
               Column("unit", "col.unit", fmt="text")]
    return Table("summary", "section.key_numbers", columns, rows)


def _level_fmt(kind: str) -> tuple[str, str, float]:
    """Format, unit key and divisor of a target's level by kind."""
    family = n.target_family(kind)
    if family in (n.SHARE, n.MARGIN):
        return "pct", "unit.percent", 1.0
    if family == n.CAPACITY:
        return "num0", "unit.mw", 1.0
    if family == n.ENERGY:
        return "num0", "unit.gwh_per_yr", 1e3
    return "num0", "unit.kt_per_yr", 1e3


def targets_table(doc: dict[str, Any], inputs: xr.Dataset, names: Names) -> Table:
    """One row per target: level, without policy, with targets, verdict, shadow price, costs."""
    rows = []
    cons = float(doc["enforced"]["consumption_mwh_per_yr"])
    for t in doc["targets"]:
        fmt, unit, scale = _level_fmt(t["kind"])
        titles = Bi(*(target_title(inputs, t, names, Lang(code)) for code in LANGS))
        cost = t.get("cost_alone_cny_per_yr")
        cost = float(cost) if cost is not None and math.isfinite(float(cost)) else math.nan  # not computed: n/a
        rows.append({
            "target": titles, "label": Bi(*(target_label(t, Lang(code)) for code in LANGS)), "mode": bi(f"mode.{t['mode']}"),
            "level": t["level"] / scale, "reference_value": t["reference_value"] / scale,
            "value": t["value"] / scale, "unit": bi(unit), "verdict": bi(f"verdict_short.{verdict_class(t)}"),
            "shadow_price": t["shadow_price"], "price_unit": bi(f"price_unit.{t['kind']}"),
            "cost_alone": cost, "cost_per_mwh": cost / cons if cons else math.nan,
            "_fmt": {"level": fmt, "reference_value": fmt, "value": fmt},
        })
    columns = [Column("target", "col.target", fmt="text"), Column("label", "col.scenario_label", fmt="text"),
               Column("mode", "col.mode", fmt="text"), Column("level", "col.level", fmt="num0"),
               Column("reference_value", "case.without"), Column("value", "case.with"),
               Column("unit", "col.unit", fmt="text"), Column("verdict", "col.verdict", fmt="text"),
               Column("shadow_price", "col.shadow_price", fmt="num1"),
               Column("price_unit", "col.unit", fmt="text"),
               Column("cost_alone", "col.cost_alone", MONEY_UNIT, "num1", MONEY),
               Column("cost_per_mwh", "col.cost_per_mwh", "unit.cny_per_mwh", "num2")]
    return Table("targets", "section.targets", columns, rows)


def technologies_table(results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset, names: Names) -> Table:
    """Per technology: capacity without/with targets, new build, output, full-load hours, curtailment, LCOE."""
    tech = technology_table(results, inputs)
    ref = reference["capacity_mw"].to_series()
    group = dict(zip(tech.index, chart_data.electricity_group(inputs)))
    rows = []
    for g, r in tech.iterrows():
        built = r["capacity_mw"] >= 1.0 and r["kind"] != n.STORAGE  # full-load hours of storage or of nothing: none
        produced = abs(r["generation_mwh_per_yr"]) >= 1.0
        rows.append({"name": bi_names(str(g), names), "id": str(g), "group": bi_names(group[g], names, "group"),
                     "existing": r["existing_mw"], "without": ref[g], "with": r["capacity_mw"],
                     "new": r["new_capacity_mw"], "energy": r["energy_capacity_mwh"],
                     "output": r["generation_mwh_per_yr"] if r["kind"] != n.BOILER else None,  # heat, not electricity
                     "flh": r["full_load_hours"] if built else None,
                     "curtailed": r["curtailed_mwh_per_yr"], "curtailment": r["curtailment_share"],
                     "cost": r["cost_cny_per_yr"],
                     "lcoe": r["lcoe_cny_per_mwh"] if produced and r["kind"] not in (n.STORAGE, n.EXPORT) else None})
    columns = [Column("name", "col.technology", fmt="text"), Column("id", "col.id", fmt="text", report=False),
               Column("group", "col.group", fmt="text", report=False),
               Column("existing", "col.existing", "unit.mw"), Column("without", "col.capacity_without", "unit.mw"),
               Column("with", "col.capacity_with", "unit.mw"), Column("new", "col.new_capacity", "unit.mw"),
               Column("energy", "col.storage_energy", "unit.mwh", report=False),
               Column("output", "col.output", "unit.gwh_per_yr", "num0", 1e3),
               Column("flh", "col.full_load_hours", "unit.h", "num0"),
               Column("curtailed", "col.curtailed", "unit.gwh_per_yr", "num1", 1e3, report=False),
               Column("curtailment", "col.curtailment_share", "unit.percent", "pct"),
               Column("cost", "col.cost", MONEY_UNIT, "num1", MONEY, report=False),
               Column("lcoe", "col.lcoe", "unit.cny_per_mwh", "num1")]
    return Table("technologies", "section.technologies", columns, rows)


def fuels_table(doc: dict[str, Any], names: Names) -> Table:
    """Per fuel supply: use against the annual and hourly limits, value of more supply, CO2."""
    rows = []
    for f, r in doc["enforced"]["fuels"].items():
        unit = Bi(*(Lang(code).get(f"fuel_unit.{r['unit']}", r["unit"]) for code in LANGS))
        limit = r.get("limit_per_yr")
        rows.append({"name": bi_names(f, names, "fuel"), "unit": unit, "use": r["use_per_yr"],
                     "limit": limit if limit is not None else math.inf,
                     "share": (r["use_per_yr"] / limit) if limit else None, "peak": r["peak_use_per_h"],
                     "limit_h": r["limit_per_h"] if r.get("limit_per_h") is not None else math.inf,
                     "value": r["value_of_more_supply_cny_per_unit"], "co2": r["co2_t_per_yr"]})
    columns = [Column("name", "col.fuel", fmt="text"), Column("unit", "col.unit", fmt="text"),
               Column("use", "col.use_per_yr"), Column("limit", "col.limit_per_yr"),
               Column("share", "col.use_of_limit", "unit.percent", "pct"), Column("peak", "col.peak_per_h"),
               Column("limit_h", "col.limit_per_h"), Column("value", "col.value_more", "unit.cny_per_unit", "num1"),
               Column("co2", "col.co2", "unit.kt_per_yr", "num0", 1e3)]
    return Table("fuels", "section.fuels", columns, rows)


def emissions_table(results: xr.Dataset, reference: xr.Dataset, names: Names) -> Table:
    """Emissions by pollutant and source (each fuel, and CO2 in imported electricity), without and with targets."""
    without, with_ = chart_data.emissions(reference), chart_data.emissions(results)
    rows = []
    for p in with_.index:
        for src in with_.columns:
            a, b = float(without.loc[p, src]), float(with_.loc[p, src])
            if p != "co2" and src == "imports":
                continue
            what = bi("series.co2_imports") if src == "imports" else bi_names(src, names, "fuel")
            rows.append({"pollutant": bi(f"pollutant.{p}"), "source": what, "without": a, "with": b,
                         "difference": b - a})
        rows.append({"pollutant": bi(f"pollutant.{p}"), "source": bi("common.total_direct"),
                     "without": float(without.loc[p].drop("imports").sum()),
                     "with": float(with_.loc[p].drop("imports").sum()),
                     "difference": float(with_.loc[p].drop("imports").sum() - without.loc[p].drop("imports").sum())})
    columns = [Column("pollutant", "col.pollutant", fmt="text"), Column("source", "col.source", fmt="text"),
               Column("without", "case.without", "unit.t_per_yr"), Column("with", "case.with", "unit.t_per_yr"),
               Column("difference", "col.difference", "unit.t_per_yr")]
    return Table("emissions", "section.emissions", columns, rows)


def costs_table(results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset) -> Table:
    """Annual cost by category without and with targets; the rows sum to the total system cost."""
    without = chart_data.cost_breakdown(reference, inputs)
    with_ = chart_data.cost_breakdown(results, inputs)
    rows = [{"category": bi(f"cost.{c}"), "without": without[c], "with": with_[c], "difference": with_[c] - without[c]}
            for c in with_.index]
    rows.append({"category": bi("common.total"), "without": float(without.sum()), "with": float(with_.sum()),
                 "difference": float(with_.sum() - without.sum())})
    columns = [Column("category", "col.category", fmt="text"),
               Column("without", "case.without", MONEY_UNIT, "num1", MONEY),
               Column("with", "case.with", MONEY_UNIT, "num1", MONEY),
               Column("difference", "col.difference", MONEY_UNIT, "num1", MONEY)]
    return Table("costs", "section.costs", columns, rows)


def hourly_columns(frame: pd.DataFrame, inputs: xr.Dataset, names: Names) -> list[tuple[str, Bi, str]]:
    """Header (both languages) and unit key of each column of ``hourly.csv`` (see :func:`energy_model.workflows.run.hourly_table`)."""
    techs = list(inputs[n.TECH].values.astype(str))
    out = []
    for col in frame.columns:
        base, unit = col, "unit.mw"
        for suffix, u in (("_mw_th", "unit.mw_th"), ("_mw", "unit.mw"), ("_cny_per_mwh", "unit.cny_per_mwh"),
                          ("_h_per_yr", "unit.h_per_yr"), ("_hours", "unit.h")):
            if col.endswith(suffix):
                base, unit = col[: -len(suffix)], u
                break
        part = ""
        for p in ("_charge", "_discharge", "_heat"):
            if base.endswith(p) and base[: -len(p)] in techs:
                base, part = base[: -len(p)], p[1:]
                break
        if base in techs:
            head = Bi(*(Lang(code)(f"hourly.{part or 'output'}", what=names.technology(base, Lang(code)))
                        for code in LANGS))
        else:
            head = bi(f"hourly.{base}")
        out.append((col, head, unit if unit else ""))
    return out


def aggregation_table(doc: dict[str, Any], names: Names) -> Table | None:
    """Aggregated against full horizon for the same case (``--check-full``); None when not checked.

    Rows: the objective, every technology's capacity, storage energy, the
    new-energy share, the annual figures (CO2 on both ledgers, imports,
    exports, curtailed energy, every fuel burnt) and every target's shadow
    price; the error column is relative (capacities and annual figures: to
    max(|full value|, the floor in summary.json)).
    """
    check = (doc.get("aggregation") or {}).get("check_full")
    if not check:
        return None
    rows: list[dict[str, Any]] = []

    def add(item: Bi, a: float, f: float, unit: str | Bi, fmt: str, scale: float | str, err: float | None) -> None:
        div = 1.0 if scale == MONEY else float(scale)
        rows.append({"item": item, "aggregated": a / div, "full": f / div, "difference": (a - f) / div,
                     "error": err if err is not None else float("nan"),
                     "unit": unit if isinstance(unit, Bi) else bi(unit),
                     "_fmt": {"aggregated": fmt, "full": fmt, "difference": fmt},
                     **({"_scale": dict.fromkeys(("aggregated", "full", "difference"), MONEY)} if scale == MONEY
                        else {})})

    o = check["objective"]
    add(bi("aggregation.objective"), o["aggregated_cny_per_yr"], o["full_cny_per_yr"], MONEY_UNIT,
        "num1", MONEY, o["relative_error"])
    for g, c in check["capacity_mw"].items():
        if max(abs(c["aggregated"]), abs(c["full"])) >= 0.5:  # rows of technologies neither answer builds are left out
            add(bi_names(g, names), c["aggregated"], c["full"], "unit.mw", "num0", 1.0, c["relative_error"])
    for g, c in check["energy_capacity_mwh"].items():
        if max(abs(c["aggregated"]), abs(c["full"])) >= 0.5:
            add(Bi(*(f"{names.technology(g, Lang(code))} ({Lang(code)('unit.mwh')})" for code in LANGS)),
                c["aggregated"], c["full"], "unit.mwh", "num0", 1.0, c["relative_error"])
    s = check["new_energy_share"]
    add(bi("summary.new_energy_share"), s["aggregated"], s["full"], "unit.percent", "pct", 1.0, None)
    fuels = (doc.get("enforced") or {}).get("fuels") or {}
    for k, c in (check.get("annual") or {}).items():
        label = Bi(*(annual_label(k, names, Lang(code)) for code in LANGS))
        if k.startswith(FUEL_KEY):
            if max(abs(c["aggregated"]), abs(c["full"])) < 0.5:  # a fuel neither answer burns
                continue
            trade = str((fuels.get(k.removeprefix(FUEL_KEY)) or {}).get("unit", ""))
            unit: str | Bi = Bi(*(f"{Lang(code).get(f'fuel_unit.{trade}', trade)}{Lang(code)('per.yr')}"
                                  for code in LANGS))
            add(label, c["aggregated"], c["full"], unit, "num0", 1.0, c["relative_error"])
        elif k.startswith("co2_"):
            add(label, c["aggregated"], c["full"], "unit.t_per_yr", "num0", 1.0, c["relative_error"])
        else:
            add(label, c["aggregated"], c["full"], "unit.mwh_per_yr", "num0", 1.0, c["relative_error"])
    kinds = {t["target"]: t["kind"] for t in doc.get("targets", []) if "target" in t}
    rows_by_id = {t["target"]: t for t in doc.get("targets", []) if "target" in t}
    for k, t in check["targets"].items():
        a, f = t["shadow_price_aggregated"], t["shadow_price_full"]
        label = Bi(*(Lang(code)("aggregation.shadow_price", target=target_label(rows_by_id.get(k, {"target": k}),
                                                                                 Lang(code))) for code in LANGS))
        unit = f"price_unit.{kinds[k]}" if k in kinds else "unit.cny_per_mwh"
        add(label, a, f, unit, "num1", 1.0, (a - f) / abs(f) if abs(f) > 1e-9 else None)
    columns = [Column("item", "col.item", fmt="text"), Column("aggregated", "aggregation.aggregated"),
               Column("full", "aggregation.full"), Column("difference", "col.difference"),
               Column("error", "aggregation.error", "unit.percent", "pct"), Column("unit", "col.unit", fmt="text")]
    return Table("aggregation", "section.aggregation", columns, rows)
