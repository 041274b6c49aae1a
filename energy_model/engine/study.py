"""Build the LP once, then change inputs and re-solve: the engine behind target tests, frontiers and sweeps.

A :class:`Study` owns one validated :class:`~energy_model.io.case.Case`, the
ModelInputs Dataset assembled from it and the Pyomo model built from that.
Every change goes one way (:meth:`Study.apply`)::

    {path: value} -> io.changes.apply_changes (the table and schema validators)
                  -> new Case -> inputs.assemble_case -> inputs.lp_data (the one unit conversion)
                  -> model.update_model (same structure) or build_model (structure changed)

so a changed Study holds exactly the model a fresh build of the changed
scenario would give; the Study never converts units itself. Each change is
logged with the action taken (``update`` or ``rebuild`` and why). Each
:meth:`Study.solve` compiles the current model and solves it; only a proven
optimum that passes the post-solve checks comes back. The changeable paths
are listed in :mod:`energy_model.io.changes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pyomo.environ as pyo
import xarray as xr

from energy_model.engine.batch import case_view, compile_shared, same_but_targets, shared_penalties
from energy_model.engine.checks import check_results
from energy_model.engine.extra_rows import ExtraRows, apply_extra_rows
from energy_model.engine.extract import extract_results
from energy_model.engine.highs import SIMPLEX_MAX_HOURS, Compiled, Solution, WarmStart, compile_model, run_highs
from energy_model.engine.mode_change import modes_only, with_modes
from energy_model.engine.parallel import BatchTiming, Runner, solve_all
from energy_model.errors import EnergyModelError
from energy_model.inputs.assemble import assemble_case
from energy_model.inputs.lp_units import LPData, lp_data
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes, current_value
from energy_model.io.schema import SolverSpec
from energy_model.model import build_model
from energy_model.model.update import structure_differences, update_model


@dataclass
class Timings:
    """Seconds spent per stage, accumulated over solves and changes.

    Every stage is wall time in this process except ``solve``: the sum of
    each solve's own seconds, which for solves run in parallel processes is
    more than the time that passed (``solve_wall``). ``build`` is the first
    build from the case: assembling its inputs (on typical days the
    clustering too) and building the model; ``update`` every later change.
    """

    build: float = 0.0
    update: float = 0.0
    compile: float = 0.0
    solve: float = 0.0
    solve_wall: float = 0.0
    extract: float = 0.0
    check: float = 0.0
    compiles: int = 0
    solves: int = 0
    parallel_solves: int = 0  # solves that ran in parallel processes (their seconds overlap)
    rebuilds: int = 0
    updates: int = 0
    log: list[dict[str, Any]] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class SharedCompile:
    """The last shared compile of a batch (:meth:`Study.solve_many`), kept for the next batch.

    A later batch on the same model whose LP data differ from ``data`` at most
    in target modes and penalties, compiled at the same ``penalties``, is the
    same LP up to the bounds each case sets (:mod:`energy_model.engine.batch`),
    so it takes ``compiled`` instead of compiling again.
    """

    model: pyo.ConcreteModel
    data: LPData
    penalties: dict[str, float]
    compiled: Compiled
    label: str  # the case whose compile it is, for the log
    warm: WarmStart  # the last optimal simplex basis on ``compiled.lp``, for the next case's start


#: Senses of :meth:`Study.solve_measure`, so that code above the engine needs no Pyomo.
MINIMIZE = pyo.minimize
MAXIMIZE = pyo.maximize


class Study:
    """One scenario's model, re-solvable under changed inputs.

    Parameters
    ----------
    case : Case
        Validated inputs (from :func:`energy_model.inputs.load.load_case`).
    extra_rows : callable, optional
        ``extra_rows(model, data)`` adds your own constraints to every model
        this Study builds, rebuilds or updates (:mod:`energy_model.engine.extra_rows`).

    Examples
    --------
    >>> from energy_model.inputs.load import load_case
    >>> study = Study(load_case("scenarios/example_day.yaml"))
    >>> study
    <Study example_day.yaml: 24 steps, 14 technologies, 4 targets; 0 changes, 0 solves>
    >>> study.apply({"economics.carbon_price_cny_per_t": 100.0})  # the same structure: updated in place
    'update'
    >>> results = study.solve()  # an xarray Dataset of checked results
    >>> round(results.attrs["objective_cny_per_yr"] / 1e9, 1)  # CNY/yr -> bn CNY/yr
    16.7
    """

    def __init__(self, case: Case, extra_rows: ExtraRows | None = None):
        if not isinstance(case, Case):
            raise TypeError("Study needs a Case (energy_model.inputs.load.load_case or tests' tiny.case)")
        self.timings = Timings()
        self.changes: list[dict[str, Any]] = []
        self._shared: SharedCompile | None = None
        self.case = case
        self.extra_rows = extra_rows
        t0 = time.perf_counter()
        self.inputs = assemble_case(case)
        self.model = build_model(lp_data(self.inputs))
        apply_extra_rows(self.model, self.model.lp_data, extra_rows)
        self.timings.build = time.perf_counter() - t0

    def __repr__(self) -> str:
        """One line: the case, its size, changes and solves (and the hook, when there is one)."""
        hook = f"; extra_rows={getattr(self.extra_rows, '__qualname__', self.extra_rows)}" if self.extra_rows else ""
        return (f"<Study {self.case.file}: {self.model.lp_data.hours} steps, {len(self.case.technologies)} "
                f"technologies, {len(self.case.targets)} targets; {len(self.changes)} changes, "
                f"{self.timings.solves} solves{hook}>")

    @property
    def solver(self) -> SolverSpec:
        """HiGHS settings of the current case."""
        return self.case.solver

    @property
    def targets(self) -> list[str]:
        """Names of the plan targets."""
        return list(self.case.targets)

    # -- changes --------------------------------------------------------------
    def get(self, path: str) -> Any:
        """Current value of a changeable path (user units; see :mod:`energy_model.io.changes`)."""
        return current_value(self.case, path)

    def apply(self, changes: Mapping[str, Any], origin: Origin | None = None) -> str:
        """Apply changes through the validators, then update or rebuild the model.

        Parameters
        ----------
        changes : mapping of str to value
            ``path -> value`` in user units.
        origin : Origin, optional
            Where the changes were written (file, key prefix, lines), for messages.

        Returns
        -------
        str
            ``"update"`` (parameters and bounds changed in place) or ``"rebuild"``.

        Raises
        ------
        InputError
            Every invalid change, together; the Study is then unchanged.
        """
        case = apply_changes(self.case, changes, origin)
        action = self._load(case)
        self.changes.append({"changes": dict(changes), **action})
        return str(action["action"])

    def set(self, path: str, value: Any) -> None:
        """Change one input by path (see :meth:`apply`)."""
        self.apply({path: value})

    def _load(self, case: Case) -> dict[str, Any]:
        """Make ``case`` current: assemble, convert, then update the model or rebuild it."""
        t0 = time.perf_counter()
        modes = modes_only(self.case, case)
        if modes is not None:  # the same case in other target modes: no assembly, the same values
            inputs, data = with_modes(self.inputs, self.model.lp_data, modes)
        else:
            inputs = assemble_case(case)
            data = lp_data(inputs)
        differences = structure_differences(self.model.lp_data, data)
        if differences:
            model = build_model(data)
            self.timings.rebuilds += 1
        else:
            update_model(self.model, data)
            model = self.model
            self.timings.updates += 1
        apply_extra_rows(model, data, self.extra_rows)  # on every build, rebuild and update
        self.case, self.inputs, self.model = case, inputs, model
        seconds = time.perf_counter() - t0
        self.timings.update += seconds
        return {"action": "rebuild" if differences else "update", "structure": differences, "seconds": seconds}

    @contextmanager
    def changed(self, changes: Mapping[str, Any], origin: Origin | None = None) -> Iterator[Study]:
        """Apply ``changes`` for the duration of a ``with`` block, then restore the state before them."""
        saved = self._snapshot()
        self.apply(changes, origin)
        try:
            yield self
        finally:
            self._restore(saved)

    def _snapshot(self) -> tuple[Case, xr.Dataset, pyo.ConcreteModel, Any]:
        return self.case, self.inputs, self.model, self.model.lp_data

    def _restore(self, saved: tuple[Case, xr.Dataset, pyo.ConcreteModel, Any]) -> None:
        """Return to a snapshot: its model is put back in the state it had (a rebuilt model is dropped).

        A model only ever receives updates of its own structure, so updating it
        back to the snapshot's LP data is always valid.
        """
        case, inputs, model, data = saved
        if model.lp_data is not data:
            t0 = time.perf_counter()
            update_model(model, data)
            apply_extra_rows(model, data, self.extra_rows)
            self.timings.update += time.perf_counter() - t0
        self.case, self.inputs, self.model = case, inputs, model

    @contextmanager
    def _at(self, state: tuple[Case, xr.Dataset, pyo.ConcreteModel, Any]) -> Iterator[None]:
        """Hold a snapshot's state (e.g. to extract a solution compiled from it), then come back."""
        saved = self._snapshot()
        self._restore(state)
        try:
            yield
        finally:
            self._restore(saved)

    # -- solving ----------------------------------------------------------------
    def solve(self, label: str = "", progress: Callable[[str], None] | None = None) -> xr.Dataset:
        """Compile the current model, solve it and return checked Results.

        Raises the named :mod:`energy_model.errors` failures for anything but a
        proven optimum that passes :func:`energy_model.engine.checks.check_results`.
        """
        if progress:
            progress(f"solving {label or 'model'}")
        compiled, entry = self._compile(label)
        t1 = time.perf_counter()
        try:
            sol = run_highs(compiled, self.solver, hours=self.model.lp_data.hours)
        finally:
            self._count_solve(entry, time.perf_counter() - t1)
        return self._finish(sol, label, entry)

    def solve_measure(self, expr: Any, sense: Any, label: str, solver: SolverSpec | None = None) -> Solution:
        """Optimise another objective on the current model (e.g. the most a target can reach).

        The cost objective is swapped out for ``expr`` only for this solve;
        the solve is timed and logged like every other. The raw solution is
        returned (no Results: its objective is not a cost).

        Parameters
        ----------
        expr : Pyomo expression
            The measure, built on ``self.model``.
        sense : pyomo.environ.minimize or pyomo.environ.maximize
        label : str
            Name of the solve in the log.
        solver : SolverSpec, optional
            Settings for this solve (default: the case's).
        """
        m = self.model
        m.total_cost.deactivate()
        m.alt_objective = pyo.Objective(expr=expr, sense=sense)
        try:
            compiled, entry = self._compile(label)
        finally:
            m.del_component(m.alt_objective)
            m.total_cost.activate()
        t1 = time.perf_counter()
        try:
            sol = run_highs(compiled, solver or self.solver, hours=m.lp_data.hours)
        finally:
            self._count_solve(entry, time.perf_counter() - t1)
        entry.update({"method": sol.info["method_used"], "objective_lp": sol.objective})
        return sol

    def solve_many(
        self,
        cases: Sequence[tuple[str, Mapping[str, Any]]],
        progress: Callable[[str], None] | None = None,
        parallel: bool | None = None,
        objective_only: bool = False,
        before_solves: Callable[[], None] | None = None,
    ) -> list[xr.Dataset | EnergyModelError]:
        """Solve several variants of the model, in parallel processes for long horizons.

        Parameters
        ----------
        cases : list of (label, changes)
            Each case's changes (paths as in :meth:`set`) apply to that case only.
        progress : callable, optional
            Receives one line before the solves start.
        parallel : bool, optional
            Force parallel (True) or sequential (False) solves; default: parallel
            when the horizon is longer than simplex territory (long HiPO solves).
        objective_only : bool, optional
            The caller reads only each case's objective: simplex solves one after
            the other on a shared compile then start from the last optimal basis
            of that LP (``solver.warm_start``), several times faster. The
            objective is that of a cold solve; other values and duals may be
            those of another optimal vertex where the optimum is degenerate.
        before_solves : callable, optional
            Called after the compile, just before HiGHS runs.

        Returns
        -------
        list
            Per case, checked Results or the :class:`EnergyModelError` it ended with.
            An interruption (Ctrl-C) is raised, not returned.
        """
        if parallel is None:
            parallel = self.model.lp_data.hours > SIMPLEX_MAX_HOURS
        states, actions = [], []
        for _label, changes in cases:
            with self.changed(changes):
                states.append(self._snapshot())  # the model each case's columns belong to
                actions.append(str(self.changes[-1]["action"]))
        compiled = self._compile_batch(cases, states, actions)
        jobs = [(c, self.solver, state[3].hours) for c, state in zip(compiled, states)]
        entries = self.timings.log[-len(cases):] if cases else []
        if progress:
            how = " in parallel" if parallel and len(cases) > 1 else ""
            progress(f"solving {len(cases)} case(s){how}: " + "; ".join(label for label, _ in cases))
        if before_solves is not None:
            before_solves()
        timing = BatchTiming()
        runner: Runner = run_highs
        kept = self._shared
        if not parallel and kept is not None and all(c.lp is kept.compiled.lp for c in compiled):
            runner = partial(run_highs, warm=kept.warm, start=objective_only)
        sols = solve_all(jobs, workers=None if parallel else 1, runner=runner, timing=timing)
        self.timings.solve_wall += timing.wall
        out: list[xr.Dataset | EnergyModelError] = []
        for (label, _changes), sol, entry, state, seconds in zip(cases, sols, entries, states, timing.seconds):
            self._count_solve(entry, seconds, wall=False, parallel=timing.parallel)
            if isinstance(sol, EnergyModelError):
                entry["status"] = sol.status
                out.append(sol)
                continue
            entry["solver_s"] = sol.info["solve_seconds"]
            entry["warm_start"] = bool(sol.info.get("warm_start", False))
            entry["simplex_iterations"] = int(sol.info.get("simplex_iterations", 0))
            try:
                with self._at(state):
                    out.append(self._finish(sol, label, entry))
            except EnergyModelError as exc:
                out.append(exc)
        return out

    def _compile_batch(self, cases: Sequence[tuple[str, Mapping[str, Any]]],
                       states: list[tuple[Case, xr.Dataset, pyo.ConcreteModel, Any]],
                       actions: list[str]) -> list[Compiled]:
        """Each case's compiled LP; one shared compile when the cases differ only in target modes.

        The change log decides: every case must have updated the same model
        (no rebuild) and its LP data must equal the others' but for target
        modes (:func:`energy_model.engine.batch.shared_penalties`). Otherwise every
        case is compiled on its own. One log entry per case either way; with a
        shared compile the first case's entry holds its seconds.
        """
        datas = [state[3] for state in states]
        penalties = shared_penalties(datas, actions) if len(cases) > 1 else None
        if penalties is not None and all(st[2] is states[0][2] for st in states):
            kept = self._shared
            reuse = (kept is not None and kept.model is states[0][2] and kept.penalties == penalties
                     and self.extra_rows is None and same_but_targets(kept.data, datas[0]))
            with self._at(states[0]):
                t0 = time.perf_counter()
                if reuse:
                    assert kept is not None
                    shared = kept.compiled
                else:
                    shared = compile_shared(self.model, penalties, self._isolated())
                seconds = time.perf_counter() - t0
                views = [case_view(shared, self.model, dict(data.target_mode)) for data in datas]
            if reuse:
                assert kept is not None
                first = kept.label
            else:
                self._shared = SharedCompile(states[0][2], datas[0], penalties, shared, cases[0][0],
                                             WarmStart(shared.lp))
                self.timings.compile += seconds
                self.timings.compiles += 1
                first = ""
            for i, (label, _changes) in enumerate(cases):
                shared_with = first or (cases[0][0] if i else "")
                self.timings.log.append({"label": label, "compile_s": seconds if i == 0 and not reuse else 0.0,
                                         "compile": f"shared with '{shared_with}'" if shared_with else "shared"})
            return views
        out = []
        for (label, _changes), state in zip(cases, states):
            with self._at(state):
                out.append(self._compile(label)[0])
        return out

    def _isolated(self) -> bool:
        """Compile in a forked process: for long horizons, whose LPs are solved in forked processes too.

        What the compile leaves in this process would be resident again in
        every solver process forked from it (:mod:`energy_model.engine.memory`).
        """
        return self.model.lp_data.hours > SIMPLEX_MAX_HOURS

    def _compile(self, label: str) -> tuple[Compiled, dict[str, Any]]:
        t0 = time.perf_counter()
        compiled = compile_model(self.model, self._isolated())
        seconds = time.perf_counter() - t0
        self.timings.compile += seconds
        self.timings.compiles += 1
        entry: dict[str, Any] = {"label": label, "compile_s": seconds}
        self.timings.log.append(entry)
        return compiled, entry

    def _count_solve(self, entry: dict[str, Any], seconds: float, wall: bool = True, parallel: bool = False) -> None:
        """Book one solve of ``seconds``; ``wall``: also as elapsed time (a batch books its wall time once)."""
        self.timings.solve += seconds
        self.timings.solves += 1
        self.timings.parallel_solves += int(parallel)
        if wall:
            self.timings.solve_wall += seconds
        entry["solve_s"] = seconds
        if parallel:
            entry["parallel"] = True

    def _finish(self, sol: Solution, label: str, entry: dict[str, Any]) -> xr.Dataset:
        """Extract and check one solution (the model must be in the state it was solved in)."""
        t2 = time.perf_counter()
        results = extract_results(self.model, sol, self.inputs)
        t3 = time.perf_counter()
        checks = check_results(results, self.inputs)
        t4 = time.perf_counter()
        self.timings.extract += t3 - t2
        self.timings.check += t4 - t3
        entry.update({"extract_s": t3 - t2, "check_s": t4 - t3, "method": sol.info["method_used"],
                      "objective_cny_per_yr": results.attrs["objective_cny_per_yr"]})
        results.attrs["max_check_residual"] = max(checks.values()) if checks else 0.0
        results.attrs["case"] = label
        return results

    def target_modes(self) -> dict[str, str]:
        """Current mode of every target."""
        return {k: spec.mode for k, spec in self.case.targets.items()}


def model_size(m: pyo.ConcreteModel) -> dict[str, int]:
    """Number of variables and active constraints (before compilation)."""
    nvar = sum(len(v) for v in m.component_objects(pyo.Var, active=True))
    ncon = sum(len(c) for c in m.component_objects(pyo.Constraint, active=True))
    return {"variables": nvar, "constraints": ncon}
