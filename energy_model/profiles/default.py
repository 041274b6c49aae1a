"""The default profiles: shipped inputs + synthetic Yancheng weather."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import xarray as xr

from energy_model.profiles.assemble import capacity_factors
from energy_model.profiles.plants import read_plants
from energy_model.weather import WeatherSpec, load_weather, read_sites

#: The project's shipped ``inputs/`` folder.
DEFAULT_INPUTS_DIR = Path(__file__).resolve().parents[2] / "inputs"


@lru_cache(maxsize=8)
def _cached(years: tuple[int, ...], seed: int, inputs_dir: str) -> xr.DataArray:
    base = Path(inputs_dir)
    sites = read_sites(base / "sites.csv")
    pv, wind = read_plants(base / "pv_plants.csv", base / "wind_plants.csv")
    params = base / "synthetic_weather.yaml"
    spec = WeatherSpec(source="synthetic", years=list(years), seed=seed,
                       synthetic_parameters=params.name if params.is_file() else None)
    weather = load_weather(spec, sites, base)
    return capacity_factors(weather, sites, pv, wind)


def default_profiles(years: list[int] | None = None, seed: int = 1, inputs_dir: Path | None = None) -> xr.DataArray:
    """Capacity factors from the shipped inputs and the synthetic weather.

    Parameters
    ----------
    years : list of int, optional
        Calendar years (default ``[2020]``); 8,760 h each (29 Feb dropped).
        The first is the calibrated typical year.
    seed : int, default 1
        Synthetic-weather seed.
    inputs_dir : pathlib.Path, optional
        Folder with ``sites.csv``, ``pv_plants.csv``, ``wind_plants.csv`` and
        ``synthetic_weather.yaml`` (default: the project's ``inputs/``).

    Returns
    -------
    xarray.DataArray
        See :func:`energy_model.profiles.capacity_factors`; profiles
        ``utility_pv``, ``rooftop_pv``, ``onshore_wind``, ``offshore_wind``.
        A fresh copy on every call (results are cached).
    """
    key = tuple(years) if years else (2020,)
    base = Path(inputs_dir) if inputs_dir is not None else DEFAULT_INPUTS_DIR
    return _cached(key, int(seed), str(base.resolve())).copy(deep=True)
