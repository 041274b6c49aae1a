"""Cases of which only the objective is read start from the last optimal simplex basis.

A target test's "each target alone" cases share one compile with the
reference and enforced cases and differ only in row and column bounds. Their
simplex solves start from the last optimal basis of that LP
(:class:`energy_model.engine.highs.WarmStart`). The optimal objective is
unique, so each must equal the cold solve of a separate compile to 1e-9; the
reference and enforced cases, whose values and duals are read, stay cold.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_change_path import build
from test_compile_once import ACTIVE, CASES, SYSTEM

import energy_model.engine.highs as highs
from energy_model.engine.study import Study
from energy_model.errors import InfeasibleError
from energy_model.inputs.load import load_case

ALONE = CASES[2:]


def cold_objectives(study: Study, cases: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """Each case compiled and solved on its own, cold."""
    out = []
    for label, changes in cases:
        with study.changed(changes):
            out.append(float(study.solve(label).attrs["objective_cny_per_yr"]))
    return out


def test_alone_cases_start_warm_and_give_the_cold_objectives() -> None:
    study = Study(build(SYSTEM))
    cold = cold_objectives(study, ALONE)
    first = study.solve_many(CASES[:2], parallel=False)
    assert all(not isinstance(r, Exception) for r in first)
    assert [e["warm_start"] for e in study.timings.log[-2:]] == [False, False]  # values and duals are read: cold
    alone = study.solve_many(ALONE, parallel=False, objective_only=True)
    entries = study.timings.log[-len(ALONE):]
    assert [e["warm_start"] for e in entries] == [True] * len(ALONE)
    assert study._shared is not None and study._shared.warm.solves == len(ALONE)
    for (label, _), res, expected in zip(ALONE, alone, cold):
        assert not isinstance(res, Exception), label
        assert res.attrs["objective_cny_per_yr"] == pytest.approx(expected, rel=1e-9), label
    assert len(ACTIVE) == len(ALONE)


def test_the_switch_keeps_every_solve_cold() -> None:
    study = Study(build(SYSTEM))
    study.apply({"solver.warm_start": False})
    study.solve_many(CASES[:2], parallel=False)
    study.solve_many(ALONE, parallel=False, objective_only=True)
    assert not any(e.get("warm_start") for e in study.timings.log)
    assert study._shared is not None and study._shared.warm.solves == 0


def test_a_failed_warm_start_is_solved_cold(monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm-started run that ends without an optimum is run again cold; its answer is the cold one."""
    study = Study(build(SYSTEM))
    cold = cold_objectives(study, ALONE[:1])
    study.solve_many(CASES[:2], parallel=False)
    run_once = highs._run_once
    calls: list[bool] = []

    def failing_warm(compiled: Any, spec: Any, method: str, warm: Any, cold: bool = False) -> Any:
        calls.append(cold)
        if not cold:
            raise InfeasibleError("pretend the warm start went wrong", termination="infeasible")
        return run_once(compiled, spec, method, warm, cold=True)

    monkeypatch.setattr(highs, "_run_once", failing_warm)
    res = study.solve_many(ALONE[:1] + ALONE[:1], parallel=False, objective_only=True)
    assert calls == [False, True, False, True]
    assert study.timings.log[-1]["warm_start"] is False
    assert study._shared is not None and study._shared.warm.solves == 0
    for r in res:
        assert not isinstance(r, Exception)
        assert r.attrs["objective_cny_per_yr"] == pytest.approx(cold[0], rel=1e-9)


def test_a_warm_start_saves_most_simplex_iterations() -> None:
    """On a week of the plan year, each target alone from the enforced basis: far fewer iterations, same cost."""
    study = Study(load_case("scenarios/quick_week.yaml"))
    active = [k for k, m in study.target_modes().items() if m != "report"]
    assert len(active) >= 2
    alone = [(f"{k} alone", {f"targets.{j}.mode": ("report" if j != k else study.target_modes()[j])
                             for j in active}) for k in active]
    reference = ("reference", {f"targets.{k}.mode": "report" for k in active})
    with study.changed({"solver.warm_start": False}):
        study.solve_many([reference, ("enforced", {})], parallel=False)
        cold = study.solve_many(alone, parallel=False, objective_only=True)
        cold_iterations = [e["simplex_iterations"] for e in study.timings.log[-len(alone):]]
    study.solve_many([reference, ("enforced", {})], parallel=False)
    warm = study.solve_many(alone, parallel=False, objective_only=True)
    entries = study.timings.log[-len(alone):]
    assert all(e["warm_start"] for e in entries)
    assert sum(e["simplex_iterations"] for e in entries) < 0.5 * sum(cold_iterations)
    for (label, _), a, b in zip(alone, cold, warm):
        assert not isinstance(a, Exception) and not isinstance(b, Exception), label
        assert b.attrs["objective_cny_per_yr"] == pytest.approx(a.attrs["objective_cny_per_yr"], rel=1e-9), label


def test_a_basis_of_another_lp_is_not_used() -> None:
    study = Study(build(SYSTEM))
    compiled = highs.compile_model(study.model)
    other = highs.compile_model(study.model)
    warm = highs.WarmStart(other.lp)
    first = highs.run_highs(compiled, study.solver, hours=6, warm=highs.WarmStart(compiled.lp))
    warm.basis = object()  # would fail in setBasis if it were offered
    sol = highs.run_highs(compiled, study.solver, hours=6, warm=warm, start=True)
    assert sol.info["warm_start"] is False and warm.solves == 0
    assert sol.objective == pytest.approx(first.objective, rel=1e-12)
