"""What a time aggregation cost: an aggregated answer side by side with the full horizon's.

Representative periods get the objective right long before the capacities
(see ``docs/aggregation.md``), so the comparison reports, for the same case:

- the objective [CNY/yr] and its relative error;
- every technology's capacity [MW] (storage also its energy [MWh]) and its
  error relative to ``max(full value, floor)``; the floor (default 1 % of
  the peak demand) keeps a 3 MW unit that becomes 5 MW from reading as a
  67 % error while still counting it;
- the new-energy share of consumption [-];
- every target's value and shadow price.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.metrics import new_energy_share

#: Capacity errors are relative to max(full-year capacity, this share of the peak demand).
FLOOR_SHARE_OF_PEAK = 0.01


def _rel(a: float, b: float, floor: float = 0.0) -> float:
    den = max(abs(b), floor)
    return (a - b) / den if den > 0 else (0.0 if a == b else math.inf)


def compare_to_full(agg: xr.Dataset, agg_inputs: xr.Dataset, full: xr.Dataset, full_inputs: xr.Dataset,
                    floor_mw: float | None = None) -> dict[str, Any]:
    """Errors of an aggregated answer against the full horizon's answer for the same case.

    Parameters
    ----------
    agg, full : xarray.Dataset
        Results of the aggregated and of the full-horizon solve.
    agg_inputs, full_inputs : xarray.Dataset
        The ModelInputs they were solved from.
    floor_mw : float, optional
        Capacity error floor [MW] (default 1 % of the full horizon's peak demand).

    Returns
    -------
    dict
        JSON-ready: ``objective`` (aggregated, full, relative error),
        ``capacity_mw`` per technology (aggregated, full, difference,
        relative error), ``max_capacity_error`` (largest absolute relative
        capacity error and its technology), ``energy_capacity_mwh`` for
        storage, ``new_energy_share`` and ``targets`` (value and shadow price,
        aggregated and full).
    """
    floor = floor_mw if floor_mw is not None else FLOOR_SHARE_OF_PEAK * float(full_inputs["demand_mw"].max())
    obj_a, obj_f = float(agg.attrs["objective_cny_per_yr"]), float(full.attrs["objective_cny_per_yr"])
    caps: dict[str, dict[str, float]] = {}
    worst = ("", 0.0)
    for g in full[n.TECH].values.astype(str):
        a = float(agg["capacity_mw"].sel({n.TECH: g}))
        f = float(full["capacity_mw"].sel({n.TECH: g}))
        err = _rel(a, f, floor)
        caps[g] = {"aggregated": a, "full": f, "difference": a - f, "relative_error": err}
        if abs(err) > abs(worst[1]):
            worst = (g, err)
    energy: dict[str, dict[str, float]] = {}
    for g in full[n.TECH].values.astype(str):
        f = float(full["energy_capacity_mwh"].sel({n.TECH: g}))
        if not np.isnan(f):
            a = float(agg["energy_capacity_mwh"].sel({n.TECH: g}))
            energy[g] = {"aggregated": a, "full": f, "difference": a - f,
                         "relative_error": _rel(a, f, floor)}
    targets: dict[str, dict[str, float]] = {}
    for k in full[n.TARGET].values.astype(str):
        sel = {n.TARGET: k}
        targets[k] = {"value_aggregated": float(agg["target_value"].sel(sel)),
                      "value_full": float(full["target_value"].sel(sel)),
                      "shadow_price_aggregated": float(agg["target_shadow_price"].sel(sel)),
                      "shadow_price_full": float(full["target_shadow_price"].sel(sel))}
    share_a, share_f = new_energy_share(agg, agg_inputs), new_energy_share(full, full_inputs)
    return {
        "objective": {"aggregated_cny_per_yr": obj_a, "full_cny_per_yr": obj_f,
                      "relative_error": _rel(obj_a, obj_f)},
        "capacity_floor_mw": floor,
        "capacity_mw": caps,
        "max_capacity_error": {"technology": worst[0], "relative_error": worst[1]},
        "energy_capacity_mwh": energy,
        "new_energy_share": {"aggregated": share_a, "full": share_f, "difference": share_a - share_f},
        "targets": targets,
    }
