"""One change path: every change to a built Study equals a fresh build of the changed case.

For random tiny systems that include fixed technologies (existing = maximum),
a storage, a fuel supply with limits and targets in every mode, each
changeable path is changed on a built (and already solved) Study and
re-solved; the same case is then built from scratch with the value written
straight into its tables or specs (not through the change machinery). The
compiled LPs must be identical (same matrix, bounds, costs) and the
optimum the same: objective within 1e-9 relative, same capacities, same
target shadow prices. Restoring the change must give back the base answer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import SIMPLEX, system, tech

from energy_model.engine.highs import compile_model
from energy_model.engine.study import Study
from energy_model.errors import InfeasibleError, InputError
from energy_model.io import tables
from energy_model.io.schema import EconomicsSpec, TargetSpec
from energy_model.vocabulary import LEVEL_FIELD

SETTINGS = settings(max_examples=5, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
REL = 1e-9

GAS_SUPPLY = {"fuel": "gas_supply", "carrier": "natural_gas", "unit": "MWh", "energy_mwh_per_unit": 1.0,
              "co2_t_per_mwh_th": 0.2}


@st.composite
def systems(draw: st.DrawFn) -> dict[str, Any]:
    """A random tiny system as plain data; :func:`build` turns it into a case."""
    hours = draw(st.integers(4, 8))
    return {
        "demand": draw(st.lists(st.floats(10, 60), min_size=hours, max_size=hours)),
        "cf": draw(st.lists(st.sampled_from([0.0, 0.2, 0.5, 0.8, 1.0]), min_size=hours, max_size=hours)),
        "pv_capex": draw(st.floats(200, 3000)), "pv_max": draw(st.one_of(st.none(), st.floats(20, 120))),
        "gas_capex": draw(st.floats(200, 3000)), "gas_vom": draw(st.floats(5, 60)),
        "gas_eff": draw(st.floats(0.35, 0.6)), "coal_mw": draw(st.floats(5, 30)),
        "coal_vom": draw(st.floats(5, 60)), "import_mw": draw(st.floats(5, 40)),
        "import_price": draw(st.floats(100, 900)), "fuel_price": draw(st.floats(10, 80)),
        "fuel_yr": draw(st.one_of(st.none(), st.floats(50, 5000))),
        "battery_capex": draw(st.floats(100, 1500)), "battery_kwh": draw(st.floats(200, 2000)),
        "share": draw(st.floats(0.0, 0.5)), "share_mode": draw(st.sampled_from(["enforce", "report", "soft"])),
        "pv_cap": draw(st.floats(0.0, 30.0)), "cap_mode": draw(st.sampled_from(["enforce", "report", "soft"])),
        "carbon": draw(st.floats(0, 200)),
        "export_price": draw(st.floats(5, 120)), "import_cap": draw(st.floats(0, 500)),
        "net_export_cap": draw(st.floats(-200, 200)), "exchange_mode": draw(st.sampled_from(["enforce", "report"])),
        "local_share": draw(st.floats(0.0, 0.9)), "margin": draw(st.floats(0.0, 0.3)),
        "margin_mode": draw(st.sampled_from(["enforce", "report", "soft"])),
    }


def _target(kind: str, level: float, mode: str, penalty_value: float = 1000.0, **kw: Any) -> TargetSpec:
    field = LEVEL_FIELD[kind]
    penalty = {"penalty": penalty_value} if mode == "soft" else {}
    return TargetSpec(kind=kind, mode=mode, **{field: level}, **penalty, **kw)


def build(s: dict[str, Any]) -> Any:
    """The case of a system description: values written straight into tables and specs."""
    techs = [
        tech("pv", "variable", carrier="solar", profile="pv", capex_cny_per_kw=s["pv_capex"],
             **({} if s["pv_max"] is None else {"max_mw": s["pv_max"]})),
        tech("gas", "thermal", carrier="gas", fuel="natural_gas",
             **({"efficiency": s["gas_eff"], "capex_cny_per_kw": s["gas_capex"], "vom_cny_per_mwh": s["gas_vom"]}
                | s.get("gas_extra", {}))),
        tech("coal", "thermal", carrier="coal", fuel="natural_gas",  # fixed, no price
             **({"efficiency": 0.4, "existing_mw": s["coal_mw"], "max_mw": s["coal_mw"],
                 "vom_cny_per_mwh": s["coal_vom"], "capex_cny_per_kw": np.nan} | s.get("coal_extra", {}))),
        tech("grid_import", "import", carrier="grid",
             **({"existing_mw": s["import_mw"], "max_mw": s["import_mw"], "vom_cny_per_mwh": s["import_price"], "capex_cny_per_kw": 150.0} | s.get("import_extra", {}))),
        tech("battery", "storage", carrier="storage", capex_cny_per_kw=100.0, capex_cny_per_kwh=s["battery_capex"],
             charge_efficiency=0.95, discharge_efficiency=0.95, max_mwh=s["battery_kwh"] / 10.0,
             **({"capacity_credit": 1.0, "firm_duration_h": 4.0} | s.get("battery_extra", {}))),
        tech("grid_export", "export", carrier="grid",
             **({"existing_mw": 10.0, "max_mw": 10.0, "vom_cny_per_mwh": -s.get("export_price", 50.0),
                 "price_profile": "provincial_value", "capex_cny_per_kw": np.nan} | s.get("export_extra", {}))),
    ]
    fuel = GAS_SUPPLY | {"price_cny_per_unit": s["fuel_price"]}
    if s["fuel_yr"] is not None:
        fuel["max_units_per_yr"] = s["fuel_yr"]
    fuel |= s.get("fuel_extra", {})
    targets = {
        "solar_share": _target("min_share", s["share"], s["share_mode"], technologies=["pv"]),
        "pv_capacity": _target("min_capacity", s["pv_cap"], s["cap_mode"], s.get("cap_penalty", 1000.0),
                               technologies=["pv"]),
        "co2": _target("max_emissions", 1e9, "report"),
        "imports": _target("max_import", s.get("import_cap", 1e6), s.get("exchange_mode", "report")),
        "net_export": _target("max_net_export", s.get("net_export_cap", 1e6), s.get("exchange_mode", "report")),
        "local": _target("min_self_sufficiency", s.get("local_share", 0.0), "report"),
        "adequacy": _target("reserve_margin", s.get("margin", 0.0), s.get("margin_mode", "report")),
    } | s.get("targets", {})
    econ = EconomicsSpec(discount_rate=s.get("discount", 0.05), carbon_price_cny_per_t=s["carbon"],
                         value_of_lost_load_cny_per_mwh=s.get("voll", 30000.0),
                         provincial_merit_spread=s.get("spread", 0.1),
                         price_imported_co2=s.get("price_imported_co2", False))
    demand = np.asarray(s["demand"]) * s.get("demand_factor", 1.0)
    case = system(techs, list(demand), fuels=[fuel], cf={"pv": s["cf"]}, targets=targets, economics=econ,
                  hour_weight=1.0, solver=SIMPLEX)
    # the rules a scenario's tables pass when read: a case that breaks them is not a valid fresh build
    tables.validate_fuels(case.fuels, "tiny")
    tables.validate_technologies(case.technologies, "tiny", case.fuels, profiles=["pv"])
    return case


def _row(s: dict[str, Any], key: str, column: str, value: float | None) -> dict[str, Any]:
    """The system with one table cell changed (None empties it)."""
    out = dict(s)
    extra = dict(out.get(key, {}))
    extra[column] = np.nan if value is None else value
    out[key] = extra
    return out


# Each entry: path, a value drawn from the system, and the system with that value written in.
def changes(s: dict[str, Any], u: float) -> list[tuple[str, Any, dict[str, Any]]]:
    """Every changeable path with a new value (``u`` in [0, 1) picks it)."""
    out: list[tuple[str, Any, dict[str, Any]]] = []

    def cell(key: str, g: str, column: str, value: float | None) -> None:
        out.append((f"{'fuels' if key == 'fuel_extra' else 'technologies'}.{g}.{column}", value,
                    _row(s, key, column, value)))

    cell("gas_extra", "gas", "capex_cny_per_kw", 100 + 3000 * u)
    cell("gas_extra", "gas", "fom_cny_per_kw_yr", 10 + 100 * u)
    cell("gas_extra", "gas", "vom_cny_per_mwh", 1 + 80 * u)
    cell("gas_extra", "gas", "max_mw", 5 + 50 * u)
    cell("gas_extra", "gas", "min_mw", 1 + 10 * u)
    cell("gas_extra", "gas", "efficiency", 0.3 + 0.3 * u)
    cell("gas_extra", "gas", "existing_mw", 1 + 5 * u)
    cell("coal_extra", "coal", "max_mw", s["coal_mw"] * (1.5 + u))  # fixed -> expandable: a rebuild
    cell("coal_extra", "coal", "capex_cny_per_kw", 500 + 3000 * u)  # with a price it can now expand
    cell("coal_extra", "coal", "existing_mw", s["coal_mw"] * (0.5 + u / 2))  # below max: expandable
    cell("import_extra", "grid_import", "vom_cny_per_mwh", 100 + 800 * u)
    cell("import_extra", "grid_import", "max_mw", s["import_mw"] * (1 + u))
    cell("import_extra", "grid_import", "capacity_credit", u)
    cell("import_extra", "grid_import", "co2_t_per_mwh", 0.9 * u)
    cell("gas_extra", "gas", "min_full_load_hours", 2.0 * u * len(s["demand"]))
    cell("coal_extra", "coal", "max_full_load_hours", u * len(s["demand"]))
    cell("battery_extra", "battery", "firm_duration_h", 1 + 6 * u)
    cell("export_extra", "grid_export", "vom_cny_per_mwh", -(5 + 100 * u))
    out.append(("technologies.grid_export.price_profile", None,
                _row(s, "export_extra", "price_profile", None)))
    cell("fuel_extra", "gas_supply", "price_cny_per_unit", 5 + 100 * u)
    cell("fuel_extra", "gas_supply", "max_units_per_yr", 100 + 5000 * u)
    cell("fuel_extra", "gas_supply", "max_units_per_h", 20 + 100 * u)
    if s["fuel_yr"] is not None:
        cell("fuel_extra", "gas_supply", "max_units_per_yr", None)  # finite -> unlimited: a rebuild
    for key, value in (("carbon", 300 * u), ("discount", 0.01 + 0.1 * u), ("voll", 5000 + 50000 * u)):
        path = {"carbon": "carbon_price_cny_per_t", "discount": "discount_rate",
                "voll": "value_of_lost_load_cny_per_mwh"}[key]
        out.append((f"economics.{path}", value, dict(s) | {key: value}))
    out.append(("targets.solar_share.level", 0.6 * u, dict(s) | {"share": 0.6 * u}))
    out.append(("economics.provincial_merit_spread", 0.3 * u, dict(s) | {"spread": 0.3 * u}))
    out.append(("economics.price_imported_co2", u > 0.5, dict(s) | {"price_imported_co2": u > 0.5}))
    out.append(("targets.imports.level", 400 * u, dict(s) | {"import_cap": 400 * u}))
    out.append(("targets.net_export.level", 300 * u - 150, dict(s) | {"net_export_cap": 300 * u - 150}))
    out.append(("targets.local.level", 0.9 * u, dict(s) | {"local_share": 0.9 * u}))
    out.append(("targets.adequacy.level", 0.3 * u, dict(s) | {"margin": 0.3 * u}))
    mode = ["enforce", "report", "soft"][int(u * 3)]
    out.append(("targets.solar_share.mode", mode, dict(s) | {"share_mode": mode}))
    out.append(("targets.pv_capacity.penalty", 100 + 900 * u, dict(s) | {"cap_mode": "soft", "cap_penalty": 100 + 900 * u}))
    out.append(("targets.pv_capacity.level", 40 * u, dict(s) | {"pv_cap": 40 * u}))
    annual = float(np.sum(s["demand"]))
    factor = 0.5 + u
    out.append(("demand.annual_twh", annual * factor / 1e6, dict(s) | {"demand_factor": factor}))
    return out


def _solve(study: Study) -> Any:
    try:
        return study.solve()
    except InfeasibleError:
        return None


def _lp_arrays(study: Study) -> dict[str, np.ndarray]:
    lp = compile_model(study.model).lp
    a = lp.a_matrix_
    return {name: np.asarray(value, dtype=float) for name, value in {
        "cost": lp.col_cost_, "lower": lp.col_lower_, "upper": lp.col_upper_, "row_lower": lp.row_lower_,
        "row_upper": lp.row_upper_, "start": a.start_, "index": a.index_, "value": a.value_}.items()}


def assert_same(a: Any, b: Any, what: str) -> None:
    """Two solves give the same optimum (or are both infeasible)."""
    assert (a is None) == (b is None), f"{what}: one infeasible, the other not"
    if a is None:
        return
    oa, ob = a.attrs["objective_cny_per_yr"], b.attrs["objective_cny_per_yr"]
    assert oa == pytest.approx(ob, rel=REL, abs=1e-6), what
    np.testing.assert_allclose(a["capacity_mw"].values, b["capacity_mw"].values, rtol=1e-7, atol=1e-6,
                               err_msg=what)
    np.testing.assert_allclose(a["target_shadow_price"].values, b["target_shadow_price"].values, rtol=1e-7,
                               atol=1e-6, err_msg=what)


@SETTINGS
@given(s=systems(), u=st.floats(0.0, 0.999))
def test_every_change_equals_a_fresh_build(s: dict[str, Any], u: float) -> None:
    base_case = build(s)
    study = Study(base_case)
    base = _solve(study)
    for path, value, changed in changes(s, u):
        try:
            fresh_case = build(changed)
            fresh = Study(fresh_case)
        except (InputError, ValueError):
            continue  # the changed system is not valid data (e.g. min above max); see the refusal tests
        try:
            together = {path: value}
            if path.endswith(".mode") and value == "soft":
                together[path.replace(".mode", ".penalty")] = 1000.0  # a soft target needs its price
            if path == "targets.pv_capacity.penalty":
                together["targets.pv_capacity.mode"] = "soft"
            with study.changed(together):
                mine = _lp_arrays(study)
                for name, arr in _lp_arrays(fresh).items():
                    # equal but for rounding (a demand in TWh/yr is scaled back to MW)
                    np.testing.assert_allclose(mine[name], arr, rtol=1e-12, atol=0, err_msg=f"{path}: {name}")
                assert_same(_solve(study), _solve(fresh), f"{path} = {value}")
        except InputError as err:
            pytest.fail(f"{path} = {value} refused but the fresh build accepts it: {err}")
        assert_same(_solve(study), base, f"restored after {path}")


def test_fixed_capacity_made_expandable_is_rebuilt():
    """The reported defect: raising max_mw of a fixed technology must let it grow.

    Gas: existing = max = 10 MW, capex 100 CNY/kW (1-year life, no discounting),
    10 CNY/MWh; imports (fixed 100 MW) at 500 CNY/MWh; demand 50 MW for 2 hours,
    each hour weighted 8760 / 2. With gas fixed: 10 MW gas, 40 MW imports:
    10 x 8760 x 10 + 40 x 8760 x 500 = 176,076,000 CNY/yr. With max_mw = 100:
    40 MW new gas (40 x 100,000) + 50 x 8760 x 10 = 8,380,000 CNY/yr.
    """
    gas = tech("gas", "thermal", carrier="gas", fuel="natural_gas", efficiency=1.0, existing_mw=10.0, max_mw=10.0,
               capex_cny_per_kw=100.0, vom_cny_per_mwh=10.0)
    imports = tech("grid_import", "import", carrier="grid", existing_mw=100.0, max_mw=100.0, vom_cny_per_mwh=500.0)
    fuel = GAS_SUPPLY | {"price_cny_per_unit": 0.0}
    econ = EconomicsSpec(discount_rate=0.0, carbon_price_cny_per_t=0.0)
    study = Study(system([gas, imports], [50.0, 50.0], fuels=[fuel], economics=econ))
    assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(176_076_000, rel=1e-9)
    assert study.apply({"technologies.gas.max_mw": 100.0}) == "rebuild"
    assert study.changes[-1]["structure"] == ["fixed capacity"]
    res = study.solve()
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(8_380_000, rel=1e-9)
    assert float(res["capacity_mw"].sel(technology="gas")) == pytest.approx(50.0)
    assert study.apply({"technologies.gas.vom_cny_per_mwh": 20.0}) == "update"
    assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(4_000_000 + 50 * 8760 * 20, rel=1e-9)


@pytest.mark.parametrize("path, value, words", [
    ("technologies.gas.capex_cny_per_kw", -5000.0, "must be in [0"),
    ("technologies.gas.capex_cny_per_kw", 1.0e9, "implausible magnitude"),
    ("technologies.gas.capex_cny_per_kw", math.nan, "finite number"),
    ("technologies.gas.efficiency", 45.0, "percentage"),
    ("technologies.gas.max_mw", 1.0, "exceeds"),  # existing 5 MW > max 1 MW
    ("technologies.coal.max_mw", 50.0, "no capex"),  # fixed without a price cannot expand
    ("technologies.gass.vom_cny_per_mwh", 1.0, "did you mean 'gas'"),
    ("technologies.gas.kind", "storage", "no changeable column"),
    ("fuels.gas_supply.price_cny_per_unit", True, "finite number"),
    ("economics.discount_rate", 0.9, "less than or equal to 0.3"),
    ("economics.carbon_price", 10.0, "did you mean 'carbon_price_cny_per_t'"),
    ("targets.solar_share.level", 25.0, "not a percentage"),
    ("targets.solar_share.level", -0.1, "greater than or equal to 0"),
    ("targets.solar_share.mode", "soft", "needs 'penalty'"),
    ("targets.nope.level", 1.0, "no target named"),
    ("demand.annual_twh", 0.0, "greater than 0"),
    ("solver.time_limit_s", -1.0, "greater than or equal to 0"),
    ("weather.years", 2020, "not a changeable path"),
])
def test_bad_changes_are_refused_with_the_table_and_schema_rules(path, value, words):
    s = {"demand": [20.0, 30.0], "cf": [0.5, 0.5], "pv_capex": 1000.0, "pv_max": None, "gas_capex": 1000.0,
         "gas_vom": 10.0, "gas_eff": 0.5, "coal_mw": 10.0, "coal_vom": 20.0, "import_mw": 10.0,
         "import_price": 500.0, "fuel_price": 20.0, "fuel_yr": None, "battery_capex": 500.0, "battery_kwh": 500.0,
         "share": 0.1, "share_mode": "enforce", "pv_cap": 0.0, "cap_mode": "report", "carbon": 0.0,
         "gas_extra": {"existing_mw": 5.0}}
    study = Study(build(s))
    before = study.solve().attrs["objective_cny_per_yr"]
    with pytest.raises(InputError) as err:
        study.apply({path: value})
    text = err.value.format()
    assert words in text and path in text
    assert study.solve().attrs["objective_cny_per_yr"] == before  # nothing was applied


def test_all_problems_of_one_call_are_reported_together():
    s = {"demand": [20.0, 30.0], "cf": [0.5, 0.5], "pv_capex": 1000.0, "pv_max": None, "gas_capex": 1000.0,
         "gas_vom": 10.0, "gas_eff": 0.5, "coal_mw": 10.0, "coal_vom": 20.0, "import_mw": 10.0,
         "import_price": 500.0, "fuel_price": 20.0, "fuel_yr": None, "battery_capex": 500.0, "battery_kwh": 500.0,
         "share": 0.1, "share_mode": "enforce", "pv_cap": 0.0, "cap_mode": "report", "carbon": 0.0}
    study = Study(build(s))
    with pytest.raises(InputError) as err:
        study.apply({"technologies.gas.capex_cny_per_kw": -1.0, "economics.discount_rate": 2.0,
                     "targets.solar_share.level": 30.0})
    assert len(err.value.issues) == 3
