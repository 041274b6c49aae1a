"""Where the weather comes from: the ``weather:`` block of a scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator


class WeatherSpec(BaseModel):
    """Weather source of a scenario, as written under ``weather:`` in its YAML.

    Attributes
    ----------
    source : {"synthetic", "era5", "epw", "tmy3", "csv"}
        ``synthetic`` (default) generates the built-in Yancheng weather year(s)
        offline; the others read files.
    years : list of int
        Calendar years in China Standard Time, consecutive in the output index.
        For ``synthetic`` the first year is the calibrated "typical" year and
        further years add interannual spread (deterministic from ``seed``).
    seed : int
        Seed of the synthetic generator.
    files : dict of str to list of str, list of str, or None
        Paths relative to the scenario's base folder. ``era5``: a list of
        NetCDF files (or zips of them) covering all sites. ``epw``/``tmy3``:
        site -> one file (reused, typical year) or one file per entry of
        ``years``. ``csv``: site -> files (concatenated).
    era5_interpolation : {"nearest", "bilinear"}
        How a site's value is taken from the ERA5 grid.
    timezone : str or None
        Time zone of naive CSV time stamps (e.g. ``"Asia/Shanghai"``);
        without it, naive stamps are an error.
    csv_time_label : {"start", "end"}
        Whether a CSV time stamp labels the start (default) or the end of its
        hour.
    synthetic_parameters : str or None
        YAML file with the synthetic generator's parameters, relative to the
        base folder; None uses the shipped ``inputs/synthetic_weather.yaml``.
    max_station_distance_km : float
        Largest allowed distance [km] between a site and the coordinates stated
        in its EPW/TMY3 file.
    accept_implausible : bool
        Use weather files whose annual means lie outside the plausible ranges
        (irradiance 80-300 W/m2, 10 m wind 0.5-9 m/s, ...; see
        :data:`energy_model.weather.canonical.ANNUAL_MEANS`). Off by default:
        such a file is refused as probably being in the wrong units.
    """

    model_config = ConfigDict(extra="forbid")

    source: Literal["synthetic", "era5", "epw", "tmy3", "csv"] = "synthetic"
    years: list[int] = Field(default_factory=lambda: [2020], min_length=1)
    seed: int = 1
    files: dict[str, list[str]] | list[str] | None = None
    era5_interpolation: Literal["nearest", "bilinear"] = "nearest"
    timezone: str | None = None
    csv_time_label: Literal["start", "end"] = "start"
    synthetic_parameters: str | None = None
    max_station_distance_km: float = Field(default=100.0, gt=0)
    accept_implausible: StrictBool = False

    @field_validator("years")
    @classmethod
    def _years_valid(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("years must not repeat")
        if v != sorted(v):
            raise ValueError("years must be in increasing order")
        if any(y < 1900 or y > 2200 for y in v):
            raise ValueError("years must be calendar years (1900-2200)")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz_valid(cls, v: str | None) -> str | None:
        if v is not None:
            from zoneinfo import ZoneInfo

            try:
                ZoneInfo(v)
            except Exception as exc:  # noqa: BLE001 - any lookup failure is a bad name
                raise ValueError(f"unknown time zone {v!r}") from exc
        return v
