"""A change of target modes only takes the inputs and LP data over instead of assembling the case again.

The fast path must give exactly what a fresh assembly gives: on the
change-path system (``test_change_path.build``) and on ``example_day`` (24 h,
typical of a real scenario's inputs), the inputs Dataset after a mode change
and its penalties are identical to ``assemble_case`` of the changed case, and its LP data equal
to ``lp_data`` of that, field by field. A penalty may change with the mode (a
target that is not soft has none); a change of anything else (a level, a
cost, a table) is not a modes-only change.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_change_path import build
from test_compile_once import SYSTEM as SYSTEM_BASE

from energy_model.engine.batch import _equal
from energy_model.engine.mode_change import modes_only
from energy_model.engine.study import Study
from energy_model.inputs.assemble import assemble_case
from energy_model.inputs.load import load_case
from energy_model.inputs.lp_units import lp_data
from energy_model.io.changes import apply_changes

ROOT = Path(__file__).resolve().parent.parent


def _assert_same_as_fresh(study: Study) -> None:
    fresh = assemble_case(study.case)
    assert study.inputs.identical(fresh)
    assert list(study.inputs["target_mode"].values) == list(fresh["target_mode"].values)
    data = lp_data(fresh)
    for f in dataclasses.fields(data):
        assert _equal(getattr(study.model.lp_data, f.name), getattr(data, f.name)), f.name


@pytest.mark.parametrize("source", ["change_path", "example_day"])
def test_modes_only_change_equals_a_fresh_assembly(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = build(SYSTEM_BASE) if source == "change_path" else load_case(ROOT / "scenarios" / "example_day.yaml")
    study = Study(case)
    targets = study.targets
    assert len(targets) >= 2
    calls: list[int] = []
    import energy_model.engine.study as study_module

    original = study_module.assemble_case
    monkeypatch.setattr(study_module, "assemble_case", lambda c: calls.append(1) or original(c))
    before = study.inputs
    with study.changed({f"targets.{k}.mode": "report" for k in targets}):
        assert calls == []  # no assembly
        assert set(study.model.lp_data.target_mode.values()) == {"report"}
        assert list(study.inputs["target_mode"].values) == ["report"] * len(targets)
        _assert_same_as_fresh(study)
    assert study.inputs is before
    k = targets[0]
    with study.changed({f"targets.{k}.mode": "soft", f"targets.{k}.penalty": 123.0}):
        _assert_same_as_fresh(study)


def test_other_changes_are_not_modes_only() -> None:
    case = build(SYSTEM_BASE)
    k = next(iter(case.targets))
    changed = modes_only(case, apply_changes(case, {f"targets.{k}.mode": "report"}))
    assert changed is not None
    assert {j: s.mode for j, s in changed.items()} == {j: ("report" if j == k else s.mode)
                                                        for j, s in case.targets.items()}
    assert modes_only(case, apply_changes(case, {f"targets.{k}.level": 0.2})) is None
    assert modes_only(case, apply_changes(case, {"economics.carbon_price_cny_per_t": 99.0})) is None
    assert modes_only(case, case.evolve(technologies=case.technologies.copy())) is None
