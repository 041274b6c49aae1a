"""What a compile keeps, where its transient memory goes, and what a solver process holds while HiGHS runs."""

from __future__ import annotations

import tracemalloc
import weakref

import numpy as np
import pyomo.environ as pyo

from energy_model.engine import highs
from energy_model.engine.compiled import Compiled, IdMap, Solution
from energy_model.engine.memory import in_forked_process
from energy_model.io.schema import SolverSpec

HOURS = 2400  # a capacity column of 2,400 entries: above the dense-column split's trigger


def _model() -> pyo.ConcreteModel:
    """min 10 x + sum 0.01 p  s.t.  p_t <= cf_t x,  sum p >= 480,  1 <= p_t + q_t <= 2 (range rows)."""
    cf = 0.2 + 0.6 * (np.arange(HOURS) % 24) / 23.0
    m = pyo.ConcreteModel()
    m.T = pyo.RangeSet(0, HOURS - 1)
    m.x = pyo.Var(bounds=(0.0, None))
    m.p = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    m.q = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    m.cf_limit = pyo.Constraint(m.T, rule=lambda m, t: m.p[t] - float(cf[t]) * m.x <= 0)
    m.band = pyo.Constraint(m.T, rule=lambda m, t: pyo.inequality(1.0, m.p[t] + m.q[t], 2.0))
    m.energy = pyo.Constraint(expr=sum(m.p[t] for t in m.T) >= 480.0)
    m.cost = pyo.Objective(expr=10.0 * m.x + 0.01 * sum(m.p[t] for t in m.T) + 0.02 * sum(m.q[t] for t in m.T))
    return m


def _arrays(c: Compiled) -> dict[str, np.ndarray]:
    lp = c.lp
    return {"start": np.asarray(lp.a_matrix_.start_), "index": np.asarray(lp.a_matrix_.index_),
            "value": np.asarray(lp.a_matrix_.value_), "cost": np.asarray(lp.col_cost_),
            "col_lower": np.asarray(lp.col_lower_), "col_upper": np.asarray(lp.col_upper_),
            "row_lower": np.asarray(lp.row_lower_), "row_upper": np.asarray(lp.row_upper_),
            "col_ids": c.columns.ids, "row_ids": c.rows.ids}


def test_the_compile_keeps_about_24_bytes_of_python_per_column_and_row() -> None:
    """The maps back to the model are arrays: no dict of Python ints and tuples per column and row.

    With ``{id: column}`` and ``{id: [(row, sign)]}`` dicts a compile kept about 180 bytes per column
    and row (95 MB for the plan year); the arrays are 3 x 8 bytes each (ids, order, sorted ids).
    """
    m = _model()
    highs.compile_model(m)  # the first compile sets up Pyomo's own caches
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    compiled = highs.compile_model(m)
    kept, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    entries = compiled.n_cols + compiled.n_rows
    assert (compiled.n_cols, compiled.n_rows) == (2 * HOURS + 1, 3 * HOURS + 1)  # a range constraint is two rows
    assert isinstance(compiled.columns, IdMap) and compiled.columns.ids.dtype == np.uint64
    assert not hasattr(compiled, "col_index") and not hasattr(compiled, "row_index")
    assert kept - before < 40 * entries + 20_000  # 24 bytes per entry, and a few small objects


def test_an_isolated_compile_gives_the_same_arrays_and_leaves_its_transient_memory_in_the_fork() -> None:
    m = _model()
    here = highs.compile_model(m)
    tracemalloc.start()
    highs.compile_model(m)
    _, peak_here = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    isolated = highs.compile_model(m, isolated=True)
    _, peak_isolated = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    a, b = _arrays(here), _arrays(isolated)
    for key in a:
        assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key
    assert isolated.rows_of(m.band[5]) == here.rows_of(m.band[5]) and len(here.rows_of(m.band[5])) == 2
    assert isolated.column(m.x) == here.column(m.x) is not None
    assert isolated.stats == here.stats and isolated.c_offset == here.c_offset
    # in this process only the arrays that come back: less than a third of the compile's peak
    assert peak_isolated < peak_here / 3


def test_in_forked_process_raises_the_error_of_the_call_here() -> None:
    def fails() -> None:
        raise ValueError("bad")

    try:
        in_forked_process(fails)
    except ValueError as exc:
        assert str(exc) == "bad"
    else:  # pragma: no cover
        raise AssertionError("no error")
    assert in_forked_process(sorted, [3, 1, 2]) == [1, 2, 3]


def test_duals_of_range_rows_and_rows_mapped_to_nothing() -> None:
    """A constraint of two rows sums their duals (in row order, as 0 + d1 + d2), a hidden row has NaN."""

    class Con:
        def __init__(self, items: list[object]):
            self.items = items

        def values(self) -> list[object]:
            return self.items

    a, b, c = object(), object(), object()
    rows = IdMap(np.array([id(a), id(b), id(a), 0, id(c)], dtype=np.uint64)).without(np.array([4]))
    compiled = Compiled(IdMap(np.zeros(0, dtype=np.uint64)), rows, 0, 5, 0.0, None, 0.0)
    sol = Solution(compiled, np.zeros(0), np.array([1.5, -0.0, 0.25, 9.0, 7.0]), 0.0, {})
    out = sol.dual(Con([a, b, c]))
    assert out[0] == 1.75 and np.isnan(out[2])
    assert out[1] == 0.0 and not np.signbit(out[1])  # 0 + (-0.0) is +0.0, as the sum of the parts was
    assert rows.positions(a) == [0, 2] and rows.positions(c) == []


def test_a_solver_process_does_not_hold_the_split_lp_while_highs_runs(monkeypatch) -> None:
    """The split arrays and their HighsLp are dropped once HiGHS has copied them in (before the run)."""
    m = _model()
    compiled = highs.compile_model(m)
    made: list[weakref.ref] = []
    real = highs._split_for

    def split_for(c: Compiled, method: str):  # noqa: ANN202
        split = real(c, method)
        if split is not None:
            made.extend([weakref.ref(split), weakref.ref(split.value)])
        return split

    monkeypatch.setattr(highs, "_split_for", split_for)
    spec = SolverSpec(method="hipo", threads=1)
    h, copies = highs.prepare_highs(compiled, spec, "hipo")
    assert copies > 0 and h.getNumCol() == compiled.n_cols + copies
    assert made and all(ref() is None for ref in made)  # gone, without a garbage collection
    sol = highs.run_highs(compiled, spec, hours=HOURS)
    plain = highs.run_highs(compiled, SolverSpec(method="simplex", threads=1), hours=HOURS)
    assert sol.info["dense_column_copies"] == copies
    assert abs(sol.objective - plain.objective) < 1e-7 * abs(plain.objective)
