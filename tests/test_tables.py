"""CSV readers: shipped tables parse; every bad input gives a located InputError."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energy_model.errors import InputError, InputIssue
from energy_model.io.tables import (
    FUEL_COLUMNS,
    TECHNOLOGY_COLUMNS,
    read_demand_csv,
    read_demand_shape,
    read_fuels,
    read_heat_shape,
    read_holidays,
    read_technologies,
)

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
REQUIRED_TECHNOLOGIES = {
    "onshore_wind", "offshore_wind", "utility_pv", "rooftop_pv", "coal_existing", "coal_usc", "gas_chp",
    "ccgt_lng", "ocgt", "biomass", "gas_boiler", "battery", "grid_import", "grid_export",
}


# --------------------------------------------------------------------------
# helpers


def load_rows(name: str) -> list[dict[str, str]]:
    with open(INPUTS / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def line_of(rows: list[dict[str, str]], key: str, ident: str) -> int:
    """1-based file line of a row (header is line 1)."""
    return 2 + [r[key] for r in rows].index(ident)


def issues_of(call) -> list[InputIssue]:
    with pytest.raises(InputError) as info:
        call()
    return info.value.issues


def find(issues: list[InputIssue], key_path: str, text: str) -> InputIssue:
    for issue in issues:
        if issue.key_path == key_path and text.lower() in issue.message.lower():
            return issue
    raise AssertionError(f"no issue {key_path!r} ~ {text!r} in:\n" + "\n".join(i.format() for i in issues))


def bad_technologies(tmp_path: Path, edits: dict[tuple[str, str], str]) -> tuple[list[InputIssue], list[dict]]:
    rows = load_rows("technologies.csv")
    for (ident, column), value in edits.items():
        next(r for r in rows if r["technology"] == ident)[column] = value
    path = write_rows(tmp_path / "technologies.csv", rows, list(TECHNOLOGY_COLUMNS))
    return issues_of(lambda: read_technologies(path, fuel_carriers={"coal", "natural_gas", "biomass"})), rows


# --------------------------------------------------------------------------
# shipped tables


def test_shipped_technologies_parse() -> None:
    tech = read_technologies(INPUTS / "technologies.csv")
    assert set(tech.index) >= REQUIRED_TECHNOLOGIES
    assert list(tech.columns) == list(TECHNOLOGY_COLUMNS[1:])
    assert tech.loc["offshore_wind", "capex_cny_per_kw"] == 10_000
    assert tech.loc["coal_usc", "efficiency"] == pytest.approx(0.455)
    assert tech.loc["coal_existing", "max_mw"] == tech.loc["coal_existing", "existing_mw"]
    assert tech.loc["grid_import", "vom_cny_per_mwh"] == 373  # 2025 provincial value 365 + 8 network losses
    assert tech.loc["grid_import", "co2_t_per_mwh"] == pytest.approx(0.5366)
    assert tech.loc["grid_export", "vom_cny_per_mwh"] < 0
    assert 0.4 <= tech.loc["gas_chp", "efficiency"] <= 0.45
    assert 1.0 <= tech.loc["gas_chp", "heat_to_power"] <= 1.3
    assert math.isnan(tech.loc["battery", "max_mw"])  # empty = unlimited


def test_shipped_fuels_parse() -> None:
    fuels = read_fuels(INPUTS / "fuels.csv")
    assert set(fuels.index) == {"coal", "pipeline_gas", "lng", "biomass"}
    assert fuels.loc["lng", "max_units_per_yr"] == 3_000_000
    assert fuels.loc["lng", "max_units_per_h"] * 8760 > fuels.loc["lng", "max_units_per_yr"]
    assert set(fuels["carrier"]) == {"coal", "natural_gas", "biomass"}
    assert fuels.loc["biomass", "co2_t_per_mwh_th"] == 0.0


def test_every_default_value_has_a_source() -> None:
    sources = pd.read_csv(INPUTS / "sources.csv", dtype=str)
    assert list(sources.columns) == ["file", "key", "value", "unit", "source", "confidence", "note"]
    assert set(sources["confidence"]) <= {"A", "B", "C"}
    assert not sources["key"].duplicated().any()
    by_key = dict(zip(sources["key"], sources["value"]))
    for table, reader in (("technologies", read_technologies), ("fuels", read_fuels)):
        frame = reader(INPUTS / f"{table}.csv")
        for ident, row in frame.select_dtypes("number").iterrows():
            for column, value in row.dropna().items():
                key = f"{table}.{ident}.{column}"
                assert key in by_key, f"no source row for {key}"
                assert float(by_key[key]) == pytest.approx(value), key


def test_shipped_shapes_parse() -> None:
    shape = read_demand_shape(INPUTS / "demand_shape.csv")
    assert len(shape.month_factor) == 12 and shape.month_factor[0] == pytest.approx(1.091)
    assert len(shape.profile_summer) == 24
    assert shape.reference_year == 2018
    heat = read_heat_shape(INPUTS / "heat_demand_shape.csv")
    assert len(heat.profile) == 24
    dates = read_holidays(INPUTS / "holidays.csv")
    assert [d.year for d in dates] == list(range(2015, 2036))
    assert str(dates[3]) == "2018-02-16"


# --------------------------------------------------------------------------
# technologies.csv validation


@pytest.mark.parametrize(
    "ident,column,value,message",
    [
        ("coal_usc", "efficiency", "45.5", "looks like a percentage"),
        ("coal_usc", "efficiency", "0", "must be in (0, 1]"),
        ("coal_usc", "efficiency", "1.2", "must be in (0, 1]"),
        ("coal_usc", "efficiency", "0,455", "decimal comma"),
        ("coal_usc", "efficiency", "high", "a number is expected"),
        ("coal_usc", "efficiency", "nan", "NaN or infinite"),
        ("coal_usc", "capex_cny_per_kw", "inf", "NaN or infinite"),
        ("coal_usc", "capex_cny_per_kw", "4500000", "CNY/kW expected; is this CNY/MW or CNY/W?"),
        ("coal_usc", "capex_cny_per_kw", "4.5", "CNY/kW expected; is this CNY/MW or CNY/W?"),
        ("battery", "capex_cny_per_kwh", "700000", "CNY/kWh expected"),
        ("coal_usc", "capex_cny_per_kw", "-10", "must be in [0"),
        ("onshore_wind", "existing_mw", "-5", "must be in [0"),
        ("offshore_wind", "max_mw", "15000000", "is this kW?"),
        ("coal_usc", "vom_cny_per_mwh", "-3", "must be >= 0"),
        ("grid_export", "vom_cny_per_mwh", "313", "negative cost"),
        ("grid_import", "vom_cny_per_mwh", "0.391", "is this CNY/kWh?"),
        ("coal_existing", "min_stable_load", "50", "looks like a percentage"),
        ("battery", "charge_efficiency", "95", "looks like a percentage"),
        ("battery", "charge_efficiency", "", "required for kind 'storage'"),
        ("gas_chp", "heat_to_power", "", "required for kind 'chp'"),
        ("onshore_wind", "min_mw", "6000", "exceeds max_mw"),
        ("offshore_wind", "existing_mw", "20000", "exceeds max_mw"),
        ("battery", "min_duration_h", "10", "exceeds max_duration_h"),
        ("ocgt", "fuel", "diesel", "no fuels.csv supply delivers this carrier"),
        ("ocgt", "fuel", "", "fuel carrier required"),
        ("ocgt", "efficiency", "", "required for kind 'thermal'"),
        ("utility_pv", "profile", "", "need a profile"),
        ("utility_pv", "profile", "pv", "need a profile"),
        ("utility_pv", "fuel", "coal", "fuel applies only"),
        ("coal_usc", "profile", "utility_pv", "profile applies only"),
        ("coal_usc", "kind", "thermall", "did you mean 'thermal'"),
        ("coal_usc", "carrier", "lignite", "unknown carrier"),
        ("coal_existing", "capex_cny_per_kw", "", "no capex is given"),
        ("grid_import", "co2_t_per_mwh", "536.6", "must be in [0, 2]"),
    ],
)
def test_technology_cell_errors(tmp_path: Path, ident: str, column: str, value: str, message: str) -> None:
    edits = {(ident, column): value}
    if column == "capex_cny_per_kw" and ident == "coal_existing":
        edits[(ident, "max_mw")] = ""
    issues, rows = bad_technologies(tmp_path, edits)
    issue = find(issues, f"technologies.csv:{ident}.{column}", message)
    assert issue.file.endswith("technologies.csv")
    assert issue.line == line_of(rows, "technology", ident)


def test_all_technology_issues_reported_together(tmp_path: Path) -> None:
    issues, rows = bad_technologies(tmp_path, {
        ("coal_usc", "efficiency"): "45.5",
        ("ocgt", "capex_cny_per_kw"): "2500000",
        ("battery", "discharge_efficiency"): "0,95",
    })
    assert len(issues) == 3
    assert {i.line for i in issues} == {line_of(rows, "technology", t) for t in ("coal_usc", "ocgt", "battery")}
    assert InputError(issues).format().startswith("3 input errors:")


def test_duplicate_technology_id(tmp_path: Path) -> None:
    rows = load_rows("technologies.csv")
    rows.append(dict(rows[0]))
    path = write_rows(tmp_path / "technologies.csv", rows, list(TECHNOLOGY_COLUMNS))
    issue = find(issues_of(lambda: read_technologies(path)), "technologies.csv:onshore_wind", "duplicate")
    assert issue.line == len(rows) + 1
    assert "line 2" in issue.message


def test_unknown_and_missing_columns_suggest_names(tmp_path: Path) -> None:
    rows = load_rows("technologies.csv")
    columns = [("capex_cny_kw" if c == "capex_cny_per_kw" else c) for c in TECHNOLOGY_COLUMNS]
    for r in rows:
        r["capex_cny_kw"] = r.pop("capex_cny_per_kw")
    path = write_rows(tmp_path / "technologies.csv", rows, columns)
    issues = issues_of(lambda: read_technologies(path))
    unknown = find(issues, "technologies.csv:capex_cny_kw", "did you mean 'capex_cny_per_kw'")
    assert unknown.line == 1
    find(issues, "technologies.csv:capex_cny_per_kw", "required column is missing")


def test_semicolon_file_is_reported(tmp_path: Path) -> None:
    text = (INPUTS / "technologies.csv").read_text(encoding="utf-8").replace(",", ";")
    path = tmp_path / "technologies.csv"
    path.write_text(text, encoding="utf-8")
    issue = find(issues_of(lambda: read_technologies(path)), "", "semicolon")
    assert issue.line == 1


def test_unquoted_decimal_comma_row_is_reported(tmp_path: Path) -> None:
    lines = (INPUTS / "technologies.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",0.4,", ",0,4,", 1)
    path = tmp_path / "technologies.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issue = find(issues_of(lambda: read_technologies(path)), "technologies.csv:line6", "decimal comma")
    assert issue.line == 6


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    issue = issues_of(lambda: read_technologies(tmp_path / "nope.csv"))[0]
    assert "not found" in issue.message


# --------------------------------------------------------------------------
# fuels.csv validation


@pytest.mark.parametrize(
    "ident,column,value,message",
    [
        ("pipeline_gas", "energy_mwh_per_unit", "9.7", "kWh per unit given instead of MWh"),
        ("coal", "energy_mwh_per_unit", "6400", "kWh per unit given instead of MWh"),
        ("coal", "energy_mwh_per_unit", "0", "must be in (0"),
        ("coal", "co2_t_per_mwh_th", "94.6", "must be in [0, 1]"),
        ("coal", "price_cny_per_unit", "-750", "must be in [0"),
        ("coal", "price_cny_per_unit", "", "required"),
        ("coal", "so2_kg_per_mwh_th", "45.5e3", "is this g/MWh_th?"),
        ("lng", "max_units_per_yr", "300", "columns swapped"),
        ("lng", "unit", "tonne", "unknown unit"),
        ("lng", "carrier", "", "carrier required"),
        ("lng", "max_units_per_h", "5,14", "decimal comma"),
    ],
)
def test_fuel_cell_errors(tmp_path: Path, ident: str, column: str, value: str, message: str) -> None:
    rows = load_rows("fuels.csv")
    next(r for r in rows if r["fuel"] == ident)[column] = value
    path = write_rows(tmp_path / "fuels.csv", rows, list(FUEL_COLUMNS))
    issue = find(issues_of(lambda: read_fuels(path)), f"fuels.csv:{ident}.{column}", message)
    assert issue.line == line_of(rows, "fuel", ident)
    assert issue.file.endswith("fuels.csv")


def test_fuel_carriers_from_sibling_file(tmp_path: Path) -> None:
    rows = [r for r in load_rows("fuels.csv") if r["carrier"] != "biomass"]
    write_rows(tmp_path / "fuels.csv", rows, list(FUEL_COLUMNS))
    write_rows(tmp_path / "technologies.csv", load_rows("technologies.csv"), list(TECHNOLOGY_COLUMNS))
    find(issues_of(lambda: read_technologies(tmp_path / "technologies.csv")),
         "technologies.csv:biomass.fuel", "no fuels.csv supply")


# --------------------------------------------------------------------------
# shape tables


def test_shape_errors(tmp_path: Path) -> None:
    rows = load_rows("demand_shape.csv")
    rows = [r for r in rows if not (r["section"] == "month" and r["key"] == "12")]
    for r in rows:
        if r["section"] == "profile_summer" and r["key"] == "3":
            r["value"] = "abc"
        if r["section"] == "weekday" and r["key"] == "sat":
            r["section"] = "weekdays"
    path = write_rows(tmp_path / "demand_shape.csv", rows, ["section", "key", "value", "unit", "note"])
    issues = issues_of(lambda: read_demand_shape(path, INPUTS / "holidays.csv"))
    find(issues, "demand_shape.csv:month", "missing keys: 12")
    bad = find(issues, "demand_shape.csv:profile_summer.3", "a number is expected")
    position = next(i for i, r in enumerate(rows) if r["section"] == "profile_summer" and r["key"] == "3")
    assert bad.line == position + 2
    find(issues, "demand_shape.csv:weekdays.sat", "did you mean 'weekday'")
    find(issues, "demand_shape.csv:weekday", "missing keys: sat")


def test_holiday_errors(tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text("date,holiday,name_zh\n2018-02-16,spring_festival,春节\n2018-02-17,spring_festival,春节\n"
                    "2019-13-05,spring_festival,春节\n2020-01-25,new_year,x\n", encoding="utf-8")
    issues = issues_of(lambda: read_holidays(path))
    assert [i.line for i in issues] == [3, 4, 5]


# --------------------------------------------------------------------------
# a user's hourly demand file

HORIZON = pd.date_range("2018-07-01", periods=48, freq="h")


def demand_text(values: list[str] | None = None, stamps: list[str] | None = None, sep: str = ",",
                header: str = "time,demand_mw") -> str:
    stamps = stamps or [t.strftime("%Y-%m-%d %H:%M") for t in HORIZON]
    values = values or [f"{5000 + 100 * (i % 24)}" for i in range(len(stamps))]
    out = io.StringIO()
    out.write(header.replace(",", sep) + "\n")
    for t, v in zip(stamps, values):
        out.write(f"{t}{sep}{v}\n")
    return out.getvalue()


def write_demand(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demand.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_demand_csv_reads(tmp_path: Path) -> None:
    values = read_demand_csv(write_demand(tmp_path, demand_text()), HORIZON)
    assert values.shape == (48,) and values[1] == 5100.0


def test_demand_csv_accepts_plus_eight_suffix(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%dT%H:%M:%S+08:00") for t in HORIZON]
    values = read_demand_csv(write_demand(tmp_path, demand_text(stamps=stamps)),
                             HORIZON.tz_localize("Asia/Shanghai"))
    assert len(values) == 48


def modified(index: int, value: str) -> list[str]:
    values = [f"{5000 + 100 * (i % 24)}" for i in range(48)]
    values[index] = value
    return values


@pytest.mark.parametrize(
    "values,key,message,line",
    [
        (modified(3, ""), "demand.csv:2018-07-01 03:00.demand_mw", "empty cell", 5),
        (modified(3, "nan"), "demand.csv:2018-07-01 03:00.demand_mw", "NaN", 5),
        (modified(4, "lots"), "demand.csv:2018-07-01 04:00.demand_mw", "a number is expected", 6),
        (modified(5, "-20"), "demand.csv:2018-07-01 05:00.demand_mw", ">= 0", 7),
        (modified(6, '"5000,5"'), "demand.csv:2018-07-01 06:00.demand_mw", "decimal comma", 8),
    ],
)
def test_demand_csv_bad_cells(tmp_path: Path, values: list[str], key: str, message: str, line: int) -> None:
    issue = find(issues_of(lambda: read_demand_csv(write_demand(tmp_path, demand_text(values)), HORIZON)),
                 key, message)
    assert issue.line == line and issue.file.endswith("demand.csv")


def test_demand_csv_stamp_problems(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in HORIZON]
    stamps[10] = stamps[9]                    # duplicate
    stamps[20], stamps[21] = stamps[21], stamps[20]  # unordered
    del stamps[30]                            # gap
    stamps[40] = "2018-07-02 17:00+00:00"     # foreign offset
    stamps[41] = "yesterday"
    issues = issues_of(lambda: read_demand_csv(write_demand(tmp_path, demand_text(stamps=stamps)), HORIZON))
    find(issues, "demand.csv:2018-07-01 09:00:00.time", "duplicate")
    find(issues, "demand.csv:2018-07-01 20:00:00.time", "out of order")
    find(issues, "demand.csv:2018-07-02 07:00:00.time", "gap")
    offset = find(issues, "demand.csv:2018-07-02 17:00+00:00.time", "+08:00")
    assert offset.line == 42
    find(issues, "demand.csv:yesterday.time", "YYYY-MM-DD")


def test_demand_csv_wrong_length_and_start(tmp_path: Path) -> None:
    short = HORIZON[:24]
    text = demand_text(stamps=[t.strftime("%Y-%m-%d %H:%M") for t in short])
    find(issues_of(lambda: read_demand_csv(write_demand(tmp_path, text), HORIZON)),
         "demand.csv:demand_mw", "24 hourly values but the model horizon has 48")
    shifted = [t.strftime("%Y-%m-%d %H:%M") for t in HORIZON + pd.Timedelta(hours=1)]
    issue = find(issues_of(lambda: read_demand_csv(write_demand(tmp_path, demand_text(stamps=shifted)), HORIZON)),
                 "demand.csv:2018-07-01 01:00:00.time", "horizon start")
    assert issue.line == 2


@pytest.mark.parametrize("scale,hint", [(1000.0, "is this kW?"), (0.001, "is this GW?")])
def test_demand_csv_implausible_units(tmp_path: Path, scale: float, hint: str) -> None:
    values = [f"{(5000 + 100 * (i % 24)) * scale:g}" for i in range(48)]
    find(issues_of(lambda: read_demand_csv(write_demand(tmp_path, demand_text(values)), HORIZON)),
         "demand.csv:demand_mw", hint)


def test_demand_csv_semicolons_and_columns(tmp_path: Path) -> None:
    find(issues_of(lambda: read_demand_csv(write_demand(tmp_path, demand_text(sep=";")), HORIZON)),
         "", "semicolon")
    text = demand_text(header="time,demand_kw")
    issues = issues_of(lambda: read_demand_csv(write_demand(tmp_path, text), HORIZON))
    find(issues, "demand.csv:demand_kw", "did you mean 'demand_mw'")


def test_demand_values_round_trip_through_numpy(tmp_path: Path) -> None:
    values = read_demand_csv(write_demand(tmp_path, demand_text()), HORIZON)
    np.testing.assert_allclose(values[:3], [5000.0, 5100.0, 5200.0])


def test_validate_after_overrides() -> None:
    from energy_model.io.tables import validate_fuels, validate_technologies

    tech = read_technologies(INPUTS / "technologies.csv")
    fuels = read_fuels(INPUTS / "fuels.csv")
    validate_technologies(tech, "technologies.csv", fuels)
    validate_fuels(fuels, "fuels.csv")
    tech = tech.copy()
    tech.loc["coal_usc", "efficiency"] = 45.5
    tech.loc["onshore_wind", "min_mw"] = 9000.0
    issues = issues_of(lambda: validate_technologies(tech, "technologies.csv (after overrides in x.yaml)", fuels))
    find(issues, "technologies.csv:coal_usc.efficiency", "looks like a percentage")
    find(issues, "technologies.csv:onshore_wind.min_mw", "exceeds max_mw")
    assert all(i.file.endswith("x.yaml)") for i in issues)
    fuels = fuels.copy()
    fuels.loc["lng", "max_units_per_yr"] = -1.0
    find(issues_of(lambda: validate_fuels(fuels, "fuels.csv")), "fuels.csv:lng.max_units_per_yr", "must be in [0")
