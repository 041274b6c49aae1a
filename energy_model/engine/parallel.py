"""Solve several compiled LPs at once, one forked process each.

HiGHS's interior point method keeps about one core busy, and highspy allows
only one running solve per process, so independent cases of a target test
(reference, enforced, each target alone) are solved in child processes. The
children are forked: they inherit the compiled matrices without copying or
pickling them, and send back only the solution vectors. Where ``fork`` is not
available, or only one job or core, the jobs run one after the other.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

import numpy as np

from energy_model import errors
from energy_model.engine.highs import Compiled, Solution, run_highs
from energy_model.engine.memory import one_malloc_arena, release_memory
from energy_model.errors import EnergyModelError, InterruptedRun, SolveFailure
from energy_model.io.schema import SolverSpec

Job = tuple[Compiled, SolverSpec, int]
Runner = Callable[[Compiled, SolverSpec, int], Solution]


@dataclass
class BatchTiming:
    """Where the seconds of one :func:`solve_all` call went.

    ``seconds[i]`` is job i's time from its start to its answer (in its own
    process when parallel); ``wall`` is the batch's elapsed time. Sequential
    jobs follow each other, so their seconds sum to the wall time; parallel
    jobs overlap, so their sum is larger than the wall time.
    """

    seconds: list[float] = field(default_factory=list)
    wall: float = 0.0
    parallel: bool = False


def _child(job: Job, conn: Any, runner: Runner) -> None:
    """Run one job in a forked child and send ``("ok", x, duals, objective, info)`` or the error."""
    try:
        one_malloc_arena()  # before HiGHS starts its solving thread
        sol = runner(*job)
        conn.send(("ok", sol.x, sol.row_dual, sol.objective, sol.info))
    except SolveFailure as exc:
        conn.send(("failure", type(exc).__name__, exc.message, exc.termination, list(exc.diagnosis)))
    except EnergyModelError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
    except BaseException as exc:  # noqa: BLE001 - report anything to the parent, never hang it
        conn.send(("error", "NumericalError", f"solver process failed: {exc!r}"))
    finally:
        conn.close()
        os._exit(0)


def _rebuild(job: Job, message: tuple[Any, ...]) -> Solution | EnergyModelError:
    if message[0] == "ok":
        _, x, duals, objective, info = message
        return Solution(job[0], np.asarray(x), np.asarray(duals), float(objective), info)
    cls = getattr(errors, message[1], errors.NumericalError)
    if message[0] == "failure":
        return cls(message[2], termination=message[3], diagnosis=message[4])
    if issubclass(cls, SolveFailure):
        return cls(message[2])
    return cls(message[2]) if cls is not errors.InputError else errors.NumericalError(message[2])


def _sequential(jobs: list[Job], runner: Runner, timing: BatchTiming) -> list[Solution | EnergyModelError]:
    out: list[Solution | EnergyModelError] = []
    mark = time.perf_counter()
    for job in jobs:
        try:
            out.append(runner(*job))
        except InterruptedRun:
            raise
        except EnergyModelError as exc:
            out.append(exc)
        finally:
            now = time.perf_counter()
            timing.seconds.append(now - mark)
            mark = now
    timing.wall = sum(timing.seconds)
    return out


def solve_all(jobs: list[Job], workers: int | None = None, runner: Runner = run_highs,
              timing: BatchTiming | None = None) -> list[Solution | EnergyModelError]:
    """Solve every job; return each one's Solution or the error it ended with, in job order.

    Parameters
    ----------
    jobs : list of (Compiled, SolverSpec, hours)
        The LPs and how to solve them.
    workers : int, optional
        Most processes at once (default: number of cores).
    runner : callable, optional
        Solves one job (default :func:`energy_model.engine.highs.run_highs`).
    timing : BatchTiming, optional
        Filled with each job's seconds and the batch's wall time.

    Raises
    ------
    InterruptedRun
        On Ctrl-C; every child is stopped first.
    """
    workers = workers or os.cpu_count() or 1
    timing = timing if timing is not None else BatchTiming()
    timing.seconds.clear()
    if len(jobs) <= 1 or workers <= 1 or "fork" not in mp.get_all_start_methods():
        timing.parallel = False
        return _sequential(jobs, runner, timing)
    timing.parallel = True
    release_memory()  # each child's resident memory starts with every page resident here
    ctx = mp.get_context("fork")
    results: list[Solution | EnergyModelError | None] = [None] * len(jobs)
    started = [0.0] * len(jobs)
    seconds = [0.0] * len(jobs)
    pending = list(range(len(jobs)))
    running: dict[int, tuple[Any, Any]] = {}
    t0 = time.perf_counter()
    try:
        while pending or running:
            while pending and len(running) < workers:
                i = pending.pop(0)
                parent, child = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(jobs[i], child, runner), daemon=True)
                started[i] = time.perf_counter()
                proc.start()
                child.close()
                running[i] = (proc, parent)
            ready = wait([conn for _, conn in running.values()], timeout=0.2)
            for i, (proc, conn) in list(running.items()):
                if conn in ready:
                    try:
                        results[i] = _rebuild(jobs[i], conn.recv())
                    except EOFError:
                        results[i] = errors.NumericalError("the solver process ended without an answer",
                                                           termination="error")
                    conn.close()
                    proc.join()
                    seconds[i] = time.perf_counter() - started[i]
                    del running[i]
    except KeyboardInterrupt:
        for proc, conn in running.values():
            proc.terminate()
            proc.join(timeout=5)
            conn.close()
        raise InterruptedRun("interrupted by the user during the solves; nothing was published",
                             termination="interrupted") from None
    timing.seconds.extend(seconds)
    timing.wall = time.perf_counter() - t0
    for r in results:
        if isinstance(r, InterruptedRun):
            raise r
    return [r for r in results if r is not None]
