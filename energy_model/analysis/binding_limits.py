"""Which physical and resource limits bind in a solution: pure functions on Datasets.

Used by the target test ("which other limits bind alongside it") and the
report. A limit counts as binding when the solution sits on it within a
small tolerance; hourly limits report the number of hours at the limit.
Facts only: the words, in both languages, are
:func:`energy_model.output.verdicts.binding_sentences`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.engine.measures import binds
from energy_model.inputs.lp_units import horizon_hours, step_prev, time_arrays

#: Relative closeness to a limit that counts as "at the limit".
AT_LIMIT = 1e-4
#: Unserved power below this is solver noise, not a shortfall [MW].
UNSERVED_MW = 0.01


def binding_limits(results: xr.Dataset, inputs: xr.Dataset) -> list[dict[str, object]]:
    """List the limits the solution sits on.

    Parameters
    ----------
    results, inputs : xarray.Dataset
        Results and ModelInputs of one solve.

    Returns
    -------
    list of dict
        Each with ``limit`` (kind of limit: ``max_capacity``, ``link_capacity``,
        ``ramp``, ``annual_supply``, ``hourly_supply``, ``unserved``), ``name``
        (technology, fuel or ``demand``) and ``value``: the maximum [MW] of
        ``max_capacity``, the value of one more unit [CNY/unit] of
        ``annual_supply``, else the hours at the limit [h].
    """
    out: list[dict[str, object]] = []
    span = horizon_hours(inputs)  # hours of the horizon per step: counts are hours, also when aggregated

    def hours_at(mask: np.ndarray) -> int:
        return int(round(float(np.asarray(mask, dtype=float) @ span)))

    kind = inputs["kind"].values.astype(str)
    techs = inputs[n.TECH].values.astype(str)
    cap = results["capacity_mw"].values
    upper = inputs["capacity_upper_mw"].values
    existing = inputs["existing_mw"].values
    for i, g in enumerate(techs):
        if np.isfinite(upper[i]) and upper[i] > existing[i] + 1e-9 and cap[i] >= upper[i] * (1 - AT_LIMIT):
            out.append({"limit": "max_capacity", "name": g, "value": float(upper[i])})
    disp = results["dispatch_mw"].values
    avail = inputs["availability"].fillna(1.0).values
    for i in map(int, np.flatnonzero(np.isin(kind, [n.IMPORT, n.EXPORT]))):
        limit = avail[i] * cap[i]
        if limit <= 0:
            continue
        hours = hours_at(disp[i] >= limit * (1 - AT_LIMIT))  # a plain int for JSON
        if hours:
            out.append({"limit": "link_capacity", "name": techs[i], "value": hours})
    ramp = inputs["ramp_rate_per_h"].values
    prev, step_h = step_prev(inputs), time_arrays(inputs)[1]
    for i in map(int, np.flatnonzero(np.isfinite(ramp) & (ramp < 1.0))):
        step = np.abs(disp[i] - disp[i][prev])
        lim = ramp[i] * cap[i] * (step_h + step_h[prev]) / 2.0
        hours = hours_at(step >= lim * (1 - AT_LIMIT)) if ramp[i] * cap[i] > 0 else 0
        if hours:
            out.append({"limit": "ramp", "name": techs[i], "value": hours})
    fuels = inputs[n.FUEL].values.astype(str)
    value = results["supply_limit_value_cny_per_unit"].values
    max_yr = inputs["max_units_per_yr"].values
    used = results["fuel_use_units_per_yr"].values
    for j, f in enumerate(fuels):
        if binds(value[j]) and np.isfinite(max_yr[j]) and used[j] >= max_yr[j] * (1 - AT_LIMIT):
            out.append({"limit": "annual_supply", "name": f, "value": float(value[j])})
    x = results["fuel_use_mwh_th"].values
    maxh = inputs["max_mwh_th_per_h"].values
    for j, f in enumerate(fuels):
        if np.isfinite(maxh[j]) and maxh[j] > 0:
            hours = hours_at(x[j] >= maxh[j] * (1 - AT_LIMIT))
            if hours:
                out.append({"limit": "hourly_supply", "name": f, "value": hours})
    shed = results["unserved_mw"].values
    if shed.max(initial=0.0) > UNSERVED_MW:
        hours = hours_at(shed > UNSERVED_MW)
        out.append({"limit": "unserved", "name": "demand", "value": hours})
    return out

