"""The local worker pool of a sweep: processes that each build the model once, watched one by one."""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from energy_model import errors
from energy_model.engine.extra_rows import ExtraRows
from energy_model.errors import EnergyModelError, InputError
from energy_model.io.case import Case
from energy_model.io.pathway_spec import Pathway
from energy_model.io.workers import local_workers
from energy_model.sweep import records

#: Workers started for one chunk that die before solving any variant (while building the model) before giving up.
MAX_BUILD_ATTEMPTS = 2
#: Seconds between a worker's checks that the sweep's main process still lives.
PARENT_POLL_S = 0.5
#: Seconds a worker that is being stopped gets before it is killed.
STOP_GRACE_S = 3.0
#: ``prctl`` option: signal sent to this process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


Notify = Callable[[str, str], None]
#: A chunk of variants: (id, changes) in order.
Chunk = list[tuple[str, dict[str, float]]]


@dataclass(frozen=True)
class Job:
    """What every worker of one solve gets: the validated case to build, what to solve, the user's hook.

    Attributes
    ----------
    case : Case or Pathway
        The scenario's validated case, with the verification change already
        applied for a verification solve; a worker builds its model from it
        (no file is read again). A Pathway: each variant is applied to it and
        solved as a pathway (:mod:`energy_model.sweep.pathways`).
    kind : {"enforced", "reference", "both"}
        The sweep's ``case``: which solves each variant gets.
    extra_rows : callable or None
        ``extra_rows=`` of :func:`energy_model.sweep.run.run_sweep` (:mod:`energy_model.engine.extra_rows`).
    keep : bool
        ``keep: results``: each solved variant's Results are written beside its record, before it
        (:func:`energy_model.sweep.records.keep_results`).
    """

    case: Case | Pathway
    kind: str
    extra_rows: ExtraRows | None = None
    keep: bool = False


def solve_chunk(job: Job, chunk: Chunk, folder: str, notify: Notify | None = None) -> list[str]:
    """Worker: build the job's model once, solve each variant, commit each record.

    ``notify(event, variant)`` is called with ``"start"`` before a variant is
    solved and ``"done"`` once its record is committed, so the main process
    knows which variant a worker that died was solving.
    """
    tell = notify or (lambda _event, _vid: None)
    from energy_model.engine.study import Study
    from energy_model.sweep.pathways import solve_pathway_variant

    pathway = job.case if isinstance(job.case, Pathway) else None
    study = Study(job.case, job.extra_rows) if not isinstance(job.case, Pathway) else None
    done = []
    for vid, changes in chunk:
        tell("start", vid)
        kept: dict[str, Any] | None = {} if job.keep else None
        rec = (solve_pathway_variant(pathway, job.kind, vid, changes, job.extra_rows, kept) if pathway is not None
               else records.solve_variant(study, job.kind, vid, changes, kept))
        if kept:
            records.keep_results(Path(folder), vid, kept)  # complete before the record says the variant is done
        records.commit(Path(folder), rec)
        tell("done", vid)
        done.append(vid)
    return done


def _exit_with_parent(parent: int) -> None:
    """Make this worker end soon after the sweep's main process ``parent`` is gone (no orphans).

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``),
    even in the middle of a solve. Elsewhere a daemon thread polls the parent
    process id every :data:`PARENT_POLL_S` seconds and ends the process when it
    changes (the worker is re-parented).
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="sweep-parent-watch").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _worker(job: Job, chunk: Chunk, folder: str, conn: Any, parent: int) -> None:
    """Entry point of a worker process: solve a chunk, telling the main process each variant's start and end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the main process, which stops the workers
    _exit_with_parent(parent)
    try:
        solve_chunk(job, chunk, folder, notify=lambda event, vid: conn.send((event, vid)))
        conn.send(("end", ""))
    except EnergyModelError as exc:
        conn.send(("fatal", type(exc).__name__, str(exc), getattr(exc, "issues", None)))
    except BaseException:  # noqa: BLE001 - a bug in a worker: hand its traceback to the main process
        conn.send(("bug", traceback.format_exc()))
    finally:
        conn.close()


@dataclass
class _Worker:
    """A running worker process, the chunk it was given and what it reported."""

    proc: Any
    conn: Any
    chunk: list[tuple[str, dict[str, float]]]
    attempt: int
    current: str | None = None
    done: set[str] = field(default_factory=set)
    finished: bool = False
    connected: bool = True


def _start_worker(ctx: Any, job: Job, chunk: Chunk, attempt: int, vdir: Path) -> _Worker:
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(job, chunk, str(vdir), send, os.getpid()),
                       name="energy_model-sweep-worker")
    proc.start()
    send.close()
    return _Worker(proc, receive, chunk, attempt)


def _drain(w: _Worker, on_done: Callable[[str], None] | None = None) -> None:
    """Read every message a worker has sent (``on_done(variant)`` per committed variant); raise a fatal error."""
    while w.connected and w.conn.poll():
        try:
            message = w.conn.recv()
        except (EOFError, OSError):
            w.connected = False
            break
        event = message[0]
        if event == "start":
            w.current = message[1]
        elif event == "done":
            w.done.add(message[1])
            if on_done is not None:
                on_done(message[1])
        elif event == "end":
            w.finished = True
        elif event == "fatal":
            _, name, text, issues = message
            if issues:
                raise InputError(issues)
            cls = getattr(errors, name, errors.OutputError)
            raise cls(text)
        elif event == "bug":
            raise RuntimeError(f"a sweep worker process failed:\n{message[1]}")


def _stop(w: _Worker) -> None:
    """Stop a worker: SIGTERM, then SIGKILL after :data:`STOP_GRACE_S`."""
    if w.proc.is_alive():
        w.proc.terminate()
        w.proc.join(STOP_GRACE_S)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join()
    w.conn.close()


def _after_death(w: _Worker, vdir: Path, say: Callable[[str], None]) -> list[tuple[list[tuple[str, dict[str, float]]], int]]:
    """Record the variant a dead worker was solving as failed; return what is left of its chunk to run again."""
    code = w.proc.exitcode
    why = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    left = [(vid, ch) for vid, ch in w.chunk if vid not in w.done]
    if w.current is not None and w.current not in w.done:
        changes = dict(left)[w.current]
        records.commit(vdir, records.died_record(w.current, changes, f"the worker process solving this variant ended unexpectedly "
                                                       f"({why}); it was not solved: run the sweep again to retry it"))
        say(f"worker process {w.proc.pid} ended ({why}) while solving variant {w.current}; recorded as failed")
        left = [(vid, ch) for vid, ch in left if vid != w.current]
        return [(left, 0)] if left else []
    if w.current is not None or w.attempt + 1 < MAX_BUILD_ATTEMPTS:
        say(f"worker process {w.proc.pid} ended ({why}) between variants; {len(left)} variants go to a new worker")
        return [(left, 0 if w.current is not None else w.attempt + 1)] if left else []
    for vid, ch in left:
        records.commit(vdir, records.died_record(vid, ch, f"worker processes ended unexpectedly ({why}) {MAX_BUILD_ATTEMPTS} times "
                                            "while building the model; not solved"))
    say(f"worker processes ended ({why}) while building the model; {len(left)} variants recorded as failed")
    return []


def run_workers(job: Job, chunks: list[Chunk], vdir: Path, say: Callable[[str], None],
                on_done: Callable[[str], None] | None = None) -> None:
    """Solve the chunks in worker processes, one per chunk, replacing any worker that dies.

    ``on_done(variant)`` is called for every variant committed (also one
    recorded as ``worker_died``).

    Raises
    ------
    EnergyModelError
        A worker's fatal error (an OutputError when a write failed); every
        other worker is stopped first and no temporary file is left.
    RuntimeError
        A bug in a worker, with its traceback.
    """
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    queue = deque((chunk, 0) for chunk in chunks if chunk)
    most = len(queue)
    running: list[_Worker] = []
    try:
        while queue or running:
            while queue and len(running) < most:
                running.append(_start_worker(ctx, job, *queue.popleft(), vdir))
            wait([w.conn for w in running if w.connected] + [w.proc.sentinel for w in running], timeout=1.0)
            for w in list(running):
                _drain(w, on_done)
                if w.proc.is_alive():
                    continue
                w.proc.join()
                _drain(w, on_done)
                running.remove(w)
                w.conn.close()
                if w.finished:
                    say(f"worker finished {len(w.chunk)} variants")
                else:
                    again = _after_death(w, vdir, say)
                    queue.extend(again)
                    retried = {vid for chunk, _ in again for vid, _ in chunk}
                    for vid, _ in w.chunk:
                        if on_done is not None and vid not in w.done and vid not in retried:
                            on_done(vid)  # recorded as worker_died
    finally:
        for w in running:
            _stop(w)
        records.remove_partial(vdir)


class LocalPool:
    """The local worker pool behind the pool interface the Dask pool shares (:class:`energy_model.sweep.dask_pool.DaskPool`).

    ``with pool: pool.solve(case, kind, todo, vdir, on_done, extra_rows)``: one process
    per chunk (none when one worker suffices: solved in this process), never
    more than the variants or the memory allow.

    Parameters
    ----------
    workers : int
        Processes asked for.
    say : callable
        Receives progress lines.
    """

    def __init__(self, workers: int, say: Callable[[str], None]):
        self.workers = workers
        self.say = say

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def solve(self, case: Case | Pathway, kind: str, todo: Chunk, vdir: Path,
              on_done: Callable[[str], None] | None = None, extra_rows: ExtraRows | None = None,
              keep: bool = False) -> None:
        """Solve ``todo`` on models built from ``case`` (and ``extra_rows``), committing each record into ``vdir``.

        ``case`` may be a Pathway: each variant is then solved as a pathway
        (one process per chunk as for a Case). ``keep``: each solved variant's
        Results are kept beside its record (``keep: results``).
        """
        if not todo:
            return
        steps = sum(len(c.time) for c in case.cases) if isinstance(case, Pathway) else len(case.time)
        nworkers, note = local_workers(self.workers, len(todo), steps)
        if note:
            self.say(note)
        job = Job(case, kind, extra_rows, keep)
        chunks = [todo[i::nworkers] for i in range(nworkers)]
        if nworkers == 1:
            solve_chunk(job, chunks[0], str(vdir),
                        notify=lambda event, vid: on_done(vid) if on_done is not None and event == "done" else None)
        else:
            run_workers(job, chunks, vdir, self.say, on_done=on_done)
