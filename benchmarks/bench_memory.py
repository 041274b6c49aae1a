"""Resident memory of each phase of a target test, up to the moment HiGHS would start (not run by pytest).

Usage::

    python benchmarks/bench_memory.py                              # the plan year (8,760 h): ~1 min
    python benchmarks/bench_memory.py scenarios/quick_week.yaml
    python benchmarks/bench_memory.py --no-trace --iterations 2    # + HiGHS's first 2 iterations in the child
    python benchmarks/bench_memory.py --run --iterations 2         # through run_scenario, as python run.py
    python benchmarks/bench_memory.py --in-process                 # compile in this process (as before)

Loads the scenario, builds its model, compiles the target test's shared LP
and its two cases (reference and enforced) as :meth:`Study.solve_many` does,
then forks one child as :func:`energy_model.engine.parallel.solve_all` does
and, in the child, prepares the solve (dense-column split, ``passModel``)
without running it. RSS is printed after each phase (psutil when installed,
else ``/proc/self/status``), with the peak so far (``VmHWM``). A last pass
compiles again under ``tracemalloc`` and prints the largest allocations that
the compile leaves behind and its transient peak.

The peak that counts for ``python run.py`` is the largest process's
``Maximum resident set size`` (``/usr/bin/time -v``), which is a solver
child's: what the parent holds when it forks (every page of it is resident
in the child too) plus the split LP and HiGHS's own memory. Nothing here
solves to the end; ``--iterations 2`` runs HiGHS's first interior-point
iterations, where a solver process reaches its peak, and ``--run`` goes
through ``run_scenario`` itself.

Measured on the plan year, 2026-12-07, 2 cores (MB = 10^6 bytes)::

    phase                                   before      after
    imports / inputs / Pyomo build          183 / 201 / 444 MB (unchanged)
    compile + 2 case views (parent)         793 MB      511 MB (compiled in a fork; it peaks there)
    parent peak up to the fork              824 MB      512 MB
    parent after gc + malloc_trim           735 MB      490 MB (what each solver process inherits;
                                                        no trim before: 793 MB)
    child: split + passModel, ready to run  841 MB      477 MB (split dropped; peak 588 MB during the split)
    child after 2 iterations (peak)         -           903 MB; --run: 913-916 MB (0.98 GB with a
                                                        malloc arena of its own for HiGHS's thread)
    tracemalloc of the compile: kept        95 MB       13 MB (transient peak 355 MB either way)

``python run.py run scenarios/plan_year.yaml`` under ``/usr/bin/time -v``:
1,246,788 KiB before (1.28 GB), 961,640 KiB after the first two of these
changes (0.98 GB; one malloc arena came after that run), results
bit-identical (results.nc, reference.nc, the CSV files).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MB = 1e6


def rss() -> tuple[float, float]:
    """Current and peak resident memory of this process [MB]."""
    status = Path("/proc/self/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        now = float(fields["VmRSS"].split()[0]) * 1024 / MB
        peak = float(fields["VmHWM"].split()[0]) * 1024 / MB
        try:
            import psutil

            now = psutil.Process().memory_info().rss / MB
        except ImportError:
            pass
        return now, peak
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
    return peak, peak


def report(phase: str, t0: float, who: str = "parent") -> None:
    """Print one phase's RSS, peak and elapsed seconds."""
    now, peak = rss()
    print(f"{who:6s} {phase:48s} RSS {now:7.0f} MB   peak {peak:7.0f} MB   {time.perf_counter() - t0:6.1f} s",
          flush=True)


def child_prepare(views: list, spec, hours: int, t0: float, iterations: int) -> None:  # noqa: ANN001
    """In a forked child, as a solver child: split the first case and pass it to HiGHS; run a few iterations."""
    from energy_model.engine.highs import _run_interruptible, choose_method, prepare_highs
    from energy_model.engine.memory import one_malloc_arena

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        try:
            compiled = views[0]
            one_malloc_arena()
            report("forked (inherits the parent)", t0, "child")
            h, copies = prepare_highs(compiled, spec, choose_method(spec, hours))
            report(f"split ({copies:,} copies) + passModel: ready to run", t0, "child")
            if iterations:
                h.setOptionValue("ipm_iteration_limit", iterations)
                _run_interruptible(h)  # in HiGHS's worker thread, as run_highs does
                report(f"HiGHS stopped after {h.getInfo().ipm_iteration_count} interior-point iteration(s)",
                       t0, "child")
        finally:
            os.write(w, b"x")
            os._exit(0)
    os.close(w)
    os.read(r, 1)
    os.waitpid(pid, 0)


def through_run(scenario: str, iterations: int, t0: float) -> None:
    """``run_scenario`` as ``python run.py`` runs it, up to the solver children, which stop early.

    The engine's runner is swapped for one that prepares the solve in the
    forked child exactly as :func:`energy_model.engine.highs.run_highs` does,
    runs ``iterations`` interior-point iterations, prints the child's peak and
    then fails the case, which ends the run (nothing is written).
    """
    import energy_model.engine.study as study_mod
    from energy_model.engine.highs import _run_interruptible, choose_method, prepare_highs
    from energy_model.errors import EnergyModelError, NumericalError
    from energy_model.workflows.run import run_scenario

    def runner(compiled, spec, hours):  # noqa: ANN001, ANN202 - the engine's runner signature
        report(f"forked for '{compiled.n_rows:,} rows'", t0, "child")
        h, copies = prepare_highs(compiled, spec, choose_method(spec, hours))
        report(f"split ({copies:,} copies) + passModel: ready to run", t0, "child")
        if iterations:
            h.setOptionValue("ipm_iteration_limit", iterations)
            _run_interruptible(h)  # in HiGHS's worker thread, as run_highs does
            report(f"after {h.getInfo().ipm_iteration_count} interior-point iteration(s)", t0, "child")
        raise NumericalError("stopped by the benchmark", termination="error")

    real = study_mod.solve_all

    def solve_all(jobs, workers=None, runner_=None, timing=None, **kw):  # noqa: ANN001, ANN202
        report(f"before solve_all ({len(jobs)} jobs)", t0)
        return real(jobs, workers=workers, runner=runner, timing=timing)

    study_mod.solve_all = lambda jobs, workers=None, runner=None, timing=None: solve_all(jobs, workers, runner, timing)
    try:
        run_scenario(scenario, write=False, progress=lambda msg: report(msg[:48], t0))
    except EnergyModelError as exc:
        report(f"run ended: {str(exc)[:40]}", t0)
    finally:
        study_mod.solve_all = real


def trace_compile(study, penalties: dict[str, float]) -> None:  # noqa: ANN001 - a Study
    """Compile again under tracemalloc: what the compile keeps, and its transient peak."""
    from energy_model.engine.batch import compile_shared

    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    shared = compile_shared(study.model, penalties)
    current, peak = tracemalloc.get_traced_memory()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    print(f"\ntracemalloc of one compile: kept {current / MB:.0f} MB, transient peak {peak / MB:.0f} MB "
          f"(Python allocations only; the HighsLp's C++ vectors are not traced)")
    print("largest allocations the compile leaves behind:")
    for stat in after.compare_to(before, "lineno")[:12]:
        frame = stat.traceback[0]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        print(f"  {stat.size_diff / MB:8.1f} MB  {stat.count_diff:>9,} blocks  {where}")
    del shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(PROJECT / "scenarios" / "plan_year.yaml"))
    parser.add_argument("--iterations", type=int, default=0,
                        help="in the child, run HiGHS for this many interior-point iterations (default 0: none)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc pass over the compile")
    parser.add_argument("--in-process", action="store_true",
                        help="compile in this process, as before 2026-12-07 (default: as the Study does)")
    parser.add_argument("--run", action="store_true",
                        help="go through run_scenario (as python run.py) up to the solver children instead")
    args = parser.parse_args()
    t0 = time.perf_counter()
    report("start", t0)
    if args.run:
        through_run(args.scenario, args.iterations, t0)
        return
    from energy_model import vocabulary as n
    from energy_model.engine.batch import case_view, compile_shared, shared_penalties
    from energy_model.engine.memory import release_memory
    from energy_model.engine.study import Study
    from energy_model.inputs.load import load_case

    report("imports", t0)
    case = load_case(args.scenario)
    report("inputs (load_case)", t0)
    study = Study(case)
    hours = study.model.lp_data.hours
    report(f"Study: assemble + Pyomo build ({hours:,} h)", t0)
    relax = {f"targets.{k}.mode": n.REPORT for k, mode in study.target_modes().items() if mode != n.REPORT}
    datas = []
    for changes in (relax, {}):
        with study.changed(changes):
            datas.append(study.model.lp_data)
    penalties = shared_penalties(datas, ["update"] * len(datas))
    assert penalties is not None, "the two cases should differ only in target modes"
    isolated = study._isolated() and not args.in_process  # as Study.solve_many compiles
    shared = compile_shared(study.model, penalties, isolated)
    views = [case_view(shared, study.model, dict(d.target_mode)) for d in datas]
    del shared
    how = "forked" if isolated else "here"
    report(f"shared compile ({how}) + 2 case views", t0)
    release_memory()
    report("gc + malloc_trim (as solve_all before forking)", t0)
    child_prepare(views, study.solver, hours, t0, args.iterations)
    report("after the child", t0)
    print(f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})")
    if not args.no_trace:
        trace_compile(study, penalties)


if __name__ == "__main__":
    main()
