"""A change of target modes only: the inputs and LP data without assembling the case again.

A target test solves the same case with its targets in other modes (the
reference reports every target, each target is costed alone); a target that
stops being soft loses its penalty (:func:`energy_model.io.changes.apply_changes`).
Mode and penalty enter the inputs in two variables, ``target_mode`` and
``target_penalty``, and the LP data in the two fields of those names;
everything else that :func:`energy_model.inputs.assemble.assemble_case` and
:func:`energy_model.inputs.lp_units.lp_data` compute (on typical days the
aggregation too) is the same. So when two cases differ in nothing but their
targets' modes and penalties, the new inputs and LP data are the old ones with
those entries replaced, computed as those two functions compute them: the same
values a fresh assembly gives, in a fraction of the time.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import xarray as xr

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import LPData, target_penalty_to_lp
from energy_model.io.case import Case
from energy_model.io.schema import TargetSpec

#: What may differ between the targets of two cases for :func:`modes_only`.
VARYING = {"mode", "penalty"}


def modes_only(old: Case, new: Case) -> dict[str, TargetSpec] | None:
    """The new targets when ``new`` differs from ``old`` in target modes and penalties only, else None.

    Conservative: a table or series must be the very same object (as
    :meth:`Case.evolve` leaves an unchanged one), a setting must be equal, and
    every target equal but for its mode and penalty.

    Parameters
    ----------
    old, new : Case
        The current case and the changed one.

    Returns
    -------
    dict of str to TargetSpec or None
        The targets of ``new``.
    """
    for f in dataclasses.fields(Case):
        if f.name == "targets":
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a is b:
            continue
        if isinstance(a, (str, int, float, type(None))) or hasattr(a, "model_dump"):
            if type(a) is type(b) and a == b:
                continue
        return None
    if list(old.targets) != list(new.targets):
        return None
    for k, spec in new.targets.items():
        if spec.model_dump(exclude=VARYING) != old.targets[k].model_dump(exclude=VARYING):
            return None
    return dict(new.targets)


def with_modes(inputs: xr.Dataset, data: LPData, targets: dict[str, TargetSpec]) -> tuple[xr.Dataset, LPData]:
    """``inputs`` and ``data`` with the modes and penalties of ``targets`` (neither argument is changed).

    Parameters
    ----------
    inputs : xarray.Dataset
        ModelInputs of the current case.
    data : LPData
        Its LP data (``lp_data(inputs)``).
    targets : dict of str to TargetSpec
        Every target (from :func:`modes_only`).

    Returns
    -------
    inputs : xarray.Dataset
        A shallow copy with new ``target_mode`` and ``target_penalty`` [CNY per kW, MWh or t].
    data : LPData
        A copy with new ``target_mode`` and ``target_penalty`` [LP units].
    """
    out = inputs.copy(deep=False)
    if n.TARGET in inputs.dims and inputs.sizes[n.TARGET] > 0:
        names = [str(k) for k in inputs[n.TARGET].values]
        # Dataset.copy(data=...) swaps the two arrays without re-aligning the ~80 variables, as assigning
        # them one by one would (0.1-0.2 s per case on the plan year)
        new = {name: var.data for name, var in inputs.data_vars.items()}
        new["target_mode"] = np.array([targets[k].mode for k in names], dtype=object)
        new["target_penalty"] = np.array([targets[k].penalty or math.nan for k in names], dtype=float)  # as assembled
        out = inputs.copy(deep=False, data=new)
    lp_penalty = {}
    for k in data.targets:
        pen = float(targets[k].penalty or math.nan)  # as lp_data
        lp_penalty[k] = 0.0 if math.isnan(pen) else target_penalty_to_lp(data.target_kind[k], pen)
    new_data = dataclasses.replace(data, target_mode={k: targets[k].mode for k in data.targets},
                                   target_penalty=lp_penalty)
    return out, new_data
