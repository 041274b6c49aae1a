"""The vocabulary shared by every stage: dimension names, kinds, units, scaling.

Inputs and outputs are in MW, MWh, t and CNY. The LP works in GW, GWh, kt and
million CNY so that HiGHS sees coefficients between roughly 1e-3 and 1e4; the
conversion factors below are the only place where that choice is written down.
"""

from __future__ import annotations

from typing import Final

# Dimensions ------------------------------------------------------------------
TECH: Final = "technology"
FUEL: Final = "fuel"
TIME: Final = "time"
TARGET: Final = "target"
POLLUTANT: Final = "pollutant"

# Technology kinds (each picks one constraint family) --------------------------
VARIABLE: Final = "variable"   # output <= capacity x capacity factor(t)
THERMAL: Final = "thermal"     # fuel = output / efficiency; min stable load, ramping
CHP: Final = "chp"             # as thermal, plus heat = heat_to_power x output
BOILER: Final = "boiler"       # heat only: fuel = heat / efficiency
STORAGE: Final = "storage"     # charge, discharge, state of charge
IMPORT: Final = "import"       # buys electricity from the provincial grid
EXPORT: Final = "export"       # sells electricity to the provincial grid
KINDS: Final = (VARIABLE, THERMAL, CHP, BOILER, STORAGE, IMPORT, EXPORT)
#: Kinds whose output feeds the electricity balance as generation.
ELECTRIC_SUPPLY_KINDS: Final = (VARIABLE, THERMAL, CHP, IMPORT)
#: Kinds that burn a fuel.
FUELLED_KINDS: Final = (THERMAL, CHP, BOILER)

# Target kinds and modes ----------------------------------------------------------
MIN_CAPACITY: Final = "min_capacity"
MIN_SHARE: Final = "min_share"
MAX_EMISSIONS: Final = "max_emissions"
TARGET_KINDS: Final = (MIN_CAPACITY, MIN_SHARE, MAX_EMISSIONS)
ENFORCE: Final = "enforce"
REPORT: Final = "report"
SOFT: Final = "soft"
TARGET_MODES: Final = (ENFORCE, REPORT, SOFT)

POLLUTANTS: Final = ("co2", "so2", "nox", "pm")

# Scaling between user units and LP units -----------------------------------------
#: MW per LP power unit (GW).
MW_PER_LP: Final = 1000.0
#: CNY per LP money unit (million CNY).
CNY_PER_LP: Final = 1.0e6
#: t of CO2 per LP emission unit (kt).
T_PER_LP: Final = 1000.0

#: Hours in a standard (non-leap) year.
HOURS_PER_YEAR: Final = 8760.0

