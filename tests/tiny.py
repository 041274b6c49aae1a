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

from energy_model.inputs.assemble import assemble_inputs
from energy_model.io.schema import EconomicsSpec, SolverSpec, TargetSpec

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
) -> xr.Dataset:
    """ModelInputs for a tiny system; ``hour_weight`` overrides 8760 / hours."""
    hours = len(demand)
    tdf = pd.DataFrame(list(techs)).set_index("technology")
    fdf = pd.DataFrame(list(fuels)).set_index("fuel")
    time = pd.date_range("2021-01-01", periods=hours, freq="h")
    ds = assemble_inputs(
        tdf, fdf, time, np.asarray(demand, float),
        np.zeros(hours) if heat is None else np.asarray(heat, float),
        {k: np.asarray(v, float) for k, v in (cf or {}).items()}, targets or {}, economics,
    )
    if hour_weight is not None:
        ds.attrs["hour_weight"] = hour_weight
    return ds
