"""A pathway run end to end: the command, its run folder, what the targets cost, one period = the plain run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

from energy_model.cli.main import main
from energy_model.inputs.pathway_load import apply_pathway_changes, load_pathway
from energy_model.workflows.pathway import run_pathway, without_targets
from energy_model.workflows.run import run_scenario
from tests.conftest import TmpProject, copy_project

#: Two periods on the 48-hour tiny scenario, the plan's targets enforced in both.
PATHWAY = """\
base: tiny_plan.yaml
name: tiny_pathway
aggregation: {method: none}
pathway:
  periods: [2020, 2025]
  foresight: FORESIGHT
  fleet_year: 2016
  discount_rate: 0.05
  periods_changes:
    2025:
      demand: {annual_twh: 45.0}
"""


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[TmpProject, Path]:
    """The tiny pathway run once from the command line into a throw-away project."""
    proj = copy_project(tmp_path_factory.mktemp("pathway_run"))
    path = proj.scenario(PATHWAY.replace("FORESIGHT", "perfect"), "tiny_pathway.yaml")
    assert main(["--quiet", "run", str(path), "--out", str(proj.out)]) == 0
    return proj, proj.out / "tiny_pathway"


def test_run_folder_holds_the_pathway(ran: tuple[TmpProject, Path]) -> None:
    _, folder = ran
    for name in ("results.nc", "reference.nc", "inputs.nc", "summary.json", "periods.csv", "technologies.csv",
                 "report.html", "results.xlsx", "manifest.json"):
        assert (folder / name).is_file(), name
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pathway"] == {"periods": [2020, 2025], "years": [5, 5], "foresight": "perfect",
                                   "discount_rate": 0.05}
    with xr.open_dataset(folder / "results.nc") as res:
        assert list(res["period"].values) == [2020, 2025]
        assert res["capacity_mw"].dims == ("period", "technology")


def test_present_value_and_what_the_targets_cost_add_up(ran: tuple[TmpProject, Path]) -> None:
    _, folder = ran
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    w = [sum(1.05 ** -(y - 2020 + k) for k in range(5)) for y in (2020, 2025)]
    assert doc["weights_yr"] == pytest.approx(w, rel=1e-12)
    costs = [p["annual_cost_cny_per_yr"] for p in doc["periods"]]
    assert doc["present_value_cny"] == pytest.approx(w[0] * costs[0] + w[1] * costs[1], rel=1e-9)
    with xr.open_dataset(folder / "reference.nc") as ref:
        pv_ref = float(ref["present_value_cny"])
        ref_costs = ref["cost_by_period"].values
    assert doc["targets_cost"]["present_value_cny"] == pytest.approx(doc["present_value_cny"] - pv_ref, rel=1e-9)
    assert doc["targets_cost"]["by_period_cny_per_yr"] == pytest.approx(list(costs - ref_costs), rel=1e-9)
    assert doc["targets_cost"]["present_value_cny"] >= -1e-6 * abs(pv_ref)  # a target never makes it cheaper


def test_report_names_periods_in_both_languages(ran: tuple[TmpProject, Path]) -> None:
    html = (ran[1] / "report.html").read_text(encoding="utf-8")
    assert "2025" in html and "完全预见" in html and "perfect foresight" in html


def test_one_period_pathway_equals_the_plain_scenario(project: TmpProject) -> None:
    """The 2020 fleet is the 2016 one (no unit retires before 2023): the one-period pathway is the plain run."""
    plain = project.scenario(
        "base: tiny_plan.yaml\nname: plain_2020\naggregation: {method: none}\ncost_year: 2020\nbuild_year: 2020\n",
        "plain_2020.yaml")
    path = project.scenario(PATHWAY.replace("FORESIGHT", "perfect").replace("[2020, 2025]", "[2020]")
                            .split("  periods_changes:")[0], "one.yaml")
    one = run_pathway(path, write=False)
    ref = run_scenario(plain, write=False)
    assert ref.test.enforced is not None
    assert one.result.objective == pytest.approx(float(ref.test.enforced.attrs["objective_cny_per_yr"]), rel=1e-9)
    cap = one.result.results["capacity_mw"].sel(period=2020)
    assert cap.values == pytest.approx(ref.test.enforced["capacity_mw"].values, rel=1e-9, abs=1e-6)


def test_myopic_costs_at_least_perfect_foresight(ran: tuple[TmpProject, Path]) -> None:
    proj, folder = ran
    perfect = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    path = proj.scenario(PATHWAY.replace("FORESIGHT", "myopic"), "tiny_myopic.yaml")
    myopic = run_pathway(path, write=False)
    assert myopic.result.foresight == "myopic"
    assert float(myopic.result.results["present_value_cny"]) >= perfect["present_value_cny"] * (1 - 1e-9)


def test_without_targets_reports_every_target(ran: tuple[TmpProject, Path]) -> None:
    proj, _ = ran
    p = load_pathway(proj.root / "scenarios" / "tiny_pathway.yaml")
    relaxed = without_targets(p)
    assert relaxed is not None
    assert all(t.mode == "report" for c in relaxed.cases for t in c.targets.values())
    assert without_targets(relaxed) is None
    changed = apply_pathway_changes(p, {"periods.2025.technologies.offshore_wind.capex_cny_per_kw": 9000})
    assert changed.cases[1].technologies.loc["offshore_wind", "capex_cny_per_kw"] == 9000
    assert changed.cases[0].technologies.loc["offshore_wind", "capex_cny_per_kw"] == \
        p.cases[0].technologies.loc["offshore_wind", "capex_cny_per_kw"]


def test_bad_pathway_file_writes_nothing(project: TmpProject, capsys: pytest.CaptureFixture[str]) -> None:
    path = project.scenario(PATHWAY.replace("FORESIGHT", "hindsight"), "bad.yaml")
    assert main(["--quiet", "run", str(path), "--out", str(project.out)]) == 2
    err = capsys.readouterr().err
    assert "pathway.foresight" in err and "Traceback" not in err
    assert not (project.out / "tiny_pathway").exists()


def test_a_unit_that_may_not_be_built_anew_is_capped_at_the_fleet_in_service() -> None:
    """Old coal retires and is never rebuilt; USC coal is capped at its commitment (none without it)."""
    from tests.conftest import PROJECT

    p = load_pathway(PROJECT / "scenarios" / "pathway_2030.yaml")
    assert [c.technologies.loc["coal_existing", "max_mw"] for c in p.cases] == [2600, 2000, 1670]
    assert [c.technologies.loc["coal_existing", "existing_mw"] for c in p.cases] == [2600, 2000, 1670]
    assert [c.technologies.loc["coal_usc", "max_mw"] for c in p.cases] == [0, 2000, 2000]
    none = load_pathway(PROJECT / "scenarios" / "pathway_2030_no_2023_coal.yaml")
    assert [c.technologies.loc["coal_usc", "max_mw"] for c in none.cases] == [0, 0, 0]
    assert [c.technologies.loc["offshore_wind", "max_mw"] for c in p.cases] == [3700, 15000, 15000]  # expandable


def test_check_period_compares_one_period_with_its_full_year(ran: tuple[TmpProject, Path]) -> None:
    from energy_model.errors import InputError
    from energy_model.workflows.pathway_check import check_period, period_case

    proj, _ = ran
    text = PATHWAY.replace("FORESIGHT", "perfect").replace(
        "aggregation: {method: none}", "aggregation: {method: typical_days, periods: 1, extremes: [peak_demand]}")
    p = load_pathway(proj.scenario(text, "tiny_check.yaml"))
    from energy_model.engine.pathway import solve_pathway

    result = solve_pathway(p)
    case = period_case(p, result, 2025)
    res = result.results.sel(period=2025)
    before = res["capacity_mw"] - res["new_build_mw"]
    assert case.technologies["existing_mw"].reindex(res["technology"].values).fillna(0).values == \
        pytest.approx(before.values, abs=1e-6)
    out = check_period(p, result, 2025)
    assert out["period"] == 2025 and out["objective"]["full_cny_per_yr"] > 0
    assert set(out["annual"]) >= {"co2_production", "co2_consumption", "imports", "exports", "curtailment"}
    with pytest.raises(InputError, match="not a period"):
        check_period(p, result, 2024)
    plain = load_pathway(proj.root / "scenarios" / "tiny_pathway.yaml")
    with pytest.raises(InputError, match="no aggregation"):
        check_period(plain, solve_pathway(plain), 2025)


def test_the_shipped_pathway_without_the_2023_coal_solves_and_passes_its_checks() -> None:
    """Perfect foresight over 2020-2030 by dual simplex, checked like every result.

    Interior point on the dense-column split LP used to stop at a primal infeasibility of 1.6e-4 on this
    pathway, which the post-solve checks refused (storage rows), so the shipped scenario gave no answer.
    """
    from energy_model.engine.pathway import solve_pathway
    from tests.conftest import PROJECT

    result = solve_pathway(load_pathway(PROJECT / "scenarios" / "pathway_2030_no_2023_coal.yaml"))
    assert result.objective == pytest.approx(3.7624266e10, rel=1e-6)  # CNY, first-period annual terms
    usc = result.results["capacity_mw"].sel(technology="coal_usc").values
    assert usc.tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)  # the 2023 units are not there
