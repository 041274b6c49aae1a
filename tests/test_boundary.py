"""Hand-solved LPs for the city's boundary: hourly trade prices, exchange caps, self-sufficiency,
reserve margin, full-load-hour rules, imported CO2 and the two carbon ledgers.

Every system has a weight of 1 h per hour (``hour_weight=1``), so annual figures are the sums over
the four hours and costs are in CNY over those hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE_YAML as BASE
from tiny import ECON, SIMPLEX, inputs, tech

from energy_model.engine.checks import check_results
from energy_model.engine.extract import extract_results
from energy_model.engine.highs import solve_model
from energy_model.io.schema import TargetSpec
from energy_model.model import build_model
from energy_model.output.i18n import Lang
from energy_model.output.target_notes import note_texts
from energy_model.profiles.provincial_value import provincial_value_shape

DEMAND = [1.0, 2.0, 3.0, 2.0]  # MW, 8 MWh in all
#: The province shape of DEMAND alone (no renewables, no surplus): r = [0.5, 1, 1.5, 1],
#: percentiles 5/95 = 0.575/1.425, so the merit position is [-1, 0, 1, 0] and m = 1 + 0.1 x position.
ECON_SHAPE = ECON.model_copy(update={"provincial_wind_share": 0.0, "provincial_solar_share": 0.0,
                                     "provincial_must_run_share": 0.0, "provincial_merit_spread": 0.1,
                                     "provincial_surplus_floor": 0.5})


def solve(ds):
    m = build_model(ds)
    res = extract_results(m, solve_model(m, SIMPLEX), ds)
    check_results(res, ds)
    return res


def fixed(mw: float) -> dict[str, float]:
    return {"existing_mw": mw, "max_mw": mw}


def gas(vom: float, mw: float = 10.0, **kw: object) -> dict[str, object]:
    return tech("gas", "thermal", carrier="gas", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=vom,
                **fixed(mw), **kw)


def link(name: str, kind: str, price: float, mw: float = 10.0, **kw: object) -> dict[str, object]:
    return tech(name, kind, carrier="grid", vom_cny_per_mwh=price, **fixed(mw), **kw)


def out(res, name: str) -> np.ndarray:
    return res["dispatch_mw"].sel(technology=name).values


def target(res, name: str, field: str) -> float:
    return float(res[f"target_{field}"].sel(target=name))


def test_provincial_shape_by_hand() -> None:
    m = provincial_value_shape(np.array(DEMAND), np.zeros(4), np.zeros(4), wind_share=0.0, solar_share=0.0,
                               must_run_share=0.0, merit_spread=0.1, surplus_floor=0.5)
    np.testing.assert_allclose(m, [0.9, 1.0, 1.1, 1.0], atol=1e-12)
    # a surplus hour (residual below the must-run level) takes the floor, then the mean is brought back to 1
    m = provincial_value_shape(np.array(DEMAND), np.zeros(4), np.zeros(4), wind_share=0.0, solar_share=0.0,
                               must_run_share=0.6, merit_spread=0.1, surplus_floor=0.5)
    np.testing.assert_allclose(m, np.array([0.5, 1.0, 1.1, 1.0]) / 0.9, atol=1e-12)
    # wind lowers the value in windy hours: the windiest hour becomes the cheapest
    m = provincial_value_shape(np.ones(4), np.array([0.0, 0.0, 1.0, 0.0]), np.zeros(4), wind_share=0.2,
                               solar_share=0.0, must_run_share=0.0, merit_spread=0.1, surplus_floor=0.5)
    assert m.argmin() == 2 and m.mean() == pytest.approx(1.0)


def test_export_at_the_hourly_provincial_value() -> None:
    """Gas 10 MW at 95 CNY/MWh, exports paid 100 x m[t] with m = [0.9, 1, 1.1, 1].

    Exporting pays in hours 1-3 only (90 < 95 in hour 0): exports [0, 8, 7, 8] MWh, gas [1, 10, 10, 10].
    Cost = 95 x 31 - (100 x 8 + 110 x 7 + 100 x 8) = 2,945 - 2,370 = 575 CNY. A flat price of 100
    would export 32 MWh for 3,800 - 3,200 = 600 CNY.
    """
    techs = [gas(95), link("sell", "export", -100, price_profile="provincial_value")]
    ds = inputs(techs, DEMAND, hour_weight=1.0, economics=ECON_SHAPE)
    np.testing.assert_allclose(ds["price_shape"].sel(technology="sell").values, [0.9, 1.0, 1.1, 1.0], atol=1e-12)
    res = solve(ds)
    np.testing.assert_allclose(out(res, "sell"), [0, 8, 7, 8], atol=1e-6)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(575.0)
    assert float(res["cost_by_technology_cny_per_yr"].sel(technology="sell", component="vom")) == pytest.approx(-2370)
    flat = solve(inputs([gas(95), link("sell", "export", -100)], DEMAND, hour_weight=1.0, economics=ECON_SHAPE))
    assert flat.attrs["objective_cny_per_yr"] == pytest.approx(600.0)


def test_net_export_cap_and_its_shadow_price() -> None:
    """Flat export at 100 against gas at 95: 5 CNY/MWh margin. A net-export cap of 10 MWh:
    gas 18 MWh, cost 95 x 18 - 100 x 10 = 710 CNY; one more MWh of cap is worth 5 CNY."""
    cap = TargetSpec(kind="max_net_export", value_mwh=10.0)
    res = solve(inputs([gas(95), link("sell", "export", -100)], DEMAND, hour_weight=1.0,
                       targets={"net": cap}))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(710.0)
    assert out(res, "sell").sum() == pytest.approx(10.0)
    assert target(res, "net", "value") == pytest.approx(10.0)
    assert target(res, "net", "shadow_price") == pytest.approx(5.0)
    # a negative level forces net imports: at most -3 MWh net export = at least 3 MWh imported
    techs = [gas(95), link("buy", "import", 120), link("sell", "export", -100)]
    res = solve(inputs(techs, DEMAND, hour_weight=1.0,
                       targets={"net": TargetSpec(kind="max_net_export", value_mwh=-3.0)}))
    assert out(res, "buy").sum() - out(res, "sell").sum() == pytest.approx(3.0)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(95 * 5 + 120 * 3)


def test_import_cap_and_its_shadow_price() -> None:
    """Imports at 50 CNY/MWh, gas at 95; at most 3 MWh imported: 150 + 95 x 5 = 625 CNY, price 45 CNY/MWh."""
    techs = [gas(95), link("buy", "import", 50)]
    res = solve(inputs(techs, DEMAND, hour_weight=1.0, targets={"imp": TargetSpec(kind="max_import", value_mwh=3.0)}))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(625.0)
    assert target(res, "imp", "value") == pytest.approx(3.0)
    assert target(res, "imp", "shadow_price") == pytest.approx(45.0)


def test_self_sufficiency_and_its_shadow_price() -> None:
    """Local generation at least 75 % of 8 MWh: gas 6, imports 2: 570 + 100 = 670 CNY, price 45 CNY/MWh."""
    techs = [gas(95), link("buy", "import", 50)]
    res = solve(inputs(techs, DEMAND, hour_weight=1.0,
                       targets={"local": TargetSpec(kind="min_self_sufficiency", share=0.75)}))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(670.0)
    assert target(res, "local", "value") == pytest.approx(0.75)
    assert target(res, "local", "shadow_price") == pytest.approx(45.0)


@pytest.mark.parametrize(("battery_mw", "expected", "price"), [(None, 18_760.0, 30.0), (0.0, 30_760.0, 50.0)])
def test_reserve_margin_with_storage_credit(battery_mw, expected, price) -> None:
    """Peak 3 MW, margin 20 %: firm capacity of at least 3.6 MW.

    Gas 10 MW fixed with credit 0.3 gives 3 MW; 0.6 MW more is needed. A peaker (40 CNY/kW-yr,
    credit 0.8) costs 50 CNY per firm kW; a battery (10 CNY/kW + 5 CNY/kWh, credit 1, full credit
    with 4 h) costs 10 + 4 x 5 = 30. With the battery: 0.6 MW / 2.4 MWh = 6,000 + 12,000 CNY;
    without it: the peaker, 0.75 MW x 40,000 = 30,000 CNY. Gas energy 8 x 95 = 760 CNY either way.
    """
    battery = tech("bat", "storage", carrier="storage", capex_cny_per_kw=10.0, capex_cny_per_kwh=5.0,
                   charge_efficiency=1.0, discharge_efficiency=1.0, capacity_credit=1.0, firm_duration_h=4.0,
                   **({} if battery_mw is None else {"max_mw": battery_mw, "max_mwh": 0.0}))
    techs = [gas(95, capacity_credit=0.3),
             tech("peaker", "thermal", carrier="gas", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=1000,
                  capex_cny_per_kw=40.0, capacity_credit=0.8),
             battery]
    res = solve(inputs(techs, DEMAND, hour_weight=1.0,
                       targets={"adequacy": TargetSpec(kind="reserve_margin", margin=0.2)}))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(expected)
    assert target(res, "adequacy", "value") == pytest.approx(0.2)
    assert target(res, "adequacy", "shadow_price") == pytest.approx(price)


def test_minimum_and_maximum_full_load_hours() -> None:
    """Gas 2 MW must run 3 h/yr (6 MWh of 8) against imports at 50: 570 + 100 = 670 CNY; the rule costs
    95 - 50 = 45 CNY per MWh it forces in. Cheap gas (30) capped at 2 h (4 MWh): 120 + 200 = 320 CNY,
    20 CNY per MWh kept out."""
    res = solve(inputs([gas(95, mw=2.0, min_full_load_hours=3.0), link("buy", "import", 50)], DEMAND,
                       hour_weight=1.0))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(670.0)
    assert float(res["full_load_hours_price_cny_per_mwh"].sel(technology="gas")) == pytest.approx(45.0)
    res = solve(inputs([gas(30, mw=2.0, max_full_load_hours=2.0), link("buy", "import", 50)], DEMAND,
                       hour_weight=1.0))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(320.0)
    assert float(res["full_load_hours_price_cny_per_mwh"].sel(technology="gas")) == pytest.approx(20.0)


def test_imported_co2_price_and_the_two_ledgers() -> None:
    """Imports at 50 CNY/MWh with 0.5 t/MWh, carbon 100 CNY/t, gas at 95 with no CO2.

    Unpriced: imports serve all 8 MWh (400 CNY); production ledger 0 t, consumption ledger 4 t.
    Priced: imports cost 100 > 95, so gas serves it (760 CNY) and both ledgers are 0.
    """
    econ = ECON.model_copy(update={"carbon_price_cny_per_t": 100.0})
    techs = [gas(95), link("buy", "import", 50, co2_t_per_mwh=0.5)]
    res = solve(inputs(techs, DEMAND, hour_weight=1.0, economics=econ))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(400.0)
    assert float(res["co2_production_t_per_yr"]) == pytest.approx(0.0)
    assert float(res["co2_consumption_t_per_yr"]) == pytest.approx(4.0)
    priced = econ.model_copy(update={"price_imported_co2": True})
    res = solve(inputs(techs, DEMAND, hour_weight=1.0, economics=priced))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(760.0)
    assert out(res, "buy").sum() == pytest.approx(0.0)


def test_exports_leave_at_the_local_intensity() -> None:
    """Gas burning a fuel of 0.5 t/MWh_th at efficiency 1 exports 32 MWh of 40 made: production 20 t,
    exports carry 32 x 0.5 = 16 t, so the consumption ledger holds 4 t (the 8 MWh consumed)."""
    fuel = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
            "price_cny_per_unit": 0.0, "co2_t_per_mwh_th": 0.5}
    res = solve(inputs([gas(95), link("sell", "export", -100)], DEMAND, hour_weight=1.0, fuels=[fuel]))
    assert float(res["co2_production_t_per_yr"]) == pytest.approx(20.0)
    assert float(res["co2_exported_t_per_yr"]) == pytest.approx(16.0)
    assert float(res["co2_consumption_t_per_yr"]) == pytest.approx(4.0)


def test_each_targets_cost_is_estimated_on_typical_days_when_full_solves_are_not_asked(monkeypatch) -> None:
    """Six identical days: typical days reproduce them exactly, so the estimate equals the full-horizon cost.

    PV 0.5 cf by day, wind 0.4 flat, both expandable against gas at 95 CNY/MWh; a wind and a solar
    capacity target are each missed without policy. The estimate (2 typical days of 6) must equal the
    costs of the full horizon computed with each_alone=True, and be labelled as an estimate.
    """
    from tiny import system

    from energy_model.analysis import target_test as tt
    from energy_model.engine.study import Study

    monkeypatch.setitem(tt.ESTIMATE_CHANGES, "aggregation.periods", 2)
    monkeypatch.setitem(tt.ESTIMATE_CHANGES, "aggregation.extremes", [])
    day_pv = [0.0] * 6 + [0.5] * 12 + [0.0] * 6
    techs = [gas(95, mw=100.0),
             tech("pv", "variable", carrier="solar", profile="pv", capex_cny_per_kw=2000.0),
             tech("wind", "variable", carrier="wind", profile="wind", capex_cny_per_kw=3000.0)]
    targets = {"wind_gw": TargetSpec(kind="min_capacity", technologies=["wind"], value_mw=10.0),
               "pv_gw": TargetSpec(kind="min_capacity", technologies=["pv"], value_mw=20.0)}
    case = system(techs, [10.0] * 144, cf={"pv": day_pv * 6, "wind": [0.4] * 144}, targets=targets,
                  solver=SIMPLEX)
    study = Study(case)
    estimated = tt.run_target_test(study, each_alone=False)
    exact = tt.run_target_test(Study(case), each_alone=True)
    # only the estimate's costs are read: its cases after the first start from the last optimal basis
    log = [e for e in study.timings.log if e["label"].endswith("on typical days")]
    assert [e["warm_start"] for e in log] == [False, True, True, True]
    est = estimated.table.set_index("target")
    full = exact.table.set_index("target")
    for k in targets:
        assert est.loc[k, "cost_alone_cny_per_yr"] == pytest.approx(full.loc[k, "cost_alone_cny_per_yr"], rel=1e-7)
        assert est.loc[k, "cost_alone_basis"] == tt.ESTIMATE_BASIS
        assert full.loc[k, "cost_alone_basis"] == "full"
    info = estimated.table.attrs["cost_alone_estimate"]
    assert info["relative_error"] == pytest.approx(0.0, abs=1e-7)
    note = next(x for x in estimated.notes if x["note"] == "cost_alone_estimated")
    assert note["typical_days"] == 2 and note["relative_error"] == pytest.approx(0.0, abs=1e-7)
    assert "estimated on 2 typical days (" in note_texts([note], Lang("en"))[0]
    # the costs are the hand values: 10 MW x 3,000 and 20 MW x 2,000 CNY/kW (1-yr life, r = 0) less the gas saved
    saved_wind = 10 * 0.4 * 8760 * 95
    saved_pv = 20 * 0.5 * 8760 / 2 * 95
    assert est.loc["wind_gw", "cost_alone_cny_per_yr"] == pytest.approx(10_000 * 3000 - saved_wind, rel=1e-7)
    assert est.loc["pv_gw", "cost_alone_cny_per_yr"] == pytest.approx(20_000 * 2000 - saved_pv, rel=1e-7)


def test_trade_prices_from_a_series_by_hand() -> None:
    """The hand case of the provincial value with the export series given as a file would give it:
    prices [90, 100, 110, 100] -> mean 100 (vom -100), shape [0.9, 1, 1.1, 1]; 575 CNY as above."""
    from tiny import system

    from energy_model.inputs.assemble import assemble_case

    techs = [gas(95), link("sell", "export", -100, price_profile="trade_prices")]
    case = system(techs, DEMAND, hour_weight=1.0).evolve(price_series={"sell": np.array([90.0, 100.0, 110.0, 100.0])})
    res = solve(assemble_case(case))
    np.testing.assert_allclose(out(res, "sell"), [0, 8, 7, 8], atol=1e-6)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(575.0)


def _price_file(hours: int, imp: float = 280.0, exp: float = 270.0, step: float = 1.0) -> str:
    stamps = pd.date_range("2021-01-01", periods=hours, freq="h")
    rows = [f"{t:%Y-%m-%d %H:%M},{imp + step * (t.hour % 4):g},{exp + 2 * step * (t.hour % 4):g}" for t in stamps]
    return "time,grid_import,grid_export\n" + "\n".join(rows) + "\n"


def test_trade_price_file_sets_each_rows_mean_and_shape(project) -> None:
    """48 hours, import 280 + (h mod 4), export 270 + 2 (h mod 4): means 281.5 and 273."""
    from energy_model.inputs.load import build_model_inputs

    project.data("prices.csv", _price_file(48))
    ds = build_model_inputs(project.scenario(BASE + "trade_prices: {file: ../data/prices.csv}\n"))
    assert float(ds["vom_cny_per_mwh"].sel(technology="grid_import")) == pytest.approx(281.5)
    assert float(ds["vom_cny_per_mwh"].sel(technology="grid_export")) == pytest.approx(-273.0)
    shape = ds["price_shape"].sel(technology="grid_export").values
    np.testing.assert_allclose(shape[:4], np.array([270, 272, 274, 276]) / 273.0)
    assert ds.attrs["trade_prices_file"] == "prices.csv"


@pytest.mark.parametrize(("text", "says"), [
    (lambda: _price_file(48).replace("grid_export", "coal_usc"), "prices.csv:1: prices.csv:coal_usc: not an import"),
    (lambda: _price_file(48).replace("2021-01-01 05:00,281,", "2021-01-01 05:00,-281,"),
     "prices.csv:7: prices.csv:2021-01-01 05:00.grid_import: must be between 0 and 5000 CNY/MWh"),
    (lambda: _price_file(47), "the file has 47 hours but the horizon has 48"),
    (lambda: _price_file(48, imp=0.28, exp=0.27, step=0.001), "is this CNY/kWh?"),
], ids=["not_a_trade_row", "negative_price", "short_file", "kwh_prices"])
def test_bad_trade_price_files_are_input_errors(project, capsys, text, says) -> None:
    from energy_model.cli import main as cli

    project.data("prices.csv", text())
    before = project.snapshot()
    scenario = project.scenario(BASE + "trade_prices: {file: ../data/prices.csv}\n")
    assert cli.main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert says in err, err
    assert "Traceback" not in err
    assert {k: v for k, v in project.snapshot().items() if not k.startswith("scenarios")} == \
        {k: v for k, v in before.items() if not k.startswith("scenarios")}


def test_verdicts_name_a_target_met_through_the_others_and_count_the_targets_that_need_policy() -> None:
    from energy_model.output.i18n import Lang
    from energy_model.output.verdicts import status_text, verdict_class

    def row(ref_met: bool, price: float, mode: str = "enforce") -> dict[str, object]:
        return {"mode": mode, "met_without_enforcement": ref_met, "met": True, "shortfall": 0.0,
                "shadow_price": price, "binding": abs(price) > 1e-6}

    rows = [row(False, 1151.6), row(False, 302.1), row(False, 0.0), row(False, 0.0, "report")]
    assert [verdict_class(r) for r in rows] == ["cost", "cost", "consequence", "report_met"]
    doc = {"target_status": "met_with_enforcement", "targets": rows}
    assert status_text(doc, Lang("en")) == "met with enforcement: 3 of 3 enforced targets need policy"
    assert status_text(doc, Lang("zh")) == "3项强制目标中有3项需政策推动方可实现"
    doc["targets"] = [row(True, 0.0), row(False, 10.0)]
    assert status_text(doc, Lang("en")) == "met with enforcement: 1 of 2 enforced targets need policy"


def test_trade_in_value_and_on_the_bill() -> None:
    """Imports capped at 3 MWh at 50 CNY/MWh: cost 150 CNY in the system cost; on the bill at the
    391 CNY/MWh benchmark they would be 3 x 391 = 1,173 CNY, a transfer never in the objective."""
    from energy_model.analysis.metrics import exchange

    techs = [gas(95), link("buy", "import", 50)]
    ds = inputs(techs, DEMAND, hour_weight=1.0, targets={"imp": TargetSpec(kind="max_import", value_mwh=3.0)})
    trade = exchange(solve(ds), ds)
    assert trade["imports_mwh_per_yr"] == pytest.approx(3.0)
    assert trade["import_cost_cny_per_yr"] == pytest.approx(150.0)
    assert trade["import_price_cny_per_mwh"] == pytest.approx(50.0)
    assert trade["bill_at_benchmark_cny_per_yr"] == pytest.approx(3 * 391.0)
