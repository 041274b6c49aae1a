"""Your own rows over the model's variables: a code-only hook applied to every model a Study builds.

Like PyPSA's ``extra_functionality``: ``extra_rows(model, data)`` receives the
built Pyomo model and its :class:`~energy_model.inputs.lp_units.LPData` and
adds constraints to it. It is given to the Python API (``extra_rows=`` of
:func:`energy_model.api.open_study`, :func:`energy_model.api.run_scenario` ...),
never read from a scenario file. The hook is called after every build and
rebuild and again after every update in place (its earlier components are
removed first), so its rows always belong to the data the model holds.

The model is in LP units: power in GW, energy in GWh, money in million CNY,
emissions in kt (see :mod:`energy_model.inputs.lp_units`). Hourly output is
``model.p[technology, step]``, new capacity ``model.build[technology]``.

A run made with a hook is not the plain model: its ``manifest.json`` and
``summary.json`` name the hook (:func:`describe`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyomo.environ as pyo

from energy_model.inputs.lp_units import LPData

#: ``extra_rows(model, data) -> None``: adds Pyomo components (constraints) to the built model.
ExtraRows = Callable[[pyo.ConcreteModel, LPData], None]

#: Attribute of a model listing the component names its hook added (removed before the hook runs again).
_ADDED = "_extra_rows_added"


def apply_extra_rows(model: pyo.ConcreteModel, data: LPData, hook: ExtraRows | None) -> None:
    """Call ``hook(model, data)``, first removing what an earlier call added to ``model``.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A built (or just updated) model.
    data : LPData
        The LP data the model holds now.
    hook : callable or None
        The user's function; None does nothing.

    Examples
    --------
    A Study calls it on every build, rebuild and update:

    >>> from energy_model.engine.study import Study
    >>> from energy_model.inputs.load import load_case
    >>> def no_new_biomass(model, data):
    ...     model.no_new_biomass = pyo.Constraint(expr=model.build["biomass"] <= 0)
    >>> study = Study(load_case("scenarios/example_day.yaml"), extra_rows=no_new_biomass)
    >>> study.apply({"economics.carbon_price_cny_per_t": 100.0})
    'update'
    >>> pyo.value(study.model.no_new_biomass.upper), getattr(study.model, _ADDED)  # re-applied once, not doubled
    (0.0, ['no_new_biomass'])
    >>> describe(no_new_biomass)  # doctest: +ELLIPSIS
    {'name': 'no_new_biomass', 'module': '...'}
    """
    if hook is None:
        return
    for name in getattr(model, _ADDED, ()):
        model.del_component(name)
    before = {c.local_name for c in model.component_objects(descend_into=False)}
    hook(model, data)
    setattr(model, _ADDED, [c.local_name for c in model.component_objects(descend_into=False)
                            if c.local_name not in before])


def describe(hook: ExtraRows | None) -> dict[str, Any] | None:
    """What a run records about its hook: ``{"name": qualified name, "module": module}`` (None without one)."""
    if hook is None:
        return None
    return {"name": getattr(hook, "__qualname__", type(hook).__qualname__),
            "module": getattr(hook, "__module__", type(hook).__module__)}
