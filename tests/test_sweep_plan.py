"""``python run.py sweep SWEEP.yaml --plan``: everything checked, the variant table written and printed, no solve."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from energy_model.cli.main import main
from energy_model.sweep.run import run_sweep

CAPEX = "technologies.offshore_wind.capex_cny_per_kw"
CARBON = "economics.carbon_price_cny_per_t"
GRID = f"""\
name: grid_plan
scenario: tiny_plan.yaml
mode: grid
parameters:
  {CARBON}: [0, 200]
  {CAPEX}: {{start: 8000, stop: 12000, num: 3}}
"""


@pytest.fixture
def no_sweep_solve(monkeypatch: pytest.MonkeyPatch, no_solver: list[str]) -> list[str]:
    """Fail if the sweep hands any variant to a worker (besides the LP tripwire of ``no_solver``)."""
    import energy_model.sweep.pools as sweeps

    def tripwire(*args: object, **kwargs: object) -> None:
        no_solver.append("sweep solve")
        raise AssertionError("--plan solved a variant")

    monkeypatch.setattr(sweeps, "solve_chunk", tripwire)
    monkeypatch.setattr(sweeps, "run_workers", tripwire)
    return no_solver


def test_plan_prints_and_writes_the_variant_table_without_solving(project, no_sweep_solve, capsys):
    sweep = project.scenario(GRID, "grid_plan.yaml")
    assert main(["sweep", str(sweep), "--out", str(project.out), "--plan"]) == 0
    assert no_sweep_solve == []
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["variant", CARBON, CAPEX]
    expected = [(0, 8000), (0, 10000), (0, 12000), (200, 8000), (200, 10000), (200, 12000)]
    rows = [line.split() for line in printed[1:7]]
    assert [(float(r[1]), float(r[2].replace(",", ""))) for r in rows] == expected
    assert all(len(r[0]) == 16 for r in rows) and len({r[0] for r in rows}) == 6
    folder = project.out / "grid_plan"
    assert printed[7] == f"Plan: 6 variants, none solved; written to {folder / 'plan.csv'}"
    assert len(printed) == 8
    plan = pd.read_csv(folder / "plan.csv", encoding="utf-8-sig", index_col="variant")
    assert list(plan.columns) == [f"param.{CARBON}", f"param.{CAPEX}"]
    assert [tuple(r) for r in plan.to_numpy()] == expected and list(plan.index) == [r[0] for r in rows]
    assert json.loads((folder / "manifest.json").read_text())["status"] == "planned"
    assert not (folder / "variants").exists() and not (folder / "sweep.csv").exists()
    assert not list(folder.glob(".*tmp*"))


def test_the_plan_ids_are_the_variants_a_sweep_then_solves(project):
    sweep = project.scenario(GRID.replace("num: 3", "num: 2"), "grid_plan.yaml")
    assert main(["sweep", str(sweep), "--out", str(project.out), "--plan"]) == 0
    plan = pd.read_csv(project.out / "grid_plan" / "plan.csv", encoding="utf-8-sig", index_col="variant")
    table = run_sweep(sweep, project.out)  # resumes into the planned folder
    assert list(table.index) == list(plan.index)
    assert (project.out / "grid_plan" / "plan.csv").exists()


def test_plan_of_a_bad_sweep_file_is_an_input_error_and_writes_nothing(project, no_sweep_solve, capsys):
    sweep = project.scenario(GRID.replace("[0, 200]", "[0, -5]"), "grid_plan.yaml")
    before = project.snapshot()
    assert main(["sweep", str(sweep), "--out", str(project.out), "--plan"]) == 2
    err = capsys.readouterr().err
    assert "grid_plan.yaml" in err and CARBON in err and "-5" in err
    assert project.snapshot() == before and not project.out.exists()
