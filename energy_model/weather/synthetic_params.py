"""Parameters of the synthetic weather generator, read from YAML and validated."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from energy_model.errors import InputError, InputIssue
from energy_model.io.yaml_safe import load_yaml

#: Shipped parameter file (the project's ``inputs/`` folder).
DEFAULT_PARAMETERS_PATH = Path(__file__).resolve().parents[2] / "inputs" / "synthetic_weather.yaml"

_Monthly = list[float]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SolarParameters(_Strict):
    """Clear-sky-index model of GHI (see :mod:`energy_model.weather.synthetic`)."""

    annual_ghi_kwh_per_m2: float = Field(gt=300, lt=3000)
    monthly_shape_wh_per_m2_day: _Monthly = Field(min_length=12, max_length=12)
    kd_concentration: float = Field(gt=0)
    kd_offset: float = Field(ge=0, lt=0.3)
    kd_phi: float = Field(ge=0, lt=1)
    kh_phi: float = Field(ge=0, lt=1)
    kh_sigma: float = Field(ge=0, lt=2)
    max_clear_sky_ratio: float = Field(ge=1, le=1.5)


class TemperatureParameters(_Strict):
    """Seasonal, daily and diurnal temperature model [degC]."""

    monthly_mean_c: _Monthly = Field(min_length=12, max_length=12)
    daily_anomaly_sd_c: float = Field(ge=0)
    daily_anomaly_phi: float = Field(ge=0, lt=1)
    noise_sd_c: float = Field(ge=0)


class WindParameters(_Strict):
    """Latent AR(1) wind process shared by all sites."""

    hourly_phi: float = Field(ge=0, lt=1)
    site_correlation: float = Field(ge=0, le=1)
    season_amplitude: float = Field(ge=0, lt=0.5)
    season_peak_day: float = Field(ge=1, le=366)


class SurfaceParameters(_Strict):
    """Wind and temperature parameters of one surface type."""

    mean_speed_100_m_s: float = Field(gt=0, lt=25)
    weibull_k: float = Field(gt=0.8, lt=5)
    diurnal_amplitude: float = Field(ge=0, lt=0.5)
    shear_exponent_day: float = Field(ge=0, lt=1)
    shear_exponent_night: float = Field(ge=0, lt=1)
    temp_diurnal_amplitude_c: float = Field(ge=0, lt=15)


class InterannualParameters(_Strict):
    """Relative spread of the years after the first one."""

    ghi_annual_sd: float = Field(ge=0, lt=0.5)
    ghi_monthly_sd: float = Field(ge=0, lt=0.5)
    wind_annual_sd: float = Field(ge=0, lt=0.5)
    wind_monthly_sd: float = Field(ge=0, lt=0.5)
    temp_annual_sd_c: float = Field(ge=0, lt=5)
    temp_monthly_sd_c: float = Field(ge=0, lt=5)


class SyntheticParameters(_Strict):
    """All parameters of the synthetic generator."""

    solar: SolarParameters
    temperature: TemperatureParameters
    wind: WindParameters
    surfaces: dict[str, SurfaceParameters]
    interannual: InterannualParameters


def read_synthetic_parameters(path: str | Path | None = None) -> SyntheticParameters:
    """Read and validate the synthetic-weather parameter file.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        YAML file; default :data:`DEFAULT_PARAMETERS_PATH`.

    Returns
    -------
    SyntheticParameters

    Raises
    ------
    InputError
        Unreadable file or every invalid key, by key path.
    """
    path = Path(path) if path is not None else DEFAULT_PARAMETERS_PATH
    raw, _ = load_yaml(path)  # safe and strict: size, nesting depth, aliases, ambiguous scalars
    try:
        params = SyntheticParameters.model_validate(raw)
    except ValidationError as exc:
        raise InputError([InputIssue(path.name, ".".join(str(p) for p in e["loc"]), e["msg"],
                                     value=e.get("input")) for e in exc.errors()]) from None
    missing = {"onshore", "offshore"} - set(params.surfaces)
    if missing:
        raise InputError([InputIssue(path.name, f"surfaces.{m}", "missing surface type") for m in sorted(missing)])
    return params
