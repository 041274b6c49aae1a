"""Which physical and resource limits bind in a solution: pure functions on Datasets.

Used by the target test ("which other limits bind alongside it") and the
report. A limit counts as binding when the solution sits on it within a
small tolerance; hourly limits report the number of hours at the limit.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
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
        Each with ``limit`` (kind of limit), ``name`` (technology or fuel),
        ``text`` (plain words) and ``value``.
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
    names = inputs["name"].values if "name" in inputs else techs
    for i, g in enumerate(techs):
        if np.isfinite(upper[i]) and upper[i] > existing[i] + 1e-9 and cap[i] >= upper[i] * (1 - AT_LIMIT):
            out.append({"limit": "max_capacity", "name": g, "value": float(upper[i]),
                        "text": f"{_label(names[i], g)} built to its maximum of {upper[i]:,.0f} MW (resource potential)"})
    disp = results["dispatch_mw"].values
    avail = inputs["availability"].fillna(1.0).values
    for i in map(int, np.flatnonzero(np.isin(kind, [n.IMPORT, n.EXPORT]))):
        limit = avail[i] * cap[i]
        if limit <= 0:
            continue
        hours = hours_at(disp[i] >= limit * (1 - AT_LIMIT))  # a plain int for JSON
        if hours:
            out.append({"limit": "link_capacity", "name": techs[i], "value": hours,
                        "text": f"{_label(names[i], techs[i])} at its {limit:,.0f} MW capacity in {hours:,} h"})
    ramp = inputs["ramp_rate_per_h"].values
    prev, step_h = step_prev(inputs), time_arrays(inputs)[1]
    for i in map(int, np.flatnonzero(np.isfinite(ramp) & (ramp < 1.0))):
        step = np.abs(disp[i] - disp[i][prev])
        lim = ramp[i] * cap[i] * (step_h + step_h[prev]) / 2.0
        hours = hours_at(step >= lim * (1 - AT_LIMIT)) if ramp[i] * cap[i] > 0 else 0
        if hours:
            out.append({"limit": "ramp", "name": techs[i], "value": hours,
                        "text": f"{_label(names[i], techs[i])} ramping at its limit ({ramp[i]:.0%} of capacity per hour) "
                                f"in {hours:,} h"})
    fuels = inputs[n.FUEL].values.astype(str)
    fnames = inputs["fuel_name"].values if "fuel_name" in inputs else fuels
    units = inputs["fuel_unit"].values.astype(str)
    value = results["supply_limit_value_cny_per_unit"].values
    per_unit = inputs["energy_mwh_per_unit"].values
    max_yr = inputs["max_units_per_yr"].values
    used = results["fuel_use_units_per_yr"].values
    for j, f in enumerate(fuels):
        if value[j] > 1e-6 and np.isfinite(max_yr[j]) and used[j] >= max_yr[j] * (1 - AT_LIMIT):
            out.append({"limit": "annual_supply", "name": f, "value": float(value[j]),
                        "text": f"{_label(fnames[j], f)} annual volume ({max_yr[j]:,.0f} {units[j]}/yr) fully used; "
                                f"one more {units[j]} is worth {value[j]:,.1f} CNY"})
    x = results["fuel_use_mwh_th"].values
    maxh = inputs["max_mwh_th_per_h"].values
    for j, f in enumerate(fuels):
        if np.isfinite(maxh[j]) and maxh[j] > 0:
            hours = hours_at(x[j] >= maxh[j] * (1 - AT_LIMIT))
            if hours:
                out.append({"limit": "hourly_supply", "name": f, "value": hours,
                            "text": f"{_label(fnames[j], f)} send-out at its hourly limit "
                                    f"({maxh[j] / per_unit[j]:,.0f} {units[j]}/h) in {hours:,} h"})
    shed = results["unserved_mw"].values
    if shed.max(initial=0.0) > UNSERVED_MW:
        hours = hours_at(shed > UNSERVED_MW)
        out.append({"limit": "unserved", "name": "demand", "value": hours,
                    "text": f"demand not fully served in {hours:,} h (peak shortfall {shed.max():,.0f} MW)"})
    return out


def _label(name: object, ident: str) -> str:
    text = str(name) if name is not None and str(name) not in ("", "nan") else ident
    return text
