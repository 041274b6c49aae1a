"""Every phase of a run is counted once, and no time summed over processes is shown as elapsed.

- the first build counts assembling the case's inputs (on typical days the
  clustering), which no phase counted before;
- the console's timings line names the model updates between the build and the solves;
- the report's sentence gives the solves' elapsed time, not their sum over parallel processes.
"""

from __future__ import annotations

import time

import pytest
from test_change_path import build
from test_compile_once import SYSTEM

import energy_model.engine.study as study_module
from energy_model.output.i18n import Lang
from energy_model.output.scorecard import report_timings, timings_line

T = {"inputs_s": 1.0, "build_s": 2.0, "update_s": 1.3, "compile_s": 6.2, "compiles": 1, "solve_s": 221.3,
     "solve_wall_s": 150.0, "solves": 7, "parallel_solves": 7, "extract_s": 1.0, "check_s": 0.5, "write_s": 3.0,
     "total_s": 170.0}


def test_the_first_build_counts_the_assembly(monkeypatch: pytest.MonkeyPatch) -> None:
    original = study_module.assemble_case

    def slow(case: object) -> object:
        time.sleep(0.3)
        return original(case)

    monkeypatch.setattr(study_module, "assemble_case", slow)
    study = study_module.Study(build(SYSTEM))
    assert study.timings.build >= 0.3


@pytest.mark.parametrize(("lang", "words"), [("en", "build 2.0 s, update 1.3 s, compile 6.2 s"),
                                             ("zh", "建模2.0秒，更新模型1.3秒，编译6.2秒")])
def test_timings_line_names_the_updates(lang: str, words: str) -> None:
    assert words in timings_line(T, Lang(lang))


@pytest.mark.parametrize(("lang", "words"), [("en", "Solves: 7; model built in 2.0 s, solved in 150.0 s elapsed."),
                                             ("zh", "求解次数 7；建模 2.0 秒，求解实际经过 150.0 秒。")])
def test_report_gives_the_elapsed_solve_time(lang: str, words: str) -> None:
    assert report_timings(T, Lang(lang)) == words
    sequential = T | {"parallel_solves": 0, "solve_wall_s": 221.3}
    assert "221.3" in report_timings(sequential, Lang(lang))
    assert "221.3" in report_timings({k: v for k, v in sequential.items() if k != "solve_wall_s"}, Lang(lang))
