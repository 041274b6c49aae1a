"""One compile for a batch of cases that differ only in target modes.

A target's mode changes only which of its row and shortfall column take part
(:func:`energy_model.model.targets.set_target_mode`): ``report`` deactivates the
row and fixes the shortfall at 0, ``enforce`` fixes the shortfall at 0,
``soft`` leaves both free. So the LP is compiled once with every target in
``soft`` mode (every row present, every shortfall a column), and each case
becomes bounds on that LP:

- a reported target's row is free (-inf..inf) and has no dual (it is left
  out of the case's row map, as an inactive row is);
- a fixed shortfall is a column with bounds 0..0;
- the rest keep the bounds of the shared compile.

A penalty prices only a free shortfall, so cases may also differ in the
penalties of targets that are not soft in them (:func:`shared_penalties`).

HiGHS is given exactly the feasible set and objective of a separate compile
(the extra free rows and fixed columns add nothing), so the optimum, the
values and the duals mapped back to the model are those of a separate compile.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energy_model import vocabulary as n
from energy_model.engine.compiled import Bounds, Compiled
from energy_model.engine.highs import compile_model
from energy_model.inputs.lp_units import LPData
from energy_model.model.targets import set_target_mode
from energy_model.model.update import structure_differences


def _equal(a: Any, b: Any) -> bool:
    """Equality of LP data values: arrays element-wise, NaN equal to NaN, containers item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        if a_arr.shape != b_arr.shape:
            return False
        nan_ok = a_arr.dtype.kind in "fc" and b_arr.dtype.kind in "fc"
        return bool(np.array_equal(a_arr, b_arr, equal_nan=nan_ok))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def shared_penalties(datas: list[LPData], actions: list[str]) -> dict[str, float] | None:
    """The target penalties of a shared compile, or None when the cases need compiles of their own.

    The cases can share one compile when every case updated the same model
    (no rebuild in the Study's change log), their structure is the same and
    their LP data differ only in target modes and in the penalties of targets
    that are not soft (a penalty prices only a free shortfall; the data carry
    0 for the others). A target soft in several cases must have one penalty.

    Parameters
    ----------
    datas : list of LPData
        Each case's LP data.
    actions : list of str
        Each case's action in the Study's change log (``update`` or ``rebuild``).

    Returns
    -------
    dict of str to float or None
        Target -> penalty to compile with [LP units, as in LPData].
    """
    if not datas or any(a != "update" for a in actions):
        return None
    first = datas[0]
    if not all(same_but_targets(first, data) for data in datas[1:]):
        return None
    penalties: dict[str, float] = {}
    for k in first.targets:
        soft = {float(d.target_penalty[k]) for d in datas if d.target_mode[k] == n.SOFT}
        if len(soft) > 1:
            return None
        penalties[k] = soft.pop() if soft else float(first.target_penalty[k])
    return penalties


def same_but_targets(a: LPData, b: LPData) -> bool:
    """Whether two LP data sets of one structure differ at most in target modes and penalties."""
    if a is b:
        return True
    if structure_differences(a, b):
        return False
    return all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in fields(LPData)
               if f.name not in ("target_mode", "target_penalty"))


def compile_shared(m: pyo.ConcreteModel, penalties: dict[str, float], isolated: bool = False) -> Compiled:
    """Compile ``m`` with every target soft at ``penalties``; its modes and penalties are restored after.

    ``isolated``: compile in a forked process (see :func:`~energy_model.engine.highs.compile_model`).
    """
    data = m.lp_data
    try:
        for k in m.K:
            set_target_mode(m, k, n.SOFT)
            m.target_penalty[k] = penalties[k]
        return compile_model(m, isolated)
    finally:
        for k in m.K:
            set_target_mode(m, k, data.target_mode[k])
            m.target_penalty[k] = data.target_penalty[k]


def case_view(shared: Compiled, m: pyo.ConcreteModel, modes: dict[str, str]) -> Compiled:
    """One case of the batch: the shared LP with that case's target rows and shortfall bounds.

    Parameters
    ----------
    shared : Compiled
        From :func:`compile_shared` on ``m``.
    m : pyomo.environ.ConcreteModel
        The model compiled (its target rows and shortfall variables).
    modes : dict of str to str
        Target name -> mode of this case.
    """
    row_lo = np.asarray(shared.lp.row_lower_, dtype=float)
    row_hi = np.asarray(shared.lp.row_upper_, dtype=float)
    col_lo = np.asarray(shared.lp.col_lower_, dtype=float)
    col_hi = np.asarray(shared.lp.col_upper_, dtype=float)
    rows: list[int] = []
    rlo: list[float] = []
    rhi: list[float] = []
    cols: list[int] = []
    clo: list[float] = []
    chi: list[float] = []
    hidden: list[int] = []  # rows of reported targets: no dual, as an inactive row
    for k in m.K:
        mode = modes[k]
        target_rows = shared.rows_of(m.target_row[k])
        for r in target_rows:
            rows.append(r)
            free = mode == n.REPORT
            rlo.append(-math.inf if free else float(row_lo[r]))
            rhi.append(math.inf if free else float(row_hi[r]))
        if mode == n.REPORT:
            hidden.extend(target_rows)
        j = shared.column(m.short[k])
        if j is not None:
            cols.append(j)
            fixed = mode != n.SOFT
            clo.append(0.0 if fixed else float(col_lo[j]))
            chi.append(0.0 if fixed else float(col_hi[j]))
    bounds = Bounds(np.asarray(rows, dtype=np.int32), np.asarray(rlo, dtype=float), np.asarray(rhi, dtype=float),
                    np.asarray(cols, dtype=np.int32), np.asarray(clo, dtype=float), np.asarray(chi, dtype=float))
    row_map = shared.rows.without(np.asarray(hidden, dtype=np.int64)) if hidden else shared.rows
    return replace(shared, rows=row_map, bounds=bounds)
