"""Sweeps on a Dask cluster: same table as the local pool, a killed worker loses and repeats nothing, refusals.

The tests of ``--scheduler local`` start their own local cluster on 127.0.0.1 (that is
what they test); the tests of a cluster the sweep did not start share one
(:class:`TestOnAClusterTheSweepDidNotStart`), whose workers have imported the
model once. All use the 48-hour tiny scenario; a test takes a few seconds.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import early_runs
import numpy as np
import pandas as pd
import psutil
import pytest
from conftest import TmpProject

from energy_model.cli.main import main
from energy_model.errors import InputError
from energy_model.sweep import dask_pool as sweep_dask
from energy_model.sweep import records as sweeps
from energy_model.sweep.run import run_sweep

SWEEP = """\
name: tiny_sweep
scenario: tiny_plan.yaml
mode: grid
parameters:
  economics.carbon_price_cny_per_t: [0, 200]
  technologies.offshore_wind.capex_cny_per_kw: {start: 8000, stop: 12000, num: 3}
workers: 2
"""

GiB = 1024**3


@pytest.fixture
def commits(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count every variant record committed in this process (the Dask client commits them all)."""
    counted: Counter[str] = Counter()
    real = sweeps.commit

    def counting(vdir: Path, rec: dict[str, Any]) -> None:
        real(vdir, rec)
        counted[rec["variant"]] += 1

    monkeypatch.setattr(sweeps, "commit", counting)
    return counted


@pytest.fixture(scope="module", autouse=True)
def _workers_forked_from_a_warm_process() -> Iterator[None]:
    """Dask starts worker processes by forking a server that imported Dask and the model once (``forkserver``),
    not by a fresh interpreter each (``spawn``, Dask's default: seconds of imports per worker on 2 cores).

    Each worker is still a new process that receives its tasks pickled from the scheduler; only the imports
    are shared. The server is stopped when this module's tests are done.
    """
    import multiprocessing
    import multiprocessing.forkserver

    import dask
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context()  # Dask sets its own preload list first; ours adds the model
        multiprocessing.get_context("forkserver").set_forkserver_preload(
            ["distributed", "energy_model.sweep.dask_pool", "energy_model.engine.study"])
        yield
    stop = getattr(multiprocessing.forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


def _children() -> list[psutil.Process]:
    """Live child processes, except multiprocessing's resource tracker and fork server (they live as long as this
    process or this module's tests) and the full-year runs started after collection (:mod:`early_runs`)."""
    out = []
    early = early_runs.process_groups()
    for p in psutil.Process().children(recursive=True):
        try:
            if early and os.getpgid(p.pid) in early:
                continue
            cmd = " ".join(p.cmdline())
            if p.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in cmd and "forkserver" not in cmd:
                out.append(p)
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    return out


def test_memory_limit_per_worker():
    assert sweep_dask.worker_memory_limit(2, 24 * GiB) == int(24 * GiB - 0.1 * 24 * GiB) // 2
    assert sweep_dask.worker_memory_limit(1, 8 * GiB) == 6 * GiB  # headroom at least 2 GiB
    assert sweep_dask.worker_memory_limit(8, 8 * GiB) == 2 * GiB  # never below 2 GiB


def test_local_cluster_gives_the_local_pool_table_and_resumes(project: TmpProject, commits: Counter[str], capsys):
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    pool = run_sweep(sweep, project.out / "pool")
    assert main(["sweep", str(sweep), "--out", str(project.out / "dask"), "--scheduler", "local",
                 "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "local Dask cluster on 127.0.0.1: 2 worker processes" in err and "submitted 6 variants in 2 chunks" in err
    vdir = project.out / "dask" / "tiny_sweep" / "variants"  # full precision (sweep.csv is rounded for reading)
    dask = pd.DataFrame([json.loads(p.read_text()) for p in vdir.glob("*.json")]).set_index("variant")
    assert len(dask) == 6 and set(dask["status"]) == {"optimal"}
    assert sorted(dask.index) == sorted(pool.index)
    dask = dask.loc[pool.index]
    numeric = [c for c in pool.columns if c.startswith(("objective", "capacity_mw.", "cost_cny_per_yr.", "param."))]
    assert any(c.startswith("capacity_mw.") for c in numeric)
    np.testing.assert_allclose(dask[numeric].to_numpy(float), pool[numeric].to_numpy(float), rtol=1e-9, atol=1e-9)
    # this process committed each variant once (the local pool commits in its own workers, not counted here)
    assert {vid: commits[vid] for vid in dask.index} == dict.fromkeys(dask.index, 1)
    # resume: only the missing variant is solved and committed again
    gone = sorted(vdir.glob("*.json"))[0]
    gone.unlink()
    commits.clear()
    again = run_sweep(sweep, project.out / "dask", scheduler="local", workers=1)
    assert dict(commits) == {gone.stem: 1}
    assert again.loc[gone.stem, "objective_cny_per_yr"] == pytest.approx(pool.loc[gone.stem, "objective_cny_per_yr"],
                                                                          rel=1e-9)
    assert not _children(), "the local cluster's processes are still running"


@pytest.fixture(scope="class")
def shared_cluster() -> Iterator[Any]:
    """One LocalCluster of 2 worker processes on 127.0.0.1, started once for the tests of a cluster the sweep
    did not start (as ``--scheduler tcp://...`` finds it); closed when the class's tests are done."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1",
                      silence_logs=logging.ERROR, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        yield cluster


class TestOnAClusterTheSweepDidNotStart:
    """``--scheduler tcp://...``: one shared cluster (a killed worker is restarted by its nanny)."""

    @pytest.fixture
    def cluster(self, shared_cluster: Any) -> Any:
        """The shared cluster with both workers up (a test before may have killed one)."""
        shared_cluster.wait_for_workers(2, timeout=60)
        return shared_cluster

    def test_killed_worker_loses_no_variant_and_repeats_none(self, project: TmpProject, commits: Counter[str],
                                                             cluster: Any):
        """SIGKILL to a Dask worker that holds a chunk: the chunk runs again elsewhere; each variant committed once."""
        text = SWEEP.replace("[0, 200]", "{start: 0, stop: 300, num: 4}")  # 12 variants, two chunks of 6
        sweep = project.scenario(text, "tiny_sweep.yaml")
        killed: dict[str, Any] = {}

        def progress(line: str) -> None:
            if not line.startswith("submitted"):
                return
            from distributed import default_client

            client = default_client()
            pids = client.run(os.getpid)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    killed["worker"], killed["tasks"] = busy[0], client.processing()[busy[0]]
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed["pid"] = pids[busy[0]]
                    return
                time.sleep(0.05)

        table = run_sweep(sweep, project.out, scheduler=cluster.scheduler_address, progress=progress)
        assert killed.get("tasks"), "no worker was killed while holding a chunk"
        assert not psutil.pid_exists(killed["pid"]) or psutil.Process(killed["pid"]).status() == psutil.STATUS_ZOMBIE
        assert len(table) == 12 and set(table["status"]) == {"optimal"}
        assert sorted(commits) == sorted(table.index) and set(commits.values()) == {1}
        files = sorted((project.out / "tiny_sweep" / "variants").glob("*.json"))
        assert len(files) == 12 and {json.loads(p.read_text())["status"] for p in files} == {"optimal"}
        # the same numbers as one worker that was never killed
        plain = run_sweep(sweep, project.out / "plain")
        np.testing.assert_allclose(table.loc[plain.index, "objective_cny_per_yr"], plain["objective_cny_per_yr"],
                                   rtol=1e-9)

    def test_existing_cluster_by_address_is_used_and_left_running(self, project: TmpProject, commits: Counter[str],
                                                                  cluster: Any):
        """--scheduler tcp://...: the sweep connects to a cluster it did not start, and does not close it."""
        sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
        lines: list[str] = []
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        table = run_sweep(sweep, project.out, scheduler=address, progress=lines.append)
        assert len(cluster.scheduler_info["workers"]) == 2  # not closed by the sweep
        assert f"Dask cluster at {address}: 2 workers, 2 threads" in lines
        assert len(table) == 6 and set(table["status"]) == {"optimal"} and dict(commits) == dict.fromkeys(table.index, 1)
        plain = run_sweep(sweep, project.out / "plain", workers=1)
        np.testing.assert_allclose(table.loc[plain.index, "objective_cny_per_yr"], plain["objective_cny_per_yr"],
                                   rtol=1e-9)


class _Done:
    """A finished or failed Dask future, as ``as_completed`` hands it over."""

    def __init__(self, records: list[dict[str, Any]] | None = None, error: BaseException | None = None):
        self.status = "finished" if error is None else "error"
        self.records, self.error = records, error

    def result(self) -> list[dict[str, Any]]:
        assert self.records is not None
        return self.records

    def exception(self) -> BaseException | None:
        return self.error


def test_chunk_outcomes_are_committed_once_or_recorded_as_not_solved(tmp_path: Path, commits: Counter[str]):
    """Records are committed once; a chunk that killed its workers, or a missing record, is worker_died;
    a variant stopped by Ctrl-C on a worker is not committed (it is solved again on resume)."""
    from distributed import KilledWorker

    lines: list[str] = []
    done: list[str] = []
    pool = sweep_dask.DaskPool.__new__(sweep_dask.DaskPool)  # no cluster: only the commit logic
    pool.client = pool.cluster = None
    pool.say, pool._on_done = lines.append, done.append
    chunk = [("a", {"x": 1.0}), ("b", {"x": 2.0}), ("c", {"x": 3.0})]
    committed: set[str] = set()
    ok = {"variant": "a", "param.x": 1.0, "status": "optimal", "objective_cny_per_yr": 5.0}
    stopped = {"variant": "b", "param.x": 2.0, "status": "interrupted", "message": "interrupted by the user"}
    pool._collect(_Done([ok, stopped, {"variant": "zzz", "status": "optimal"}]), chunk, committed, tmp_path)
    status = {p.stem: json.loads(p.read_text())["status"] for p in tmp_path.glob("*.json")}
    assert status == {"a": "optimal", "c": sweeps.WORKER_DIED} and done == ["a", "c"]
    # the same chunk again (e.g. a second result): nothing is written twice
    pool._collect(_Done([ok, stopped]), chunk, committed, tmp_path)
    assert dict(commits) == {"a": 1, "c": 1}
    # a chunk that killed its workers: its variants are recorded as not solved, each once
    pool._collect(_Done(error=KilledWorker("solve_chunk-1", "tcp://127.0.0.1:1", 3)),  # type: ignore[arg-type]
                  chunk, committed, tmp_path)
    assert dict(commits) == {"a": 1, "b": 1, "c": 1}
    assert json.loads((tmp_path / "b.json").read_text())["status"] == sweeps.WORKER_DIED
    assert "kept killing Dask workers" in lines[-1]
    # a chunk the scheduler cancelled (lost): recorded as not solved, not raised
    cancelled = _Done()
    cancelled.status = "cancelled"
    (tmp_path / "a.json").unlink()
    pool._collect(cancelled, chunk, set(), tmp_path)
    assert json.loads((tmp_path / "a.json").read_text())["status"] == sweeps.WORKER_DIED
    assert "cancelled a chunk of 3 variants" in lines[-1]
    # a bug in a task is raised with the worker's traceback, not recorded
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        pool._collect(_Done(error=ZeroDivisionError("x")), chunk, set(), tmp_path)


def test_bad_scheduler_address_is_a_clear_error_and_writes_nothing(project: TmpProject, capsys):
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    before = project.snapshot()
    t0 = time.perf_counter()
    assert main(["sweep", str(sweep), "--out", str(project.out), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    elapsed = time.perf_counter() - t0
    assert elapsed < 8.0, f"a refused connection took {elapsed:.1f} s to report (Dask retries for 30 s)"
    err = capsys.readouterr().err
    assert "--scheduler: cannot reach the Dask scheduler (connection refused)" in err and "tcp://127.0.0.1:1" in err
    assert "Traceback" not in err and "nothing was solved or written" in err
    assert main(["sweep", str(sweep), "--out", str(project.out), "--scheduler", "127.0.0.1:8786"]) == 2
    assert "expected 'local' or a Dask scheduler address" in capsys.readouterr().err
    assert not project.out.exists() and project.snapshot() == before


def test_scheduler_address_without_port_is_refused_at_once():
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="with host and port"):
        sweep_dask.probe("tcp://127.0.0.1")
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler \(connection refused\)"):
        sweep_dask.probe("tcp://127.0.0.1:1")
    assert time.perf_counter() - t0 < 2.0


def test_local_cluster_is_capped_by_variants_and_memory(project: TmpProject, monkeypatch, capsys):
    """--workers 64 on a 6-variant sweep with memory for 3 workers starts 3 processes, and says so."""
    monkeypatch.setattr("energy_model.io.workers.available_memory", lambda: 3 * (300 * 1024**2 + 48 * 130 * 1024))
    started: list[int] = []

    class Refused(Exception):
        pass

    def fake_pool(scheduler: str, workers: int, say: Any) -> None:
        started.append(workers)
        raise Refused

    monkeypatch.setattr(sweep_dask, "DaskPool", fake_pool)
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    with pytest.raises(Refused):
        run_sweep(sweep, project.out, scheduler="local", workers=64, progress=print)
    assert started == [3]
    out = capsys.readouterr().out
    assert "using 3 of the 64 workers asked for: 6 variants to solve; 0.9 GiB of memory available" in out


def test_workers_with_other_versions_are_refused(project: TmpProject, monkeypatch):
    """This process reports another numpy and an edited energy_model; the workers (real versions) are refused."""
    real = sweep_dask.importlib.metadata.version
    monkeypatch.setattr(sweep_dask.importlib.metadata, "version",
                        lambda pkg: "0.0.1" if pkg == "numpy" else real(pkg))
    monkeypatch.setattr(sweep_dask, "source_hash", lambda: "edited")
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, project.out, scheduler="local", workers=1)
    text = str(err.value)
    assert "must run the same versions" in text
    assert f"numpy {np.__version__}, here 0.0.1" in text and "energy_model source" in text and "here edited" in text
    assert not project.out.exists()
    assert not _children(), "the refused local cluster was not closed"


def test_local_cluster_listens_only_on_localhost():
    """Also the one test on Dask's default start method (``spawn``): a fresh interpreter imports the model and
    passes the version check."""
    import dask

    lines: list[str] = []
    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}), \
            sweep_dask.DaskPool(sweep_dask.LOCAL, 1, lines.append) as pool:
        procs = [psutil.Process(), *_children()]
        listening = [c.laddr for p in procs for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
        assert pool.threads() == 1
    assert listening and {a.ip for a in listening} == {"127.0.0.1"}
    assert not _children()
