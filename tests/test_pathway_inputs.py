"""The inputs side of pathways: the pathway block, the fleet by vintage, commitments and the change path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from energy_model.errors import InputError
from energy_model.inputs.pathway_load import apply_pathway_changes, load_pathway
from energy_model.io.case import Case
from energy_model.io.fleet import in_service, read_fleet
from energy_model.io.pathway_file import default_years, read_pathway_file
from energy_model.io.pathway_spec import Pathway
from energy_model.io.tables import read_technologies
from tests.conftest import PROJECT, TmpProject, copy_project

INPUTS = PROJECT / "inputs"

#: A three-period pathway on the 48-hour tiny scenario (its lines start at 1).
PATHWAY = """\
base: tiny_plan.yaml
name: tiny_pathway
aggregation: {method: none}
pathway:
  periods: [2020, 2025, 2030]
  foresight: perfect
  fleet_year: 2016
  periods_changes:
    2025:
      demand: {annual_twh: 54.0}
"""


def write(project: TmpProject, text: str = PATHWAY, name: str = "tiny_pathway.yaml") -> Path:
    return project.scenario(text, name)


def keys(err: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [i.key_path for i in err.value.issues]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[TmpProject, Pathway]:
    """The tiny pathway, loaded once for the tests that only read it."""
    proj = copy_project(tmp_path_factory.mktemp("tiny_pathway"))
    return proj, load_pathway(write(proj))


@pytest.fixture(scope="module")
def shipped() -> Pathway:
    return load_pathway(PROJECT / "scenarios" / "pathway_2030.yaml")


# --------------------------------------------------------------------------- periods, years, weights


def test_periods_years_and_weights(project: TmpProject) -> None:
    p = load_pathway(write(project, PATHWAY.replace("fleet_year: 2016", "fleet_year: 2016\n  years: [5, 5, 10]\n"
                                                    "  discount_rate: 0.05")))
    assert p.periods == (2020, 2025, 2030) and p.years == (5, 5, 10) and p.foresight == "perfect"
    assert p.discount_rate == 0.05
    w = p.weights()
    assert w[0] == pytest.approx(sum(1.05 ** -k for k in range(5)))          # 4.5460
    assert w[2] == pytest.approx(sum(1.05 ** -(10 + k) for k in range(10)))  # 4.9588
    assert [c.attrs["cost_year"] for c in p.cases] == [2020, 2025, 2030]
    assert [c.attrs["build_year"] for c in p.cases] == [2020, 2025, 2030]
    assert [c.demand_annual_mwh for c in p.cases] == [38e6, 54e6, 38e6]
    assert p.lifetime["coal_usc"] == 40 and p.lifetime["onshore_wind"] == 25


def test_default_years_and_discount_rate(tiny: tuple[TmpProject, Pathway]) -> None:
    assert default_years([2020, 2025, 2035]) == (5, 10, 10)
    assert default_years([2030]) == (1,)
    p = tiny[1]
    assert p.years == (5, 5, 5) and p.discount_rate == 0.08  # economics.discount_rate of tiny_plan.yaml


def test_default_aggregation_is_16_typical_days_and_2_extremes(project: TmpProject) -> None:
    pf = read_pathway_file(write(project, PATHWAY.replace("aggregation: {method: none}\n", "")))
    agg = pf.periods[1].scenario.aggregation
    assert (agg.method, agg.periods, list(agg.extremes)) == ("typical_days", 16, ["peak_demand", "min_wind_day"])


def test_a_period_can_change_its_cost_year_and_targets(project: TmpProject) -> None:
    text = PATHWAY + ("      cost_year: 2022\n      targets:\n        share:\n          kind: min_share\n"
                      "          carriers: [wind]\n          share: 0.5\n")
    p = load_pathway(write(project, text))
    assert p.cases[1].attrs["cost_year"] == 2022 and p.cases[1].attrs["build_year"] == 2025
    assert list(p.cases[1].targets) == ["share"]                      # the period's targets replace the scenario's
    assert list(p.cases[0].targets) == ["wind_capacity", "new_energy_share"]


# --------------------------------------------------------------------------- fleet and commitments


def test_fleet_in_service_per_period(tiny: tuple[TmpProject, Pathway]) -> None:
    p = tiny[1]
    coal = [c.technologies.loc["coal_existing", "existing_mw"] for c in p.cases]
    # fleet.csv: Chenjiagang 1,320 (retires 2051), old Sheyang units 600 (2023), county units 330 (2028), 350 (2038)
    assert coal == [2600.0, 2000.0, 1670.0]
    assert "sheyang_port_old_units" in str(p.cases[0].attrs["fleet_units"]).split(",")
    assert "sheyang_port_old_units" not in str(p.cases[1].attrs["fleet_units"]).split(",")
    # history does not leak in: the build year's 2025 fleet (5.5 GW offshore, 2 GW USC, a battery) is not existing
    c25 = p.cases[1].technologies
    assert c25.loc["offshore_wind", "existing_mw"] == 500 and c25.loc["coal_usc", "existing_mw"] == 0
    assert c25.loc["battery", "existing_mw"] == 0 and c25.loc["battery", "existing_mwh"] == 0
    # the build year's total limits stay; unbuildable grid links keep the build year's capacity
    assert c25.loc["offshore_wind", "max_mw"] == 15000 and c25.loc["coal_usc", "max_mw"] == 2000
    assert [c.technologies.loc["grid_import", "existing_mw"] for c in p.cases] == [4000, 6000, 6000]


def test_starting_fleet_is_the_technology_table() -> None:
    techs = read_technologies(INPUTS / "technologies.csv")
    fleet = read_fleet(INPUTS / "fleet.csv", technologies=techs)
    start = in_service(fleet, 2016, 2016).groupby("technology")["mw"].sum()
    buildable = techs[techs["capex_cny_per_kw"].notna() & (techs["existing_mw"] > 0)]["existing_mw"]
    assert start.to_dict() == buildable.to_dict()


@pytest.mark.parametrize("extra,periods,expected", [
    ("", "[2020, 2025, 2030]", {("coal_usc", 2025): 2000.0}),               # Sheyang Port, in service 2023
    ("  commitments: []\n", "[2020, 2025, 2030]", {}),
    ("  commitments: [sheyang_port_usc, guoxin_binhai_usc]\n", "[2020, 2025, 2030]", {("coal_usc", 2025): 4000.0}),
    ("", "[2020, 2030]", {("coal_usc", 2030): 2000.0}),
])
def test_committed_builds_land_in_the_period_of_their_commissioning_year(
        project: TmpProject, extra: str, periods: str, expected: dict[tuple[str, int], float]) -> None:
    text = PATHWAY.replace("fleet_year: 2016\n", "fleet_year: 2016\n" + extra).replace("[2020, 2025, 2030]", periods)
    if periods == "[2020, 2030]":
        text = text.split("  periods_changes:")[0]
    p = load_pathway(write(project, text))
    assert dict(p.committed_mw) == expected and dict(p.committed_mwh) == {}


# --------------------------------------------------------------------------- bad files


def test_bad_pathway_block_reports_every_problem_with_key_paths(project: TmpProject) -> None:
    text = PATHWAY.replace("[2020, 2025, 2030]", "[2025, 2020, 2030]").replace("perfect", "hindsight")
    with pytest.raises(InputError) as err:
        read_pathway_file(write(project, text))
    found = {i.key_path: i for i in err.value.issues}
    assert {"pathway.periods", "pathway.foresight"} <= set(found)
    assert found["pathway.periods"].line == 5 and "strictly increasing" in found["pathway.periods"].message
    assert found["pathway.foresight"].line == 6 and "'perfect' or 'myopic'" in found["pathway.foresight"].message


def test_unknown_period_and_bad_period_value_are_reported_together(project: TmpProject) -> None:
    text = PATHWAY.replace("annual_twh: 54.0", "annual_twh: -5") + "    2040:\n      demand: {annual_twh: 60}\n"
    with pytest.raises(InputError) as err:
        read_pathway_file(write(project, text))
    found = {i.key_path: i for i in err.value.issues}
    assert set(found) == {"pathway.periods_changes.2040", "pathway.periods_changes.2025.demand.annual_twh"}
    assert "not a period" in found["pathway.periods_changes.2040"].message
    assert found["pathway.periods_changes.2025.demand.annual_twh"].line == 10


def test_a_period_beyond_the_cost_years_is_named_at_the_periods(project: TmpProject) -> None:
    with pytest.raises(InputError) as err:
        load_pathway(write(project, PATHWAY.replace("[2020, 2025, 2030]", "[2020, 2025, 2035]")))
    (issue,) = err.value.issues
    assert issue.key_path == "pathway.periods" and issue.line == 5
    assert issue.message.startswith("period 2035 as cost_year:") and "2030" in issue.message


def test_unknown_key_in_period_changes_and_unknown_commitment(project: TmpProject) -> None:
    with pytest.raises(InputError) as err:
        read_pathway_file(write(project, PATHWAY + "      horizon: {hours: 24}\n"))
    assert keys(err) == ["pathway.periods_changes.2025.horizon"]
    with pytest.raises(InputError) as err:
        load_pathway(write(project, PATHWAY.replace("fleet_year: 2016\n", "fleet_year: 2016\n  commitments: "
                                                    "[sheyang_usc, chenjiagang_2x660]\n")))
    assert keys(err) == ["pathway.commitments[0]", "pathway.commitments[1]"]
    assert "did you mean 'sheyang_port_usc'" in err.value.issues[0].message
    assert "part of the starting fleet" in err.value.issues[1].message


def test_bad_fleet_lines_are_located_together(project: TmpProject) -> None:
    project.edit_csv("fleet.csv", "coal_existing,county_coal_chp_a,330,,1998,2028",
                     "coal_exsting,county_coal_chp_a,330,,1998,1990")
    project.edit_csv("fleet.csv", "biomass,straw_biomass,200,", "biomass,straw_biomass,2o0,")
    with pytest.raises(InputError) as err:
        load_pathway(write(project))
    found = {i.key_path: i for i in err.value.issues}
    assert set(found) == {"fleet.csv:county_coal_chp_a.technology", "fleet.csv:county_coal_chp_a.retires",
                          "fleet.csv:straw_biomass.mw"}
    assert found["fleet.csv:county_coal_chp_a.technology"].line == 13
    assert "did you mean 'coal_existing'" in found["fleet.csv:county_coal_chp_a.technology"].message
    assert found["fleet.csv:straw_biomass.mw"].line == 16


def test_fleet_and_period_problems_are_reported_together(project: TmpProject) -> None:
    project.edit_csv("fleet.csv", "biomass,straw_biomass,200,", "biomass,straw_biomass,-200,")
    text = PATHWAY + "      targets:\n        w:\n          kind: min_capacity\n          technologies: [offshore_wnd]\n" \
                     "          value_mw: 1\n"
    with pytest.raises(InputError) as err:
        load_pathway(write(project, text))
    assert keys(err) == ["fleet.csv:straw_biomass.mw", "pathway.periods_changes.2025.targets.w.technologies[0]"]
    assert err.value.issues[1].line == 14 and "did you mean 'offshore_wind'" in err.value.issues[1].message


# --------------------------------------------------------------------------- the change path


def assert_same_case(a: Case, b: Case) -> None:
    pd.testing.assert_frame_equal(a.technologies, b.technologies)
    pd.testing.assert_frame_equal(a.fuels, b.fuels)
    assert (a.demand_annual_mwh, a.heat_annual_mwh) == (b.demand_annual_mwh, b.heat_annual_mwh)
    assert a.economics == b.economics and dict(a.targets) == dict(b.targets) and a.aggregation == b.aggregation


def test_a_change_equals_the_same_edit_written_in_the_file(tiny: tuple[TmpProject, Pathway]) -> None:
    project, base = tiny
    changed = apply_pathway_changes(base, {"technologies.offshore_wind.capex_cny_per_kw": 9000,
                                           "periods.2030.demand.annual_twh": 66.0,
                                           "periods.2025.economics.carbon_price_cny_per_t": 63})
    written = PATHWAY + ("      economics: {carbon_price_cny_per_t: 63}\n    2030:\n      demand: {annual_twh: 66.0}\n"
                         "overrides:\n  technologies.offshore_wind.capex_cny_per_kw: 9000\n")
    fresh = load_pathway(write(project, written, "written.yaml"))
    for a, b in zip(changed.cases, fresh.cases):
        assert_same_case(a, b)
    assert [c.technologies.loc["offshore_wind", "capex_cny_per_kw"] for c in changed.cases] == [9000] * 3
    assert [c.demand_annual_mwh for c in changed.cases] == [38e6, 54e6, 66e6]
    assert base.cases[2].demand_annual_mwh == 38e6                      # the source is not modified


def test_bad_changes_are_reported_together_with_their_keys(tiny: tuple[TmpProject, Pathway]) -> None:
    base = tiny[1]
    with pytest.raises(InputError) as err:
        apply_pathway_changes(base, {"periods.2040.demand.annual_twh": 60, "periods.2025.demand.annual_twh": -1,
                                     "technologies.onshore_wnd.capex_cny_per_kw": 1})
    assert sorted(keys(err)) == ["periods.2025.demand.annual_twh", "periods.2040.demand.annual_twh",
                                 "technologies.onshore_wnd.capex_cny_per_kw"]
    assert "2020, 2025, 2030" in next(i.message for i in err.value.issues if "2040" in i.key_path)


# --------------------------------------------------------------------------- shipped data and scenarios


def test_shipped_pathway(shipped: Pathway) -> None:
    assert shipped.periods == (2020, 2025, 2030) and shipped.years == (5, 5, 5)
    assert dict(shipped.committed_mw) == {("coal_usc", 2025): 2000.0}
    assert [c.demand_annual_mwh for c in shipped.cases] == [38e6, 54e6, 66e6]
    assert [c.economics.carbon_price_cny_per_t for c in shipped.cases] == [0, 63, 200]
    assert shipped.cases[0].targets["wind_capacity"].value_mw == 6000
    assert shipped.cases[2].targets["new_energy_share"].share == 0.70
    assert shipped.cases[2].targets["offshore_wind_capacity"].value_mw == 6900
    assert all(c.aggregation.method == "typical_days" for c in shipped.cases)


def test_shipped_lock_in_example_has_no_commitments() -> None:
    pf = read_pathway_file(PROJECT / "scenarios" / "pathway_2030_no_2023_coal.yaml")
    assert pf.spec.commitments == [] and pf.spec.periods == [2020, 2025, 2030]
    assert pf.periods[2].scenario.demand.annual_twh == 66.0


def test_every_fleet_unit_has_a_graded_source() -> None:
    sources = pd.read_csv(INPUTS / "sources.csv", dtype=str)
    by_key = {k: (v, c) for k, v, c in zip(sources["key"], sources["value"], sources["confidence"])}
    for row in read_fleet(INPUTS / "fleet.csv").itertuples():
        value, grade = by_key[f"fleet.{row.unit}"]
        assert float(value) == row.mw and grade in {"A", "B", "C"}
        assert f"[{row.source_id}]" in sources.set_index("key").loc[f"fleet.{row.unit}", "note"]


def test_published_fleet_is_sourced_or_says_not_found() -> None:
    pub = pd.read_csv(INPUTS / "published_fleet.csv", dtype=str, keep_default_na=False)
    assert set(pub["year"]) == {"2020", "2025"}
    for row in pub.itertuples():
        if row.value:
            assert row.grade in {"A", "B", "C"} and row.source.startswith("http"), row
        else:
            assert row.source_id == "not_found" and "not found" in row.note, row


def test_validate_command_reads_a_pathway_file(project: TmpProject, capsys: pytest.CaptureFixture[str]) -> None:
    from energy_model.cli.main import main

    assert main(["validate", str(write(project))]) == 0
    assert "valid pathway file (periods 2020, 2025, 2030" in capsys.readouterr().out


def test_a_pathway_file_read_as_a_plain_scenario_says_what_it_is(project: TmpProject) -> None:
    from energy_model.io.scenario_file import load_scenario

    with pytest.raises(InputError) as err:
        load_scenario(write(project))
    (issue,) = err.value.issues
    assert (issue.key_path, issue.line) == ("pathway", 4) and "pathway loader" in issue.message
