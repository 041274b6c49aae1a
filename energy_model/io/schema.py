"""Pydantic models of a scenario file: what a user may write and what it means.

Every model forbids unknown keys, so a misspelt key is an error with a
suggestion rather than a silently ignored setting. Units are in the field
names. Values are checked for range here; cross-references (technology and
fuel names, override paths) are checked in :mod:`energy_model.inputs.load` once the
tables are read.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, field_validator, model_validator

from energy_model import vocabulary as names
from energy_model.io.free_text import LongText, NumberOrText, Text
from energy_model.io.weather_spec import WeatherSpec

Name = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemandSpec(_Strict):
    """Hourly electricity demand.

    Either ``annual_twh`` with the shipped shape (Jiangsu 2018, scaled), or a
    user ``file`` with an hourly ``time,demand_mw`` series for the horizon.
    """

    annual_twh: float | None = Field(None, gt=0, le=1000, description="annual consumption [TWh/yr]")
    file: Text | None = Field(None, description="hourly demand CSV, relative to the scenario file")

    @model_validator(mode="after")
    def _one_source(self) -> DemandSpec:
        if (self.annual_twh is None) == (self.file is None):
            raise ValueError("give exactly one of 'annual_twh' or 'file'")
        return self

    _fin = field_validator("annual_twh")(_finite)


class HeatDemandSpec(_Strict):
    """Hourly heat (industrial steam) demand served by CHP and boilers."""

    annual_twh: float = Field(0.0, ge=0, le=1000, description="annual heat demand [TWh_th/yr]")

    _fin = field_validator("annual_twh")(_finite)


class HorizonSpec(_Strict):
    """Which hours of the weather years the LP covers.

    The default is every hour of the weather years. ``hours`` cuts the horizon
    (starting at ``start_hour``) for quick runs and tests; costs are then
    scaled to one year by the weight 8760 / hours.
    """

    start_hour: int = Field(0, ge=0, description="first hour of the horizon [h from 1 Jan 00:00]")
    hours: int | None = Field(None, ge=2, le=8784 * 5, description="number of hours [h]")


class EconomicsSpec(_Strict):
    """System-wide economic assumptions."""

    discount_rate: float = Field(0.08, ge=0, le=0.3, description="real discount rate [1/yr]")
    carbon_price_cny_per_t: float = Field(90.0, ge=0, le=5000, description="CO2 price [CNY/t]")
    value_of_lost_load_cny_per_mwh: float = Field(30000.0, gt=0, le=1e6, description="VoLL [CNY/MWh]")
    value_of_lost_heat_cny_per_mwh: float = Field(3000.0, gt=0, le=1e6, description="unserved heat [CNY/MWh_th]")
    benchmark_tariff_cny_per_mwh: float = Field(
        391.0, ge=0, le=5000, description="bill-side price of a traded MWh (Jiangsu's coal-fired on-grid benchmark): "
                                          "reported as what the city's trade would be billed, never in the system cost")
    price_imported_co2: StrictBool = Field(
        False, description="charge the carbon price on imported electricity at the import row's co2_t_per_mwh "
                           "(leave false when the import price already carries the carbon cost)")
    # The province behind the grid ties (shape of the hourly trade value, energy/profiles/provincial_value.py);
    # defaults are the 2025 values of inputs/cost_years.csv.
    provincial_wind_share: float = Field(0.10, ge=0, le=1, description="wind generation / provincial "
                                         "consumption [-]")
    provincial_solar_share: float = Field(0.09, ge=0, le=1, description="solar generation / provincial "
                                          "consumption [-]")
    provincial_must_run_share: float = Field(0.45, ge=0, le=2, description="residual load per unit of mean "
                                             "load below which must-run units set the value [-]")
    provincial_merit_spread: float = Field(0.10, ge=0, le=0.9, description="half-range of the coal merit "
                                           "order's short-run cost around its mean [-]")
    provincial_surplus_floor: float = Field(0.5, ge=0, le=1, description="value in renewable-surplus hours "
                                            "per unit of the mean value [-]")

    _fin = field_validator("discount_rate", "carbon_price_cny_per_t", "value_of_lost_load_cny_per_mwh",
                           "benchmark_tariff_cny_per_mwh",
                           "value_of_lost_heat_cny_per_mwh", "provincial_wind_share", "provincial_solar_share",
                           "provincial_must_run_share", "provincial_merit_spread",
                           "provincial_surplus_floor")(_finite)


class TargetSpec(_Strict):
    """A plan target: a floor on capacity, share, self-sufficiency or reserve margin, or a cap.

    Kinds and their level keys:

    - ``min_capacity`` (``value_mw``): capacity of ``technologies`` [MW];
    - ``min_share`` (``share``): generation of ``technologies``/``carriers`` / consumption [fraction];
    - ``max_emissions`` (``value_t``): direct emissions of ``pollutant`` [t/yr];
    - ``min_self_sufficiency`` (``share``): local generation (every generating technology but
      imports) / consumption [fraction];
    - ``max_import`` (``value_mwh``): annual imports from the provincial grid [MWh/yr];
    - ``max_net_export`` (``value_mwh``): annual exports minus imports [MWh/yr]; a negative level
      requires net imports of at least its size;
    - ``reserve_margin`` (``margin``): firm capacity (each technology's ``capacity_credit``) at least
      (1 + margin) x peak demand [fraction of peak].

    ``mode``: ``enforce`` (a hard constraint), ``report`` (only checked) or
    ``soft`` (a shortfall is allowed at ``penalty``; units of the penalty:
    CNY/kW-yr for capacity and reserve margin, CNY/MWh for shares and exchanges, CNY/t for emissions).
    """

    kind: Literal["min_capacity", "min_share", "max_emissions", "min_self_sufficiency", "max_import",
                  "max_net_export", "reserve_margin"]
    mode: Literal["enforce", "report", "soft"] = "enforce"
    label: Text | None = Field(None, max_length=200, description="text for reports")
    label_zh: Text | None = Field(None, max_length=200, description="Chinese text for reports (the English "
                                  "label, marked as such, where none is given)")
    technologies: list[Name] | None = Field(None, description="technologies counted (min_capacity, min_share)")
    carriers: list[Name] | None = Field(None, description="carriers counted (min_share)")
    value_mw: float | None = Field(None, ge=0, le=1e6, description="min_capacity level [MW]")
    share: float | None = Field(None, ge=0, description="min_share / min_self_sufficiency level [fraction of "
                                "consumption]; > 1 is refused below with a hint (a percentage?)")
    value_t: float | None = Field(None, ge=0, le=1e10, description="max_emissions cap [t/yr]")
    value_mwh: float | None = Field(None, ge=-1e10, le=1e10,
                                    description="max_import / max_net_export cap [MWh/yr]")
    margin: float | None = Field(None, ge=0, le=1.0, description="reserve_margin level [fraction of peak demand]")
    pollutant: Literal["co2", "so2", "nox", "pm"] = "co2"
    penalty: float | None = Field(None, gt=0, le=1e7, description="soft-target shortfall price")

    _fin = field_validator("value_mw", "share", "value_t", "value_mwh", "margin", "penalty")(_finite)

    @model_validator(mode="after")
    def _consistent(self) -> TargetSpec:
        need = names.LEVEL_FIELD[self.kind]
        for other in ("value_mw", "share", "value_t", "value_mwh", "margin"):
            if other != need and getattr(self, other) is not None:
                raise ValueError(f"'{other}' does not apply to a {self.kind} target (use '{need}')")
        if getattr(self, need) is None:
            raise ValueError(f"a {self.kind} target needs '{need}'")
        if need == "share" and self.share is not None and self.share > 1.0:
            raise ValueError(
                f"share {self.share} is above 1: give a fraction (0.25 for 25 %), not a percentage"
            )
        if self.kind == "max_import" and self.value_mwh is not None and self.value_mwh < 0:
            raise ValueError(f"value_mwh {self.value_mwh} is negative: an import cap is at least 0 MWh/yr")
        if self.kind == "min_capacity" and not self.technologies:
            raise ValueError("a min_capacity target needs 'technologies'")
        if self.kind == "min_share" and not (self.technologies or self.carriers):
            raise ValueError("a min_share target needs 'technologies' or 'carriers'")
        if self.kind not in ("min_capacity", "min_share") and (self.technologies or self.carriers):
            raise ValueError(f"a {self.kind} target covers the whole system; remove 'technologies'/'carriers'")
        if self.mode == "soft" and self.penalty is None:
            raise ValueError("a soft target needs 'penalty'")
        if self.mode != "soft" and self.penalty is not None:
            raise ValueError("'penalty' applies only to mode: soft")
        return self

    @property
    def level(self) -> float:
        """The target level in user units (MW, fraction, t/yr or MWh/yr by kind)."""
        value = getattr(self, names.LEVEL_FIELD[self.kind])
        assert value is not None
        return float(value)


class SolverSpec(_Strict):
    """HiGHS settings that a scenario may choose (an allowlist)."""

    method: Literal["auto", "hipo", "ipx", "simplex", "ipm"] = "auto"
    crossover: Literal["off", "on", "choose"] = "off"
    time_limit_s: float = Field(3600.0, ge=0, le=7 * 24 * 3600, description="wall-clock limit [s]")
    threads: int = Field(0, ge=0, le=256, description="0 lets HiGHS choose")
    presolve: Literal["on", "off", "choose"] = "choose"
    primal_feasibility_tolerance: float = Field(1e-7, ge=1e-10, le=1e-3)
    dual_feasibility_tolerance: float = Field(1e-7, ge=1e-10, le=1e-3)
    ipm_optimality_tolerance: float = Field(1e-8, ge=1e-12, le=1e-3)
    simplex_iteration_limit: int | None = Field(None, ge=0)
    random_seed: int = Field(0, ge=0, le=2**31 - 1)
    log_to_console: StrictBool = False
    split_dense_columns: StrictBool = Field(
        True, description="interior point only: give each dense capacity column copies over a few hours each "
        "(the same optimum; HiPO can then factorise the normal equations)")
    warm_start: StrictBool = Field(
        True, description="simplex only: cases of one batch of which only the objective is read (each target "
        "alone) start from the last optimal basis of their shared LP (the same objective; a warm start that "
        "fails is solved cold)")


#: Extreme periods an aggregation can keep as they are (on top of ``periods``).
EXTREMES = ("peak_demand", "peak_heat", "min_wind_day", "min_solar_day", "min_renewable_day")


#: Typical days when a scenario asks for ``typical_days`` without ``periods`` (chosen by measurement:
#: benchmarks/bench_aggregation.py, docs/aggregation.md).
DEFAULT_TYPICAL_DAYS = 16
#: The extreme days the shipped typical-day scenarios and the per-target estimates keep on top.
DEFAULT_EXTREMES: tuple[str, ...] = ("peak_demand", "min_wind_day")


class AggregationSpec(_Strict):
    """Time aggregation of the horizon: representative days or variable-length segments.

    ``typical_days``: the horizon's days are clustered (tsam, medoids) into
    ``periods`` representative days, each weighted by the days it stands for;
    ``extremes`` are kept as days of their own on top. ``segments``: one
    chronological horizon of ``periods`` steps of variable length.
    """

    method: Literal["none", "typical_days", "segments"] = "none"
    periods: int = Field(DEFAULT_TYPICAL_DAYS, ge=1, le=8784, description="typical days, or segments over the whole horizon")
    extremes: list[Literal["peak_demand", "peak_heat", "min_wind_day", "min_solar_day", "min_renewable_day"]] = (
        Field(default_factory=list, description="days kept as they are (typical_days only)"))
    link_storage: StrictBool = Field(
        True, description="typical_days: carry the state of charge through the year's sequence of days "
                          "(Kotzur et al. 2018); false keeps each day cyclic (no shifting between days)")

    @model_validator(mode="after")
    def _consistent(self) -> AggregationSpec:
        if self.method == "segments" and self.extremes:  # (with none they are kept but unused)
            raise ValueError("extremes apply only to method: typical_days")
        if len(set(self.extremes)) != len(self.extremes):
            raise ValueError("each extreme may be named once")
        if self.method == "segments" and self.periods < 2:
            raise ValueError("segments need periods >= 2")
        if self.method == "segments" and "link_storage" in self.model_fields_set and not self.link_storage:
            raise ValueError("link_storage: false applies only to method: typical_days (segments are one "
                             "chronological sequence, storage is always carried through it); remove the key")
        return self


class TradePricesSpec(_Strict):
    """A file of hourly trade prices [CNY/MWh]: ``time`` and one column per import or export technology."""

    file: Text = Field(description="CSV relative to the scenario file")


class Scenario(_Strict):
    """A complete, validated scenario.

    ``overrides`` change single cells of the input tables by path
    (``technologies.<id>.<column>`` or ``fuels.<id>.<column>``); ``base``
    names another scenario file this one extends (its keys are merged first).
    """

    name: Name
    title: Text = ""
    description: LongText = ""
    title_zh: Text = Field("", description="Chinese title of the report (the English one, marked, if empty)")
    description_zh: LongText = Field("", description="Chinese description (the English one, marked, if empty)")
    base: Text | None = None
    inputs_dir: Text = "../inputs"
    weather: WeatherSpec = WeatherSpec()
    horizon: HorizonSpec = HorizonSpec()
    demand: DemandSpec
    heat_demand: HeatDemandSpec = HeatDemandSpec()
    economics: EconomicsSpec = EconomicsSpec()
    cost_year: int | None = Field(
        None, ge=2010, le=2050,
        description="year whose technology costs, fuel prices and carbon price are used (inputs/cost_years.csv, "
                    "linear between the years given; an error outside them); applied before 'overrides', which win; "
                    "None keeps the base values of the input tables",
    )
    build_year: int | None = Field(
        None, ge=2010, le=2050,
        description="year whose plants in service, build limits and fuel-supply limits are used "
                    "(inputs/build_years.csv, the latest row in or before the year; before a series' first row the "
                    "base value holds); applied after 'cost_year' and before 'overrides', which win; "
                    "None keeps the base values of the input tables",
    )
    build_options: list[Name] = Field(
        default_factory=list,
        description="named rows of inputs/build_years.csv to apply as well (e.g. a plant whose commissioning "
                    "year is assumed); needs build_year",
    )
    overrides: dict[Text, NumberOrText] = Field(default_factory=dict)
    exclude_technologies: list[Name] = Field(default_factory=list)
    targets: dict[Name, TargetSpec] = Field(default_factory=dict)
    solver: SolverSpec = SolverSpec()
    aggregation: AggregationSpec = AggregationSpec()
    trade_prices: TradePricesSpec | None = Field(
        None, description="hourly import/export prices from a file: each named row's vom_cny_per_mwh becomes "
                          "the series' mean and its price_profile 'trade_prices' (applied after overrides)")


assert set(names.TARGET_KINDS) == set(names.LEVEL_FIELD) == set(names.TARGET_FAMILY)


#: Scenario keys a pathway period may change (``pathway.periods_changes.<year>``).
PERIOD_KEYS = ("demand", "heat_demand", "cost_year", "build_year", "build_options", "targets", "economics",
               "overrides")
#: Years a pathway period (and its starting fleet) may take.
PATHWAY_YEARS = (2000, 2060)
_PathwayYear = Annotated[int, Field(ge=PATHWAY_YEARS[0], le=PATHWAY_YEARS[1])]


class PeriodChangesSpec(_Strict):
    """What one pathway period changes of the scenario; each value is checked with the merged scenario."""

    demand: dict[str, object] | None = None
    heat_demand: dict[str, object] | None = None
    cost_year: int | None = None
    build_year: int | None = None
    build_options: list[object] | None = None
    targets: dict[str, object] | None = Field(None, description="replaces the scenario's targets in this period")
    economics: dict[str, object] | None = None
    overrides: dict[str, object] | None = None


class PathwaySpec(_Strict):
    """The ``pathway:`` block of a pathway scenario: several periods from a starting fleet.

    Each period is the scenario with ``cost_year`` and ``build_year`` = the
    period's year (unless its ``periods_changes`` say otherwise) and its
    changes; see :mod:`energy_model.io.pathway_spec` for what the periods mean.
    """

    periods: list[_PathwayYear] = Field(min_length=1, max_length=20, description="the periods' years, increasing")
    foresight: Literal["perfect", "myopic"] = "perfect"
    years: list[Annotated[int, Field(ge=1, le=50)]] | None = Field(
        None, description="calendar years each period represents [yr]; default the gap to the next period, the "
                          "last the previous gap")
    fleet_year: _PathwayYear = Field(description="year of the starting fleet (inputs/fleet.csv)")
    discount_rate: float | None = Field(None, ge=0, le=0.3, description="between periods [1/yr]; default "
                                                                        "economics.discount_rate")
    commitments: list[Name] | None = Field(None, description="committed plants (units of inputs/fleet.csv) built "
                                                             "in the period of their commissioning year; default "
                                                             "every committed unit that is not an option")
    periods_changes: dict[int, PeriodChangesSpec] = Field(default_factory=dict)

    @field_validator("periods")
    @classmethod
    def _increasing(cls, value: list[int]) -> list[int]:
        if any(b <= a for a, b in zip(value, value[1:])):
            raise ValueError(f"periods must be strictly increasing years; got {value}")
        return value
