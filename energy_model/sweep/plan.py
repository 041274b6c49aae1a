"""Dry run of a sweep file: check it in full and write its variant table (plan.csv) without solving.

``python run.py sweep SWEEP.yaml --plan`` checks everything ``validate``
checks (the sweep file, its scenario, every variant's values) and writes
``<out>/<sweep name>/plan.csv``: one row per variant in the order the sweep
solves them, with its id (the name of its record in ``variants/``), its
position (``sample``; ``oat_parameter`` and ``oat_side`` for oat) and every
swept value (``param.<path>``, user units). The folder is a sweep folder of
this tool (the same lock and ownership checks as a sweep, the file written
atomically), so a later sweep run of the same file resumes into it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energy_model.io.paths import results_dir
from energy_model.output.run_folder import (
    MANIFEST,
    SWEEP,
    check_writable,
    folder_kind,
    run_lock,
    write_atomic,
    write_csv,
    write_json,
)
from energy_model.sweep import records
from energy_model.sweep.run import PreparedSweep, prepare_sweep

#: The plan's file name in the sweep folder.
PLAN_CSV = "plan.csv"


def plan_table(prep: PreparedSweep) -> pd.DataFrame:
    """The variants of a prepared sweep: index ``variant`` (id), labels, then ``param.<path>`` per parameter."""
    rows = [{"variant": vid, **lab, **{f"param.{p}": v for p, v in changes.items()}}
            for (vid, changes), lab in zip(prep.keyed, prep.expansion.labels)]
    return pd.DataFrame(rows).set_index("variant")


def plan_sweep(path: str | Path, out: str | Path | None = None) -> tuple[pd.DataFrame, Path]:
    """Check a sweep file and write its plan, solving nothing.

    Parameters
    ----------
    path : str or pathlib.Path
        Sweep YAML file.
    out : str or pathlib.Path, optional
        Parent of the sweep folder (default ``results/`` of the project).

    Returns
    -------
    (pandas.DataFrame, pathlib.Path)
        The plan (:func:`plan_table`) and the file written.

    Raises
    ------
    InputError
        Every problem of the sweep file, its scenario or its values (nothing is written).
    OutputError
        The folder is not a sweep folder of this tool, or the file cannot be written.
    """
    prep = prepare_sweep(path)
    table = plan_table(prep)
    out_dir = results_dir(prep.scenario, out)
    check_writable(out_dir)
    folder = out_dir / prep.spec.name
    with run_lock(out_dir, prep.spec.name, SWEEP):  # refuses a folder at that name that is not a sweep of this tool
        folder.mkdir(exist_ok=True)
        if folder_kind(folder) != SWEEP:  # a new folder: marked as a sweep of this tool, nothing solved yet
            doc = records.manifest(prep.spec.name, "planned", len(table), {})
            write_atomic(folder / MANIFEST, lambda p: write_json(doc, p))
        write_atomic(folder / PLAN_CSV, lambda p: write_csv(table, p))
    return table, folder / PLAN_CSV
