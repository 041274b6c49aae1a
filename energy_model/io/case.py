"""The validated case: every input of one scenario in user units, before assembly.

A :class:`Case` is what reading a scenario produces and what every change
(scenario override, cost year, sweep value, frontier level, break-even probe)
is applied to, by :func:`energy_model.io.changes.apply_changes`. It holds the
validated tables and specs, not derived numbers: annuities, LP units and the
target membership are computed from it by :mod:`energy_model.inputs`, so a
changed case and a freshly read one with the same values give the same LP.
A Case is never changed in place; a change returns a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from energy_model.io.schema import AggregationSpec, EconomicsSpec, SolverSpec, TargetSpec


@dataclass(frozen=True)
class Case:
    """Every input of one scenario, validated, in user units.

    Attributes
    ----------
    technologies : pandas.DataFrame
        One row per technology (index: id), columns as in ``inputs/technologies.csv``.
    fuels : pandas.DataFrame
        One row per fuel supply (index: id), columns as in ``inputs/fuels.csv``.
    time : pandas.DatetimeIndex
        The model hours (tz-naive China Standard Time, hour starts).
    demand_shape, heat_shape : numpy.ndarray
        Hourly electricity and heat demand per unit of annual demand
        [MW per MWh/yr], one value per hour: demand = shape x annual total.
    demand_annual_mwh, heat_annual_mwh : float
        Annual electricity [MWh/yr] and heat [MWh_th/yr] demand.
    capacity_factors : mapping of str to numpy.ndarray
        Hourly capacity factor [-] per profile name.
    targets : mapping of str to TargetSpec
        Named plan targets.
    economics : EconomicsSpec
        Discount rate, carbon price, values of lost load.
    solver : SolverSpec
        HiGHS settings.
    file : str
        The scenario file name, for messages.
    attrs : mapping
        Metadata carried into the inputs Dataset (scenario, title, input hash...).
    carriers : pandas.DataFrame, optional
        Carrier table (``inputs/carriers.csv``): names, colour, ``new_energy``.
    hour_weight : float, optional
        Annual weight of one model hour [yr-equivalent x 8760 per hour];
        None means 8760 / number of hours.
    aggregation : AggregationSpec
        Time aggregation applied when the LP inputs are assembled (the
        hourly series above stay at full resolution, so a changed
        aggregation is computed from them again).
    price_series : mapping of str to numpy.ndarray
        Hourly trade price [CNY/MWh] per technology id, from the scenario's
        ``trade_prices`` file; used by technologies whose ``price_profile``
        is ``trade_prices``.
    """

    technologies: pd.DataFrame
    fuels: pd.DataFrame
    time: pd.DatetimeIndex
    demand_shape: np.ndarray
    heat_shape: np.ndarray
    demand_annual_mwh: float
    heat_annual_mwh: float
    capacity_factors: Mapping[str, np.ndarray]
    targets: Mapping[str, TargetSpec]
    economics: EconomicsSpec
    solver: SolverSpec = SolverSpec()
    file: str = "scenario"
    attrs: Mapping[str, object] = field(default_factory=dict)
    carriers: pd.DataFrame | None = None
    hour_weight: float | None = None
    aggregation: AggregationSpec = AggregationSpec()
    price_series: Mapping[str, np.ndarray] = field(default_factory=dict)

    def evolve(self, **changes: object) -> Case:
        """A copy with some fields replaced (tables are not copied; never mutate them)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def demand_mw(self) -> np.ndarray:
        """Hourly electricity demand [MW]."""
        return self.demand_shape * self.demand_annual_mwh

    @property
    def heat_demand_mw(self) -> np.ndarray:
        """Hourly heat demand [MW_th]."""
        return self.heat_shape * self.heat_annual_mwh

    @property
    def hours(self) -> int:
        """Number of model hours."""
        return len(self.time)
