"""Each target alone, cold and from the last optimal basis: seconds and simplex iterations (not run by pytest).

Usage::

    python benchmarks/bench_warm_start.py                                     # plan year on typical days
    python benchmarks/bench_warm_start.py scenarios/quick_week.yaml

The scenario's target test is run twice on one Study, with ``solver.warm_start``
off and on; the table lists every solve (reference and enforced are always
cold) and the costs of each target alone, which must agree.

Measured on the 2-core machine (2026-12-07, load about 3 from other work),
``plan_year_typical_days.yaml`` (432 steps, 12.5k columns): each target alone
0.50-1.32 s cold (8,500-9,900 iterations) against 0.03-0.10 s warm (34-570
iterations) in a quiet moment, 0.17-0.60 s under load; the run's solves 4.6 s
-> 2.1 s; costs alone equal to 1e-15.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from energy_model.analysis.target_test import run_target_test
from energy_model.engine.study import Study
from energy_model.inputs.load import load_case

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(PROJECT / "scenarios" / "plan_year_typical_days.yaml"))
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, python {platform.python_version()}")
    study = Study(load_case(args.scenario))
    alone: dict[bool, dict[str, float]] = {}
    for warm in (False, True):
        study.apply({"solver.warm_start": warm})
        first = len(study.timings.log)
        t0 = time.perf_counter()
        test = run_target_test(study, each_alone=True)
        wall = time.perf_counter() - t0
        print(f"\nwarm_start: {warm}  (target test {wall:.2f} s)")
        print(f"{'case':55s} {'solve s':>8s} {'iterations':>10s} {'warm':>5s}")
        for entry in study.timings.log[first:]:
            print(f"{entry['label'][:55]:55s} {entry.get('solve_s', float('nan')):8.3f} "
                  f"{entry.get('simplex_iterations', 0):10d} {str(entry.get('warm_start', False)):>5s}")
        alone[warm] = {str(k): float(v) for k, v in test.table.set_index("target")["cost_alone_cny_per_yr"].items()
                       if v == v}
    worst = max((abs(alone[True][k] - alone[False][k]) / max(abs(alone[False][k]), 1.0) for k in alone[False]),
                default=0.0)
    print(f"\ncosts alone, warm against cold: largest relative difference {worst:.1e}")


if __name__ == "__main__":
    main()
