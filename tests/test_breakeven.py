"""Break-even of a cost parameter for a target: hand-solved values, edge cases, a property and the CLI.

Systems and hand solutions: see ``test_targets_analysis``. On the capacity system the
wind target's dual is d(C) = C x CRF + 20 - 328.5 CNY/kW/yr while positive, so

- wind capex break-even: C* = (328.5 - 20) / CRF = 3,028.90 CNY/kW;
- gas price break-even p*: 4,380 x 1.5 x p* / 1000 = 5,000 x CRF + 20 -> p* = 80.557 CNY/MWh;
- carbon price break-even c* (gas 0.2 t/MWh): 50 + 0.2 c* = p* -> c* = 152.79 CNY/t.

On the share system at 25 % the marginal renewable MWh is wind's until wind costs less
than gas: d(v) = v - 50 CNY/MWh for a wind cost v >= 50, so v* = 50 CNY/MWh.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_frontier import short_plan_year
from test_targets_analysis import CRF, capacity_system, share_system
from tiny import system, tech

from energy_model.analysis.breakeven import PROBE, breakeven
from energy_model.cli.main import main
from energy_model.engine.study import Study
from energy_model.errors import InputError
from energy_model.io.schema import TargetSpec
from energy_model.output.run_folder import verify_run

PRICE_STAR = (5000 * CRF + 20) / (4380 * 1.5 / 1000)


def dual_at(study: Study, param: str, value: float, target: str) -> float:
    """Shadow price of ``target`` (enforced) with ``param`` at ``value``."""
    with study.changed({param: value, f"targets.{target}.mode": "enforce"}, PROBE):
        return float(study.solve("check")["target_shadow_price"].sel(target=target))


def test_capex_breakeven_by_hand():
    """C* = 3,028.90 CNY/kW; the dual is zero there and tol x CRF just beyond."""
    study = capacity_system(5000.0)
    param = "technologies.wind.capex_cny_per_kw"
    found = breakeven(study, param, "wind_cap", tol=1.0)
    star = (328.5 - 20) / CRF
    assert star == pytest.approx(3028.90, abs=0.01)
    assert found["status"] == "found" and found["direction"] == "fall"
    assert abs(found["value"] - star) <= found["tolerance"] <= 1.0
    assert found["dual_at_current"] == pytest.approx(5000 * CRF + 20 - 328.5)
    assert found["bracket"] == {"lo": 0.0, "hi": 50_000.0, "dual_lo": 0.0, "dual_hi": None}
    assert found["iterations"] <= 6  # d is linear on the binding side: the secant lands on C*
    assert dual_at(study, param, found["value"], "wind_cap") <= 1e-3
    beyond = dual_at(study, param, found["binding_side_value"], "wind_cap")
    assert 0 < beyond == pytest.approx((found["binding_side_value"] - star) * CRF, abs=1e-6)
    assert found["sentence"].startswith("wind capex must fall to 3,029 CNY/kW")
    assert study.get(param) == 5000.0  # restored


def test_fuel_price_breakeven_rises():
    """p* = 80.557 CNY/MWh, found above the current 50 inside the default bracket [0, 500]."""
    found = breakeven(capacity_system(), "fuels.gas_supply.price_cny_per_unit", "wind_cap", tol=0.01)
    assert PRICE_STAR == pytest.approx(80.557, abs=1e-3)
    assert found["status"] == "found" and found["direction"] == "rise"
    assert abs(found["value"] - PRICE_STAR) <= found["tolerance"] <= 0.01
    assert found["bracket"]["dual_lo"] > 0 and found["bracket"]["dual_hi"] == 0.0
    assert found["unit"] == "CNY/MWh"


def test_carbon_price_no_sign_change_then_found():
    """Default bracket [0, 1] CNY/t holds no break-even; [0, 1000] gives c* = 152.79 CNY/t."""
    study = capacity_system()
    param = "economics.carbon_price_cny_per_t"
    none = breakeven(study, param, "wind_cap")
    assert none["status"] == "no_sign_change" and none["value"] is None
    assert none["bracket"]["lo"] == 0.0 and none["bracket"]["hi"] == 1.0
    assert none["bracket"]["dual_hi"] > 0
    assert "still binds over the whole bracket of Carbon price from 0 to 1 CNY/t" in none["sentence"]
    found = breakeven(study, param, "wind_cap", hi=1000.0, tol=0.01)
    assert abs(found["value"] - (PRICE_STAR - 50) / 0.2) <= 0.01
    assert dual_at(study, param, found["value"], "wind_cap") <= 1e-3


def test_not_binding_at_the_current_value():
    """At C = 2,000 CNY/kW wind is built anyway: one solve, reported as already free."""
    found = breakeven(capacity_system(2000.0), "technologies.wind.capex_cny_per_kw", "wind_cap")
    assert found["status"] == "not_binding" and found["iterations"] == 1
    assert found["value"] == 2000.0 and found["dual_at_current"] == pytest.approx(0.0, abs=1e-9)
    assert "already costs nothing" in found["sentence"]


def test_share_target_breakeven_on_wind_cost():
    """d(v) = v - 50 for a wind cost v >= 50 CNY/MWh: v* = 50."""
    found = breakeven(share_system(0.25), "technologies.wind.vom_cny_per_mwh", "re", tol=0.01)
    assert found["dual_at_current"] == pytest.approx(30.0)
    assert found["status"] == "found" and abs(found["value"] - 50.0) <= 0.01
    assert found["shadow_price_unit"] == "CNY/MWh"


@st.composite
def random_capacity_case(draw: st.DrawFn) -> Study:
    """Two hours, weight 4,380: random wind profile, demand, capex and target level; gas at 30-90 CNY/MWh."""
    demand = draw(st.lists(st.floats(50.0, 150.0), min_size=2, max_size=2))
    cf = draw(st.lists(st.floats(0.05, 1.0), min_size=2, max_size=2))
    gas = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
           "price_cny_per_unit": draw(st.floats(30.0, 90.0))}
    ds = system(
        [tech("wind", "variable", profile="wind", carrier="wind", capex_cny_per_kw=draw(st.floats(100.0, 2000.0))),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0)],
        demand, fuels=[gas], cf={"wind": cf}, hour_weight=4380.0,
        targets={"w": TargetSpec(kind="min_capacity", technologies=["wind"], value_mw=draw(st.floats(1.0, 200.0)))},
    )
    return Study(ds)


@settings(max_examples=25, deadline=None)
@given(random_capacity_case())
def test_breakeven_makes_the_dual_zero(study: Study):
    """The value found leaves the dual at zero; the other end of its bracket (within tol) binds."""
    param = "technologies.wind.capex_cny_per_kw"
    found = breakeven(study, param, "w", tol=0.5)
    if found["status"] == "not_binding":
        assert found["dual_at_current"] <= 1e-3
        return
    assert found["status"] == "found"
    assert found["tolerance"] <= 0.5
    assert dual_at(study, param, found["value"], "w") <= 1e-3
    assert dual_at(study, param, found["binding_side_value"], "w") > 1e-3


def test_cli_breakeven_on_the_plan_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Utility PV capex for the 3 GW solar target (168 h, 2017 costs): a breakeven file in a verified run folder."""
    scen = short_plan_year(tmp_path)
    out = tmp_path / "results"
    assert main(["--quiet", "breakeven", str(scen), "--param", "technologies.utility_pv.capex_cny_per_kw",
                 "--target", "solar_capacity", "--tol", "20", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Utility-scale PV capex must fall to" in printed and "to cost nothing" in printed
    fname = "breakeven_technologies.utility_pv.capex_cny_per_kw_solar_capacity.json"
    doc = json.loads((out / "plan_year" / fname).read_text(encoding="utf-8"))
    assert doc["status"] == "found" and 0 < doc["value"] < doc["current_value"] == 5_500
    assert doc["tolerance"] <= 20 and doc["dual_at_current"] > 0 and doc["dual_binding_side"] > 0
    assert doc["dual_at_value"] <= 1e-3
    assert fname in verify_run(out / "plan_year")["files"]


def test_probes_below_the_plausible_magnitude_are_searched():
    """A typed capex of 6 CNY/kW is refused as a unit slip; a break-even probe there is a value to try."""
    study = capacity_system(50.0)
    with pytest.raises(InputError, match="implausible magnitude"):
        study.set("technologies.wind.capex_cny_per_kw", 6.0)
    found = breakeven(study, "technologies.wind.capex_cny_per_kw", "wind_cap", tol=0.5)
    assert found["status"] in ("found", "not_binding")
    assert all(v >= 0 for v, _ in found["evaluations"])


def test_cli_breakeven_bad_path_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    scen = short_plan_year(tmp_path)
    assert main(["--quiet", "breakeven", str(scen), "--param", "technologies.nope.capex_cny_per_kw",
                 "--target", "wind_capacity", "--out", str(tmp_path / "r")]) == 2
    assert "not a changeable path" in capsys.readouterr().err
