"""Parameter sweeps: many variants of one scenario, built once per worker, resumable.

A sweep file (YAML) names a scenario and the parameters to vary (Study paths
in user units)::

    name: offshore_capex_lng_price
    scenario: ../plan_year.yaml
    mode: grid                     # grid: every combination; list: i-th values together; random
    parameters:
      technologies.offshore_wind.capex_cny_per_kw: [8000, 10000, 12000]
      fuels.lng.price_cny_per_unit: {start: 3000, stop: 6000, num: 4}
    samples: 100                   # random mode: draws, uniform between the first and last value
    seed: 1
    workers: 2                     # local processes; each builds the model once
    case: enforced                 # enforced (one LP per variant) | reference | both

Every variant is written to ``<out>/<sweep>/variants/<id>.json`` as soon as it
is solved (temporary name, then ``os.replace``), keyed by a hash of the base
inputs and its changes; a rerun skips variants already committed with the
same key, so a killed sweep resumes where it stopped. At the end the variants
are gathered into ``sweep.csv`` and ``sweep.nc`` (dimension ``variant``).
A variant whose solve fails is recorded with its status and message; the
sweep then exits with code 10 (:class:`~energy_model.errors.PartialSweepError`).

Worker processes are watched one by one: a worker that dies (killed, out of
memory) costs only the variant it was solving, which is recorded with status
``worker_died`` (and solved again when the sweep is resumed); the rest of
its variants go to a fresh worker. A worker exits by itself within a second
of the sweep's main process dying (``PR_SET_PDEATHSIG`` on Linux, and a
thread watching the parent process id), so a killed sweep leaves no
orphans. A write that fails (disk full) stops the sweep with exit 7 and
leaves no temporary file; committed variants are kept for the resume.
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import json
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
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, model_validator

from energy_model import errors
from energy_model import vocabulary as n
from energy_model.errors import MAX_ISSUES, EnergyModelError, InputError, InputIssue, PartialSweepError
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes
from energy_model.io.paths import results_dir
from energy_model.io.scenario_file import issues_from_validation
from energy_model.io.yaml_safe import load_yaml
from energy_model.output.run_folder import (
    MANIFEST,
    SWEEP,
    TOOL,
    check_writable,
    folder_kind,
    run_lock,
    write_atomic,
    write_csv,
    write_json,
    write_netcdf,
)

#: Most variants a sweep may expand to.
MAX_VARIANTS = 100_000
#: Status of a variant whose worker process died while solving it (solved again when the sweep resumes).
WORKER_DIED = "worker_died"
#: Workers started for one chunk that die before solving any variant (while building the model) before giving up.
MAX_BUILD_ATTEMPTS = 2
#: Seconds between a worker's checks that the sweep's main process still lives.
PARENT_POLL_S = 0.5
#: Seconds a worker that is being stopped gets before it is killed.
STOP_GRACE_S = 3.0
#: ``prctl`` option: signal sent to this process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1
#: What a failed write leaves behind, for the disk-full message.
AFTER_FAILED_WRITE = "no partial file was left; the variants committed so far are kept: run the sweep again to resume"


class Linspace(BaseModel):
    """Evenly spaced values from ``start`` to ``stop`` (inclusive)."""

    model_config = ConfigDict(extra="forbid")
    start: float
    stop: float
    num: int = Field(ge=2, le=10_000)


class SweepSpec(BaseModel):
    """A validated sweep file."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    scenario: StrictStr
    mode: Literal["grid", "list", "random"] = "grid"
    parameters: dict[StrictStr, list[float] | Linspace] = Field(min_length=1)
    samples: int = Field(10, ge=1, le=MAX_VARIANTS)
    seed: int = 1
    workers: int = Field(1, ge=1, le=64)
    case: Literal["enforced", "reference", "both"] = "enforced"

    @model_validator(mode="after")
    def _lengths(self) -> SweepSpec:
        values = [v for v in self.values().values()]
        if any(len(v) == 0 for v in values):
            raise ValueError("every parameter needs at least one value")
        if self.mode == "list" and len({len(v) for v in values}) > 1:
            raise ValueError("mode: list needs the same number of values for every parameter")
        if self.mode == "grid" and int(np.prod([len(v) for v in values])) > MAX_VARIANTS:
            raise ValueError(f"the grid has more than {MAX_VARIANTS:,} variants")
        return self

    def values(self) -> dict[str, list[float]]:
        """Each parameter's values as a list."""
        out = {}
        for path, v in self.parameters.items():
            out[path] = list(np.linspace(v.start, v.stop, v.num)) if isinstance(v, Linspace) else [float(x) for x in v]
        return out


def variants(spec: SweepSpec) -> list[dict[str, float]]:
    """Expand a sweep into its list of changes (one dict of path -> value per variant)."""
    vals = spec.values()
    paths = list(vals)
    if spec.mode == "grid":
        return [dict(zip(paths, combo)) for combo in itertools.product(*(vals[p] for p in paths))]
    if spec.mode == "list":
        return [dict(zip(paths, combo)) for combo in zip(*(vals[p] for p in paths))]
    rng = np.random.default_rng(spec.seed)
    return [{p: float(rng.uniform(min(vals[p]), max(vals[p]))) for p in paths} for _ in range(spec.samples)]


def variant_id(base_hash: str, changes: dict[str, float]) -> str:
    """Stable id of a variant: hash of the base inputs and its changes."""
    text = base_hash + json.dumps(changes, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; return the spec and the scenario path."""
    path = Path(path)
    data, lines = load_yaml(path)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise InputError(issues_from_validation(err, path.name, lines)) from None
    from energy_model.inputs.load import safe_path

    scenario = safe_path(path.parent, spec.scenario, path.name, "scenario")
    if not scenario.is_file():
        raise InputError(InputIssue(path.name, "scenario", "scenario file not found", value=spec.scenario,
                                    line=lines.get("scenario")))
    return spec, scenario


def check_variants(case: Case, changes: list[dict[str, float]], origin: Origin) -> None:
    """Apply every variant's changes to the base case (validation only), reporting all problems together.

    Raises
    ------
    InputError
        Each distinct problem once (file, ``parameters.<path>``, line, value), at most
        :data:`energy_model.errors.MAX_ISSUES` of them.
    """
    found: dict[tuple[str, str], InputIssue] = {}
    for ch in changes:
        try:
            apply_changes(case, ch, origin)
        except InputError as err:
            for issue in err.issues:
                found.setdefault((issue.key_path, issue.message), issue)
        if len(found) >= MAX_ISSUES:
            break
    if found:
        raise InputError(list(found.values()))


def _record(results: xr.Dataset, prefix: str) -> dict[str, Any]:
    """Flat numbers of one solved case, for the sweep table."""
    rec: dict[str, Any] = {f"{prefix}objective_cny_per_yr": float(results.attrs["objective_cny_per_yr"])}
    for g, v in results["capacity_mw"].to_series().items():
        rec[f"{prefix}capacity_mw.{g}"] = float(v)
    for c, v in results["cost_cny_per_yr"].to_series().items():
        rec[f"{prefix}cost_cny_per_yr.{c}"] = float(v)
    for k in results[n.TARGET].values.astype(str):
        sel = {n.TARGET: k}
        rec[f"{prefix}target_value.{k}"] = float(results["target_value"].sel(sel))
        rec[f"{prefix}target_shadow_price.{k}"] = float(results["target_shadow_price"].sel(sel))
    rec[f"{prefix}co2_t_per_yr"] = float(results["emissions_t_per_yr"].sel(pollutant="co2").sum())
    for f, v in results["fuel_use_units_per_yr"].to_series().items():
        rec[f"{prefix}fuel_use_units_per_yr.{f}"] = float(v)
    return rec


Notify = Callable[[str, str], None]


def _solve_chunk(scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], folder: str,
                 notify: Notify | None = None) -> list[str]:
    """Worker: build the scenario's model once, solve each variant, commit each record.

    ``notify(event, variant)`` is called with ``"start"`` before a variant is
    solved and ``"done"`` once its record is committed, so the main process
    knows which variant a worker that died was solving.
    """
    tell = notify or (lambda _event, _vid: None)
    from energy_model.engine.study import Study
    from energy_model.inputs.load import load_case

    study = Study(load_case(scenario))
    done = []
    for vid, changes in chunk:
        tell("start", vid)
        rec: dict[str, Any] = {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}}
        try:
            with study.changed(changes):
                if case in ("reference", "both"):
                    with study.changed({f"targets.{k}.mode": n.REPORT for k in study.targets}):
                        rec.update(_record(study.solve(f"variant {vid} reference"), "reference."))
                if case in ("enforced", "both"):
                    rec.update(_record(study.solve(f"variant {vid}"), ""))
            rec["status"] = "optimal"
        except EnergyModelError as exc:
            rec["status"] = getattr(exc, "status", "error")
            rec["message"] = str(exc).splitlines()[0]
        _commit(Path(folder), rec)
        tell("done", vid)
        done.append(vid)
    return done


def _commit(vdir: Path, rec: dict[str, Any]) -> None:
    """Write one variant's record atomically; a failed write (disk full) is an OutputError naming the file."""
    write_atomic(vdir / f"{rec['variant']}.json", lambda p: write_json(rec, p), after=AFTER_FAILED_WRITE)


def _committed(vdir: Path) -> set[str]:
    """Ids of variants with a final record (a readable record whose worker did not die)."""
    done = set()
    for path in vdir.glob("*.json"):
        try:
            status = json.loads(path.read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError, AttributeError):
            continue  # unreadable: solved again
        if status != WORKER_DIED:
            done.add(path.stem)
    return done


def _remove_partial(vdir: Path) -> None:
    """Delete temporary files that a stopped or killed worker left in the variants folder."""
    for stale in [*vdir.glob(".*.tmp-*"), *vdir.glob("*.tmp-*")]:
        stale.unlink(missing_ok=True)


def _prepare_folder(folder: Path, name: str, variants_total: int) -> Path:
    """Create ``<folder>/variants`` and, for a new sweep, a manifest that marks the folder as ours."""
    vdir = folder / "variants"
    try:
        vdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.OutputError(f"cannot create {vdir}: {exc.strerror or exc}") from None
    _remove_partial(vdir)
    if folder_kind(folder) != SWEEP:
        write_atomic(folder / MANIFEST, lambda p: write_json(_manifest(name, "running", variants_total, {}), p))
    return vdir


def _manifest(name: str, status: str, total: int, failed: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"tool": TOOL, "kind": SWEEP, "sweep": name, "status": status, "variants": total, **extra,
            "failed": failed}


# -- worker processes ---------------------------------------------------------------------------------------


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


def _worker(scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], folder: str, conn: Any,
            parent: int) -> None:
    """Entry point of a worker process: solve a chunk, telling the main process each variant's start and end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the main process, which stops the workers
    _exit_with_parent(parent)
    try:
        _solve_chunk(scenario, case, chunk, folder, notify=lambda event, vid: conn.send((event, vid)))
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


def _start_worker(ctx: Any, scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], attempt: int,
                  vdir: Path) -> _Worker:
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(scenario, case, chunk, str(vdir), send, os.getpid()),
                       name="energy_model-sweep-worker")
    proc.start()
    send.close()
    return _Worker(proc, receive, chunk, attempt)


def _drain(w: _Worker) -> None:
    """Read every message a worker has sent; raise the error of a worker that hit a fatal one."""
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


def _died_record(vid: str, changes: dict[str, float], message: str) -> dict[str, Any]:
    return {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}, "status": WORKER_DIED,
            "message": message}


def _after_death(w: _Worker, vdir: Path, say: Callable[[str], None]) -> list[tuple[list[tuple[str, dict[str, float]]], int]]:
    """Record the variant a dead worker was solving as failed; return what is left of its chunk to run again."""
    code = w.proc.exitcode
    why = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    left = [(vid, ch) for vid, ch in w.chunk if vid not in w.done]
    if w.current is not None and w.current not in w.done:
        changes = dict(left)[w.current]
        _commit(vdir, _died_record(w.current, changes, f"the worker process solving this variant ended unexpectedly "
                                                       f"({why}); it was not solved: run the sweep again to retry it"))
        say(f"worker process {w.proc.pid} ended ({why}) while solving variant {w.current}; recorded as failed")
        left = [(vid, ch) for vid, ch in left if vid != w.current]
        return [(left, 0)] if left else []
    if w.current is not None or w.attempt + 1 < MAX_BUILD_ATTEMPTS:
        say(f"worker process {w.proc.pid} ended ({why}) between variants; {len(left)} variants go to a new worker")
        return [(left, 0 if w.current is not None else w.attempt + 1)] if left else []
    for vid, ch in left:
        _commit(vdir, _died_record(vid, ch, f"worker processes ended unexpectedly ({why}) {MAX_BUILD_ATTEMPTS} times "
                                            "while building the model; not solved"))
    say(f"worker processes ended ({why}) while building the model; {len(left)} variants recorded as failed")
    return []


def _run_workers(scenario: Path, case: str, chunks: list[list[tuple[str, dict[str, float]]]], vdir: Path,
                 say: Callable[[str], None]) -> None:
    """Solve the chunks in worker processes, one per chunk, replacing any worker that dies.

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
                running.append(_start_worker(ctx, str(scenario), case, *queue.popleft(), vdir))
            wait([w.conn for w in running if w.connected] + [w.proc.sentinel for w in running], timeout=1.0)
            for w in list(running):
                _drain(w)
                if w.proc.is_alive():
                    continue
                w.proc.join()
                _drain(w)
                running.remove(w)
                w.conn.close()
                if w.finished:
                    say(f"worker finished {len(w.chunk)} variants")
                else:
                    queue.extend(_after_death(w, vdir, say))
    finally:
        for w in running:
            _stop(w)
        _remove_partial(vdir)


def run_sweep(path: str | Path, out: str | Path | None = None, *, workers: int | None = None,
              progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run (or resume) a sweep and gather its table.

    Parameters
    ----------
    path : str or pathlib.Path
        Sweep YAML file.
    out : str or pathlib.Path, optional
        Parent of the sweep folder (default ``results/`` of the project).
    workers : int, optional
        Overrides the file's ``workers``.
    progress : callable, optional
        Receives progress lines.

    Returns
    -------
    pandas.DataFrame
        One row per variant (also written to ``sweep.csv``).

    Raises
    ------
    PartialSweepError
        When some variants failed (their rows carry status and message).
    """
    from energy_model.inputs.load import load_case
    from energy_model.io.scenario_file import load_scenario

    say = progress or (lambda _m: None)
    spec, scenario = load_sweep(path)
    loaded = load_scenario(scenario)
    base_case = load_case(loaded)
    base = base_case.attrs
    todo_all = variants(spec)
    # every variant's values pass the table and schema validators before any solve
    check_variants(base_case, todo_all, Origin(Path(path).name, "parameters.", load_yaml(Path(path))[1]))
    out_dir = results_dir(scenario, out)
    check_writable(out_dir)
    folder = out_dir / spec.name
    keyed = [(variant_id(str(base["input_hash"]) + spec.case, ch), ch) for ch in todo_all]
    with run_lock(out_dir, spec.name, SWEEP):  # refuses a folder at that name that is not a sweep of this tool
        vdir = _prepare_folder(folder, spec.name, len(keyed))
        committed = _committed(vdir)
        todo = [(vid, ch) for vid, ch in keyed if vid not in committed]
        say(f"sweep '{spec.name}': {len(keyed)} variants, {len(keyed) - len(todo)} already done")
        nworkers = max(1, min(workers or spec.workers, len(todo) or 1))
        if todo:
            chunks = [todo[i::nworkers] for i in range(nworkers)]
            if nworkers == 1:
                _solve_chunk(str(scenario), spec.case, chunks[0], str(vdir))
            else:
                _run_workers(scenario, spec.case, chunks, vdir, say)
        rows = [json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")) for vid, _ in keyed]
        table = pd.DataFrame(rows).set_index("variant")
        write_atomic(folder / "sweep.csv", lambda p: write_csv(table, p), after=AFTER_FAILED_WRITE)
        numeric = table.select_dtypes("number")
        ds = xr.Dataset({c: ("variant", numeric[c].to_numpy()) for c in numeric.columns},
                        coords={"variant": table.index.to_numpy()})
        ds["status"] = ("variant", table["status"].astype(str).to_numpy())
        ds.attrs.update({"sweep": spec.name, "scenario": loaded.scenario.name, "input_hash": base["input_hash"]})
        write_atomic(folder / "sweep.nc", lambda p: write_netcdf(ds, p), after=AFTER_FAILED_WRITE)
        failed_ids = {vid: r.get("message", "") for vid, r in zip(table.index, rows) if r["status"] != "optimal"}
        doc = _manifest(spec.name, "partial" if failed_ids else "complete", len(keyed), failed_ids,
                        scenario=loaded.scenario.name, input_hash=base["input_hash"])
        write_atomic(folder / MANIFEST, lambda p: write_json(doc, p), after=AFTER_FAILED_WRITE)
    failed = table[table["status"] != "optimal"]
    if len(failed):
        raise PartialSweepError(f"{len(failed)} of {len(table)} variants failed; see {folder / 'sweep.csv'}")
    return table
