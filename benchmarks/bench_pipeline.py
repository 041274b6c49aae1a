"""Time and peak memory per stage of one scenario solve (default: the 8,760-h plan year).

Prints a table: stage, seconds, process peak RSS after the stage [MB].
Stages: weather, profiles, inputs (all reading incl. demand), build (Pyomo),
hand-off (standard-form compile + passModel), solve (HiGHS), extract, check,
write (NetCDF + CSV + JSON + HTML into a temporary folder).

Usage::

    python benchmarks/bench_pipeline.py [scenario.yaml] [--method hipo|simplex|ipx] [--threads N]

Not run by pytest; figures depend on the machine (note its cores).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Peak resident set size of this process so far [MB]."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "plan_year.yaml"))
    parser.add_argument("--method", default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    import highspy

    from energy_model.analysis.target_test import TargetTest
    from energy_model.engine.checks import check_results
    from energy_model.engine.extract import extract_results
    from energy_model.engine.highs import compile_model, run_highs
    from energy_model.inputs.load import PV_PLANTS, SITES, WIND_PLANTS, build_model_inputs, safe_path
    from energy_model.io.memo import clear_caches
    from energy_model.io.scenario_file import load_scenario
    from energy_model.model import build_model
    from energy_model.profiles import capacity_factors, read_plants
    from energy_model.weather import load_weather, read_sites
    from energy_model.workflows.run import _writers

    rows: list[tuple[str, float, float]] = []

    def stage(name: str, t0: float) -> float:
        t1 = time.perf_counter()
        rows.append((name, t1 - t0, rss_mb()))
        return t1

    loaded = load_scenario(args.scenario)
    scen = loaded.scenario
    spec = scen.solver
    if args.method or args.threads is not None:
        spec = spec.model_copy(update={k: v for k, v in (("method", args.method), ("threads", args.threads)) if v
                                       is not None})
    inputs_dir = safe_path(loaded.path.parent, scen.inputs_dir, loaded.path.name, "inputs_dir")
    t = time.perf_counter()
    sites = read_sites(inputs_dir / SITES)
    weather = load_weather(scen.weather, sites, loaded.path.parent)
    t = stage("weather", t)
    pv, wind = read_plants(inputs_dir / PV_PLANTS, inputs_dir / WIND_PLANTS)
    capacity_factors(weather, sites, pv, wind)
    t = stage("profiles", t)
    clear_caches()  # read everything again, as a fresh process would (weather and profiles are cached)
    t = time.perf_counter()
    inputs = build_model_inputs(loaded)
    t = stage("inputs (all reading, again)", t)
    m = build_model(inputs)
    t = stage("build (Pyomo)", t)
    compiled = compile_model(m)
    h = highspy.Highs()
    h.silent()
    h.passModel(compiled.lp)
    del h
    t = stage("hand-off (compile + passModel)", t)
    sol = run_highs(compiled, spec, hours=inputs.sizes["time"])
    solve_s = sol.info["solve_seconds"]
    t = stage(f"solve ({sol.info['method_used']}, {sol.info['ipm_iterations']} IPM / "
              f"{sol.info['simplex_iterations']} simplex it)", t)
    res = extract_results(m, sol, inputs)
    t = stage("extract", t)
    check_results(res, inputs)
    t = stage("check", t)
    test = TargetTest(res, res, __import__("pandas").DataFrame(), "benchmark")
    doc_stub = {"scenario": scen.name, "title": scen.title, "description": "", "target_status": "benchmark",
                "targets": [], "binding_limits": [], "messages": [], "input_hash": inputs.attrs["input_hash"],
                "versions": {"energy_model": "", "highs": ""}, "timings_s": {"solves": 1, "build_s": 0, "solve_s": 0}}
    from energy_model.analysis.metrics import summary

    doc_stub["enforced"] = doc_stub["reference"] = summary(res, inputs)
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in _writers(test, inputs, doc_stub).items():
            write(Path(tmp) / name)
        size = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
    t = stage(f"write ({size:.1f} MB)", t)

    print(f"scenario {scen.name}: {inputs.sizes['time']:,} h, {compiled.n_cols:,} columns, {compiled.n_rows:,} rows, "
          f"{len(compiled.lp.a_matrix_.value_):,} nonzeros; {os.cpu_count()} cores")
    print(f"{'stage':<58} {'seconds':>8} {'peak RSS MB':>12}")
    for name, sec, mem in rows:
        print(f"{name:<58} {sec:8.2f} {mem:12.0f}")
    build = next(s for n_, s, _ in rows if n_.startswith("build"))
    hand = next(s for n_, s, _ in rows if n_.startswith("hand-off"))
    print(f"(build + hand-off) / solve = ({build:.2f} + {hand:.2f}) / {solve_s:.2f} = {(build + hand) / solve_s:.3f}")


if __name__ == "__main__":
    main()
