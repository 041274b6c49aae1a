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
#: Dimension of a pathway's periods (coordinate: the period years).
PERIOD: Final = "period"
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
MIN_SELF_SUFFICIENCY: Final = "min_self_sufficiency"
MAX_IMPORT: Final = "max_import"
MAX_NET_EXPORT: Final = "max_net_export"
RESERVE_MARGIN: Final = "reserve_margin"
TARGET_KINDS: Final = (MIN_CAPACITY, MIN_SHARE, MAX_EMISSIONS, MIN_SELF_SUFFICIENCY, MAX_IMPORT, MAX_NET_EXPORT,
                       RESERVE_MARGIN)

# What a target kind measures (its family decides the row, the units and the shadow price) ---------------
CAPACITY: Final = "capacity"    # sum of capacities [MW]; price CNY/kW/yr
SHARE: Final = "share"          # annual generation / consumption [fraction]; price CNY/MWh
EMISSIONS: Final = "emissions"  # annual emissions of one pollutant [t/yr]; price CNY/t
ENERGY: Final = "energy"        # annual exchange with the grid [MWh/yr]; price CNY/MWh
MARGIN: Final = "margin"        # firm capacity / peak demand - 1 [fraction]; price CNY/kW/yr
#: The family of every target kind.
TARGET_FAMILY: Final = {
    MIN_CAPACITY: CAPACITY, MIN_SHARE: SHARE, MAX_EMISSIONS: EMISSIONS, MIN_SELF_SUFFICIENCY: SHARE,
    MAX_IMPORT: ENERGY, MAX_NET_EXPORT: ENERGY, RESERVE_MARGIN: MARGIN,
}
#: Target kinds whose level is a ceiling (all others are floors).
CEILING_KINDS: Final = (MAX_EMISSIONS, MAX_IMPORT, MAX_NET_EXPORT)
#: Scenario key that holds each kind's level.
LEVEL_FIELD: Final = {
    MIN_CAPACITY: "value_mw", MIN_SHARE: "share", MAX_EMISSIONS: "value_t", MIN_SELF_SUFFICIENCY: "share",
    MAX_IMPORT: "value_mwh", MAX_NET_EXPORT: "value_mwh", RESERVE_MARGIN: "margin",
}
#: User unit of a level and of a shadow price, by family.
LEVEL_UNIT: Final = {CAPACITY: "MW", SHARE: "fraction of consumption", EMISSIONS: "t/yr", ENERGY: "MWh/yr",
                     MARGIN: "fraction of peak demand"}
PRICE_UNIT: Final = {CAPACITY: "CNY/kW/yr", SHARE: "CNY/MWh", EMISSIONS: "CNY/t", ENERGY: "CNY/MWh",
                     MARGIN: "CNY/kW/yr"}


def target_family(kind: str) -> str:
    """The family (capacity, share, emissions, energy, margin) of a target kind."""
    return TARGET_FAMILY[str(kind)]


#: User unit of a level and of a shadow price, by target kind (the one registry is by family, above).
TARGET_LEVEL_UNIT: Final = {kind: LEVEL_UNIT[family] for kind, family in TARGET_FAMILY.items()}
TARGET_PRICE_UNIT: Final = {kind: PRICE_UNIT[family] for kind, family in TARGET_FAMILY.items()}


def units_by_kind(units: dict[str, str]) -> str:
    """The units of a per-target variable for its ``units`` attribute (``"MW | t/yr | ... (by target kind)"``)."""
    return " | ".join(dict.fromkeys(units.values())) + " (by target kind)"


def is_ceiling(kind: str) -> bool:
    """True if a target kind's level is an upper limit (emission and exchange caps)."""
    return str(kind) in CEILING_KINDS
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

