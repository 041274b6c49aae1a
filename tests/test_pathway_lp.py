"""The multi-period (pathway) LP on tiny hand-solvable systems.

One hour stands for one hour a year (``hour_weight=1``), demand is 100 MW, so
the annual energy is 100 MWh. Technologies cost ``capex_cny_per_kw`` over a
10-year life at a zero discount rate in the Case (annuity = capex / 10 per
kW-yr), e.g. 10 CNY/kW -> 1 CNY/kW-yr = 1,000 CNY/MW-yr.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from energy_model.engine.highs import solve_model
from energy_model.engine.pathway import solve_pathway
from energy_model.inputs.assemble import assemble_case
from energy_model.inputs.load import load_case
from energy_model.inputs.lp_units import lp_data
from energy_model.io.case import Case
from energy_model.io.pathway_spec import Pathway
from energy_model.io.schema import TargetSpec
from energy_model.model import build_model
from tests.tiny import GAS, system, tech

COAL = {"fuel": "coal_supply", "carrier": "coal", "unit": "MWh", "energy_mwh_per_unit": 1.0,
        "price_cny_per_unit": 0.0, "co2_t_per_mwh_th": 1.0}
REL = 1e-9


def plant(name: str, capex: float, fuel: str = "natural_gas", **kw: object) -> dict[str, object]:
    """A thermal plant: efficiency 1, vom 5 CNY/MWh unless given, 10-year life."""
    kw.setdefault("vom_cny_per_mwh", 5.0)
    return tech(name, "thermal", fuel=fuel, efficiency=1.0, capex_cny_per_kw=capex, lifetime_yr=10.0, **kw)


def case(*techs: dict[str, object], **kw: object) -> Case:
    return system(list(techs), [100.0], hour_weight=1.0, fuels=(GAS, COAL), **kw)  # type: ignore[arg-type]


def pathway(cases: tuple[Case, ...], lifetime: dict[str, float], rate: float = 0.0, foresight: str = "perfect",
            **kw: object) -> Pathway:
    periods = (2020, 2025)[: len(cases)]
    return Pathway(periods, (5,) * len(cases), foresight, rate, cases, lifetime, **kw)  # type: ignore[arg-type]


def test_plant_built_in_period_one_serves_period_two() -> None:
    c = case(plant("gen", 10.0))
    res = solve_pathway(pathway((c, c), {"gen": 10.0})).results
    assert res["new_build_mw"].sel(technology="gen").values.tolist() == pytest.approx([100.0, 0.0])
    assert res["capacity_mw"].sel(technology="gen").values.tolist() == pytest.approx([100.0, 100.0])
    capex = res["cost_cny_per_yr"].sel(component="capex").values
    assert capex.tolist() == pytest.approx([100_000.0, 100_000.0], rel=REL)  # paid in both periods
    assert res["cost_by_period"].values.tolist() == pytest.approx([100_500.0, 100_500.0], rel=REL)


def test_plant_retires_at_end_of_lifetime_and_starting_fleet_retires() -> None:
    first = case(plant("gen", 10.0, existing_mw=60.0))
    second = case(plant("gen", 10.0))  # the starting fleet's 60 MW left service
    res = solve_pathway(pathway((first, second), {"gen": 5.0})).results
    assert res["new_build_mw"].sel(technology="gen").values.tolist() == pytest.approx([40.0, 100.0])
    assert res["retired_mw"].sel(technology="gen").values.tolist() == pytest.approx([0.0, 60.0])
    assert res["cost_by_period"].values.tolist() == pytest.approx([40_500.0, 100_500.0], rel=REL)


def test_discounting_and_period_weights_add_up() -> None:
    c = case(plant("gen", 10.0))
    out = solve_pathway(pathway((c, c), {"gen": 10.0}, rate=0.05))
    w0 = 4.545950504162724  # 1 + 1.05^-1 + ... + 1.05^-4
    w1 = 3.5618711714816915  # 1.05^-5 + ... + 1.05^-9 = w0 * 0.78352616646845
    assert out.results["period_weight_yr"].values.tolist() == pytest.approx([w0, w1], rel=REL)
    assert out.objective == pytest.approx(100_500.0 * (1.0 + w1 / w0), rel=REL)
    assert float(out.results["present_value_cny"]) == pytest.approx(100_500.0 * (w0 + w1), rel=REL)


def _stranding_cases() -> tuple[Case, Case]:
    """Coal: 1,500 CNY/MW-yr; clean: 2,000 CNY/MW-yr; both 1 CNY/MWh. Period 2 allows no CO2."""
    techs = (plant("coal", 15.0, fuel="coal", vom_cny_per_mwh=1.0),
             plant("clean", 20.0, vom_cny_per_mwh=1.0))
    cap = {"co2": TargetSpec(kind="max_emissions", value_t=0.0)}
    return case(*techs), case(*techs, targets=cap)


def test_myopic_strands_coal_perfect_builds_clean_only() -> None:
    first, second = _stranding_cases()
    life = {"coal": 10.0, "clean": 10.0}
    perfect = solve_pathway(pathway((first, second), life))
    myopic = solve_pathway(pathway((first, second), life, foresight="myopic"))
    p, m = perfect.results, myopic.results
    assert p["new_build_mw"].sel(technology="coal").values.tolist() == pytest.approx([0.0, 0.0])
    assert p["new_build_mw"].sel(technology="clean").values.tolist() == pytest.approx([100.0, 0.0])
    assert p["cost_by_period"].values.tolist() == pytest.approx([200_100.0, 200_100.0], rel=REL)
    assert perfect.objective == pytest.approx(400_200.0, rel=REL)
    assert m["new_build_mw"].sel(technology="coal").values.tolist() == pytest.approx([100.0, 0.0])
    assert m["new_build_mw"].sel(technology="clean").values.tolist() == pytest.approx([0.0, 100.0])
    # the stranded coal's annuity is still paid in period 2
    assert m["cost_by_period"].values.tolist() == pytest.approx([150_100.0, 350_100.0], rel=REL)
    assert myopic.objective == pytest.approx(500_200.0, rel=REL)
    assert myopic.foresight == "myopic"


def test_committed_build_is_forced_and_its_capex_counted() -> None:
    c = case(plant("cheap", 10.0), plant("pricey", 30.0))
    spec = pathway((c, c), {"cheap": 10.0, "pricey": 10.0}, committed_mw={("pricey", 2025): 30.0})
    out = solve_pathway(spec)
    res = out.results
    assert res["new_build_mw"].sel(technology="pricey").values.tolist() == pytest.approx([0.0, 30.0])
    assert res["new_build_mw"].sel(technology="cheap").values.tolist() == pytest.approx([100.0, 0.0])
    assert res["cost_by_period"].values.tolist() == pytest.approx([100_500.0, 190_500.0], rel=REL)
    assert out.objective == pytest.approx(291_000.0, rel=REL)


def _plain(c: Case) -> tuple[float, list[float]]:
    ds = assemble_case(c)
    m = build_model(lp_data(ds))
    sol = solve_model(m, c.solver)
    return sol.objective * 1e6, [v for v in sol.value(m.build)]


def _assert_one_period_equals_plain(c: Case) -> None:
    objective, build = _plain(c)
    out = solve_pathway(pathway((c,), {}))
    assert out.objective == pytest.approx(objective, rel=REL)
    assert out.results["new_build_mw"].values[0].tolist() == pytest.approx([b * 1000 for b in build], rel=REL)
    assert float(out.results["present_value_cny"]) == pytest.approx(5 * objective, rel=REL)


def test_one_period_pathway_equals_plain_tiny() -> None:
    _assert_one_period_equals_plain(case(plant("gen", 10.0, existing_mw=20.0), plant("peak", 3.0,
                                                                                      vom_cny_per_mwh=50.0)))


def test_one_period_pathway_equals_plain_quick_week() -> None:
    _assert_one_period_equals_plain(load_case("scenarios/quick_week.yaml"))


def test_period_two_target_price_in_annual_terms() -> None:
    first = case(plant("gen", 10.0), plant("clean", 20.0))
    second = case(plant("gen", 10.0), plant("clean", 20.0),
                  targets={"clean": TargetSpec(kind="min_capacity", technologies=["clean"], value_mw=150.0)})
    out = solve_pathway(pathway((first, second), {"gen": 10.0, "clean": 10.0}, rate=0.05))
    res = out.results
    assert res["new_build_mw"].sel(technology="clean").values.tolist() == pytest.approx([0.0, 150.0])
    price = res["target_shadow_price"].sel(period=2025, target="clean")
    assert float(price) == pytest.approx(2.0, rel=1e-7)  # CNY/kW-yr: one more kW of clean for one year
    assert float(res["price_cny_per_mwh"].sel(period=2025).values[0]) == pytest.approx(5.0, rel=1e-7)


def test_one_period_pathway_has_the_plain_rows_and_columns() -> None:
    from energy_model.engine.highs import compile_model
    from energy_model.inputs.pathway import pathway_links, period_inputs
    from energy_model.model.pathway import build_pathway_model

    c = case(plant("gen", 10.0, existing_mw=20.0, max_mw=80.0), plant("peak", 3.0, vom_cny_per_mwh=50.0))
    spec = pathway((c,), {})
    _, datas = period_inputs(spec)
    plain = compile_model(build_model(datas[0]))
    linked = compile_model(build_pathway_model(datas, pathway_links(spec, datas[0].techs)))
    assert (linked.n_rows, linked.n_cols) == (plain.n_rows, plain.n_cols)
    assert list(linked.lp.col_upper_) == list(plain.lp.col_upper_)


def test_period_upper_bound_counts_earlier_vintages() -> None:
    """Period 2 allows 120 MW of gen in total; 100 MW built in period 1 are alive: only 20 more, the rest peak."""
    first = case(plant("gen", 10.0), plant("peak", 30.0))
    second = system([plant("gen", 10.0, max_mw=120.0), plant("peak", 30.0)], [150.0], hour_weight=1.0,
                    fuels=(GAS, COAL))
    res = solve_pathway(pathway((first, second), {"gen": 10.0, "peak": 10.0})).results
    assert res["new_build_mw"].sel(technology="gen").values.tolist() == pytest.approx([100.0, 20.0])
    assert res["new_build_mw"].sel(technology="peak").values.tolist() == pytest.approx([0.0, 30.0])
    assert res["capacity_mw"].sel(technology="gen").values.tolist() == pytest.approx([100.0, 120.0])


def test_extra_rows_apply_to_every_period_block() -> None:
    def half_gen(block: object, data: object) -> None:
        block.half = pyo.Constraint(expr=block.build["gen"] <= 0.05)  # type: ignore[attr-defined]  # GW

    c = case(plant("gen", 10.0), plant("peak", 30.0))
    res = solve_pathway(pathway((c, c), {"gen": 1.0, "peak": 1.0}), extra_rows=half_gen).results
    assert res["new_build_mw"].sel(technology="gen").values.tolist() == pytest.approx([50.0, 50.0])
    assert res["new_build_mw"].sel(technology="peak").values.tolist() == pytest.approx([50.0, 50.0])


def test_storage_energy_built_once_serves_both_periods() -> None:
    """The plain families' battery case (10 MW / 20 MWh, 100,000 + 20,000 CNY/yr) over two periods."""
    fixed = {"existing_mw": 40.0, "max_mw": 40.0}
    c = system([tech("pv", "variable", profile="pv", **fixed),
                tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=10_000,
                     existing_mw=50.0, max_mw=50.0),
                tech("bat", "storage", capex_cny_per_kw=100, capex_cny_per_kwh=10, lifetime_yr=10.0,
                     charge_efficiency=1.0, discharge_efficiency=1.0, max_duration_h=4)],
               [0, 0, 10, 10], cf={"pv": [1, 1, 0, 0]}, hour_weight=1.0)
    res = solve_pathway(pathway((c, c), {"pv": 10.0, "gas": 10.0, "bat": 10.0})).results
    bat = {"technology": "bat"}
    assert res["new_build_mwh"].sel(bat).values.tolist() == pytest.approx([20.0, 0.0], abs=1e-6)
    assert res["energy_capacity_mwh"].sel(bat).values.tolist() == pytest.approx([20.0, 20.0], abs=1e-6)
    assert res["capacity_mw"].sel(bat).values.tolist() == pytest.approx([10.0, 10.0], abs=1e-6)
    assert res["cost_by_period"].values.tolist() == pytest.approx([120_000.0, 120_000.0], rel=REL)
