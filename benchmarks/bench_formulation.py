"""HiPO time of the plan-year LP per constraint family: which part of the formulation costs the factorisations (not run by pytest).

Usage::

    python benchmarks/bench_formulation.py                       # every variant, plan year (8,760 h)
    python benchmarks/bench_formulation.py --only reference no_ramps
    python benchmarks/bench_formulation.py scenarios/quick_week.yaml
    python benchmarks/bench_formulation.py --log                 # HiGHS log of each solve

Builds the scenario's model, then for each variant builds it again, switches
one constraint family off (or fixes a group of columns), compiles and solves
it with HiPO (one core, crossover off) and prints rows, columns, non-zeros,
interior-point iterations, wall and CPU seconds of the solve, CPU seconds per
iteration, the objective and its relative difference from the reference. CPU
seconds are the fair figure on a shared machine: with one HiGHS thread they
do not grow when other processes take the cores, wall seconds do. A variant that switches a family
off changes the optimum; the table says what each family costs the solver,
not what the answer would be without it.

Variants: ``reference``; ``no_commitment`` (online capacity, minimum load,
start-ups); ``no_ramps``; ``no_heat`` (heat balance); ``no_storage_chain``
(state-of-charge balance); ``no_annual_rows`` (annual fuel limits, target
share rows, full-load-hour rows: the rows over every hour); ``no_fuel_hourly``
(hourly fuel send-out bounds); ``no_zero_capacity`` (every column and row
of a technology whose capacity is fixed at zero removed); ``capacity_fixed``
(``build`` and ``build_e`` fixed at the reference's optimum: the same
optimum without capacity columns, an upper bound on what a formulation
without dense capacity columns can gain).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import pyomo.environ as pyo

from energy_model.engine.highs import compile_model, run_highs
from energy_model.inputs.assemble import assemble_case
from energy_model.inputs.load import load_case
from energy_model.inputs.lp_units import lp_data
from energy_model.io.schema import SolverSpec
from energy_model.model import build_model

PROJECT = Path(__file__).resolve().parent.parent


def _off(*names: str) -> Callable[[pyo.ConcreteModel], None]:
    def change(m: pyo.ConcreteModel) -> None:
        for name in names:
            comp = getattr(m, name, None)
            if comp is not None:
                comp.deactivate()
    return change


def _annual_off(m: pyo.ConcreteModel) -> None:
    for name in ("annual_supply", "flh_min", "flh_max"):
        getattr(m, name).deactivate()
    for k in m.K:
        if m.lp_data.target_kind[k] not in ("min_capacity", "reserve_margin"):
            m.target_row[k].deactivate()


def _fuel_hourly_off(m: pyo.ConcreteModel) -> None:
    for v in m.x.values():
        v.setub(None)


def _zero_capacity_off(m: pyo.ConcreteModel) -> None:
    """Fix every column of a technology whose capacity is fixed at zero (no columns left for it)."""
    data = m.lp_data
    zero = [g for g in data.techs if data.cap_hi[g] <= 0 and data.cap_existing[g] <= 0]
    for var in (m.p, m.u, m.su):
        for (g, _t), v in var.items():
            if g in zero:
                v.fix(0.0)
    for con in (m.max_load, m.min_load, m.startup, m.ramp_up, m.ramp_down, m.online_limit, m.cap_limit):
        for (g, _t), c in con.items():
            if g in zero:
                c.deactivate()


REFERENCE_CAPACITY: dict[str, float] = {}


def _capacity_fixed(m: pyo.ConcreteModel) -> None:
    """Fix ``build`` and ``build_e`` at the reference optimum: no dense capacity columns (same optimum)."""
    for v in list(m.build.values()) + list(m.build_e.values()):
        v.fix(REFERENCE_CAPACITY[v.name])


VARIANTS: dict[str, Callable[[pyo.ConcreteModel], None]] = {
    "reference": lambda m: None,
    "no_commitment": _off("online_limit", "max_load", "min_load", "startup"),
    "no_ramps": _off("ramp_up", "ramp_down"),
    "no_heat": _off("heat_balance"),
    "no_storage_chain": _off("soc_balance"),
    "no_annual_rows": _annual_off,
    "no_fuel_hourly": _fuel_hourly_off,
    "no_zero_capacity": _zero_capacity_off,
    "capacity_fixed": _capacity_fixed,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(PROJECT / "scenarios" / "plan_year.yaml"))
    parser.add_argument("--only", nargs="*", default=None, help="variants to run (default: all)")
    parser.add_argument("--log", action="store_true", help="print HiGHS's log")
    args = parser.parse_args()
    t0 = time.perf_counter()
    case = load_case(args.scenario)
    data = lp_data(assemble_case(case))
    print(f"{Path(args.scenario).name}: data in {time.perf_counter() - t0:.1f} s "
          f"({data.hours:,} h; {platform.machine()}, Python {platform.python_version()})", flush=True)
    spec = SolverSpec(method="hipo", threads=1, log_to_console=args.log)
    names = args.only or list(VARIANTS)
    ref = None
    print(f"{'variant':18s} {'rows':>8s} {'cols':>8s} {'nnz':>9s} {'iter':>5s} {'wall s':>7s} {'cpu s':>7s} {'cpu/it':>6s} "
          f"{'objective':>16s} {'rel.diff':>9s}", flush=True)
    for name in names:
        m = build_model(data)
        VARIANTS[name](m)
        compiled = compile_model(m)
        nnz = len(compiled.lp.a_matrix_.value_)
        cpu0 = time.process_time()
        sol = run_highs(compiled, spec, hours=data.hours)
        cpu = time.process_time() - cpu0
        it = sol.info["ipm_iterations"]
        sec = sol.info["solve_seconds"]
        if ref is None:
            ref = sol.objective
            for v in list(m.build.values()) + list(m.build_e.values()):
                j = compiled.col_index.get(id(v))
                REFERENCE_CAPACITY[v.name] = float(sol.x[j]) if j is not None else float(v.value or 0.0)
        diff = (sol.objective - ref) / abs(ref)
        print(f"{name:18s} {compiled.n_rows:8,d} {compiled.n_cols:8,d} {nnz:9,d} {it:5d} {sec:7.1f} {cpu:7.1f} "
              f"{cpu / max(it, 1):6.2f} {sol.objective:16.8f} {diff:9.1e}", flush=True)


if __name__ == "__main__":
    main()
