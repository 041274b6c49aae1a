"""Sub-command ``compare``: argument parsing and printing only (the work is in :mod:`energy_model.output.compare`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def register(sub: Any, commands: dict[str, Callable[[argparse.Namespace, Any], int]]) -> None:
    """Add the ``compare`` sub-parser and its command function."""
    p = sub.add_parser("compare", help="compare run folders side by side (compare.html, compare.xlsx)",
                       description="Compare two or more run folders written by `run.py run`: first the inputs that differ "
                                   "(each run's value and unit; equal inputs are counted), then targets, costs, "
                                   "capacities, generation, emissions and fuel use side by side, with differences "
                                   "to the first (the baseline), in Chinese and English. Pathway runs are compared "
                                   "period by period (present value, what the targets cost, each period's cost, "
                                   "capacity, new build, CO2, trade and shadow prices); a pathway run and a plain "
                                   "run are not compared. Folders that are not run folders of this tool are refused "
                                   "(exit code 2).")
    p.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folders, e.g. results/plan_year")
    p.add_argument("--out", type=Path, default=None,
                   help="folder to write compare.html and compare.xlsx into, outside run folders; an existing "
                        "one must be empty or hold an earlier comparison, anything else is refused (exit code 2) "
                        "(default: compare_<runs> next to the first run folder)")
    commands["compare"] = cmd_compare


def cmd_compare(args: argparse.Namespace, progress: Any) -> int:
    """``run.py compare``: write the comparison and say where it is."""
    from energy_model.output.compare import compare_runs

    progress(f"comparing {len(args.runs)} run folders")
    folder = compare_runs(list(args.runs), args.out, say=print)
    print(f"Comparison: {folder / 'compare.html'}")
    print(f"Workbook:   {folder / 'compare.xlsx'}")
    return 0
