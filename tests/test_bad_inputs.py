"""The bad-input catalogue: every case ends in exit 2, names file and key path, writes nothing, solves nothing.

Each case builds a small project under ``tmp_path`` (see ``conftest.py``),
breaks exactly one thing, then

* runs ``run.py run <scenario> --out <tmp>/out`` through :func:`energy_model.cli.main.main`
  and checks exit code 2, a message naming the file and the key path (or
  column / line), and no traceback;
* calls the API (:func:`energy_model.inputs.load.build_model_inputs`) and checks the
  structured :class:`~energy_model.errors.InputIssue` (file, key path, line);
* checks that no file under the project changed or appeared (no run folder, no
  staging folder, no lock) and that no LP was compiled or solved.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASE_YAML, TmpProject, demand_csv, weather_csv

from energy_model.cli import main as cli
from energy_model.errors import InputError
from energy_model.inputs.load import build_model_inputs


def sub(old: str, new: str, text: str = BASE_YAML) -> str:
    """The base scenario with one exact replacement."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def add(extra: str, text: str = BASE_YAML) -> str:
    return text + textwrap.dedent(extra)


CSV_WEATHER = """\
  source: csv
  files:
    yancheng_coast: [../data/coast.csv]
    yancheng_offshore: [../data/sea.csv]
"""
ERA5_WEATHER = """\
  source: era5
  files: [../data/era5.nc]
"""


def with_weather(p: TmpProject, coast: str, sea: str | None = None, extra: str = "", base: str = BASE_YAML) -> Path:
    p.data("coast.csv", coast)
    p.data("sea.csv", sea if sea is not None else weather_csv(longitude=121.0))
    return p.scenario(sub("  source: synthetic\n", CSV_WEATHER + extra, base))


def leap_year_as_8760(p: TmpProject) -> Path:
    """A 2020 (leap) weather year with 29 February dropped: 8,760 rows where 8,784 are needed."""
    return with_weather(p, weather_csv(2020, keep_feb29=False), weather_csv(2020, keep_feb29=False, longitude=121.0),
                        base=sub("years: [2021]", "years: [2020]"))


def with_demand(p: TmpProject, text: str) -> Path:
    p.data("demand.csv", text)
    return p.scenario(sub("  annual_twh: 38.0\n", "  file: ../data/demand.csv\n"))


def demand_lines(**kw: object) -> list[str]:
    return demand_csv(**kw).splitlines(keepends=True)  # type: ignore[arg-type]


def demand_edit(edit: Callable[[list[str]], list[str]]) -> Callable[[TmpProject], Path]:
    return lambda p: with_demand(p, "".join(edit(demand_lines())))


def set_line(i: int, text: str) -> Callable[[list[str]], list[str]]:
    def f(lines: list[str]) -> list[str]:
        lines[i] = text
        return lines
    return f


def era5(p: TmpProject, *, hours: int = 48, drop: str | None = None, units: tuple[str, str] | None = None,
         corrupt: bool = False) -> Path:
    from weather_fixtures import era5_dataset, write_era5_legacy

    path = p.root / "data" / "era5.nc"
    path.parent.mkdir(exist_ok=True)
    if corrupt:
        path.write_bytes(b"CDF\x01 this is not really a NetCDF file" * 10)
    else:
        stamps = pd.date_range("2020-12-31 16:00", periods=hours, freq="h", tz="UTC")
        ds = era5_dataset(stamps)
        if drop:
            ds = ds.drop_vars(drop)
        if units:
            ds[units[0]].attrs["units"] = units[1]
        write_era5_legacy(ds, path)
    return p.scenario(sub("  source: synthetic\n", ERA5_WEATHER))


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it and what the error must name."""

    id: str
    make: Callable[[TmpProject], Path]
    file: str  # file named by the error
    key: str  # key path / column / line marker named by the error ("" = whole file)
    says: str = ""  # a word the message must contain (the expectation)


def scen(text: str) -> Callable[[TmpProject], Path]:
    return lambda p: p.scenario(text)


def table(name: str, old: str, new: str) -> Callable[[TmpProject], Path]:
    def make(p: TmpProject) -> Path:
        p.edit_csv(name, old, new)
        return p.root / "scenarios" / "tiny_plan.yaml"
    return make


def raw(data: bytes) -> Callable[[TmpProject], Path]:
    def make(p: TmpProject) -> Path:
        path = p.root / "scenarios" / "tiny_plan.yaml"
        path.write_bytes(data)
        return path
    return make


ALIAS_BOMB = "name: bomb\n" + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))

YAML_CASES = [
    Case("yaml-syntax-error", scen(sub("  years: [2021]\n", "  years: [2021\n")), "tiny_plan.yaml", "", "syntax"),
    Case("yaml-duplicate-key", scen(add("demand:\n  annual_twh: 40\n")), "tiny_plan.yaml", "demand", "duplicate"),
    Case("yaml-1e3-is-text", scen(sub("value_mw: 6000", "value_mw: 6e3")), "tiny_plan.yaml",
         "targets.wind_capacity.value_mw", "text"),
    Case("yaml-NO-is-false", scen(sub('title: "Two January days"', "title: NO")), "tiny_plan.yaml", "title",
         "true/false"),
    Case("yaml-leading-zero-octal", scen(sub("start_hour: 0", "start_hour: 012")), "tiny_plan.yaml",
         "horizon.start_hour", "octal"),
    Case("yaml-base-60", scen(sub("hours: 48", "hours: 1:30")), "tiny_plan.yaml", "horizon.hours", "base 60"),
    Case("yaml-python-tag", scen(add('description: !!python/object/apply:os.system ["touch pwned"]\n')),
         "tiny_plan.yaml", "", "tags"),
    Case("yaml-alias-bomb", scen(ALIAS_BOMB), "tiny_plan.yaml", "", "aliases"),
    Case("yaml-huge-file", scen(BASE_YAML + "#" + "x" * 1_100_000 + "\n"), "tiny_plan.yaml", "", "at most"),
    Case("yaml-empty-file", scen(""), "tiny_plan.yaml", "", "empty"),
    Case("yaml-not-a-mapping", scen("- just\n- a list\n"), "tiny_plan.yaml", "", "mapping"),
    Case("yaml-not-utf8", raw(b"name: t\xe9st\n"), "tiny_plan.yaml", "", "UTF-8"),
]

SCHEMA_CASES = [
    Case("schema-misspelt-top-key", scen(sub("horizon:", "horizn:")), "tiny_plan.yaml", "horizn",
         "did you mean 'horizon'"),
    Case("schema-misspelt-nested-key", scen(sub("  annual_twh: 38.0", "  anual_twh: 38.0")), "tiny_plan.yaml",
         "demand.anual_twh", "did you mean 'annual_twh'"),
    Case("schema-missing-key", scen(sub("demand:\n  annual_twh: 38.0\n", "")), "tiny_plan.yaml", "demand",
         "missing"),
    Case("schema-wrong-type", scen(sub("hours: 48", "hours: two days")), "tiny_plan.yaml", "horizon.hours",
         "integer"),
    Case("schema-decimal-comma", scen(sub("annual_twh: 38.0", "annual_twh: 38,5")), "tiny_plan.yaml",
         "demand.annual_twh", "decimal point"),
    Case("schema-share-as-percent", scen(sub("share: 0.25", "share: 25")), "tiny_plan.yaml",
         "targets.new_energy_share", "fraction"),
    Case("schema-negative-rate", scen(sub("discount_rate: 0.08", "discount_rate: -0.05")), "tiny_plan.yaml",
         "economics.discount_rate", "greater than"),
    Case("schema-infinity", scen(sub("annual_twh: 38.0", "annual_twh: .inf")), "tiny_plan.yaml",
         "demand.annual_twh", "less than"),
    Case("schema-nan", scen(sub("carbon_price_cny_per_t: 55", "carbon_price_cny_per_t: .nan")), "tiny_plan.yaml",
         "economics.carbon_price_cny_per_t", ""),
    Case("schema-unknown-target-kind", scen(sub("kind: min_share", "kind: min_shares")), "tiny_plan.yaml",
         "targets.new_energy_share.kind", "min_share"),
    Case("schema-bad-target-name", scen(sub("  wind_capacity:", "  Wind-Capacity:")), "tiny_plan.yaml",
         "targets.Wind-Capacity", "pattern"),
    Case("schema-unknown-solver-option", scen(sub("  time_limit_s: 60", "  time_limit_s: 60\n  log_file: x.log")),
         "tiny_plan.yaml", "solver.log_file", "unknown key"),
    Case("schema-base-not-found", scen(add("base: nowhere.yaml\n")), "tiny_plan.yaml", "base", "not found"),
    Case("schema-years-disorder", scen(sub("years: [2021]", "years: [2022, 2021]")), "tiny_plan.yaml",
         "weather.years", "increasing"),
    Case("schema-horizon-too-long", scen(sub("start_hour: 0", "start_hour: 8750")), "tiny_plan.yaml", "horizon",
         "runs past"),
]

# technologies.csv rows (coal_usc line 7, battery line 13) and fuels.csv rows
USC = "coal_usc,Ultra-supercritical coal (2 x 1000 MW class),超超临界煤电,thermal,coal,coal,,0,,4000,4500,72,27,40,0.455,"
TABLE_CASES = [
    Case("table-negative-capacity", table("technologies.csv", USC, USC.replace(",,0,,4000,", ",,-500,,4000,")),
         "technologies.csv", "coal_usc.existing_mw", "must be in"),
    Case("table-efficiency-percent", table("technologies.csv", USC, USC.replace(",0.455,", ",45.5,")),
         "technologies.csv", "coal_usc.efficiency", "percentage"),
    Case("table-efficiency-zero", table("technologies.csv", USC, USC.replace(",0.455,", ",0,")),
         "technologies.csv", "coal_usc.efficiency", "(0, 1]"),
    Case("table-min-above-max", table("technologies.csv", USC, USC.replace(",,0,,4000,", ",,0,5000,4000,")),
         "technologies.csv", "coal_usc.min_mw", "exceeds max_mw"),
    Case("table-kw-for-mw", table("technologies.csv", USC, USC.replace(",,0,,4000,", ",,0,,4000000000,")),
         "technologies.csv", "coal_usc.max_mw", "kW"),
    Case("table-capex-per-mw", table("technologies.csv", USC, USC.replace(",4500,72,", ",4500000,72,")),
         "technologies.csv", "coal_usc.capex_cny_per_kw", "CNY/MW"),
    Case("table-nan-cell", table("technologies.csv", USC, USC.replace(",4500,72,", ",NaN,72,")),
         "technologies.csv", "coal_usc.capex_cny_per_kw", "NaN"),
    Case("table-inf-cell", table("technologies.csv", USC, USC.replace(",0,,4000,", ",0,,inf,")),
         "technologies.csv", "coal_usc.max_mw", "infinite"),
    Case("table-text-cell", table("technologies.csv", USC, USC.replace(",72,27,", ",72,twenty,")),
         "technologies.csv", "coal_usc.vom_cny_per_mwh", "number"),
    Case("table-decimal-comma", table("technologies.csv", USC, USC.replace(",0.455,", ",0,455,")),
         "technologies.csv", "line7", "decimal comma"),
    Case("table-misspelt-column", table("technologies.csv", ",capex_cny_per_kw,", ",capex_cny_per_kW,"),
         "technologies.csv", "capex_cny_per_kW", "did you mean"),
    Case("table-unknown-kind", table("technologies.csv", ",thermal,coal,coal,,0,", ",thermic,coal,coal,,0,"),
         "technologies.csv", "coal_usc.kind", "did you mean 'thermal'"),
    Case("table-unknown-fuel-carrier", table("technologies.csv", ",thermal,coal,coal,,0,", ",thermal,coal,lignite,,0,"),
         "technologies.csv", "coal_usc.fuel", "known carriers"),
    Case("table-fuel-kwh-per-unit", table("fuels.csv", ",coal,t,6.4,750,", ",coal,t,6400,750,"),
         "fuels.csv", "coal.energy_mwh_per_unit", "kWh"),
    Case("table-co2-in-t-per-tj", table("fuels.csv", ",6.4,750,0.341,", ",6.4,750,94.6,"),
         "fuels.csv", "coal.co2_t_per_mwh_th", "t/TJ"),
]


def semicolons(p: TmpProject) -> Path:
    path = p.inputs / "technologies.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.replace(",", ";") for line in lines) + "\n", encoding="utf-8")
    return p.root / "scenarios" / "tiny_plan.yaml"


TABLE_CASES.append(Case("table-semicolons", semicolons, "technologies.csv", "", "semicolon"))

XREF_CASES = [
    Case("override-efficiency-percent", scen(add("overrides:\n  technologies.coal_usc.efficiency: 45\n")),
         "tiny_plan.yaml", "overrides.technologies.coal_usc.efficiency", "percentage"),
    Case("override-unknown-row", scen(add("overrides:\n  technologies.coal_ucs.capex_cny_per_kw: 4000\n")),
         "tiny_plan.yaml", "overrides.technologies.coal_ucs.capex_cny_per_kw", "did you mean 'coal_usc'"),
    Case("override-unknown-column", scen(add("overrides:\n  technologies.coal_usc.capex_per_kw: 4000\n")),
         "tiny_plan.yaml", "overrides.technologies.coal_usc.capex_per_kw", "did you mean"),
    Case("override-malformed-path", scen(add("overrides:\n  coal_usc.capex_cny_per_kw: 4000\n")),
         "tiny_plan.yaml", "overrides.coal_usc.capex_cny_per_kw", "expected"),
    Case("override-text-for-number", scen(add("overrides:\n  fuels.coal.price_cny_per_unit: cheap\n")),
         "tiny_plan.yaml", "overrides.fuels.coal.price_cny_per_unit", "finite number"),
    Case("target-unknown-technology", scen(sub("technologies: [onshore_wind, offshore_wind]",
                                              "technologies: [onshore_wind, ofshore_wind]")),
         "tiny_plan.yaml", "targets.wind_capacity.technologies[1]", "did you mean 'offshore_wind'"),
    Case("target-unknown-carrier", scen(sub("carriers: [wind, solar, biomass]", "carriers: [wind, sun]")),
         "tiny_plan.yaml", "targets.new_energy_share.carriers[1]", "unknown carrier"),
    Case("exclude-unknown-technology", scen(add("exclude_technologies: [nuclear]\n")), "tiny_plan.yaml",
         "exclude_technologies[0]", "unknown technology"),
]

DEMAND_CASES = [
    Case("demand-nan-cell", demand_edit(set_line(5, "2021-01-01 03:00,NaN\n")), "demand.csv",
         "2021-01-01 03:00.demand_mw", "NaN"),
    Case("demand-empty-cell", demand_edit(set_line(5, "2021-01-01 03:00,\n")), "demand.csv",
         "2021-01-01 03:00.demand_mw", "empty"),
    Case("demand-text-cell", demand_edit(set_line(5, "2021-01-01 03:00,high\n")), "demand.csv",
         "2021-01-01 03:00.demand_mw", "number"),
    Case("demand-percent-cell", demand_edit(set_line(5, "2021-01-01 03:00,95%\n")), "demand.csv",
         "2021-01-01 03:00.demand_mw", "percent"),
    Case("demand-negative", demand_edit(set_line(5, "2021-01-01 03:00,-40\n")), "demand.csv",
         "2021-01-01 03:00.demand_mw", ">= 0"),
    Case("demand-wrong-length", demand_edit(lambda ls: ls[:-1]), "demand.csv", "demand_mw", "47 hourly values"),
    Case("demand-duplicate-stamp", demand_edit(set_line(5, demand_lines()[4])), "demand.csv", ".time", "duplicate"),
    Case("demand-gap", demand_edit(lambda ls: ls[:5] + ls[6:] + [ls[-1].replace("2021-01-02 23:00",
                                                                                 "2021-01-03 00:00")]),
         "demand.csv", ".time", "gap"),
    Case("demand-disorder", demand_edit(lambda ls: ls[:5] + [ls[6], ls[5]] + ls[7:]), "demand.csv", ".time",
         "out of order"),
    Case("demand-foreign-timezone", demand_edit(set_line(5, "2021-01-01 03:00+00:00,4000\n")), "demand.csv",
         ".time", "+08:00"),
    Case("demand-kw-for-mw", lambda p: with_demand(p, demand_csv(mw=4_000_000.0)), "demand.csv", "demand_mw",
         "kW"),
    Case("demand-semicolon-decimal-comma",
         lambda p: with_demand(p, demand_csv().replace(",", ";").replace(".", ",")), "demand.csv", "", "semicolon"),
    Case("demand-leap-year-start", lambda p: with_demand(p, demand_csv(start="2020-02-29 00:00")), "demand.csv",
         ".time", "horizon start"),
    Case("demand-file-not-found", lambda p: p.scenario(sub("  annual_twh: 38.0\n", "  file: ../data/none.csv\n")),
         "none.csv", "", "not found"),
]

WEATHER_CASES = [
    Case("weather-csv-missing-column",
         lambda p: with_weather(p, weather_csv().replace("time,ghi,", "time,ghi_wm2,")), "coast.csv", "ghi",
         "missing column"),
    Case("weather-csv-naive-stamps",
         lambda p: with_weather(p, weather_csv(offset="")), "coast.csv", "time", "time zone"),
    Case("weather-csv-text-cell",
         lambda p: with_weather(p, weather_csv().replace(",10.00,", ",ten,", 1)), "coast.csv", "temp_air",
         "not a number"),
    Case("weather-csv-kelvin",
         lambda p: with_weather(p, weather_csv().replace(",10.00,", ",283.15,", 1)), "coast.csv", "temp_air",
         "kelvin"),
    Case("weather-csv-leap-year-8760", leap_year_as_8760, "coast.csv", "time", "gap"),
    Case("weather-csv-pv-shifted-by-timezone", lambda p: with_weather(p, weather_csv(shift_h=-8)), "coast.csv",
         "ghi", "time zone"),
    Case("weather-csv-duplicate-stamps", lambda p: with_weather(
        p, "".join((ls := weather_csv().splitlines(keepends=True))[:10] + [ls[9]] + ls[10:])), "coast.csv", "time",
        "duplicate"),
    Case("weather-file-unknown-site", lambda p: with_weather(p, weather_csv(), extra="    nowhere: [../data/x.csv]\n"),
         "tiny_plan.yaml", "weather.files.nowhere", "unknown site"),
    Case("weather-file-not-found", lambda p: p.scenario(sub("  source: synthetic\n", CSV_WEATHER)), "coast.csv",
         "", "not found"),
    Case("netcdf-missing-variable", lambda p: era5(p, drop="t2m"), "era5.nc", "t2m", "missing"),
    Case("netcdf-wrong-units", lambda p: era5(p, units=("ssrd", "W m**-2")), "era5.nc", "ssrd", "units"),
    Case("netcdf-time-coverage", lambda p: era5(p, hours=48), "era5.nc", "time", "wrong length"),
    Case("netcdf-corrupt-file", lambda p: era5(p, corrupt=True), "era5.nc", "", "cannot open"),
]

PATH_CASES = [
    Case("path-inputs-dir-escape", scen(sub("inputs_dir: ../inputs", "inputs_dir: ../../../../etc")),
         "tiny_plan.yaml", "inputs_dir", "leaves the project"),
    Case("path-inputs-dir-absolute", scen(sub("inputs_dir: ../inputs", "inputs_dir: /etc")), "tiny_plan.yaml",
         "inputs_dir", "leaves the project"),
    Case("path-demand-escape", scen(sub("  annual_twh: 38.0\n", "  file: ../../../../etc/passwd\n")),
         "tiny_plan.yaml", "demand.file", "leaves the project"),
    Case("path-demand-url", scen(sub("  annual_twh: 38.0\n", "  file: http://127.0.0.1:8000/demand.csv\n")),
         "tiny_plan.yaml", "demand.file", "URL"),
    Case("path-weather-escape", scen(sub("  source: synthetic\n", CSV_WEATHER.replace(
        "../data/coast.csv", "../../../../etc/passwd"))), "tiny_plan.yaml", "weather.files", "leaves the project"),
    Case("path-weather-url", scen(sub("  source: synthetic\n", ERA5_WEATHER.replace(
        "../data/era5.nc", "https://example.org/era5.nc"))), "tiny_plan.yaml", "weather.files", "URL"),
    Case("path-base-loop", scen(add("base: tiny_plan.yaml\n")), "tiny_plan.yaml", "base", "loop"),
]

SHEYANG = "technologies,coal_usc,max_mw,2023,2000,"


def build_table(old: str, new: str, year: int = 2023) -> Callable[[TmpProject], Path]:
    """A scenario with a build year over a broken build_years.csv."""
    def make(p: TmpProject) -> Path:
        p.edit_csv("build_years.csv", old, new)
        return p.scenario(add(f"build_year: {year}\n"))
    return make


BUILD_YEAR_CASES = [
    Case("build-years-unknown-column", build_table(SHEYANG, SHEYANG.replace("max_mw", "capex_cny_per_kw")),
         "build_years.csv", "coal_usc.capex_cny_per_kw[2023].column", "that a build year may set"),
    Case("build-years-negative-value", build_table(SHEYANG, SHEYANG.replace("2000", "-2000")),
         "build_years.csv", "coal_usc.max_mw[2023].value", "must be in"),
    Case("build-years-kw-for-mw", build_table(SHEYANG, SHEYANG.replace("2000", "2000000000")),
         "build_years.csv", "coal_usc.max_mw[2023].value", "kW"),
    Case("scenario-build-option-typo", scen(add("build_year: 2025\nbuild_options: [guoxin_binhai]\n")),
         "tiny_plan.yaml", "build_options[0]", "did you mean 'guoxin_binhai_usc'"),
    Case("scenario-build-options-without-year", scen(add("build_options: [lng_phase2]\n")), "tiny_plan.yaml",
         "build_options", "build_year"),
]


TEXT_CASES = [
    Case("text-title-bell", scen(sub('title: "Two January days"', 'title: "Two \\a days"')), "tiny_plan.yaml",
         "title", "control characters"),
    Case("text-title-escape-sequence", scen(sub('title: "Two January days"', 'title: "\\e[31mTwo days"')),
         "tiny_plan.yaml", "title", "U+001B"),
    Case("text-description-escape", scen(add('description: "line one\\nline two\\t\\e[0m"\n')), "tiny_plan.yaml",
         "description", "other than newline and tab"),
    Case("text-target-label-bell", scen(sub('label: "Wind capacity 6 GW"', 'label: "Wind \\a 6 GW"')),
         "tiny_plan.yaml", "targets.wind_capacity.label", "U+0007"),
    Case("text-label-right-to-left-override", scen(sub('label: "Wind capacity 6 GW"', 'label: "Wind \\u202e WG 6"')),
         "tiny_plan.yaml", "targets.wind_capacity.label", "U+202E"),
    Case("text-override-value", scen(add('overrides:\n  technologies.onshore_wind.name: "Wind \\x1b[1m"\n')),
         "tiny_plan.yaml", "overrides.technologies.onshore_wind.name", "control characters"),
    Case("text-table-name", table("technologies.csv", "Onshore wind,", "Onshore\x1b[31m wind,"), "technologies.csv",
         "technologies.csv:onshore_wind.name", "control characters"),
]

CASES = (YAML_CASES + SCHEMA_CASES + TABLE_CASES + XREF_CASES + DEMAND_CASES + WEATHER_CASES + PATH_CASES
         + TEXT_CASES + BUILD_YEAR_CASES)


def test_catalogue_is_large_and_distinct():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, project: TmpProject, no_solver: list[str], capsys: pytest.CaptureFixture[str]):
    scenario = case.make(project)
    before = project.snapshot()

    code = cli.main(["--quiet", "run", str(scenario), "--out", str(project.out)])
    err = capsys.readouterr().err

    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("error: ")
    assert case.file in err
    assert case.key in err
    assert case.says.lower() in err.lower()
    assert "nothing was solved or written" in err
    # every problem on its own line: "file[:line]: key: message"
    assert all(line.startswith("  ") for line in err.splitlines()[1:-1])

    with pytest.raises(InputError) as info:
        build_model_inputs(scenario)
    issues = info.value.issues
    assert any(case.file in i.file and case.key in i.key_path + i.message for i in issues), issues

    assert project.snapshot() == before, "a bad input changed or created files"
    assert not project.out.exists()
    assert not list(project.root.rglob(".staging-*")) and not list(project.root.rglob("*.lock"))
    assert no_solver == []


def test_yaml_errors_carry_line_numbers(project: TmpProject):
    """Errors found while reading the YAML name the line of the bad key."""
    text = sub("hours: 48", "hours: 1:30", sub('title: "Two January days"', "title: NO"))
    with pytest.raises(InputError) as info:
        build_model_inputs(project.scenario(text))
    lines = {i.key_path: i.line for i in info.value.issues}
    assert lines == {"title": 2, "horizon.hours": 10}


def test_all_problems_of_a_file_reported_together(project: TmpProject):
    """Three independent mistakes in one scenario come back in one error."""
    text = sub("share: 0.25", "share: 25", sub("discount_rate: 0.08", "discount_rate: -1", sub("horizon:", "horizn:")))
    with pytest.raises(InputError) as info:
        build_model_inputs(project.scenario(text))
    keys = {i.key_path for i in info.value.issues}
    assert {"horizn", "economics.discount_rate", "targets.new_energy_share"} <= keys


def test_all_problems_of_a_table_reported_together(project: TmpProject):
    project.edit_csv("technologies.csv", USC, USC.replace(",0.455,", ",45.5,").replace(",4500,72,", ",NaN,72,"))
    project.edit_csv("technologies.csv", ",thermal,biomass,biomass,,200,", ",thermal,biomass,biomass,,-200,")
    with pytest.raises(InputError) as info:
        build_model_inputs(project.root / "scenarios" / "tiny_plan.yaml")
    keys = {i.key_path for i in info.value.issues}
    assert {"technologies.csv:coal_usc.efficiency", "technologies.csv:coal_usc.capex_cny_per_kw",
            "technologies.csv:biomass.existing_mw"} <= keys
    assert all(i.line is not None for i in info.value.issues)


def test_debug_flag_shows_traceback(project: TmpProject, no_solver, capsys):
    scenario = project.scenario(sub("horizon:", "horizn:"))
    assert cli.main(["--quiet", "--debug", "run", str(scenario), "--out", str(project.out)]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_validate_command_exit_code(project: TmpProject, no_solver, capsys):
    """``run.py validate`` follows the same contract."""
    scenario = project.scenario(sub("share: 0.25", "share: 25"))
    assert cli.main(["validate", str(scenario)]) == 2
    assert "targets.new_energy_share" in capsys.readouterr().err


def test_existing_results_untouched_by_a_bad_rerun(project: TmpProject, no_solver):
    """A published run folder stays byte-identical when a later run of the same name fails validation."""
    folder = project.out / "tiny_plan"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"status": "optimal"}')
    scenario = project.scenario(sub("share: 0.25", "share: 25"))
    assert cli.main(["--quiet", "run", str(scenario), "--out", str(project.out)]) == 2
    assert [p.name for p in project.out.iterdir()] == ["tiny_plan"]
    assert (folder / "manifest.json").read_text() == '{"status": "optimal"}'


def test_valid_variants_of_the_catalogue_files_pass(project: TmpProject, no_solver):
    """The catalogue's helpers make valid files when nothing is broken (so each case tests one thing)."""
    with_weather(project, weather_csv())
    project.data("demand.csv", demand_csv())
    text = sub("  annual_twh: 38.0\n", "  file: ../data/demand.csv\n", sub("  source: synthetic\n", CSV_WEATHER))
    ds = build_model_inputs(project.scenario(text))
    assert ds.sizes["time"] == 48
    np.testing.assert_allclose(ds["demand_mw"].values[:2], [4000.0, 4000 * (1 + 0.2 * np.sin(np.pi / 12))],
                               rtol=1e-4)


def test_validate_refuses_a_title_with_control_characters(project: TmpProject, no_solver, capsys):
    """``validate`` stops a title that would reach the workbook writer (which refuses it) with the key named."""
    scenario = project.scenario(sub('title: "Two January days"', 'title: "bell \\a and \\e[31m red"'))
    assert cli.main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "tiny_plan.yaml:2: title: text may not contain control characters: found U+0007; remove it " \
           "(got 'bell \\x07 and \\x1b[31m red')" in err
    assert "\x1b" not in err and "\x07" not in err  # shown escaped, not sent to the terminal
    assert no_solver == []


def test_text_errors_name_the_key_path(project: TmpProject):
    """Each bad text field is reported at its own key path and line, all together."""
    text = sub('label: "New-energy share 25 %"', 'label: "share \\x9b"',
               sub('title: "Two January days"', 'title: "a\\nb"')) + 'description: "ok\\n\\tindented \\x7f"\n'
    with pytest.raises(InputError) as info:
        build_model_inputs(project.scenario(text))
    found = {(i.key_path, i.line) for i in info.value.issues}
    assert found == {("title", 2), ("targets.new_energy_share.label", 26), ("description", 32)}
    messages = {i.key_path: i.message for i in info.value.issues}
    assert messages["title"] == "text may not contain control characters: found U+000A; remove it"
    assert messages["description"].endswith("found U+007F; remove it")


def test_description_may_hold_newlines_and_tabs(project: TmpProject, no_solver):
    text = sub('title: "Two January days"', 'title: "Two January days — 两天"') + \
        'description: |\n  line one\n  \tline two\n'
    assert build_model_inputs(project.scenario(text)).sizes["time"] == 48


def test_child_may_exclude_a_technology_its_base_overrides(project: TmpProject, no_solver, capsys):
    """plan_year.yaml limits offshore_wind etc.; a child excluding one drops that inherited override with a note."""
    project.scenario(add("""\
        overrides:
          technologies.offshore_wind.max_mw: 3700
          technologies.rooftop_pv.max_mw: 1000
        """), "base.yaml")
    child = project.scenario("name: no_offshore\nbase: base.yaml\nexclude_technologies: [offshore_wind]\n",
                             "child.yaml")
    assert cli.main(["validate", str(child)]) == 0
    err = capsys.readouterr().err
    assert ("note: child.yaml: exclude_technologies drops 1 override inherited from base.yaml: "
            "technologies.offshore_wind.max_mw") in err
    ds = build_model_inputs(child)
    assert "offshore_wind" not in ds["technology"].values
    assert float(ds["max_mw"].sel(technology="rooftop_pv")) == 1000.0  # the other override still applies
    # the wind target of the base still counts onshore wind
    assert ds["target_member"].sel(target="wind_capacity", technology="onshore_wind").item()


def test_child_overriding_a_technology_it_excludes_is_an_error_at_its_line(project: TmpProject, no_solver, capsys):
    project.scenario(add("overrides:\n  technologies.offshore_wind.max_mw: 3700\n"), "base.yaml")
    child = project.scenario("name: no_offshore\nbase: base.yaml\nexclude_technologies: [offshore_wind]\n"
                             "overrides:\n  technologies.offshore_wind.capex_cny_per_kw: 9000\n", "child.yaml")
    assert cli.main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert ("child.yaml:5: overrides.technologies.offshore_wind.capex_cny_per_kw: technology 'offshore_wind' is in "
            "exclude_technologies; remove this override or the exclusion (got 9000") in err
    assert "max_mw" not in err


@pytest.mark.parametrize("change, says", [
    (lambda t: sub("  annual_twh: 3.0", "  annual_twh: 0.0", t)
     + "aggregation: {method: typical_days, periods: 1, extremes: [peak_heat]}\n",
     "aggregation.extremes: peak_heat: this scenario has no such demand (got 'peak_heat')"),
    (lambda t: t + "aggregation: {method: segments, periods: 12, link_storage: false}\n",
     "aggregation: link_storage: false applies only to method: typical_days"),
    (lambda t: t + "cost_year: true\n",
     "tiny_plan.yaml:32: cost_year: expected a year; got true (a YAML boolean); write a year such as 2017"),
], ids=["peak_heat_without_heat", "link_storage_on_segments", "cost_year_boolean"])
def test_aggregation_and_cost_year_inputs(project: TmpProject, no_solver, capsys, change, says):
    scenario = project.scenario(change(BASE_YAML))
    assert cli.main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert says in err, err


def test_cost_year_of_a_child_keeping_the_base_carbon_price_is_noted(project: TmpProject, no_solver, capsys):
    project.scenario(BASE_YAML, "base.yaml")  # writes carbon_price_cny_per_t: 55
    child = project.scenario("name: child\nbase: base.yaml\ncost_year: 2017\n", "child.yaml")
    assert cli.main(["validate", str(child)]) == 0
    err = capsys.readouterr().err
    assert ("note: child.yaml: cost_year 2017 keeps economics.carbon_price_cny_per_t = 55 (cost year: 0), written "
            "in base.yaml; write the value in child.yaml to choose it there") in err
    assert float(build_model_inputs(child).attrs["carbon_price_cny_per_t"]) == 55.0
