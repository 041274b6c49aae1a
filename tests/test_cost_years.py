"""Cost years: the shipped table parses, interpolation is exact, bad files give located errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from energy_model.errors import InputError
from energy_model.io.cost_years import (
    COST_YEAR_COLUMNS,
    common_range,
    cost_year_changes,
    read_cost_years,
)
from energy_model.io.schema import Scenario
from energy_model.io.tables import read_fuels, read_technologies

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
HEADER = ",".join(COST_YEAR_COLUMNS) + "\n"

#: A small valid table: two years of onshore capex, three of the carbon price, one fuel series.
SMALL = HEADER + (
    "technologies,onshore_wind,capex_cny_per_kw,2017,7000,estimate\n"
    "technologies,onshore_wind,capex_cny_per_kw,2025,4500,default_2025\n"
    "economics,,carbon_price_cny_per_t,2020,0,no_ets\n"
    "economics,,carbon_price_cny_per_t,2021,54,cea_close_2021\n"
    "economics,,carbon_price_cny_per_t,2030,200,wef_bain_2030\n"
    "fuels,coal,price_cny_per_unit,2030,750,estimate\n"
    "fuels,coal,price_cny_per_unit,2016,640,coal_js_2018\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cost_years.csv"
    path.write_text(text, encoding="utf-8")
    return path


def messages(err: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(i.format() for i in err.value.issues)


# --------------------------------------------------------------------------
# interpolation


def test_interpolation_hand_computed(tmp_path: Path) -> None:
    table = read_cost_years(write(tmp_path, SMALL))
    changes = cost_year_changes(table, 2020, file="s.yaml")
    # 7000 + (4500 - 7000) * (2020 - 2017) / (2025 - 2017) = 7000 - 2500 * 3/8 = 6062.5
    assert changes["technologies.onshore_wind.capex_cny_per_kw"] == pytest.approx(6062.5)
    assert changes["economics.carbon_price_cny_per_t"] == 0.0  # a given year is exact
    # rows out of order in the file: 640 + (750 - 640) * (2020 - 2016) / 14 = 671.428571...
    assert changes["fuels.coal.price_cny_per_unit"] == pytest.approx(640 + 110 * 4 / 14)
    later = cost_year_changes(table, 2024, file="s.yaml")
    # 54 + (200 - 54) * 3 / 9 = 102.666...
    assert later["economics.carbon_price_cny_per_t"] == pytest.approx(54 + 146 / 3)
    # 7000 - 2500 * 7/8 = 4812.5
    assert later["technologies.onshore_wind.capex_cny_per_kw"] == pytest.approx(4812.5)
    assert set(changes) == {"technologies.onshore_wind.capex_cny_per_kw", "economics.carbon_price_cny_per_t",
                            "fuels.coal.price_cny_per_unit"}
    assert common_range(table) == (2020, 2025)


def test_year_outside_a_series_names_scenario_key_series_and_range(tmp_path: Path) -> None:
    table = read_cost_years(write(tmp_path, SMALL))
    with pytest.raises(InputError) as err:
        cost_year_changes(table, 2018, file="plan_year.yaml", line=12)
    (issue,) = err.value.issues
    assert issue.file == "plan_year.yaml" and issue.key_path == "cost_year" and issue.line == 12
    assert "economics.carbon_price_cny_per_t (2020..2030)" in issue.message
    assert "2020..2025" in issue.message and issue.value == 2018
    with pytest.raises(InputError, match=r"technologies.onshore_wind.capex_cny_per_kw \(2017..2025\)"):
        cost_year_changes(table, 2031, file="s.yaml")


def test_cost_year_must_be_an_integer(tmp_path: Path) -> None:
    table = read_cost_years(write(tmp_path, SMALL))
    for bad in (2020.5, "2020", True):
        with pytest.raises(InputError, match="integer"):
            cost_year_changes(table, bad, file="s.yaml")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# the shipped table


def test_shipped_table_covers_2017_to_2030_and_2025_equals_the_defaults() -> None:
    techs = read_technologies(INPUTS / "technologies.csv")
    fuels = read_fuels(INPUTS / "fuels.csv")
    table = read_cost_years(INPUTS / "cost_years.csv", technologies=techs, fuels=fuels)
    assert common_range(table) == (2017, 2030)
    for year in (2017, 2020, 2025, 2030):
        assert (table["year"] == year).any()
    # every technology with a capital cost has a capex series
    costed = [t for t in techs.index if pd.notna(techs.loc[t, "capex_cny_per_kw"])]
    series = set(zip(table["table"], table["id"], table["column"]))
    for t in costed:
        assert ("technologies", t, "capex_cny_per_kw") in series, t
    now = cost_year_changes(table, 2025, file="s.yaml")
    for path, value in now.items():
        kind, *rest = path.split(".")
        if kind == "technologies":
            assert techs.loc[rest[0], rest[1]] == pytest.approx(value), path
        elif kind == "fuels":
            assert fuels.loc[rest[0], rest[1]] == pytest.approx(value), path
    plan = cost_year_changes(table, 2017, file="s.yaml")
    assert plan["economics.carbon_price_cny_per_t"] == 0.0  # no national ETS before July 2021
    assert plan["technologies.utility_pv.capex_cny_per_kw"] > now["technologies.utility_pv.capex_cny_per_kw"]


def test_every_cost_year_number_has_a_graded_source() -> None:
    sources = pd.read_csv(INPUTS / "sources.csv", dtype=str)
    by_key = {k: (v, c) for k, v, c in zip(sources["key"], sources["value"], sources["confidence"])}
    table = read_cost_years(INPUTS / "cost_years.csv")
    for row in table.itertuples():
        path = f"{row.table}.{row.column}" if row.table == "economics" else f"{row.table}.{row.id}.{row.column}"
        key = f"cost_years.{path}.{row.year}"
        assert key in by_key, f"no source row for {key}"
        value, grade = by_key[key]
        assert float(value) == pytest.approx(row.value), key
        assert grade in {"A", "B", "C"}


def test_scenario_cost_year_field() -> None:
    base = {"name": "x", "demand": {"annual_twh": 10}}
    assert Scenario(**base).cost_year is None
    assert Scenario(**base, cost_year=2017).cost_year == 2017
    for bad in (2009, 2051):
        with pytest.raises(Exception, match="cost_year"):
            Scenario(**base, cost_year=bad)


# --------------------------------------------------------------------------
# bad files


@pytest.mark.parametrize(
    "line,field,message",
    [
        ("technology,onshore_wind,capex_cny_per_kw,2017,7000,x", "table", "did you mean 'technologies'"),
        ("technologies,onshore_wnd,capex_cny_per_kw,2017,7000,x", "id", "did you mean 'onshore_wind'"),
        ("technologies,Onshore,capex_cny_per_kw,2017,7000,x", "id", "lower-case"),
        ("technologies,,capex_cny_per_kw,2017,7000,x", "id", "need the id"),
        ("economics,coal,carbon_price_cny_per_t,2017,0,x", "id", "no id"),
        ("technologies,onshore_wind,capex_per_kw,2017,7000,x", "column", "did you mean 'capex_cny_per_kw'"),
        ("technologies,onshore_wind,name,2017,7000,x", "column", "no numeric technologies column"),
        ("fuels,coal,capex_cny_per_kw,2017,7000,x", "column", "no numeric fuels column"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017.5,7000,x", "year", "four-digit integer"),
        ("technologies,onshore_wind,capex_cny_per_kw,17,7000,x", "year", "four-digit integer"),
        ("technologies,onshore_wind,capex_cny_per_kw,1990,7000,x", "year", "2010..2050"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,,x", "value", "value is required"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,nan,x", "value", "NaN"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,abc,x", "value", "a number is expected"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,-5,x", "value", "must be in"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,7000000,x", "value", "CNY/W"),
        ("technologies,coal_usc,efficiency,2017,45.5,x", "value", "looks like a percentage"),
        ("economics,,carbon_price_cny_per_t,2017,-1,x", "value", "must be in"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,7000,", "source_id", "source_id required"),
        ("technologies,onshore_wind,capex_cny_per_kw,2017,7000,CREEI 2018", "source_id", "lower-case"),
    ],
)
def test_bad_row_is_located(tmp_path: Path, line: str, field: str, message: str) -> None:
    techs = read_technologies(INPUTS / "technologies.csv")
    fuels = read_fuels(INPUTS / "fuels.csv")
    path = write(tmp_path, HEADER + "technologies,offshore_wind,capex_cny_per_kw,2020,16000,ok\n" + line + "\n")
    with pytest.raises(InputError) as err:
        read_cost_years(path, technologies=techs, fuels=fuels)
    issues = err.value.issues
    assert len(issues) == 1, messages(err)
    (issue,) = issues
    assert issue.file == "cost_years.csv" and issue.line == 3
    assert issue.key_path.endswith("." + field), issue.key_path
    assert message in issue.message, issue.message


def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    text = HEADER + (
        "technologies,onshore_wind,capex_cny_per_kw,2017,7000,a\n"
        "technologies,onshore_wind,capex_cny_per_kw,2017,6900,b\n"      # duplicate of line 2
        "nuclear,plant,capex_cny_per_kw,2017,9000,c\n"                   # unknown table
        "fuels,coal,price_cny_per_unit,20x7,700,d\n"                     # bad year
        "economics,,carbon_price_cny_per_t,2021,0,5x\n"                  # bad source id
    )
    with pytest.raises(InputError) as err:
        read_cost_years(write(tmp_path, text))
    lines = sorted(i.line for i in err.value.issues)
    assert lines == [3, 4, 5, 6], messages(err)
    assert "already given on line 2" in messages(err)


def test_unknown_ids_only_checked_when_tables_are_given(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "fuels,hydrogen,price_cny_per_unit,2020,20,x\n")
    assert len(read_cost_years(path)) == 1
    with pytest.raises(InputError, match="no fuels row named 'hydrogen'"):
        read_cost_years(path, fuels=["coal", "lng"])


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "file is empty"),
        ("table;id;column;year;value;source_id\n", "semicolon"),
        ("table,id,column,yr,value,source_id\n", "required column is missing"),
        (HEADER + "technologies,onshore_wind,capex_cny_per_kw,2017,7,5,x\n", "fields"),
    ],
)
def test_bad_file_shapes(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_cost_years(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_cost_years(tmp_path / "cost_years.csv")
