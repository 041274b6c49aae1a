"""What each plan target measures, computed from a Results Dataset: the one definition.

Used by extraction (``target_value``, ``target_met``), the target test, the
scorecard's new-energy share and the post-solve checks, so a share or a
capacity is computed the same way wherever it is shown::

    min_capacity          sum_{g in k} capacity[g]                                      [MW]
    min_share,
    min_self_sufficiency  sum_{g in k, not storage} generation[g] / consumption          [-]
    max_emissions         sum_f direct emissions[f, pollutant]                           [t/yr]
    max_import            sum_{g import} generation[g]                                   [MWh/yr]
    max_net_export        sum_{g export} generation[g] - sum_{g import} generation[g]    [MWh/yr]
    reserve_margin        firm capacity / peak demand - 1                                [-]
                          firm = sum_g credit[g] * capacity[g] (storage: credit * min(capacity,
                          energy capacity / firm_duration_h))

Two carbon ledgers (:func:`carbon_ledgers`)::

    production   = direct CO2 of the city's plants (fuel burnt in the city)               [t/yr]
    consumption  = production - exports * production / local generation
                   + sum_{g import} imports[g] * co2[g]      (co2: the provincial grid factor) [t/yr]

Consumption is the annualised demand: ``sum_t w[t] * demand[t]`` [MWh/yr] (w: hours per year of each step).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import time_arrays

#: Relative slack when comparing a measure with its level.
MET_REL = 1e-6
#: Absolute slack by target kind, above the solver's feasibility tolerance (1e-7 in LP units:
#: 1e-4 MW of capacity, 1e-4 t of emissions) [MW | fraction | t/yr].
MET_ABS = {n.CAPACITY: 1e-3, n.SHARE: 1e-6, n.EMISSIONS: 1e-3, n.ENERGY: 1e-3, n.MARGIN: 1e-6}
#: A shadow price at or below this in magnitude, in the target's own unit (CNY/kW/yr, CNY/MWh, CNY/t),
#: counts as zero: the target does not bind (interior-point noise is not a price). The one threshold
#: of the extraction, the target table, the verdicts and the sweep's counts.
BINDING_PRICE = 1e-6


def binds(price: float | np.ndarray) -> bool | np.ndarray:
    """True where a shadow price [CNY per the target's unit] is a price, not noise (``|price| >`` :data:`BINDING_PRICE`)."""
    out = np.abs(price) > BINDING_PRICE
    return bool(out) if np.ndim(out) == 0 else out


def consumption_mwh(inputs: xr.Dataset) -> float:
    """Annual electricity consumption [MWh/yr]: the demand of every step times the hours per year it stands for."""
    return float(inputs.variables["demand_mw"].values @ time_arrays(inputs)[0])


def share(results: xr.Dataset, inputs: xr.Dataset, mask: np.ndarray) -> float:
    """Generation of the technologies in ``mask`` (storage excluded) / consumption [-]."""
    generating = np.asarray(mask, dtype=bool) & (inputs.variables["kind"].values.astype(str) != n.STORAGE)
    return float(results.variables["generation_mwh_per_yr"].values[generating].sum()) / consumption_mwh(inputs)


def peak_demand_mw(inputs: xr.Dataset) -> float:
    """Highest demand of the full-resolution horizon [MW] (the steps' maximum for older inputs)."""
    return float(inputs.attrs.get("peak_demand_mw", float(inputs["demand_mw"].max())))


def firm_capacity_mw(results: xr.Dataset, inputs: xr.Dataset, mask: np.ndarray) -> float:
    """Firm capacity of the technologies in ``mask`` [MW]: credit x capacity, storage also limited by energy."""
    credit = inputs["capacity_credit"].fillna(0.0).values if "capacity_credit" in inputs else np.zeros(len(mask))
    capacity = results.variables["capacity_mw"].values.astype(float)
    storage = inputs.variables["kind"].values.astype(str) == n.STORAGE
    if storage.any():
        duration = inputs.variables["firm_duration_h"].values.astype(float)
        energy = np.nan_to_num(results.variables["energy_capacity_mwh"].values.astype(float))
        by_energy = np.where(np.isfinite(duration) & (duration > 0), energy / np.where(duration > 0, duration, 1.0),
                             np.inf)
        capacity = np.where(storage, np.minimum(capacity, by_energy), capacity)
    return float((credit * capacity)[np.asarray(mask, dtype=bool)].sum())


def exchange_mwh(results: xr.Dataset, inputs: xr.Dataset, *, net_export: bool) -> float:
    """Annual imports [MWh/yr], or exports minus imports with ``net_export``."""
    kind = inputs.variables["kind"].values.astype(str)
    gen = results.variables["generation_mwh_per_yr"].values
    imports = float(gen[kind == n.IMPORT].sum())
    return float(gen[kind == n.EXPORT].sum()) - imports if net_export else imports


def target_values(results: xr.Dataset, inputs: xr.Dataset) -> np.ndarray:
    """The measure of every target of ``inputs`` (by kind: MW, fraction, t/yr or MWh/yr), in target order."""
    kinds = inputs.variables["target_kind"].values.astype(str)
    members = inputs["target_member"].transpose(n.TARGET, n.TECH).values.astype(bool)
    pollutants = inputs.variables["target_pollutant"].values.astype(str)
    capacity = results.variables["capacity_mw"].values
    direct = results["emissions_t_per_yr"].sum(n.FUEL)
    out = np.zeros(len(kinds))
    for i, kind in enumerate(kinds):
        family = n.target_family(kind)
        if family == n.CAPACITY:
            out[i] = float(capacity[members[i]].sum())
        elif family == n.SHARE:
            out[i] = share(results, inputs, members[i])
        elif family == n.ENERGY:
            out[i] = exchange_mwh(results, inputs, net_export=kind == n.MAX_NET_EXPORT)
        elif family == n.MARGIN:
            peak = peak_demand_mw(inputs)
            out[i] = firm_capacity_mw(results, inputs, members[i]) / peak - 1.0 if peak > 0 else np.inf
        else:
            out[i] = float(direct.sel({n.POLLUTANT: pollutants[i]}))
    return out


def is_met(kind: str | np.ndarray, value: float | np.ndarray, level: float | np.ndarray) -> bool | np.ndarray:
    """True where a measure meets its level (a cap from above, a floor from below), with solver slack."""
    kinds = np.asarray(kind)
    slack = np.vectorize(lambda k: MET_ABS.get(n.target_family(str(k)), 1e-6), otypes=[float])(kinds)
    cap = np.vectorize(lambda k: n.is_ceiling(str(k)), otypes=[bool])(kinds)
    met = np.where(cap, np.asarray(value) <= np.asarray(level) + np.abs(np.asarray(level)) * MET_REL + slack,
                   np.asarray(value) >= np.asarray(level) - np.abs(np.asarray(level)) * MET_REL - slack)
    return bool(met) if met.ndim == 0 else met


def carbon_ledgers(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, tuple[float, str]]:
    """Production- and consumption-based CO2 [t/yr], with a description of each.

    Exports leave at the intensity of the city's own generation (direct CO2
    per MWh of local electricity); imports come in at the import row's CO2
    factor (the provincial grid's).
    """
    kind = inputs.variables["kind"].values.astype(str)
    gen = results.variables["generation_mwh_per_yr"].values.astype(float)
    production = float(results["emissions_t_per_yr"].sel({n.POLLUTANT: "co2"}).sum())
    local = float(gen[np.isin(kind, (n.VARIABLE, n.THERMAL, n.CHP))].sum())
    exports = float(gen[kind == n.EXPORT].sum())
    factor = inputs["co2_t_per_mwh"].fillna(0.0).values.astype(float)
    imported = float((gen * factor)[kind == n.IMPORT].sum())
    intensity = production / local if local > 0 else 0.0
    consumption = production - exports * intensity + imported
    return {
        "co2_production_t_per_yr": (production, "CO2 of the fuel burnt in the city (production-based ledger)"),
        "co2_consumption_t_per_yr": (consumption, "CO2 of the electricity the city consumes: production less "
                                                  "exports at the local intensity plus imports at the provincial "
                                                  "grid factor (consumption-based ledger)"),
        "co2_exported_t_per_yr": (exports * intensity, "CO2 leaving with exports (local intensity)"),
        "co2_imported_t_per_yr": (imported, "CO2 entering with imports (provincial grid factor)"),
    }
