"""Profiles: hourly capacity factors of PV and wind from weather (pvlib, windpowerlib).

Public API
----------
capacity_factors(weather, sites, pv_plants, wind_plants)
    DataArray ``capacity_factor`` (profile, time) in [0, 1].
read_plants(pv_path, wind_path)
    Validated plant tables.
default_profiles(years=None, seed=1, inputs_dir=None)
    Shipped inputs + synthetic Yancheng weather -> capacity factors.
"""

from energy_model.profiles.assemble import capacity_factors
from energy_model.profiles.default import default_profiles
from energy_model.profiles.plants import read_plants

__all__ = ["capacity_factors", "default_profiles", "read_plants"]
