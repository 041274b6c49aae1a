"""The numbers behind every chart, the message catalogue and number formats: pure tests (no browser).

Chart data are checked against the Results they come from (balances, sums,
full width of the duration curve); the catalogue against the code that uses it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energy_model import vocabulary as n
from energy_model.output import chart_data as cd
from energy_model.output.charts import CHARTS, render_charts
from energy_model.output.i18n import LANGS, Lang, Names, catalogue, display_width
from energy_model.output.writers import open_netcdf, write_csv

PACKAGE = Path(__file__).resolve().parent.parent / "energy_model"


@pytest.fixture(scope="module")
def run(quick_week_run: Path) -> dict:
    folder = quick_week_run
    return {"res": open_netcdf(folder / "results.nc"), "ref": open_netcdf(folder / "reference.nc"),
            "inp": open_netcdf(folder / "inputs.nc"), "folder": folder}


# --- chart data ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [8760, 336, 7, 1])
def test_price_duration_spans_every_hour(hours: int):
    """The curve runs from rank 0 to rank hours-1 (the full width), sorted, and is thinned to at most 1,500 points."""
    price = np.random.default_rng(1).gamma(2.0, 150.0, hours)
    x, y = cd.price_duration(price)
    assert x[0] == 0 and x[-1] == hours - 1
    assert len(x) == min(hours, cd.DURATION_POINTS)
    assert (np.diff(x) > 0).all() and (np.diff(y) <= 0).all()
    assert y[0] == price.max() and y[-1] == price.min()
    np.testing.assert_array_equal(y, np.sort(price)[::-1][x.astype(int)])


def test_hourly_supply_groups_sum_to_demand(run):
    frame = cd.hourly_supply_by_group(run["res"], run["inp"])
    supply = frame.drop(columns="demand_mw").sum(axis=1)
    np.testing.assert_allclose(supply, frame["demand_mw"], atol=1e-3 * frame["demand_mw"].max() * 1e-2)
    assert (frame["exports"] <= 0).all() and "heat" not in frame.columns
    wind = run["inp"]["carrier"].values.astype(str) == "wind"
    np.testing.assert_allclose(frame["wind"], run["res"]["dispatch_mw"].values[wind].sum(0))


def test_week_windows(run):
    res, inp = run["res"], run["inp"]
    weeks = cd.week_windows(res, inp)
    a, b = weeks["peak_demand"]
    assert b - a == cd.WEEK_H and a <= int(np.argmax(inp["demand_mw"].values)) < b
    wind = inp["carrier"].values.astype(str) == "wind"
    avail = res["available_mw"].values[wind].sum(0)
    lo, hi = weeks["low_wind"]
    sums = [avail[i:i + cd.WEEK_H].sum() for i in range(len(avail) - cd.WEEK_H + 1)]
    assert hi - lo == cd.WEEK_H and avail[lo:hi].sum() == pytest.approx(min(sums))
    short = inp.isel(time=slice(0, 100))
    assert cd.week_windows(res.isel(time=slice(0, 100)), short) == {"peak_demand": (0, 100), "low_wind": (0, 100)}


def test_cost_breakdown_sums_to_the_objective(run):
    for case in ("res", "ref"):
        costs = cd.cost_breakdown(run[case], run["inp"])
        assert list(costs.index) == list(cd.COST_CATEGORIES)
        assert costs.sum() == pytest.approx(run[case].attrs["objective_cny_per_yr"], rel=1e-9)
        assert costs["export_revenue"] <= 0 <= costs["imports"]


def test_emissions_by_fuel_and_imports(run):
    frame = cd.emissions(run["res"])
    assert list(frame.index) == list(n.POLLUTANTS)
    direct = run["res"]["emissions_t_per_yr"].sum(n.FUEL).to_series()
    np.testing.assert_allclose(frame.drop(columns="imports").sum(axis=1), direct[frame.index])
    assert frame.loc["co2", "imports"] == pytest.approx(float(run["res"]["imported_co2_t_per_yr"].sum()))
    assert (frame.loc[["so2", "nox", "pm"], "imports"] == 0).all()


def test_fuel_limits_against_the_annual_use(run):
    res, inp = run["res"], run["inp"]
    uses = {u.fuel: u for u in cd.fuel_limits(res, inp)}
    assert "lng" in uses and "coal" not in uses and "biomass" not in uses  # straw: an annual limit only
    lng = uses["lng"]
    assert lng.limit_per_h == pytest.approx(float(inp["max_units_per_h"].sel(fuel="lng")))
    assert lng.limit_per_yr == pytest.approx(float(inp["max_units_per_yr"].sel(fuel="lng")))
    for f, u in uses.items():
        assert u.cumulative[-1] == pytest.approx(float(res["fuel_use_units_per_yr"].sel(fuel=f)), rel=1e-6, abs=1e-6)
        assert not u.daily and len(u.time) == inp.sizes[n.TIME]  # a 336-hour horizon is drawn hour by hour


def test_curtailment_by_month(run):
    res, inp = run["res"], run["inp"]
    frame = cd.curtailment_by_month(res, inp)
    var = inp["kind"].values.astype(str) == n.VARIABLE
    assert list(frame.index) == ["2021-01"]
    total = np.nan_to_num(res["curtailment_mw"].values[var]).clip(min=0).sum() / 1000.0
    assert frame.drop(columns="share").to_numpy().sum() == pytest.approx(total, abs=1e-9)
    assert ((frame["share"] >= 0) & (frame["share"] <= 1)).all()


def test_capacity_with_and_without_targets(run):
    frame = cd.capacity_with_without(run["res"], run["ref"], run["inp"])
    for g in frame.index:
        assert frame.loc[g, "with_targets_mw"] == pytest.approx(float(run["res"]["capacity_mw"].sel(technology=g)))
        assert frame.loc[g, "without_targets_mw"] == pytest.approx(float(run["ref"]["capacity_mw"].sel(technology=g)))
    assert not {"grid_import", "grid_export", "gas_boiler"} & set(frame.index)


def test_monthly_supply_matches_consumption(run):
    data = cd.collect(run["res"], run["ref"], run["inp"])
    assert data.monthly["demand"].sum() == pytest.approx(float(run["inp"]["demand_mw"].sum()) / 1000.0)
    assert data.monthly.drop(columns="demand").sum(axis=1).iloc[0] == pytest.approx(data.monthly["demand"].iloc[0],
                                                                                     rel=1e-6)
    assert data.hours == 336 and set(data.weeks) == {"peak_demand", "low_wind"}


def test_every_chart_renders_in_both_languages(run):
    """Each chart is an inline SVG with a viewBox, a title in its language and text (not glyph paths)."""
    data = cd.collect(run["res"], run["ref"], run["inp"])
    names = Names(run["inp"])
    for code in LANGS:
        charts = render_charts(data, Lang(code), names)
        assert list(charts) == list(CHARTS)
        for name, svg in charts.items():
            assert svg.startswith("<svg") and 'viewBox="' in svg and "<text" in svg, name
            assert "<?xml" not in svg and 'width="' not in svg.split(">", 1)[0]
    zh = render_charts(data, Lang("zh"), names)
    assert "装机容量" in zh["capacity"] and "陆上风电" in zh["capacity"] and "边际成本" in zh["price"]


# --- catalogue and formats ------------------------------------------------------------------------------


def test_catalogue_has_both_languages_and_the_plans_terms():
    messages = catalogue()["messages"]
    for key, entry in messages.items():
        assert set(entry) == set(LANGS), key
        text = re.sub(r"\{[a-z_]+\}", "", entry["zh"])
        assert re.search(r"[\u4e00-\u9fff]", text) or not re.search(r"[A-Za-z]{4,}", text) \
            or key in ("lang.name",), f"{key}: the Chinese text has no Chinese"
    zh = " ".join(e["zh"] for e in messages.values())
    for term in ("风电装机", "光伏装机", "新能源发电量占全市用电量", "影子价格", "弃风弃光", "装机容量", "发电量", "用电量",
                 "边际成本", "度电成本", "不可行", "目标", "碳排放", "储能"):
        assert term in zh, term


def test_every_message_the_code_names_exists():
    """Literal keys in the package and its templates (lang("..."), t('...'), bi("...")) are in the catalogue."""
    messages = catalogue()["messages"]
    pattern = re.compile(r"""(?:\blang|\bt|\bbi|\bzh|\ben|Lang\([^)]*\))\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
    used = set()
    for path in list((PACKAGE / "output").rglob("*.py")) + list((PACKAGE / "output" / "templates").glob("*.html")):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100
    missing = sorted(k for k in used if k not in messages)
    assert not missing, missing


@pytest.mark.parametrize(("code", "quantity", "value", "text"), [
    ("zh", "power", 6000.0, "600万千瓦"), ("en", "power", 6000.0, "6,000 MW"),
    ("zh", "money", 261.2e6, "2.61亿元"), ("en", "money", 261.2e6, "261.2 M CNY"),
    ("en", "money", 15.57e9, "15.57 bn CNY"), ("zh", "energy", 42.45e6, "424.5亿千瓦时"),
    ("en", "energy", 42.45e6, "42.45 TWh"), ("zh", "mass", 17.11e6, "1,711万吨"), ("en", "mass", 0.00097, "0 t"),
    ("zh", "share", 0.25, "25.0%"), ("en", "price", -0.04, "0.0 CNY/MWh"), ("zh", "volume_m3", 1e9, "10.00亿立方米"),
])
def test_quantities_in_the_plans_units(code: str, quantity: str, value: float, text: str):
    assert Lang(code).q(quantity, value) == text


def test_display_width_counts_chinese_double():
    assert display_width("风电 wind") == 9


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_for_zh_excel(tmp_path: Path):
    frame = pd.DataFrame({"name": ["滨海港LNG", "动力煤"], "use_per_yr": [0.00097, 7226999.3],
                          "cost_cny_per_yr": [1.70829e9, 2.5e3], "share": [3e-17, 0.25]})
    write_csv(frame, tmp_path / "x.csv", index=False)
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "滨海港LNG".encode() in raw
    text = raw.decode("utf-8-sig")
    assert "e+" not in text and "e-" not in text
    assert text.splitlines()[1] == "滨海港LNG,0,1708290000,0"  # LNG below the column's precision is 0
    back = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig")
    assert back["cost_cny_per_yr"].dtype.kind in "if" and back.loc[1, "share"] == 0.25


def test_a_cost_alone_that_was_not_computed_is_not_reported_as_zero(run):
    """Full years skip each target alone unless --each-target: the sentence says so, no '0 CNY/yr'."""
    import json

    from energy_model.output.i18n import Lang, Names
    from energy_model.output.verdicts import target_verdict

    inputs = run["inp"]
    doc = json.loads((run["folder"] / "summary.json").read_text(encoding="utf-8"))
    row = dict(doc["targets"][0]) | {"met_without_enforcement": False, "mode": "enforce",
                                            "cost_alone_cny_per_yr": float("nan"), "shadow_price": 12.5}
    for code, words in (("en", "was not computed"), ("zh", "本次未计算")):
        cls, text = target_verdict(inputs, row, Names(inputs), Lang(code), 1e6)
        assert cls == "cost" and words in text and "0 CNY/yr" not in text
    row["cost_alone_cny_per_yr"] = 2.5e8
    cls, text = target_verdict(inputs, row, Names(inputs), Lang("en"), 1e6)
    assert "was not computed" not in text and "250" in text
