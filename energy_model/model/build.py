"""Assemble the LP from its constraint families, in data-flow order.

Order matters only because a Pyomo ConcreteModel builds each component at
once: sets and capacities first, then storage and dispatch variables (the
balance uses both), annual output totals, fuels (they use dispatch and the
totals), targets and finally the objective.
"""

from __future__ import annotations

import pyomo.environ as pyo
import xarray as xr

from energy_model.inputs.lp_units import LPData, lp_data
from energy_model.model.capacity import Earlier, add_capacity
from energy_model.model.dispatch import add_dispatch
from energy_model.model.fuels import add_fuels
from energy_model.model.objective import add_cost_parameters, add_energy_totals, add_objective
from energy_model.model.policy import add_full_load_hours
from energy_model.model.storage import add_storage
from energy_model.model.targets import add_targets


def build_model(inputs: xr.Dataset | LPData) -> pyo.ConcreteModel:
    """Build the least-cost capacity and dispatch LP.

    Parameters
    ----------
    inputs : xarray.Dataset or LPData
        ModelInputs (user units) or already-scaled LP data.

    Returns
    -------
    pyomo.environ.ConcreteModel
        The model; ``m.lp_data`` keeps the scaled data it was built from.
    """
    data = inputs if isinstance(inputs, LPData) else lp_data(inputs)
    m = pyo.ConcreteModel(name="city_power_system")
    add_families(m, data)
    return m


def add_families(b: pyo.Block, data: LPData, earlier: Earlier | None = None) -> None:
    """Add every constraint family, the cost expressions and the objective to a model or block.

    Parameters
    ----------
    b : pyomo.environ.Block
        A ConcreteModel (plain model) or one period's block of a pathway.
    data : LPData
        The LP data of that model or period; kept as ``b.lp_data``.
    earlier : Earlier, optional
        Earlier vintages still in service (pathways only;
        :mod:`energy_model.model.capacity`).
    """
    b.lp_data = data
    b.T = pyo.RangeSet(0, data.hours - 1)
    add_capacity(b, data, earlier)
    add_storage(b, data)
    add_dispatch(b, data)
    add_energy_totals(b, data)
    add_full_load_hours(b, data)
    add_fuels(b, data)
    add_cost_parameters(b, data)
    add_targets(b, data)
    add_objective(b, data)
