"""results.xlsx opened with openpyxl, and the CSVs as a zh-CN spreadsheet reads them.

Chinese intact, numbers stored as numbers, headers in both languages with
units, hourly supply = demand every hour, nothing below display precision.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from energy_model.cli.main import main
from energy_model.output.writers import open_netcdf

SHEETS = ["summary", "targets", "technologies", "fuels", "emissions", "costs", "hourly", "assumptions"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def book(quick_week_run: Path):
    return load_workbook(quick_week_run / "results.xlsx", read_only=True)


def rows(book, sheet: str) -> list[tuple]:
    return list(book[sheet].iter_rows(values_only=True))


def test_sheets_and_bilingual_headers(book):
    assert book.sheetnames == SHEETS
    for sheet in SHEETS[1:]:
        zh, en = rows(book, sheet)[:2]
        assert all(isinstance(h, str) and h for h in zh) and all(isinstance(h, str) and h for h in en), sheet
        assert any(CJK.search(h) for h in zh) and not any(CJK.search(h) for h in en if "(zh)" not in h), sheet
    tech_en = rows(book, "technologies")[1]
    assert "Capacity with targets [MW]" not in tech_en and "With targets [MW]" in tech_en  # unit in the header


def test_numbers_are_numbers_and_chinese_is_intact(book, quick_week_run: Path):
    data = rows(book, "technologies")
    head = data[1]
    res = open_netcdf(quick_week_run / "results.nc")
    by_id = {r[head.index("Id")]: r for r in data[2:]}
    assert by_id["onshore_wind"][0] == "陆上风电" and by_id["onshore_wind"][1] == "Onshore wind"
    with_col = head.index("With targets [MW]")
    for g, r in by_id.items():
        assert isinstance(r[with_col], (int, float))
        assert r[with_col] == pytest.approx(float(res["capacity_mw"].sel(technology=g)), abs=1e-3)
    costs = rows(book, "costs")
    total = [r for r in costs if r[1] == "Total"][0]
    assert total[3] == pytest.approx(res.attrs["objective_cny_per_yr"], rel=1e-7)  # money in CNY/yr, one number
    head = list(book["costs"].iter_rows(values_only=True))[:2]
    assert head[0][3] == "实现目标 [元/年]" and head[1][3] == "With targets [CNY/yr]"
    fuels = rows(book, "fuels")
    use = fuels[1].index("Use per year")
    lng = [r for r in fuels if r[0] == "滨海港LNG"][0]
    assert isinstance(lng[use], (int, float)) and lng[use] >= 0  # LNG use: a number, solver noise written as 0
    assert abs(lng[use]) == 0 or abs(lng[use]) >= 0.5


def test_hourly_sheet_supply_equals_demand(book, quick_week_run: Path):
    data = rows(book, "hourly")
    zh, en, body = data[0], data[1], data[2:]
    assert len(body) == 336 and en[0].startswith("Time")
    first = en.index("Electricity demand [MW]")
    last = en.index("Unserved electricity [MW]")
    assert "Heat demand [MW_th]" in en[last:]
    values = np.array([r[1:] for r in body], dtype=float)
    supply = values[:, first:last].sum(axis=1)
    np.testing.assert_allclose(supply, values[:, first - 1], atol=0.02)
    assert any("充电（负）" in h for h in zh) or not any("charging" in h for h in en)


def test_summary_sheet_has_the_answer_in_both_languages(book):
    text = " ".join(str(c) for r in rows(book, "summary") for c in r if c is not None)
    assert "Meeting all targets" in text or "Meeting the targets" in text
    assert "年系统成本" in text and "强制目标" in text
    assert "synthetic" in text and "合成" in text


def test_assumptions_sheet(book):
    data = rows(book, "assumptions")
    head = data[1]
    keys = {r[head.index("Key")]: r for r in data[2:]}
    capex = keys["technologies.offshore_wind.capex_cny_per_kw"]
    assert isinstance(capex[head.index("Value")], (int, float)) and capex[head.index("Grade")] in ("A", "B", "C")
    assert capex[head.index("Item")] == "Offshore wind — Capital cost" and "海上风电" in capex[2]
    assert keys["horizon.hours"][head.index("Value")] == 336
    assert keys["horizon.hour_weight"][head.index("Value")] == pytest.approx(8760 / 336)
    assert "solver.primal_feasibility_tolerance" in keys and keys["weather.source"][head.index("Value")] == "synthetic"


def test_csvs_for_a_zh_cn_spreadsheet(quick_week_run: Path):
    for name in ("targets.csv", "technologies.csv", "fuels.csv", "hourly.csv", "assumptions.csv"):
        raw = (quick_week_run / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert not re.search(rb"\d[eE][+-]\d", raw), name  # no 1.70829e+09
    targets = (quick_week_run / "targets.csv").read_text(encoding="utf-8-sig")
    assert "风电装机600万千瓦" in targets
    fuels = pd.read_csv(quick_week_run / "fuels.csv", encoding="utf-8-sig", index_col=0)
    assert fuels["use_per_yr"].dtype.kind in "if"
    assert (fuels["use_per_yr"].abs() >= 1).all() | (fuels["use_per_yr"] == 0).all() or \
        ((fuels["use_per_yr"] == 0) | (fuels["use_per_yr"].abs() >= 1)).all()
    techs = pd.read_csv(quick_week_run / "technologies.csv", encoding="utf-8-sig", index_col=0)
    assert ((techs["curtailment_share"] == 0) | (techs["curtailment_share"] >= 1e-6)).all()


def test_hourly_csv_power_and_heat_apart(quick_week_run: Path):
    h = pd.read_csv(quick_week_run / "hourly.csv", encoding="utf-8-sig", index_col=0)
    cols = list(h.columns)
    supply = cols[cols.index("demand_mw") + 1: cols.index("unserved_mw") + 1]
    np.testing.assert_allclose(h[supply].sum(axis=1), h["demand_mw"], atol=0.02)
    assert (h["grid_export_mw"] <= 0).all() and (h["battery_charge_mw"] <= 0).all()
    assert (h["battery_discharge_mw"] >= 0).all()
    assert "gas_boiler_mw" not in cols and "gas_boiler_heat_mw_th" in cols
    heat = [c for c in cols if c.endswith("_heat_mw_th")] + ["unserved_heat_mw_th"]
    assert (h[heat].sum(axis=1) >= h["heat_demand_mw_th"] - 0.02).all()


def test_scorecard_in_chinese_is_aligned(quick_week_run: Path, capsys: pytest.CaptureFixture[str]):
    import json

    from energy_model.cli.main import print_scorecard
    from energy_model.output.i18n import display_width

    doc = json.loads((quick_week_run / "summary.json").read_text(encoding="utf-8"))
    print_scorecard(doc, quick_week_run, lang="zh")
    out = capsys.readouterr().out
    assert "结论：" in out and "陆上风电" in out and "风电装机600万千瓦" in out
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("目标"))
    table = lines[start:start + 1 + len(doc["targets"])]
    assert len({display_width(line) for line in table}) == 1  # columns line up although labels mix 中文 and Latin
    for t in doc["targets"]:
        assert t["label_zh"] in out  # the Chinese label, never cut


def test_lang_option_before_the_default_command(monkeypatch: pytest.MonkeyPatch):
    """Global options given without a command reach the implied ``run`` of the plan year."""
    import energy_model.cli.main as cli

    seen = {}
    monkeypatch.setitem(cli.COMMANDS, "run", lambda args, progress: seen.update(vars(args)) or 0)
    assert main(["--quiet", "--lang", "zh"]) == 0
    assert seen["lang"] == "zh" and seen["quiet"] and seen["scenario"].endswith("plan_year.yaml")
