"""Property-based tests (hypothesis) on tiny random systems: laws every least-cost answer must obey.

Systems: 1 PV (variable) + 1-3 thermal technologies, 6-12 hours, costs in
user units, an unserved-energy slack at a high value of lost load (so every
instance is feasible). Objectives are compared, never dispatch vectors
(degenerate LPs may have several optimal dispatches).

P-01 raising a cost never lowers total cost      P-02 tightening a target never lowers it
P-03 relaxing a bound never raises it            P-04 a free unlimited technology serves all demand at zero cost
P-05 scaling every cost by k scales the objective by k
P-07 reordering technologies (rows) or CSV columns changes nothing
P-11 results survive a NetCDF round trip unchanged
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import ECON, GAS, system, tech

from energy_model.engine.study import Study
from energy_model.errors import InfeasibleError
from energy_model.io import tables
from energy_model.io.schema import EconomicsSpec, TargetSpec
from energy_model.output.run_folder import open_netcdf, write_netcdf

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
REL = 1e-7


@st.composite
def systems(draw: st.DrawFn) -> dict:
    """Random tiny system as plain data (rebuilt by :func:`build`)."""
    hours = draw(st.integers(6, 12))
    demand = draw(st.lists(st.floats(5, 50), min_size=hours, max_size=hours))
    cf = draw(st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.6, 0.9, 1.0]), min_size=hours, max_size=hours))
    n_thermal = draw(st.integers(1, 3))
    thermal = [
        {"name": f"th{i}", "capex": draw(st.floats(10, 1000)), "vom": draw(st.floats(1, 100)),
         "eff": draw(st.floats(0.3, 0.6)), "max": draw(st.one_of(st.none(), st.floats(10, 60)))}
        for i in range(n_thermal)
    ]
    pv = {"capex": draw(st.floats(10, 1000)), "max": draw(st.one_of(st.none(), st.floats(5, 100)))}
    fuel_price = draw(st.floats(0, 100))
    return {"hours": hours, "demand": demand, "cf": cf, "thermal": thermal, "pv": pv, "fuel": fuel_price}


def rows(s: dict, k: float = 1.0) -> list[dict]:
    out = [tech("pv", "variable", carrier="solar", profile="pv", capex_cny_per_kw=k * s["pv"]["capex"],
                **({} if s["pv"]["max"] is None else {"max_mw": s["pv"]["max"]}))]
    for t in s["thermal"]:
        out.append(tech(t["name"], "thermal", carrier="gas", fuel="natural_gas", efficiency=t["eff"],
                        capex_cny_per_kw=k * t["capex"], vom_cny_per_mwh=k * t["vom"],
                        **({} if t["max"] is None else {"max_mw": t["max"]})))
    return out


def build(s: dict, *, k: float = 1.0, order: list[int] | None = None, extra: list[dict] = (),
          targets: dict | None = None) -> xr.Dataset:
    techs = rows(s, k) + list(extra)
    if order is not None:
        techs = [techs[i] for i in order]
    econ = ECON if k == 1.0 else EconomicsSpec(
        discount_rate=0.0, carbon_price_cny_per_t=0.0, value_of_lost_load_cny_per_mwh=k * 1e5,
        value_of_lost_heat_cny_per_mwh=k * 1e5)
    fuel = {**GAS, "price_cny_per_unit": k * s["fuel"]}
    cf = {"pv": s["cf"], "free": [1.0] * s["hours"]}
    return system(techs, s["demand"], fuels=[fuel], cf=cf, targets=targets, economics=econ, hour_weight=1.0)


def objective(ds: xr.Dataset) -> float:
    return float(Study(ds).solve().attrs["objective_cny_per_yr"])


def solve(study: Study) -> float:
    return float(study.solve().attrs["objective_cny_per_yr"])


@SETTINGS
@given(s=systems(), which=st.integers(0, 3), column=st.sampled_from(["capex_cny_per_kw", "vom_cny_per_mwh"]),
       delta=st.floats(0.1, 500))
def test_p01_raising_a_cost_never_lowers_total_cost(s, which, column, delta):
    """P-01; also a change to NaN is refused as an input error, not an internal error."""
    study = Study(build(s))
    base = solve(study)
    g = (["pv"] + [t["name"] for t in s["thermal"]])[which % (1 + len(s["thermal"]))]
    current = float(study.get(f"technologies.{g}.{column}"))  # an empty cell (NaN) costs nothing
    study.set(f"technologies.{g}.{column}", (0.0 if np.isnan(current) else current) + delta)
    assert solve(study) >= base * (1 - REL) - 1e-6


@SETTINGS
@given(s=systems(), share=st.floats(0.0, 0.6), step=st.floats(0.01, 0.3))
def test_p02_tightening_a_target_never_lowers_cost(s, share, step):
    target = {"solar": TargetSpec(kind="min_share", technologies=["pv"], share=share)}
    study = Study(build(s, targets=target))
    try:
        loose = solve(study)
    except InfeasibleError:
        loose = None
    study.set("targets.solar.level", share + step)
    try:
        tight = solve(study)
    except InfeasibleError:
        return  # infeasibility is monotone: allowed at the tighter level whatever happened before
    assert loose is not None, "feasible at a tighter level but infeasible at a looser one"
    assert tight >= loose * (1 - REL) - 1e-6


@SETTINGS
@given(s=systems(), which=st.integers(0, 3), factor=st.floats(1.0, 5.0))
def test_p03_relaxing_a_bound_never_raises_cost(s, which, factor):
    names = ["pv"] + [t["name"] for t in s["thermal"]]
    g = names[which % len(names)]
    study = Study(build(s))
    current = float(study.get(f"technologies.{g}.max_mw"))
    study.set(f"technologies.{g}.max_mw", 20.0 if not np.isfinite(current) else current)
    tight = solve(study)
    study.set(f"technologies.{g}.max_mw", (20.0 if not np.isfinite(current) else current) * factor)
    assert solve(study) <= tight * (1 + REL) + 1e-6
    study.set(f"technologies.{g}.max_mw", None)  # an empty cell: unlimited
    assert solve(study) <= tight * (1 + REL) + 1e-6


@SETTINGS
@given(s=systems())
def test_p04_free_unlimited_technology_serves_all_demand(s):
    free = tech("free", "variable", carrier="wind", profile="free", capex_cny_per_kw=0, fom_cny_per_kw_yr=0)
    res = Study(build(s, extra=[free])).solve()
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(0.0, abs=1e-6)
    assert float(res["unserved_mw"].max()) == pytest.approx(0.0, abs=1e-9)
    supplied = res["dispatch_mw"].sum("technology").values
    np.testing.assert_allclose(supplied, s["demand"], rtol=1e-9, atol=1e-6)
    costly = res["dispatch_mw"].drop_sel(technology=["free", "pv"]).values
    assert np.abs(costly).max(initial=0) <= 1e-6  # nothing with a price runs


@SETTINGS
@given(s=systems(), k=st.sampled_from([0.1, 0.5, 2.0, 7.0]))
def test_p05_scaling_all_costs_scales_the_objective(s, k):
    base = build(s)
    scaled = build(s, k=k)
    a, b = Study(base).solve(), Study(scaled).solve()
    assert b.attrs["objective_cny_per_yr"] == pytest.approx(k * a.attrs["objective_cny_per_yr"], rel=1e-6, abs=1e-6)


@SETTINGS
@given(s=systems(), data=st.data())
def test_p07_reordering_technologies_changes_nothing(s, data):
    n = 1 + len(s["thermal"])
    order = data.draw(st.permutations(list(range(n))))
    a = Study(build(s)).solve()
    b = Study(build(s, order=order)).solve()
    assert b.attrs["objective_cny_per_yr"] == pytest.approx(a.attrs["objective_cny_per_yr"], rel=1e-9, abs=1e-9)
    # the split between components may differ (degenerate optima), the total may not
    assert float(b["cost_cny_per_yr"].sum()) == pytest.approx(float(a["cost_cny_per_yr"].sum()), rel=1e-6, abs=1e-6)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data())
def test_p07_reordering_csv_columns_and_rows_changes_nothing(tmp_path_factory, data):
    """The shipped technologies.csv with columns and rows shuffled reads to the same table (by label)."""
    original = tables.read_technologies(PROJECT / "inputs" / "technologies.csv")
    text = (PROJECT / "inputs" / "technologies.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(PROJECT / "inputs" / "technologies.csv", dtype=str, keep_default_na=False)
    cols = data.draw(st.permutations(list(frame.columns)))
    idx = data.draw(st.permutations(list(range(len(frame)))))
    folder = tmp_path_factory.mktemp("shuffled")
    (folder / "fuels.csv").write_bytes((PROJECT / "inputs" / "fuels.csv").read_bytes())
    frame.iloc[idx][cols].to_csv(folder / "technologies.csv", index=False)
    shuffled = tables.read_technologies(folder / "technologies.csv")
    assert text  # the shipped file was readable as text
    pd.testing.assert_frame_equal(shuffled.loc[original.index, original.columns], original)


@SETTINGS
@given(s=systems())
def test_p11_results_survive_a_netcdf_round_trip(s, tmp_path_factory):
    res = Study(build(s)).solve()
    path = Path(tmp_path_factory.mktemp("nc")) / "results.nc"
    write_netcdf(res, path)
    back = open_netcdf(path)
    for name in res.data_vars:
        if res[name].dtype.kind in "fiub":
            np.testing.assert_array_equal(back[name].values, res[name].values, err_msg=name)
        else:
            assert list(back[name].values.astype(str).ravel()) == list(res[name].values.astype(str).ravel()), name
    assert back.attrs["objective_cny_per_yr"] == res.attrs["objective_cny_per_yr"]
    write_netcdf(back, path.with_name("again.nc"))
    xr.testing.assert_identical(open_netcdf(path.with_name("again.nc")), back)


def test_nan_cost_change_is_an_input_error():
    from energy_model.errors import InputError

    s = {"hours": 6, "demand": [5.0] * 6, "cf": [0.5] * 6, "pv": {"capex": 10.0, "max": None}, "fuel": 1.0,
         "thermal": [{"name": "th0", "capex": 10.0, "vom": 1.0, "eff": 0.5, "max": None}]}
    study = Study(build(s))
    with pytest.raises(InputError):
        study.set("technologies.th0.vom_cny_per_mwh", float("nan"))
