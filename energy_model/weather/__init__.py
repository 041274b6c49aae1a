"""Weather: read real weather files or generate the default synthetic year.

Public API
----------
WeatherSpec
    The ``weather:`` block of a scenario.
load_weather(spec, sites, base_dir)
    One canonical hourly frame per site (see :mod:`.canonical` for the
    columns, units and time convention).
read_sites(path)
    The validated ``inputs/sites.csv`` table.
"""

from energy_model.io.weather_spec import WeatherSpec
from energy_model.weather.canonical import COLUMNS, TIMEZONE, UNITS
from energy_model.weather.load import load_weather
from energy_model.weather.sites import read_sites, validate_sites

__all__ = ["COLUMNS", "TIMEZONE", "UNITS", "WeatherSpec", "load_weather", "read_sites", "validate_sites"]
