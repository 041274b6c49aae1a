"""Which inputs differ between runs: read from each run folder's ``assumptions.csv`` (and the hook in summary.json).

The inputs of a run are the rows of its ``assumptions.csv`` in the sections
``scenario``, ``weather``, ``horizon`` and ``inputs`` and the solver settings
(not what the solver reported: method used, residuals, version), plus the
code-only hook ``extra_rows`` named in ``summary.json``. A scenario override
(``overrides.technologies.<id>.<column>``) and the input-table row it changes
(``technologies.<id>.<column>``) are one input: the override's key stands for
both, so a run without the override shows the table value it used. Inputs
are listed in the order they first appear in the runs' assumptions
(baseline first); identical ones are counted, not listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

#: Sections of ``assumptions.csv`` that hold inputs.
INPUT_SECTIONS = ("scenario", "weather", "horizon", "inputs", "solver")
#: Solver rows that are settings (the others are what the solver reported).
SOLVER_SETTINGS = frozenset({"solver.method", "solver.crossover", "solver.primal_feasibility_tolerance",
                             "solver.dual_feasibility_tolerance", "solver.ipm_optimality_tolerance",
                             "solver.time_limit_s"})
#: Key of the code-only hook (``extra_rows=`` of the Python API).
HOOK_KEY = "extra_rows"


@dataclass(frozen=True)
class InputValue:
    """One input of one run: its value (text as written in assumptions.csv) and unit."""

    value: str
    unit: str
    note: str = ""


@dataclass(frozen=True)
class InputDifference:
    """An input that differs: its key and each run's value (None: the run has no such input)."""

    key: str
    values: tuple[InputValue | None, ...]


def read_inputs(folder: Path, summary: dict[str, Any]) -> dict[str, InputValue]:
    """The inputs of one run folder, keyed as in ``assumptions.csv`` (overrides without ``overrides.``), in order.

    Parameters
    ----------
    folder : pathlib.Path
        A run folder holding ``assumptions.csv``.
    summary : dict
        Its ``summary.json`` (for the hook).
    """
    frame = pd.read_csv(folder / "assumptions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out: dict[str, InputValue] = {}
    for row in frame.itertuples(index=False):
        section, key = str(row.section), str(row.key)
        if section not in INPUT_SECTIONS or (section == "solver" and key not in SOLVER_SETTINGS):
            continue
        key = key.removeprefix("overrides.")
        if key in out:  # the table row an override changed: the override stands for it
            continue
        note = str(row.note) if key.startswith("targets.") else ""  # a target's kind and mode
        out[key] = InputValue(str(row.value), str(row.unit), note)
    hook = summary.get(HOOK_KEY)
    out[HOOK_KEY] = InputValue(f"{hook['module']}.{hook['name']}" if isinstance(hook, dict) else "none", "")
    return out


def _same(a: InputValue | None, b: InputValue | None) -> bool:
    if a is None or b is None:
        return a is b
    if a.note != b.note:
        return False
    try:
        x, y = float(a.value), float(b.value)
    except ValueError:
        return a.value == b.value
    return x == y or (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-12, abs_tol=0.0)


def differences(per_run: list[dict[str, InputValue]]) -> tuple[list[InputDifference], int]:
    """Inputs that differ between runs (in order of first appearance) and how many are equal.

    Parameters
    ----------
    per_run : list of dict
        :func:`read_inputs` of each run, the baseline first.

    Returns
    -------
    differing : list of InputDifference
    equal : int
        Number of inputs every run has with the same value.
    """
    keys: list[str] = []
    seen: set[str] = set()
    for inputs in per_run:
        for key in inputs:
            if key not in seen:
                seen.add(key)
                keys.append(key)
    differing, equal = [], 0
    for key in keys:
        values = tuple(inputs.get(key) for inputs in per_run)
        if all(_same(values[0], v) for v in values[1:]):
            equal += 1
        else:
            differing.append(InputDifference(key, values))
    return differing, equal


def as_number(value: str) -> float | None:
    """The number an assumption's value holds (None for text and non-finite values)."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
