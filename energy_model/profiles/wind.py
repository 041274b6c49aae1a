"""Wind-farm capacity factors with windpowerlib (pure: no file I/O).

Capacity factor = farm AC output / farm rated power [-] (per MW of rated
turbine capacity, as the capacity plan counts wind).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from windpowerlib import TurbineClusterModelChain, WindFarm, WindTurbine

#: Wake-loss models accepted in ``inputs/wind_plants.csv`` (windpowerlib's shipped curves).
WAKE_MODELS = ("dena_mean", "knorr_mean", "dena_extreme1", "dena_extreme2", "knorr_extreme1",
               "knorr_extreme2", "knorr_extreme3", "none")


@dataclass(frozen=True)
class WindPlant:
    """Farm parameters (one row of ``inputs/wind_plants.csv`` minus the turbine).

    Attributes
    ----------
    n_turbines : int
        Number of turbines [-].
    wake_model : str
        windpowerlib wind-efficiency curve (:data:`WAKE_MODELS`), ``"none"`` for no wakes.
    smoothing : bool
        Smooth the farm power curve for spatial wind-speed spread (Staffell-Pfenninger).
    losses_pct : float
        Further losses (availability, electrical) [%].
    """

    n_turbines: int = 20
    wake_model: str = "dena_mean"
    smoothing: bool = True
    losses_pct: float = 5.5


def windpowerlib_weather(weather: pd.DataFrame, altitude: float = 0.0) -> pd.DataFrame:
    """Convert a canonical frame to windpowerlib's MultiIndex weather frame.

    Parameters
    ----------
    weather : pandas.DataFrame
        Canonical weather (``wind_speed_10``/``wind_speed_100`` [m/s],
        ``temp_air`` [degC], ``pressure`` [Pa], ``roughness_length`` [m]).
    altitude : float, default 0
        Site altitude [m], for the barometric pressure when ``pressure`` is all-NaN.

    Returns
    -------
    pandas.DataFrame
        Columns ``(variable_name, height)``: wind_speed at the heights present
        [m/s], temperature at 2 m [K], pressure at 0 m [Pa], roughness_length [m].
    """
    cols: dict[tuple[str, float], np.ndarray] = {}
    for height, col in ((10, "wind_speed_10"), (100, "wind_speed_100")):
        if weather[col].notna().all():
            cols[("wind_speed", height)] = weather[col].to_numpy(float)
    cols[("temperature", 2)] = weather["temp_air"].to_numpy(float) + 273.15
    if weather["pressure"].notna().all():
        cols[("pressure", 0)] = weather["pressure"].to_numpy(float)
    else:
        cols[("pressure", 0)] = np.full(len(weather), 101325.0 * (1 - 2.25577e-5 * altitude) ** 5.25588)
    cols[("roughness_length", 0)] = weather["roughness_length"].to_numpy(float)
    out = pd.DataFrame(cols, index=weather.index)
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["variable_name", "height"])
    return out


def wind_capacity_factor(weather: pd.DataFrame, turbine: WindTurbine, plant: WindPlant, *,
                         altitude: float = 0.0) -> pd.Series:
    """Hourly capacity factor of a wind farm.

    Parameters
    ----------
    weather : pandas.DataFrame
        Canonical weather frame (at least one wind height).
    turbine : windpowerlib.WindTurbine
        Turbine with power curve and hub height (see :func:`.turbines.make_turbine`).
    plant : WindPlant
        Farm parameters.
    altitude : float, default 0
        Site altitude [m].

    Returns
    -------
    pandas.Series
        Farm output / farm rated power [-], in [0, 1], on the weather's index.

    Notes
    -----
    windpowerlib's TurbineClusterModelChain: hub-height wind by log
    interpolation/extrapolation between 10 m and 100 m (log law with the
    roughness length when only one height is given), farm power curve from the
    turbine curve with optional smoothing, wake losses from the chosen wind
    efficiency curve; then ``(1 - losses_pct/100)``.
    """
    w = windpowerlib_weather(weather, altitude)
    heights = w["wind_speed"].columns
    speed_model = "log_interpolation_extrapolation" if len(heights) >= 2 else "logarithmic"
    farm = WindFarm(wind_turbine_fleet=[turbine.to_group(int(plant.n_turbines))])
    chain = TurbineClusterModelChain(
        farm,
        wake_losses_model=None if plant.wake_model == "none" else plant.wake_model,
        smoothing=bool(plant.smoothing),
        standard_deviation_method="Staffell_Pfenninger",
        smoothing_order="wind_farm_power_curves",
        wind_speed_model=speed_model,
    ).run_model(w)
    power = np.asarray(chain.power_output, dtype=float)
    if np.isnan(power).any():
        raise ValueError("windpowerlib returned NaN power; the weather frame has gaps")
    cf = power / farm.nominal_power * (1.0 - plant.losses_pct / 100.0)
    return pd.Series(np.clip(cf, 0.0, 1.0), index=weather.index, name="capacity_factor")
