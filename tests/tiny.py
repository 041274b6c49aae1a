"""Build tiny, hand-solvable systems for the LP tests.

Every test system is a handful of technologies over a few hours, written as
plain dicts in user units (MW, CNY) and passed through the same
:func:`energy_model.inputs.assemble.assemble_inputs` as the real inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from energy_model.inputs.assemble import assemble_case
from energy_model.io.case import Case
from energy_model.io.schema import EconomicsSpec, SolverSpec, TargetSpec
from energy_model.io.tables.common import FUEL_COLUMNS, FUEL_TEXT, TECHNOLOGY_COLUMNS, TECHNOLOGY_TEXT

#: Economics with no discounting effect tests cannot see: zero carbon price, high VoLL.
ECON = EconomicsSpec(discount_rate=0.0, carbon_price_cny_per_t=0.0, value_of_lost_load_cny_per_mwh=1e5,
                     value_of_lost_heat_cny_per_mwh=1e5)
SIMPLEX = SolverSpec(method="simplex", time_limit_s=60)

GAS = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
       "price_cny_per_unit": 0.0}


def tech(name: str, kind: str, **kw: object) -> dict[str, object]:
    """One technology row with defaults: no existing capacity, unlimited build, 1-year life."""
    row: dict[str, object] = {"technology": name, "kind": kind, "carrier": kw.pop("carrier", name),
                              "fuel": "", "profile": "", "lifetime_yr": 1.0}
    row.update(kw)
    row.setdefault("capex_cny_per_kw", 0.0)  # expandable capacity needs a price in the table rules: free here
    if kind == "storage":
        row.setdefault("capex_cny_per_kwh", 0.0)
    return row


def system(
    techs: Sequence[Mapping[str, object]],
    demand: Sequence[float],
    *,
    fuels: Sequence[Mapping[str, object]] = (GAS,),
    heat: Sequence[float] | None = None,
    cf: Mapping[str, Sequence[float]] | None = None,
    targets: Mapping[str, TargetSpec] | None = None,
    economics: EconomicsSpec = ECON,
    hour_weight: float | None = None,
    solver: SolverSpec = SIMPLEX,
) -> Case:
    """A validated case for a tiny system; ``hour_weight`` overrides 8760 / hours.

    Demand is stored as shape x annual total, the annual total being the sum
    of the hourly values times the hour weight (as for a demand file).
    """
    hours = len(demand)
    tdf = _frame(techs, "technology", TECHNOLOGY_COLUMNS, TECHNOLOGY_TEXT)
    fdf = _frame(fuels, "fuel", FUEL_COLUMNS, FUEL_TEXT)
    time = pd.date_range("2021-01-01", periods=hours, freq="h")
    weight = 8760.0 / hours if hour_weight is None else hour_weight
    d = np.asarray(demand, float)
    h = np.zeros(hours) if heat is None else np.asarray(heat, float)
    d_annual = float(d.sum()) * weight
    h_annual = float(h.sum()) * weight
    return Case(
        technologies=tdf, fuels=fdf, time=time,
        demand_shape=d / d_annual if d_annual else d, heat_shape=h / h_annual if h_annual else np.zeros(hours),
        demand_annual_mwh=d_annual if d_annual else 1.0, heat_annual_mwh=h_annual,
        capacity_factors={k: np.asarray(v, float) for k, v in (cf or {}).items()},
        targets=dict(targets or {}), economics=economics, solver=solver, file="tiny", hour_weight=hour_weight,
    )


def inputs(*args: object, **kw: object) -> xr.Dataset:
    """ModelInputs of :func:`system` (the same assembly a scenario gets)."""
    return assemble_case(system(*args, **kw))  # type: ignore[arg-type]


def _frame(rows: Sequence[Mapping[str, object]], index: str, columns: Sequence[str],
           text: Sequence[str]) -> pd.DataFrame:
    """A table with every column of the real file: text as str/NaN, numbers as float (NaN when empty)."""
    frame = pd.DataFrame(list(rows)).set_index(index)
    for column in columns[1:]:
        if column not in frame.columns:
            frame[column] = np.nan
        if column not in text:
            frame[column] = pd.to_numeric(frame[column], errors="raise").astype(float)
        else:
            frame[column] = frame[column].map(lambda v: v if isinstance(v, str) and v else np.nan).astype(object)
    return frame[list(columns[1:])]
