"""Full-year runs started in a subprocess as soon as the tests are collected, checked when their test comes.

A full-year run leaves the test process idle for minutes while the rest of
the suite runs on one core. When a collected test asks for one of the runs
below (by its fixture name), :func:`start` launches it right after
collection, in a process of its own and a folder of its own; the test then
waits for it (:func:`result`) and asserts what it always did. Nothing is
shared with the test process but the environment (its disk cache folder);
a run not finished when the session ends is killed with its process group
and its folder removed (:func:`stop_all`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

#: The hindcast through ``run_scenario(..., write=False)`` (no run folder); writes its summary as JSON.
HINDCAST_CODE = """\
import json, sys
sys.path.insert(0, sys.argv[3])  # this project's package, as run.py finds it
from energy_model.output.writers import json_ready
from energy_model.workflows.run import run_scenario
outcome = run_scenario(sys.argv[1], write=False)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(json_ready(outcome.summary), f)
"""


def _plan_year_run_py(folder: Path) -> list[str]:
    """``python run.py --quiet run scenarios/plan_year.yaml --out <folder>`` (the default scenario, 8,760 h)."""
    return [sys.executable, str(PROJECT / "run.py"), "--quiet", "run", str(PROJECT / "scenarios" / "plan_year.yaml"),
            "--out", str(folder)]


def _hindcast_summary(folder: Path) -> list[str]:
    """The hindcast scenario's summary (no files published), written to ``<folder>/summary.json``."""
    return [sys.executable, "-c", HINDCAST_CODE, str(PROJECT / "scenarios" / "hindcast_2022.yaml"),
            str(folder / "summary.json"), str(PROJECT)]


#: Fixture name -> the command of its run (given the run's own folder, also its working directory).
RUNS = {"plan_year_run_py": _plan_year_run_py, "hindcast_summary": _hindcast_summary}


@dataclass
class EarlyRun:
    """A run in progress: its process, its folder and the files its output goes to."""

    proc: subprocess.Popen[bytes]
    folder: Path


@dataclass
class Finished:
    """What a finished run left: exit code, what it printed, and its folder (READ-ONLY for tests)."""

    returncode: int
    stdout: str
    stderr: str
    folder: Path


_RUNNING: dict[str, EarlyRun] = {}


def start(name: str) -> None:
    """Launch the run ``name`` of :data:`RUNS` in the background (once per session)."""
    if name in _RUNNING:
        return
    folder = Path(tempfile.mkdtemp(prefix=f"energy_model_test_{name}_"))
    with open(folder / "stdout.txt", "wb") as out, open(folder / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(RUNS[name](folder), cwd=folder, stdout=out, stderr=err,
                                start_new_session=os.name == "posix")
    _RUNNING[name] = EarlyRun(proc, folder)


def result(name: str, timeout_s: float = 1200.0) -> Finished:
    """Wait for the run ``name`` (started now if it was not) and return what it left."""
    start(name)
    run = _RUNNING[name]
    try:
        code = run.proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill(run)
        raise
    return Finished(code, (run.folder / "stdout.txt").read_text(encoding="utf-8", errors="replace"),
                    (run.folder / "stderr.txt").read_text(encoding="utf-8", errors="replace"), run.folder)


def process_groups() -> set[int]:
    """The process groups of the runs started here (each run leads its own): not children a test made."""
    return {run.proc.pid for run in _RUNNING.values()}


def _kill(run: EarlyRun) -> None:
    """End a run still going, with the processes it started (its own process group)."""
    if run.proc.poll() is None:
        if os.name == "posix":
            try:
                os.killpg(run.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            run.proc.kill()
        run.proc.wait()


def stop_all() -> None:
    """Kill every run still going and remove every run's folder."""
    for run in _RUNNING.values():
        _kill(run)
        shutil.rmtree(run.folder, ignore_errors=True)
    _RUNNING.clear()
