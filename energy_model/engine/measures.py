"""What each plan target measures, computed from a Results Dataset: the one definition.

Used by extraction (``target_value``, ``target_met``), the target test, the
scorecard's new-energy share and the post-solve checks, so a share or a
capacity is computed the same way wherever it is shown::

    min_capacity   sum_{g in k} capacity[g]                                      [MW]
    min_share      sum_{g in k, not storage} generation[g] / consumption          [-]
    max_emissions  sum_f direct emissions[f, pollutant]                           [t/yr]

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
MET_ABS = {n.MIN_CAPACITY: 1e-3, n.MIN_SHARE: 1e-6, n.MAX_EMISSIONS: 1e-3}


def consumption_mwh(inputs: xr.Dataset) -> float:
    """Annual electricity consumption [MWh/yr]: the demand of every step times the hours per year it stands for."""
    return float(inputs["demand_mw"].values @ time_arrays(inputs)[0])


def share(results: xr.Dataset, inputs: xr.Dataset, mask: np.ndarray) -> float:
    """Generation of the technologies in ``mask`` (storage excluded) / consumption [-]."""
    generating = np.asarray(mask, dtype=bool) & (inputs["kind"].values.astype(str) != n.STORAGE)
    return float(results["generation_mwh_per_yr"].values[generating].sum()) / consumption_mwh(inputs)


def target_values(results: xr.Dataset, inputs: xr.Dataset) -> np.ndarray:
    """The measure of every target of ``inputs`` (MW, fraction or t/yr by kind), in target order."""
    kinds = inputs["target_kind"].values.astype(str)
    members = inputs["target_member"].transpose(n.TARGET, n.TECH).values.astype(bool)
    pollutants = inputs["target_pollutant"].values.astype(str)
    capacity = results["capacity_mw"].values
    direct = results["emissions_t_per_yr"].sum(n.FUEL)
    out = np.zeros(len(kinds))
    for i, kind in enumerate(kinds):
        if kind == n.MIN_CAPACITY:
            out[i] = float(capacity[members[i]].sum())
        elif kind == n.MIN_SHARE:
            out[i] = share(results, inputs, members[i])
        else:
            out[i] = float(direct.sel({n.POLLUTANT: pollutants[i]}))
    return out


def is_met(kind: str | np.ndarray, value: float | np.ndarray, level: float | np.ndarray) -> bool | np.ndarray:
    """True where a measure meets its level (a cap from above, a floor from below), with solver slack."""
    kinds = np.asarray(kind)
    slack = np.vectorize(lambda k: MET_ABS.get(str(k), 1e-6), otypes=[float])(kinds)
    cap = kinds == n.MAX_EMISSIONS
    met = np.where(cap, np.asarray(value) <= np.asarray(level) * (1 + MET_REL) + slack,
                   np.asarray(value) >= np.asarray(level) * (1 - MET_REL) - slack)
    return bool(met) if met.ndim == 0 else met
