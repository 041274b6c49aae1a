"""The only module that knows HiGHS: hand-off, options, status mapping, duals.

Route: Pyomo's ``LinearStandardFormCompiler`` turns the model into sparse
matrices (:mod:`energy_model.engine.compiled`) that are passed to ``highspy`` in one call. This was measured as the
cheapest hand-off (benchmarks/: ~1.3 s at 8,760 h against 5-8 s for the
persistent interfaces) and it never loads a non-optimal point into the model:
values are read from HiGHS only after the status was checked.

Re-solving after a change of mutable parameters, bounds or active targets
means compiling again (several seconds for a year) and solving cold; for a
full year HiPO cold solves beat warm-started simplex (measured on a 2-core machine).
Cases of one batch that differ only in target modes share one compile and
differ by row and column bounds (:class:`Bounds`, :mod:`energy_model.engine.batch`).
Solved by simplex one after the other, cases of which only the objective is
read (each target alone) start from the last optimal basis of their shared LP
(:class:`WarmStart`): a change of row and column bounds leaves that basis dual
feasible, so dual simplex needs a few hundred iterations instead of thousands
(plan year on typical days: 0.03-0.3 s against 0.5-1.3 s per case). The
optimal objective is the same; values and duals may belong to another optimal
vertex where the optimum is degenerate (seen on a 6-hour test system: a target
price of 867.5 against 873.5 from a cold solve), which is why only
objective-only cases start warm. A warm start that fails is solved again cold.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energy_model.engine.compiled import Bounds, Compiled, IdMap, Solution, standard_form
from energy_model.engine.dense_columns import AGGREGATOR_RULE, SplitLP, split_dense_columns
from energy_model.engine.memory import in_forked_process, release_memory
from energy_model.engine.scipy_lean import lean_scipy
from energy_model.errors import (
    InfeasibleError,
    InterruptedRun,
    LimitReachedError,
    NumericalError,
    SolverUnavailableError,
    UnboundedError,
)
from energy_model.io.schema import SolverSpec

log = logging.getLogger(__name__)

lean_scipy()  # the compiler needs scipy.sparse, not the scipy.stats Pyomo would import with it

#: Horizons up to this many hours use dual simplex under ``method: auto``; longer ones HiPO.
SIMPLEX_MAX_HOURS = 1500

#: A split LP whose interior-point optimum leaves a primal infeasibility above this many times
#: ``primal_feasibility_tolerance`` is solved again unsplit (seen once: 1.6e-4 on a 3-period pathway
#: LP with interior point, where the same LP unsplit reached 3e-14).
SPLIT_RESIDUAL_FACTOR = 10.0

#: After a dense-column split, HiPO is told to factorise the normal equations when no column has more
#: entries than this (a column of n entries is a dense n x n block in them).
NORMAL_EQUATIONS_MAX_ENTRIES = 1000


@dataclass
class WarmStart:
    """The last optimal simplex basis of one shared LP, offered to the next case solved on it.

    ``lp`` is the ``highspy.HighsLp`` the basis belongs to: a case whose
    compiled LP is another object is solved cold. ``solves`` counts the
    solves that started from ``basis``.
    """

    lp: Any
    basis: Any = None  # highspy.HighsBasis of the last optimal simplex solve on ``lp``
    solves: int = 0


def _highspy() -> Any:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise SolverUnavailableError(f"the HiGHS solver (highspy) cannot be imported: {exc}") from exc
    return highspy


def compile_model(m: pyo.ConcreteModel, isolated: bool = False) -> Compiled:
    """Compile the active part of ``m`` to a ``HighsLp``.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        A built model (mutable parameters are read at this moment).
    isolated : bool
        Compile in a forked process (:func:`~energy_model.engine.memory.in_forked_process`), so that
        the compile's transient memory (0.35 GB for the plan year) and the heap it fragments never
        stay in this one; the same arrays either way.
    """
    highspy = _highspy()
    t0 = time.perf_counter()
    form = in_forked_process(standard_form, m) if isolated else standard_form(m)
    sense = highspy.ObjSense.kMinimize if form.minimize else highspy.ObjSense.kMaximize
    lp = _highs_lp(form.cost, form.col_lower, form.col_upper, form.row_lower, form.row_upper,
                   (form.start, form.index, form.value), form.offset, sense)
    seconds = time.perf_counter() - t0
    return Compiled(IdMap(form.col_ids), IdMap(form.row_ids), len(form.cost), len(form.row_lower), form.offset,
                    lp, seconds, form.stats)


def choose_method(spec: SolverSpec, hours: int) -> str:
    """The HiGHS ``solver`` option for this run: simplex for short horizons, HiPO for long ones."""
    if spec.method != "auto":
        return spec.method
    return "simplex" if hours <= SIMPLEX_MAX_HOURS else "hipo"


def _options(spec: SolverSpec, method: str) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "solver": method,
        "time_limit": float(spec.time_limit_s),
        "threads": int(spec.threads),
        "presolve": spec.presolve,
        "primal_feasibility_tolerance": spec.primal_feasibility_tolerance,
        "dual_feasibility_tolerance": spec.dual_feasibility_tolerance,
        "ipm_optimality_tolerance": spec.ipm_optimality_tolerance,
        "random_seed": spec.random_seed,
        "log_to_console": bool(spec.log_to_console),
        "output_flag": bool(spec.log_to_console),
    }
    if method in ("hipo", "ipx", "ipm"):
        opts["run_crossover"] = spec.crossover
    if spec.simplex_iteration_limit is not None:
        opts["simplex_iteration_limit"] = int(spec.simplex_iteration_limit)
    return opts


def prepare_highs(compiled: Compiled, spec: SolverSpec, method: str) -> tuple[Any, int]:
    """A ``highspy.Highs`` with its options set and the LP passed, ready to run; and the dense-column copies made.

    Only HiGHS keeps the LP it was passed: the split arrays are dropped and the
    freed heap handed back (:func:`~energy_model.engine.memory.release_memory`)
    before the solve, which is where a solver process peaks.

    Parameters
    ----------
    compiled : Compiled
        The LP and the bounds of its case.
    spec : SolverSpec
        Solver settings.
    method : str
        The HiGHS ``solver`` option (:func:`choose_method`).

    Raises
    ------
    SolverUnavailableError
        When HiGHS rejects an option (HiPO not installed).
    """
    highspy = _highspy()
    h = highspy.Highs()
    h.silent()
    for key, value in _options(spec, method).items():
        status = h.setOptionValue(key, value)
        if status != highspy.HighsStatus.kOk:
            if key == "solver" and method == "hipo":
                raise SolverUnavailableError(
                    "HiGHS rejected the HiPO interior point method; install highspy-extras "
                    "matching highspy (pinned in pyproject.toml) or set solver.method: simplex"
                )
            raise SolverUnavailableError(f"HiGHS rejected option {key}={value!r}")
    split = _split_for(compiled, method) if spec.split_dense_columns else None
    if split is None:
        copies = 0
        h.passModel(compiled.lp)
        _set_bounds(h, compiled.bounds)
    else:
        copies = split.copies
        normal_equations = int(np.diff(split.start).max()) <= NORMAL_EQUATIONS_MAX_ENTRIES
        lp = _to_highs_lp(split, compiled.lp)
        del split  # HiGHS copies the LP in: the split arrays and their HighsLp are not needed during the run
        h.passModel(lp)
        del lp
        _status, rules = h.getOptionValue("presolve_rule_off")
        h.setOptionValue("presolve_rule_off", int(rules) | AGGREGATOR_RULE)
        if normal_equations:
            # no dense column is left: HiPO would take the normal equations anyway, after also analysing
            # the augmented system (6 s on the plan year)
            h.setOptionValue("hipo_system", "normaleq")
    release_memory(collect=False)
    return h, copies


def run_highs(compiled: Compiled, spec: SolverSpec, hours: int, warm: WarmStart | None = None,
              start: bool = False) -> Solution:
    """Solve a compiled LP and return it only if HiGHS proved it optimal.

    A solve on the dense-column split LP (:mod:`energy_model.engine.dense_columns`)
    whose primal infeasibility exceeds ``SPLIT_RESIDUAL_FACTOR`` times the
    tolerance is solved again on the LP as compiled (``info["dense_column_split_undone"]``
    holds the residual that was refused).

    Parameters
    ----------
    compiled : Compiled
        The LP and the case's bounds.
    spec : SolverSpec
        HiGHS settings.
    hours : int
        Steps of the horizon (decides the method under ``method: auto``).
    warm : WarmStart, optional
        With simplex, where this solve's optimal basis is kept when ``warm``
        belongs to ``compiled.lp``.
    start : bool, optional
        Start from ``warm.basis`` (when ``spec.warm_start``). The optimal
        objective is the same as a cold solve's; where the optimum is
        degenerate, the values and duals may be another optimal vertex's, so
        callers start warm only for cases of which they read the objective
        alone. A warm-started solve found infeasible, unbounded or in numerical
        trouble is solved again cold, so those statuses are always a cold
        solve's (a time or iteration limit is reported as reached).

    Raises
    ------
    InfeasibleError, UnboundedError, LimitReachedError, NumericalError
        For every other outcome; no values are returned.
    """
    method = choose_method(spec, hours)
    if warm is not None and (method != "simplex" or warm.lp is not compiled.lp):
        warm = None
    if start and spec.warm_start and warm is not None and warm.basis is not None:
        try:
            sol = _run_once(compiled, spec, method, warm)
        except (InfeasibleError, UnboundedError, NumericalError) as exc:
            log.info("warm-started simplex ended without an optimum (%s); solving cold", exc.termination)
        else:
            warm.solves += 1
            return sol
    sol = _run_once(compiled, spec, method, warm, cold=True)
    residual = float(sol.info["primal_infeasibility"])
    if sol.info["dense_column_copies"] and residual > SPLIT_RESIDUAL_FACTOR * spec.primal_feasibility_tolerance:
        # the split LP's interior point stopped short of feasibility: solve the LP as it is
        log.info("dense-column split left a primal infeasibility of %.2g; solving the LP unsplit", residual)
        sol = _run_once(compiled, spec.model_copy(update={"split_dense_columns": False}), method, warm, cold=True)
        sol.info["dense_column_split_undone"] = residual
    return sol


def _run_once(compiled: Compiled, spec: SolverSpec, method: str, warm: WarmStart | None,
              cold: bool = False) -> Solution:
    """One HiGHS run of ``compiled`` (from ``warm.basis`` unless ``cold``); see :func:`run_highs`."""
    highspy = _highspy()
    h, copies = prepare_highs(compiled, spec, method)
    started_warm = False
    if warm is not None and warm.basis is not None and not cold and copies == 0:
        started_warm = h.setBasis(warm.basis) == highspy.HighsStatus.kOk
    t0 = time.perf_counter()
    _run_interruptible(h)
    seconds = time.perf_counter() - t0
    ms = h.getModelStatus()
    hinfo = h.getInfo()
    info: dict[str, Any] = {
        "method_requested": method,
        "model_status": h.modelStatusToString(ms),
        "solve_seconds": seconds,
        "simplex_iterations": int(hinfo.simplex_iteration_count),
        "ipm_iterations": int(hinfo.ipm_iteration_count),
        "crossover_iterations": int(hinfo.crossover_iteration_count),
        "primal_infeasibility": float(hinfo.max_primal_infeasibility),
        "dual_infeasibility": float(hinfo.max_dual_infeasibility),
        "highs_version": h.version(),
        "columns": compiled.n_cols,
        "rows": compiled.n_rows,
        "compile_seconds": compiled.seconds,
        "dense_column_copies": copies,
        "warm_start": started_warm,
        "coefficient_ranges": compiled.stats,
    }
    info["method_used"] = _method_used(method, info)
    M = highspy.HighsModelStatus
    if ms == M.kOptimal:
        sol = h.getSolution()
        if not sol.value_valid or not sol.dual_valid:
            raise NumericalError("HiGHS reported optimal but returned no valid primal/dual values",
                                 termination="unknown")
        if warm is not None and copies == 0:
            warm.basis = h.getBasis()
        x = np.asarray(sol.col_value, dtype=float)[: compiled.n_cols]
        duals = np.asarray(sol.row_dual, dtype=float)[: compiled.n_rows]
        objective = float(hinfo.objective_function_value)
        return Solution(compiled, x, duals, objective, info)
    where = f"after {seconds:.1f} s ({method})"
    if ms == M.kInfeasible:
        raise InfeasibleError(f"the model is infeasible: no dispatch satisfies every limit and target ({where})",
                              termination="infeasible")
    if ms in (M.kUnbounded, M.kUnboundedOrInfeasible):
        raise UnboundedError(
            f"the model is unbounded or infeasible ({h.modelStatusToString(ms)}, {where}): "
            "a cost is negative without a capacity limit, or limits contradict each other",
            termination="unbounded" if ms == M.kUnbounded else "infeasible_or_unbounded",
        )
    if ms == M.kTimeLimit:
        raise LimitReachedError(
            f"time limit ({spec.time_limit_s:g} s) reached before an optimum was proven ({where})",
            termination="time_limit",
        )
    if ms in (M.kIterationLimit, M.kSolutionLimit, M.kInterrupt, M.kMemoryLimit):
        raise LimitReachedError(
            f"the solver stopped early: {h.modelStatusToString(ms)} ({where})",
            termination="iteration_limit" if ms == M.kIterationLimit else "limit",
        )
    raise NumericalError(
        f"the solver ended without a proven optimum: {h.modelStatusToString(ms)} ({where}); "
        "this usually means numerical trouble",
        termination="unknown",
    )


def _split_for(compiled: Compiled, method: str) -> SplitLP | None:
    """The LP with its dense columns split (:mod:`energy_model.engine.dense_columns`), or None.

    Only for the interior point methods (``ipm`` runs HiPO when it is
    installed), whose normal equations the dense capacity columns spoil;
    None when no column is dense. The case's bounds are applied first, so
    that the split sees the rows as this case solves them.
    """
    if method not in ("hipo", "ipm"):
        return None
    lp = compiled.lp
    row_lower = np.array(lp.row_lower_, dtype=float)
    row_upper = np.array(lp.row_upper_, dtype=float)
    col_lower = np.array(lp.col_lower_, dtype=float)
    col_upper = np.array(lp.col_upper_, dtype=float)
    b = compiled.bounds
    if b is not None:
        row_lower[b.rows], row_upper[b.rows] = b.row_lo, b.row_hi
        col_lower[b.cols], col_upper[b.cols] = b.col_lo, b.col_hi
    base = SplitLP(
        start=np.asarray(lp.a_matrix_.start_, dtype=np.int64),
        index=np.asarray(lp.a_matrix_.index_, dtype=np.int64),
        value=np.asarray(lp.a_matrix_.value_, dtype=float),
        col_cost=np.asarray(lp.col_cost_, dtype=float),
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        n_original=compiled.n_cols,
        m_original=compiled.n_rows,
    )
    split = split_dense_columns(base)
    return split if split.copies else None


def _highs_lp(cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, row_lower: np.ndarray,
              row_upper: np.ndarray, matrix: tuple[np.ndarray, np.ndarray, np.ndarray], offset: float,
              sense: Any) -> Any:
    """A ``HighsLp`` of column-wise arrays: ``matrix`` is (start, index, value) of the constraint matrix."""
    highspy = _highspy()
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.offset_ = offset
    lp.sense_ = sense
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix
    return lp


def _to_highs_lp(split: SplitLP, like: Any) -> Any:
    """A ``HighsLp`` of ``split`` with the sense and objective offset of ``like``."""
    return _highs_lp(split.col_cost, split.col_lower, split.col_upper, split.row_lower, split.row_upper,
                     (split.start.astype(np.int32), split.index.astype(np.int32), split.value),
                     like.offset_, like.sense_)


def _set_bounds(h: Any, bounds: Bounds | None) -> None:
    """Set one case's row and column bounds on the model passed to ``h`` (nothing when None)."""
    if bounds is None:
        return
    highspy = _highspy()
    ok = highspy.HighsStatus.kOk
    if len(bounds.rows) and h.changeRowsBounds(len(bounds.rows), bounds.rows, bounds.row_lo, bounds.row_hi) != ok:
        raise NumericalError("HiGHS refused the row bounds of a case", termination="error")
    if len(bounds.cols) and h.changeColsBounds(len(bounds.cols), bounds.cols, bounds.col_lo, bounds.col_hi) != ok:
        raise NumericalError("HiGHS refused the column bounds of a case", termination="error")


def _run_interruptible(h: Any) -> None:
    """Run HiGHS in its worker thread so that Ctrl-C cancels the solve cleanly.

    Raises
    ------
    InterruptedRun
        After HiGHS has stopped, if the user pressed Ctrl-C.
    """
    thread = h.startSolve()
    try:
        while True:
            done, _status = h.wait(0.1)
            if done:
                return
    except KeyboardInterrupt:
        h.cancelSolve()
        while not h.wait(0.1)[0]:
            pass
        thread.join(timeout=5.0)
        raise InterruptedRun("interrupted by the user during the solve; nothing was published",
                             termination="interrupted") from None


def _method_used(requested: str, info: dict[str, Any]) -> str:
    """Name the algorithm that really ran (HiGHS may fall back silently)."""
    if requested in ("hipo", "ipx", "ipm"):
        return requested if info["ipm_iterations"] > 0 else "simplex (fallback)"
    return "simplex" if info["simplex_iterations"] > 0 or requested == "simplex" else requested


def solve_model(m: pyo.ConcreteModel, spec: SolverSpec) -> Solution:
    """Compile and solve ``m``; return a proven optimum or raise a named failure."""
    compiled = compile_model(m)
    return run_highs(compiled, spec, hours=len(m.T))
