"""What sweep.html costs for sweeps of different sizes: time and size of the page (not run by pytest).

Usage::

    python benchmarks/bench_sweep_report.py                 # 10x10 grid, 20-parameter oat, 1,000 and 10,000 lhs samples
    python benchmarks/bench_sweep_report.py --repeat 3      # best of 3

The sweep tables are synthetic (made here, no solve): objective, capacities
of 14 technologies and the shadow prices of two targets per variant, with
2 % of the variants failed. Wall and CPU seconds of
:func:`energy_model.output.sweep_report.sweep_report_html` (both languages,
every chart) and the page's size are printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from energy_model.output.sweep_report import sweep_report_html

TECHS = [f"tech_{i}" for i in range(14)]


def _table(params: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    n = len(next(iter(params.values())))
    table = pd.DataFrame({f"param.{p}": v for p, v in params.items()},
                         index=pd.Index([f"{i:016x}" for i in range(n)], name="variant"))
    unit = np.column_stack([(v - v.min()) / (np.ptp(v) or 1.0) for v in params.values()])
    weights = np.linspace(1.0, 0.1, unit.shape[1])
    table["objective_cny_per_yr"] = 1.5e10 + 2e9 * (unit * weights).sum(axis=1) + rng.normal(0, 2e7, n)
    for t in TECHS:
        table[f"capacity_mw.{t}"] = rng.uniform(0, 5000, n)
    table["target_shadow_price.wind_capacity"] = np.maximum(0.0, rng.normal(50, 80, n))
    table["target_shadow_price.new_energy_share"] = np.maximum(0.0, rng.normal(20, 60, n))
    table["target_value.new_energy_share"] = 0.25
    table["co2_t_per_yr"] = rng.uniform(2e7, 3e7, n)
    table["solve_s"] = rng.uniform(40, 80, n)
    table["status"] = np.where(rng.uniform(size=n) < 0.02, "infeasible", "optimal")
    table["message"] = np.where(table["status"] == "optimal", "", "the targets cannot all be met")
    table.loc[table["status"] != "optimal", "objective_cny_per_yr"] = np.nan
    return table


def cases(rng: np.random.Generator) -> dict[str, tuple[pd.DataFrame, dict]]:
    kinds = {"wind_capacity": "min_capacity", "new_energy_share": "min_share"}
    a, b = np.meshgrid(np.linspace(6000, 14000, 10), np.linspace(2000, 7000, 10), indexing="ij")
    grid = _table({"technologies.offshore_wind.capex_cny_per_kw": a.ravel(),
                   "fuels.lng.price_cny_per_unit": b.ravel()}, rng)
    out = {"grid 10x10": (grid, {"name": "grid", "scenario": "plan_year", "mode": "grid",
                                 "parameters": list(p.removeprefix("param.") for p in grid.columns[:2]),
                                 "target_kinds": kinds})}
    names = [f"technologies.t{i}.capex_cny_per_kw" for i in range(20)]
    base = {p: 10_000.0 for p in names}
    rows = [{"oat_parameter": "", "oat_side": "base", **base}]
    for p in names:
        rows += [{"oat_parameter": p, "oat_side": "low", **base, p: 8000.0},
                 {"oat_parameter": p, "oat_side": "high", **base, p: 12_000.0}]
    frame = pd.DataFrame(rows)
    oat = _table({p: frame[p].to_numpy() for p in names}, rng)
    oat["oat_parameter"], oat["oat_side"] = frame["oat_parameter"].to_numpy(), frame["oat_side"].to_numpy()
    out["oat 20 parameters"] = (oat, {"name": "oat", "scenario": "plan_year", "mode": "oat", "parameters": names,
                                      "base": base, "target_kinds": kinds})
    for n in (1_000, 10_000):
        params = {f"technologies.t{i}.capex_cny_per_kw": rng.uniform(6000, 14000, n) for i in range(6)}
        out[f"lhs {n:,}"] = (_table(params, rng), {"name": "lhs", "scenario": "plan_year", "mode": "lhs",
                                                   "parameters": list(params), "target_kinds": kinds})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} (other work slows the figures)")
    rng = np.random.default_rng(1)
    for name, (table, meta) in cases(rng).items():
        best_wall = best_cpu = float("inf")
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            html = sweep_report_html(table, meta)
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        print(f"{name:>20}: {len(table):>6,} variants  {best_wall:5.2f} s wall  {best_cpu:5.2f} s CPU  "
              f"{len(html.encode()) / 1e6:5.2f} MB")


if __name__ == "__main__":
    main()
