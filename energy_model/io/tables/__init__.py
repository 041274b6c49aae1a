"""Readers and validators for the CSV tables in ``inputs/``.

Every reader checks the whole file and raises one
:class:`~energy_model.errors.InputError` listing every problem found, each
with the file, the 1-based line (the header is line 1), a key path such as
``technologies.csv:coal_usc.efficiency``, the bad value and what was
expected. Nothing is guessed: a suspicious unit (40 for a fraction, CNY/W
for CNY/kW, kW for MW) is reported, not converted.

Readers
-------
read_technologies   ``technologies.csv`` -> DataFrame indexed by technology
read_fuels          ``fuels.csv`` -> DataFrame indexed by fuel (supply)
read_carriers       ``carriers.csv`` -> DataFrame indexed by carrier (names, colour, new energy)
validate_*          the same checks on a table changed by scenario overrides
read_demand_shape   ``demand_shape.csv`` (+ ``holidays.csv``) -> DemandShape
read_heat_shape     ``heat_demand_shape.csv`` (+ ``holidays.csv``) -> HeatShape
read_demand_csv     a user's hourly demand file -> array aligned with the horizon
read_price_csv      a scenario's hourly trade-price file -> arrays per technology aligned with the horizon
"""

from energy_model.io.tables.carriers import read_carriers
from energy_model.io.tables.common import CARRIERS, FUEL_COLUMNS, PROFILES, TECHNOLOGY_COLUMNS
from energy_model.io.tables.demand_csv import read_demand_csv
from energy_model.io.tables.fuels import read_fuels, validate_fuels
from energy_model.io.tables.price_csv import read_price_csv
from energy_model.io.tables.shapes import read_demand_shape, read_heat_shape, read_holidays
from energy_model.io.tables.technologies import read_technologies, validate_technologies

__all__ = [
    "CARRIERS", "FUEL_COLUMNS", "PROFILES", "TECHNOLOGY_COLUMNS", "read_carriers", "read_demand_csv", "read_demand_shape",
    "read_fuels", "read_heat_shape", "read_holidays", "read_price_csv", "read_technologies", "validate_fuels",
    "validate_technologies",
]
