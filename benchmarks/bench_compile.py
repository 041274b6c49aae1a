"""Compile seconds of a target test's two LPs: one compile each vs one shared compile (not run by pytest).

Usage::

    python benchmarks/bench_compile.py                            # the plan year (8,760 h): ~10 s
    python benchmarks/bench_compile.py scenarios/quick_week.yaml

Builds the scenario's model once, then compiles the reference case (every
active target reported) and the enforced case (the scenario's modes) twice
over: each on its own (two compiles, the path before the shared compile) and
once with every target row present, each case then being row and column
bounds (:mod:`energy_model.engine.batch`). Nothing is solved.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from energy_model import vocabulary as n
from energy_model.api import open_study
from energy_model.engine.batch import case_view, compile_shared, shared_penalties
from energy_model.engine.highs import compile_model

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(PROJECT / "scenarios" / "plan_year.yaml"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    study = open_study(args.scenario)
    print(f"{Path(args.scenario).name}: built in {time.perf_counter() - t0:.1f} s "
          f"({study.model.lp_data.hours:,} h; {platform.machine()}, Python {platform.python_version()})")
    relax = {f"targets.{k}.mode": n.REPORT for k, mode in study.target_modes().items() if mode != n.REPORT}
    cases = [("reference", relax), ("enforced", {})]

    twice = []
    datas = []
    for _label, changes in cases:
        with study.changed(changes):
            t = time.perf_counter()
            compiled = compile_model(study.model)
            twice.append(time.perf_counter() - t)
            datas.append(study.model.lp_data)
            rows = compiled.n_rows
    penalties = shared_penalties(datas, ["update"] * len(datas))
    assert penalties is not None, "the two cases should differ only in target modes"
    t = time.perf_counter()
    shared = compile_shared(study.model, penalties)
    views = [case_view(shared, study.model, dict(d.target_mode)) for d in datas]
    once = time.perf_counter() - t
    print(f"compile each case: {' + '.join(f'{s:.2f}' for s in twice)} = {sum(twice):.2f} s ({rows:,} rows enforced)")
    print(f"compile once:      {once:.2f} s for {len(views)} cases ({shared.n_rows:,} rows, "
          f"{sum(len(v.bounds.rows) + len(v.bounds.cols) for v in views if v.bounds)} bounds set)")
    print(f"saved:             {sum(twice) - once:.2f} s")


if __name__ == "__main__":
    main()
