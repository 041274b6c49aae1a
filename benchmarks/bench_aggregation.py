"""Aggregated against full horizon: speed-up and error of every aggregation asked for (default: the plan year).

For one scenario it solves the enforced case on the full horizon once, then
under each aggregation, and prints per aggregation: LP steps, seconds for
aggregation + assembly + build + solve + extract + checks (the part of a
run that aggregation changes; reading weather and profiles is the same for
both and printed once), speed-up, objective error, the largest capacity
error (relative to max(full capacity, 1 % of peak demand)) and its
technology, storage energy error, new-energy share and target shadow
prices. ``--json FILE`` also writes every comparison.

Usage::

    python benchmarks/bench_aggregation.py [scenario.yaml] [--configs typical_days:16:peak_demand+min_wind_day ...]

Each config is ``method:periods[:extreme+extreme][:nolink]``. Not run by pytest;
figures depend on the machine (note its cores and load).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CONFIGS = [
    "typical_days:8:peak_demand+min_wind_day",
    "typical_days:16:peak_demand+min_wind_day",
    "typical_days:32:peak_demand+min_wind_day",
    "typical_days:48:peak_demand+min_wind_day",
    "segments:500",
    "segments:1000",
]


def parse(config: str) -> dict[str, Any]:
    """``method:periods[:extremes][:nolink]`` -> change path values."""
    parts = config.split(":")
    out: dict[str, Any] = {"aggregation.method": parts[0], "aggregation.periods": int(parts[1])}
    for extra in parts[2:]:
        if extra == "nolink":
            out["aggregation.link_storage"] = False
        elif extra:
            out["aggregation.extremes"] = extra.split("+")
    return out


def solve(case: Any) -> tuple[Any, Any, float, str]:
    from energy_model.engine.study import Study
    from energy_model.inputs.aggregate import time_structure

    t0 = time.perf_counter()
    time_structure(case)
    study = Study(case)
    res = study.solve("bench")
    return res, study.inputs, time.perf_counter() - t0, str(study.timings.log[-1].get("method", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "plan_year.yaml"))
    parser.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS)
    parser.add_argument("--json", default=None, help="write every comparison to this file")
    args = parser.parse_args()

    from energy_model.analysis.aggregation_check import compare_to_full
    from energy_model.inputs.load import load_case
    from energy_model.io.changes import apply_changes

    print(f"machine: {os.cpu_count()} logical cores; load average {os.getloadavg()[0]:.2f}")
    t0 = time.perf_counter()
    base = load_case(args.scenario)
    base = apply_changes(base, {"aggregation.method": "none"})
    print(f"{Path(args.scenario).name}: {base.hours} h; reading inputs, weather, profiles {time.perf_counter() - t0:.1f} s")
    full, full_inputs, t_full, method = solve(base)
    print(f"full horizon: {t_full:.1f} s ({method}), objective {full.attrs['objective_cny_per_yr'] / 1e9:.4f} bn CNY/yr")
    rows = []
    head = (f"{'aggregation':42s} {'steps':>6s} {'time s':>7s} {'speed-up':>8s} {'objective':>9s} "
            f"{'max cap err':>11s} {'(tech)':18s} {'storage E':>9s} {'share':>13s} shadow prices (agg | full)")
    print(head)
    for config in args.configs:
        case = apply_changes(base, parse(config))
        res, inputs, t_agg, _ = solve(case)
        cmp = compare_to_full(res, inputs, full, full_inputs)
        cmp.update({"config": config, "steps": int(inputs.sizes["time"]), "seconds": t_agg,
                    "full_seconds": t_full, "speed_up": t_full / t_agg})
        rows.append(cmp)
        storage = [v["relative_error"] for v in cmp["energy_capacity_mwh"].values()]
        prices = "; ".join(f"{k} {v['shadow_price_aggregated']:.1f} | {v['shadow_price_full']:.1f}"
                           for k, v in cmp["targets"].items())
        share = cmp["new_energy_share"]
        print(f"{config:42s} {cmp['steps']:6d} {t_agg:7.1f} {t_full / t_agg:7.1f}x "
              f"{cmp['objective']['relative_error']:+9.2%} {cmp['max_capacity_error']['relative_error']:+11.1%} "
              f"{cmp['max_capacity_error']['technology']:18s} "
              f"{(max(storage, key=abs) if storage else 0.0):+9.1%} "
              f"{share['aggregated']:6.1%}|{share['full']:6.1%} {prices}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
