"""PV capacity factors with pvlib's ModelChain (pure: no file I/O).

Capacity factor = AC output / DC nameplate (peak) capacity [-], i.e. per
MW_dc, because Chinese statistics and the capacity plan count PV in
DC (peak) megawatts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pvlib is imported where profiles are computed (not when they are cached)
    import pvlib

#: pvlib SAPM cell-temperature parameter set per mounting type.
MOUNTS: dict[str, str] = {"open_rack": "open_rack_glass_glass", "close_mount": "close_mount_glass_glass"}


@dataclass(frozen=True)
class PVPlant:
    """Parameters of a PV plant (one row of ``inputs/pv_plants.csv``).

    Attributes
    ----------
    tilt_deg : float
        Module tilt from horizontal [deg].
    azimuth_deg : float
        Module azimuth, clockwise from north (180 = south) [deg].
    mount : {"open_rack", "close_mount"}
        Mounting, selecting the SAPM cell-temperature parameters.
    dc_ac_ratio : float
        DC nameplate / AC inverter rating [-].
    inverter_efficiency : float
        Nominal inverter efficiency [-].
    losses_pct : float
        Total DC-side system losses (soiling, shading, mismatch, wiring, LID,
        nameplate, availability) [%].
    gamma_pdc_per_c : float
        Temperature coefficient of DC power [1/degC].
    albedo : float
        Ground reflectance [-].
    """

    tilt_deg: float = 25.0
    azimuth_deg: float = 180.0
    mount: str = "open_rack"
    dc_ac_ratio: float = 1.25
    inverter_efficiency: float = 0.97
    losses_pct: float = 9.0
    gamma_pdc_per_c: float = -0.0034
    albedo: float = 0.2


def complete_irradiance(weather: pd.DataFrame, solar_zenith: pd.Series) -> pd.DataFrame:
    """Add DNI and DHI by the Erbs decomposition where the source lacks them.

    Parameters
    ----------
    weather : pandas.DataFrame
        ``ghi`` [W/m2] and possibly ``dni``, ``dhi`` [W/m2] (all-NaN when missing).
    solar_zenith : pandas.Series
        Solar zenith at the middle of each hour [deg], same index.

    Returns
    -------
    pandas.DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` without NaN.
    """
    out = weather[["ghi"]].copy()
    if "dni" in weather and "dhi" in weather and weather["dni"].notna().all() and weather["dhi"].notna().all():
        out["dni"] = weather["dni"]
        out["dhi"] = weather["dhi"]
    else:
        import pvlib

        e = pvlib.irradiance.erbs(weather["ghi"], solar_zenith, weather.index)
        out["dni"] = np.nan_to_num(np.asarray(e["dni"], dtype=float))
        out["dhi"] = np.nan_to_num(np.asarray(e["dhi"], dtype=float))
    return out


def pv_model_chain(plant: PVPlant, latitude: float, longitude: float, altitude: float) -> pvlib.modelchain.ModelChain:
    """Build the pvlib ModelChain of a plant, normalised to 1 W_dc.

    Parameters
    ----------
    plant : PVPlant
        Plant parameters.
    latitude, longitude : float
        Site coordinates [deg].
    altitude : float
        Site altitude [m].

    Returns
    -------
    pvlib.modelchain.ModelChain
        PVWatts DC and inverter models, physical AOI loss, SAPM cell
        temperature, Perez transposition, PVWatts losses.
    """
    import pvlib

    location = pvlib.location.Location(latitude, longitude, tz="Asia/Shanghai", altitude=altitude)
    array = pvlib.pvsystem.Array(
        pvlib.pvsystem.FixedMount(surface_tilt=plant.tilt_deg, surface_azimuth=plant.azimuth_deg),
        albedo=plant.albedo,
        module_parameters={"pdc0": 1.0, "gamma_pdc": plant.gamma_pdc_per_c},
        temperature_model_parameters=pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][MOUNTS[plant.mount]],
    )
    zero = dict(soiling=0, shading=0, snow=0, mismatch=0, wiring=0, connections=0, lid=0,
                nameplate_rating=0, age=0, availability=0)
    system = pvlib.pvsystem.PVSystem(
        arrays=[array],
        inverter_parameters={"pdc0": 1.0 / plant.dc_ac_ratio / plant.inverter_efficiency,
                             "eta_inv_nom": plant.inverter_efficiency},
        losses_parameters={**zero, "soiling": plant.losses_pct},
    )
    return pvlib.modelchain.ModelChain(system, location, dc_model="pvwatts", ac_model="pvwatts",
                                       aoi_model="physical", spectral_model="no_loss", temperature_model="sapm",
                                       losses_model="pvwatts", transposition_model="perez")


def pv_capacity_factor(weather: pd.DataFrame, plant: PVPlant, *, latitude: float, longitude: float,
                       altitude: float = 0.0) -> pd.Series:
    """Hourly AC capacity factor of a PV plant per unit of DC capacity.

    Parameters
    ----------
    weather : pandas.DataFrame
        Canonical weather frame (start-of-hour labels): ``ghi``, ``dni``,
        ``dhi`` [W/m2] (DNI/DHI may be all-NaN: GHI is then decomposed with
        Erbs), ``temp_air`` [degC], ``wind_speed_10`` [m/s] (if all-NaN,
        ``wind_speed_100`` scaled by 0.72, a 1/7 power law).
    plant : PVPlant
        Plant parameters.
    latitude, longitude : float
        Site coordinates [deg].
    altitude : float, default 0
        Site altitude [m].

    Returns
    -------
    pandas.Series
        AC power per W_dc of nameplate [-], in [0, 1], on the weather's index.
        The sun is evaluated at the middle of each hour.
    """
    mid = weather.index + pd.Timedelta("30min")
    mc = pv_model_chain(plant, latitude, longitude, altitude)
    solpos = mc.location.get_solarposition(mid)
    w = weather.set_axis(mid)
    irr = complete_irradiance(w, solpos["zenith"])
    wind = w["wind_speed_10"] if w["wind_speed_10"].notna().all() else w["wind_speed_100"] * 0.1 ** (1 / 7)
    mc_weather = irr.assign(temp_air=w["temp_air"], wind_speed=wind)
    mc.run_model(mc_weather)
    ac = np.clip(np.nan_to_num(np.asarray(mc.results.ac, dtype=float)), 0.0, 1.0)
    return pd.Series(ac, index=weather.index, name="capacity_factor")
