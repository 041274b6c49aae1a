"""Sweep sampling (lhs, sobol, oat, paired), sweep-file errors, progress, verification choice and sweep.nc layout."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from conftest import BASE_YAML

from energy_model.engine.study import Study
from energy_model.errors import InputError
from energy_model.inputs.load import load_case
from energy_model.io.changes import current_value
from energy_model.io.scenario_file import load_scenario
from energy_model.io.sweep_file import load_sweep
from energy_model.io.sweep_spec import SweepSpec
from energy_model.output.writers import open_netcdf
from energy_model.sweep.design import expand, variants
from energy_model.sweep.progress import SweepProgress
from energy_model.sweep.run import run_sweep
from energy_model.sweep.verify import cheapest, merge_verified, most_different, select_verify

CAPEX = "technologies.offshore_wind.capex_cny_per_kw"
ONSHORE = "technologies.onshore_wind.capex_cny_per_kw"
CARBON = "economics.carbon_price_cny_per_t"


def _spec(**kw: object) -> SweepSpec:
    data = {"name": "s", "scenario": "x.yaml", **kw}
    return SweepSpec.model_validate(data)


def _bins(values: np.ndarray, low: float, high: float, count: int) -> np.ndarray:
    """Index of the equal bin of [low, high] each value falls in, sorted."""
    return np.sort(np.floor((values - low) / (high - low) * count).astype(int))


@pytest.mark.parametrize("mode, count", [("lhs", 50), ("sobol", 32)])
def test_lhs_and_sobol_are_seeded_within_bounds_and_one_per_bin(mode: str, count: int):
    params = {"a.x": {"low": 100, "high": 200}, "b.y": [0.0, 1.0], "c.z": {"low": -5, "high": 5}}
    spec = _spec(mode=mode, samples=count, seed=7, parameters=params)
    drawn = variants(spec)
    assert len(drawn) == count
    assert drawn == variants(spec)  # same seed, same samples
    other = variants(spec.model_copy(update={"seed": 8}))
    assert all(a != b for a, b in zip(drawn, other))
    for path, (low, high) in {"a.x": (100, 200), "b.y": (0, 1), "c.z": (-5, 5)}.items():
        v = np.array([d[path] for d in drawn])
        assert ((v >= low) & (v <= high)).all()
        # stratification: each of `count` equal bins of every parameter holds exactly one sample
        assert (_bins(v, low, high, count) == np.arange(count)).all()


def test_paired_parameters_move_together_in_samples_and_share_a_grid_dimension():
    spec = _spec(mode="lhs", samples=20, parameters={"a.x": {"low": 0, "high": 10}, "b.y": [100, 300],
                                                     "c.z": [0, 1]}, paired=[["a.x", "b.y"]])
    assert spec.dimensions() == [["a.x", "b.y"], ["c.z"]]
    for d in variants(spec):
        assert (d["a.x"] - 0) / 10 == pytest.approx((d["b.y"] - 100) / 200, abs=1e-12)
    grid = _spec(mode="grid", parameters={"a.x": [1, 2, 3], "c.z": [0, 5], "b.y": [10, 20, 30]},
                 paired=[["a.x", "b.y"]])
    exp = expand(grid)
    assert exp.shape == (3, 2) and len(exp.changes) == 6
    assert [(d["a.x"], d["b.y"], d["c.z"]) for d in exp.changes] == [
        (1, 10, 0), (1, 10, 5), (2, 20, 0), (2, 20, 5), (3, 30, 0), (3, 30, 5)]
    rnd = variants(_spec(mode="random", samples=30, seed=2, parameters={"a.x": [0, 10], "b.y": [100, 300]},
                         paired=[["a.x", "b.y"]]))
    assert all(d["b.y"] == pytest.approx(100 + 20 * d["a.x"]) for d in rnd)


def test_oat_moves_one_dimension_at_a_time_from_the_base():
    spec = _spec(mode="oat", parameters={"a.x": {"low": 1, "high": 3}, "b.y": [10, 30], "c.z": [5, 7]},
                 paired=[["b.y", "c.z"]])
    exp = expand(spec, {"a.x": 2.0, "b.y": 20.0, "c.z": 6.0})
    assert exp.changes == [
        {"a.x": 2.0, "b.y": 20.0, "c.z": 6.0},
        {"a.x": 1.0, "b.y": 20.0, "c.z": 6.0}, {"a.x": 3.0, "b.y": 20.0, "c.z": 6.0},
        {"a.x": 2.0, "b.y": 10.0, "c.z": 5.0}, {"a.x": 2.0, "b.y": 30.0, "c.z": 7.0}]
    assert [(lab["oat_parameter"], lab["oat_side"]) for lab in exp.labels] == [
        ("", "base"), ("a.x", "low"), ("a.x", "high"), ("b.y", "low"), ("b.y", "high")]
    assert [lab["sample"] for lab in exp.labels] == [0, 1, 2, 3, 4]


BAD = """\
name: bad
scenario: tiny_plan.yaml
mode: sobol
parameters:
  technologies.offshore_wind.capex_cny_per_kw: {low: 1, high: 5}
  economics.carbon_price_cny_per_t: [1, 2, 3]
  fuels.lng.price_cny_per_unit: [3000, 1000]
paired:
  - [technologies.offshore_wind.capex_cny_per_kw, technologies.offshore_wnd.fom_cny_per_kw_yr]
samples: 100
"""


def test_sweep_file_problems_are_reported_together_with_key_line_and_value(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    # the scenario is there and aggregated (a missing one, or verify on one not aggregated, is reported too)
    (tmp_path / "tiny_plan.yaml").write_text(BASE_YAML + "aggregation: {method: typical_days, periods: 1}\n",
                                             encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    found = {(i.key_path, i.line): i for i in err.value.issues}
    assert set(found) == {("paired[0][1]", 9), ("parameters.economics.carbon_price_cny_per_t", 6),
                          ("parameters.fuels.lng.price_cny_per_unit", 7), ("samples", 10)}
    assert found["paired[0][1]", 9].value == "technologies.offshore_wnd.fom_cny_per_kw_yr"
    assert "3 values" in found["parameters.economics.carbon_price_cny_per_t", 6].message
    assert "low (3000) must be below high (1000)" in found["parameters.fuels.lng.price_cny_per_unit", 7].message
    assert "use 64 or 128" in found["samples", 10].message and found["samples", 10].value == 100
    assert all(i.file == "bad.yaml" for i in err.value.issues)
    # field-level errors: a reversed {low, high}, an unknown form, a grid with bounds
    path.write_text(BAD.replace("mode: sobol", "mode: grid").replace("{low: 1, high: 5}", "{low: 5, high: 1}")
                    .replace("[3000, 1000]", "{lo: 1}"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    text = err.value.format()
    assert "bad.yaml:5: parameters.technologies.offshore_wind.capex_cny_per_kw: low (5) must be below high (1)" in text
    assert "bad.yaml:7: parameters.fuels.lng.price_cny_per_unit: expected a list of values" in text
    path.write_text(BAD.replace("mode: sobol", "mode: grid").replace("samples: 100", "verify: [0, 7, xyz]")
                    .replace("[3000, 1000]", "[1000, 3000]").replace("{low: 1, high: 5}", "[1, 5]")
                    .replace("technologies.offshore_wnd.fom_cny_per_kw_yr", CARBON), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert [(i.key_path, i.line) for i in err.value.issues] == [("paired[0]", 9)]
    assert "same number of values (got [2, 3])" in err.value.issues[0].message
    path.write_text(BAD.replace("mode: sobol", "mode: list").replace("samples: 100", "verify: [0, 3, xyz]")
                    .replace("[1, 2, 3]", "[1, 2]").replace("{low: 1, high: 5}", "[1, 5]").replace("paired:\n", "")
                    .replace("  - [technologies.offshore_wind.capex_cny_per_kw, technologies.offshore_wnd"
                             ".fom_cny_per_kw_yr]\n", ""), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    keys = {i.key_path: i for i in err.value.issues}
    assert set(keys) == {"verify[1]", "verify[2]"}
    assert keys["verify[1]"].value == 3 and "0 to 1" in keys["verify[1]"].message
    assert keys["verify[2]"].value == "xyz"


def test_progress_lines_every_twentieth_and_a_live_line_on_a_terminal():
    said: list[str] = []
    clock = iter([2.5 * i for i in range(41)])  # t0 = 0, then 2.5 s per variant
    prog = SweepProgress(40, said.append, "s", live=False, clock=lambda: next(clock))
    for i in range(40):
        prog.variant_done(ok=i != 2)
    assert len(said) == 20  # every max(1, 40 // 20) = 2 variants
    assert said[1] == "s: 4/40 variants done, 1 failed, 2.5 s per variant, about 1 min 30 s left"
    assert said[-1].startswith("s: 40/40 variants done, 1 failed, 2.5 s per variant, about 0 s left")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    ticks = iter([0.0, 10.0, 20.0, 30.0])
    live = SweepProgress(3, said.append, "v", stream=stream, clock=lambda: next(ticks))
    for _ in range(3):
        live.variant_done(ok=True)
    live.close()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.rstrip().endswith("about 0 s left")
    # a shorter line is padded over the longer one before it
    assert "about 0 s left \n" in text
    assert "\rv: 1/3 variants done, 0 failed, 10.0 s per variant, about 20 s left" in stream.getvalue()


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "variant": [f"v{i}" for i in range(6)],
        "status": ["optimal"] * 5 + ["infeasible"],
        "objective_cny_per_yr": [5.0, 1.0, 3.0, 2.0, 4.0, np.nan],
        "capacity_mw.a": [0.0, 0.0, 10.0, 0.0, 10.0, np.nan],
        "capacity_mw.b": [0.0, 0.0, 0.0, 10.0, 10.0, np.nan],
        "capacity_mw.c": [7.0] * 6,  # does not vary: left out of the distance
    })


def test_verification_choices():
    t = _table()
    assert cheapest(t, 2) == [1, 3]
    assert cheapest(t, 10) == [1, 3, 2, 4, 0]  # failed variants are never chosen
    # from the cheapest (0, 0): (1, 1) is farthest (sqrt 2); then (1, 0) and (0, 1) tie at 1: the earlier wins
    assert most_different(t, 3) == [1, 4, 2]
    assert most_different(t, 5) == [1, 4, 2, 3, 0]
    assert select_verify("all", t) == [0, 1, 2, 3, 4]
    assert select_verify(["v5", 2, "v2"], t) == [5, 2]
    with pytest.raises(InputError) as err:
        select_verify(["v1", "nope"], t, "s.yaml", {"verify[1]": 4})
    assert err.value.issues[0].key_path == "verify[1]" and err.value.issues[0].line == 4


def test_merge_verified_gives_full_columns_and_errors():
    t = _table()
    full = {"variant": "v1", "status": "optimal", "objective_cny_per_yr": 0.8, "capacity_mw.a": 3.0,
            "capacity_mw.b": 0.5, "capacity_mw.c": 7.0, "param.x": 1.0}
    merged = merge_verified(t, [1, 5], {1: full, 5: {"variant": "v5", "status": "infeasible"}})
    assert merged["verified"].tolist() == [False, True, False, False, False, True]
    assert merged.loc[1, "full.objective_cny_per_yr"] == 0.8 and "full.param.x" not in merged.columns
    assert merged.loc[1, "objective_rel_error"] == pytest.approx((1.0 - 0.8) / 0.8)
    assert merged.loc[1, "capacity_max_error_mw"] == pytest.approx(3.0)
    assert np.isnan(merged.loc[5, "objective_rel_error"]) and merged.loc[5, "full.status"] == "infeasible"



def test_merge_verified_compares_the_annual_figures():
    """Hand numbers: exports +5 % flagged, imports +1 % not; floors 1 % of consumption, 1 % of CO2 (at least 1 t)."""
    t = _table()
    annual = {"consumption_mwh_per_yr": 1_000_000.0, "co2_production_t_per_yr": 1000.0,
              "co2_consumption_t_per_yr": 0.5, "imported_electricity_mwh_per_yr": 100_000.0,
              "exported_electricity_mwh_per_yr": 200_000.0, "curtailment_mwh_per_yr.a": 6.0,
              "curtailment_mwh_per_yr.b": 4.0, "fuel_use_units_per_yr.coal": 0.0}
    for k, v in {"co2_production_t_per_yr": 1010.0, "co2_consumption_t_per_yr": 0.6,
                 "imported_electricity_mwh_per_yr": 101_000.0, "exported_electricity_mwh_per_yr": 210_000.0,
                 "curtailment_mwh_per_yr.a": 30.0, "curtailment_mwh_per_yr.b": 30.0,
                 "fuel_use_units_per_yr.coal": 2.0}.items():
        t[k] = v
    full = {"variant": "v1", "status": "optimal", "objective_cny_per_yr": 0.8, "capacity_mw.a": 0.0,
            "capacity_mw.b": 0.0, "capacity_mw.c": 7.0, **annual}
    merged = merge_verified(t, [1], {1: full}, {"coal": 5.0})
    assert merged.loc[1, "full.exported_electricity_mwh_per_yr"] == 200_000.0
    assert merged.loc[1, "full.consumption_mwh_per_yr"] == 1_000_000.0
    got = {c.removeprefix("annual_rel_error."): merged.loc[1, c] for c in merged.columns
           if c.startswith("annual_rel_error.")}
    # CO2 floor 10 t; energies 10,000 MWh; coal 10,000 MWh_th / 5 MWh_th per t = 2,000 t
    assert got == pytest.approx({"co2_production": 0.01, "co2_consumption": 0.01, "imports": 0.01, "exports": 0.05,
                                 "curtailment": 0.005, "fuel.coal": 0.001})
    assert merged.loc[1, "annual_max_rel_error"] == pytest.approx(0.05)
    assert merged.loc[1, "annual_max_error_quantity"] == "exports" and merged.loc[1, "annual_flagged"] == "exports"
    assert np.isnan(merged.loc[0, "annual_rel_error.exports"]) and merged.loc[0, "annual_flagged"] == ""


GRID = f"""\
name: grid_nc
scenario: tiny_plan.yaml
mode: grid
parameters:
  {CARBON}: [0, 200]
  {CAPEX}: [8000, 10000, 12000]
  {ONSHORE}: [5000, 6000, 7000]
paired:
  - [{CAPEX}, {ONSHORE}]
"""


def test_grid_sweep_nc_has_a_dimension_per_parameter_equal_to_the_table(project):
    table = run_sweep(project.scenario(GRID, "grid_nc.yaml"), project.out)
    assert len(table) == 6 and set(table["status"]) == {"optimal"}
    ds = open_netcdf(project.out / "grid_nc" / "sweep.nc")
    assert ds["objective_cny_per_yr"].dims == (CARBON, CAPEX) and ds["objective_cny_per_yr"].shape == (2, 3)
    assert ds[ONSHORE].dims == (CAPEX,) and ds[ONSHORE].values.tolist() == [5000, 6000, 7000]
    assert ds["capacity_mw"].dims == (CARBON, CAPEX, "technology")
    assert json.loads(ds.attrs["parameters"]) == [CARBON, CAPEX, ONSHORE] and ds.attrs["mode"] == "grid"
    assert ds.attrs["sweep"] == "grid_nc" and ds.attrs["scenario"] == "tiny_plan" and ds.attrs["input_hash"]
    for name in ds.data_vars:
        assert ds[name].attrs.get("units"), name
    assert ds["objective_cny_per_yr"].attrs["units"] == "CNY/yr"
    assert ds["capacity_mw"].attrs["units"] == "MW"
    assert ds["target_value_units"].sel(target="wind_capacity").item() == "MW"
    assert ds["target_shadow_price_units"].sel(target="new_energy_share").item() == "CNY/MWh"
    for vid, row in table.iterrows():
        at = {CARBON: row[f"param.{CARBON}"], CAPEX: row[f"param.{CAPEX}"]}
        cell = ds.sel(at)
        assert cell["variant"].item() == vid
        assert row[f"param.{ONSHORE}"] == cell[ONSHORE].item()
        for col in ("objective_cny_per_yr", "co2_t_per_yr", "imported_electricity_mwh_per_yr",
                    "imported_co2_t_per_yr", "solve_s", "iterations"):
            assert cell[col].item() == row[col], col
        assert cell["method"].item() == row["method"] == "simplex" and cell["status"].item() == "optimal"
        for g in ds["technology"].values:
            assert cell["capacity_mw"].sel(technology=g).item() == row[f"capacity_mw.{g}"]
        for k in ds["target"].values:
            assert cell["target_shadow_price"].sel(target=k).item() == row[f"target_shadow_price.{k}"]
        assert row["iterations"] > 0 and row["solve_s"] > 0
    # imports against a single solve of the first variant
    study = Study(load_case(load_scenario(project.root / "scenarios" / "tiny_plan.yaml")))
    first = table.iloc[0]
    with study.changed({p: first[f"param.{p}"] for p in (CARBON, CAPEX, ONSHORE)}):
        res = study.solve()
        kind = study.inputs["kind"].values.astype(str)
    assert first["imported_electricity_mwh_per_yr"] == pytest.approx(
        float(res["generation_mwh_per_yr"].values[kind == "import"].sum()), rel=1e-9)
    assert table["imported_electricity_mwh_per_yr"].max() > 0  # some variant imports (at a high carbon price)
    assert first["imported_co2_t_per_yr"] == pytest.approx(float(res["imported_co2_t_per_yr"].sum()), rel=1e-9)


OAT = f"""\
name: oat_sweep
scenario: tiny_plan.yaml
mode: oat
parameters:
  {CAPEX}: {{low: 8000, high: 12000}}
  {CARBON}: [0, 200]
"""


def test_oat_sweep_records_side_and_parameter_and_starts_from_the_scenario(project):
    table = run_sweep(project.scenario(OAT, "oat.yaml"), project.out)
    case = load_case(load_scenario(project.root / "scenarios" / "tiny_plan.yaml"))
    base = {p: float(current_value(case, p)) for p in (CAPEX, CARBON)}
    assert table["oat_side"].tolist() == ["base", "low", "high", "low", "high"]
    assert table["oat_parameter"].tolist() == ["", CAPEX, CAPEX, CARBON, CARBON]
    assert table[f"param.{CAPEX}"].tolist() == [base[CAPEX], 8000, 12000, base[CAPEX], base[CAPEX]]
    assert table[f"param.{CARBON}"].tolist() == [base[CARBON], base[CARBON], base[CARBON], 0, 200]
    obj = table["objective_cny_per_yr"].to_numpy()
    assert obj[2] >= obj[0] - 1e-3 >= obj[1] - 2e-3  # dearer offshore wind never lowers the cost
    assert obj[4] >= obj[0] - 1e-3 >= obj[3] - 2e-3  # nor a higher carbon price
    ds = open_netcdf(project.out / "oat_sweep" / "sweep.nc")
    assert ds["objective_cny_per_yr"].dims == ("sample",)
    assert ds["oat_side"].values.tolist() == table["oat_side"].tolist()
    assert ds[CAPEX].values.tolist() == table[f"param.{CAPEX}"].tolist()
    assert np.array_equal(ds["objective_cny_per_yr"].values, obj)


def test_verify_on_a_scenario_without_aggregation_is_an_input_error(project, no_solver):
    sweep = project.scenario(OAT.replace("mode: oat", "mode: oat\nverify: {cheapest: 2}"), "oat.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, project.out)
    issue = err.value.issues[0]
    assert (issue.file, issue.key_path, issue.line) == ("oat.yaml", "verify", 4)
    assert "not aggregated" in issue.message
    assert not project.out.exists()


def test_verify_re_solves_the_chosen_variants_on_the_full_horizon(project):
    from conftest import BASE_YAML

    project.scenario(BASE_YAML + "aggregation:\n  method: segments\n  periods: 12\n")
    sweep = project.scenario(GRID.replace("name: grid_nc", "name: verified") + "verify: {cheapest: 2}\n",
                             "verified.yaml")
    table = run_sweep(sweep, project.out).reset_index()
    chosen = cheapest(table, 2)
    assert table["verified"].tolist() == [i in chosen for i in range(6)]
    full = Study(load_case(load_scenario(project.root / "scenarios" / "tiny_plan.yaml")))
    full.apply({"aggregation.method": "none"})
    for i in chosen:
        row = table.iloc[i]
        with full.changed({p: row[f"param.{p}"] for p in (CARBON, CAPEX, ONSHORE)}):
            expected = full.solve()
        obj = expected.attrs["objective_cny_per_yr"]
        assert row["full.objective_cny_per_yr"] == pytest.approx(obj, rel=1e-7)
        assert row["objective_rel_error"] == pytest.approx((row["objective_cny_per_yr"] - obj) / abs(obj), abs=1e-9)
        caps = expected["capacity_mw"].to_series()
        assert row["capacity_max_error_mw"] == pytest.approx(
            max(abs(row[f"capacity_mw.{g}"] - v) for g, v in caps.items()), abs=1e-3)
        # the annual figures a reader quotes, full horizon against aggregated
        kind = full.inputs["kind"].values.astype(str)
        gen = expected["generation_mwh_per_yr"].values
        w = full.inputs["time_weight"].values
        cons = float(full.inputs["demand_mw"].values @ w)
        curt = np.nan_to_num(expected["curtailment_mw"].values) @ w
        figures = {"co2_production": ("co2_production_t_per_yr", float(expected["co2_production_t_per_yr"])),
                   "co2_consumption": ("co2_consumption_t_per_yr", float(expected["co2_consumption_t_per_yr"])),
                   "imports": ("imported_electricity_mwh_per_yr", float(gen[kind == "import"].sum())),
                   "exports": ("exported_electricity_mwh_per_yr", float(gen[kind == "export"].sum()))}
        co2_floor = max(0.01 * max(abs(figures["co2_production"][1]), abs(figures["co2_consumption"][1])), 1.0)
        assert row["full.consumption_mwh_per_yr"] == pytest.approx(cons, rel=1e-9)
        for key, (col, value) in figures.items():
            assert row[f"full.{col}"] == pytest.approx(value, rel=1e-7, abs=1e-6), key
            floor = co2_floor if key.startswith("co2_") else 0.01 * cons
            assert row[f"annual_rel_error.{key}"] == pytest.approx(
                (row[col] - value) / max(abs(value), floor), rel=1e-6, abs=1e-9), key
        agg_curt = sum(row[c] for c in table.columns if c.startswith("curtailment_mwh_per_yr."))
        full_curt = float(curt[kind == "variable"].sum())
        assert row["annual_rel_error.curtailment"] == pytest.approx(
            (agg_curt - full_curt) / max(full_curt, 0.01 * cons), rel=1e-6, abs=1e-9)
        per_unit = full.inputs["energy_mwh_per_unit"].to_series()
        for f, v in expected["fuel_use_units_per_yr"].to_series().items():
            assert row[f"full.fuel_use_units_per_yr.{f}"] == pytest.approx(float(v), rel=1e-7, abs=1e-6)
            assert row[f"annual_rel_error.fuel.{f}"] == pytest.approx(
                (row[f"fuel_use_units_per_yr.{f}"] - float(v)) / max(abs(float(v)), 0.01 * cons / float(per_unit[f])),
                rel=1e-6, abs=1e-9), f
        errs = {c.removeprefix("annual_rel_error."): row[c] for c in table.columns
                if c.startswith("annual_rel_error.")}
        worst = max(errs, key=lambda k: abs(errs[k]))
        assert row["annual_max_error_quantity"] == worst and row["annual_max_rel_error"] == pytest.approx(errs[worst])
    ds = open_netcdf(project.out / "verified" / "sweep.nc")
    assert ds["verified"].dtype == bool and int(ds["verified"].sum()) == 2
    assert ds["full_objective_cny_per_yr"].attrs["units"] == "CNY/yr"
    assert ds["annual_rel_error"].dims == (CARBON, CAPEX, "quantity") and ds["annual_rel_error"].attrs["units"] == "-"
    assert {"co2_production", "co2_consumption", "imports", "exports", "curtailment"} <= set(
        ds["quantity"].values.astype(str))
    assert ds["full_co2_consumption_t_per_yr"].attrs["units"] == "t/yr"
    assert ds["annual_max_rel_error"].attrs["units"] == "-"
    assert (project.out / "verified" / "sweep.html").is_file()
    html = (project.out / "verified" / "sweep.html").read_text(encoding="utf-8")
    assert "Largest error, annual figures" in html and "年度数字中误差最大者" in html
