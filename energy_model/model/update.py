"""Update a built LP in place from new LP data, or say why it must be rebuilt.

A built model has two kinds of data. *Updatable* data lives in mutable
parameters, variable bounds and the active/fixed state of target rows; it
can change without rebuilding:

- cost parameters ``capex, fom, vom, capex_e, fom_e, fuel_price, carbon_price, voll, voll_heat``;
- target levels, penalties and modes;
- bounds of ``build[g]`` (capacity limits), ``build_e[s]`` (storage energy limit),
  ``x[f,t]`` (hourly fuel send-out) and the annual fuel limit parameter.

Everything else is *structure*: it decides which variables and rows exist or
is written into them as a coefficient (hours, demand, capacity factors,
existing capacity, efficiencies, which technologies are fixed, which fuel
limits are finite...). :func:`structure_differences` lists what differs in
structure between two LP data sets; only when that list is empty may
:func:`update_model` be used, otherwise the model must be rebuilt.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energy_model.inputs.lp_units import LPData
from energy_model.model.capacity import capacity_bounds, energy_bounds
from energy_model.model.dispatch import is_fixed
from energy_model.model.targets import set_target_mode

#: LPData fields held in mutable parameters, bounds or row states.
UPDATABLE = frozenset({
    "capex", "fom", "vom", "e_capex", "e_fom", "fuel_price", "carbon_price", "voll", "heat_voll",
    "target_level", "target_penalty", "target_mode", "cap_lo", "cap_hi", "e_hi", "fuel_max_h", "fuel_max_yr",
})


def _same(a: Any, b: Any) -> bool:
    """Equality that treats NaN as equal to NaN and compares arrays element-wise."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        if a_arr.shape != b_arr.shape:
            return False
        if a_arr.dtype.kind in "fc" and b_arr.dtype.kind in "fc":
            return bool(np.array_equal(a_arr, b_arr, equal_nan=True))
        return bool(np.array_equal(a_arr, b_arr))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def structure_differences(old: LPData, new: LPData) -> list[str]:
    """Names of the structural differences between two LP data sets (empty: update in place).

    Parameters
    ----------
    old, new : LPData
        The data the model was built from and the data it should now hold.

    Returns
    -------
    list of str
        LPData field names, plus ``fixed capacity``, ``hourly fuel limit
        finite`` or ``annual fuel limit finite`` when a technology changes
        between fixed and expandable or a fuel limit between none and finite.
    """
    out = [f.name for f in fields(LPData) if f.name not in UPDATABLE
           and not _same(getattr(old, f.name), getattr(new, f.name))]
    if out:
        return out
    if [is_fixed(old, g) for g in old.techs] != [is_fixed(new, g) for g in new.techs]:
        out.append("fixed capacity")
    if [math.isinf(old.fuel_max_h[f]) for f in old.fuels] != [math.isinf(new.fuel_max_h[f]) for f in new.fuels]:
        out.append("hourly fuel limit finite")
    if [math.isinf(old.fuel_max_yr[f]) for f in old.fuels] != [math.isinf(new.fuel_max_yr[f]) for f in new.fuels]:
        out.append("annual fuel limit finite")
    return out


def update_model(m: pyo.ConcreteModel, data: LPData) -> None:
    """Set every updatable parameter, bound and target mode of ``m`` from ``data``.

    The caller must have checked that :func:`structure_differences` between
    ``m.lp_data`` and ``data`` is empty. Afterwards the model equals one built
    from ``data``.
    """
    for g in data.techs:
        m.capex[g] = data.capex[g]
        m.fom[g] = data.fom[g]
        m.vom[g] = data.vom[g]
        lo, hi = capacity_bounds(data, g)
        m.build[g].setlb(lo)
        m.build[g].setub(hi)
    for s in m.S:
        m.capex_e[s] = data.e_capex[s]
        m.fom_e[s] = data.e_fom[s]
        lo, hi = energy_bounds(data, s)
        m.build_e[s].setlb(lo)
        m.build_e[s].setub(hi)
    for f in data.fuels:
        m.fuel_price[f] = data.fuel_price[f]
        if f in m.fuel_max_yr:
            m.fuel_max_yr[f] = data.fuel_max_yr[f]
    for f in m.FX:
        hi = data.fuel_max_h[f]
        bound = None if math.isinf(hi) else hi
        for t in m.T:
            m.x[f, t].setub(bound)
    m.carbon_price = data.carbon_price
    m.voll = data.voll
    m.voll_heat = data.heat_voll
    for k in data.targets:
        m.target_level[k] = data.target_level[k]
        m.target_penalty[k] = data.target_penalty[k]
        set_target_mode(m, k, data.target_mode[k])
    m.lp_data = data
