"""Assemble validated tables into ModelInputs: the one Dataset the LP is built from.

Pure functions, no file I/O: :mod:`energy_model.inputs.load` reads files and calls
:func:`assemble_inputs`; tests and notebooks call it directly with small
DataFrames. ModelInputs is an ``xarray.Dataset`` with dimensions
``technology``, ``fuel``, ``pollutant``, ``target`` and ``time``, every
variable in user units (MW, MWh, CNY, t) with its unit in ``attrs``. It is
written unchanged to ``inputs.nc`` next to the results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.inputs.aggregate import PERIOD_HOURS, TimeStructure, aggregate_series, time_structure
from energy_model.inputs.price_shapes import TRADE_PRICES, price_shapes, series_key
from energy_model.io.case import Case
from energy_model.io.schema import EconomicsSpec, TargetSpec

#: Technology columns that hold numbers (user units in the names).
TECH_NUMERIC = (
    "existing_mw", "min_mw", "max_mw", "capex_cny_per_kw", "fom_cny_per_kw_yr", "vom_cny_per_mwh",
    "lifetime_yr", "efficiency", "heat_to_power", "min_stable_load", "ramp_rate_per_h", "availability",
    "co2_t_per_mwh", "capex_cny_per_kwh", "fom_cny_per_kwh_yr", "existing_mwh", "max_mwh",
    "charge_efficiency", "discharge_efficiency", "min_duration_h", "max_duration_h", "self_discharge_per_h",
    "startup_cost_cny_per_mw", "capacity_credit", "firm_duration_h", "min_full_load_hours", "max_full_load_hours",
)
TECH_TEXT = ("name", "name_zh", "kind", "carrier", "fuel", "profile", "price_profile")
FUEL_NUMERIC = (
    "energy_mwh_per_unit", "price_cny_per_unit", "co2_t_per_mwh_th", "so2_kg_per_mwh_th",
    "nox_kg_per_mwh_th", "pm_kg_per_mwh_th", "max_units_per_h", "max_units_per_yr",
)
FUEL_TEXT = ("name", "name_zh", "carrier", "unit")
#: Dataset names of table columns that would clash with a dimension or another table.
TECH_RENAME = {"fuel": "burns"}
FUEL_RENAME = {"name": "fuel_name", "name_zh": "fuel_name_zh", "carrier": "fuel_carrier", "unit": "fuel_unit"}


def capital_recovery_factor(rate: float, lifetime_yr: float) -> float:
    """Annuity factor turning an investment into equal yearly payments.

    Parameters
    ----------
    rate : float
        Discount rate [1/yr].
    lifetime_yr : float
        Economic lifetime [yr].

    Returns
    -------
    float
        ``r (1+r)^n / ((1+r)^n - 1)`` [1/yr]; ``1/n`` when ``r`` is 0.
    """
    if lifetime_yr <= 0:
        raise ValueError("lifetime must be positive")
    if rate == 0:
        return 1.0 / lifetime_yr
    g = (1.0 + rate) ** lifetime_yr
    return rate * g / (g - 1.0)


def _col(df: pd.DataFrame, name: str, numeric: bool) -> pd.Series:
    if name in df.columns:
        s = df[name]
        return pd.to_numeric(s, errors="raise").astype(float) if numeric else s.fillna("").astype(str)
    return pd.Series(np.nan if numeric else "", index=df.index, dtype=float if numeric else object)


def _tech_table(tech: pd.DataFrame, rate: float) -> dict[str, pd.Series]:
    t = {c: _col(tech, c, True) for c in TECH_NUMERIC} | {c: _col(tech, c, False) for c in TECH_TEXT}
    life = t["lifetime_yr"].fillna(30.0)
    crf = pd.Series([capital_recovery_factor(rate, float(x)) for x in life], index=tech.index)
    existing = t["existing_mw"].fillna(0.0)
    t["existing_mw"] = existing
    t["capacity_lower_mw"] = np.maximum(existing, t["min_mw"].fillna(0.0))
    t["capacity_upper_mw"] = t["max_mw"].fillna(np.inf)
    t["annualised_capex_cny_per_mw_yr"] = t["capex_cny_per_kw"].fillna(0.0) * 1000.0 * crf
    t["fom_cny_per_mw_yr"] = t["fom_cny_per_kw_yr"].fillna(0.0) * 1000.0
    t["annualised_capex_cny_per_mwh_yr"] = t["capex_cny_per_kwh"].fillna(0.0) * 1000.0 * crf
    t["fom_cny_per_mwh_yr"] = t["fom_cny_per_kwh_yr"].fillna(0.0) * 1000.0
    t["existing_mwh"] = t["existing_mwh"].fillna(0.0)
    t["energy_upper_mwh"] = t["max_mwh"].fillna(np.inf)
    t["capital_recovery_factor"] = crf
    return t


UNITS = {
    "existing_mw": "MW", "min_mw": "MW", "max_mw": "MW", "capacity_lower_mw": "MW", "capacity_upper_mw": "MW",
    "capex_cny_per_kw": "CNY/kW", "fom_cny_per_kw_yr": "CNY/kW/yr", "vom_cny_per_mwh": "CNY/MWh",
    "lifetime_yr": "yr", "efficiency": "1", "heat_to_power": "MWh_th/MWh", "min_stable_load": "1",
    "ramp_rate_per_h": "1/h", "availability": "1", "co2_t_per_mwh": "t/MWh", "capex_cny_per_kwh": "CNY/kWh",
    "fom_cny_per_kwh_yr": "CNY/kWh/yr", "existing_mwh": "MWh", "max_mwh": "MWh", "energy_upper_mwh": "MWh",
    "charge_efficiency": "1", "discharge_efficiency": "1", "min_duration_h": "h", "max_duration_h": "h",
    "self_discharge_per_h": "1/h", "startup_cost_cny_per_mw": "CNY/MW", "annualised_capex_cny_per_mw_yr": "CNY/MW/yr", "fom_cny_per_mw_yr": "CNY/MW/yr",
    "annualised_capex_cny_per_mwh_yr": "CNY/MWh/yr", "fom_cny_per_mwh_yr": "CNY/MWh/yr",
    "capital_recovery_factor": "1/yr", "price_cny_per_mwh_th": "CNY/MWh_th", "max_mwh_th_per_h": "MWh_th/h",
    "max_mwh_th_per_yr": "MWh_th/yr", "fuel_emission_t_per_mwh_th": "t/MWh_th", "demand_mw": "MW",
    "heat_demand_mw": "MW_th", "capacity_factor": "1", "energy_mwh_per_unit": "MWh_th/unit",
    "price_cny_per_unit": "CNY/unit", "max_units_per_h": "unit/h", "max_units_per_yr": "unit/yr",
    "capacity_credit": "1", "firm_duration_h": "h", "min_full_load_hours": "h/yr", "max_full_load_hours": "h/yr",
    "price_shape": "1",
}


#: Technology kinds a whole-system target counts, by target kind (the others list their members).
SYSTEM_MEMBERS = {
    n.MIN_SELF_SUFFICIENCY: (n.VARIABLE, n.THERMAL, n.CHP),  # local generation
    n.MAX_IMPORT: (n.IMPORT,),
    n.MAX_NET_EXPORT: (n.IMPORT, n.EXPORT),
    n.RESERVE_MARGIN: tuple(k for k in n.KINDS if k not in (n.BOILER, n.EXPORT)),
}


def resolve_members(spec: TargetSpec, tech: pd.DataFrame) -> list[str]:
    """Technologies a target counts: those listed plus those of the listed carriers (or, for whole-system
    kinds, every technology of the kinds in :data:`SYSTEM_MEMBERS`).

    A listed technology that is not in ``tech`` was excluded by the scenario
    (``exclude_technologies``; unknown names are refused when the scenario is
    read) and counts nothing.
    """
    if spec.kind in SYSTEM_MEMBERS:
        return [str(t) for t in tech.index if str(tech.loc[t, "kind"]) in SYSTEM_MEMBERS[spec.kind]]
    members = [t for t in spec.technologies or [] if t in tech.index]
    carriers = set(spec.carriers or [])
    if carriers:
        members += [str(t) for t in tech.index if str(tech.loc[t, "carrier"]) in carriers and t not in members]
    return members


def assemble_inputs(
    technologies: pd.DataFrame,
    fuels: pd.DataFrame,
    time: pd.DatetimeIndex,
    demand_mw: np.ndarray,
    heat_demand_mw: np.ndarray,
    capacity_factors: Mapping[str, np.ndarray],
    targets: Mapping[str, TargetSpec],
    economics: EconomicsSpec,
    attrs: Mapping[str, object] | None = None,
    price_shapes: Mapping[str, np.ndarray] | None = None,
) -> xr.Dataset:
    """Build ModelInputs from validated tables.

    Parameters
    ----------
    technologies : pandas.DataFrame
        Indexed by technology id, columns as in ``inputs/technologies.csv``.
    fuels : pandas.DataFrame
        Indexed by supply id, columns as in ``inputs/fuels.csv``.
    time : pandas.DatetimeIndex
        Hourly, tz-naive China Standard Time.
    demand_mw, heat_demand_mw : numpy.ndarray
        Hourly electricity [MW] and heat [MW_th] demand, one value per ``time``.
    capacity_factors : mapping of str to numpy.ndarray
        Hourly capacity factor [-] per profile name (``profile`` column).
    targets : mapping of str to TargetSpec
        Named targets.
    economics : EconomicsSpec
        Discount rate, carbon price, value of lost load.
    attrs : mapping, optional
        Extra metadata (scenario name, input hash...).
    price_shapes : mapping of str to numpy.ndarray, optional
        Hourly multiplier [-] of ``vom_cny_per_mwh`` per price-profile name
        (``price_profile`` column); technologies without one are flat (1).

    Returns
    -------
    xarray.Dataset
        ModelInputs.
    """
    hours = len(time)
    t = _tech_table(technologies, economics.discount_rate)
    techs = [str(x) for x in technologies.index]
    cf = np.ones((len(techs), hours))
    for i, g in enumerate(techs):
        if t["kind"][g] == n.VARIABLE:
            cf[i] = np.asarray(capacity_factors[t["profile"][g]], dtype=float)[:hours]
    fuel_ids = [str(x) for x in fuels.index]
    knames = list(targets)
    coords = {n.TECH: techs, n.TIME: pd.DatetimeIndex(time).tz_localize(None) if time.tz else time,
              n.FUEL: fuel_ids, n.POLLUTANT: list(n.POLLUTANTS), n.TARGET: knames}
    # Variables are collected first and the Dataset made once: item-by-item assignment
    # aligns every new variable and costs seconds per assembly.
    data: dict[str, tuple[Any, ...]] = {}
    for name, series in t.items():
        data[TECH_RENAME.get(name, name)] = (n.TECH, series.reindex(techs).to_numpy())
    data["capacity_factor"] = ((n.TECH, n.TIME), cf)
    shaped = np.ones((len(techs), hours))
    for i, g in enumerate(techs):
        if t["price_profile"][g]:
            key = series_key(g) if t["price_profile"][g] == TRADE_PRICES else t["price_profile"][g]
            shaped[i] = np.asarray((price_shapes or {})[key], dtype=float)[:hours]
    data["price_shape"] = ((n.TECH, n.TIME), shaped)
    data["demand_mw"] = (n.TIME, np.asarray(demand_mw, dtype=float))
    data["heat_demand_mw"] = (n.TIME, np.asarray(heat_demand_mw, dtype=float))

    f = {c: _col(fuels, c, True) for c in FUEL_NUMERIC} | {c: _col(fuels, c, False) for c in FUEL_TEXT}
    e = f["energy_mwh_per_unit"]
    for name in FUEL_TEXT + FUEL_NUMERIC:
        data[FUEL_RENAME.get(name, name)] = (n.FUEL, f[name].reindex(fuel_ids).to_numpy())
    data["price_cny_per_mwh_th"] = (n.FUEL, (f["price_cny_per_unit"] / e).fillna(0.0).to_numpy())
    data["max_mwh_th_per_h"] = (n.FUEL, (f["max_units_per_h"] * e).fillna(np.inf).to_numpy())
    data["max_mwh_th_per_yr"] = (n.FUEL, (f["max_units_per_yr"] * e).fillna(np.inf).to_numpy())
    emis = np.stack(
        [
            f["co2_t_per_mwh_th"].fillna(0.0).to_numpy(),
            f["so2_kg_per_mwh_th"].fillna(0.0).to_numpy() / 1000.0,
            f["nox_kg_per_mwh_th"].fillna(0.0).to_numpy() / 1000.0,
            f["pm_kg_per_mwh_th"].fillna(0.0).to_numpy() / 1000.0,
        ],
        axis=1,
    ).reshape(len(fuel_ids), len(n.POLLUTANTS))
    data["fuel_emission_t_per_mwh_th"] = ((n.FUEL, n.POLLUTANT), emis)

    member = np.zeros((len(knames), len(techs)), dtype=bool)
    for i, k in enumerate(knames):
        for g in resolve_members(targets[k], technologies):
            member[i, techs.index(g)] = True
    data["target_member"] = ((n.TARGET, n.TECH), member)
    data["target_kind"] = (n.TARGET, np.array([targets[k].kind for k in knames], dtype=object))
    data["target_mode"] = (n.TARGET, np.array([targets[k].mode for k in knames], dtype=object))
    data["target_level"] = (n.TARGET, np.array([targets[k].level for k in knames], dtype=float))
    data["target_penalty"] = (n.TARGET, np.array([targets[k].penalty or math.nan for k in knames], dtype=float))
    data["target_pollutant"] = (n.TARGET, np.array([targets[k].pollutant for k in knames], dtype=object))
    data["target_label"] = (n.TARGET, np.array([targets[k].label or k for k in knames], dtype=object))
    data["target_label_zh"] = (n.TARGET, np.array([targets[k].label_zh or "" for k in knames], dtype=object))
    data = {name: (*value, {"units": UNITS[name]}) if name in UNITS else value for name, value in data.items()}
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "hour_weight": n.HOURS_PER_YEAR / hours,
            "discount_rate": economics.discount_rate,
            "carbon_price_cny_per_t": economics.carbon_price_cny_per_t,
            "value_of_lost_load_cny_per_mwh": economics.value_of_lost_load_cny_per_mwh,
            "value_of_lost_heat_cny_per_mwh": economics.value_of_lost_heat_cny_per_mwh,
            "price_imported_co2": int(economics.price_imported_co2),
            "benchmark_tariff_cny_per_mwh": economics.benchmark_tariff_cny_per_mwh,
            "timezone": "Asia/Shanghai",
        }
    )
    ds[n.TIME].attrs["timezone"] = "Asia/Shanghai (UTC+8, no DST); labels are hour starts"
    if attrs:
        ds.attrs.update(dict(attrs))
    return ds


def carrier_table(carriers: pd.DataFrame, ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Carrier names, colours and the new-energy flag, plus each technology's ``new_energy`` flag.

    ``new_energy[g]`` is true for technologies of a new-energy carrier that
    generate electricity (storage and links are never new energy).
    """
    ids = [str(c) for c in carriers.index]
    coord = {"carrier_id": ids}
    out = {name: xr.DataArray(carriers[column].to_numpy(), dims="carrier_id", coords=coord)
           for name, column in (("carrier_name", "name"), ("carrier_name_zh", "name_zh"),
                                ("carrier_colour", "colour"), ("carrier_new_energy", "new_energy"))}
    flag = dict(zip(ids, carriers["new_energy"].astype(bool)))
    new = [bool(flag.get(str(c), False)) and str(k) not in (n.STORAGE, n.IMPORT, n.EXPORT)
           for c, k in zip(ds["carrier"].values, ds["kind"].values)]
    out["new_energy"] = xr.DataArray(np.array(new), dims=n.TECH, coords={n.TECH: ds[n.TECH].values})
    return out


def assemble_case(case: Case) -> xr.Dataset:
    """Build ModelInputs from a validated :class:`~energy_model.io.case.Case`.

    This is the only route from a case to the Dataset the LP is built from:
    a fresh scenario and a changed Study both go through it.

    Parameters
    ----------
    case : Case
        Validated inputs in user units.

    Returns
    -------
    xarray.Dataset
        ModelInputs; ``attrs`` carry the case's metadata and the annual
        demand totals [MWh/yr].
    """
    attrs = dict(case.attrs) | {"annual_demand_mwh": case.demand_annual_mwh,
                                "annual_heat_demand_mwh": case.heat_annual_mwh,
                                "peak_demand_mw": float(np.max(case.demand_mw)) if case.hours else 0.0}
    ts = time_structure(case)
    prices = price_shapes(case)
    if ts.method == "none":
        ds = assemble_inputs(case.technologies, case.fuels, case.time, case.demand_mw, case.heat_demand_mw,
                             case.capacity_factors, case.targets, case.economics, attrs, prices)
    else:
        cfs = {name: aggregate_series(ts, f"cf:{name}", np.asarray(series), cap=1.0)
               for name, series in case.capacity_factors.items() if f"cf:{name}" in ts.scale}
        ds = assemble_inputs(case.technologies, case.fuels, case.time[ts.start],
                             aggregate_series(ts, "demand", case.demand_shape) * case.demand_annual_mwh,
                             aggregate_series(ts, "heat", case.heat_shape) * case.heat_annual_mwh,
                             cfs, case.targets, case.economics, attrs,
                             {name: aggregate_series(ts, f"price:{name}", shape) for name, shape in prices.items()})
    ds = ds.assign(time_variables(ts, case))
    if ts.method != "none":
        del ds.attrs["hour_weight"]  # steps have weights of their own: time_weight
    ds.attrs.update(aggregation_attrs(ts, case))
    if case.carriers is not None:
        ds = ds.assign(carrier_table(case.carriers, ds))
    if case.hour_weight is not None and ts.method == "none":
        ds.attrs["hour_weight"] = float(case.hour_weight)
    return ds


def time_variables(ts: TimeStructure, case: Case) -> dict[str, xr.DataArray]:
    """Per-step weight [h/yr], duration [h] and representative period; the day sequence for linking."""
    out = {
        "time_weight": xr.DataArray(ts.weight, dims=n.TIME,
                                    attrs={"units": "h/yr", "long_name": "hours per year each step stands for"}),
        "step_hours": xr.DataArray(ts.step_hours, dims=n.TIME,
                                   attrs={"units": "h", "long_name": "duration of each step"}),
        "step_period": xr.DataArray(ts.period, dims=n.TIME,
                                    attrs={"long_name": "representative period of each step"}),
    }
    if len(ts.sequence):
        days = case.time[:: PERIOD_HOURS][: len(ts.sequence)]
        out["period_sequence"] = xr.DataArray(
            ts.sequence, dims="day", coords={"day": pd.DatetimeIndex(days).tz_localize(None) if days.tz else days},
            attrs={"long_name": "representative period standing for each day of the horizon"})
    return out


def aggregation_attrs(ts: TimeStructure, case: Case) -> dict[str, object]:
    """What the aggregation was, for the manifest, summary and report."""
    spec = case.aggregation
    out: dict[str, object] = {"aggregation_method": ts.method, "horizon_hours": case.hours,
                              "horizon_start": f"{case.time[0]:%Y-%m-%d %H:%M}",
                              "horizon_end": f"{case.time[-1]:%Y-%m-%d %H:%M}"}
    if ts.method != "none":
        out |= {"aggregation_periods": int(spec.periods), "aggregation_steps": int(ts.steps),
                "aggregation_link_storage": int(spec.link_storage and ts.method == "typical_days"),
                "aggregation_extremes": ", ".join(
                    f"{name} {case.time[day * PERIOD_HOURS]:%Y-%m-%d}" for name, day in ts.extremes.items())}
    return out
