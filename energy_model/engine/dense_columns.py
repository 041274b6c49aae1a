"""Split dense columns of an LP into copies, so that HiPO can factorise the normal equations.

Why. An expandable technology's capacity column has an entry in every hourly
row that its capacity limits (availability, online capacity, ramps): 8,760 to
26,280 entries in a year. In the interior point's normal equations
``A D A^T`` each such column is a dense block of 8,760² entries, so HiPO
refuses them and factorises the augmented system, whose factorisation is
made of tiny supernodes and costs about 1.6 s per iteration on the plan
year (benchmarks/bench_formulation.py).

What. Take a column ``x`` and a group ``R`` of rows in which a larger ``x``
only loosens the row (``a_rx < 0`` in a ``<=`` row, ``a_rx > 0`` in a ``>=``
row). Replace ``x`` in those rows by a new column ``c`` and add the row::

    c - x <= 0,        lower(c) = lower(x),  no upper bound, no cost

Every point of the old LP gives a point of the new one with the same
objective (``c = x``). Every point of the new LP gives one of the old: each
row of ``R`` holds with ``c`` and ``x >= c`` only loosens it, so the same
values with ``c`` dropped are feasible, with the same objective. The two LPs
have the same optimum; the old rows keep their duals (an optimal dual of the
old LP extended by the copies' ties is optimal for the new one). The rows of
``x`` where a larger ``x`` tightens (a minimum full-load-hour row) or that
are equations keep ``x``.

Each dense column is split into copies over ``chunk`` consecutive rows (the
model writes a family's hourly rows in time order, so a copy covers a few
consecutive hours). A column whose ties are again dense (a year of 4-hour
copies is 2,190 ties) is split the same way, so that no column keeps more
than ``limit`` loosening entries: a tree of copies.

HiGHS's presolve would undo this: its aggregator substitutes a copy back into
its rows. The solve therefore switches the aggregator off
(:data:`AGGREGATOR_RULE`) when a split was made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: ``presolve_rule_off`` bit of HiGHS's aggregator (HiGHS 1.15: rule 12).
AGGREGATOR_RULE = 4096

#: A column with more loosening entries than this is split [entries].
DENSE_LIMIT = 100

#: The split is made only when some column has more loosening entries than this [entries]. Measured:
#: the plan year (columns of 8,760 to 26,280 entries) solves 1.6 times faster split; the pathway on
#: typical days (columns of about 1,300) 1.2 times slower, so an LP without a column this dense is
#: left as it is.
SPLIT_TRIGGER = 2000

#: Consecutive rows of one copy in the first split [rows].
FIRST_CHUNK = 12

#: Ties of one copy in later splits [rows].
TREE_CHUNK = 16

#: Splits after the first, at most (12-row copies under four levels of 16 ties cover 786,432 rows).
MAX_LEVELS = 4


@dataclass
class SplitLP:
    """Arrays of an LP in column-wise form (the same layout as ``highspy.HighsLp``).

    ``n_original`` and ``m_original`` are the first columns and rows, which
    are those of the LP before any split; the copies and ties follow them.
    """

    start: np.ndarray  # int, n + 1
    index: np.ndarray  # int, nnz (row of each entry)
    value: np.ndarray  # float, nnz
    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    n_original: int
    m_original: int
    copies: int = 0

    @property
    def n_cols(self) -> int:
        return len(self.col_cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)


def loosening(index: np.ndarray, value: np.ndarray, row_lower: np.ndarray, row_upper: np.ndarray) -> np.ndarray:
    """Mask of the entries where a larger column value only loosens the row.

    True where the coefficient is negative in a ``<=`` row or positive in a
    ``>=`` row (a row with one finite bound), and in a free row.
    """
    lo_inf = np.isinf(row_lower[index])
    hi_inf = np.isinf(row_upper[index])
    le_row = lo_inf & ~hi_inf
    ge_row = hi_inf & ~lo_inf
    free = lo_inf & hi_inf
    return (le_row & (value < 0)) | (ge_row & (value > 0)) | free


def _split_once(lp: SplitLP, chunk: int, limit: int) -> SplitLP | None:
    """One level: every column with more than ``limit`` loosening entries gets copies of ``chunk`` rows.

    Returns None when no column is that dense.
    """
    counts = np.diff(lp.start)
    col_of = np.repeat(np.arange(lp.n_cols), counts)
    loose = loosening(lp.index, lp.value, lp.row_lower, lp.row_upper)
    per_col = np.bincount(col_of[loose], minlength=lp.n_cols)
    dense = np.flatnonzero(per_col > limit)
    if dense.size == 0:
        return None
    moved = loose & np.isin(col_of, dense)
    pos = np.flatnonzero(moved)  # in column order, rows ascending within a column (sorted CSC)
    parent = col_of[pos]
    # rank of each moved entry within its column -> its copy
    first_of_col = np.searchsorted(parent, parent, side="left")
    rank = np.arange(pos.size) - first_of_col
    chunk_key = np.stack([parent, rank // chunk])
    # copy number: consecutive chunks over all dense columns
    new_chunk = np.ones(pos.size, dtype=bool)
    new_chunk[1:] = (chunk_key[:, 1:] != chunk_key[:, :-1]).any(axis=0)
    copy_id = np.cumsum(new_chunk) - 1
    n_copies = int(copy_id[-1]) + 1
    copy_parent = parent[new_chunk]
    n0, m0 = lp.n_cols, lp.n_rows
    keep = ~moved
    rows = np.concatenate([lp.index[keep], lp.index[pos], m0 + np.arange(n_copies), m0 + np.arange(n_copies)])
    cols = np.concatenate([col_of[keep], n0 + copy_id, n0 + np.arange(n_copies), copy_parent])
    vals = np.concatenate([lp.value[keep], lp.value[pos], np.ones(n_copies), -np.ones(n_copies)])
    # sorted CSC by hand (each (row, column) pair occurs once); scipy.sparse is not imported here because
    # its first import after Pyomo's makes Pyomo load scipy.stats too (1.2 s of every run's start-up)
    order = np.lexsort((rows, cols))
    start = np.zeros(n0 + n_copies + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=n0 + n_copies), out=start[1:])
    return SplitLP(
        start=start,
        index=rows[order].astype(np.int64),
        value=vals[order].astype(float),
        col_cost=np.concatenate([lp.col_cost, np.zeros(n_copies)]),
        col_lower=np.concatenate([lp.col_lower, lp.col_lower[copy_parent]]),
        col_upper=np.concatenate([lp.col_upper, np.full(n_copies, np.inf)]),
        row_lower=np.concatenate([lp.row_lower, np.full(n_copies, -np.inf)]),
        row_upper=np.concatenate([lp.row_upper, np.zeros(n_copies)]),
        n_original=lp.n_original,
        m_original=lp.m_original,
        copies=lp.copies + n_copies,
    )


def split_dense_columns(lp: SplitLP, limit: int = DENSE_LIMIT, first_chunk: int = FIRST_CHUNK,
                        tree_chunk: int = TREE_CHUNK, trigger: int = SPLIT_TRIGGER) -> SplitLP:
    """The same LP with no column over ``limit`` loosening entries (``lp`` itself when none has ``trigger``).

    Parameters
    ----------
    lp : SplitLP
        The LP (column-wise, row indices sorted within each column).
    limit : int
        Loosening entries a column may keep [entries].
    first_chunk, tree_chunk : int
        Rows per copy in the first split and in the splits of the ties [rows].
    trigger : int
        Split only if some column has more loosening entries than this [entries].
    """
    counts = np.diff(lp.start)
    col_of = np.repeat(np.arange(lp.n_cols), counts)
    loose = loosening(lp.index, lp.value, lp.row_lower, lp.row_upper)
    if np.bincount(col_of[loose], minlength=lp.n_cols).max(initial=0) <= trigger:
        return lp
    out = lp
    chunk = first_chunk
    for _level in range(1 + MAX_LEVELS):
        nxt = _split_once(out, chunk, limit)
        if nxt is None:
            break
        out, chunk = nxt, tree_chunk
    return out
