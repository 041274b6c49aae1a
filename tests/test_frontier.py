"""Target frontier: hand-solved curves, convexity as a property, and the CLI on a short plan year.

Systems are those of ``test_targets_analysis`` (see its docstring for the hand solutions).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_targets_analysis import CRF, PROJECT, capacity_system, copy_inputs, share_system
from tiny import system, tech

from energy_model.analysis.frontier import frontier, frontier_sentence
from energy_model.cli.main import main
from energy_model.engine.study import Study
from energy_model.io.schema import TargetSpec
from energy_model.output.run_folder import verify_run


def test_share_frontier_by_hand():
    """Reference 0 % then 4 steps to the 50 % maximum.

    Levels 0, 12.5, 25, 37.5, 50 % = 0, 25, 50, 75, 100 MWh of pv + wind:
    costs 10,000; 10,500 (25 pv x 20); 11,100; 11,850 (+35 wind x 30); 12,600.
    One point = 2 MWh: marginal 40, 48 (half pv, half wind), 60, 60 CNY per point.
    Duals 0 (reference), 20, 30, 30 CNY/MWh (the last, at the maximum, is any value >= 30).
    """
    study = share_system(0.25)
    table = frontier(study, "re")
    assert list(table["status"]) == ["optimal"] * 5
    assert list(table["case"]) == ["reference"] + ["enforced"] * 4
    np.testing.assert_allclose(table["level"], [0, 0.125, 0.25, 0.375, 0.5], atol=1e-12)
    np.testing.assert_allclose(table["total_cost_cny_per_yr"], [10_000, 10_500, 11_100, 11_850, 12_600])
    np.testing.assert_allclose(table["cost_increase_cny_per_yr"], [0, 500, 1_100, 1_850, 2_600])
    np.testing.assert_allclose(table["marginal_cost"][1:], [40, 48, 60, 60])
    assert np.isnan(table["marginal_cost"][0])
    np.testing.assert_allclose(table["shadow_price"][:4], [0, 20, 30, 30])
    assert table["shadow_price"][4] >= 30 - 1e-9
    assert table.attrs["maximum_achievable"] == pytest.approx(0.5, abs=1e-12)
    assert table["marginal_cost_unit"][0] == "CNY/yr per percentage point"
    assert frontier_sentence(table) == ("From 0.0% to 50.0%, each extra point of re costs 40 CNY/yr in the first "
                                        "step, rising to 60 CNY/yr in the last; the maximum achievable is 50.0%.")
    assert study.get("targets.re.level") == 0.25 and study.target_modes() == {"re": "enforce"}


def test_explicit_levels_with_an_infeasible_one():
    """10 % -> 10,400; 30 % -> 11,400 (marginal 1,000 / 20 points = 50); 55 % infeasible (max 50 %)."""
    table = frontier(share_system(), "re", levels=[0.3, 0.55, 0.1])
    np.testing.assert_allclose(table["level"], [0.1, 0.3, 0.55])
    assert list(table["status"]) == ["optimal", "optimal", "infeasible"]
    np.testing.assert_allclose(table["total_cost_cny_per_yr"][:2], [10_400, 11_400])
    assert table["marginal_cost"][1] == pytest.approx(50.0)
    assert np.isnan(table["total_cost_cny_per_yr"][2])
    assert "infeasible at 55.0%" in frontier_sentence(table)


def test_emission_cap_frontier_by_hand():
    """CO2 cap on the capacity system, other targets only reported: 175,200 t/yr down to 0 in 4 steps.

    Gas emits 4,380 x 200 MWh x 0.2 = 175,200 t/yr. The first 100 MW of wind displace
    1.314 t/kW at a net 200.76 CNY/kW: 152.79 CNY/t, down to 43,800 t/yr; the next 100 MW only
    hour 2 (0.438 t/kW, worth 109.5 CNY/kW): (529.26 - 109.5) / 0.438 = 958.35 CNY/t.
    """
    annualised = 5000 * CRF + 20
    first, second = (annualised - 328.5) / 1.314, (annualised - 109.5) / 0.438
    table = frontier(capacity_system(), "co2", others="report")
    np.testing.assert_allclose(table["level"], [175_200, 131_400, 87_600, 43_800, 0], atol=1e-6)
    np.testing.assert_allclose(table["marginal_cost"][1:], [first, first, first, second], rtol=1e-9)
    np.testing.assert_allclose(table["shadow_price"][1:3], [first, first], rtol=1e-9)
    assert table["total_cost_cny_per_yr"][0] == pytest.approx(4380 * 200 * 50.0)
    assert table["marginal_cost_unit"][0] == "CNY/yr per t/yr"


def test_other_targets_kept_by_default():
    """With the 50 MW wind target enforced, the curve starts at 175,200 - 50,000 x 1.314 = 109,500 t/yr."""
    study = capacity_system()
    table = frontier(study, "co2", steps=1)
    np.testing.assert_allclose(table["level"], [109_500, 0], atol=1e-6)
    assert study.target_modes() == {"wind_cap": "enforce", "co2": "report"}


@st.composite
def random_share_system(draw: st.DrawFn) -> Study:
    """2-3 hours; pv and wind with random caps, profiles and costs; gas at 50 CNY/MWh."""
    hours = draw(st.integers(2, 3))
    cf = st.lists(st.floats(0.0, 1.0), min_size=hours, max_size=hours)
    demand = draw(st.lists(st.floats(50.0, 150.0), min_size=hours, max_size=hours))
    techs = [tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50)]
    profiles = {}
    for name, carrier in (("pv", "solar"), ("wind", "wind")):
        techs.append(tech(name, "variable", profile=name, carrier=carrier, max_mw=draw(st.floats(10.0, 200.0)),
                          capex_cny_per_kw=draw(st.floats(0.0, 0.2)), vom_cny_per_mwh=draw(st.floats(0.0, 150.0))))
        profiles[name] = draw(cf)
    share = TargetSpec(kind="min_share", carriers=["solar", "wind"], share=0.1)
    return Study(system(techs, demand, cf=profiles, targets={"re": share}, hour_weight=1.0))


@settings(max_examples=25, deadline=None)
@given(random_share_system())
def test_frontier_is_convex_and_non_decreasing(study: Study):
    """Costs never fall along the curve, step slopes rise, and each slope lies between the end duals."""
    table = frontier(study, "re", steps=3)
    assert (table["status"] == "optimal").all()
    cost = table["total_cost_cny_per_yr"].to_numpy()
    scale = 1e-6 * max(1.0, abs(cost).max())
    assert (np.diff(cost) >= -scale).all()
    slopes = table["marginal_cost"].to_numpy()[1:]
    if len(slopes) > 1:
        assert (np.diff(slopes) >= -1e-6 * max(1.0, abs(slopes).max())).all()
    per_point = table.attrs["consumption_mwh_per_yr"] / 100  # MWh per percentage point
    duals = table["shadow_price"].to_numpy() * per_point
    for i, slope in enumerate(slopes, start=1):
        tol = 1e-6 * max(1.0, abs(duals[i]), abs(slope))
        assert duals[i - 1] - tol <= slope <= duals[i] + tol


def short_plan_year(root: Path, hours: int = 168) -> Path:
    """The shipped plan-year scenario on its first ``hours`` hours, in a project copy under ``root``."""
    scen = copy_inputs(root) / "plan_year.yaml"
    text = (PROJECT / "scenarios" / "plan_year.yaml").read_text(encoding="utf-8")
    scen.write_text(text + f"horizon:\n  start_hour: 0\n  hours: {hours}\n", encoding="utf-8")
    return scen


def test_cli_frontier_on_the_plan_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Without a run folder: one is created with frontier_<target>.csv and a manifest; with one, the file is added,
    a second target's frontier sits next to it (no overwriting) and the run's report shows both."""
    scen = short_plan_year(tmp_path, 48)  # two days are all the assertions need
    out = tmp_path / "results"
    args = ["--quiet", "frontier", str(scen), "--target", "new_energy_share", "--steps", "2", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "each extra point of new-energy share costs" in printed and "million CNY/yr" in printed
    table = pd.read_csv(out / "plan_year" / "frontier_new_energy_share.csv")
    assert list(table["case"]) == ["reference", "enforced", "enforced"]
    assert (table["status"] == "optimal").all()
    assert (np.diff(table["total_cost_cny_per_yr"]) > 0).all()
    assert table["shadow_price"].iloc[-1] > table["shadow_price"].iloc[1] > 0
    manifest = verify_run(out / "plan_year")
    assert set(manifest["files"]) == {"frontier_new_energy_share.csv"}

    assert main(["--quiet", "run", str(scen), "--out", str(out)]) == 0
    assert main(args[:-4] + ["--levels", "0.3", "0.45", "--out", str(out)]) == 0
    manifest = verify_run(out / "plan_year")  # every checksum, the new file's included
    assert {"results.nc", "targets.csv", "summary.json", "frontier_new_energy_share.csv"} <= set(manifest["files"])
    assert manifest["analyses"]["frontier_new_energy_share.csv"]["target"] == "new_energy_share"
    assert "report.html" not in manifest["analyses"]
    assert manifest["status"] == "optimal"
    np.testing.assert_allclose(pd.read_csv(out / "plan_year" / "frontier_new_energy_share.csv")["level"], [0.3, 0.45])
    assert main(["--quiet", "frontier", str(scen), "--target", "wind_capacity", "--levels", "6000", "6500",
                 "--out", str(out)]) == 0
    verify_run(out / "plan_year")
    wind = pd.read_csv(out / "plan_year" / "frontier_wind_capacity.csv")
    np.testing.assert_allclose(wind["level"], [6000, 6500])
    np.testing.assert_allclose(pd.read_csv(out / "plan_year" / "frontier_new_energy_share.csv")["level"], [0.3, 0.45])
    report = (out / "plan_year" / "report.html").read_text(encoding="utf-8")
    for name in ("frontier_new_energy_share.csv", "frontier_wind_capacity.csv", "Frontier: Wind capacity",
                 "目标前沿：风电装机容量", "目标前沿：新能源发电量占全市用电量"):
        assert name in report
    summary = json.loads((out / "plan_year" / "summary.json").read_text(encoding="utf-8"))
    assert {t["target"] for t in summary["targets"]} == {"wind_capacity", "solar_capacity", "new_energy_share", "adequacy"}
    assert not list((out / "plan_year").glob(".*tmp*"))


def test_cli_frontier_unknown_target_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    scen = short_plan_year(tmp_path, 48)  # two days are all the assertions need
    assert main(["--quiet", "frontier", str(scen), "--target", "nope", "--out", str(tmp_path / "r")]) == 2
    assert "unknown target" in capsys.readouterr().err


def test_share_levels_given_as_percentages_are_refused():
    from energy_model.errors import InputError

    with pytest.raises(InputError, match="fractions of consumption"):
        frontier(share_system(), "re", levels=[25, 30])


def test_share_maximum_a_hair_above_one_is_a_share_of_one(monkeypatch: pytest.MonkeyPatch):
    """The LP's maximum share can come out as 1.0000000000000002 (found by the property test above): the
    frontier's last level is then 1, not an input error for a share above 1."""
    import energy_model.analysis.frontier as frontier_module

    monkeypatch.setattr(frontier_module, "maximum_achievable", lambda *_a, **_k: (1.0000000000000002, []))
    table = frontier(share_system(0.25), "re", steps=2)
    np.testing.assert_allclose(table["level"][:2], [0.0, 0.5], atol=1e-12)
    assert table["level"].iloc[-1] == pytest.approx(1.0, abs=1e-6) and table["level"].max() <= 1.0
    assert list(table["status"][:2]) == ["optimal", "optimal"] and table["status"].iloc[-1] == "infeasible"
