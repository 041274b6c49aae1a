"""Recompute every invariant from the files the session's quick_week run wrote (conftest.quick_week_run).

The runtime checks in :mod:`energy_model.engine.checks` run inside every solve; these
tests check the *published* files independently (only NumPy on what was
written), so a bug in extraction, metrics or writing cannot hide behind the
checks it shares code with. Numbers in CSV files carry 6 significant digits.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energy_model import vocabulary as n
from energy_model.engine.checks import check_results
from energy_model.output.run_folder import open_netcdf, verify_run, write_netcdf

NEW_ENERGY = ("wind", "solar", "biomass")


@pytest.fixture(scope="module")
def run(quick_week_run: Path) -> dict:
    """The session's quick_week run (read only), opened once for this module."""
    folder = quick_week_run
    res = open_netcdf(folder / "results.nc")
    inp = open_netcdf(folder / "inputs.nc")
    return {
        "folder": folder,
        "res": res,
        "ref": open_netcdf(folder / "reference.nc"),
        "inp": inp,
        "manifest": json.loads((folder / "manifest.json").read_text()),
        "summary": json.loads((folder / "summary.json").read_text()),
        "hourly": pd.read_csv(folder / "hourly.csv", index_col=0),
        "techs": pd.read_csv(folder / "technologies.csv", index_col=0),
        "targets": pd.read_csv(folder / "targets.csv"),
        "w": float(inp.attrs["hour_weight"]),
        "kind": inp["kind"].values.astype(str),
        "tol": 1e-5 * float(inp["demand_mw"].max()),
    }


def test_folder_is_complete_and_checksummed(run):
    manifest = verify_run(run["folder"])
    assert manifest["status"] == "optimal"
    assert manifest["input_hash"] == run["inp"].attrs["input_hash"] == run["res"].attrs["input_hash"]
    assert set(manifest["files"]) | {"manifest.json"} == {p.name for p in run["folder"].iterdir()}
    assert not list(run["folder"].parent.glob(".*"))  # no staging, old or lock left behind
    assert run["res"].attrs["solver_model_status"] == "Optimal"


def test_no_nan_or_inf_in_published_numbers(run):
    res = run["res"]
    for name in ("capacity_mw", "dispatch_mw", "fuel_use_mwh_th", "price_cny_per_mwh", "cost_cny_per_yr",
                 "unserved_mw", "generation_mwh_per_yr", "emissions_t_per_yr", "target_value"):
        assert np.isfinite(res[name].values).all(), name
    assert np.isfinite(run["manifest"]["objective_cny_per_yr"])


def test_hourly_electricity_balance(run):
    res, inp, kind = run["res"], run["inp"], run["kind"]
    disp = res["dispatch_mw"].values
    supply = disp[np.isin(kind, n.ELECTRIC_SUPPLY_KINDS)].sum(0) + disp[kind == n.STORAGE].sum(0)
    net = supply - disp[kind == n.EXPORT].sum(0) + res["unserved_mw"].values
    np.testing.assert_allclose(net, inp["demand_mw"].values, atol=run["tol"])


def test_hourly_balance_from_the_csv(run):
    """The spreadsheet users' file: the supply columns (first technology to unserved_mw, exports and charging
    negative) sum to demand every hour, to the 1 kW written; heat is kept apart."""
    h = run["hourly"]
    cols = list(h.columns)
    supply = cols[cols.index("demand_mw") + 1: cols.index("unserved_mw") + 1]
    assert not [c for c in supply if "heat" in c]
    np.testing.assert_allclose(h[supply].sum(axis=1), h["demand_mw"], atol=0.02)
    exports = [f"{g}_mw" for g, k in zip(run["inp"][n.TECH].values, run["kind"]) if k == n.EXPORT]
    assert (h[exports].to_numpy() <= 0).all()


def test_heat_balance(run):
    res, inp = run["res"], run["inp"]
    heat = np.nan_to_num(res["heat_output_mw"].values).sum(0) + res["unserved_heat_mw"].values
    assert (heat >= inp["heat_demand_mw"].values - run["tol"]).all()


def test_capacity_and_dispatch_limits(run):
    res, inp, kind, tol = run["res"], run["inp"], run["kind"], run["tol"]
    cap = res["capacity_mw"].values
    assert (cap >= inp["capacity_lower_mw"].values - tol).all()
    assert (cap <= inp["capacity_upper_mw"].values + tol).all()
    np.testing.assert_allclose(res["new_capacity_mw"].values, cap - inp["existing_mw"].values, atol=tol)
    disp = res["dispatch_mw"].values
    cf = inp["capacity_factor"].values
    avail = inp["availability"].fillna(1.0).values
    for i, k in enumerate(kind):
        if k == n.STORAGE:
            continue
        limit = cf[i] * cap[i] if k == n.VARIABLE else avail[i] * cap[i]
        assert (disp[i] >= -tol).all() and (disp[i] <= limit + tol).all(), inp[n.TECH].values[i]


def test_curtailment_is_available_minus_used(run):
    res, inp, kind = run["res"], run["inp"], run["kind"]
    var = kind == n.VARIABLE
    available = inp["capacity_factor"].values[var] * res["capacity_mw"].values[var, None]
    np.testing.assert_allclose(res["curtailment_mw"].values[var], available - res["dispatch_mw"].values[var],
                               atol=run["tol"])
    assert (res["curtailment_mw"].values[var] >= -run["tol"]).all()


def test_storage_limits_and_continuity(run):
    res, inp, kind, tol = run["res"], run["inp"], run["kind"], run["tol"]
    for i in np.flatnonzero(kind == n.STORAGE):
        ch, dis = res["storage_charge_mw"].values[i], res["storage_discharge_mw"].values[i]
        soc, cap = res["storage_level_mwh"].values[i], res["capacity_mw"].values[i]
        ecap = res["energy_capacity_mwh"].values[i]
        assert (ch >= -tol).all() and (dis >= -tol).all() and (ch <= cap + tol).all() and (dis <= cap + tol).all()
        assert (soc >= -tol).all() and (soc <= ecap + tol).all()
        np.testing.assert_allclose(res["dispatch_mw"].values[i], dis - ch, atol=tol)
        loss = float(np.nan_to_num(inp["self_discharge_per_h"].values[i]))
        ec, ed = float(inp["charge_efficiency"].values[i]), float(inp["discharge_efficiency"].values[i])
        np.testing.assert_allclose(soc, (1 - loss) * np.roll(soc, 1) + ec * ch - dis / ed, atol=tol)


def test_fuel_use_and_supply_limits(run):
    res, inp, kind, w, tol = run["res"], run["inp"], run["kind"], run["w"], run["tol"]
    x = res["fuel_use_mwh_th"].values
    burns = inp["burns"].values.astype(str)
    carrier = inp["fuel_carrier"].values.astype(str)
    eff = inp["efficiency"].values
    disp = res["dispatch_mw"].values
    for c in set(carrier):
        burners = np.isin(kind, n.FUELLED_KINDS) & (burns == c)
        np.testing.assert_allclose(x[carrier == c].sum(0), (disp[burners] / eff[burners, None]).sum(0),
                                   atol=tol / 0.3)
    assert (x <= inp["max_mwh_th_per_h"].fillna(np.inf).values[:, None] + tol).all()
    annual = x.sum(1) * w
    np.testing.assert_allclose(res["fuel_use_mwh_th_per_yr"].values, annual, rtol=1e-9)
    assert (annual <= inp["max_mwh_th_per_yr"].fillna(np.inf).values * (1 + 1e-6)).all()


def test_generation_and_emissions_recomputed_from_dispatch(run):
    res, inp, w = run["res"], run["inp"], run["w"]
    kind = run["kind"]
    gen = res["dispatch_mw"].values.sum(1) * w
    gen[kind == n.STORAGE] = res["storage_discharge_mw"].values[kind == n.STORAGE].sum(1) * w
    np.testing.assert_allclose(res["generation_mwh_per_yr"].values, gen, rtol=1e-9, atol=1e-6)
    emis = res["fuel_use_mwh_th"].values.sum(1)[:, None] * w * inp["fuel_emission_t_per_mwh_th"].values
    np.testing.assert_allclose(res["emissions_t_per_yr"].values, emis, rtol=1e-9, atol=1e-9)
    co2 = run["summary"]["enforced"]["emissions_t_per_yr"]["co2"]
    assert co2 == pytest.approx(emis[:, list(inp[n.POLLUTANT].values).index("co2")].sum(), rel=1e-9)


def test_new_energy_share_recomputed_from_dispatch(run):
    res, inp, w = run["res"], run["inp"], run["w"]
    carrier = inp["carrier"].values.astype(str)
    mask = np.isin(carrier, NEW_ENERGY) & (run["kind"] != n.STORAGE)
    share = res["dispatch_mw"].values[mask].sum() * w / (inp["demand_mw"].values.sum() * w)
    assert run["summary"]["enforced"]["new_energy_share"] == pytest.approx(share, rel=1e-9)


def test_targets_recomputed_and_met(run):
    res, inp, w = run["res"], run["inp"], run["w"]
    members = inp["target_member"].values
    cap, gen = res["capacity_mw"].values, res["dispatch_mw"].values.sum(1) * w
    consumption = inp["demand_mw"].values.sum() * w
    table = run["targets"].set_index("target")
    for j, k in enumerate(inp[n.TARGET].values.astype(str)):
        kind, level = str(inp["target_kind"].values[j]), float(inp["target_level"].values[j])
        m = members[j] & (run["kind"] != n.STORAGE)
        if kind == n.RESERVE_MARGIN:  # firm capacity by credits over the peak (no storage is built here)
            credit = np.nan_to_num(inp["capacity_credit"].values)
            value = (credit * cap)[members[j]].sum() / float(inp["demand_mw"].max()) - 1.0
        else:
            value = cap[m].sum() if kind == n.MIN_CAPACITY else gen[m].sum() / consumption
        assert float(res["target_value"].values[j]) == pytest.approx(value, rel=1e-7)
        assert table.loc[k, "value"] == pytest.approx(value, rel=1e-5)
        if str(inp["target_mode"].values[j]) == n.ENFORCE:
            assert value >= level * (1 - 1e-6), k
            assert bool(res["target_met"].values[j])
        # a binding floor has a non-negative shadow price
        assert float(res["target_shadow_price"].values[j]) >= -1e-6


def test_costs_sum_to_the_objective(run):
    res, man = run["res"], run["manifest"]
    objective = man["objective_cny_per_yr"]
    assert float(res["cost_cny_per_yr"].sum()) == pytest.approx(objective, rel=1e-6)
    assert run["summary"]["enforced"]["total_cost_cny_per_yr"] == pytest.approx(objective, rel=1e-12)
    by_tech = run["techs"]["cost_cny_per_yr"].sum()
    system = sum(run["summary"]["enforced"]["cost_components_cny_per_yr"].get(c, 0.0) for c in ("unserved", "penalty"))
    assert by_tech + system == pytest.approx(objective, rel=1e-5)


def test_objective_recomputed_from_inputs_and_values(run):
    """I-09: capex + fom + vom + fuel + carbon + unserved from the input prices and the published values."""
    res, inp, w, kind = run["res"], run["inp"], run["w"], run["kind"]
    cap = res["capacity_mw"].values
    build = np.maximum(cap - inp["existing_mw"].values, 0)
    capex = np.nansum(inp["annualised_capex_cny_per_mw_yr"].values * build)
    fom = np.nansum(inp["fom_cny_per_mw_yr"].values * cap)
    s = kind == n.STORAGE
    ecap = res["energy_capacity_mwh"].values
    capex += np.nansum(inp["annualised_capex_cny_per_mwh_yr"].values[s] *
                       np.maximum(ecap[s] - np.nan_to_num(inp["existing_mwh"].values[s]), 0))
    fom += np.nansum(inp["fom_cny_per_mwh_yr"].values[s] * ecap[s])
    out = res["dispatch_mw"].values.copy()
    out[s] = res["storage_discharge_mw"].values[s]
    shape = inp["price_shape"].transpose("technology", "time").values  # hourly multiplier of vom (trade rows)
    vom = w * np.nansum(inp["vom_cny_per_mwh"].values * (out * shape).sum(1))
    annual = res["fuel_use_mwh_th"].values.sum(1) * w
    fuel = float((inp["price_cny_per_mwh_th"].values * annual).sum())
    co2 = list(inp[n.POLLUTANT].values).index("co2")
    carbon = inp.attrs["carbon_price_cny_per_t"] * float((inp["fuel_emission_t_per_mwh_th"].values[:, co2] * annual).sum())
    unserved = w * (inp.attrs["value_of_lost_load_cny_per_mwh"] * res["unserved_mw"].values.sum()
                    + inp.attrs["value_of_lost_heat_cny_per_mwh"] * res["unserved_heat_mw"].values.sum())
    # start-ups: online capacity coming up, hour on hour (cyclic), at each unit's start-up cost
    online = np.nan_to_num(res["online_mw"].values)
    rises = np.maximum(online - np.roll(online, 1, axis=1), 0.0).sum(1)
    startup = w * float(np.nansum(np.nan_to_num(inp["startup_cost_cny_per_mw"].values) * rises))
    comp = res["cost_cny_per_yr"].to_series()
    assert comp["penalty"] == 0  # no soft target in this scenario
    for name, value in (("capex", capex), ("fom", fom), ("vom", vom), ("fuel", fuel), ("carbon", carbon),
                        ("unserved", unserved), ("startup", startup)):
        assert comp[name] == pytest.approx(value, rel=1e-6, abs=1.0), name
    total = capex + fom + vom + fuel + carbon + unserved + startup
    assert total == pytest.approx(run["manifest"]["objective_cny_per_yr"], rel=1e-6)


def test_prices_within_theory(run):
    """Costs are non-negative apart from export revenue and renewables can be curtailed (free disposal), so
    the hourly price lies between minus the export revenue's worth and the value of lost load."""
    res, inp = run["res"], run["inp"]
    price = res["price_cny_per_mwh"].values
    exports = inp["vom_cny_per_mwh"].values[run["kind"] == n.EXPORT]
    assert (price >= -1e-6).all()
    assert (price <= inp.attrs["value_of_lost_load_cny_per_mwh"] + 1e-6).all()
    # any hour with curtailment and spare export capacity cannot be priced above the export revenue
    assert (price >= -exports.max(initial=0) - 1e-6).all()
    assert (res["heat_price_cny_per_mwh"].values >= -1e-6).all()


def test_reference_case_passes_the_runtime_checks_from_files(run):
    """The production checks, re-run on what was read back from disk, pass for both published cases."""
    check_results(run["res"], run["inp"])
    ref_inputs = run["inp"].assign(target_mode=run["ref"]["target_mode"])  # targets only reported there
    assert set(run["ref"]["target_mode"].values.astype(str)) == {n.REPORT}
    check_results(run["ref"], ref_inputs)
    assert run["ref"].attrs["objective_cny_per_yr"] <= run["res"].attrs["objective_cny_per_yr"] * (1 + 1e-9)


def test_csv_exports_equal_the_netcdf(run):
    res, h = run["res"], run["hourly"]
    np.testing.assert_allclose(run["techs"]["capacity_mw"].values, res["capacity_mw"].values, rtol=1e-5, atol=1e-3)
    for g, k in zip(res[n.TECH].values.astype(str), run["kind"]):
        disp = res["dispatch_mw"].sel({n.TECH: g}).values
        if k == n.STORAGE:
            written = h[f"{g}_discharge_mw"].values + h[f"{g}_charge_mw"].values
        elif k == n.BOILER:
            written, disp = h[f"{g}_heat_mw_th"].values, res["heat_output_mw"].sel({n.TECH: g}).values
        else:
            written = h[f"{g}_mw"].values * (-1 if k == n.EXPORT else 1)
        np.testing.assert_allclose(written, disp, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(h["price_cny_per_mwh"].values, res["price_cny_per_mwh"].values, rtol=1e-5)


@pytest.mark.parametrize("name", ["results.nc", "reference.nc", "inputs.nc"])
def test_netcdf_round_trip_identical(run, tmp_path: Path, name: str):
    first = open_netcdf(run["folder"] / name)
    write_netcdf(first, tmp_path / name)
    second = open_netcdf(tmp_path / name)
    xr.testing.assert_identical(first, second)
