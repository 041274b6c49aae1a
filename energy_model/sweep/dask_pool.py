"""Sweeps on a Dask cluster: chunks of variants solved by Dask workers, committed by the sweep's own process.

``python run.py sweep FILE --scheduler tcp://HOST:PORT`` connects to an
existing ``dask.distributed`` cluster; ``--scheduler local --workers N``
starts a :class:`distributed.LocalCluster` on 127.0.0.1 (N worker processes,
one thread each, a memory limit per worker from the machine's RAM, no
dashboard) and closes it at the end. Without ``--scheduler`` the sweep runs in
the local worker pool of :mod:`energy_model.sweep.pools`, unchanged. Both pools
have one interface: ``with pool: pool.solve(case, kind, todo, vdir, on_done, extra_rows)``.

How a sweep runs on the cluster:

- Before anything is written, the cluster is reached and every worker's
  versions of Python, energy_model (and a hash of its source), highspy, pyomo,
  numpy, pandas, xarray and scipy are compared with this process's (and
  Dask's own check, ``Client.get_versions(check=True)``); any difference is
  refused as an input error (exit 2) naming the worker and package.
- The validated :class:`~energy_model.io.case.Case` (with HiGHS held to one
  thread per task through the change path ``solver.threads``) is shipped in
  each task, so workers need no access to the project files.
- Each task is a chunk of variants: the worker builds the model once and
  solves every variant of its chunk through ``Study.changed`` with the same
  per-variant function as the local pool
  (:func:`energy_model.sweep.records.solve_variant`), and *returns* the records.
- This process commits each record with the same atomic write as the local
  pool (:func:`energy_model.sweep.records.commit`) as chunks complete
  (``distributed.as_completed``), each variant at most once: a variant
  already committed in this run or on disk is skipped.
- A worker that is lost mid-chunk (killed, out of memory) costs no variant:
  the scheduler runs the chunk again elsewhere (up to its
  ``distributed.scheduler.allowed-failures``, default 3). A chunk that keeps
  killing workers, or that no worker is left to run, is recorded as
  ``worker_died`` (solved again when the sweep is resumed), and the sweep
  exits 10 like any partial sweep.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import platform
import socket
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from energy_model.engine.extra_rows import ExtraRows
from energy_model.errors import EnergyModelError, InputError, InputIssue, InterruptedRun
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes
from energy_model.io.pathway_spec import Pathway
from energy_model.sweep import records

#: ``--scheduler`` value that starts a cluster on this machine.
LOCAL = "local"
#: Seconds to wait for a scheduler (and, for a local cluster, its workers) before giving up.
CONNECT_TIMEOUT_S = 30.0
#: Seconds a first plain connection to a scheduler address may take (:func:`probe`).
PROBE_TIMEOUT_S = 3.0
#: Smallest memory limit given to a local worker [bytes].
MIN_WORKER_MEMORY = 2 * 1024**3
#: Memory kept free for this process and the system when sizing local workers [bytes, and share of RAM].
MIN_HEADROOM = 2 * 1024**3
HEADROOM_SHARE = 0.10
#: Seconds between checks on the cluster while waiting for chunks.
POLL_S = 0.2
#: Seconds between checks that the cluster still has workers, and how long it may have none.
WORKER_CHECK_S = 5.0
NO_WORKERS_S = 60.0
#: Packages whose versions must match between this process and every worker (besides Dask's own).
PACKAGES = ("energy_model", "highspy", "pyomo", "numpy", "pandas", "xarray", "scipy")
#: What ``--scheduler`` names in messages.
FLAG = "--scheduler"

Chunk = list[tuple[str, dict[str, float]]]


def worker_memory_limit(n_workers: int, total: int | None = None) -> int:
    """Memory limit per local worker: the RAM less headroom, shared evenly, at least 2 GiB.

    Parameters
    ----------
    n_workers : int
        Worker processes on this machine.
    total : int, optional
        Physical memory [bytes] (default: this machine's).

    Returns
    -------
    int
        Bytes per worker: ``(total - max(2 GiB, 10 % of total)) / n_workers``,
        never below :data:`MIN_WORKER_MEMORY`.
    """
    if total is None:
        import psutil

        total = int(psutil.virtual_memory().total)
    headroom = max(MIN_HEADROOM, int(HEADROOM_SHARE * total))
    return max(MIN_WORKER_MEMORY, (total - headroom) // max(1, n_workers))


def environment() -> dict[str, str]:
    """Versions that must be equal wherever a variant is solved (runs on the workers too)."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    out["energy_model source"] = source_hash()
    return out


def source_hash() -> str:
    """Hash of the energy_model package's Python source (catches edited copies with the same version)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def probe(address: str, timeout: float | None = None) -> None:
    """Refuse a ``tcp://`` scheduler address that does not accept a connection, within ``timeout`` seconds.

    Dask's client retries a refused connection until its own timeout; one
    plain socket connection first tells a wrong host or port at once.

    Parameters
    ----------
    address : str
        The ``--scheduler`` value; other schemes than ``tcp://`` are left to Dask.
    timeout : float, optional
        Seconds to wait for the connection (default :data:`PROBE_TIMEOUT_S`).

    Raises
    ------
    InputError
        The address has no port, or nothing accepts a connection there.
    """
    if not address.startswith("tcp://"):
        return
    host, _, port = address.removeprefix("tcp://").rstrip("/").rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise _issue(address, "expected a Dask scheduler address with host and port, such as tcp://host:8786")
    wait = PROBE_TIMEOUT_S if timeout is None else timeout
    try:
        with socket.create_connection((host, int(port)), timeout=wait):
            pass
    except OSError as exc:
        why = "connection refused" if isinstance(exc, ConnectionRefusedError) else (
            f"no answer within {wait:g} s" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc)))
        raise _issue(address, f"cannot reach the Dask scheduler ({why}); check the address and that "
                              "'dask scheduler' is running there") from None


def _issue(address: str, message: str) -> InputError:
    return InputError(InputIssue(FLAG, "", message, value=address))


def check_versions(client: Any, address: str) -> int:
    """Refuse a cluster whose workers run other versions than this process; return the number of workers.

    Raises
    ------
    InputError
        No workers, Dask's own version check failed, or a worker differs in
        any of :data:`PACKAGES`, Python or the energy_model source (each
        difference named: worker, package, its version and ours).
    """
    try:
        client.get_versions(check=True)
    except ValueError as exc:
        raise _issue(address, f"the Dask cluster runs other versions than this process: {exc}") from None
    ours = environment()
    theirs = cast(dict[str, dict[str, str]], client.run(environment))
    if not theirs:
        raise _issue(address, "the Dask cluster has no workers; start some with "
                              "'dask worker <scheduler address> --nthreads 1'")
    wrong = [f"worker {w}: {pkg} {env.get(pkg, 'missing')}, here {ours[pkg]}"
             for w, env in sorted(theirs.items()) for pkg in ours if env.get(pkg) != ours[pkg]]
    if wrong:
        shown = "; ".join(wrong[:10]) + (f"; and {len(wrong) - 10} more" if len(wrong) > 10 else "")
        raise _issue(address, "the Dask workers must run the same versions as this process (a different "
                              f"solver or model can give different answers): {shown}")
    return len(theirs)


def solve_chunk(chunk: Chunk, case: Case, kind: str, extra_rows: ExtraRows | None = None) -> list[dict[str, Any]]:
    """Dask task: build the case's model once and solve each variant of the chunk; return their records.

    Parameters
    ----------
    chunk : list of (str, dict)
        Variant ids and their changes (``path -> value`` in user units).
    case : Case
        The validated base case (shipped with the task).
    kind : str
        ``enforced``, ``reference`` or ``both`` (the sweep file's ``case``).
    extra_rows : callable, optional
        The user's hook (:mod:`energy_model.engine.extra_rows`), shipped with the task.

    Returns
    -------
    list of dict
        One record per variant, in chunk order (as written to ``variants/<id>.json``).
    """
    from energy_model.engine.study import Study

    study = Study(case, extra_rows)
    return [records.solve_variant(study, kind, vid, changes) for vid, changes in chunk]


def check_shippable(extra_rows: ExtraRows | None, scheduler: str) -> None:
    """Refuse an ``extra_rows`` hook that cannot be sent to Dask workers (before anything is written).

    Raises
    ------
    InputError
        At ``extra_rows``, naming the hook and why it does not pickle.
    """
    if extra_rows is None:
        return
    import cloudpickle

    try:
        cloudpickle.dumps(extra_rows)
    except Exception as exc:  # noqa: BLE001 - any pickling failure is the same answer: it cannot be shipped
        name = getattr(extra_rows, "__qualname__", type(extra_rows).__qualname__)
        raise InputError(InputIssue("extra_rows", "", f"the hook cannot be sent to the Dask workers of "
                                                      f"--scheduler {scheduler} ({type(exc).__name__}: "
                                                      f"{str(exc).splitlines()[0] if str(exc) else ''}); "
                                                      "use a picklable function or the local pool", value=name)
                         ) from None


def chunks_of(todo: Chunk, n: int) -> list[Chunk]:
    """Split variants into at most ``n`` chunks, round robin (as the local pool does)."""
    n = max(1, min(n, len(todo)))
    return [todo[i::n] for i in range(n) if todo[i::n]]


class DaskPool:
    """A connection to a Dask cluster (or a local one it started), used for one sweep.

    Connecting happens in the constructor, so a bad address or a cluster of
    other versions is refused before the sweep writes anything. Use it as a
    context manager: leaving closes the client and a local cluster (also on
    Ctrl-C and on errors).

    Parameters
    ----------
    scheduler : str
        ``local`` or the scheduler's address (``tcp://host:8786``).
    workers : int
        Worker processes of a local cluster (ignored for an existing cluster).
    say : callable
        Receives progress lines.

    Raises
    ------
    InputError
        The scheduler cannot be reached, has no workers, or runs other versions.
    """

    def __init__(self, scheduler: str, workers: int, say: Callable[[str], None]) -> None:
        self.say = say
        self._on_done: Callable[[str], None] = lambda _vid: None
        self.cluster: Any = None
        self.client: Any = None
        self.address = scheduler
        if scheduler != LOCAL:
            probe(scheduler)  # a refused or unreachable address fails now, not after Dask's retries
        import distributed

        # Dask's INFO lines (connections, workers joining and leaving) are not the sweep's progress lines
        self._log = logging.getLogger("distributed")
        self._log_level: int | None = self._log.level
        self._log.setLevel(logging.ERROR)
        try:
            if scheduler == LOCAL:
                if workers < 1:
                    raise InputError(InputIssue("--workers", "", "a local Dask cluster needs at least one worker",
                                                value=workers))
                limit = worker_memory_limit(workers)
                # no dashboard; the scheduler's internal HTTP endpoint takes a free port on 127.0.0.1, not 8787
                self.cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, memory_limit=limit,
                    dashboard_address=None, host="127.0.0.1", timeout=CONNECT_TIMEOUT_S,
                    silence_logs=logging.ERROR, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
                self.client = distributed.Client(self.cluster, timeout=CONNECT_TIMEOUT_S)
                self.client.wait_for_workers(workers, timeout=CONNECT_TIMEOUT_S)
                where = (f"local Dask cluster on 127.0.0.1: {workers} worker processes, 1 thread and "
                         f"{limit / 1024**3:.1f} GiB memory limit each")
            else:
                if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
                    raise _issue(scheduler, "expected 'local' or a Dask scheduler address such as "
                                            "tcp://host:8786")
                self.client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
                where = f"Dask cluster at {scheduler}"
            self.workers = check_versions(self.client, scheduler)
        except InputError:
            self.close()
            raise
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if scheduler == LOCAL:
                raise _issue(scheduler, f"could not start a local Dask cluster of {workers} workers within "
                                        f"{CONNECT_TIMEOUT_S:g} s ({why})") from None
            raise _issue(scheduler, f"cannot reach the Dask scheduler within {CONNECT_TIMEOUT_S:g} s ({why}); "
                                    "check the address and that 'dask scheduler' is running there") from None
        except BaseException:
            self.close()
            raise
        self.say(where if scheduler == LOCAL else f"{where}: {self.workers} workers, {self.threads()} threads")

    def threads(self) -> int:
        """Threads the cluster's workers have in total (tasks that run at once)."""
        return int(sum(self.client.nthreads().values()))

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # an error between connecting and the sweep's 'with' still closes the cluster
        self.close()

    def close(self) -> None:
        """Close the client and, if this pool started it, the local cluster (idempotent)."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        for thing in (client, cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - closing after a failure must not hide it
                    pass
        level = getattr(self, "_log_level", None)
        if level is not None:
            self._log.setLevel(level)
            self._log_level = None

    def solve(self, case: Case | Pathway, kind: str, todo: Chunk, vdir: Path,
              on_done: Callable[[str], None] | None = None, extra_rows: ExtraRows | None = None,
              keep: bool = False) -> None:
        """Solve ``todo`` on the cluster, committing each variant's record to ``vdir`` as its chunk completes.

        ``on_done(variant)`` is called after each variant's record is
        committed; ``extra_rows`` is shipped with every task (check it first
        with :func:`check_shippable`).

        Raises
        ------
        EnergyModelError
            A task's error that is not one variant's failure (e.g. the model
            cannot be built; an OutputError when a commit fails); the other
            chunks are cancelled.
        RuntimeError
            A bug in a task, with the worker's traceback.
        InputError
            ``case`` is a Pathway: pathway sweeps run on the local pool; ``keep``
            (``keep: results``) is for the local pool too.
        """
        import distributed

        if keep:  # run_sweep refuses it before anything is written; this is the pool's own guard
            raise InputError(InputIssue("--scheduler", "", "keep: results runs on the local worker pool"))
        if isinstance(case, Pathway):  # run_sweep refuses it before anything is written; this is the pool's own guard
            raise InputError(InputIssue("--scheduler", "", "a pathway sweep runs on the local worker pool"))
        shipped = one_thread(case)
        chunks = chunks_of(todo, self.threads())
        futures = self.client.map(solve_chunk, chunks, case=shipped, kind=kind, extra_rows=extra_rows,
                                  pure=False)
        which = {f.key: i for i, f in enumerate(futures)}
        self.say(f"submitted {len(todo)} variants in {len(chunks)} chunks (one model build per chunk)")
        committed: set[str] = set()
        self._on_done = on_done or (lambda _vid: None)
        total = len(todo)
        ac = distributed.as_completed(futures)
        last_check = time.monotonic()
        no_workers_since: float | None = None
        try:
            while not ac.is_empty():
                batch = ac.next_batch(block=False)
                if not batch:
                    time.sleep(POLL_S)
                    if time.monotonic() - last_check >= WORKER_CHECK_S:
                        last_check = time.monotonic()
                        if self.threads() > 0:
                            no_workers_since = None
                        elif no_workers_since is None:
                            no_workers_since = last_check
                        elif last_check - no_workers_since > NO_WORKERS_S:
                            self._give_up(chunks, committed, vdir, f"the Dask cluster had no workers for "
                                                                   f"{NO_WORKERS_S:g} s")
                            return
                    continue
                for fut in batch:
                    chunk = chunks[which[fut.key]]
                    self._collect(fut, chunk, committed, vdir)
                    self.say(f"chunk {which[fut.key] + 1} of {len(chunks)} done: {len(committed)} of {total} "
                             "variants committed")
        finally:
            for fut in futures:
                fut.cancel()

    def _collect(self, fut: Any, chunk: Chunk, committed: set[str], vdir: Path) -> None:
        """Commit a finished chunk's records, or record why its variants were not solved."""
        from distributed import KilledWorker

        if fut.status == "finished":
            ids = {vid for vid, _ in chunk}
            got = {rec["variant"]: rec for rec in fut.result() if rec.get("variant") in ids}
            for vid, changes in chunk:
                rec = got.get(vid) or records.died_record(vid, changes, "the Dask task returned no record "
                                                                            "for this variant; not solved")
                if rec.get("status") == InterruptedRun.status:
                    continue  # stopped by Ctrl-C on the worker: not a result, solved again on resume
                if _commit_once(vdir, rec, committed):
                    self._on_done(vid)
            return
        exc = None if fut.status == "cancelled" else fut.exception()
        if exc is None:  # the scheduler lost or cancelled the chunk (e.g. it restarted)
            self._give_up([chunk], committed, vdir, f"the Dask scheduler cancelled a chunk of {len(chunk)} variants")
            return
        if isinstance(exc, KilledWorker):
            self._give_up([chunk], committed, vdir, f"a chunk of {len(chunk)} variants kept killing Dask workers "
                                                    "(killed or out of memory)")
            return
        if isinstance(exc, EnergyModelError):
            raise exc
        tb = "".join(traceback.format_exception(exc))
        raise RuntimeError(f"a Dask sweep task failed:\n{tb}")

    def _give_up(self, chunks: list[Chunk], committed: set[str], vdir: Path, why: str) -> None:
        left = [(vid, ch) for chunk in chunks for vid, ch in chunk if vid not in committed]
        for vid, changes in left:
            if _commit_once(vdir, records.died_record(vid, changes, f"{why}; not solved: run the sweep again"),
                            committed):
                self._on_done(vid)
        self.say(f"{why}; {len(left)} variants recorded as failed")


def one_thread(case: Case) -> Case:
    """The case with HiGHS held to one thread (through the change path), for one task per worker thread."""
    if case.solver.threads == 1:
        return case
    return apply_changes(case, {"solver.threads": 1}, Origin(FLAG))


def _commit_once(vdir: Path, rec: dict[str, Any], committed: set[str]) -> bool:
    """Commit a record unless its variant was already committed in this run or is final on disk; True if written."""
    vid = str(rec["variant"])
    if vid in committed or _final_on_disk(vdir, vid):
        committed.add(vid)
        return False
    records.commit(vdir, rec)
    committed.add(vid)
    return True


def _final_on_disk(vdir: Path, vid: str) -> bool:
    """Whether ``vid`` has a final record on disk (readable, and not left by a worker that died)."""
    try:
        status = json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError, AttributeError):
        return False
    return bool(status != records.WORKER_DIED)
