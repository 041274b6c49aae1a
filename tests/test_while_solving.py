"""Work for the interpreter while HiGHS solves: the hook runs after the compile and before the solver.

A run on a short horizon imports the chart and workbook modules in a thread
while the reference and enforced cases are solved (the interpreter only
waits on HiGHS then); a full-year run, which forks its compile and solver
processes, does not start that thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_change_path import build
from test_compile_once import CASES, SYSTEM

import energy_model.engine.study as study_mod
import energy_model.workflows.run as run_mod
from energy_model.engine.study import Study


def test_before_solves_runs_after_the_compile_and_before_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    study = Study(build(SYSTEM))
    events: list[Any] = []
    real = study_mod.run_highs

    def solving(*args: Any, **kwargs: Any) -> Any:
        events.append("solve")
        return real(*args, **kwargs)

    monkeypatch.setattr(study_mod, "run_highs", solving)
    study.solve_many(CASES[:2], parallel=False, before_solves=lambda: events.append(("hook", study.timings.compiles)))
    assert events == [("hook", 1), "solve", "solve"]


def test_a_short_run_imports_the_output_modules_while_solving(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    started: list[str] = []
    real = run_mod._preload_output_modules

    def preload() -> Any:
        started.append("preload")
        return real()

    monkeypatch.setattr(run_mod, "_preload_output_modules", preload)
    out = run_mod.run_scenario("scenarios/example_day.yaml", out=tmp_path)
    assert started == ["preload"]
    assert (out.folder / "report.html").read_text(encoding="utf-8").count("<svg") >= 9  # the charts are there
    run_mod.run_scenario("scenarios/example_day.yaml", write=False)
    assert started == ["preload"]  # nothing is drawn without a folder: nothing to import ahead
