"""``python run.py compare`` of pathway runs: totals and each period side by side, the answer, mixed runs refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from energy_model.cli.main import main
from energy_model.output.compare import comparison_tables, load_runs
from energy_model.output.compare_pathway import answer_sentences, pathway_inputs
from energy_model.output.i18n import Lang
from energy_model.output.input_diff import differences
from energy_model.output.writers import open_netcdf
from tests.conftest import copy_project

#: Two periods on the 48-hour tiny scenario (as tests/test_pathway_run.py); CARBON is the 2025 carbon price.
PATHWAY = """\
base: tiny_plan.yaml
name: NAME
aggregation: {method: none}
pathway:
  periods: [2020, 2025]
  foresight: perfect
  fleet_year: 2016
  discount_rate: 0.05
  periods_changes:
    2025:
      demand: {annual_twh: 45.0}
      economics: {carbon_price_cny_per_t: CARBON}
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny pathway and the same pathway with a dearer carbon price in 2025, run from the command line."""
    proj = copy_project(tmp_path_factory.mktemp("compare_pathway"))
    folders = []
    for name, carbon in (("tiny_pathway", 0), ("tiny_pathway_co2", 300)):
        path = proj.scenario(PATHWAY.replace("NAME", name).replace("CARBON", str(carbon)), f"{name}.yaml")
        assert main(["--quiet", "run", str(path), "--out", str(proj.out)]) == 0
        folders.append(proj.out / name)
    return folders[0], folders[1]


def _doc(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _rows(book: Any, sheet: str) -> dict[str, tuple[Any, ...]]:
    """Rows of a comparison sheet by their English item (column 2): (baseline, other, difference)."""
    return {r[1]: r[4:7] for r in list(book[sheet].iter_rows(values_only=True))[2:]}


def test_pathways_compared_period_by_period(pair: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    a, b = pair
    assert main(["--quiet", "compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    assert "2025 — Carbon price: tiny_pathway 0.0 CNY/t | tiny_pathway_co2 300.0 CNY/t" in printed
    assert "2020 — Carbon price" not in printed  # equal in both runs: counted, not listed
    book = load_workbook(tmp_path / "cmp" / "compare.xlsx", read_only=True)
    assert book.sheetnames == ["runs", "inputs", "pathway", "period_2020", "period_2025"]
    da, db = _doc(a), _doc(b)
    with open_netcdf(a / "inputs.nc") as inputs:
        names = dict(zip(inputs["technology"].values.astype(str), inputs["name"].isel(period=0).values.astype(str)))
    totals = _rows(book, "pathway")
    pv = totals["Present value of the pathway"]
    assert pv[0] == pytest.approx(da["present_value_cny"], rel=1e-9)
    assert pv[1] == pytest.approx(db["present_value_cny"], rel=1e-9)
    assert pv[2] == pytest.approx(db["present_value_cny"] - da["present_value_cny"], rel=1e-6) and pv[2] > 0
    cost = totals["What the targets cost (present value)"]
    assert cost[2] == pytest.approx(db["targets_cost"]["present_value_cny"] - da["targets_cost"]["present_value_cny"],
                                    rel=1e-6, abs=1e-2)
    for pa, pb in zip(da["periods"], db["periods"]):
        rows = _rows(book, f"period_{pa['year']}")
        for item, key, div in (("Annual system cost", "annual_cost_cny_per_yr", 1.0),
                               ("CO2, production-based", "co2_production_t_per_yr", 1.0),
                               ("CO2, consumption-based", "co2_consumption_t_per_yr", 1.0),
                               ("Imports from the grid", "imports_mwh_per_yr", 1e3),
                               ("Exports to the grid", "exports_mwh_per_yr", 1e3),
                               ("New-energy share of consumption", "new_energy_share", 1.0)):
            assert rows[item][0] == pytest.approx(pa[key] / div, rel=1e-6, abs=1e-3), (pa["year"], item)
            assert rows[item][2] == pytest.approx((pb[key] - pa[key]) / div, rel=1e-6, abs=1e-3), (pa["year"], item)
        shown = 0
        for g, v in pa["capacity_mw"].items():
            row = rows.get(f"Capacity — {names[g]}")
            if row is not None:
                shown += 1
                assert row[0] == pytest.approx(v, abs=1e-3)
                assert row[2] == pytest.approx(pb["capacity_mw"][g] - v, abs=1e-3)
        assert shown >= 3
        assert sum(k.endswith("Shadow price") for k in rows) == len(pa["targets"])
    later = _rows(book, "period_2025")["Annual system cost"]
    assert later[2] > 0  # the carbon price makes 2025 dearer
    html = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    en, zh = Lang("en"), Lang("zh")
    diff = db["present_value_cny"] - da["present_value_cny"]
    assert f"costs {en.q('money', diff)} more in present value (at 2020)" in html
    assert f"路径现值（折现到2020年）高{zh.q('money', diff)}" in html
    assert "2025: the runs compared (with targets)" in html and "2025年各方案对比" in html


def test_pathway_and_plain_run_are_refused(pair: tuple[Path, Path], tiny_plan_run: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = pair
    out = tmp_path / "cmp"
    assert main(["--quiet", "compare", str(a), str(tiny_plan_run), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"cannot compare pathway runs ({a}) with plain runs ({tiny_plan_run})" in err
    assert not out.exists()


def test_pathway_inputs_name_commitments_and_a_missing_period(pair: tuple[Path, Path]) -> None:
    """The lock-in case as inputs (the tiny fleet commits Sheyang Port's USC in 2025; the other run none), and a run without the baseline's 2025 period."""
    a, b = pair
    runs = load_runs([a, b])
    assert runs[0].doc["committed_mw"] == [{"technology": "coal_usc", "period": 2025, "mw": 2000.0}]
    without = dict(runs[0].doc, committed_mw=[])
    found, _equal = differences([pathway_inputs(runs[0].doc, runs[0].inputs), pathway_inputs(without, runs[0].inputs)])
    assert [(d.key, d.values[0].value, d.values[1].value) for d in found if d.values[0] and d.values[1]] == [
        ("pathway.commitments", "coal_usc 2025: 2000 MW", "none")]
    runs[1].doc = dict(runs[1].doc, periods=runs[1].doc["periods"][:1])
    tables = {t.name: t for t in comparison_tables(runs)}
    cost = next(r for r in tables["period_2025"].rows if r["item"].en == "Annual system cost")
    assert cost["run0"] == pytest.approx(runs[0].doc["periods"][1]["annual_cost_cny_per_yr"], rel=1e-12)
    assert cost["run1"] is None and cost["diff1"] is None
    first = next(r for r in tables["period_2020"].rows if r["item"].en == "Annual system cost")
    assert first["diff1"] == pytest.approx(runs[1].doc["periods"][0]["annual_cost_cny_per_yr"]
                                           - runs[0].doc["periods"][0]["annual_cost_cny_per_yr"], rel=1e-9, abs=1e-3)
    answer = answer_sentences([r.name for r in runs], [r.doc for r in runs], Lang("en"))[0]
    assert "in 2020" in answer and "2025" not in answer
