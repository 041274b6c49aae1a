"""The charts start drawing as soon as the reference and enforced cases are solved, and come out the same.

``run_target_test(on_solved=...)`` hands over both results before any target
is solved alone; ``run_scenario`` starts the charts there, so they draw
while the targets are solved alone and the files are written. The charts
drawn in the background are those drawn in the calling process, and a run
that fails after they started leaves no drawing process behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xarray as xr
from conftest import PROJECT
from test_change_path import build
from test_compile_once import SYSTEM

from energy_model.analysis.target_test import run_target_test
from energy_model.engine.study import Study
from energy_model.output import jobs
from energy_model.output.chart_data import collect
from energy_model.output.charts import CHARTS, render_chart
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.workflows import run as run_workflow


def test_on_solved_comes_before_the_targets_alone() -> None:
    study = Study(build(SYSTEM))
    seen: list[tuple[int, xr.Dataset, xr.Dataset]] = []
    test = run_target_test(study, on_solved=lambda ref, enf: seen.append((study.timings.solves, ref, enf)))
    assert len(seen) == 1
    solves, ref, enf = seen[0]
    assert solves == 2 < study.timings.solves  # targets were solved alone after it
    assert ref is test.reference and enf is test.enforced


def test_charts_drawn_in_the_background_are_the_ones_drawn_here() -> None:
    study = Study(build(SYSTEM))
    test = run_target_test(study)
    assert test.enforced is not None
    background = jobs.ChartJobs(test.enforced, test.reference, study.inputs).charts()
    data, names = collect(test.enforced, test.reference, study.inputs), Names(study.inputs)
    for code in LANGS:
        for name in CHARTS:
            assert background[code][name] == render_chart(name, data, Lang(code), names), (code, name)


class _Recording(jobs.ChartJobs):
    made: list[Any] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        _Recording.made.append(self)


def test_a_run_starts_the_charts_before_the_targets_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _Recording.made = []
    progress: list[str] = []

    def say(line: str) -> None:
        progress.append(f"{len(_Recording.made)} {line}")

    monkeypatch.setattr(jobs, "ChartJobs", _Recording)
    outcome = run_workflow.run_scenario(PROJECT / "scenarios" / "example_day.yaml", tmp_path, progress=say)
    assert len(_Recording.made) == 1 and _Recording.made[0]._pool is None  # used, then closed
    alone = [p for p in progress if "alone" in p]
    assert alone and all(p.startswith("1 ") for p in alone)  # started before the targets were solved alone
    assert outcome.folder is not None and (outcome.folder / "report.html").stat().st_size > 0


def test_a_failed_run_stops_the_charts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _Recording.made = []
    monkeypatch.setattr(jobs, "ChartJobs", _Recording)

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(run_workflow, "_writers", fail)
    with pytest.raises(OSError):
        run_workflow.run_scenario(PROJECT / "scenarios" / "example_day.yaml", tmp_path)
    assert len(_Recording.made) == 1 and _Recording.made[0]._pool is None
