"""What the demand shape tables hold: the shape parameters of hourly electricity and heat demand.

Read by :mod:`energy_model.io.tables.shapes`, used by :mod:`energy_model.profiles.demand`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Hours in a non-leap year; ``annual_mwh / HOURS_PER_YEAR`` is the mean load [h].
HOURS_PER_YEAR = 8760
#: Time zone of every demand time stamp.
LOCAL_TZ = "Asia/Shanghai"
#: Table holding the lunar-new-year dates (named in error messages).
HOLIDAYS_FILE = "holidays.csv"


@dataclass(frozen=True)
class DemandShape:
    """Shape of the hourly electricity demand.

    Parameters
    ----------
    month_factor : tuple of float
        Monthly mean load / annual mean load observed in ``reference_year``,
        January first (12 values). [-]
    reference_year : int
        Calendar year of ``month_factor``; its Spring-Festival and weekday
        effects are divided out to get the underlying seasonal level. [yr]
    profile_summer, profile_winter : tuple of float
        Typical normalised daily profiles, hour 0 first (24 values each). [-]
    summer_weight : tuple of float
        Weight of ``profile_summer`` in the middle of each month (12 values
        in [0, 1]); interpolated day by day. [-]
    weekday_factor : tuple of float
        Load factor per weekday, Monday first (7 values); normalised to a
        weekly mean of 1 when used. [-]
    spring_festival_offset_days : tuple of int
        Days relative to the lunar new year (increasing). [d]
    spring_festival_factor : tuple of float
        Load factor at those offsets, interpolated linearly; 1 outside. [-]
    spring_festival_dates : tuple of datetime.date
        Lunar-new-year day of each covered year.
    normal_temperature_c : tuple of float
        Climatological daily mean temperature per month (12 values). [°C]
    temperature_anomaly_sd_c : float
        Standard deviation of the daily mean temperature around the
        climatology, used for expectations and the synthetic weather. [°C]
    temperature_anomaly_autocorrelation : float
        Lag-one-day autocorrelation of the synthetic anomaly, in [0, 1). [-]
    cooling_base_c, heating_base_c : float
        Daily mean temperature above which cooling / below which heating
        load appears. [°C]
    cooling_sensitivity_per_c, heating_sensitivity_per_c : float
        Relative change of daily energy per degree of cooling / heating
        degree deviation. [1/°C]
    cooling_hourly_weight, heating_hourly_weight : tuple of float
        How weather-driven load spreads over the day (24 values each, made
        mean 1 when used). [-]
    seed : int
        Seed of the synthetic daily temperature anomaly (per calendar year).
    """

    month_factor: tuple[float, ...]
    reference_year: int
    profile_summer: tuple[float, ...]
    profile_winter: tuple[float, ...]
    summer_weight: tuple[float, ...]
    weekday_factor: tuple[float, ...]
    spring_festival_offset_days: tuple[int, ...]
    spring_festival_factor: tuple[float, ...]
    spring_festival_dates: tuple[dt.date, ...]
    normal_temperature_c: tuple[float, ...]
    temperature_anomaly_sd_c: float
    temperature_anomaly_autocorrelation: float
    cooling_base_c: float
    heating_base_c: float
    cooling_sensitivity_per_c: float
    heating_sensitivity_per_c: float
    cooling_hourly_weight: tuple[float, ...]
    heating_hourly_weight: tuple[float, ...]
    seed: int = 2018


@dataclass(frozen=True)
class HeatShape:
    """Shape of the hourly industrial steam (heat) demand.

    Parameters
    ----------
    month_factor : tuple of float
        Relative level per month, January first (12 values). [-]
    profile : tuple of float
        Relative level per hour of the day (24 values). [-]
    weekday_factor : tuple of float
        Relative level per weekday, Monday first (7 values). [-]
    spring_festival_offset_days : tuple of int
        Days relative to the lunar new year (increasing). [d]
    spring_festival_factor : tuple of float
        Level at those offsets, interpolated linearly; 1 outside. [-]
    spring_festival_dates : tuple of datetime.date
        Lunar-new-year day of each covered year.
    """

    month_factor: tuple[float, ...]
    profile: tuple[float, ...]
    weekday_factor: tuple[float, ...]
    spring_festival_offset_days: tuple[int, ...]
    spring_festival_factor: tuple[float, ...]
    spring_festival_dates: tuple[dt.date, ...]
