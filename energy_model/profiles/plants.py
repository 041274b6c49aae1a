"""Plant tables -> validated parameter objects (turbines checked here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.profiles.pv import PVPlant
from energy_model.profiles.turbines import make_turbine
from energy_model.profiles.wind import WindPlant
from energy_model.weather.plant_tables import read_plant_tables


def pv_plant(row: pd.Series) -> PVPlant:
    """PV parameters of one validated table row."""
    return PVPlant(tilt_deg=row["tilt_deg"], azimuth_deg=row["azimuth_deg"], mount=row["mount"],
                   dc_ac_ratio=row["dc_ac_ratio"], inverter_efficiency=row["inverter_efficiency"],
                   losses_pct=row["losses_pct"], gamma_pdc_per_c=row["gamma_pdc_per_c"], albedo=row["albedo"])


def wind_plant(row: pd.Series) -> WindPlant:
    """Farm parameters of one validated table row."""
    return WindPlant(n_turbines=int(row["n_turbines"]), wake_model=row["wake_model"],
                     smoothing=bool(row["smoothing"]), losses_pct=row["losses_pct"])


def turbine(row: pd.Series, file: str = "wind_plants.csv"):
    """windpowerlib turbine of one validated table row (raises InputError naming file and line)."""
    rated = row.get("rated_power_mw")
    rotor = row.get("rotor_diameter_m")
    return make_turbine(row["turbine_type"], row["hub_height_m"],
                        rated_power_mw=None if pd.isna(rated) else float(rated),
                        rotor_diameter_m=None if pd.isna(rotor) else float(rotor),
                        file=file, line=int(row["line"]) if "line" in row else None)


def read_plants(pv_path: str | Path, wind_path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and validate ``inputs/pv_plants.csv`` and ``inputs/wind_plants.csv``.

    Parameters
    ----------
    pv_path, wind_path : str or pathlib.Path
        The two plant tables (columns in :mod:`energy_model.weather.plant_tables`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        PV and wind tables, one row per profile.

    Raises
    ------
    InputError
        Every problem, naming file, line and column; includes unknown,
        banned and super-Betz turbines.
    """
    pv, wind = read_plant_tables(pv_path, wind_path)
    issues: list[InputIssue] = []
    for _, row in wind.iterrows():
        try:
            turbine(row, Path(wind_path).name)
        except InputError as err:
            issues += err.issues
    if issues:
        raise InputError(issues)
    return pv, wind
