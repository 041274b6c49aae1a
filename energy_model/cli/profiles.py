"""Print the capacity-factor calibration table (``python run.py profiles``).

Runnable on its own: ``python -m energy_model.cli.profiles [--years 2020 2021] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import pandas as pd
import xarray as xr

from energy_model.profiles import default_profiles, read_plants
from energy_model.profiles.default import DEFAULT_INPUTS_DIR

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def calibration_table(cf: xr.DataArray, targets: dict[str, float]) -> pd.DataFrame:
    """Full-load hours per profile against the published targets.

    Parameters
    ----------
    cf : xarray.DataArray
        Capacity factors (profile, time).
    targets : dict of str to float
        Published full-load hours per profile [h/yr].

    Returns
    -------
    pandas.DataFrame
        Index profile; columns ``capacity_factor`` [-], ``full_load_hours`` [h/yr]
        (mean CF x 8,760), ``target_h`` [h/yr], ``deviation_pct`` [%].
    """
    mean = cf.mean("time").to_pandas()
    table = pd.DataFrame({"capacity_factor": mean, "full_load_hours": mean * 8760.0})
    table["target_h"] = pd.Series(targets).reindex(table.index)
    table["deviation_pct"] = 100.0 * (table["full_load_hours"] / table["target_h"] - 1.0)
    return table


def monthly_table(cf: xr.DataArray) -> pd.DataFrame:
    """Mean capacity factor per calendar month [-] (rows profile, columns Jan..Dec)."""
    m = cf.groupby("time.month").mean().to_pandas()
    m.columns = [MONTHS[i - 1] for i in m.columns]
    return m


def print_calibration_table(years: list[int] | None = None, seed: int = 1, inputs_dir: Path | None = None,
                            file: TextIO | None = None) -> pd.DataFrame:
    """Print full-load hours vs published targets and monthly capacity factors.

    Parameters
    ----------
    years : list of int, optional
        Synthetic weather years (default ``[2020]``, the calibrated typical year).
    seed : int, default 1
        Synthetic-weather seed.
    inputs_dir : pathlib.Path, optional
        Inputs folder (default: the project's ``inputs/``).
    file : text stream, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    pandas.DataFrame
        The calibration table (see :func:`calibration_table`).
    """
    out = file or sys.stdout
    base = Path(inputs_dir) if inputs_dir is not None else DEFAULT_INPUTS_DIR
    pv, wind = read_plants(base / "pv_plants.csv", base / "wind_plants.csv")
    targets = dict(zip(pd.concat([pv, wind])["profile"], pd.concat([pv, wind])["reference_full_load_hours"]))
    cf = default_profiles(years=years, seed=seed, inputs_dir=base)
    n_years = cf.sizes["time"] / 8760.0
    table = calibration_table(cf, targets)
    print(f"Capacity-factor calibration: synthetic Yancheng weather, years {years or [2020]}, seed {seed} "
          f"({n_years:g} x 8,760 h; full-load hours per year)", file=out)
    print(f"{'technology':<15}{'CF':>7}{'FLH h':>9}{'target h':>10}{'dev %':>8}", file=out)
    for name, r in table.iterrows():
        print(f"{name:<15}{r.capacity_factor:>7.3f}{r.full_load_hours:>9.0f}{r.target_h:>10.0f}"
              f"{r.deviation_pct:>+8.1f}", file=out)
    print("\nMonthly mean capacity factor", file=out)
    m = monthly_table(cf)
    print(f"{'technology':<15}" + "".join(f"{c:>6}" for c in m.columns), file=out)
    for name, r in m.iterrows():
        print(f"{name:<15}" + "".join(f"{v:>6.3f}" for v in r), file=out)
    return table


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: parse ``--years`` and ``--seed`` and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=None, help="calendar years (default 2020)")
    parser.add_argument("--seed", type=int, default=1, help="synthetic weather seed")
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    print_calibration_table(years=args.years, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
