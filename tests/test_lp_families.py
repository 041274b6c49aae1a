"""One hand-solved LP per constraint family; each optimum is computed in the docstring."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import SIMPLEX, inputs, tech

from energy_model.engine.checks import check_results
from energy_model.engine.extract import extract_results
from energy_model.engine.highs import solve_model
from energy_model.errors import InfeasibleError
from energy_model.io.schema import TargetSpec
from energy_model.model import build_model


def solve(ds):
    m = build_model(ds)
    sol = solve_model(m, SIMPLEX)
    res = extract_results(m, sol, ds)
    check_results(res, ds)
    return res


def fixed(mw: float) -> dict[str, float]:
    return {"existing_mw": mw, "max_mw": mw}


def gen(res, name: str) -> np.ndarray:
    return res["dispatch_mw"].sel(technology=name).values


def test_merit_order_and_prices():
    """PV 15 MW (free, cf a_t) and gas 20 MW (50 CNY/MWh), demand 10 MW.

    PV_t = min(10, 15 a_t) = [10, 7.5, 3, 0]; gas = [0, 2.5, 7, 10];
    cost = 50 x 19.5 = 975 CNY (weight 1); price = [0, 50, 50, 50].
    """
    ds = inputs(
        [tech("pv", "variable", profile="pv", **fixed(15)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50, **fixed(20))],
        [10, 10, 10, 10], cf={"pv": [1, 0.5, 0.2, 0]}, hour_weight=1.0,
    )
    res = solve(ds)
    np.testing.assert_allclose(gen(res, "pv"), [10, 7.5, 3, 0], atol=1e-6)
    np.testing.assert_allclose(gen(res, "gas"), [0, 2.5, 7, 10], atol=1e-6)
    np.testing.assert_allclose(res["price_cny_per_mwh"].values, [0, 50, 50, 50], atol=1e-6)
    np.testing.assert_allclose(res["curtailment_mw"].sel(technology="pv").values, [5, 0, 0, 0], atol=1e-6)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(975.0)


def test_screening_curve_expansion():
    """Four hours standing for 2,190 h each: demand 100 MW in one, 50 MW in three.

    Base: 200 CNY/kW-yr annualised (capex 200, 1-yr life, r=0), 20 CNY/MWh.
    Peak: 50 CNY/kW-yr, 80 CNY/MWh. Break-even = 150,000/60 = 2,500 h > 2,190 h,
    so peak covers the top 50 MW. Cost = 10 + 2.5 + 50x8760x20/1e6 (8.76)
    + 50x2190x80/1e6 (8.76) = 30.02 million CNY. All-base would cost 30.95 M.
    """
    ds = inputs(
        [tech("base", "thermal", fuel="natural_gas", efficiency=1.0, capex_cny_per_kw=200, vom_cny_per_mwh=20),
         tech("peak", "thermal", fuel="natural_gas", efficiency=1.0, capex_cny_per_kw=50, vom_cny_per_mwh=80)],
        [100, 50, 50, 50],
    )
    res = solve(ds)
    cap = res["capacity_mw"].to_series()
    assert cap["base"] == pytest.approx(50, abs=1e-6)
    assert cap["peak"] == pytest.approx(50, abs=1e-6)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(30.02e6, rel=1e-9)
    costs = res["cost_cny_per_yr"].to_series()
    assert costs["capex"] == pytest.approx(12.5e6, rel=1e-9)
    assert costs["vom"] == pytest.approx(17.52e6, rel=1e-9)


def test_storage_asymmetric_efficiencies():
    """Battery 10 MW / 5 MWh, eta_c 0.9, eta_d 0.8; demand [0, 10]; free PV 20 MW in hour 1 only.

    Charge 5/0.9 MWh, store 5 MWh, deliver 5 x 0.8 = 4 MWh; gas 6 MWh at 100 CNY
    -> 600 CNY. Swapped efficiencies would deliver 4.5 MWh and cost 550 CNY.
    """
    ds = inputs(
        [tech("pv", "variable", profile="pv", **fixed(20)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=100, **fixed(50)),
         tech("bat", "storage", existing_mwh=5, max_mwh=5, charge_efficiency=0.9, discharge_efficiency=0.8,
              **fixed(10))],
        [0, 10], cf={"pv": [1, 0]}, hour_weight=1.0,
    )
    res = solve(ds)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(600.0)
    np.testing.assert_allclose(res["storage_level_mwh"].sel(technology="bat").values, [5, 0], atol=1e-6)
    np.testing.assert_allclose(res["storage_discharge_mw"].sel(technology="bat").values, [0, 4], atol=1e-6)
    np.testing.assert_allclose(gen(res, "gas"), [0, 6], atol=1e-6)


def test_storage_sizing_duration_limits():
    """Energy capacity is bounded by duration x power: 4 h at most.

    Demand [0, 0, 10, 10]; free PV 40 MW in hours 1-2 only; gas 10,000 CNY/MWh (200,000 for 20 MWh).
    Battery power 10 CNY/kW-yr, energy 1 CNY/kWh-yr, lossless, max 4 h:
    20 MWh must shift -> E = 20 MWh, P = 10 MW (P >= E/4 = 5, P >= 10 for the
    hourly discharge). Cost = 10 x 10,000 + 20 x 1,000 = 120,000 CNY.
    """
    ds = inputs(
        [tech("pv", "variable", profile="pv", **fixed(40)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=10_000, **fixed(50)),
         tech("bat", "storage", capex_cny_per_kw=10, capex_cny_per_kwh=1, charge_efficiency=1.0,
              discharge_efficiency=1.0, max_duration_h=4)],
        [0, 0, 10, 10], cf={"pv": [1, 1, 0, 0]}, hour_weight=1.0,
    )
    res = solve(ds)
    assert res["capacity_mw"].sel(technology="bat").item() == pytest.approx(10, abs=1e-6)
    assert res["energy_capacity_mwh"].sel(technology="bat").item() == pytest.approx(20, abs=1e-6)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(120_000.0)


def test_chp_with_heat_demand():
    """CHP (eta_e 0.4, 1 MWh heat per MWh) vs boiler (eta 0.9) vs imports at 200 CNY/MWh; gas 100 CNY/MWh_th.

    Electricity 50 MW both hours; heat [100, 20] MW_th.
    Hour 1: CHP 50 MW_e (net 250 - 111.1 = 138.9 < 200), boiler 50 MW_th.
    Hour 2: CHP 20 MW_e (heat-led), import 30 MW.
    Cost = 12,500 + 5,555.56 + 5,000 + 6,000 = 29,055.56 CNY.
    Prices: electricity [138.9, 200], heat [111.1, 50].
    """
    gas = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
           "price_cny_per_unit": 100.0}
    ds = inputs(
        [tech("chp", "chp", fuel="natural_gas", efficiency=0.4, heat_to_power=1.0, **fixed(100)),
         tech("boiler", "boiler", fuel="natural_gas", efficiency=0.9, **fixed(200)),
         tech("imp", "import", vom_cny_per_mwh=200, **fixed(200))],
        [50, 50], heat=[100, 20], fuels=[gas], hour_weight=1.0,
    )
    res = solve(ds)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(12_500 + 50 / 0.9 * 100 + 5_000 + 6_000)
    np.testing.assert_allclose(gen(res, "chp"), [50, 20], atol=1e-6)
    np.testing.assert_allclose(gen(res, "boiler"), [50, 0], atol=1e-6)
    np.testing.assert_allclose(gen(res, "imp"), [0, 30], atol=1e-6)
    np.testing.assert_allclose(res["price_cny_per_mwh"].values, [250 - 100 / 0.9, 200], rtol=1e-6)
    np.testing.assert_allclose(res["heat_price_cny_per_mwh"].values, [100 / 0.9, 50], rtol=1e-6)


LNG = {"fuel": "lng", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
       "price_cny_per_unit": 50.0, "max_units_per_yr": 100.0}
PIPE = {"fuel": "pipe", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
        "price_cny_per_unit": 80.0}


def lng_system(lng: dict) -> object:
    return inputs(
        [tech("ccgt", "thermal", fuel="natural_gas", efficiency=0.5, **fixed(200)),
         tech("imp", "import", vom_cny_per_mwh=150, **fixed(200))],
        [100, 100], fuels=[lng, PIPE], hour_weight=1.0,
    )


def test_lng_annual_limit_binds_with_its_value():
    """LNG (50 CNY/MWh_th, 100 MWh_th/yr) makes power at 100 CNY/MWh; pipeline gas at 160 loses to imports at 150.

    CCGT burns the 100 MWh_th of LNG -> 50 MWh; imports 150 MWh.
    Cost = 5,000 + 22,500 = 27,500. One more MWh_th of LNG saves 0.5 x 150 - 50 = 25 CNY.
    """
    res = solve(lng_system(LNG))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(27_500.0)
    use = res["fuel_use_units_per_yr"].to_series()
    assert use["lng"] == pytest.approx(100.0)
    assert use["pipe"] == pytest.approx(0.0, abs=1e-9)
    assert res["supply_limit_value_cny_per_unit"].sel(fuel="lng").item() == pytest.approx(25.0)


def test_lng_hourly_sendout_limit():
    """Hourly send-out 30 MWh_th binds before the annual 100: LNG 60, imports 170 -> 3,000 + 25,500."""
    res = solve(lng_system(LNG | {"max_units_per_h": 30.0}))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(28_500.0)
    np.testing.assert_allclose(res["fuel_use_mwh_th"].sel(fuel="lng").values, [30, 30], atol=1e-6)
    assert res["supply_limit_value_cny_per_unit"].sel(fuel="lng").item() == pytest.approx(0.0, abs=1e-9)


def test_ramp_limit_is_cyclic():
    """Coal 100 MW (10 CNY/MWh) may move 30 MW/h; demand [100, 20]; gas at 100 CNY/MWh.

    Coal <= 20 in hour 2 and |c1 - c2| <= 30 -> coal [50, 20], gas [50, 0].
    Cost = 700 + 5,000 = 5,700 CNY.
    """
    ds = inputs(
        [tech("coal", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=10, ramp_rate_per_h=0.3,
              **fixed(100)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=100, **fixed(100))],
        [100, 20], hour_weight=1.0,
    )
    res = solve(ds)
    np.testing.assert_allclose(gen(res, "coal"), [50, 20], atol=1e-6)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(5_700.0)


def test_min_stable_load_relaxation():
    """Min stable load 0.5 of ONLINE capacity: online [100, 40] lets coal follow [100, 20]? No: 20 < 0.5 x online
    needs online <= 40, which is allowed (relaxed commitment). Coal serves everything: 120 x 10 = 1,200."""
    ds = inputs(
        [tech("coal", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=10, min_stable_load=0.5,
              **fixed(100)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=100, **fixed(100))],
        [100, 20], hour_weight=1.0,
    )
    res = solve(ds)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(1_200.0)
    online = res["online_mw"].sel(technology="coal").values
    assert online[1] <= 40 + 1e-6 and gen(res, "coal")[1] >= 0.5 * online[1] - 1e-6


@pytest.mark.parametrize(
    ("share", "expected", "dual"),
    [(None, 10_000.0, None), (0.25, 11_000.0, 20.0), (0.30, 11_200.0, 20.0)],
)
def test_share_target_cost_and_dual(share, expected, dual):
    """Demand 100 MWh in each of 2 h; PV 60 MW, cf [1, 0], 70 CNY/MWh; gas 50 CNY/MWh.

    No target: gas only, 10,000. Share s needs 200 s MWh of PV at +20 CNY/MWh:
    25 % -> 11,000; 30 % -> 11,200 (the PV maximum, 60 MWh). Dual = 20 CNY/MWh.
    """
    targets = {} if share is None else {"re": TargetSpec(kind="min_share", carriers=["solar"], share=share)}
    ds = inputs(
        [tech("pv", "variable", profile="pv", carrier="solar", vom_cny_per_mwh=70, **fixed(60)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50)],
        [100, 100], cf={"pv": [1, 0]}, targets=targets, hour_weight=1.0,
    )
    res = solve(ds)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(expected)
    if dual is not None:
        assert res["target_shadow_price"].item() == pytest.approx(dual)
        assert res["target_value"].item() == pytest.approx(share)
        pv = gen(res, "pv").sum()
        assert pv / 200.0 == pytest.approx(share)


def test_share_target_above_maximum_is_infeasible():
    """31 % needs 62 MWh of PV but at most 60 MWh exist."""
    ds = inputs(
        [tech("pv", "variable", profile="pv", carrier="solar", vom_cny_per_mwh=70, **fixed(60)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50)],
        [100, 100], cf={"pv": [1, 0]}, hour_weight=1.0,
        targets={"re": TargetSpec(kind="min_share", carriers=["solar"], share=0.31)},
    )
    with pytest.raises(InfeasibleError):
        solve(ds)


def test_unserved_energy_at_value_of_lost_load():
    """No supply at all: 2 h x 10 MW unserved at 100,000 CNY/MWh = 2 million CNY."""
    ds = inputs([tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, **fixed(0))], [10, 10],
                hour_weight=1.0)
    res = solve(ds)
    np.testing.assert_allclose(res["unserved_mw"].values, [10, 10])
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(2.0e6)
    np.testing.assert_allclose(res["price_cny_per_mwh"].values, [1e5, 1e5])


def test_emission_cap_dual():
    """Coal (0.34 t/MWh_th, 20 CNY/MWh) vs gas (0.2 t/MWh_th, 60 CNY/MWh), both eta 1; demand 100 MWh in 1 h.

    Cap 26 t: coal c, gas 100 - c, 0.34c + 0.2(100 - c) <= 26 -> c <= 42.86.
    Cost = 20 c + 60 (100 - c); dual = 40 / 0.14 = 285.7 CNY/t.
    """
    fuels = [
        {"fuel": "coal", "carrier": "coal", "unit": "MWh", "energy_mwh_per_unit": 1.0, "price_cny_per_unit": 20.0,
         "co2_t_per_mwh_th": 0.34},
        {"fuel": "gas", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
         "price_cny_per_unit": 60.0, "co2_t_per_mwh_th": 0.2},
    ]
    ds = inputs(
        [tech("coal_plant", "thermal", fuel="coal", efficiency=1.0, **fixed(100)),
         tech("gas_plant", "thermal", fuel="natural_gas", efficiency=1.0, **fixed(100))],
        [100, 100], fuels=fuels, hour_weight=0.5,
        targets={"co2": TargetSpec(kind="max_emissions", value_t=26.0)},
    )
    res = solve(ds)
    c = 6 / 0.14
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(20 * c + 60 * (100 - c))
    assert res["target_shadow_price"].item() == pytest.approx(40 / 0.14)
    assert res["target_value"].item() == pytest.approx(26.0)


@pytest.mark.parametrize(("startup", "expected"), [(1000.0, 13_000.0), (100.0, 8_200.0)])
def test_startup_cost_makes_min_stable_load_bind(startup, expected):
    """Coal 100 MW (10 CNY/MWh, min load 0.5, startup s CNY/MW) and gas (100 CNY/MWh); demand [100, 20, 100], cyclic.

    In hour 2 coal may run at most 20 MW, so its online capacity u <= 40. Keeping u = U in hours 1 and 3
    costs (U - 40) x s in startups and saves 2 x (100 - 10) = 180 CNY per MW of U in fuel.
    s = 1000: U = 40 -> coal 40 + 20 + 40, gas 60 + 0 + 60 -> 1,000 + 12,000 = 13,000 CNY.
    s = 100:  U = 100 -> coal 220 MWh (2,200) + 60 MW started (6,000) = 8,200 CNY.
    """
    ds = inputs(
        [tech("coal", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=10, min_stable_load=0.5,
              startup_cost_cny_per_mw=startup, **fixed(100)),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=100, **fixed(100))],
        [100, 20, 100], hour_weight=1.0,
    )
    res = solve(ds)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(expected)
    assert res["cost_cny_per_yr"].sel(component="startup").item() == pytest.approx(expected - (
        1_000 + 12_000 if startup > 180 else 2_200), abs=1e-6)
