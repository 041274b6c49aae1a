"""HiPO time of the plan-year LP per constraint family: which part of the formulation costs the factorisations (not run by pytest).

Usage::

    python benchmarks/bench_formulation.py                       # every variant, plan year (8,760 h)
    python benchmarks/bench_formulation.py --only no_ramps       # the reference always runs first
    python benchmarks/bench_formulation.py scenarios/quick_week.yaml
    python benchmarks/bench_formulation.py --log                 # HiGHS log of each solve
    python benchmarks/bench_formulation.py --only reference --no-split   # without the dense-column split

Builds the scenario's model, then for each variant builds it again, switches
one constraint family off (or fixes a group of columns), compiles and solves
it with HiPO (one core, crossover off) and prints rows, columns, non-zeros,
interior-point iterations, wall and CPU seconds of the solve, CPU seconds per
iteration, the objective and its relative difference from the reference. CPU
seconds are the fair figure on a shared machine: with one HiGHS thread they
do not grow when other processes take the cores, wall seconds do. A variant
that switches a family off changes the optimum; the table says what each
family costs the solver, not what the answer would be without it.

Variants: ``reference``; ``no_commitment`` (online capacity, minimum load,
start-ups); ``no_ramps``; ``no_heat`` (heat balance); ``no_storage_chain``
(state-of-charge balance); ``no_annual_rows`` (annual fuel limits, target
share rows, full-load-hour rows: the rows over every hour); ``no_fuel_hourly``
(hourly fuel send-out bounds); ``no_zero_capacity`` (every column and row
of a technology whose capacity is fixed at zero removed); ``capacity_fixed``
(``build`` and ``build_e`` fixed at the reference's optimum: the same
optimum without capacity columns, an upper bound on what a formulation
without dense capacity columns can gain).

Results, 2026-12-07 (plan year, HiGHS 1.15.1, HiPO, one thread, crossover
off; the 2-core machine was shared with other benchmarks throughout, load
average 5 to 12, so wall seconds are 3 to 5 times the CPU seconds: compare
the CPU columns)::

    variant               rows      cols       nnz  iter   wall s   CPU s  CPU s/it  objective rel. diff
    reference          289,092   245,294   893,256    59    539.1   104.5    1.77    0
    capacity_fixed     289,088   245,281   788,402    41     39.8    13.5    0.33    -1.4e-10
    no_annual_rows     289,086   245,294   805,654    53    166.5    83.5    1.58    -8.2e-03
    no_commitment      166,452   210,254   612,936    38     77.4    40.0    1.05    -4.5e-02
    no_ramps           236,532   245,294   770,616    53    168.0    88.9    1.68    -1.4e-05
    no_zero_capacity   245,292   219,014   788,136    59    133.1   101.8    1.73     0 (same optimum)

(no_heat, no_storage_chain and no_fuel_hourly were not measured: the time
ran out.) Rel. diff is (objective - reference) / reference.

What it shows. Switching a family off changes at most the iterations; only
``no_commitment`` (the commitment rows, 43 % of the rows) and
``capacity_fixed`` cut the time per iteration. The dense annual rows cost
little (1.58 against 1.77 CPU s per iteration) and ramps less; a
technology with capacity fixed at zero is already removed by HiGHS's presolve
(the same iterations and time), so removing it in the model does not pay.
HiPO's log says ``Newton system: AS preferred (NE failed)``:
the normal equations are refused because every expandable technology's
``build`` column has an entry in each hourly row that limits it by capacity
(11 columns of 8,760 to 26,280 entries), so HiPO factorises the augmented
system (6.1e5 rows, 5.6e6 factor entries, 9.4e7 flops per factorisation).
Without those columns (``capacity_fixed``) the same optimum takes 7.7 times
less CPU: 0.33 s per iteration and 41 iterations instead of 1.77 s and 59.

Reformulations tried (same optimum on quick_week to 1e-9; none kept, none
solved the plan year faster):

1. A copy of ``build`` per day in a chain ``c[g,k] = c[g,k-1]``: HiGHS's
   presolve substitutes the copies back (its aggregator and doubleton
   equation rules; the presolved LP is the original one). With those two
   rules off (``presolve_rule_off = 4608``) HiPO takes the normal equations
   (1.04e7 factor entries, 5.9e8 flops), then stalls at a primal
   infeasibility of 2e-7 to 3e-7 from iteration 29 and restarts with IPX
   after 50 iterations.
2. 365 day copies each tied to ``build`` (``build`` has 365 entries): HiPO
   keeps the augmented system (5.75e6 entries, 1.0e8 flops): no gain.
3. Two levels, day copies tied to month copies tied to ``build`` (no column
   over 31 entries): normal equations (1.12e7 entries, 8.4e8 flops), the same
   stall and IPX restart.
4. 3 plus annual totals as running sums over days (energy, fuel supply: no
   row over 26 entries): 1.10e7 entries, 8.3e8 flops, the same stall.
5. 4 with the augmented system forced (``hipo_system = augmented``):
   converges, 57 iterations, 110.5 CPU s, 1.94 CPU s per iteration (factor
   6.15e6 entries, 1.2e8 flops), objective -5.2e-10 from the reference: the
   same optimum, no faster.

On quick_week (336 h) variants 1, 3 and 4 gave 10 to 25 % less CPU per
iteration but more iterations (44 to 54 against 35 to 37). Open: the normal
equations' fill (more flops than the augmented system they replace) and the
stall, which points at the LP's small coefficients (matrix range 2e-7 to
5e3: capacity factors of 2e-7 at dawn; HiGHS warns of excessively small row
bounds) that the normal equations square.

Small coefficients tested, 2026-12-07 (same settings; load average 4 to 7).
The only matrix entries below 1e-3 are capacity factors in ``cf_limit`` rows
(346 entries of ``build``; smallest 2.0e-7, offshore wind, 97 of its hours
below 1e-4; the PV profiles' smallest non-zero values are 7.9e-6 and 9.7e-6),
and the only right-hand sides below 1e-3 are the same rows' ``cf *
existing`` (485, smallest 1.0e-7); costs and bounds have none. Capacity
factors below 1e-4 set to exactly 0 in ``lp_data``: matrix range 1.05e-4 to
5e3, right-hand sides from 2.2e-5 (HiGHS still warns of small row bounds)::

    run                                   iter   wall s   CPU s  CPU s/it  objective           rel. diff
    reference (this commit)                 59    199.7   100.4    1.70    12712.311753729156  0
    reference, factors < 1e-4 -> 0          60    214.4   105.7    1.76    12712.312706493465  +7.5e-08
    reformulation 4, factors < 1e-4 -> 0    66    270.8   186.3    2.82    12712.312655958242  +7.1e-08

The same optimum to 7.5e-8 (and the regression, change-path, LP-family and
invariant tests pass with it) but no faster, 5 % more CPU: HiPO still refuses the normal
equations (``AS preferred (NE failed)``); the dense ``build`` columns decide
that, not the coefficients. Reformulation 4 (month and day copies, running
sums, ``presolve_rule_off = 4608``) with the factors rounded: normal
equations (1.10e7 factor entries, 8.4e8 flops), primal infeasibility down to
5.7e-8 at iteration 34, then back up to 1.8e-7 and stuck there from
iteration 42 (primal objective 12719.01, gap 8.2e-4); HiPO restarts with
IPX after 47 iterations, as without the rounding; IPX converges in 19 more
(66 in all, no crossover), 186.3 CPU s: 1.86 times the reference. The guess
is refuted: the stall does not come from the small capacity factors.
Nothing kept.

Kept, 2026-12-07 (second session): copies tied by inequalities, in the
solver hand-off (``energy_model/engine/dense_columns.py``, on by default,
``solver.split_dense_columns``). In each row where a larger capacity only
loosens the row (``p - cf * build <= cf * existing``, ramps, online
capacity), ``build`` is replaced by a copy ``c`` with ``c - build <= 0``;
the copies' ties are split again into a tree (no column over 100 such
entries). Unlike the equality chains above, the copies are bounded columns,
not free ones, and only the aggregator (``presolve_rule_off = 4096``) must
be off to keep them. HiPO then takes the normal equations without a stall.
Measured on the plan-year LP written to MPS (HiGHS 1.15.1, HiPO, one thread,
crossover off; load average 3 to 5 from other work, so CPU seconds)::

    rows per copy / ties per tree copy   copies   iter   CPU s   objective
    unsplit (augmented system)                0     60    94.4   12712.3118264 (metis 67 it, 121.8 s)
    2 / 16                               55,921     53    73.7   12712.3117523
    4 / 16                               27,955     56    67.4   12712.3117436
    6 / 16                               18,597     52    66.3   12712.3117419
    8 / 16                               13,949     57    62.1   12712.3117595
    12 / 16 (kept)                        9,302     54    58.6   12712.3117443
    12 / 16, HiPO choosing the system     9,302     54    66.5   (also analyses the augmented system: ~6 s)
    16 / 16                               6,982     57    67.5
    24 / 16                               4,650     61    67.7
    24, one level (a column of 1,096 ties left) + normal equations forced: 137.5 CPU s (2.1e10 flops)

The objectives agree to 1e-9 relative (IPM without crossover). So the split
saves about 35 % of the solve (94 -> 59 to 67 CPU s); the hand-off forces
the normal equations when no column over 1,000 entries is left. IPX on the
unsplit LP: 596 CPU s. On the pathway's coupled LP (typical days, capacity
columns of about 1,300 entries) the split was slower (26 against 21 CPU s for
the whole solve_pathway), so it is made only when a column has more than
2,000 such entries.
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
    parser.add_argument("--no-split", action="store_true", help="solve without the dense-column split")
    args = parser.parse_args()
    t0 = time.perf_counter()
    case = load_case(args.scenario)
    data = lp_data(assemble_case(case))
    print(f"{Path(args.scenario).name}: data in {time.perf_counter() - t0:.1f} s "
          f"({data.hours:,} h; {platform.machine()}, Python {platform.python_version()})", flush=True)
    spec = SolverSpec(method="hipo", threads=1, log_to_console=args.log, split_dense_columns=not args.no_split)
    # the reference always runs first: the differences and capacity_fixed need its optimum
    names = ["reference"] + [v for v in (args.only or VARIANTS) if v != "reference"]
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
                j = compiled.column(v)
                REFERENCE_CAPACITY[v.name] = float(sol.x[j]) if j is not None else float(v.value or 0.0)
        diff = (sol.objective - ref) / abs(ref)
        print(f"{name:18s} {compiled.n_rows:8,d} {compiled.n_cols:8,d} {nnz:9,d} {it:5d} {sec:7.1f} {cpu:7.1f} "
              f"{cpu / max(it, 1):6.2f} {sol.objective:16.8f} {diff:9.1e}", flush=True)


if __name__ == "__main__":
    main()
