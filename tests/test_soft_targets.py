"""Soft targets: a shortfall appears exactly when the penalty is below the target's dual.

Systems and hand solutions: see ``test_targets_analysis``.

- Capacity system, 50 MW wind target, dual 200.761 CNY/kW/yr when enforced: at a penalty
  below it the whole 50 MW fall short (paid 50,000 kW x penalty instead of building); above it
  nothing falls short and the dual stays 200.761.
- Share system at 25 % (50 MWh): pv costs +20 CNY/MWh, wind +30. Penalty 15 < 20: all 25 %
  short, paid 15 x 50 = 750 -> 10,750 CNY. Penalty 25: pv 40 MWh, 10 MWh (5 %) short,
  paid 250 -> 10,000 + 800 + 250 = 11,050. Penalty 35 > 30: met, 11,100, dual 30.
- CO2 cap 131,400 t/yr on the capacity system (wind target only reported): cutting 43,800 t
  costs 152.79 CNY/t; at 100 CNY/t the cut is bought as shortfall (4.38 M CNY), at 200 it is made.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_targets_analysis import CRF, REF_CAP_COST, WIND_VALUE, capacity_system, copy_inputs, share_system

from energy_model.analysis.target_test import run_target_test
from energy_model.cli.main import main
from energy_model.output.i18n import Lang
from energy_model.output.run_folder import open_netcdf
from energy_model.output.target_notes import note_texts

DUAL = 5000 * CRF + 20 - WIND_VALUE  # 200.761 CNY/kW/yr


def row(test, name):
    return test.table.set_index("target").loc[name]


@pytest.mark.parametrize("delta", [-0.01, 0.01])
def test_capacity_shortfall_exactly_below_the_dual(delta: float):
    """Penalty = dual -/+ 0.01 CNY/kW/yr: 50 MW short (paid 50,000 x penalty) or met at dual 200.761."""
    penalty = DUAL + delta
    test = run_target_test(capacity_system(5000.0, mode="soft", penalty=penalty))
    r = row(test, "wind_cap")
    costs = test.enforced["cost_cny_per_yr"].to_series()
    if delta < 0:
        assert test.status == "soft_shortfall"
        assert r["shortfall"] == pytest.approx(50.0) and r["value"] == pytest.approx(0.0, abs=1e-9)
        assert r["penalty_paid_cny_per_yr"] == pytest.approx(50_000 * penalty)
        assert costs["penalty"] == pytest.approx(50_000 * penalty)
        assert r["shadow_price"] == pytest.approx(penalty)
        assert test.enforced.attrs["objective_cny_per_yr"] == pytest.approx(REF_CAP_COST + 50_000 * penalty)
        assert [(x["note"], x["target"], x["shortfall"]) for x in test.notes] == [("soft_shortfall", "wind_cap",
                                                                                    pytest.approx(50.0))]
        assert note_texts(test.notes, Lang("en"))[0].startswith("soft target 'wind_cap' falls short by 50 MW")
    else:
        assert test.status == "met_with_enforcement"
        assert r["shortfall"] == pytest.approx(0.0, abs=1e-9) and r["penalty_paid_cny_per_yr"] == 0.0
        assert costs["penalty"] == pytest.approx(0.0, abs=1e-6)
        assert r["shadow_price"] == pytest.approx(DUAL)
        assert test.enforced.attrs["objective_cny_per_yr"] == pytest.approx(REF_CAP_COST + 50_000 * DUAL)


@pytest.mark.parametrize(("penalty", "short", "cost", "dual"),
                         [(15.0, 0.25, 10_750.0, 15.0), (25.0, 0.05, 11_050.0, 25.0), (35.0, 0.0, 11_100.0, 30.0)])
def test_share_shortfall_and_penalty(penalty: float, short: float, cost: float, dual: float):
    """Shortfall [fraction of consumption] and penalty paid [CNY/yr] equal the objective's penalty part."""
    test = run_target_test(share_system(0.25, mode="soft", penalty=penalty))
    r = row(test, "re")
    assert r["shortfall"] == pytest.approx(short, abs=1e-9)
    assert r["penalty_paid_cny_per_yr"] == pytest.approx(short * 200 * penalty, abs=1e-6)
    assert test.enforced["cost_cny_per_yr"].sel(component="penalty").item() == pytest.approx(short * 200 * penalty,
                                                                                              abs=1e-6)
    assert test.enforced["target_shortfall"].sel(target="re").item() == pytest.approx(short, abs=1e-9)
    assert test.enforced.attrs["objective_cny_per_yr"] == pytest.approx(cost)
    assert r["shadow_price"] == pytest.approx(dual)
    assert test.status == ("soft_shortfall" if short else "met_with_enforcement")


@pytest.mark.parametrize(("penalty", "short"), [(100.0, 43_800.0), (200.0, 0.0)])
def test_emission_cap_soft(penalty: float, short: float):
    """Cut of 43,800 t/yr costs 152.79 CNY/t: bought as shortfall at 100 CNY/t, made at 200 CNY/t."""
    study = capacity_system(mode="report")
    # a soft target needs its penalty in the same change (each change is validated whole)
    study.apply({"targets.co2.level": 131_400.0, "targets.co2.mode": "soft", "targets.co2.penalty": penalty})
    test = run_target_test(study)
    r = row(test, "co2")
    assert r["shortfall"] == pytest.approx(short, abs=1e-3)
    assert r["penalty_paid_cny_per_yr"] == pytest.approx(short * penalty, abs=1e-3)
    marginal = (5000 * CRF + 20 - WIND_VALUE) / 1.314
    expected = REF_CAP_COST + (short * penalty if short else 43_800 * marginal)
    assert test.enforced.attrs["objective_cny_per_yr"] == pytest.approx(expected, rel=1e-9)
    assert r["shadow_price"] == pytest.approx(penalty if short else marginal, rel=1e-9)


SOFT_YAML = """\
name: soft_share
title: "A 90 % new-energy share that may fall short at 5 CNY/MWh"
inputs_dir: ../inputs
weather: {source: synthetic, years: [2021], seed: 1}
horizon: {start_hour: 0, hours: 48}
demand: {annual_twh: 38.0}
heat_demand: {annual_twh: 3.0}
targets:
  new_energy_share:
    kind: min_share
    label: "New-energy share 90 %"
    carriers: [wind, solar, biomass]
    share: 0.9
    mode: soft
    penalty: 5
solver: {method: simplex, time_limit_s: 60}
"""


def test_soft_target_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """run.py run: exit 0, shortfall and penalty in targets.csv and results.nc, a note on the scorecard."""
    scen = copy_inputs(tmp_path) / "soft_share.yaml"
    scen.write_text(SOFT_YAML, encoding="utf-8")
    out = tmp_path / "results"
    assert main(["--quiet", "run", str(scen), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Outcome: soft shortfall" in printed
    assert "Note: soft target 'new_energy_share' falls short by" in printed
    table = pd.read_csv(out / "soft_share" / "targets.csv").set_index("target")
    res = open_netcdf(out / "soft_share" / "results.nc")
    short = float(res["target_shortfall"].sel(target="new_energy_share"))
    value = float(res["target_value"].sel(target="new_energy_share"))
    assert short > 0 and value + short == pytest.approx(0.9, rel=1e-6)
    assert table.loc["new_energy_share", "shortfall"] == pytest.approx(short, rel=1e-5)
    paid = float(res["cost_cny_per_yr"].sel(component="penalty"))
    inputs = open_netcdf(out / "soft_share" / "inputs.nc")
    consumption = float(inputs["demand_mw"].sum()) * float(inputs.attrs["hour_weight"])  # MWh/yr
    assert paid == pytest.approx(short * consumption * 5.0, rel=1e-6)
    assert table.loc["new_energy_share", "penalty_paid_cny_per_yr"] == pytest.approx(paid, rel=1e-5)
    assert float(res["target_shadow_price"].sel(target="new_energy_share")) == pytest.approx(5.0, rel=1e-6)
