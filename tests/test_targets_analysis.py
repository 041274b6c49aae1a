"""Target test (items 1 and 3 of the target analysis): hand-solved costs, duals and maxima.

Two tiny systems are shared with the frontier, break-even and soft-target tests.

**Share system** (two hours, weight 1, demand 100 MW in each: 200 MWh consumed)::

    pv    40 MW fixed, cf [1, 0],      70 CNY/MWh  -> up to 40 MWh, +20 CNY/MWh over gas
    wind  60 MW fixed, cf [0.5, 0.5],  80 CNY/MWh  -> up to 60 MWh, +30 CNY/MWh over gas
    gas   unlimited,                   50 CNY/MWh

A share s needs 200 s MWh of pv + wind. Least cost takes pv first:
reference (no target) = 200 x 50 = 10,000 CNY, share 0 %;
s <= 20 %: cost 10,000 + 20 x 200 s, dual 20 CNY/MWh;
s >= 20 %: cost 10,800 + 30 x (200 s - 40), dual 30 CNY/MWh;
25 % -> 11,100 (dual 30); 30 % -> 11,400 (dual 30); 15 % -> 10,600 (dual 20);
maximum (40 + 60) / 200 = 50 % exactly; 51 % infeasible.

**Capacity system** (two hours standing for a year, weight 4,380 h each)::

    wind  new build only, cf [1, 0.5], capex C CNY/kW, fom 20 CNY/kW/yr, 20-yr life at 8 %
    gas   unlimited, efficiency 1, fuel 50 CNY/MWh; demand 100 MW in both hours

Value of 1 kW of wind = 4,380 x (1 + 0.5) x 50 / 1000 = 328.5 CNY/kW/yr (it only displaces gas).
Annualised cost = C x CRF + 20 with CRF(8 %, 20 yr) = 0.08 / (1 - 1.08^-20) = 0.1018522.
At C = 5,000: 509.26 + 20 = 529.26 CNY/kW/yr > 328.5, so no wind without a target;
a 50 MW target binds with dual 529.26 - 328.5 = 200.76 CNY/kW/yr and costs
50,000 kW x 200.76 = 10.04 M CNY/yr over the reference 4,380 x 200 x 50 = 43.8 M CNY/yr.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tiny import ECON, system, tech

from energy_model.analysis.target_test import maximum_achievable, precheck, run_target_test
from energy_model.cli.main import main
from energy_model.engine.study import Study
from energy_model.errors import InfeasibleError
from energy_model.io.schema import EconomicsSpec, TargetSpec

PROJECT = Path(__file__).resolve().parent.parent
CRF = 0.08 / (1 - 1.08 ** -20)
WIND_VALUE = 4380 * 1.5 * 50 / 1000  # CNY/kW/yr
REF_CAP_COST = 4380 * 200 * 50.0  # CNY/yr


def share_system(share: float = 0.25, mode: str = "enforce", penalty: float | None = None) -> Study:
    """The share system (module docstring) with target ``re`` at ``share``."""
    ds = system(
        [tech("pv", "variable", profile="pv", carrier="solar", vom_cny_per_mwh=70, existing_mw=40, max_mw=40),
         tech("wind", "variable", profile="wind", carrier="wind", vom_cny_per_mwh=80, existing_mw=60, max_mw=60),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50)],
        [100, 100], cf={"pv": [1, 0], "wind": [0.5, 0.5]}, hour_weight=1.0,
        targets={"re": TargetSpec(kind="min_share", label="Renewable share", carriers=["solar", "wind"],
                                  share=share, mode=mode, penalty=penalty)},
    )
    return Study(ds)


def capacity_system(capex: float = 5000.0, level: float = 50.0, mode: str = "enforce",
                    penalty: float | None = None, carbon_price: float = 0.0) -> Study:
    """The capacity system (module docstring) with target ``wind_cap`` at ``level`` MW.

    A CO2 cap ``co2`` (gas burns 0.2 t/MWh_th) is only reported, at 1 Mt/yr.
    """
    gas = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
           "price_cny_per_unit": 50.0, "co2_t_per_mwh_th": 0.2}
    econ = EconomicsSpec(discount_rate=0.08, carbon_price_cny_per_t=carbon_price,
                         value_of_lost_load_cny_per_mwh=ECON.value_of_lost_load_cny_per_mwh,
                         value_of_lost_heat_cny_per_mwh=ECON.value_of_lost_heat_cny_per_mwh)
    ds = system(
        [tech("wind", "variable", profile="wind", carrier="wind", capex_cny_per_kw=capex, fom_cny_per_kw_yr=20,
              lifetime_yr=20.0),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, lifetime_yr=20.0)],
        [100, 100], fuels=[gas], cf={"wind": [1.0, 0.5]}, hour_weight=4380.0, economics=econ,
        targets={"wind_cap": TargetSpec(kind="min_capacity", label="Wind 50 MW", technologies=["wind"],
                                        value_mw=level, mode=mode, penalty=penalty),
                 "co2": TargetSpec(kind="max_emissions", label="CO2 cap", value_t=1e6, mode="report")},
    )
    return Study(ds)


def test_share_target_test_by_hand():
    """Reference 10,000 CNY at 0 %; 25 % enforced: 11,100 CNY, dual 30 CNY/MWh, 1,100 CNY = 5.5 CNY/MWh."""
    study = share_system(0.25)
    test = run_target_test(study)
    assert test.status == "met_with_enforcement"
    assert test.reference.attrs["objective_cny_per_yr"] == pytest.approx(10_000.0)
    assert test.enforced.attrs["objective_cny_per_yr"] == pytest.approx(11_100.0)
    row = test.table.set_index("target").loc["re"]
    assert row["reference_value"] == pytest.approx(0.0, abs=1e-12)
    assert not row["met_without_enforcement"]
    assert row["value"] == pytest.approx(0.25)
    assert row["shadow_price"] == pytest.approx(30.0)
    assert row["shadow_price_unit"] == "CNY/MWh"
    assert row["binding"]
    assert row["cost_alone_cny_per_yr"] == pytest.approx(1_100.0)
    assert row["cost_alone_cny_per_mwh"] == pytest.approx(5.5)
    assert row["cost_all_cny_per_yr"] == pytest.approx(1_100.0)
    assert study.target_modes() == {"re": "enforce"}  # restored


@pytest.mark.parametrize(("share", "cost", "dual"), [(0.15, 10_600.0, 20.0), (0.25, 11_100.0, 30.0),
                                                     (0.30, 11_400.0, 30.0)])
def test_share_cost_and_dual_by_level(share: float, cost: float, dual: float):
    """15 %: 30 MWh pv (+600); 25 %: 40 pv + 10 wind (+800 + 300); 30 %: 40 pv + 20 wind (+800 + 600)."""
    study = share_system()
    study.set("targets.re.level", share)
    res = study.solve("level")
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(cost)
    assert res["target_shadow_price"].item() == pytest.approx(dual)
    assert res["target_value"].item() == pytest.approx(share)


def test_maximum_achievable_is_exact():
    """(40 + 60) / 200 = 50 %, stopped by both capacity caps."""
    study = share_system(0.25)
    best, limits = maximum_achievable(study, "re")
    assert best == pytest.approx(0.5, abs=1e-12)
    assert limits == ["pv capped at 40 MW", "wind capped at 60 MW"]
    assert study.target_modes() == {"re": "enforce"}


def test_above_maximum_is_diagnosed_with_the_maximum():
    """51 % needs 102 MWh of 100 available: pre-check and LP diagnosis both give the 50 % maximum."""
    study = share_system(0.51)
    assert precheck(study.inputs)[0].startswith("infeasible: target 're' needs 0.00 TWh/yr")
    with pytest.raises(InfeasibleError) as info:
        run_target_test(study)
    exc = info.value
    assert exc.exit_code == 3
    assert exc.diagnosis[0] == ("Renewable share (51.0%) needs 0.00 TWh/yr; with pv capped at 40 MW, wind capped at "
                                "60 MW the maximum is 50.0% (0.00 TWh/yr)")
    assert "(50.0%)" in exc.diagnosis[-1]  # the pre-check: 100 MWh of 200 at most
    assert exc.target_test.status == "infeasible"
    assert exc.target_test.reference.attrs["objective_cny_per_yr"] == pytest.approx(10_000.0)
    assert "the maximum is 50.0%" in str(exc)


def test_capacity_target_dual_is_cost_minus_value():
    """Dual = annualised cost (C x CRF + fom) - value in the system (hourly prices x cf x weight)."""
    study = capacity_system(5000.0)
    test = run_target_test(study)
    res = test.enforced
    annualised = 5000.0 * CRF + 20.0
    prices = res["price_cny_per_mwh"].values
    value = 4380 * float((prices * [1.0, 0.5]).sum()) / 1000  # CNY/kW/yr
    assert prices == pytest.approx([50.0, 50.0])
    assert value == pytest.approx(WIND_VALUE)
    row = test.table.set_index("target").loc["wind_cap"]
    assert row["shadow_price"] == pytest.approx(annualised - value, rel=1e-9)
    assert row["shadow_price"] == pytest.approx(200.7610, abs=1e-3)
    assert row["reference_value"] == pytest.approx(0.0, abs=1e-9)
    assert row["cost_alone_cny_per_yr"] == pytest.approx(50_000 * (annualised - WIND_VALUE), rel=1e-9)
    assert test.reference.attrs["objective_cny_per_yr"] == pytest.approx(REF_CAP_COST)
    assert res["capacity_mw"].sel(technology="wind").item() == pytest.approx(50.0)


def test_cheap_capacity_target_is_met_without_enforcement():
    """At C = 2,000 CNY/kW the annualised cost 223.7 < 328.5: wind is built on its own (100 MW fills hour 1)."""
    test = run_target_test(capacity_system(2000.0))
    assert test.status == "met_without_enforcement"
    row = test.table.set_index("target").loc["wind_cap"]
    assert row["met_without_enforcement"]
    assert row["reference_value"] == pytest.approx(100.0)
    assert row["cost_alone_cny_per_yr"] == 0.0
    assert row["shadow_price"] == pytest.approx(0.0, abs=1e-9)


def test_api_names_resolve_lazily():
    import energy_model as em

    assert em.run_target_test is run_target_test
    assert callable(em.frontier) and callable(em.breakeven)
    assert em.Study is Study
    with pytest.raises(AttributeError):
        em.no_such_name  # noqa: B018


def copy_inputs(root: Path) -> Path:
    """Copy the project's inputs folder under ``root`` (scenarios must stay inside their project)."""
    shutil.copytree(PROJECT / "inputs", root / "inputs")
    (root / "scenarios").mkdir()
    return root / "scenarios"


INFEASIBLE_YAML = """\
name: too_green
title: "99 % new energy on today's fleet"
inputs_dir: ../inputs
weather: {source: synthetic, years: [2021], seed: 1}
horizon: {start_hour: 0, hours: 48}
demand: {annual_twh: 38.0}
heat_demand: {annual_twh: 3.0}
overrides:
  technologies.onshore_wind.max_mw: 1600
  technologies.offshore_wind.max_mw: 500
  technologies.utility_pv.max_mw: 900
  technologies.rooftop_pv.max_mw: 200
targets:
  new_energy_share:
    kind: min_share
    label: "New-energy share 99 %"
    carriers: [wind, solar, biomass]
    share: 0.99
solver: {method: simplex, time_limit_s: 60}
"""


def test_cli_run_infeasible_prints_the_maximum(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Exit 3, the maximum achievable share in plain words (equal to the extra LP's), nothing written."""
    scen = copy_inputs(tmp_path) / "too_green.yaml"
    scen.write_text(INFEASIBLE_YAML, encoding="utf-8")
    out = tmp_path / "results"
    assert main(["--quiet", "run", str(scen), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    from energy_model.api import open_study

    best, limits = maximum_achievable(open_study(scen), "new_energy_share")
    assert 0.05 < best < 0.99
    assert f"the maximum is {best:.1%}" in err
    assert "New-energy share 99 % (99.0%) needs" in err
    assert "onshore_wind capped at 1,600 MW" in err and "onshore_wind capped at 1,600 MW" in limits
    assert "no results were written" in err
    assert not (out / "too_green").exists()


@st.composite
def random_targets_case(draw: st.DrawFn) -> tuple[Study, str, float, float]:
    """2-3 hours; investable pv and wind (random caps, costs, profiles), gas with CO2; three targets
    enforced at random levels; one of them is picked with a looser and a tighter level."""
    hours = draw(st.integers(2, 3))
    demand = draw(st.lists(st.floats(50.0, 150.0), min_size=hours, max_size=hours))
    gas = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
           "price_cny_per_unit": draw(st.floats(20.0, 100.0)), "co2_t_per_mwh_th": 0.2}
    techs = [tech("gas", "thermal", fuel="natural_gas", efficiency=1.0)]
    cf = {}
    for name, carrier in (("pv", "solar"), ("wind", "wind")):
        techs.append(tech(name, "variable", profile=name, carrier=carrier, max_mw=draw(st.floats(20.0, 300.0)),
                          capex_cny_per_kw=draw(st.floats(0.0, 0.3)), vom_cny_per_mwh=draw(st.floats(0.0, 60.0))))
        cf[name] = draw(st.lists(st.floats(0.0, 1.0), min_size=hours, max_size=hours))
    most_co2 = 0.2 * sum(demand)
    levels = {"cap": draw(st.floats(0.0, 150.0)), "share": draw(st.floats(0.0, 0.5)),
              "co2": draw(st.floats(0.3, 1.2)) * most_co2}
    targets = {"cap": TargetSpec(kind="min_capacity", technologies=["wind"], value_mw=levels["cap"]),
               "share": TargetSpec(kind="min_share", carriers=["solar", "wind"], share=levels["share"]),
               "co2": TargetSpec(kind="max_emissions", value_t=levels["co2"])}
    study = Study(system(techs, demand, fuels=[gas], cf=cf, targets=targets, hour_weight=1.0))
    k = draw(st.sampled_from(sorted(targets)))
    step = {"cap": draw(st.floats(0.0, 100.0)), "share": draw(st.floats(0.0, 0.3)),
            "co2": -draw(st.floats(0.0, 0.5)) * most_co2}[k]
    return study, k, levels[k], max(0.0, levels[k] + step)


@settings(max_examples=25, deadline=None)
@given(random_targets_case())
def test_tightening_a_target_never_lowers_cost(case: tuple[Study, str, float, float]):
    """C(tighter) >= C(looser), or the tighter level is infeasible (cost +inf)."""
    study, k, loose, tight = case
    try:
        before = study.solve("loose").attrs["objective_cny_per_yr"]
    except InfeasibleError:
        assume(False)
    study.set(f"targets.{k}.level", tight)
    try:
        after = study.solve("tight").attrs["objective_cny_per_yr"]
    except InfeasibleError:
        return
    assert after >= before - 1e-7 * max(1.0, abs(before))


def test_maximum_falls_back_to_simplex_after_numerical_trouble(monkeypatch: pytest.MonkeyPatch):
    """An interior-point 'Unknown' on the maximisation LP is retried once with dual simplex."""
    import energy_model.engine.study as study_mod
    from energy_model.errors import NumericalError

    study = share_system()
    study.set("solver.method", "hipo")
    methods: list[str] = []
    real = study_mod.run_highs

    def flaky(compiled, spec, hours):
        methods.append(spec.method)
        if spec.method != "simplex":
            raise NumericalError("Unknown", termination="unknown")
        return real(compiled, spec, hours)

    monkeypatch.setattr(study_mod, "run_highs", flaky)
    best, _ = maximum_achievable(study, "re")
    assert methods == ["hipo", "simplex"] and best == pytest.approx(0.5, abs=1e-12)
