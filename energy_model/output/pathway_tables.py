"""The pathway's trajectory tables, shared by its report and workbook (bilingual :class:`~.tables.Table`).

Every table is built from the pathway document (:func:`energy_model.output.pathway_doc.pathway_summary`)
and, where a figure needs the Datasets (cost by category, names), the per-period Results and ModelInputs.
Values are in user units (MW, MWh/yr, t/yr, CNY/yr, CNY); a period's column is keyed ``p<year>``.
Money that is not per year (the discounted costs, the present value) is shown as 亿元 / M CNY and written
to the workbook in CNY: such cells are listed in a row's ``_total_money`` or sit in a column whose unit is
:data:`TOTAL_MONEY_UNIT` (see :func:`workbook_rows`).

The "against reality" table compares each period with published figures given as a DataFrame with
columns ``year``, ``item``, ``value``, ``unit``, ``source_id`` (``grade`` optional). An item is matched, in
this order, to a technology id (capacity), a display group or carrier (capacity summed), a fuel id
(annual use in its trading unit) or one of :data:`FIGURES`; the published unit is converted with
:data:`UNIT_FACTORS` and the model's value shown in that unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.output import chart_data
from energy_model.output import tables as tb
from energy_model.output.glossary import target_label
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.tables import MONEY, MONEY_UNIT, Bi, Column, Table, bi, bi_names

#: Kinds left out of the capacity tables and totals: grid exchange (not plant) and heat-only boilers (MW_th).
NOT_PLANT = (n.IMPORT, n.EXPORT, n.BOILER)
#: Unit key of money that is not per year (亿元 / M CNY in the report, CNY in the workbook).
TOTAL_MONEY_UNIT = "pathway.unit.money"
#: Capacity below this in every period is not shown [MW].
SHOWN_MW = 0.5
#: Published units: quantity and the factor to the model's base unit (MW, fraction, MWh, t, m3).
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "MW": ("power", 1.0), "GW": ("power", 1e3), "kW": ("power", 1e-3), "万千瓦": ("power", 10.0),
    "%": ("share", 0.01), "fraction": ("share", 1.0), "-": ("share", 1.0), "share": ("share", 1.0),
    "MWh": ("energy", 1.0), "GWh": ("energy", 1e3), "TWh": ("energy", 1e6), "kWh": ("energy", 1e-3),
    "万千瓦时": ("energy", 10.0), "亿千瓦时": ("energy", 1e5),
    "t": ("mass", 1.0), "kt": ("mass", 1e3), "Mt": ("mass", 1e6), "万吨": ("mass", 1e4),
    "m3": ("volume", 1.0), "万立方米": ("volume", 1e4), "亿立方米": ("volume", 1e8),
}
#: Named pathway figures a published item may be: key -> (quantity, document key of the period).
FIGURES: dict[str, tuple[str, str]] = {
    "new_energy_share": ("share", "new_energy_share"),
    "co2_production": ("mass", "co2_production_t_per_yr"), "co2_consumption": ("mass", "co2_consumption_t_per_yr"),
    "imports": ("energy", "imports_mwh_per_yr"), "exports": ("energy", "exports_mwh_per_yr"),
}


def _key(year: int) -> str:
    return f"p{year}"


def _period_columns(doc: dict[str, Any], unit: str = "") -> list[Column]:
    return [Column(_key(p["year"]), f"@{p['year']}", unit) for p in doc["periods"]]


def _names(inputs: Sequence[xr.Dataset]) -> Names:
    """Names of every period's technologies and fuels (a later period's names win)."""
    names = Names(inputs[0])
    for inp in inputs[1:]:
        more = Names(inp)
        for lang in LANGS:
            names.tech[lang].update(more.tech[lang])
            names.fuel[lang].update(more.fuel[lang])
    return names


def pathway_names(inputs: Sequence[xr.Dataset]) -> Names:
    """Display names of the technologies and fuels of all periods."""
    return _names(inputs)


def plant_technologies(doc: dict[str, Any]) -> list[str]:
    """Technologies shown in the capacity tables, in input order: plant, with capacity in some period."""
    out: list[str] = []
    for p in doc["periods"]:
        kinds = p["summary"]["kind"]
        for g, v in p["capacity_mw"].items():
            shown = max(abs(v), abs(p["new_build_mw"].get(g, 0.0)), abs(p["retired_mw"].get(g, 0.0))) >= SHOWN_MW
            if kinds.get(g) not in NOT_PLANT and shown and g not in out:
                out.append(g)
    return out


def _plant_total(p: dict[str, Any], key: str) -> float:
    kinds = p["summary"]["kind"]
    return float(sum(v for g, v in p[key].items() if kinds.get(g) not in NOT_PLANT))


def _row(item: Bi, values: dict[str, float], unit: Bi, fmt: str, scale: float | str, **extra: Any) -> dict[str, Any]:
    div = 1.0 if scale == MONEY else float(scale)
    row: dict[str, Any] = {"item": item, "unit": unit, **{k: v / div for k, v in values.items()},
                           "_fmt": dict.fromkeys(values, fmt), **extra}
    if scale == MONEY:
        row["_scale"] = dict.fromkeys(values, MONEY)
    return row


def trajectory_table(doc: dict[str, Any], results: Sequence[xr.Dataset], inputs: Sequence[xr.Dataset],
                     names: Names) -> Table:
    """Key figures (rows) by period (columns): cost and its categories, weight, share, CO2, trade, capacity, fuels."""
    ps = doc["periods"]

    def per(get: Any) -> dict[str, float]:
        return {_key(p["year"]): float(get(p)) for p in ps}

    rows = [_row(bi("summary.total_cost"), per(lambda p: p["annual_cost_cny_per_yr"]), bi(MONEY_UNIT), "num1", MONEY)]
    costs = [chart_data.cost_breakdown(r, i) for r, i in zip(results, inputs)]
    for c in chart_data.COST_CATEGORIES:
        vals = {_key(p["year"]): float(cost.get(c, 0.0)) for p, cost in zip(ps, costs)}
        if any(abs(v) >= 0.5 for v in vals.values()):
            rows.append(_row(Bi(*(Lang(code)("pathway.item.cost_component", component=Lang(code)(f"cost.{c}"))
                                  for code in LANGS)), vals, bi(MONEY_UNIT), "num1", MONEY))
    rows += [
        _row(bi("pathway.item.weight"), per(lambda p: p["weight_yr"]), bi("pathway.unit.yr"), "num2", 1.0),
        _row(bi("pathway.item.discounted_cost"), per(lambda p: p["discounted_cost_cny"]), bi("pathway.unit.money"),
             "num1", MONEY, _total_money=[_key(p["year"]) for p in ps]),
        _row(bi("summary.consumption"), per(lambda p: p["summary"]["consumption_mwh_per_yr"]), bi("unit.gwh_per_yr"),
             "num0", 1e3),
        _row(bi("summary.new_energy_share"), per(lambda p: p["new_energy_share"]), bi("unit.percent"), "pct", 1.0),
        _row(bi("pathway.item.co2_production"), per(lambda p: p["co2_production_t_per_yr"]), bi("unit.kt_per_yr"),
             "num0", 1e3),
        _row(bi("summary.co2_consumption"), per(lambda p: p["co2_consumption_t_per_yr"]), bi("unit.kt_per_yr"),
             "num0", 1e3),
        _row(bi("summary.imports"), per(lambda p: p["imports_mwh_per_yr"]), bi("unit.gwh_per_yr"), "num0", 1e3),
        _row(bi("summary.exports"), per(lambda p: p["exports_mwh_per_yr"]), bi("unit.gwh_per_yr"), "num0", 1e3),
        _row(bi("pathway.item.capacity"), per(lambda p: _plant_total(p, "capacity_mw")), bi("unit.mw"), "num0", 1.0),
        _row(bi("pathway.item.new_build"), per(lambda p: _plant_total(p, "new_build_mw")), bi("unit.mw"), "num0", 1.0),
        _row(bi("pathway.item.retired"), per(lambda p: _plant_total(p, "retired_mw")), bi("unit.mw"), "num0", 1.0),
    ]
    fuels: list[str] = []
    for p in ps:
        fuels += [f for f in p["fuels"] if f not in fuels]
    for f in fuels:
        unit = next(p["fuels"][f]["unit"] for p in ps if f in p["fuels"])
        label = Bi(*(Lang(code)("pathway.item.fuel_use", fuel=names.fuel_name(f, Lang(code))) for code in LANGS))
        unit_text = Bi(*(Lang(code)("pathway.unit.fuel_per_yr", unit=Lang(code).get(f"fuel_unit.{unit}", unit))
                         for code in LANGS))
        rows.append(_row(label, per(lambda p, f=f: (p["fuels"].get(f) or {}).get("use_units_per_yr", math.nan)),
                         unit_text, "num0", 1.0, fuel=f))
    columns = [Column("item", "col.item", fmt="text"), *_period_columns(doc), Column("unit", "col.unit", fmt="text")]
    return Table("trajectory", "pathway.table.trajectory", columns, rows)


def _by_technology(doc: dict[str, Any], key: str, names: Names, name: str, title: str) -> Table:
    rows = [{"name": bi_names(g, names), "id": g, **{_key(p["year"]): float(p[key].get(g, 0.0)) for p in doc["periods"]}}
            for g in plant_technologies(doc)]
    rows.append({"name": bi("common.total"), "id": "",
                 **{_key(p["year"]): _plant_total(p, key) for p in doc["periods"]}})
    columns = [Column("name", "col.technology", fmt="text"), Column("id", "col.id", fmt="text", report=False),
               *_period_columns(doc, "unit.mw")]
    return Table(name, title, columns, rows)


def capacity_table(doc: dict[str, Any], names: Names) -> Table:
    """Installed capacity by technology (rows) and period (columns) [MW]."""
    return _by_technology(doc, "capacity_mw", names, "capacity", "pathway.table.capacity")


def new_build_table(doc: dict[str, Any], names: Names) -> Table:
    """Capacity built in each period by technology [MW]."""
    return _by_technology(doc, "new_build_mw", names, "new_build", "pathway.table.new_build")


def retired_table(doc: dict[str, Any], names: Names) -> Table:
    """Capacity retired in each period by technology [MW]."""
    return _by_technology(doc, "retired_mw", names, "retired", "pathway.table.retired")


def targets_table(doc: dict[str, Any]) -> Table:
    """One row per period and target: level, achieved value, met, shadow price, binding."""
    rows = []
    for p in doc["periods"]:
        for t in p["targets"]:
            fmt, unit, scale = tb._level_fmt(t["kind"])
            rows.append({"period": str(p["year"]), "target": Bi(*(target_label(t, Lang(code)) for code in LANGS)),
                         "id": t["target"], "mode": bi(f"mode.{t['mode']}") if t["mode"] else "",
                         "level": t["level"] / scale, "value": t["value"] / scale, "unit": bi(unit),
                         "met": t["met"], "shadow_price": t["shadow_price"],
                         "price_unit": bi(f"price_unit.{t['kind']}") if t["kind"] else "", "binding": t["binding"],
                         "_fmt": {"level": fmt, "value": fmt}})
    columns = [Column("period", "pathway.col.period", fmt="text"), Column("target", "col.target", fmt="text"),
               Column("id", "col.id", fmt="text", report=False), Column("mode", "col.mode", fmt="text"),
               Column("level", "col.level"), Column("value", "pathway.col.value"),
               Column("unit", "col.unit", fmt="text"), Column("met", "pathway.col.met", fmt="bool"),
               Column("shadow_price", "col.shadow_price", fmt="num1"), Column("price_unit", "col.unit", fmt="text"),
               Column("binding", "pathway.col.binding", fmt="bool")]
    return Table("targets", "pathway.table.targets", columns, rows)


def weights_table(doc: dict[str, Any]) -> Table:
    """Per period: the years it stands for, its weight W_p, annual cost and W_p x cost; the present value last."""
    rows: list[dict[str, Any]] = []
    for p in doc["periods"]:
        rows.append({"period": str(p["year"]), "years": p["years"], "weight": p["weight_yr"],
                     "cost": p["annual_cost_cny_per_yr"], "discounted": p["discounted_cost_cny"],
                     "_scale": {"cost": MONEY, "discounted": MONEY}})
    rows.append({"period": bi("pathway.item.present_value", base=doc["base_year"]), "discounted": doc["present_value_cny"],
                 "_scale": {"discounted": MONEY}})
    columns = [Column("period", "pathway.col.period", fmt="text"), Column("years", "pathway.col.years", "pathway.unit.yr"),
               Column("weight", "pathway.col.weight", "pathway.unit.yr", "num2"),
               Column("cost", "summary.total_cost", MONEY_UNIT, "num1", MONEY),
               Column("discounted", "pathway.col.discounted_cost", TOTAL_MONEY_UNIT, "num1", MONEY)]
    return Table("weights", "pathway.table.weights", columns, rows)


def inputs_table(doc: dict[str, Any]) -> Table:
    """What changes between periods: consumption, peak demand, starting fleet, cost year, carbon price."""
    ps = doc["periods"]

    def per(key: str) -> dict[str, Any]:
        return {_key(p["year"]): p["inputs"].get(key) for p in ps}

    def year_text(v: Any) -> str:
        return "" if v is None or str(v) in ("", "nan", "None") else str(v)

    rows = [
        _row(bi("summary.consumption"), per("consumption_mwh_per_yr"), bi("unit.gwh_per_yr"), "num0", 1e3),
        _row(bi("summary.peak_demand"), per("peak_demand_mw"), bi("unit.mw"), "num0", 1.0),
        {"item": bi("pathway.item.existing"), "unit": bi("unit.mw"),
         **{k: (math.nan if v is None else v) for k, v in per("existing_mw").items()}},
        {"item": bi("pathway.item.cost_year"), "unit": bi("pathway.unit.year"),
         **{k: year_text(v) for k, v in per("cost_year").items()}, "_fmt": dict.fromkeys(per("cost_year"), "text")},
        {"item": bi("pathway.item.carbon_price"), "unit": bi("unit.cny_per_t"),
         **{k: (math.nan if v is None else v) for k, v in per("carbon_price_cny_per_t").items()},
         "_fmt": dict.fromkeys(per("cost_year"), "num1")},
    ]
    columns = [Column("item", "col.item", fmt="text"), *_period_columns(doc), Column("unit", "col.unit", fmt="text")]
    return Table("inputs", "pathway.table.inputs", columns, rows)


def model_value(item: str, period: dict[str, Any], inputs: xr.Dataset) -> tuple[str, float, str] | None:
    """The model's figure for a published ``item`` in a period: (quantity, value in base unit, fuel unit).

    None when the item is no technology, group, carrier, fuel or :data:`FIGURES` key.
    """
    caps = period["capacity_mw"]
    if item in caps:
        return "power", float(caps[item]), ""
    techs = inputs[n.TECH].values.astype(str)
    kind = inputs["kind"].values.astype(str)
    groups = chart_data.electricity_group(inputs).astype(str)
    carriers = inputs["carrier"].values.astype(str)
    mask = ((groups == item) | (carriers == item)) & ~np.isin(kind, NOT_PLANT)
    if mask.any():
        return "power", float(sum(caps.get(str(g), 0.0) for g in techs[mask])), ""
    if item in period["fuels"]:
        fuel = period["fuels"][item]
        return "volume" if fuel["unit"] == "m3" else "mass", float(fuel["use_units_per_yr"]), str(fuel["unit"])
    key = item.removesuffix("_t_per_yr").removesuffix("_mwh_per_yr")
    if key in FIGURES:
        quantity, field = FIGURES[key]
        return quantity, float(period[field]), ""
    if key in ("capacity", "total_capacity"):
        return "power", _plant_total(period, "capacity_mw"), ""
    if key == "consumption":
        return "energy", float(period["inputs"]["consumption_mwh_per_yr"]), ""
    if key == "new_energy" and "new_energy" in inputs:  # capacity of the new-energy technologies (carriers.csv)
        flags = inputs["new_energy"].values.astype(bool) & ~np.isin(kind, NOT_PLANT)
        return "power", float(sum(caps.get(str(g), 0.0) for g in techs[flags])), ""
    return None


#: Catalogue key of each named figure's label.
FIGURE_LABELS = {"new_energy_share": "summary.new_energy_share", "co2_production": "pathway.item.co2_production",
                 "co2_consumption": "summary.co2_consumption", "imports": "summary.imports",
                 "exports": "summary.exports", "capacity": "pathway.item.capacity",
                 "total_capacity": "pathway.item.capacity", "consumption": "pathway.item.consumption",
                 "new_energy": "pathway.item.new_energy",
                 "new_energy_generation_part_year": "pathway.item.new_energy_generation_part_year"}


def item_label(item: str, names: Names) -> Bi | str:
    """A published item's display name in both languages: technology, group or carrier, fuel or figure."""
    if item in names.tech["en"]:
        return bi_names(item, names)
    if Lang("en").has(f"group.{item}"):  # a carrier or group (coal, gas...) before a fuel of the same id
        return bi_names(item, names, "group")
    if item in names.fuel["en"]:
        return bi_names(item, names, "fuel")
    key = item.removesuffix("_t_per_yr").removesuffix("_mwh_per_yr")
    if key in FIGURE_LABELS:
        return bi(FIGURE_LABELS[key])
    return item


def _published_fmt(unit: str) -> str:
    """Display format of a published figure by its unit: large units with one decimal, fractions with three."""
    if unit in ("%", "GW", "TWh", "Mt", "亿千瓦时", "亿立方米"):
        return "num1"
    return "num3" if UNIT_FACTORS.get(unit, ("", 0.0))[0] == "share" else "num0"


def _source(row: dict[str, Any]) -> str:
    """The published figure's source id, with the date it stands for when given (``city_wind_may_2019, 2019-05``)."""
    sid = str(row.get("source_id", "") or "")
    date = str(row.get("date", "") or "")
    return f"{sid}, {date}" if date and date not in ("nan", "None") else sid


def reality_table(doc: dict[str, Any], inputs: Sequence[xr.Dataset], published: pd.DataFrame | None,
                  names: Names | None = None) -> Table:
    """Each published figure beside the model's value of the same year, in the published unit, and the difference.

    Parameters
    ----------
    doc : dict
        The pathway document.
    inputs : sequence of xarray.Dataset
        Per-period ModelInputs (technologies' carriers and groups).
    published : pandas.DataFrame or None
        Columns ``year``, ``item``, ``value``, ``unit``, ``source_id`` and optionally ``grade`` (module docstring).
    names : Names, optional
        Display names (default: from ``inputs``).
    """
    names = names or _names(inputs)
    rows: list[dict[str, Any]] = []
    by_year = {int(p["year"]): (p, inp) for p, inp in zip(doc["periods"], inputs)}
    frame = published if published is not None else pd.DataFrame(columns=["year", "item", "value", "unit", "source_id"])
    for r in frame.to_dict(orient="records"):
        year, item, unit = int(r["year"]), str(r["item"]), str(r.get("unit", "")).strip()
        value = float(r["value"])
        model, note = math.nan, None
        if year not in by_year:
            note = bi("pathway.reality.no_period")
        else:
            found = model_value(item, *by_year[year])
            factor = UNIT_FACTORS.get(unit)
            if found is None:
                note = bi("pathway.reality.no_model")
            elif factor is None or factor[0] != found[0] or (found[2] and found[0] in ("mass", "volume")
                                                             and found[2] not in ("t", "m3")):
                note = bi("pathway.reality.unit", unit=unit)
            else:
                model = found[1] / factor[1]
        rows.append({"period": str(year), "item": item_label(item, names), "id": item, "model": model, "published": value,
                     "difference": model - value, "unit": unit, "source": _source(r),
                     "grade": "" if str(r.get("grade", "")) in ("nan", "None") else str(r.get("grade", "")),
                     "note": note if note is not None else "",
                     "_fmt": dict.fromkeys(("model", "published", "difference"), _published_fmt(unit))})
    columns = [Column("period", "pathway.col.period", fmt="text"), Column("item", "col.item", fmt="text"),
               Column("id", "col.id", fmt="text", report=False), Column("model", "pathway.col.model"), Column("published", "pathway.col.published"),
               Column("difference", "col.difference"), Column("unit", "col.unit", fmt="text"),
               Column("source", "pathway.col.source_id", fmt="text"), Column("grade", "col.grade", fmt="text"),
               Column("note", "pathway.col.note", fmt="text")]
    return Table("reality", "pathway.table.reality", columns, rows)


def pathway_tables(doc: dict[str, Any], results: Sequence[xr.Dataset], inputs: Sequence[xr.Dataset],
                   published: pd.DataFrame | None = None) -> list[Table]:
    """Every table of the pathway, in the report's order.

    ``trajectory``, ``capacity``, ``new_build``, ``retired``, ``targets``, ``weights``, ``inputs``, ``reality``.
    """
    names = _names(inputs)
    return [trajectory_table(doc, results, inputs, names), capacity_table(doc, names), new_build_table(doc, names),
            retired_table(doc, names), targets_table(doc), weights_table(doc), inputs_table(doc),
            reality_table(doc, inputs, published, names)]


def workbook_rows(table: Table) -> Table:
    """The table as the workbook writes it: money that is not per year in CNY (annual money is left to the
    run workbook's rule, CNY/yr).

    Such money is a row's ``_total_money`` cells (a list of column keys) or a column whose unit is
    :data:`TOTAL_MONEY_UNIT`.
    """
    totals = {c.key for c in table.columns if c.unit == TOTAL_MONEY_UNIT}
    columns = [Column(c.key, c.header, "pathway.unit.cny", "num0", 1.0, c.report) if c.key in totals else c
               for c in table.columns]
    rows = []
    for row in table.rows:
        keys = totals | set(row.get("_total_money", ()))
        if keys & set(row.get("_scale", {})):
            row = dict(row, _scale={k: (1.0 if k in keys else s) for k, s in row["_scale"].items()},
                       _fmt={**row.get("_fmt", {}), **dict.fromkeys(keys, "num0")})
            if row.get("_total_money") and isinstance(row.get("unit"), Bi):
                row["unit"] = bi("pathway.unit.cny")
        rows.append(row)
    return Table(table.name, table.title, columns, rows)


def period_frame(doc: dict[str, Any]) -> pd.DataFrame:
    """One row per period for spreadsheet users (``periods.csv``): weight, costs, share, CO2, trade (user units)."""
    return pd.DataFrame([{
        "period": p["year"], "years": p["years"], "weight_yr": p["weight_yr"],
        "annual_cost_cny_per_yr": p["annual_cost_cny_per_yr"], "discounted_cost_cny": p["discounted_cost_cny"],
        "consumption_mwh_per_yr": p["inputs"]["consumption_mwh_per_yr"], "new_energy_share": p["new_energy_share"],
        "co2_production_t_per_yr": p["co2_production_t_per_yr"], "co2_consumption_t_per_yr": p["co2_consumption_t_per_yr"],
        "imports_mwh_per_yr": p["imports_mwh_per_yr"], "exports_mwh_per_yr": p["exports_mwh_per_yr"],
    } for p in doc["periods"]])


def technology_frame(results: xr.Dataset) -> pd.DataFrame:
    """Capacity, new build, retirements and generation by period and technology (``technologies.csv``) [MW, MWh/yr]."""
    names = ["capacity_mw", "new_build_mw", "retired_mw", "new_build_mwh", "energy_capacity_mwh", "generation_mwh_per_yr"]
    return results[[v for v in names if v in results]].to_dataframe().reset_index()
