"""Turn the ModelInputs Dataset into plain, LP-scaled Python data for the build.

The model code never reads user units: every number passes through
:func:`lp_data`, which converts MW -> GW, CNY -> million CNY and t -> kt
(see :mod:`energy_model.vocabulary`). Technologies are grouped by ``kind`` only;
no technology name appears here or anywhere in :mod:`energy_model.model`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n

MW = n.MW_PER_LP
MONEY = n.CNY_PER_LP


@dataclass
class LPData:
    """LP-scaled data, grouped by constraint family.

    Power in GW, energy in GWh, money in million CNY, emissions in kt.
    """

    hours: int  # number of steps (hours of the horizon, or aggregated steps)
    weight: np.ndarray  # [h/yr] per step: annual quantity = sum_t weight[t] * rate[t]
    step_hours: np.ndarray  # [h] duration of each step (1 unless segments)
    prev: np.ndarray  # step before each step (cyclic within its period)
    period_steps: list[np.ndarray]  # steps of each representative period, in order
    sequence: np.ndarray  # representative period of each original day (typical days; empty otherwise)
    link_storage: bool  # storage state carried across the sequence of days
    techs: list[str]
    kind: dict[str, str]
    by_kind: dict[str, list[str]]
    cap_existing: dict[str, float]  # [GW]
    cap_lo: dict[str, float]  # [GW] total capacity lower bound
    cap_hi: dict[str, float]  # [GW] total capacity upper bound (inf = none)
    capex: dict[str, float]  # [MCNY/GW/yr] annualised investment per new capacity
    fom: dict[str, float]  # [MCNY/GW/yr]
    vom: dict[str, float]  # [MCNY/GWh]
    efficiency: dict[str, float]
    heat_to_power: dict[str, float]
    min_load: dict[str, float]
    ramp: dict[str, float]  # [fraction of capacity per hour]; nan = unlimited
    availability: dict[str, float]
    startup: dict[str, float]  # [MCNY/GW] cost of bringing one GW online
    fuel_of: dict[str, str]  # tech -> fuel carrier burnt
    cf: dict[str, np.ndarray]  # variable techs: capacity factor per hour [-]
    # storage energy part
    e_existing: dict[str, float]  # [GWh]
    e_hi: dict[str, float]  # [GWh]
    e_capex: dict[str, float]  # [MCNY/GWh/yr]
    e_fom: dict[str, float]  # [MCNY/GWh/yr]
    eta_charge: dict[str, float]
    eta_discharge: dict[str, float]
    dur_lo: dict[str, float]  # [h]
    dur_hi: dict[str, float]  # [h]
    self_discharge: dict[str, float]  # [1/h]
    # demand
    demand: np.ndarray  # [GW]
    heat_demand: np.ndarray  # [GW_th]
    # fuels (supplies)
    fuels: list[str]
    fuel_carrier: dict[str, str]
    fuel_price: dict[str, float]  # [MCNY/GWh_th]
    fuel_max_h: dict[str, float]  # [GWh_th per hour]; inf = none
    fuel_max_yr: dict[str, float]  # [GWh_th per yr]; inf = none
    emission: dict[tuple[str, str], float]  # (fuel, pollutant) -> [kt/GWh_th]
    direct_co2: dict[str, float]  # tech -> [kt/GWh] (imports)
    price_shape: dict[str, np.ndarray]  # tech -> hourly multiplier of vom [-] (shaped techs only)
    capacity_credit: dict[str, float]  # [-] firm share of capacity (reserve margin)
    firm_duration: dict[str, float]  # [h] storage: discharge hours for full credit (inf: power only)
    flh_min: dict[str, float]  # [h/yr] minimum annual full-load hours (0: none)
    flh_max: dict[str, float]  # [h/yr] maximum annual full-load hours (inf: none)
    peak_demand: float  # [GW] highest demand of the full-resolution horizon
    price_imported_co2: bool  # carbon price charged on direct_co2 of imports
    # economics
    carbon_price: float  # [MCNY/kt]
    voll: float  # [MCNY/GWh]
    heat_voll: float  # [MCNY/GWh_th]
    # targets
    targets: list[str] = field(default_factory=list)
    target_kind: dict[str, str] = field(default_factory=dict)
    target_mode: dict[str, str] = field(default_factory=dict)
    target_level: dict[str, float] = field(default_factory=dict)  # GW, fraction, kt
    target_penalty: dict[str, float] = field(default_factory=dict)  # MCNY per GW, per GWh, per kt
    target_members: dict[str, list[str]] = field(default_factory=dict)
    target_pollutant: dict[str, str] = field(default_factory=dict)


def _num(value: object, default: float = math.nan) -> float:
    x = float(value)  # type: ignore[arg-type]
    return default if math.isnan(x) else x


#: User units of a target level per LP unit, by family (MW per GW, MWh per GWh, t per kt; fractions as they are).
LEVEL_SCALE = {n.CAPACITY: MW, n.SHARE: 1.0, n.EMISSIONS: n.T_PER_LP, n.ENERGY: MW, n.MARGIN: 1.0}
#: User units of a soft-target penalty per LP unit, by family (the shortfall variable's LP unit:
#: GW, GWh, kt or GW of firm capacity): CNY/kW/yr == MCNY/GW/yr; CNY/MWh -> MCNY/GWh; CNY/t -> MCNY/kt.
PENALTY_SCALE = {n.CAPACITY: 1.0, n.SHARE: MONEY / MW, n.EMISSIONS: MONEY / n.T_PER_LP, n.ENERGY: MONEY / MW,
                 n.MARGIN: 1.0}


def target_level_to_lp(kind: str, level: float) -> float:
    """Convert a target level from user units (MW, fraction, t/yr, MWh/yr) to LP units."""
    return level / LEVEL_SCALE[n.target_family(kind)]


def target_level_from_lp(kind: str, value: float) -> float:
    """Convert a target measure from LP units (GW, fraction, kt/yr, GWh/yr) back to user units."""
    return value * LEVEL_SCALE[n.target_family(kind)]


def target_penalty_to_lp(kind: str, penalty: float) -> float:
    """Convert a soft-target penalty (CNY/kW-yr, CNY/MWh, CNY/t) to LP units."""
    return penalty / PENALTY_SCALE[n.target_family(kind)]


def time_arrays(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-step weight [h/yr], duration [h] and representative period of a ModelInputs Dataset.

    Datasets written before time aggregation existed have one uniform
    ``hour_weight`` attribute; they read as steps of one hour of that weight.
    """
    hours = int(ds.sizes[n.TIME])
    if "time_weight" in ds:
        return (ds.variables["time_weight"].values.astype(float), ds.variables["step_hours"].values.astype(float),
                ds.variables["step_period"].values.astype(int))
    return (np.full(hours, float(ds.attrs["hour_weight"])), np.ones(hours), np.zeros(hours, dtype=int))


def step_prev(ds: xr.Dataset) -> np.ndarray:
    """The step before each step, cyclic within its period (the horizon without aggregation)."""
    period = time_arrays(ds)[2]
    prev = np.arange(len(period)) - 1
    for k in np.unique(period):
        steps = np.flatnonzero(period == k)
        prev[steps[0]] = steps[-1]
    return prev


def horizon_hours(ds: xr.Dataset) -> np.ndarray:
    """Hours of the horizon each step stands for [h] (1 per step without aggregation); sums to the horizon."""
    w = time_arrays(ds)[0]
    total = float(ds.attrs.get("horizon_hours", len(w)))
    return w * total / float(w.sum()) if w.sum() > 0 else np.ones(len(w))


def _columns(ds: xr.Dataset, dim: str) -> dict[str, pd.Series]:
    """Every data variable of ``ds`` over ``dim`` alone, as a Series on that dimension's index.

    Read from the variables directly: ``ds[name]`` builds a DataArray with
    every coordinate each time, which made this the slow part of building a
    small LP.
    """
    coords = set(ds.coords)
    index = ds.indexes[dim]
    return {str(name): pd.Series(var.values, index=index, name=name) for name, var in ds.variables.items()
            if name not in coords and var.dims == (dim,)}


def lp_data(ds: xr.Dataset) -> LPData:
    """Extract LP-scaled data from a ModelInputs Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        ModelInputs as built by :func:`energy_model.inputs.load.build_model_inputs`.

    Returns
    -------
    LPData
    """
    techs = [str(t) for t in ds.variables[n.TECH].values]
    hours = int(ds.sizes[n.TIME])
    col = _columns(ds, n.TECH)

    def per_tech(name: str, scale: float = 1.0, default: float = math.nan) -> dict[str, float]:
        return {t: _num(col[name][t], default) * scale for t in techs}

    kind = {t: str(col["kind"][t]) for t in techs}
    by_kind = {k: [t for t in techs if kind[t] == k] for k in n.KINDS}
    cf_all = ds["capacity_factor"].transpose(n.TECH, n.TIME).values
    cf = {t: np.asarray(cf_all[i], dtype=float) for i, t in enumerate(techs) if kind[t] == n.VARIABLE}

    fuels = [str(f) for f in ds.variables[n.FUEL].values]
    fcol = _columns(ds, n.FUEL)
    emis = ds["fuel_emission_t_per_mwh_th"].transpose(n.FUEL, n.POLLUTANT)
    pollutants = [str(p) for p in emis[n.POLLUTANT].values]
    emis_values = np.asarray(emis.values, dtype=float)
    emission = {(f, p): float(emis_values[i, j]) for i, f in enumerate(fuels) for j, p in enumerate(pollutants)}

    price_shape: dict[str, np.ndarray] = {}
    if "price_shape" in ds:
        shapes = ds["price_shape"].transpose(n.TECH, n.TIME).values
        price_shape = {t: np.asarray(shapes[i], dtype=float) for i, t in enumerate(techs)
                       if not np.all(shapes[i] == 1.0)}
    weight, step_hours, period = time_arrays(ds)
    period_steps = [np.flatnonzero(period == k) for k in range(int(period.max()) + 1 if hours else 0)]
    prev = np.arange(hours) - 1
    for steps in period_steps:
        prev[steps[0]] = steps[-1]
    sequence = ds.variables["period_sequence"].values.astype(int) if "period_sequence" in ds else np.zeros(0, dtype=int)
    data = LPData(
        hours=hours,
        weight=weight,
        step_hours=step_hours,
        prev=prev,
        period_steps=period_steps,
        sequence=sequence,
        link_storage=bool(ds.attrs.get("aggregation_link_storage", 0)) and len(sequence) > 0,
        techs=techs,
        kind=kind,
        by_kind=by_kind,
        cap_existing=per_tech("existing_mw", 1 / MW, 0.0),
        cap_lo=per_tech("capacity_lower_mw", 1 / MW, 0.0),
        cap_hi=per_tech("capacity_upper_mw", 1 / MW, math.inf),
        capex=per_tech("annualised_capex_cny_per_mw_yr", MW / MONEY, 0.0),
        fom=per_tech("fom_cny_per_mw_yr", MW / MONEY, 0.0),
        vom=per_tech("vom_cny_per_mwh", MW / MONEY, 0.0),
        efficiency=per_tech("efficiency", 1.0, 1.0),
        heat_to_power=per_tech("heat_to_power", 1.0, 0.0),
        min_load=per_tech("min_stable_load", 1.0, 0.0),
        ramp=per_tech("ramp_rate_per_h"),
        availability=per_tech("availability", 1.0, 1.0),
        startup=per_tech("startup_cost_cny_per_mw", MW / MONEY, 0.0),
        fuel_of={t: str(col["burns"][t]) for t in techs},
        cf=cf,
        e_existing=per_tech("existing_mwh", 1 / MW, 0.0),
        e_hi=per_tech("energy_upper_mwh", 1 / MW, math.inf),
        e_capex=per_tech("annualised_capex_cny_per_mwh_yr", MW / MONEY, 0.0),
        e_fom=per_tech("fom_cny_per_mwh_yr", MW / MONEY, 0.0),
        eta_charge=per_tech("charge_efficiency", 1.0, 1.0),
        eta_discharge=per_tech("discharge_efficiency", 1.0, 1.0),
        dur_lo=per_tech("min_duration_h", 1.0, 0.0),
        dur_hi=per_tech("max_duration_h", 1.0, math.inf),
        self_discharge=per_tech("self_discharge_per_h", 1.0, 0.0),
        demand=ds.variables["demand_mw"].values.astype(float) / MW,
        heat_demand=ds.variables["heat_demand_mw"].values.astype(float) / MW,
        fuels=fuels,
        fuel_carrier={f: str(fcol["fuel_carrier"][f]) for f in fuels},
        fuel_price={f: _num(fcol["price_cny_per_mwh_th"][f], 0.0) * MW / MONEY for f in fuels},
        fuel_max_h={f: _num(fcol["max_mwh_th_per_h"][f], math.inf) / MW for f in fuels},
        fuel_max_yr={f: _num(fcol["max_mwh_th_per_yr"][f], math.inf) / MW for f in fuels},
        emission=emission,  # t/MWh == kt/GWh
        direct_co2=per_tech("co2_t_per_mwh", 1.0, 0.0),
        price_shape=price_shape,
        capacity_credit=per_tech("capacity_credit", 1.0, 0.0),
        firm_duration=per_tech("firm_duration_h", 1.0, math.inf),
        flh_min=per_tech("min_full_load_hours", 1.0, 0.0),
        flh_max=per_tech("max_full_load_hours", 1.0, math.inf),
        peak_demand=float(ds.attrs.get("peak_demand_mw", float(ds["demand_mw"].max()) if hours else 0.0)) / MW,
        price_imported_co2=bool(ds.attrs.get("price_imported_co2", 0)),
        carbon_price=float(ds.attrs["carbon_price_cny_per_t"]) * n.T_PER_LP / MONEY,
        voll=float(ds.attrs["value_of_lost_load_cny_per_mwh"]) * MW / MONEY,
        heat_voll=float(ds.attrs["value_of_lost_heat_cny_per_mwh"]) * MW / MONEY,
    )
    if n.TARGET in ds.dims and ds.sizes[n.TARGET] > 0:
        member = ds["target_member"].transpose(n.TARGET, n.TECH).values
        for i, k in enumerate(str(x) for x in ds.variables[n.TARGET].values):
            kind_k = str(ds.variables["target_kind"].values[i])
            data.targets.append(k)
            data.target_kind[k] = kind_k
            data.target_mode[k] = str(ds.variables["target_mode"].values[i])
            data.target_level[k] = target_level_to_lp(kind_k, float(ds.variables["target_level"].values[i]))
            pen = float(ds.variables["target_penalty"].values[i])
            data.target_penalty[k] = 0.0 if math.isnan(pen) else target_penalty_to_lp(kind_k, pen)
            data.target_members[k] = [t for j, t in enumerate(techs) if bool(member[i, j])]
            data.target_pollutant[k] = str(ds.variables["target_pollutant"].values[i])
    return data
