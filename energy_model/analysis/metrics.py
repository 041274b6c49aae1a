"""Pure functions from Results/ModelInputs Datasets to the numbers a planner reads.

Definitions (also in README "Outputs"):

- consumption = sum of hourly electricity demand [MWh/yr]
- new-energy share = generation of wind, solar and biomass technologies
  (after curtailment, exports included) / consumption — the plan's
  新能源发电量占全市用电量 ratio
- curtailment = available renewable output not used / available [-]
- LCOE of a technology = its annual costs / its annual output [CNY/MWh]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.binding_limits import UNSERVED_MW
from energy_model.engine.measures import consumption_mwh, share
from energy_model.inputs.lp_units import horizon_hours, time_arrays

#: Carriers counted as "new energy" (新能源) in the plan's share indicator.
#: New-energy carriers of inputs files written before ``inputs/carriers.csv`` existed.
NEW_ENERGY_CARRIERS = ("wind", "solar", "biomass")


def technology_table(results: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """One row per technology: capacity, output, curtailment, costs, LCOE, emissions."""
    w = time_arrays(inputs)[0]
    techs = inputs[n.TECH].values.astype(str)
    avail = np.nan_to_num(results["available_mw"].values) @ w
    curt = np.nan_to_num(results["curtailment_mw"].values) @ w
    costs = results["cost_by_technology_cny_per_yr"].to_pandas()
    gen = results["generation_mwh_per_yr"].values
    total_cost = costs.sum(axis=1).values
    table = pd.DataFrame(
        {
            "name": inputs["name"].values if "name" in inputs else techs,
            "kind": inputs["kind"].values,
            "carrier": inputs["carrier"].values,
            "existing_mw": inputs["existing_mw"].values,
            "capacity_mw": results["capacity_mw"].values,
            "new_capacity_mw": results["new_capacity_mw"].values,
            "energy_capacity_mwh": results["energy_capacity_mwh"].values,
            "generation_mwh_per_yr": gen,
            "full_load_hours": np.divide(gen, results["capacity_mw"].values,
                                         out=np.zeros_like(gen), where=results["capacity_mw"].values > 0),
            "curtailed_mwh_per_yr": curt,
            "curtailment_share": np.divide(curt, avail, out=np.zeros_like(curt), where=avail > 0),
            "cost_cny_per_yr": total_cost,
            "lcoe_cny_per_mwh": np.divide(total_cost, gen, out=np.full_like(gen, np.nan), where=gen > 1e-6),
        },
        index=pd.Index(techs, name=n.TECH),
    )
    for comp in costs.columns:
        table[f"{comp}_cny_per_yr"] = costs[comp].values
    return table


def monthly_generation(results: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """Electricity supplied per month and carrier, plus demand [GWh per month of the horizon].

    Storage is shown net (discharge - charge); exports are negative.
    """
    kind = inputs["kind"].values.astype(str)
    carrier = inputs["carrier"].values.astype(str)
    label = np.where(kind == n.IMPORT, "imports", np.where(kind == n.EXPORT, "exports", carrier))
    disp = results["dispatch_mw"].values.copy()
    disp[kind == n.EXPORT] *= -1.0
    keep = kind != n.BOILER
    frame = pd.DataFrame(disp[keep].T / 1000.0, index=pd.DatetimeIndex(inputs[n.TIME].values),
                         columns=label[keep])
    frame = frame.T.groupby(level=0).sum().T
    frame["demand"] = inputs["demand_mw"].values / 1000.0
    monthly = frame.groupby(frame.index.to_period("M")).sum()
    monthly.index = monthly.index.astype(str)
    return monthly


def new_energy_share(results: xr.Dataset, inputs: xr.Dataset) -> float:
    """New-energy generation / consumption [-] recomputed from dispatch.

    New energy is what ``inputs/carriers.csv`` marks as such (``new_energy``
    of the ModelInputs); inputs written before that table existed fall back to
    wind, solar and biomass.
    """
    if "new_energy" in inputs:
        mask = inputs["new_energy"].values.astype(bool)
    else:
        mask = np.isin(inputs["carrier"].values.astype(str), NEW_ENERGY_CARRIERS)
    return share(results, inputs, mask)


def fuel_table(results: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """Fuel use against supply limits, with the value of more supply."""
    use = results["fuel_use_units_per_yr"].values.astype(float)
    # below 1 MWh_th a year is solver tolerance, not a quantity (8 m3 of pipeline gas)
    use = np.where(use * inputs["energy_mwh_per_unit"].values < FUEL_NOISE_MWH_TH, 0.0, use)
    limit = inputs["max_units_per_yr"].values
    per_h = inputs["max_units_per_h"].values
    peak = results["fuel_use_mwh_th"].max(n.TIME).values / inputs["energy_mwh_per_unit"].values
    return pd.DataFrame(
        {
            "name": inputs["fuel_name"].values,
            "unit": inputs["fuel_unit"].values,
            "use_per_yr": use,
            "limit_per_yr": limit,
            "use_of_annual_limit": np.divide(use, limit, out=np.full_like(use, np.nan),
                                             where=np.isfinite(limit) & (limit > 0)),
            "peak_use_per_h": peak,
            "limit_per_h": per_h,
            "value_of_more_supply_cny_per_unit": results["supply_limit_value_cny_per_unit"].values,
            "co2_t_per_yr": results["emissions_t_per_yr"].sel(pollutant="co2").values,
        },
        index=pd.Index(inputs[n.FUEL].values.astype(str), name=n.FUEL),
    )


#: Annual fuel below this is interior-point noise, reported as 0 [MWh_th/yr].
FUEL_NOISE_MWH_TH = 1.0
#: New capacity below this is noise, not a build [MW].
BUILD_NOISE_MW = 1.0


def exchange(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, float]:
    """Trade with the provincial grid: energy [MWh/yr] and its value at the hourly prices [CNY/yr].

    ``import_cost`` and ``export_revenue`` are the objective's terms for the
    import and export rows (price x hourly multiplier x flow), so they add up
    with the other costs to the system cost. ``bill_at_benchmark`` is the
    bill-side view: net imports at the benchmark tariff [CNY/yr], a transfer
    that is never in the system cost.
    """
    kind = inputs["kind"].values.astype(str)
    gen = results["generation_mwh_per_yr"].values.astype(float)
    vom = results["cost_by_technology_cny_per_yr"].sel(component="vom").values.astype(float)
    imports, exports = float(gen[kind == n.IMPORT].sum()), float(gen[kind == n.EXPORT].sum())
    cost, revenue = float(vom[kind == n.IMPORT].sum()), -float(vom[kind == n.EXPORT].sum())
    tariff = float(inputs.attrs.get("benchmark_tariff_cny_per_mwh", float("nan")))
    return {
        "benchmark_tariff_cny_per_mwh": tariff,
        "bill_at_benchmark_cny_per_yr": (imports - exports) * tariff,
        "imports_mwh_per_yr": imports, "exports_mwh_per_yr": exports, "net_export_mwh_per_yr": exports - imports,
        "import_cost_cny_per_yr": cost, "export_revenue_cny_per_yr": revenue,
        "import_price_cny_per_mwh": cost / imports if imports > 0 else float("nan"),
        "export_price_cny_per_mwh": revenue / exports if exports > 0 else float("nan"),
    }


def new_fossil_mw(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, float]:
    """New capacity of fuel-burning technologies whose carrier is not new energy [MW], where built."""
    kind = inputs["kind"].values.astype(str)
    clean = set()
    if "carrier_new_energy" in inputs:
        clean = {str(c) for c, flag in zip(inputs["carrier_id"].values, inputs["carrier_new_energy"].values)
                 if bool(flag)}
    fossil = np.isin(kind, n.FUELLED_KINDS) & ~np.isin(inputs["carrier"].values.astype(str), list(clean))
    fossil &= kind != n.BOILER
    new = results["new_capacity_mw"].values.astype(float)
    techs = inputs[n.TECH].values.astype(str)
    return {str(g): float(v) for g, v, f in zip(techs, new, fossil) if f and v >= BUILD_NOISE_MW}


def summary(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, Any]:
    """Headline numbers of one solved case (JSON-ready, user units)."""
    cons = consumption_mwh(inputs)
    cost = float(results.attrs["objective_cny_per_yr"])
    w = time_arrays(inputs)[0]
    price = results["price_cny_per_mwh"].values
    demand = inputs["demand_mw"].values
    shed = results["unserved_mw"].values
    emis = results["emissions_t_per_yr"].sum(n.FUEL).to_series()
    tech = technology_table(results, inputs)
    return {
        "total_cost_cny_per_yr": cost,
        "cost_per_mwh_consumed_cny": cost / cons,
        "cost_components_cny_per_yr": results["cost_cny_per_yr"].to_series().to_dict(),
        "consumption_mwh_per_yr": cons,
        "peak_demand_mw": float(demand.max()),
        "new_energy_share": new_energy_share(results, inputs),
        "capacity_mw": tech["capacity_mw"].to_dict(),
        "new_capacity_mw": tech["new_capacity_mw"].to_dict(),
        "generation_mwh_per_yr": tech["generation_mwh_per_yr"].to_dict(),
        "curtailment_share": tech.loc[tech["kind"] == n.VARIABLE, "curtailment_share"].to_dict(),
        "emissions_t_per_yr": emis.to_dict(),
        "imported_co2_t_per_yr": float(results["imported_co2_t_per_yr"].sum()),
        "co2_ledgers_t_per_yr": {k.removeprefix("co2_").removesuffix("_t_per_yr"): float(results[k])
                                 for k in ("co2_production_t_per_yr", "co2_consumption_t_per_yr",
                                           "co2_exported_t_per_yr", "co2_imported_t_per_yr") if k in results},
        "exchange": exchange(results, inputs),
        "new_fossil_mw": new_fossil_mw(results, inputs),
        "kind": tech["kind"].to_dict(),
        "unserved_mwh_per_yr": float(shed @ w),
        "unserved_hours": int(round(float((shed > UNSERVED_MW) @ horizon_hours(inputs)))),  # hours of the horizon
        "price_cny_per_mwh": {
            "mean": float(price @ w / w.sum()),
            "demand_weighted": float((price * demand) @ w / (demand @ w)),
            "min": float(price.min()),
            "max": float(price.max()),
        },
        "fuels": fuel_table(results, inputs).to_dict(orient="index"),
    }
