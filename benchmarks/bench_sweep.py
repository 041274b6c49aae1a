"""Time sweeps: per-variant cost against a bare HiGHS solve, and the local pool against a Dask cluster (not pytest).

Usage::

    python benchmarks/bench_sweep.py                    # both parts: (a) 3 full-year variants (~10-25 min), (b)
    python benchmarks/bench_sweep.py --part a --variants 1
    python benchmarks/bench_sweep.py --part b [--sweep scenarios/sweeps/offshore_capex_week.yaml] [--workers 2]

(a) The plan year (``scenarios/plan_year.yaml``, 8,760 h), ``--variants`` values
of the offshore-wind capex, swept with one worker in this process. For each
variant: the sweep's wall time (change, compile, HiGHS, extraction, checks,
commit) against a bare ``highspy.Highs().run()`` of the same LP, written to an
MPS file once and read back, with the options the sweep uses. Goal: the sweep
costs at most 1.1x the bare solve. The sweep works on a copy of the project's
inputs and scenarios in a temporary folder; nothing is written into the project.

(b) One sweep (default ``scenarios/sweeps/offshore_capex_week.yaml``) run in the
local worker pool and on ``--scheduler local`` with the same number of workers:
wall times, the Dask overhead (cluster start, task shipping, closing) and the
largest relative difference between the two tables (objective and every
capacity; expected 0 up to solver round-off).

No assertions: figures are printed. They depend on the machine's load: run
on a quiet machine and compare figures taken in the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energy_model.engine.extract import MONEY
from energy_model.engine.highs import _options, choose_method, compile_model
from energy_model.engine.study import Study
from energy_model.inputs.load import load_case
from energy_model.io.sweep_file import load_sweep
from energy_model.sweep import records
from energy_model.sweep.run import run_sweep

PROJECT = Path(__file__).resolve().parent.parent
CAPEX = "technologies.offshore_wind.capex_cny_per_kw"


def _copy_project(root: Path) -> Path:
    """Copy inputs/ and scenarios/ under ``root`` (sweep files must sit next to their scenarios)."""
    shutil.copytree(PROJECT / "inputs", root / "inputs")
    shutil.copytree(PROJECT / "scenarios", root / "scenarios", ignore=shutil.ignore_patterns(".*"))
    return root


def _bare_highs(study: Study, changes: dict[str, float], folder: Path) -> dict[str, Any]:
    """Compile the variant's LP, write it once, read it into a fresh Highs and time ``run()`` alone."""
    import highspy

    with study.changed(changes):
        compiled = compile_model(study.model)
        spec, hours = study.solver, study.model.lp_data.hours
    mps = folder / "variant.mps"
    writer = highspy.Highs()
    writer.silent()
    writer.passModel(compiled.lp)
    writer.writeModel(str(mps))
    h = highspy.Highs()
    h.silent()
    h.readModel(str(mps))
    for key, value in _options(spec, choose_method(spec, hours)).items():
        h.setOptionValue(key, value)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    objective = float(info.objective_function_value) * MONEY
    iterations = int(info.simplex_iteration_count) + int(info.ipm_iteration_count) + int(info.crossover_iteration_count)
    mps.unlink()
    return {"bare_s": seconds, "bare_objective": objective, "bare_status": status, "bare_iterations": iterations}


def part_a(n_variants: int, tmp: Path, scenario: str = "plan_year.yaml") -> None:
    """Plan year: per-variant sweep time against the bare HiGHS solve of the same LP."""
    root = _copy_project(tmp / "a")
    values = [10000.0] if n_variants == 1 else [float(v) for v in np.linspace(8000, 12000, n_variants)]
    sweep = root / "scenarios" / "sweeps" / "bench_plan_year.yaml"
    sweep.write_text(f"name: bench_plan_year\nscenario: ../{scenario}\nmode: list\nparameters:\n"
                     f"  {CAPEX}: {json.dumps(values)}\nworkers: 1\ncase: enforced\n", encoding="utf-8")
    walls: dict[str, float] = {}
    real_solve, real_commit = records.solve_variant, records.commit

    def timed_solve(study: Any, case: str, vid: str, changes: dict[str, float]) -> dict[str, Any]:
        t0 = time.perf_counter()
        rec = real_solve(study, case, vid, changes)
        walls[vid] = time.perf_counter() - t0
        return rec

    def timed_commit(vdir: Path, rec: dict[str, Any]) -> None:
        t0 = time.perf_counter()
        real_commit(vdir, rec)
        walls[rec["variant"]] += time.perf_counter() - t0

    records.solve_variant, records.commit = timed_solve, timed_commit  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        table = run_sweep(sweep, tmp / "a" / "out", workers=1)
        sweep_wall = time.perf_counter() - t0
    finally:
        records.solve_variant, records.commit = real_solve, real_commit  # type: ignore[assignment]
    t0 = time.perf_counter()
    study = Study(load_case(root / "scenarios" / scenario))
    build = time.perf_counter() - t0
    print(f"(a) {scenario} ({study.model.lp_data.hours:,} h), {len(values)} variants of {CAPEX}: sweep (1 worker) {sweep_wall:.1f} s in all; "
          f"inputs + model build {build:.1f} s")
    print(f"{'capex':>8} {'sweep/variant [s]':>18} {'of it HiGHS [s]':>16} {'bare HiGHS [s]':>15} {'ratio':>6}"
          f" {'sweep/own HiGHS':>16} {'iterations':>15} {'objective rel diff':>19}")
    for vid, row in table.iterrows():
        changes = {CAPEX: float(row[f"param.{CAPEX}"])}
        bare = _bare_highs(study, changes, tmp)
        ratio = walls[str(vid)] / bare["bare_s"]
        diff = abs(bare["bare_objective"] - row["objective_cny_per_yr"]) / abs(row["objective_cny_per_yr"])
        own = walls[str(vid)] / float(row.get("solve_s", np.nan))
        its = f"{int(row.get('iterations', -1))}/{bare['bare_iterations']}"
        print(f"{changes[CAPEX]:>8,.0f} {walls[str(vid)]:>18.1f} {row.get('solve_s', float('nan')):>16.1f} "
              f"{bare['bare_s']:>15.1f} {ratio:>6.2f} {own:>16.3f} {its:>15} {diff:>19.1e}  "
              f"({row['status']}, bare {bare['bare_status']})")
    print("goal: ratio <= 1.1 (sweep per variant includes change, compile, extraction, checks and the commit); "
          "'sweep/own HiGHS' is that wall over the sweep's own HiGHS run, 'iterations' sweep/bare (the same "
          "work when equal): both hold under load, when the two runs' times do not")


def _records(folder: Path) -> pd.DataFrame:
    rows = [json.loads(p.read_text(encoding="utf-8")) for p in (folder / "variants").glob("*.json")]
    return pd.DataFrame(rows).set_index("variant").sort_index()


def part_b(sweep: Path, workers: int | None, tmp: Path) -> None:
    """The same sweep in the local pool and on a local Dask cluster: wall times and differences."""
    spec = load_sweep(sweep).spec
    n = workers or spec.workers
    marks: dict[str, float] = {}

    def note(line: str) -> None:
        if line.startswith("local Dask cluster"):
            marks["cluster"] = time.perf_counter()
        if line.startswith("chunk "):
            marks["last chunk"] = time.perf_counter()

    t0 = time.perf_counter()
    run_sweep(sweep, tmp / "pool", workers=n)
    pool_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_sweep(sweep, tmp / "dask", workers=n, scheduler="local", progress=note)
    end = time.perf_counter()
    dask_s = end - t0
    start_s = marks.get("cluster", t0) - t0
    solve_s = marks.get("last chunk", end) - marks.get("cluster", t0)
    close_s = end - marks.get("last chunk", end)
    pool, dask = _records(tmp / "pool" / spec.name), _records(tmp / "dask" / spec.name)
    cols = ["objective_cny_per_yr"] + [c for c in pool.columns if c.startswith("capacity_mw.")]
    a, b = pool[cols].to_numpy(float), dask.loc[pool.index, cols].to_numpy(float)
    rel = np.abs(a - b) / np.maximum(np.abs(a), 1e-9)
    print(f"(b) {sweep.name}: {len(pool)} variants, {n} workers")
    print(f"    local pool           {pool_s:7.1f} s")
    print(f"    --scheduler local    {dask_s:7.1f} s  (loading the scenario and starting the cluster {start_s:.1f} s, "
          f"chunks {solve_s:.1f} s, gathering the table and closing {close_s:.1f} s)")
    print(f"    Dask overhead        {dask_s - pool_s:+7.1f} s ({(dask_s / pool_s - 1) * 100:+.0f} %)")
    print(f"    same variants: {sorted(pool.index) == sorted(dask.index)}; statuses "
          f"{sorted(set(pool['status']))} / {sorted(set(dask['status']))}; largest relative difference "
          f"(objective, capacities) {np.nanmax(rel):.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    parser.add_argument("--variants", type=int, default=3, help="(a) full-year variants (each ~1-4 min, twice)")
    parser.add_argument("--scenario", default="plan_year.yaml", help="(a) scenario in scenarios/ (a quick check: "
                        "quick_week.yaml)")
    parser.add_argument("--sweep", type=Path, default=PROJECT / "scenarios" / "sweeps" / "offshore_capex_week.yaml",
                        help="(b) sweep file")
    parser.add_argument("--workers", type=int, default=None, help="(b) workers (default: the sweep file's)")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        if args.part in ("b", "both"):
            part_b(args.sweep, args.workers, Path(tmp))
        if args.part in ("a", "both"):
            part_a(args.variants, Path(tmp), args.scenario)
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other work on the machine skews the figures)")


if __name__ == "__main__":
    main()
