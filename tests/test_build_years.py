"""Build years: a step function of what could exist by a year, options, overrides win, located errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import BASE_YAML, TmpProject
from test_change_path import GAS_SUPPLY, _lp_arrays, assert_same
from tiny import SIMPLEX, system, tech

from energy_model.engine.study import Study
from energy_model.errors import InputError
from energy_model.inputs.load import load_case
from energy_model.io.build_years import (
    BUILD_YEAR_COLUMNS,
    build_year_changes,
    check_options,
    options_of,
    read_build_years,
)
from energy_model.io.schema import EconomicsSpec, Scenario
from energy_model.io.tables import read_fuels, read_technologies
from energy_model.output.assumptions import describe
from energy_model.output.i18n import Lang, Names
from energy_model.output.run_folder import open_netcdf
from energy_model.workflows.run import run_scenario

PROJECT = Path(__file__).resolve().parents[1]
INPUTS = PROJECT / "inputs"
HEADER = ",".join(BUILD_YEAR_COLUMNS) + "\n"

#: A hand table: no USC from 2016, Sheyang Port's 2 GW from 2023, 4 GW with an option from 2025.
HAND = HEADER + (
    "technologies,coal_usc,max_mw,2016,0,red_warning,\n"
    "technologies,coal_usc,max_mw,2023,2000,sheyang,\n"
    "technologies,coal_usc,max_mw,2025,4000,guoxin,guoxin_binhai_usc\n"
    "fuels,lng,max_units_per_yr,2022,1000000,first_cargo,\n"
    "fuels,lng,max_units_per_yr,2024,6000000,ten_tanks,\n"
    "fuels,lng,max_units_per_yr,2024,9000000,faster,fast_lng\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "build_years.csv"
    path.write_text(text, encoding="utf-8")
    return path


def messages(err: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(i.format() for i in err.value.issues)


# --------------------------------------------------------------------------
# the step function


@pytest.mark.parametrize("year,expected", [(2015, None), (2016, 0.0), (2020, 0.0), (2022, 0.0), (2023, 2000.0),
                                           (2030, 2000.0)])
def test_latest_row_in_or_before_the_year_holds(tmp_path: Path, year: int, expected: float | None) -> None:
    table = read_build_years(write(tmp_path, HAND))
    got = build_year_changes(table, year, file="s.yaml").changes.get("technologies.coal_usc.max_mw")
    assert got == expected  # None: before the series' first row the input table's value holds


def test_steps_are_not_interpolated_and_name_their_rows(tmp_path: Path) -> None:
    table = read_build_years(write(tmp_path, HAND))
    year = build_year_changes(table, 2023, file="s.yaml")
    assert year.changes == {"technologies.coal_usc.max_mw": 2000.0, "fuels.lng.max_units_per_yr": 1_000_000.0}
    assert year.rows == {"technologies.coal_usc.max_mw": "build_years.technologies.coal_usc.max_mw.2023",
                         "fuels.lng.max_units_per_yr": "build_years.fuels.lng.max_units_per_yr.2022"}
    assert year.lines == {"technologies.coal_usc.max_mw": 3, "fuels.lng.max_units_per_yr": 5}


def test_options_apply_only_when_taken(tmp_path: Path) -> None:
    table = read_build_years(write(tmp_path, HAND))
    assert options_of(table) == ["fast_lng", "guoxin_binhai_usc"]
    plain = build_year_changes(table, 2030, file="s.yaml").changes
    assert plain["technologies.coal_usc.max_mw"] == 2000.0 and plain["fuels.lng.max_units_per_yr"] == 6e6
    taken = build_year_changes(table, 2030, ["guoxin_binhai_usc", "fast_lng"], file="s.yaml")
    assert taken.changes["technologies.coal_usc.max_mw"] == 4000.0
    # an option's row wins over a plain row of the same year
    assert taken.changes["fuels.lng.max_units_per_yr"] == 9e6
    assert taken.rows["fuels.lng.max_units_per_yr"] == "build_years.fuels.lng.max_units_per_yr.2024.fast_lng"
    # an option does not act before its year
    early = build_year_changes(table, 2024, ["guoxin_binhai_usc"], file="s.yaml").changes
    assert early["technologies.coal_usc.max_mw"] == 2000.0


def test_build_year_must_be_an_integer(tmp_path: Path) -> None:
    table = read_build_years(write(tmp_path, HAND))
    for bad in (2020.5, "2020", True):
        with pytest.raises(InputError, match="integer"):
            build_year_changes(table, bad, file="s.yaml")  # type: ignore[arg-type]


def test_unknown_option_names_key_line_and_closest_name(tmp_path: Path) -> None:
    table = read_build_years(write(tmp_path, HAND))
    with pytest.raises(InputError) as err:
        check_options(table, ["guoxin_binhai_usc", "guoxin_binhai", "lng_phase3"], file="s.yaml",
                      lines={"build_options[1]": 7, "build_options[2]": 8})
    first, second = err.value.issues
    assert (first.file, first.key_path, first.line, first.value) == ("s.yaml", "build_options[1]", 7, "guoxin_binhai")
    assert "did you mean 'guoxin_binhai_usc'" in first.message
    assert second.key_path == "build_options[2]" and second.line == 8
    assert "Options: fast_lng, guoxin_binhai_usc" in second.message


def test_scenario_fields() -> None:
    base = {"name": "x", "demand": {"annual_twh": 10}}
    scen = Scenario(**base)
    assert scen.build_year is None and scen.build_options == []
    assert Scenario(**base, build_year=2020, build_options=["lng_phase2"]).build_options == ["lng_phase2"]
    for bad in (2009, 2051):
        with pytest.raises(Exception, match="build_year"):
            Scenario(**base, build_year=bad)
    with pytest.raises(Exception, match="build_options"):
        Scenario(**base, build_year=2020, build_options=["Guoxin"])


# --------------------------------------------------------------------------
# bad files: every problem located (file, line, field), all together


@pytest.mark.parametrize(
    "line,field,message",
    [
        ("technologies,coal_usc,capex_cny_per_kw,2020,4000,x,", "column", "that a build year may set"),
        ("technologies,coal_usc,max_m,2020,4000,x,", "column", "did you mean 'max_mw'"),
        ("fuels,lng,price_cny_per_unit,2020,4000,x,", "column", "Allowed: max_units_per_h, max_units_per_yr"),
        ("economics,,carbon_price_cny_per_t,2020,0,x,", "table", "unknown table"),
        ("technologies,coal_ucs,max_mw,2020,0,x,", "id", "did you mean 'coal_usc'"),
        ("technologies,coal_usc,max_mw,2020,-5,x,", "value", "must be in"),
        ("technologies,coal_usc,max_mw,2020,4000000000,x,", "value", "is this kW?"),
        ("technologies,battery,max_mwh,2020,nan,x,", "value", "NaN"),
        ("technologies,coal_usc,max_mw,2020,,x,", "value", "value is required"),
        ("technologies,coal_usc,max_mw,20x0,0,x,", "year", "four-digit"),
        ("technologies,coal_usc,max_mw,2020,0,,", "source_id", "source_id required"),
        ("technologies,coal_usc,max_mw,2020,0,x,Guoxin", "option", "lower-case"),
    ],
)
def test_bad_row_is_located(tmp_path: Path, line: str, field: str, message: str) -> None:
    techs = read_technologies(INPUTS / "technologies.csv")
    fuels = read_fuels(INPUTS / "fuels.csv")
    path = write(tmp_path, HEADER + "technologies,coal_usc,max_mw,2016,0,ok,\n" + line + "\n")
    with pytest.raises(InputError) as err:
        read_build_years(path, technologies=techs, fuels=fuels)
    (issue,) = err.value.issues
    assert issue.file == "build_years.csv" and issue.line == 3, messages(err)
    assert issue.key_path.startswith("build_years.csv:") and issue.key_path.endswith("." + field), issue.key_path
    assert message in issue.message, issue.message


def test_all_problems_of_the_file_together(tmp_path: Path) -> None:
    text = HEADER + (
        "technologies,coal_usc,max_mw,2016,0,a,\n"
        "technologies,coal_usc,max_mw,2016,10,b,\n"              # duplicate of line 2
        "technologies,coal_usc,max_mw,2016,4000,c,guoxin\n"      # same year, an option: allowed
        "technologies,coal_usc,max_mw,2016,4000,c,guoxin\n"      # duplicate of line 4
        "technologies,coal_usc,efficiency,2016,0.4,d,\n"         # not a build column
        "fuels,lng,max_units_per_h,2016,-1,e,\n"                 # negative
    )
    with pytest.raises(InputError) as err:
        read_build_years(write(tmp_path, text))
    assert sorted(i.line for i in err.value.issues) == [3, 5, 6, 7], messages(err)
    assert "already given on line 2" in messages(err) and "already given on line 4" in messages(err)


# --------------------------------------------------------------------------
# the shipped table and scenarios


def test_every_build_year_number_has_a_graded_source() -> None:
    sources = pd.read_csv(INPUTS / "sources.csv", dtype=str)
    by_key = {k: (v, c) for k, v, c in zip(sources["key"], sources["value"], sources["confidence"])}
    table = read_build_years(INPUTS / "build_years.csv")
    for row in table.itertuples():
        key = f"build_years.{row.table}.{row.id}.{row.column}.{row.year}" + (f".{row.option}" if row.option else "")
        assert key in by_key, f"no source row for {key}"
        value, grade = by_key[key]
        assert float(value) == pytest.approx(row.value), key
        assert grade in {"A", "B", "C"}
    # a named assumption is never graded better than C
    assert all(by_key[k][1] == "C" for k in by_key if k.startswith("build_years.") and k.count(".") == 5)


def test_shipped_2025_limits_are_the_input_tables() -> None:
    techs = read_technologies(INPUTS / "technologies.csv")
    table = read_build_years(INPUTS / "build_years.csv", technologies=techs, fuels=read_fuels(INPUTS / "fuels.csv"))
    assert options_of(table) == ["guoxin_binhai_usc", "lng_phase2"]
    now = build_year_changes(table, 2025, file="s.yaml").changes
    for t in ("offshore_wind", "onshore_wind", "utility_pv", "rooftop_pv", "ccgt_lng"):
        assert now[f"technologies.{t}.max_mw"] == techs.loc[t, "max_mw"], t
    plan = build_year_changes(table, 2020, file="s.yaml").changes
    assert plan["technologies.offshore_wind.max_mw"] == 3700 and plan["technologies.rooftop_pv.max_mw"] == 1000
    assert "technologies.offshore_wind.existing_mw" not in plan  # the 2016-like base fleet holds
    # LNG: none before the first cargo, 1 Mt in 2022 (Sep-Dec), 3 Mt, 6 Mt (ten tanks), 16 Mt with phase II
    lng = [build_year_changes(table, y, opts, file="s.yaml").changes["fuels.lng.max_units_per_yr"]
           for y, opts in ((2021, []), (2022, []), (2023, []), (2024, []), (2030, []), (2030, ["lng_phase2"]))]
    assert lng == [0, 1e6, 3e6, 6e6, 6e6, 16e6]
    peak = build_year_changes(table, 2030, ["lng_phase2"], file="s.yaml").changes["fuels.lng.max_units_per_h"]
    assert peak == pytest.approx(16e6 / 8760 * 1.5, abs=0.5)  # the scenarios' 1.5 peak factor
    usc = build_year_changes(table, 2025, ["guoxin_binhai_usc"], file="s.yaml").changes
    assert usc["technologies.coal_usc.existing_mw"] == usc["technologies.coal_usc.max_mw"] == 4000


def test_plan_year_has_no_new_coal_and_no_lng() -> None:
    case = load_case(PROJECT / "scenarios" / "plan_year.yaml")
    t, f = case.technologies, case.fuels
    assert t.loc["coal_usc", "max_mw"] == 0 and t.loc["coal_usc", "existing_mw"] == 0
    assert f.loc["lng", "max_units_per_yr"] == 0 and f.loc["lng", "max_units_per_h"] == 0
    # the 2020 limits the scenario used to write as overrides
    assert t.loc[["offshore_wind", "onshore_wind", "utility_pv", "rooftop_pv"], "max_mw"].tolist() == [
        3700, 4500, 3000, 1000]
    assert t.loc["offshore_wind", "existing_mw"] == 500  # base fleet (2016-like)
    assert case.attrs["build_year"] == 2020 and case.attrs["build_options"] == ""
    assert "build_years.technologies.coal_usc.max_mw.2016" in str(case.attrs["build_year_sources"]).split(",")


def test_today_has_sheyang_port_and_six_mt_of_lng() -> None:
    case = load_case(PROJECT / "scenarios" / "today.yaml")
    t, f = case.technologies, case.fuels
    assert t.loc["coal_usc", "existing_mw"] == 2000 and t.loc["coal_usc", "max_mw"] == 2000
    assert f.loc["lng", "max_units_per_yr"] == 6e6 and f.loc["lng", "max_units_per_h"] == 1027
    assert t.loc["offshore_wind", ["existing_mw", "max_mw"]].tolist() == [5500, 15000]
    assert t.loc["battery", ["existing_mw", "existing_mwh"]].tolist() == [500, 1000]
    assert t.loc["grid_export", ["existing_mw", "max_mw"]].tolist() == [8000, 8000]
    assert case.attrs["build_year"] == 2025


# --------------------------------------------------------------------------
# in a scenario: order, options, errors


def build_scenario(project: TmpProject, extra: str) -> Path:
    """The 48-hour base scenario (31 lines) with ``extra`` keys from line 32."""
    assert len(BASE_YAML.splitlines()) == 31
    return project.scenario(BASE_YAML + extra)


def test_overrides_win_over_the_build_year_and_the_build_year_over_the_cost_year(project: TmpProject) -> None:
    path = build_scenario(project, "cost_year: 2020\nbuild_year: 2023\noverrides:\n"
                                   "  technologies.coal_usc.max_mw: 3000\n")
    case = load_case(path)
    assert case.technologies.loc["coal_usc", "max_mw"] == 3000       # override
    assert case.technologies.loc["coal_usc", "existing_mw"] == 2000  # build year
    assert case.fuels.loc["lng", "max_units_per_yr"] == 3e6
    assert case.attrs["cost_year"] == 2020 and case.attrs["build_year"] == 2023


def test_options_in_a_scenario(project: TmpProject) -> None:
    case = load_case(build_scenario(project, "build_year: 2030\nbuild_options: [guoxin_binhai_usc, lng_phase2]\n"))
    assert case.technologies.loc["coal_usc", "existing_mw"] == 4000
    assert case.fuels.loc["lng", "max_units_per_yr"] == 16e6
    assert case.attrs["build_options"] == "guoxin_binhai_usc,lng_phase2"
    sources = str(case.attrs["build_year_sources"]).split(",")
    assert "build_years.technologies.coal_usc.existing_mw.2025.guoxin_binhai_usc" in sources


def test_excluded_technologies_are_skipped(project: TmpProject) -> None:
    case = load_case(build_scenario(project, "build_year: 2025\nexclude_technologies: [battery]\n"))
    assert "battery" not in case.technologies.index
    assert not any(".battery." in s for s in str(case.attrs["build_year_sources"]).split(","))


@pytest.mark.parametrize("extra,file,key,line,words", [
    ("build_year: 2025\nbuild_options:\n  - guoxin_binhai\n", "tiny_plan.yaml", "build_options[0]", 34,
     "did you mean 'guoxin_binhai_usc'"),
    ("build_year: 2025\nbuild_options: [lng_phase3]\n", "tiny_plan.yaml", "build_options[0]", 33,
     "did you mean 'lng_phase2'"),
    ("build_options: [lng_phase2]\n", "tiny_plan.yaml", "build_options", 32, "add 'build_year'"),
    ("build_year: 1999\n", "tiny_plan.yaml", "build_year", 32, "greater than or equal to 2010"),
])
def test_bad_scenario_keys_are_located(project: TmpProject, extra: str, file: str, key: str, line: int,
                                       words: str) -> None:
    with pytest.raises(InputError) as err:
        load_case(build_scenario(project, extra))
    (issue,) = err.value.issues
    assert (issue.file, issue.key_path, issue.line) == (file, key, line), issue.format()
    assert words in issue.message


def test_a_value_the_tables_refuse_is_named_at_its_row(project: TmpProject) -> None:
    """Each row passes alone; together with the base table the fleet exceeds its limit."""
    with (project.inputs / "build_years.csv").open("a", encoding="utf-8") as f:
        f.write("technologies,gas_chp,existing_mw,2024,3500,too_much,\n")  # base max_mw 3000
    with pytest.raises(InputError) as err:
        load_case(build_scenario(project, "build_year: 2024\n"))
    (issue,) = err.value.issues
    assert issue.file == "build_years.csv" and issue.line == 36, issue.format()
    assert issue.key_path == "technologies.gas_chp.existing_mw" and "exceeds" in issue.message


def test_a_bad_table_row_stops_the_scenario_with_its_line(project: TmpProject) -> None:
    project.edit_csv("build_years.csv", "technologies,coal_usc,max_mw,2023,2000,", "technologies,coal_usc,max_mw,2023,-2000,")
    with pytest.raises(InputError) as err:
        load_case(build_scenario(project, "build_year: 2020\n"))
    (issue,) = err.value.issues
    assert issue.file == "build_years.csv" and issue.line == 5 and "must be in" in issue.message


# --------------------------------------------------------------------------
# the change path: a build year applied to a built Study equals a fresh build


def _tiny(values: dict[str, float]) -> Any:
    """Coal-like 'usc' (fuel gas, expandable up to max_mw), a fixed import and a limited gas supply."""
    usc = tech("coal_usc", "thermal", carrier="coal", fuel="natural_gas", efficiency=0.45, capex_cny_per_kw=1000.0,
               vom_cny_per_mwh=20.0, existing_mw=values.get("existing_mw", 0.0), max_mw=values.get("max_mw", 80.0))
    imports = tech("grid_import", "import", carrier="grid", existing_mw=60.0, max_mw=60.0, vom_cny_per_mwh=600.0)
    gas = GAS_SUPPLY | {"fuel": "lng", "price_cny_per_unit": 30.0,
                 "max_units_per_yr": values.get("max_units_per_yr", 1.0e6)}
    return system([usc, imports], [40.0, 70.0, 55.0], fuels=[gas], hour_weight=1.0, solver=SIMPLEX,
                  economics=EconomicsSpec(discount_rate=0.05, carbon_price_cny_per_t=0.0))


def test_a_build_year_on_a_built_study_equals_a_fresh_build(tmp_path: Path) -> None:
    table = read_build_years(write(tmp_path, HEADER + (
        "technologies,coal_usc,existing_mw,2016,0,a,\n"
        "technologies,coal_usc,max_mw,2016,0,a,\n"
        "technologies,coal_usc,existing_mw,2023,20,b,\n"
        "technologies,coal_usc,max_mw,2023,20,b,\n"
        "technologies,coal_usc,existing_mw,2025,40,c,more\n"
        "technologies,coal_usc,max_mw,2025,50,c,more\n"
        "fuels,lng,max_units_per_yr,2016,0,d,\n"
        "fuels,lng,max_units_per_yr,2022,300,e,\n"
    )))
    study = Study(_tiny({}))
    base = study.solve()
    for year, options in ((2020, []), (2023, []), (2030, ["more"])):
        changes = build_year_changes(table, year, options, file="s.yaml").changes
        fresh = Study(_tiny({p.rsplit(".", 1)[1]: v for p, v in changes.items()}))
        with study.changed(changes):
            mine = _lp_arrays(study)
            for name, arr in _lp_arrays(fresh).items():
                np.testing.assert_allclose(mine[name], arr, rtol=1e-12, atol=0, err_msg=f"{year}: {name}")
            assert_same(study.solve(), fresh.solve(), f"build year {year}")
        assert_same(study.solve(), base, f"restored after {year}")


# --------------------------------------------------------------------------
# recorded with the run: manifest, inputs attributes, assumptions


def test_a_run_records_the_build_year_and_the_rows_in_force(project: TmpProject) -> None:
    path = build_scenario(project, "build_year: 2025\nbuild_options: [guoxin_binhai_usc]\noverrides:\n"
                                   "  technologies.offshore_wind.max_mw: 12000\n")
    run_scenario(path, project.out)
    folder = project.out / "tiny_plan"
    inputs = open_netcdf(folder / "inputs.nc")
    assert (inputs.attrs["build_year"], inputs.attrs["build_options"]) == (2025, "guoxin_binhai_usc")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["cost_year"], manifest["build_year"], manifest["build_options"]) == (
        None, 2025, ["guoxin_binhai_usc"])
    table = pd.read_csv(folder / "assumptions.csv", dtype=str, keep_default_na=False)
    rows = table.set_index("key")
    assert rows.loc["build_year", "value"] == "2025" and rows.loc["build_options", "value"] == "guoxin_binhai_usc"
    usc = rows.loc["build_years.technologies.coal_usc.existing_mw.2025.guoxin_binhai_usc"]
    assert (usc["section"], float(usc["value"]), usc["grade"]) == ("inputs", 4000.0, "C")
    assert "COMMISSIONING DATE NOT FOUND" in usc["note"]
    offshore = rows.loc["build_years.technologies.offshore_wind.max_mw.2025"]
    assert (float(offshore["value"]), float(offshore["default"])) == (12000.0, 15000.0)  # the override won
    assert "build_years.technologies.coal_usc.max_mw.2016" not in rows.index  # superseded by the 2025 row
    assert "build_years.technologies.offshore_wind.max_mw.2020" not in rows.index
    names = Names(inputs)
    assert describe("build_years.fuels.lng.max_units_per_yr.2024", names, Lang("en")).endswith(
        "Annual supply limit (from 2024)")
    assert describe("build_years.technologies.coal_usc.max_mw.2025.guoxin_binhai_usc", names, Lang("zh")).endswith(
        "(2025年起, guoxin_binhai_usc)")
