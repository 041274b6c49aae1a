"""End to end through the command line, into a temporary folder: a short horizon and the full plan year."""

from __future__ import annotations

import json
from pathlib import Path

import early_runs
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, TmpProject

from energy_model.cli.main import main
from energy_model.output.run_folder import open_netcdf, verify_run

FILES = {"results.nc", "reference.nc", "inputs.nc", "summary.json", "targets.csv", "technologies.csv", "fuels.csv",
         "hourly.csv", "report.html", "manifest.json"}


def check_run_folder(folder: Path) -> dict:
    """Everything a run publishes is present, verified and self-consistent."""
    assert FILES <= {p.name for p in folder.iterdir()}
    manifest = verify_run(folder)
    assert manifest["status"] == "optimal"
    res = open_netcdf(folder / "results.nc")
    inp = open_netcdf(folder / "inputs.nc")
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    # cost components add up to the objective
    assert float(res["cost_cny_per_yr"].sum()) == pytest.approx(res.attrs["objective_cny_per_yr"], rel=1e-9)
    # hourly balance from the files
    kind = inp["kind"].values.astype(str)
    disp = res["dispatch_mw"].values
    supply = disp[np.isin(kind, ["variable", "thermal", "chp", "import"])].sum(0) + disp[kind == "storage"].sum(0)
    balance = supply - disp[kind == "export"].sum(0) + res["unserved_mw"].values - inp["demand_mw"].values
    assert np.abs(balance).max() < 1e-3 * inp["demand_mw"].max()
    # the CSV of targets matches the NetCDF
    targets = pd.read_csv(folder / "targets.csv")
    np.testing.assert_allclose(targets["value"].values, res["target_value"].values, rtol=1e-6)
    assert len(doc["targets"]) == res.sizes["target"]
    assert manifest["input_hash"] == inp.attrs["input_hash"]
    # the report names every target and technology, and states the outcome
    html = (folder / "report.html").read_text(encoding="utf-8")
    for t in doc["targets"]:
        assert t["label"] in html
    for name in inp["name"].values:
        assert str(name) in html
    assert doc["target_status"].replace("_", " ") in html
    return doc


def test_quick_week_from_the_command_line(quick_week_run: Path, quick_week_stdout: str):
    """The session's quick_week run (``run --quiet`` through :func:`main`, exit 0 asserted by the fixture)."""
    out = quick_week_stdout
    doc = check_run_folder(quick_week_run)
    assert "Wind capacity 6 GW" in out and "Total system cost" in out
    by_name = {t["target"]: t for t in doc["targets"]}
    assert set(by_name) == {"wind_capacity", "solar_capacity", "new_energy_share", "adequacy"}
    assert by_name["adequacy"]["mode"] == "report" and by_name["adequacy"]["kind"] == "reserve_margin"
    for t in doc["targets"]:
        assert t["met"] or t["mode"] == "report"
        if t["binding"]:
            assert t["shadow_price"] > 0
    # a target met without enforcement costs nothing and has no price
    for t in doc["targets"]:
        if t["met_without_enforcement"]:
            assert t["cost_alone_cny_per_yr"] == 0.0
    assert not list(quick_week_run.parent.glob(".staging-*"))


def test_rerun_replaces_the_folder_atomically(project: TmpProject, published: Path):
    """A second run over a published first one (a copy of the session's 48-hour run: not solved twice)."""
    first = (published / "manifest.json").read_text()
    assert main(["--quiet", "run", str(project.root / "scenarios" / "tiny_plan.yaml"), "--out", str(project.out)]) == 0
    second = json.loads((published / "manifest.json").read_text())
    assert json.loads(first)["objective_cny_per_yr"] == pytest.approx(second["objective_cny_per_yr"], rel=1e-7)
    assert second["solves"] != json.loads(first)["solves"]  # replaced: the log of the second run's own solves
    assert sorted(p.name for p in project.out.iterdir()) == ["tiny_plan"]


@pytest.mark.slow
def test_full_plan_year_with_run_py(plan_year_run_py: early_runs.Finished):
    """The default scenario, 8,760 h, through ``python run.py run`` in a subprocess.

    The subprocess is started right after collection (:mod:`early_runs`), so that it solves while the
    other tests run; this test waits for it and checks what it published and printed.
    """
    proc = plan_year_run_py
    assert proc.returncode == 0, proc.stderr
    folder = proc.folder / "plan_year"
    doc = check_run_folder(folder)
    res = open_netcdf(folder / "results.nc")
    assert res.sizes["time"] == 8760
    cap = res["capacity_mw"].to_series()
    assert cap["onshore_wind"] + cap["offshore_wind"] >= 6000 - 1e-3
    assert cap["utility_pv"] + cap["rooftop_pv"] >= 3000 - 1e-3
    assert doc["enforced"]["new_energy_share"] >= 0.25 - 1e-6
    assert doc["enforced"]["total_cost_cny_per_yr"] >= doc["reference"]["total_cost_cny_per_yr"] - 1.0
    for line in ("Wind capacity 6 GW", "Solar capacity 3 GW", "New-energy generation 25 %"):
        assert line in proc.stdout
    assert "hipo" in json.dumps(json.loads((folder / "manifest.json").read_text())["solves"])


def test_the_default_command_runs_the_shipped_plan_year(monkeypatch: pytest.MonkeyPatch):
    """``python run.py`` with no command runs scenarios/plan_year.yaml of the project (found from the package)."""
    import energy_model.workflows.run as run_workflow
    from energy_model.cli import main as cli_main

    seen: list[Path] = []

    def fake_run(scenario, out=None, **kw):
        seen.append(Path(scenario))
        raise KeyboardInterrupt  # stop before any work; the CLI maps it to exit 130

    monkeypatch.setattr(run_workflow, "run_scenario", fake_run)
    assert cli_main.DEFAULT_SCENARIO == PROJECT / "scenarios" / "plan_year.yaml"
    assert cli_main.DEFAULT_SCENARIO.is_file()
    assert cli_main.main(["--quiet"]) == 130
    assert seen == [PROJECT / "scenarios" / "plan_year.yaml"]
