"""A compiled LP and the maps back to the model: its arrays, each case's bounds, a solution's values and duals.

No HiGHS here (:mod:`energy_model.engine.highs` hands the arrays to it):
Pyomo's ``LinearStandardFormCompiler`` turns the model into column-wise
arrays (:func:`standard_form`), and a :class:`Solution` reads values and
duals back through :class:`IdMap` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from energy_model.errors import NumericalError

INF = float("inf")


@dataclass
class Bounds:
    """Row and column bounds one case sets on a shared compiled LP before it is solved.

    A batch of cases that differ only in target modes is compiled once (see
    :mod:`energy_model.engine.batch`); each case is then these bounds: a
    reported target's row free (-inf..inf), a fixed shortfall's column 0..0.
    """

    rows: np.ndarray  # int32 row indices
    row_lo: np.ndarray
    row_hi: np.ndarray
    cols: np.ndarray  # int32 column indices
    col_lo: np.ndarray
    col_hi: np.ndarray


class IdMap:
    """Python objects (by ``id``) -> their positions in the LP, held as arrays.

    One entry per column or row: the ``id`` of the Pyomo component data it
    comes from (0 for a row that maps back to nothing). Arrays instead of a
    dict of Python ints and tuples: 13 MB instead of 95 MB for the plan
    year, and none of the small objects that kept the compile's freed heap
    from going back to the operating system.

    Parameters
    ----------
    ids : numpy.ndarray
        ``id`` of the object of each position (uint64).
    """

    __slots__ = ("ids", "_order", "_sorted")

    def __init__(self, ids: np.ndarray):
        self.ids = np.asarray(ids, dtype=np.uint64)
        self._order = np.argsort(self.ids, kind="stable")  # positions by id; equal ids in position order
        self._sorted = self.ids[self._order]

    def __len__(self) -> int:
        return len(self.ids)

    def spans(self, objects: Any) -> tuple[np.ndarray, np.ndarray]:
        """For each object, where its positions start in :attr:`order` and how many there are."""
        q = np.fromiter((id(o) for o in objects), dtype=np.uint64, count=len(objects))
        lo = np.searchsorted(self._sorted, q, side="left")
        hi = np.searchsorted(self._sorted, q, side="right")
        return lo, hi - lo

    @property
    def order(self) -> np.ndarray:
        """Positions sorted by id (positions of one object in ascending order)."""
        return self._order

    def first(self, objects: Any) -> np.ndarray:
        """The (first) position of each object, -1 where it has none."""
        lo, count = self.spans(objects)
        out = np.full(len(lo), -1, dtype=np.int64)
        found = count > 0
        out[found] = self._order[lo[found]]
        return out

    def positions(self, obj: Any) -> list[int]:
        """Every position of one object, ascending (empty when it has none)."""
        lo, count = self.spans([obj])
        return [int(p) for p in self._order[lo[0]:lo[0] + count[0]]]

    def without(self, positions: np.ndarray) -> IdMap:
        """A copy in which ``positions`` map back to nothing."""
        ids = self.ids.copy()
        ids[positions] = 0
        return IdMap(ids)


@dataclass
class Compiled:
    """A compiled LP: matrices plus the maps back to Pyomo components.

    ``bounds`` (optional) are set on the LP in the solving process before the
    run; the shared ``lp`` itself is never changed. ``columns`` maps each
    column to its VarData, ``rows`` each row to its ConstraintData (a range
    constraint has two rows, its upper bound's first; a row of no
    constraint, such as a reported target's in a batch case, maps to none).
    """

    columns: IdMap
    rows: IdMap
    n_cols: int
    n_rows: int
    c_offset: float
    lp: Any  # highspy.HighsLp
    seconds: float
    stats: dict[str, float] = field(default_factory=dict)
    bounds: Bounds | None = None

    def column(self, var: Any) -> int | None:
        """The column of one VarData, or None (a fixed or unused variable)."""
        j = int(self.columns.first([var])[0])
        return j if j >= 0 else None

    def rows_of(self, con: Any) -> list[int]:
        """The rows of one ConstraintData (none when inactive or not mapped)."""
        return self.rows.positions(con)


@dataclass
class Solution:
    """A proven optimum: primal values, row duals and what the solver did."""

    compiled: Compiled
    x: np.ndarray
    row_dual: np.ndarray
    objective: float  # LP units (million CNY/yr), includes the constant
    info: dict[str, Any]

    def value(self, var: pyo.Var) -> np.ndarray:
        """Values of an indexed variable in its index order (fixed vars included)."""
        return self.values_of(list(var.values()))

    def values_of(self, items: list[Any]) -> np.ndarray:
        """Values of single variables (VarData) in the given order (fixed ones at their value)."""
        cols = self.compiled.columns.first(items)
        out = np.empty(len(items))
        found = cols >= 0
        out[found] = self.x[cols[found]]
        for i in np.flatnonzero(~found):
            vd = items[i]
            out[i] = vd.value if vd.value is not None else 0.0
        return out

    def dual(self, con: pyo.Constraint) -> np.ndarray:
        """Duals of an indexed constraint in index order [LP objective units per row unit].

        Inactive rows get NaN. Range rows (two entries) sum their parts.
        """
        rows = self.compiled.rows
        lo, count = rows.spans(list(con.values()))
        total = np.zeros(len(lo))  # 0.0 + dual, part by part in row order, as a sum() of the parts
        for k in range(int(count.max(initial=0))):
            has = count > k
            total[has] = total[has] + self.row_dual[rows.order[lo[has] + k]]
        return np.where(count > 0, total, np.nan)


@dataclass
class StandardForm:
    """The arrays of a compiled LP, before they are handed to HiGHS (picklable, unlike a ``HighsLp``).

    The matrix is column-wise (``start``, ``index``, ``value`` as in
    ``HighsLp.a_matrix_``); ``col_ids`` and ``row_ids`` are the ``id`` of the
    VarData of each column and the ConstraintData of each row.
    """

    start: np.ndarray  # int32, n_cols + 1
    index: np.ndarray  # int32, nnz
    value: np.ndarray  # float, nnz
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    offset: float
    minimize: bool
    col_ids: np.ndarray  # uint64
    row_ids: np.ndarray  # uint64
    stats: dict[str, float]


def standard_form(m: pyo.ConcreteModel) -> StandardForm:
    """The active part of ``m`` as the arrays of an LP (Pyomo's ``LinearStandardFormCompiler``, mixed form)."""
    repn = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    if len(repn.objectives) != 1:
        raise NumericalError("the model must have exactly one active objective", termination="error")
    cols = repn.columns
    n_cols = len(cols)
    lower = np.array([v.lb if v.lb is not None else -INF for v in cols], dtype=float)
    upper = np.array([v.ub if v.ub is not None else INF for v in cols], dtype=float)
    A = repn.A.tocsr().tocsc() if repn.A.format != "csc" else repn.A
    A.sort_indices()
    n_rows = A.shape[0]
    rhs = np.asarray(repn.rhs, dtype=float)
    bound_type = np.fromiter((e.bound_type for e in repn.rows), dtype=np.int8, count=n_rows)
    row_lo = np.where(bound_type == 1, -INF, rhs)  # 0: equation, 1: <= rhs, -1: >= rhs
    row_hi = np.where((bound_type == 0) | (bound_type == 1), rhs, INF)
    c = np.asarray(repn.c.toarray()).ravel() if hasattr(repn.c, "toarray") else np.asarray(repn.c).ravel()
    c = c[:n_cols] if c.size >= n_cols else np.pad(c, (0, n_cols - c.size))
    offset = float(np.asarray(repn.c_offset).ravel()[0]) if np.size(repn.c_offset) else 0.0
    return StandardForm(
        start=A.indptr.astype(np.int32),
        index=A.indices.astype(np.int32),
        value=A.data.astype(float),
        cost=c,
        col_lower=lower,
        col_upper=upper,
        row_lower=row_lo,
        row_upper=row_hi,
        offset=offset,
        minimize=repn.objectives[0].sense == pyo.minimize,
        col_ids=np.fromiter((id(v) for v in cols), dtype=np.uint64, count=n_cols),
        row_ids=np.fromiter((id(e.constraint) for e in repn.rows), dtype=np.uint64, count=n_rows),
        stats=coefficient_ranges(A.data, c, lower, upper, row_lo, row_hi),
    )


def coefficient_ranges(
    a: np.ndarray, c: np.ndarray, lo: np.ndarray, hi: np.ndarray, rlo: np.ndarray, rhi: np.ndarray
) -> dict[str, float]:
    """Smallest and largest non-zero magnitude of matrix, cost, bound and rhs values."""

    def rng(v: np.ndarray) -> tuple[float, float]:
        v = np.abs(v[np.isfinite(v)])
        v = v[v > 0]
        return (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)

    out: dict[str, float] = {}
    for name, arr in (
        ("matrix", a),
        ("cost", c),
        ("bound", np.concatenate([lo, hi])),
        ("rhs", np.concatenate([rlo, rhi])),
    ):
        out[f"{name}_min"], out[f"{name}_max"] = rng(arr)
    return out
