"""Your own rows (``extra_rows=``): the hook changes the optimum to the hand value and survives rebuilds."""

from __future__ import annotations

import json

import pyomo.environ as pyo
import pytest
from tiny import system, tech

from energy_model.engine.study import Study
from energy_model.inputs.lp_units import LPData
from energy_model.io.schema import EconomicsSpec

GAS_SUPPLY = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
              "price_cny_per_unit": 0.0}
HOUR_WEIGHT = 8760 / 2


def gas_cap(model: pyo.ConcreteModel, data: LPData) -> None:
    """Gas output in hour 0 at most 5 MW (the model is in GW)."""
    model.gas_cap_hour0 = pyo.Constraint(expr=model.p["gas", 0] <= 0.005)


def _study(hook=gas_cap) -> Study:
    """Gas: existing = max = 10 MW, capex 100 CNY/kW, 10 CNY/MWh; imports 100 MW at 500 CNY/MWh; demand 50 MW x 2 h."""
    gas = tech("gas", "thermal", carrier="gas", fuel="natural_gas", efficiency=1.0, existing_mw=10.0, max_mw=10.0,
               capex_cny_per_kw=100.0, vom_cny_per_mwh=10.0)
    imports = tech("grid_import", "import", carrier="grid", existing_mw=100.0, max_mw=100.0, vom_cny_per_mwh=500.0)
    econ = EconomicsSpec(discount_rate=0.0, carbon_price_cny_per_t=0.0)
    return Study(system([gas, imports], [50.0, 50.0], fuels=[GAS_SUPPLY], economics=econ), extra_rows=hook)


def test_hook_changes_the_optimum_and_survives_a_rebuild():
    """Hand values.

    Fixed gas, with the hook: hour 0 5 MW gas + 45 MW imports, hour 1 10 MW gas + 40 MW imports:
    4380 x (5 x 10 + 45 x 500 + 10 x 10 + 40 x 500) = 186,807,000 CNY/yr (plain model: 176,076,000).
    Gas expandable to 100 MW (a rebuild): 40 MW new gas (4,000,000) and hour 1 all gas, hour 0 still 5 MW:
    4,000,000 + 4380 x (5 x 10 + 45 x 500 + 50 x 10) = 104,959,000 CNY/yr (plain model: 8,380,000).
    """
    study = _study()
    res = study.solve()
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(HOUR_WEIGHT * 42_650, rel=1e-9)
    assert float(res["dispatch_mw"].sel(technology="gas").isel(time=0)) == pytest.approx(5.0)
    assert study.apply({"technologies.gas.max_mw": 100.0}) == "rebuild"
    res = study.solve()
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(104_959_000, rel=1e-9)
    assert float(res["dispatch_mw"].sel(technology="gas").isel(time=0)) == pytest.approx(5.0)
    assert study.apply({"technologies.gas.vom_cny_per_mwh": 20.0}) == "update"  # re-applied, not doubled
    assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(
        4_000_000 + HOUR_WEIGHT * (5 * 20 + 45 * 500 + 50 * 20), rel=1e-9)
    with study.changed({"technologies.gas.max_mw": 10.0}):  # back to fixed: a rebuild, then restored
        assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(
            HOUR_WEIGHT * (5 * 20 + 45 * 500 + 10 * 20 + 40 * 500), rel=1e-9)
    assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(
        4_000_000 + HOUR_WEIGHT * (5 * 20 + 45 * 500 + 50 * 20), rel=1e-9)


def test_plain_model_without_hook():
    assert _study(None).solve().attrs["objective_cny_per_yr"] == pytest.approx(176_076_000, rel=1e-9)


def test_run_records_the_hook(project):
    """A run with a hook names it (qualified name and module) in manifest.json and summary.json; plain runs say None."""
    from energy_model.api import run_scenario

    def no_new_gas(model: pyo.ConcreteModel, data: LPData) -> None:
        model.no_new_gas = pyo.Constraint(expr=model.build["gas_ccgt"] <= 0) if "gas_ccgt" in data.techs else None

    path = project.scenario()
    out = run_scenario(path, project.out, extra_rows=no_new_gas)
    assert out.folder is not None
    expected = {"name": "test_run_records_the_hook.<locals>.no_new_gas", "module": __name__}
    assert json.loads((out.folder / "manifest.json").read_text())["extra_rows"] == expected
    assert json.loads((out.folder / "summary.json").read_text())["extra_rows"] == expected


def test_scenario_file_cannot_name_a_hook(project):
    """The hook is code only: a scenario key for it is refused like any unknown key."""
    from conftest import BASE_YAML

    from energy_model.errors import InputError
    from energy_model.io.scenario_file import load_scenario

    path = project.scenario(BASE_YAML + "extra_rows: my_module.my_rows\n")
    with pytest.raises(InputError, match="extra_rows"):
        load_scenario(path)
