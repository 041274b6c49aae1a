"""Dense columns split into copies: the same optimum, values and duals; the structure HiPO needs."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from energy_model.engine import highs
from energy_model.engine.dense_columns import DENSE_LIMIT, SplitLP, loosening, split_dense_columns
from energy_model.io.schema import SolverSpec

HOURS = 2400  # above the split's trigger (2,000 entries)
SUM_CF = 1200.0  # sum of the capacity factors over HOURS
ENERGY = 480.0  # needs x = ENERGY / SUM_CF = 0.4


def _capacity_model(flh_min: float = 0.0, cap_min: float = 0.0) -> pyo.ConcreteModel:
    """min 10 x + sum 0.01 p  s.t.  p_t <= cf_t x,  sum p >= ENERGY,  sum p >= flh_min x,  x >= cap_min."""
    cf = 0.2 + 0.6 * (np.arange(HOURS) % 24) / 23.0
    m = pyo.ConcreteModel()
    m.T = pyo.RangeSet(0, HOURS - 1)
    m.x = pyo.Var(bounds=(cap_min, None))
    m.p = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    m.cf_limit = pyo.Constraint(m.T, rule=lambda m, t: m.p[t] - float(cf[t]) * m.x <= 0)
    m.energy = pyo.Constraint(expr=sum(m.p[t] for t in m.T) >= ENERGY)
    m.flh = pyo.Constraint(expr=sum(m.p[t] for t in m.T) - flh_min * m.x >= 0)
    m.cost = pyo.Objective(expr=10.0 * m.x + 0.01 * sum(m.p[t] for t in m.T))
    m.cf = cf
    return m


def _as_split(compiled: highs.Compiled) -> SplitLP:
    lp = compiled.lp
    return SplitLP(np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.value_),
                   np.asarray(lp.col_cost_), np.asarray(lp.col_lower_), np.asarray(lp.col_upper_),
                   np.asarray(lp.row_lower_), np.asarray(lp.row_upper_), compiled.n_cols, compiled.n_rows)


def test_loosening_mask_by_row_type() -> None:
    inf = np.inf
    index = np.array([0, 1, 2, 3, 4, 5])
    value = np.array([-1.0, 1.0, 1.0, -1.0, 1.0, 1.0])
    lo = np.array([-inf, -inf, 0.0, 0.0, 1.0, -inf])
    hi = np.array([0.0, 0.0, inf, inf, 1.0, inf])
    # <= with -a: loosens; <= with +a: tightens; >= with +a: loosens; >= with -a: tightens; equation; free
    assert loosening(index, value, lo, hi).tolist() == [True, False, True, False, False, True]


def test_structure_no_dense_column_left_and_tightening_row_kept() -> None:
    m = _capacity_model(flh_min=400.0)
    compiled = highs.compile_model(m)
    base = _as_split(compiled)
    out = split_dense_columns(base)
    j = compiled.column(m.x)
    assert j is not None
    assert np.diff(base.start)[j] == HOURS + 1  # every cf_limit row and the flh row
    counts = np.diff(out.start)
    assert counts.max() <= DENSE_LIMIT + 1
    # the original columns and rows come first, unchanged in number
    assert out.n_original == compiled.n_cols and out.m_original == compiled.n_rows
    assert out.n_cols == compiled.n_cols + out.copies and out.n_rows == compiled.n_rows + out.copies
    # the flh row (x tightens it) still holds x itself
    flh_row = compiled.rows_of(m.flh)[0]
    rows_of_x = out.index[out.start[j]:out.start[j + 1]]
    assert flh_row in rows_of_x
    # copies: cost 0, lower bound of x, ties c - parent <= 0
    assert np.all(out.col_cost[compiled.n_cols:] == 0.0)
    assert np.all(out.row_upper[compiled.n_rows:] == 0.0) and np.all(np.isinf(out.row_lower[compiled.n_rows:]))


@pytest.mark.parametrize(
    "flh_min,cap_min,x_hand,energy,energy_dual,flh_dual",
    [
        # the energy row sets x = 480 / 1200 = 0.4; the flh row (x tightens it) is slack
        (0.0, 0.0, 0.4, ENERGY, 10.0 / SUM_CF + 0.01, 0.0),
        (800.0, 0.0, 0.4, ENERGY, 10.0 / SUM_CF + 0.01, 0.0),
        # x forced to 0.45: the energy row no longer limits; the flh row asks 1,120 h * 0.45 = 504
        (1120.0, 0.45, 0.45, 504.0, 0.0, 0.01),
    ],
)
def test_split_solve_equals_hand_optimum_and_unsplit(flh_min: float, cap_min: float, x_hand: float, energy: float,
                                                     energy_dual: float, flh_dual: float) -> None:
    m = _capacity_model(flh_min=flh_min, cap_min=cap_min)
    assert float(m.cf.sum()) == pytest.approx(SUM_CF)
    compiled = highs.compile_model(m)
    split = highs.run_highs(compiled, SolverSpec(method="hipo", threads=1), hours=HOURS)
    plain = highs.run_highs(compiled, SolverSpec(method="simplex", threads=1), hours=HOURS)
    assert split.info["dense_column_copies"] > 0
    assert plain.info["dense_column_copies"] == 0
    obj_hand = 10.0 * x_hand + 0.01 * energy
    for sol in (split, plain):
        assert sol.objective == pytest.approx(obj_hand, rel=1e-7)
        assert sol.values_of([m.x])[0] == pytest.approx(x_hand, rel=1e-6)
        assert float(sol.value(m.p).sum()) == pytest.approx(energy, rel=1e-6)
        assert sol.dual(m.energy)[0] == pytest.approx(energy_dual, rel=1e-6, abs=1e-8)
        assert sol.dual(m.flh)[0] == pytest.approx(flh_dual, rel=1e-6, abs=1e-8)
    # the original columns and rows only come back
    assert split.x.size == compiled.n_cols and split.row_dual.size == compiled.n_rows


def test_split_can_be_switched_off_with_the_same_optimum() -> None:
    m = _capacity_model()
    compiled = highs.compile_model(m)
    on = highs.run_highs(compiled, SolverSpec(method="ipm", threads=1), hours=HOURS)
    off = highs.run_highs(compiled, SolverSpec(method="hipo", threads=1, split_dense_columns=False), hours=HOURS)
    assert on.info["dense_column_copies"] > 0 and off.info["dense_column_copies"] == 0
    assert on.objective == pytest.approx(off.objective, rel=1e-8)
    assert on.objective == pytest.approx(10.0 * 0.4 + 0.01 * ENERGY, rel=1e-8)


def test_a_split_solve_short_of_feasibility_is_solved_unsplit(monkeypatch: pytest.MonkeyPatch) -> None:
    """An interior point on the split LP that stops at a primal infeasibility above 10x tolerance is not kept.

    (Seen on a 3-period pathway LP: 1.6e-4 split, 3e-14 unsplit.) The split solve is made to report
    1e-4; the LP is solved again unsplit and that answer, with the refused residual, is returned.
    """
    m = _capacity_model()
    compiled = highs.compile_model(m)
    run_once = highs._run_once
    split_flags: list[bool] = []

    def short(compiled: highs.Compiled, spec: SolverSpec, method: str, warm: object, cold: bool = False) -> object:
        split_flags.append(spec.split_dense_columns)
        sol = run_once(compiled, spec, method, warm, cold=cold)  # type: ignore[arg-type]
        if sol.info["dense_column_copies"]:
            sol.info["primal_infeasibility"] = 1e-4
        return sol

    monkeypatch.setattr(highs, "_run_once", short)
    sol = highs.run_highs(compiled, SolverSpec(method="ipm", threads=1), hours=HOURS)
    assert split_flags == [True, False]
    assert sol.info["dense_column_copies"] == 0 and sol.info["dense_column_split_undone"] == 1e-4
    assert sol.objective == pytest.approx(10.0 * 0.4 + 0.01 * ENERGY, rel=1e-8)
    # a residual within 10x the tolerance is kept
    split_flags.clear()
    monkeypatch.setattr(highs, "_run_once", run_once)
    kept = highs.run_highs(compiled, SolverSpec(method="ipm", threads=1), hours=HOURS)
    assert kept.info["dense_column_copies"] > 0 and "dense_column_split_undone" not in kept.info


def test_no_split_below_the_trigger() -> None:
    m = _capacity_model()
    compiled = highs.compile_model(m)
    base = _as_split(compiled)
    assert split_dense_columns(base, trigger=HOURS) is base
    assert split_dense_columns(base, trigger=HOURS - 1).copies > 0


def test_plan_year_fragment_split_equals_unsplit(project) -> None:
    """Six weeks of the plan year (every constraint family, targets binding): split and unsplit agree.

    Capacity columns of committed units have 3 x 1,008 loosening entries (online capacity, ramps up and
    down): above the split's trigger.
    """
    import shutil
    from pathlib import Path

    from energy_model.inputs.assemble import assemble_case
    from energy_model.inputs.load import load_case
    from energy_model.inputs.lp_units import lp_data
    from energy_model.model import build_model

    shutil.copy(Path(__file__).resolve().parent.parent / "scenarios" / "plan_year.yaml",
                project.root / "scenarios" / "plan_year.yaml")
    scenario = project.scenario("name: fragment\nbase: plan_year.yaml\nhorizon:\n  start_hour: 0\n  hours: 1008\n",
                                name="fragment.yaml")
    data = lp_data(assemble_case(load_case(scenario)))
    m = build_model(data)
    compiled = highs.compile_model(m)
    split = highs.run_highs(compiled, SolverSpec(method="hipo", threads=1), hours=data.hours)
    plain = highs.run_highs(compiled, SolverSpec(method="hipo", threads=1, split_dense_columns=False),
                            hours=data.hours)
    assert split.info["dense_column_copies"] > 0 and plain.info["dense_column_copies"] == 0
    assert split.objective == pytest.approx(plain.objective, rel=1e-7)
    scale = float(np.abs(plain.value(m.build)).max())
    assert np.abs(split.value(m.build) - plain.value(m.build)).max() <= 1e-5 * scale
    # shadow prices of the targets that bind, and the hourly prices on average
    binding = np.abs(plain.dual(m.target_row)) > 1e-3
    assert binding.any()
    np.testing.assert_allclose(split.dual(m.target_row)[binding], plain.dual(m.target_row)[binding], rtol=1e-4)
    assert float(np.mean(split.dual(m.balance))) == pytest.approx(float(np.mean(plain.dual(m.balance))), rel=1e-5)
