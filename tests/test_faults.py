"""Fault injection: every fault ends in its exit code and leaves nothing that looks like a result.

Faults (reliability.md F-xx): solver time limit (F-10), iteration limit
(F-11), infeasible (F-12/F-13), unbounded (F-14), unknown status and a failed
post-solve invariant (F-15), output folder not writable (F-08), disk full
during a write (F-07), SIGINT (F-03), two runs on one folder (F-18), a changed
input under the same scenario name (F-19), a failed re-solve after a
successful one (F-22).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest
from conftest import BASE_YAML, PROJECT, TmpProject
from tiny import system, tech

from energy_model.cli import main as cli
from energy_model.engine import study as study_mod
from energy_model.engine.study import Study
from energy_model.errors import (
    InfeasibleError,
    LimitReachedError,
    UnboundedError,
)
from energy_model.io.schema import TargetSpec
from energy_model.output.run_folder import verify_run
from energy_model.workflows import run as run_workflow


def run(p: TmpProject, scenario: Path, *extra: str) -> int:
    return cli.main(["--quiet", *extra, "run", str(scenario), "--out", str(p.out)])


def assert_nothing_published(p: TmpProject, name: str = "tiny_plan") -> None:
    """No run folder, no staging or old folder, no lock, no stray file under out/."""
    if p.out.exists():
        left = sorted(x.name for x in p.out.iterdir())
        assert left == [], f"files left in the output folder: {left}"
    assert not (p.out / name).exists()


def solver(extra: str) -> str:
    return BASE_YAML.replace("  time_limit_s: 60\n", extra)


# -- solver outcomes through the command line -----------------------------------------------------


def test_time_limit_zero_is_exit_5(project: TmpProject, capsys):
    code = run(project, project.scenario(solver("  time_limit_s: 0\n")))
    err = capsys.readouterr().err
    assert code == 5
    assert "time limit (0 s) reached" in err and "infeasible" not in err
    assert_nothing_published(project)


@pytest.mark.parametrize("presolve", ["choose", "off"])
def test_iteration_limit_is_exit_5(project: TmpProject, capsys, presolve):
    text = solver(f"  simplex_iteration_limit: 1\n  presolve: '{presolve}'\n")
    assert run(project, project.scenario(text)) == 5
    assert "Iteration limit" in capsys.readouterr().err
    assert_nothing_published(project)


def test_infeasible_target_is_exit_3_with_diagnosis(project: TmpProject, capsys):
    """Wind capped at 2,100 MW in total cannot meet a 6,000 MW target."""
    text = BASE_YAML + ("overrides:\n  technologies.onshore_wind.max_mw: 1600\n"
                        "  technologies.offshore_wind.max_mw: 500\n")
    assert run(project, project.scenario(text)) == 3
    err = capsys.readouterr().err
    assert "wind_capacity" in err or "Wind capacity" in err
    assert_nothing_published(project)


def test_unknown_status_is_exit_6(project: TmpProject, monkeypatch, capsys):
    """HiGHS ending in kUnknown (with whatever values it holds) is numerical trouble, not a result."""

    class UnknownHighs(highspy.Highs):
        def getModelStatus(self):  # noqa: N802 - HiGHS naming
            return highspy.HighsModelStatus.kUnknown

    monkeypatch.setattr(highspy, "Highs", UnknownHighs)
    assert run(project, project.scenario()) == 6
    assert "without a proven optimum" in capsys.readouterr().err
    assert_nothing_published(project)


def test_optimal_without_valid_values_is_exit_6(project: TmpProject, monkeypatch):
    class NoValues(highspy.Highs):
        def getSolution(self):  # noqa: N802
            sol = super().getSolution()
            sol.value_valid = False
            return sol

    monkeypatch.setattr(highspy, "Highs", NoValues)
    assert run(project, project.scenario()) == 6
    assert_nothing_published(project)


def test_invariant_violation_is_exit_6_and_unpublished(project: TmpProject, monkeypatch, capsys):
    """A solution whose dispatch breaks the hourly balance (monkeypatched) is caught by the runtime checks."""
    real = study_mod.extract_results

    def corrupt(model, sol, inputs):
        res = real(model, sol, inputs)
        res["dispatch_mw"].values[0, 5] += 250.0  # one technology, one hour
        return res

    monkeypatch.setattr(study_mod, "extract_results", corrupt)
    assert run(project, project.scenario()) == 6
    err = capsys.readouterr().err
    assert "I-01 electricity balance" in err and "post-solve checks" in err
    assert_nothing_published(project)


def test_cost_breakdown_violation_is_exit_6(project: TmpProject, monkeypatch, capsys):
    real = study_mod.extract_results

    def corrupt(model, sol, inputs):
        res = real(model, sol, inputs)
        res.attrs["objective_cny_per_yr"] *= 1.01
        return res

    monkeypatch.setattr(study_mod, "extract_results", corrupt)
    assert run(project, project.scenario()) == 6
    assert "I-06 costs sum to objective" in capsys.readouterr().err
    assert_nothing_published(project)


# -- tiny systems through the API ---------------------------------------------------------------------


def gas(**kw):
    return tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50, capex_cny_per_kw=100, **kw)


def test_unbounded_is_unbounded_error():
    """Export revenue without a capacity limit, fed by free unlimited gas: validation would refuse the
    negative cost, so the tiny system bypasses it and the solver must say unbounded (exit 4)."""
    ds = system([tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, capex_cny_per_kw=0),
                 tech("exp", "export", vom_cny_per_mwh=-10, capex_cny_per_kw=0)], [10, 10])
    with pytest.raises(UnboundedError) as info:
        Study(ds).solve()
    assert info.value.exit_code == 4


def test_infeasible_tiny_is_exit_3():
    ds = system([gas(max_mw=5)], [1, 1],
                targets={"cap": TargetSpec(kind="min_capacity", technologies=["gas"], value_mw=10)})
    with pytest.raises(InfeasibleError) as info:
        Study(ds).solve()
    assert info.value.exit_code == 3


def test_failed_resolve_after_success_leaks_nothing():
    """F-22: a re-solve that fails raises, returns nothing, and the model holds no stale values."""
    ds = system([gas(max_mw=20)], [10, 12],
                targets={"cap": TargetSpec(kind="min_capacity", technologies=["gas"], value_mw=15)})
    st = Study(ds)
    first = st.solve("first")
    obj = first.attrs["objective_cny_per_yr"]
    values = {v.name: v.value for v in st.model.component_data_objects(pyo.Var)}  # the solver never loads into Pyomo
    st.set("targets.cap.level", 30.0)  # above max_mw: infeasible
    result = None
    with pytest.raises(InfeasibleError):
        result = st.solve("second")
    assert result is None
    assert {v.name: v.value for v in st.model.component_data_objects(pyo.Var)} == values
    st.set("targets.cap.level", 15.0)
    again = st.solve("third")
    assert again.attrs["objective_cny_per_yr"] == pytest.approx(obj, rel=1e-9)
    assert first.attrs["objective_cny_per_yr"] == obj  # the earlier result object was not touched


def test_earlier_results_keep_their_target_levels_and_modes():
    """Results must not alias the Study's inputs: later changes may not rewrite a published case."""
    ds = system([gas(max_mw=20)], [10, 12],
                targets={"cap": TargetSpec(kind="min_capacity", technologies=["gas"], value_mw=15)})
    st = Study(ds)
    with st.changed({"targets.cap.mode": "report"}):
        reference = st.solve("reference")
    enforced = st.solve("enforced")
    st.set("targets.cap.level", 18.0)
    assert str(reference["target_mode"].item()) == "report"
    assert str(enforced["target_mode"].item()) == "enforce"
    assert float(enforced["target_level"].item()) == 15.0


def test_limit_after_success_is_not_served_from_the_earlier_solve():
    ds = system([gas(max_mw=20)], [10, 12, 8, 11])
    st = Study(ds)
    st.solve()
    st.apply({"solver.method": "simplex", "solver.simplex_iteration_limit": 0, "solver.presolve": "off"})
    with pytest.raises(LimitReachedError):
        st.solve()


# -- files -------------------------------------------------------------------------------------------------


def test_output_not_writable_fails_before_any_solve(project: TmpProject, no_solver, capsys):
    """The out folder's parent is a regular file (works as root, where chmod does not stop writes)."""
    blocker = project.root / "blocker"
    blocker.write_text("a file, not a folder")
    out = blocker / "out"
    code = cli.main(["--quiet", "run", str(project.scenario()), "--out", str(out)])
    assert code == 7
    assert "cannot write" in capsys.readouterr().err
    assert blocker.read_text() == "a file, not a folder"
    assert no_solver == []


def test_permission_denied_fails_before_any_solve(project: TmpProject, no_solver, monkeypatch, capsys):
    """EACCES from the pre-flight write probe (simulated: root ignores chmod)."""
    from energy_model.output import run_folder as results

    real_write_bytes = Path.write_bytes

    def deny(self, data):
        if self.name.startswith(".write-test-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", deny)
    assert results  # the probe lives in results.check_writable
    assert run(project, project.scenario()) == 7
    assert "no permission" in capsys.readouterr().err
    assert no_solver == []


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_disk_full_keeps_previous_run_intact(project: TmpProject, published: Path, monkeypatch, capsys):
    """F-07: ENOSPC while writing the second run: exit 7, the first run folder byte-identical, no staging."""
    scenario = project.scenario()
    folder = published
    verify_run(folder)
    before = folder_bytes(folder)

    calls = []

    def full(frame, path, index=True):
        calls.append(path.name)
        path.write_bytes(b"half a fi")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(run_workflow, "write_csv", full)
    assert run(project, scenario) == 7
    assert "disk full" in capsys.readouterr().err
    assert calls
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]
    assert folder_bytes(folder) == before
    verify_run(folder)


NETCDF_FAULTS = {
    "hdf-error": RuntimeError("NetCDF: HDF error"),
    "enospc": OSError(errno.ENOSPC, "No space left on device"),
}


@pytest.mark.parametrize("free_mb", [5000, 1], ids=["space-left", "disk-full"])
@pytest.mark.parametrize("fault", list(NETCDF_FAULTS))
def test_netcdf_write_failure_is_exit_7_and_keeps_previous_run(project: TmpProject, published: Path, monkeypatch,
                                                               capsys, fault, free_mb):
    """netCDF4 reports a full disk as RuntimeError('NetCDF: HDF error'): that was exit 1 with a traceback."""
    from collections import namedtuple

    import xarray as xr

    from energy_model.output import writers

    scenario = project.scenario()
    folder = published
    verify_run(folder)
    before = folder_bytes(folder)

    def failing(self, path, *args, **kwargs):
        Path(path).write_bytes(b"\x89HDF half")
        raise NETCDF_FAULTS[fault]

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(xr.Dataset, "to_netcdf", failing)
    monkeypatch.setattr(writers.shutil, "disk_usage", lambda p: usage(10 * 2**30, 0, free_mb * 2**20))
    assert run(project, scenario) == 7
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    nothing = f"nothing was published; the previous {folder} is unchanged"
    if fault == "enospc" or free_mb == 1:
        assert f"disk full while writing {project.out}/.staging-tiny_plan-{os.getpid()}/results.nc; {nothing}" in err
    else:
        assert (f"cannot write {project.out}/.staging-tiny_plan-{os.getpid()}/results.nc: the NetCDF library failed "
                f"(NetCDF: HDF error, 5000 MB free; a full disk is the usual cause); {nothing}") in err
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]
    assert folder_bytes(folder) == before
    verify_run(folder)


def test_keyboard_interrupt_in_solver_is_130(project: TmpProject, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(study_mod, "run_highs", interrupted)
    assert run(project, project.scenario()) == 130
    assert "interrupted" in capsys.readouterr().err
    assert_nothing_published(project)


def test_keyboard_interrupt_during_publish_is_130_and_keeps_old_run(project: TmpProject, published: Path,
                                                                     monkeypatch):
    scenario = project.scenario()
    verify_run(published)
    before = folder_bytes(project.out / "tiny_plan")

    def interrupted(data, path):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_workflow, "write_json", interrupted)
    assert run(project, scenario) == 130
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]
    assert folder_bytes(project.out / "tiny_plan") == before


def test_sigint_to_a_real_run(tmp_path: Path):
    """F-03 end to end: SIGINT to ``python run.py run`` while it works gives 130 and nothing published."""
    from conftest import copy_project

    p = copy_project(tmp_path, BASE_YAML.replace("hours: 48", "hours: 336"))
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT / "run.py"), "run", str(p.root / "scenarios" / "tiny_plan.yaml"),
         "--out", str(p.out)],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # first progress line: reading inputs (about a second of work follows)
    assert "reading inputs" in line, line
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert_nothing_published(p)


def test_second_run_on_a_locked_folder_refuses(project: TmpProject, no_solver, capsys):
    """F-18: a live process holds the lock: exit 7 before any solve, nothing interleaved."""
    project.out.mkdir()
    lock = project.out / ".tiny_plan.lock"
    lock.write_text(str(os.getpid()))
    assert run(project, project.scenario()) == 7
    assert "another run" in capsys.readouterr().err
    assert lock.read_text() == str(os.getpid())
    assert sorted(x.name for x in project.out.iterdir()) == [".tiny_plan.lock"]
    assert no_solver == []


def test_stale_lock_of_a_dead_process_is_taken_over(project: TmpProject):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    project.out.mkdir()
    (project.out / ".tiny_plan.lock").write_text(str(dead.pid))
    assert run(project, project.scenario()) == 0
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]


def test_changed_input_same_name_is_recomputed(project: TmpProject, published: Path):
    """F-19: editing a CSV value under the same scenario name changes input_hash and the numbers."""
    scenario = project.scenario()
    first = json.loads((project.out / "tiny_plan" / "manifest.json").read_text())
    project.edit_csv("fuels.csv", ",coal,t,6.4,750,", ",coal,t,6.4,1500,")
    assert run(project, scenario) == 0
    second = json.loads((project.out / "tiny_plan" / "manifest.json").read_text())
    assert second["input_hash"] != first["input_hash"]
    assert second["objective_cny_per_yr"] > first["objective_cny_per_yr"]
    verify_run(project.out / "tiny_plan")
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]


def test_tampered_result_file_fails_verification(published: Path):
    """A published file that no longer matches its manifest checksum is detected (exit 7 class)."""
    from energy_model.errors import OutputError

    folder = published
    verify_run(folder)
    (folder / "hourly.csv").write_text("time_cst,demand_mw\n")
    with pytest.raises(OutputError):
        verify_run(folder)
    assert np.isfinite(json.loads((folder / "manifest.json").read_text())["objective_cny_per_yr"])
