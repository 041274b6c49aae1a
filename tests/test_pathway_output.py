"""The pathway's output layer: summary document, trajectory tables, charts, report and workbook.

Three periods are made from one solve of ``scenarios/example_day.yaml``: 2020 is the solve, 2025 adds
500 MW of utility PV and retires 600 MW of existing coal at 1.1 times the cost, 2030 adds 1,500 MW of
offshore wind at 1.2 times the cost with 30 % less CO2 on the production ledger. The output layer reads
per-period Datasets only, so these stand in for the multi-period LP's answer.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import PROJECT
from openpyxl import load_workbook

from energy_model.analysis.metrics import summary
from energy_model.output.i18n import Lang
from energy_model.output.pathway_doc import PathwayFigures, pathway_summary
from energy_model.output.pathway_report import render_pathway_report
from energy_model.output.pathway_tables import pathway_tables, reality_table
from energy_model.output.pathway_workbook import write_pathway_workbook
from energy_model.output.report import html_table
from energy_model.output.writers import write_json

PERIODS = (2020, 2025, 2030)
WEIGHTS = (5.0, 4.0, 3.0)


@pytest.fixture(scope="module")
def solved() -> tuple[xr.Dataset, xr.Dataset]:
    """One solve of the example day: its enforced Results and ModelInputs."""
    from energy_model.api import open_study, run_target_test

    study = open_study(PROJECT / "scenarios" / "example_day.yaml")
    test = run_target_test(study)
    assert test.enforced is not None
    return test.enforced, study.inputs


@pytest.fixture(scope="module")
def periods(solved: tuple[xr.Dataset, xr.Dataset]) -> tuple[list[xr.Dataset], list[xr.Dataset]]:
    """Three periods' Results and ModelInputs (module docstring)."""
    res, inp = solved
    r1 = res.copy(deep=True)
    r1["capacity_mw"].loc["utility_pv"] += 500.0
    r1["capacity_mw"].loc["coal_existing"] -= 600.0
    r1.attrs["objective_cny_per_yr"] = 1.1 * float(res.attrs["objective_cny_per_yr"])
    r2 = r1.copy(deep=True)
    r2["capacity_mw"].loc["offshore_wind"] += 1500.0
    r2.attrs["objective_cny_per_yr"] = 1.2 * float(res.attrs["objective_cny_per_yr"])
    r2["co2_production_t_per_yr"] = r2["co2_production_t_per_yr"] * 0.7
    inputs = []
    for year in PERIODS:
        i = inp.copy(deep=True)
        i.attrs["cost_year"] = year
        inputs.append(i)
    return [res, r1, r2], inputs


def _doc(periods: tuple[list[xr.Dataset], list[xr.Dataset]], **extra: Any) -> dict[str, Any]:
    figures = {"foresight": "perfect", "discount_rate": 0.05, "weights": WEIGHTS, "years": (5, 5, 5),
               "scenario": "three_periods", "title": "Three periods <b>test</b>"} | extra
    return pathway_summary(PERIODS, *periods, figures)


@pytest.fixture(scope="module")
def doc(periods: tuple[list[xr.Dataset], list[xr.Dataset]]) -> dict[str, Any]:
    return _doc(periods)


# --- the summary document ---------------------------------------------------------------------------------


def test_present_value_is_the_weighted_sum_of_annual_costs(doc: dict[str, Any], solved: Any) -> None:
    cost = float(solved[0].attrs["objective_cny_per_yr"])
    assert [p["annual_cost_cny_per_yr"] for p in doc["periods"]] == pytest.approx([cost, 1.1 * cost, 1.2 * cost])
    assert doc["present_value_cny"] == pytest.approx((5.0 + 4.0 * 1.1 + 3.0 * 1.2) * cost)
    assert [p["discounted_cost_cny"] for p in doc["periods"]] == pytest.approx([5.0 * cost, 4.4 * cost, 3.6 * cost])
    assert doc["weights_yr"] == [5.0, 4.0, 3.0] and doc["base_year"] == 2020 and doc["foresight"] == "perfect"


def test_document_is_written_as_summary_json(doc: dict[str, Any], tmp_path: Path) -> None:
    write_json(doc, tmp_path / "summary.json")
    back = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert back["present_value_cny"] == pytest.approx(doc["present_value_cny"])
    assert back["periods"][1]["retired_mw"]["coal_existing"] == pytest.approx(600.0)
    assert [p["year"] for p in back["periods"]] == [2020, 2025, 2030]


def test_given_annual_costs_and_present_value_are_used(periods: Any) -> None:
    out = _doc(periods, annual_cost_cny_per_yr=[1e9, 2e9, 3e9], present_value_cny=5e9 + 8e9 + 9e9)
    assert out["present_value_cny"] == 22e9
    assert out["periods"][1]["annual_cost_cny_per_yr"] == 2e9


def test_a_present_value_that_is_not_the_weighted_sum_is_refused(periods: Any) -> None:
    with pytest.raises(ValueError, match="present value 1 CNY is not sum W_p"):
        _doc(periods, annual_cost_cny_per_yr=[1e9, 2e9, 3e9], present_value_cny=1.0)
    with pytest.raises(ValueError, match="weights has 2 values for 3 periods"):
        _doc(periods, weights=(1.0, 1.0))
    with pytest.raises(ValueError, match="unknown key"):
        PathwayFigures.of({"foresight": "perfect", "discount_rate": 0.0, "weights": [1.0], "wieghts": 1})


def test_new_build_and_retirements_are_the_capacity_differences(doc: dict[str, Any], solved: Any) -> None:
    first, second, third = doc["periods"]
    built_2020 = solved[0]["new_capacity_mw"].to_series()
    assert first["new_build_mw"]["onshore_wind"] == pytest.approx(float(built_2020["onshore_wind"]))
    assert first["new_build_mw"]["onshore_wind"] > 1000  # the example day builds wind for its target
    assert sum(first["retired_mw"].values()) == 0.0
    assert second["new_build_mw"]["utility_pv"] == pytest.approx(500.0)
    assert second["retired_mw"]["coal_existing"] == pytest.approx(600.0)
    assert sum(second["new_build_mw"].values()) == pytest.approx(500.0)
    assert third["new_build_mw"]["offshore_wind"] == pytest.approx(1500.0)
    assert sum(third["retired_mw"].values()) == 0.0


def test_given_new_build_wins_and_retirements_balance_the_capacity(periods: Any) -> None:
    out = _doc(periods, new_build_mw=[None, {"utility_pv": 800.0}, None])
    second = out["periods"][1]
    assert second["new_build_mw"]["utility_pv"] == 800.0
    assert second["retired_mw"]["utility_pv"] == pytest.approx(300.0)  # 800 built, net +500: 300 retired
    assert second["retired_mw"]["coal_existing"] == pytest.approx(600.0)


def test_period_figures_are_the_plain_runs(doc: dict[str, Any], periods: Any) -> None:
    results, inputs = periods
    for p, res, inp in zip(doc["periods"], results, inputs):
        plain = summary(res, inp)
        assert json.dumps(p["summary"], sort_keys=True, default=str) == json.dumps(plain, sort_keys=True, default=str)
        assert p["new_energy_share"] == plain["new_energy_share"] and 0.2 < p["new_energy_share"] < 1.0
        assert p["co2_production_t_per_yr"] == pytest.approx(float(res["co2_production_t_per_yr"]))
        assert p["co2_consumption_t_per_yr"] == pytest.approx(float(res["co2_consumption_t_per_yr"]))
        assert p["imports_mwh_per_yr"] == plain["exchange"]["imports_mwh_per_yr"] > 0
        assert p["cost_components_cny_per_yr"] == plain["cost_components_cny_per_yr"]
    third = doc["periods"][2]
    assert third["co2_production_t_per_yr"] == pytest.approx(0.7 * doc["periods"][0]["co2_production_t_per_yr"])
    assert third["inputs"]["cost_year"] == 2030


def test_every_fuel_is_listed_with_its_carrier_and_use(doc: dict[str, Any], solved: Any) -> None:
    res, inp = solved
    fuels = doc["periods"][0]["fuels"]
    assert set(fuels) == set(inp["fuel"].values.astype(str))
    use = res["fuel_use_units_per_yr"].to_series()
    for f, row in fuels.items():
        assert row["carrier"] == str(inp["fuel_carrier"].sel(fuel=f).values)
        assert row["use_units_per_yr"] == pytest.approx(float(use[f]), abs=1e-6 * max(float(use.max()), 1.0))
    gas = [f for f, row in fuels.items() if row["carrier"] == "natural_gas"]
    assert len(gas) == 2 and {fuels[f]["unit"] for f in gas} == {"m3", "t"}  # pipeline gas and LNG


def test_targets_of_each_period(doc: dict[str, Any], solved: Any) -> None:
    res = solved[0]
    rows = doc["periods"][0]["targets"]
    assert [t["target"] for t in rows] == list(res["target"].values.astype(str))
    assert [t["shadow_price"] for t in rows] == pytest.approx(list(res["target_shadow_price"].values))
    assert [t["level"] for t in rows] == pytest.approx(list(res["target_level"].values))
    wind = next(t for t in rows if t["target"] == "wind_capacity")
    assert wind["level"] == 6000.0 and wind["met"] and wind["binding"] and wind["shadow_price"] > 100.0


# --- tables ------------------------------------------------------------------------------------------------


def _rows(table: Any, lang: str = "en") -> dict[str, list[str]]:
    h = html_table(table, Lang(lang))
    return {r[0]: r[1:] for r in h["rows"]}


def test_trajectory_table_shows_cost_weight_and_discounted_cost(doc: dict[str, Any], periods: Any) -> None:
    tables = {t.name: t for t in pathway_tables(doc, *periods)}
    assert list(tables) == ["trajectory", "capacity", "new_build", "retired", "targets", "weights", "inputs",
                            "reality"]
    cost = doc["periods"][0]["annual_cost_cny_per_yr"]
    rows = {r["item"].en: r for r in tables["trajectory"].rows}
    assert rows["Annual system cost"]["p2025"] == pytest.approx(1.1 * cost)
    assert rows["Period weight W_p (discounted years)"]["p2030"] == 3.0
    assert rows["Discounted cost (W_p × annual cost)"]["p2030"] == pytest.approx(3.6 * cost)
    assert rows["Retirements"]["p2025"] == pytest.approx(600.0) and rows["New build"]["p2030"] == pytest.approx(1500.0)
    shown = _rows(tables["trajectory"])
    assert shown["Annual system cost"][1] == f"{1.1 * cost / 1e6:,.1f}"  # M CNY/yr in English
    assert _rows(tables["trajectory"], "zh")["年系统成本"][1] == f"{1.1 * cost / 1e8:,.2f}"  # 亿元/年 in Chinese
    assert {"of which Fuel", "CO2, production-based", "CO2, consumption-based", "Imports from the grid"} <= set(shown)
    lng_like = [k for k in shown if k.startswith("LNG")]
    assert len(lng_like) == 1 and shown[lng_like[0]][-1] == "t/yr"


def test_capacity_build_and_target_tables(doc: dict[str, Any], periods: Any) -> None:
    tables = {t.name: t for t in pathway_tables(doc, *periods)}
    cap = _rows(tables["capacity"])
    first = doc["periods"][0]["capacity_mw"]
    assert cap["Utility-scale PV"] == [f"{first['utility_pv']:,.0f}", f"{first['utility_pv'] + 500:,.0f}",
                                       f"{first['utility_pv'] + 500:,.0f}"]
    assert "Grid import" not in " ".join(cap)  # grid exchange is not plant
    assert _rows(tables["retired"])["Total"] == ["0", "600", "0"]
    assert _rows(tables["new_build"])["Total"][1:] == ["500", "1,500"]
    targets = tables["targets"].rows
    assert len(targets) == 3 * len(doc["periods"][0]["targets"])
    assert [r["period"] for r in targets if r["id"] == "wind_capacity"] == ["2020", "2025", "2030"]
    weights = _rows(tables["weights"])
    assert weights["Present value of the pathway (at 2020)"][-1] == f"{doc['present_value_cny'] / 1e6:,.1f}"


def test_against_reality_in_the_published_unit(doc: dict[str, Any], periods: Any) -> None:
    published = pd.DataFrame({"year": [2020, 2025, 2030, 2020, 2022],
                              "item": ["wind", "new_energy_share", "offshore_wind", "no_such_item", "solar"],
                              "value": [550.0, 30.0, 4.0, 1.0, 300.0],
                              "unit": ["万千瓦", "%", "GW", "MW", "万千瓦"],
                              "source_id": ["S1", "S2", "S3", "S4", "S5"], "grade": ["A", "B", "B", "C", "A"]})
    table = reality_table(doc, periods[1], published)
    rows = table.rows
    wind_mw = doc["periods"][0]["capacity_mw"]["onshore_wind"] + doc["periods"][0]["capacity_mw"]["offshore_wind"]
    assert rows[0]["model"] == pytest.approx(wind_mw / 10.0) and rows[0]["difference"] == pytest.approx(wind_mw / 10 - 550)
    assert rows[1]["model"] == pytest.approx(100.0 * doc["periods"][1]["new_energy_share"])
    assert rows[2]["model"] == pytest.approx(doc["periods"][2]["capacity_mw"]["offshore_wind"] / 1000.0)
    assert math.isnan(rows[3]["model"]) and rows[3]["note"].en == "no model figure for this item"
    assert math.isnan(rows[4]["model"]) and rows[4]["note"].en == "this year is not a period of the model"
    shown = html_table(table, Lang("zh"))["rows"]
    assert shown[0][:2] == ["2020", "风电"] and shown[0][-3:] == ["S1", "A", ""]


# --- report ------------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Ids, in-page references and the text of a page (the approach of test_report_html)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.append(value)
            elif name in ("href", "xlink:href") and value.startswith("#") and len(value) > 1:
                self.refs.append(value[1:])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def report(doc: dict[str, Any], periods: Any) -> Iterator[str]:
    published = pd.DataFrame({"year": [2020], "item": ["wind"], "value": [550.0], "unit": ["万千瓦"],
                              "source_id": ["<script>alert(1)</script>"]})
    yield render_pathway_report(doc, *periods, published=published)


def test_report_renders_both_languages_with_the_trajectory(report: str) -> None:
    page = _Page()
    page.feed(report)
    assert {k: v for k, v in Counter(page.ids).items() if v > 1} == {}
    assert set(page.refs) <= set(page.ids)
    for code in ("zh", "en"):
        for section in ("answer", "trajectory", "targets", "reality", "assumptions"):
            assert f"pathway-{section}-{code}" in page.ids
        for chart in ("capacity", "share-co2", "cost"):
            assert f"chart-pathway-{chart}-{code}" in page.ids
        for table in ("capacity", "new_build", "retired", "trajectory", "targets", "weights", "reality"):
            assert f"table-{table}-{code}" in page.ids
    text = " ".join(page.text)
    assert "2025年新建：集中式光伏50万千瓦。" in text and "2025: builds Utility-scale PV 500 MW." in text
    assert "2025年退役：现役煤电机组60万千瓦。" in text
    assert "2021年海上风电抢装潮" in text and "2021 offshore wind rush" in text
    assert "binds in 2020, 2025, 2030" in text
    assert "<script>alert" not in report and "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "Three periods &lt;b&gt;test&lt;/b&gt;" in report


def test_report_states_the_present_value_in_both_languages(report: str, doc: dict[str, Any]) -> None:
    pv = doc["present_value_cny"]
    assert f"the present value of the pathway at 2020 is {pv / 1e9:,.2f} bn CNY" in report
    assert f"整条路径的现值为{pv / 1e8:,.2f}亿元" in report


# --- workbook ----------------------------------------------------------------------------------------------


def test_workbook_has_the_sheets_with_numbers(doc: dict[str, Any], periods: Any, tmp_path: Path) -> None:
    published = pd.DataFrame({"year": [2025], "item": ["solar"], "value": [350.0], "unit": ["万千瓦"],
                              "source_id": ["=HYPERLINK(\"http://x\",\"y\")"]})
    path = tmp_path / "pathway.xlsx"
    write_pathway_workbook(path, doc, *periods, published=published)
    wb = load_workbook(path)
    assert wb.sheetnames == ["summary", "trajectory", "capacity", "new_build", "retired", "targets", "weights",
                             "inputs", "reality"]
    summary_rows = list(wb["summary"].iter_rows(values_only=True))
    assert summary_rows[5][2] == pytest.approx(doc["present_value_cny"])
    trajectory = {r[1]: r for r in wb["trajectory"].iter_rows(min_row=3, values_only=True)}
    cost = doc["periods"][0]["annual_cost_cny_per_yr"]
    assert trajectory["Annual system cost"][2:5] == pytest.approx((cost, 1.1 * cost, 1.2 * cost), rel=1e-9)
    assert trajectory["Annual system cost"][-1] == "CNY/yr"
    assert trajectory["Discounted cost (W_p × annual cost)"][4] == pytest.approx(3.6 * cost, rel=1e-9)
    assert trajectory["Discounted cost (W_p × annual cost)"][-1] == "CNY"
    weights = list(wb["weights"].iter_rows(min_row=3, values_only=True))
    assert weights[-1][-1] == pytest.approx(doc["present_value_cny"], rel=1e-9)
    retired = {r[1]: r for r in wb["retired"].iter_rows(min_row=3, values_only=True)}
    assert retired["Existing coal units (subcritical/supercritical)"][3:] == (0, 600, 0)
    reality = list(wb["reality"].iter_rows(min_row=3))
    source = reality[0][8]
    assert source.value == "=HYPERLINK(\"http://x\",\"y\")" and source.data_type == "s"  # text, not a formula
    solar = sum(doc["periods"][1]["capacity_mw"][g] for g in ("utility_pv", "rooftop_pv"))
    assert reality[0][4].value == pytest.approx(solar / 10.0)
    assert np.isclose(reality[0][6].value, solar / 10.0 - 350.0)


def test_report_without_published_figures_says_so_and_uses_given_charts(doc: dict[str, Any], periods: Any) -> None:
    drawn = {code: {k: f'<svg id="given-{k}-{code}"></svg>' for k in ("capacity", "share_co2", "cost")}
             for code in ("zh", "en")}
    page = render_pathway_report(doc, *periods, charts=drawn)
    assert "No published figures were given, so there is nothing to compare." in page
    assert "未提供公开数据，无法对照。" in page
    assert 'id="given-cost-en"' in page and "chart-pathway-cost-en" not in page  # not drawn again
    assert "2021 offshore wind rush" in page  # what the model cannot know is said either way
