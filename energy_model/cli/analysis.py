"""Sub-commands ``frontier`` and ``breakeven``: argument parsing and printing only.

Registered into :mod:`energy_model.cli.main` by :func:`register`; the work is done
by :func:`energy_model.api.run_frontier` and :func:`energy_model.api.run_breakeven`.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pandas is imported by the commands that run, not by --help
    import pandas as pd

#: Default number of equal steps up to the maximum: reference + maximum LP + 4 levels = 6 solves.
DEFAULT_STEPS = 4


def register(sub: Any, commands: dict[str, Callable[[argparse.Namespace, Any], int]]) -> None:
    """Add the ``frontier`` and ``breakeven`` sub-parsers and their command functions."""
    p = sub.add_parser("frontier", help="least-cost curve of total cost against one target's level",
                       description="Solve the scenario's model at a series of levels of one target (default: from "
                                   "the level reached without it up to the maximum achievable, in equal steps) and "
                                   "print the cost, the marginal cost of each step and the target's shadow price. "
                                   "Writes frontier_<target>.csv into the scenario's run folder.")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--target", required=True, help="target name, e.g. new_energy_share")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help=f"equal steps up to the maximum achievable level (default {DEFAULT_STEPS}: 6 solves)")
    g.add_argument("--levels", type=float, nargs="+", default=None,
                   help="explicit levels (fractions for a share: 0.25 0.3; MW; t/yr)")
    p.add_argument("--others", choices=["scenario", "report"], default="scenario",
                   help="other targets as in the scenario (default) or only reported")
    p.add_argument("--out", type=Path, default=None, help="parent folder of run folders (default: results/)")
    commands["frontier"] = cmd_frontier

    p = sub.add_parser("breakeven", help="value of a cost parameter at which a target stops binding",
                       description="Bisection (with secant steps) on the built model for the value of a cost "
                                   "parameter at which the target's shadow price reaches zero. Writes "
                                   "breakeven_<parameter>_<target>.json into the scenario's run folder.")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--param", required=True,
                   help="parameter path, e.g. technologies.offshore_wind.capex_cny_per_kw, "
                        "fuels.lng.price_cny_per_unit, economics.carbon_price_cny_per_t")
    p.add_argument("--target", required=True, help="target name, e.g. wind_capacity")
    p.add_argument("--lo", type=float, default=None, help="lower end of the search (default 0)")
    p.add_argument("--hi", type=float, default=None, help="upper end of the search (default 10 x current)")
    p.add_argument("--tol", type=float, default=None, help="tolerance in the parameter's unit "
                                                            "(default 0.1 %% of the current value)")
    p.add_argument("--out", type=Path, default=None, help="parent folder of run folders (default: results/)")
    commands["breakeven"] = cmd_breakeven


def _num(x: float, scale: float = 1.0, spec: str = ",.1f") -> str:
    return "n/a" if x is None or not math.isfinite(float(x)) else format(float(x) / scale, spec)


def print_frontier(table: pd.DataFrame, sentence: str, out: TextIO | None = None) -> None:
    """Print a frontier table with the sentence on its marginal cost."""
    out = out or sys.stdout  # looked up at call time: the default must follow redirection
    kind = table.attrs.get("kind", "min_share")
    p = lambda *a: print(*a, file=out)  # noqa: E731
    lvl = (lambda x: f"{x:.2%}") if kind == "min_share" else (lambda x: f"{x:,.0f}")
    munit = {"min_share": "M CNY/yr per point", "min_capacity": "M CNY/yr per MW",
             "max_emissions": "CNY/yr per t"}.get(kind, "")
    mscale = 1.0 if kind == "max_emissions" else 1e6
    p("")
    p(f"== Frontier of {table.attrs.get('label') or table.attrs.get('target')} ==")
    p(f"{'level':>10} {'achieved':>10} {'total cost [bn CNY/yr]':>23} {'increase [M CNY/yr]':>20} "
      f"{'marginal [' + munit + ']':>28} {'shadow price':>22} {'status':>11}")
    for _, r in table.iterrows():
        price = f"{_num(r['shadow_price'], 1.0, ',.2f')} {r['shadow_price_unit']}"
        achieved = lvl(r["value"]) if math.isfinite(r["value"]) else "n/a"
        p(f"{lvl(r['level']):>10} {achieved:>10} {_num(r['total_cost_cny_per_yr'], 1e9, ',.4f'):>23} "
          f"{_num(r['cost_increase_cny_per_yr'], 1e6, ',.2f'):>20} {_num(r['marginal_cost'], mscale, ',.3f'):>28} "
          f"{price:>22} {r['case'] if r['status'] == 'optimal' else 'infeasible':>11}")
    p("")
    p(sentence)


def cmd_frontier(args: argparse.Namespace, progress: Any) -> int:
    """``run.py frontier``: print the table and add frontier_<target>.csv to the run folder."""
    from energy_model.api import run_frontier

    outcome = run_frontier(Path(args.scenario), args.target, levels=args.levels, steps=args.steps,
                           others=args.others, out=args.out, progress=progress)
    import pandas as pd

    assert isinstance(outcome.result, pd.DataFrame)
    print_frontier(outcome.result, outcome.sentence)
    if outcome.note:
        print(f"Note: {outcome.note}")
    print(f"Results: {outcome.path}")
    return 0


def cmd_breakeven(args: argparse.Namespace, progress: Any) -> int:
    """``run.py breakeven``: print the finding and add breakeven_<parameter>_<target>.json to the run folder."""
    from energy_model.api import run_breakeven

    outcome = run_breakeven(Path(args.scenario), args.param, args.target, lo=args.lo, hi=args.hi, tol=args.tol,
                            out=args.out, progress=progress)
    found = outcome.result
    assert isinstance(found, dict)
    print("")
    print(f"== Break-even of {found['parameter_label']} for {found['target_label']} ==")
    print(f"Status: {found['status'].replace('_', ' ')} after {found['iterations']} solve(s)")
    for v, d in found["evaluations"]:
        print(f"  {found['parameter']} = {v:>14,.4f} {found['unit']:<10} shadow price {d:>12,.4f} "
              f"{found['shadow_price_unit']}")
    print(outcome.sentence)
    if outcome.note:
        print(f"Note: {outcome.note}")
    print(f"Results: {outcome.path}")
    return 0
