"""Shared fixtures: a copy of the project's inputs with a short scenario, and a solver tripwire.

A test project lives under ``tmp_path``::

    tmp_path/inputs/...            copy of the shipped inputs/
    tmp_path/scenarios/<name>.yaml a scenario with inputs_dir: ../inputs
    tmp_path/data/                 files a scenario refers to (demand, weather)
    tmp_path/out/                  where runs write (absent until a run publishes)

Paths in the scenario stay relative, so the path-confinement rule (everything
inside the scenario folder's parent) holds as it does for the real project.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import early_runs
import numpy as np
import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parent.parent

#: A 48-hour scenario of the plan year: every key a test may want to break is present.
BASE_YAML = """\
name: tiny_plan
title: "Two January days"
inputs_dir: ../inputs
weather:
  source: synthetic
  years: [2021]
  seed: 1
horizon:
  start_hour: 0
  hours: 48
demand:
  annual_twh: 38.0
heat_demand:
  annual_twh: 3.0
economics:
  discount_rate: 0.08
  carbon_price_cny_per_t: 55
targets:
  wind_capacity:
    kind: min_capacity
    label: "Wind capacity 6 GW"
    technologies: [onshore_wind, offshore_wind]
    value_mw: 6000
  new_energy_share:
    kind: min_share
    label: "New-energy share 25 %"
    carriers: [wind, solar, biomass]
    share: 0.25
solver:
  method: simplex
  time_limit_s: 60
"""


@dataclass
class TmpProject:
    """A throw-away project folder (see module docstring)."""

    root: Path

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def scenario(self, text: str = BASE_YAML, name: str = "tiny_plan.yaml") -> Path:
        """Write a scenario file (raw text) and return its path."""
        path = self.root / "scenarios" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def edit_csv(self, name: str, old: str, new: str, count: int = 1) -> Path:
        """Replace ``old`` by ``new`` in an input table (must occur exactly ``count`` times)."""
        path = self.inputs / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    def data(self, name: str, text: str | bytes) -> Path:
        """Write a file under data/ and return its path."""
        path = self.root / "data" / name
        path.parent.mkdir(exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the project with its bytes (to prove nothing was written)."""
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file()}


def copy_project(root: Path, text: str = BASE_YAML) -> TmpProject:
    """Copy the shipped inputs under ``root`` and write the base scenario."""
    shutil.copytree(PROJECT / "inputs", root / "inputs")
    proj = TmpProject(root)
    proj.scenario(text)
    return proj


@pytest.fixture
def project(tmp_path: Path) -> TmpProject:
    """A fresh project copy with the 48-hour base scenario."""
    return copy_project(tmp_path)


@pytest.fixture(scope="session")
def tiny_plan_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One published run of the 48-hour base scenario (``run --quiet``), solved once per session. READ-ONLY."""
    from energy_model.cli.main import main

    proj = copy_project(tmp_path_factory.mktemp("tiny_plan_outputs"))
    assert main(["--quiet", "run", str(proj.scenario()), "--out", str(proj.out)]) == 0
    return proj.out / "tiny_plan"


@pytest.fixture
def published(project: TmpProject, tiny_plan_run: Path) -> Path:
    """``project`` with a run of its base scenario already published: a copy of :func:`tiny_plan_run`.

    For tests whose first run only sets the stage (a previous run folder to
    keep, replace or tamper with). The inputs are the same bytes, so its
    ``input_hash`` and results are those a run in ``project`` would publish
    (only timings and the creation time are the session run's); nothing is
    solved again.
    """
    folder = project.out / "tiny_plan"
    shutil.copytree(tiny_plan_run, folder)
    return folder


@pytest.fixture
def no_solver(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail the test if anything compiles or solves an LP; returns the (empty) call log."""
    calls: list[str] = []

    def tripwire(*args: object, **kwargs: object) -> None:
        calls.append("solver")
        raise AssertionError("the solver was called for a bad input")

    import energy_model.engine.highs as solve
    import energy_model.engine.study as study

    for mod in (solve, study):
        monkeypatch.setattr(mod, "run_highs", tripwire)
        monkeypatch.setattr(mod, "compile_model", tripwire)
    return calls


@pytest.fixture(autouse=True)
def _restore_sigint():
    """cli.main installs a SIGINT handler; put the previous one back after each test."""
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


def demand_csv(hours: int = 48, start: str = "2021-01-01 00:00", mw: float = 4000.0) -> str:
    """A valid hourly demand CSV for the first ``hours`` of 2021 (China Standard Time)."""
    stamps = pd.date_range(start, periods=hours, freq="h")
    values = mw * (1 + 0.2 * np.sin(np.arange(hours) * 2 * np.pi / 24))
    return "time,demand_mw\n" + "".join(f"{t:%Y-%m-%d %H:%M},{v:.1f}\n" for t, v in zip(stamps, values))


def weather_csv(year: int = 2021, *, keep_feb29: bool = True, shift_h: int = 0, offset: str = "+08:00",
                longitude: float = 120.45) -> str:
    """A full year of plausible hourly weather in the project's CSV format (China Standard Time stamps).

    GHI follows a clipped cosine around local solar noon; ``shift_h`` moves the
    whole series in time (e.g. -8 writes UTC-timed irradiance under +08:00 labels).
    """
    idx = pd.date_range(f"{year}-01-01 00:00", f"{year}-12-31 23:00", freq="h")
    if not keep_feb29:
        idx = idx[~((idx.month == 2) & (idx.day == 29))]
    noon = 12 + (120.0 - longitude) / 15
    hour = (idx.hour.to_numpy() + 0.5 - shift_h) % 24
    ghi = np.clip(800 * np.cos((hour - noon) * np.pi / 12), 0, None)
    temp = 10 + 8 * np.sin(np.arange(len(idx)) * 2 * np.pi / 8760)
    wind = 6 + 2 * np.sin(np.arange(len(idx)) / 7.0)
    rows = [f"{t:%Y-%m-%dT%H:%M}{offset},{g:.1f},{a:.2f},{w:.2f},{w * 1.4:.2f}\n"
            for t, g, a, w in zip(idx, ghi, temp, wind)]
    return "time,ghi,temp_air,wind_speed_10,wind_speed_100\n" + "".join(rows)


@pytest.fixture(scope="session")
def quick_week_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One published quick_week run (in a copy of the project), shared by the output tests of a session.

    Solved once per session through the command line (``run --quiet``); what
    the command printed is kept beside the project copy (see
    :func:`quick_week_stdout`). The folder is READ-ONLY for tests: a test that
    writes into a run folder copies it first (``shutil.copytree``).
    """
    from energy_model.cli.main import main

    root = tmp_path_factory.mktemp("quick_week_outputs")
    shutil.copytree(PROJECT / "inputs", root / "inputs")
    shutil.copytree(PROJECT / "scenarios", root / "scenarios")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["--quiet", "run", str(root / "scenarios" / "quick_week.yaml"), "--out", str(root / "out")])
    (root / "stdout.txt").write_text(printed.getvalue(), encoding="utf-8")
    assert code == 0, printed.getvalue()
    return root / "out" / "quick_week"


@pytest.fixture(scope="session")
def quick_week_stdout(quick_week_run: Path) -> str:
    """What ``run --quiet`` printed when it made :func:`quick_week_run`."""
    return (quick_week_run.parent.parent / "stdout.txt").read_text(encoding="utf-8")


_CACHE_DIR: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Keep the tests' disk cache of weather, profiles and typical days in a folder of this session.

    The user's cache folder is left alone; a cache folder set by the caller
    (``ENERGY_MODEL_CACHE``) is respected.
    """
    global _CACHE_DIR
    if "ENERGY_MODEL_CACHE" not in os.environ:
        _CACHE_DIR = tempfile.mkdtemp(prefix="energy_model_test_cache_")
        os.environ["ENERGY_MODEL_CACHE"] = _CACHE_DIR


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the full-year runs that the selected tests ask for (:mod:`early_runs`), so that they run meanwhile."""
    if session.config.option.collectonly:
        return
    wanted = {name for item in session.items for name in getattr(item, "fixturenames", ()) if name in early_runs.RUNS}
    for name in sorted(wanted):
        early_runs.start(name)


@pytest.fixture(scope="session")
def plan_year_run_py() -> early_runs.Finished:
    """``python run.py --quiet run scenarios/plan_year.yaml`` (8,760 h), started after collection. READ-ONLY.

    Its run folder is ``<folder>/plan_year``; the subprocess's working directory is ``folder``.
    """
    return early_runs.result("plan_year_run_py")


@pytest.fixture(scope="session")
def hindcast_summary() -> dict:
    """The summary of ``run_scenario(scenarios/hindcast_2022.yaml, write=False)``, run in a subprocess started
    after collection."""
    done = early_runs.result("hindcast_summary")
    assert done.returncode == 0, done.stderr
    return json.loads((done.folder / "summary.json").read_text(encoding="utf-8"))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the full-year runs still going and remove this session's cache folder."""
    early_runs.stop_all()
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)
