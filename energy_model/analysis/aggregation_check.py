"""What a time aggregation cost: an aggregated answer side by side with the full horizon's.

Representative periods get the objective right long before the capacities
(see ``docs/aggregation.md``), so the comparison reports, for the same case:

- the objective [CNY/yr] and its relative error;
- every technology's capacity [MW] (storage also its energy [MWh]) and its
  error relative to ``max(full value, floor)``; the floor (default 1 % of
  the peak demand) keeps a 3 MW unit that becomes 5 MW from reading as a
  67 % error while still counting it;
- the new-energy share of consumption [-];
- every target's value and shadow price;
- the annual figures a reader quotes (:func:`annual_quantities`): CO2 on
  both ledgers [t/yr], imports and exports [MWh/yr], curtailed energy
  [MWh/yr] and every fuel's use [unit/yr], each with its error relative to
  ``max(|full value|, floor)`` (:func:`annual_floors`: 1 % of the annual
  consumption for energies and fuels, the fuels' in their own units;
  1 % of the larger full-horizon CO2 ledger, at least 1 t, for CO2); the
  errors above 3 % (:data:`FLAG_ABOVE`) are flagged (:func:`flagged`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.analysis.metrics import new_energy_share
from energy_model.engine.measures import carbon_ledgers, consumption_mwh
from energy_model.inputs.lp_units import time_arrays

#: Capacity errors are relative to max(full-year capacity, this share of the peak demand).
FLOOR_SHARE_OF_PEAK = 0.01
#: Errors of annual energies (imports, exports, curtailment, fuels) are relative to
#: max(|full value|, this share of the annual consumption) [-].
FLOOR_SHARE_OF_CONSUMPTION = 0.01
#: Errors of CO2 are relative to max(|full value|, this share of the larger full CO2 ledger, FLOOR_CO2_T) [-].
FLOOR_SHARE_OF_CO2 = 0.01
#: Smallest CO2 floor [t/yr].
FLOOR_CO2_T = 1.0
#: Annual figures whose relative error exceeds this are flagged [-].
FLAG_ABOVE = 0.03
#: The annual figures compared, in reading order (fuels follow as ``fuel.<fuel>``).
ANNUAL = ("co2_production", "co2_consumption", "imports", "exports", "curtailment")
#: Prefix of a fuel's key among the annual figures.
FUEL_KEY = "fuel."


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
        storage, ``new_energy_share``, ``targets`` (value and shadow price,
        aggregated and full) and the annual figures of :func:`annual_section`.
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
        **annual_section(agg, agg_inputs, full, full_inputs),
    }


def annual_quantities(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, float]:
    """The annual figures compared with the full horizon, by key.

    ``co2_production`` and ``co2_consumption`` [t/yr] (the two ledgers of
    :func:`energy_model.engine.measures.carbon_ledgers`, or the results'
    variables of the same name), ``imports`` and ``exports`` [MWh/yr] (annual
    output of the ``import`` and ``export`` technologies), ``curtailment``
    [MWh/yr] (curtailed energy summed over the variable technologies) and
    ``fuel.<fuel>`` [trading unit/yr] (``fuel_use_units_per_yr``).
    """
    kind = inputs["kind"].sel({n.TECH: results[n.TECH].values}).values.astype(str)
    gen = results["generation_mwh_per_yr"].values.astype(float)
    ledgers = carbon_ledgers(results, inputs)
    w = time_arrays(inputs)[0]
    curtailed = np.nan_to_num(results["curtailment_mw"].values.astype(float)) @ w
    out = {"co2_production": float(results["co2_production_t_per_yr"]) if "co2_production_t_per_yr" in results
           else ledgers["co2_production_t_per_yr"][0],
           "co2_consumption": float(results["co2_consumption_t_per_yr"]) if "co2_consumption_t_per_yr" in results
           else ledgers["co2_consumption_t_per_yr"][0],
           "imports": float(gen[kind == n.IMPORT].sum()),
           "exports": float(gen[kind == n.EXPORT].sum()),
           "curtailment": float(curtailed[kind == n.VARIABLE].sum())}
    for f, v in results["fuel_use_units_per_yr"].to_series().items():
        out[f"{FUEL_KEY}{f}"] = float(v)
    return out


def annual_floors(full: dict[str, float], consumption: float, mwh_per_unit: dict[str, float]) -> dict[str, float]:
    """Error floor of every annual figure, in its own unit.

    Parameters
    ----------
    full : dict
        The full horizon's :func:`annual_quantities`.
    consumption : float
        Annual electricity consumption [MWh/yr].
    mwh_per_unit : dict
        Energy of one trading unit of every fuel [MWh_th/unit].

    Returns
    -------
    dict
        CO2 keys: max(1 % of the larger full ledger, 1 t) [t/yr]; energies:
        1 % of the consumption [MWh/yr]; fuels: 1 % of the consumption in
        the fuel's units (consumption / energy per unit) [unit/yr].
    """
    co2 = max(FLOOR_SHARE_OF_CO2 * max(abs(full.get("co2_production", 0.0)), abs(full.get("co2_consumption", 0.0))),
              FLOOR_CO2_T)
    energy = FLOOR_SHARE_OF_CONSUMPTION * consumption
    out: dict[str, float] = {}
    for k in full:
        if k.startswith("co2_"):
            out[k] = co2
        elif k.startswith(FUEL_KEY):
            per = mwh_per_unit.get(k.removeprefix(FUEL_KEY), math.nan)
            out[k] = energy / per if per and math.isfinite(per) and per > 0 else 0.0
        else:
            out[k] = energy
    return out


def annual_errors(agg: dict[str, float], full: dict[str, float], floors: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per annual figure: aggregated, full, difference, floor and (aggregated − full) / max(|full|, floor) [-]."""
    return {k: {"aggregated": agg[k], "full": f, "difference": agg[k] - f, "floor": floors.get(k, 0.0),
                "relative_error": _rel(agg[k], f, floors.get(k, 0.0))}
            for k, f in full.items() if k in agg}


def flagged(errors: dict[str, float], above: float = FLAG_ABOVE) -> list[str]:
    """Keys whose relative error exceeds ``above`` in magnitude, largest first."""
    big = [k for k, e in errors.items() if not math.isnan(e) and abs(e) > above]
    return sorted(big, key=lambda k: -abs(errors[k]))


def largest(errors: dict[str, float]) -> tuple[str, float]:
    """The key of the largest relative error in magnitude and that error (``("", 0.0)`` for none)."""
    worst = ("", 0.0)
    for k, e in errors.items():
        if not math.isnan(e) and abs(e) > abs(worst[1]):
            worst = (k, e)
    return worst


def fuel_mwh_per_unit(inputs: xr.Dataset) -> dict[str, float]:
    """Energy of one trading unit of every fuel of a ModelInputs [MWh_th/unit]."""
    return {str(f): float(v) for f, v in inputs["energy_mwh_per_unit"].to_series().items()}


def annual_section(agg: xr.Dataset, agg_inputs: xr.Dataset, full: xr.Dataset,
                   full_inputs: xr.Dataset) -> dict[str, Any]:
    """The annual-figure part of :func:`compare_to_full` (JSON-ready).

    ``annual`` (:func:`annual_errors` by key), ``energy_floor_mwh``,
    ``co2_floor_t``, ``largest_annual_error`` (key and relative error),
    ``flag_above`` and ``flagged`` (keys above it, largest first).
    """
    a, f = annual_quantities(agg, agg_inputs), annual_quantities(full, full_inputs)
    consumption = consumption_mwh(full_inputs)
    floors = annual_floors(f, consumption, fuel_mwh_per_unit(full_inputs))
    errors = annual_errors(a, f, floors)
    rel = {k: e["relative_error"] for k, e in errors.items()}
    key, err = largest(rel)
    return {"annual": errors, "energy_floor_mwh": FLOOR_SHARE_OF_CONSUMPTION * consumption,
            "co2_floor_t": floors.get("co2_production", FLOOR_CO2_T),
            "largest_annual_error": {"quantity": key, "relative_error": err},
            "flag_above": FLAG_ABOVE, "flagged": flagged(rel)}


def annual_progress(section: dict[str, Any]) -> str:
    """The annual figures of :func:`annual_section` in one progress line (keys, English).

    Names every figure above the flag limit with its error, largest first, or
    says that none is above it and which error is the largest.
    """
    annual = section.get("annual") or {}
    limit = float(section.get("flag_above", FLAG_ABOVE))
    over = section.get("flagged") or []
    if over:
        items = ", ".join(f"{k} {annual[k]['relative_error']:+.1%}" for k in over)
        return f"annual figures off by more than {limit:.0%}: {items}"
    worst = section.get("largest_annual_error") or {}
    if not worst.get("quantity"):
        return f"every annual figure within {limit:.0%}"
    return f"every annual figure within {limit:.0%} (largest: {worst['quantity']} {worst['relative_error']:+.1%})"
