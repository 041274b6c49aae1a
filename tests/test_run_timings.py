"""Where a run's time goes: each phase once, the solve sum said to be over parallel processes, real versions.

A quick_week run (the session's shared run folder): its manifest names the
highspy distribution's version and the HiGHS library's, as installed, and
its timings add up: the phases run one after the other in the main process,
so their sum (with the solves' wall time) is at most the run's wall time;
the solves' wall time is at most their sum.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path

import highspy
import pytest
from test_parallel import CASES, share_study

from energy_model.output.i18n import Lang
from energy_model.output.scorecard import timings_line

PHASES = ("inputs_s", "build_s", "update_s", "compile_s", "solve_wall_s", "extract_s", "check_s")


def test_manifest_names_the_solver_that_ran(quick_week_run: Path) -> None:
    manifest = json.loads((quick_week_run / "manifest.json").read_text(encoding="utf-8"))
    versions = manifest["versions"]
    assert versions["highspy"] == importlib.metadata.version("highspy")
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", versions["highspy"])
    assert versions["highs"] == highspy.Highs().version() != "unknown"
    assert all(entry.get("method") for entry in manifest["solves"] if "objective_cny_per_yr" in entry)


def test_run_timings_add_up(quick_week_run: Path) -> None:
    manifest = json.loads((quick_week_run / "manifest.json").read_text(encoding="utf-8"))
    summary = json.loads((quick_week_run / "summary.json").read_text(encoding="utf-8"))
    t = summary["timings_s"]
    assert manifest["timings_s"] == t
    assert t["wall_s"] >= max(t[p] for p in PHASES)
    assert sum(t[p] for p in PHASES) <= t["wall_s"]
    assert t["solve_wall_s"] <= t["solve_s"] + 1e-9
    assert t["solves"] == len([e for e in manifest["solves"] if "solve_s" in e])
    # the reference and the enforced case differ only in target modes: one compile for both
    assert t["compiles"] == sum(e["compile_s"] > 0 for e in manifest["solves"]) < t["solves"]


def test_parallel_solves_are_summed_and_said_so() -> None:
    study = share_study()
    study.solve_many(CASES, parallel=True)
    t = study.timings
    assert t.solves == t.parallel_solves == 4
    assert 0 < t.solve_wall <= t.solve
    assert t.compiles == 4  # two cases change a level: not a modes-only batch, each case compiles


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "solve 221.3 s over 7 solve(s) (summed over parallel processes; wall 150.0 s)"),
    ("zh", "求解221.3秒（共7次求解，各并行进程相加；实际经过150.0秒）"),
])
def test_timings_line_says_when_the_solve_is_summed(lang: str, words: str) -> None:
    t = {"inputs_s": 1.0, "build_s": 2.0, "compile_s": 6.2, "compiles": 1, "solve_s": 221.3, "solve_wall_s": 150.0,
         "solves": 7, "parallel_solves": 7, "extract_s": 1.0, "check_s": 0.5, "write_s": 3.0, "total_s": 170.0}
    line = timings_line(t, Lang(lang))
    assert words in line
    assert timings_line(t | {"parallel_solves": 0}, Lang(lang)).count("150.0") == 0
