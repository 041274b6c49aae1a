"""Time the target analyses on one scenario: target test, frontier and break-even (not run by pytest).

Usage::

    python benchmarks/bench_targets.py                          # quick_week (336 h), seconds
    python benchmarks/bench_targets.py scenarios/plan_year.yaml # full year: ~6 solves per analysis

Every analysis re-uses one built model; the table gives wall time, number of
solves and the mean time per solve (compile + HiGHS + extraction + checks); the
frontier's maximum-achievable LP is one solve more than the count shown.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from energy_model.analysis.breakeven import breakeven
from energy_model.analysis.frontier import frontier, frontier_sentence
from energy_model.analysis.target_test import run_target_test
from energy_model.api import open_study
from energy_model.engine.study import Study

PROJECT = Path(__file__).resolve().parent.parent


def timed(study: Study, label: str, work: object) -> dict[str, object]:
    """Run ``work()`` and return its wall time and the solves it made."""
    solves0, t0 = study.timings.solves, time.perf_counter()
    result = work()  # type: ignore[operator]
    wall = time.perf_counter() - t0
    solves = study.timings.solves - solves0
    return {"analysis": label, "wall_s": wall, "solves": solves,
            "s_per_solve": wall / solves if solves else float("nan"), "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(PROJECT / "scenarios" / "quick_week.yaml"))
    parser.add_argument("--share-target", default="new_energy_share")
    parser.add_argument("--capacity-target", default="wind_capacity")
    parser.add_argument("--param", default="technologies.offshore_wind.capex_cny_per_kw")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--tol", type=float, default=50.0, help="break-even tolerance [parameter unit]")
    args = parser.parse_args()

    t0 = time.perf_counter()
    study = open_study(args.scenario)
    hours = study.inputs.sizes["time"]
    print(f"{Path(args.scenario).name}: {hours:,} h; inputs + build {time.perf_counter() - t0:.1f} s; "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    rows = [
        timed(study, "target test", lambda: run_target_test(study)),
        timed(study, f"frontier ({args.steps} steps)",
              lambda: frontier(study, args.share_target, steps=args.steps)),
        timed(study, "break-even", lambda: breakeven(study, args.param, args.capacity_target, tol=args.tol)),
    ]
    print(f"{'analysis':<22} {'wall [s]':>9} {'solves':>7} {'s/solve':>8}")
    for r in rows:
        print(f"{r['analysis']:<22} {r['wall_s']:>9.1f} {r['solves']:>7} {r['s_per_solve']:>8.1f}")
    print(frontier_sentence(rows[1]["result"]))
    print(rows[2]["result"]["sentence"])


if __name__ == "__main__":
    main()
