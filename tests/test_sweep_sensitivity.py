"""Sensitivity sweeps (saltelli, morris): SALib's designs, the indices on the Ishigami function, an end-to-end run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from energy_model.errors import PartialSweepError
from energy_model.io.sweep_spec import SweepSpec
from energy_model.output.writers import open_netcdf
from energy_model.sweep.design import variants
from energy_model.sweep.indices import sensitivity_indices, sensitivity_outputs
from energy_model.sweep.run import run_sweep
from energy_model.sweep.sampling import morris_unit, saltelli_unit
from energy_model.sweep.sensitivity import sweep_indices

CAPEX = "technologies.offshore_wind.capex_cny_per_kw"
ONSHORE = "technologies.onshore_wind.capex_cny_per_kw"
CARBON = "economics.carbon_price_cny_per_t"
PI_BOUNDS = {f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}


def _ishigami(unit: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    x = -np.pi + unit * 2 * np.pi
    return pd.DataFrame(x, columns=list(PI_BOUNDS)), pd.DataFrame({"y": Ishigami.evaluate(x)})


def _index(tidy: pd.DataFrame, index: str, column: str = "value") -> np.ndarray:
    return tidy[tidy["index"] == index].set_index("parameter").loc[list(PI_BOUNDS), column].to_numpy(float)


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values():
    samples, outputs = _ishigami(saltelli_unit(3, 1024, seed=1))
    assert len(samples) == 1024 * (3 + 2)
    tidy = sensitivity_indices("saltelli", samples, outputs, PI_BOUNDS, seed=1)
    assert list(tidy.columns) == ["output", "parameter", "index", "value", "conf"]
    assert len(tidy) == 6 and set(tidy["index"]) == {"s1", "st"}
    for index, analytic in (("s1", [0.314, 0.442, 0.0]), ("st", [0.558, 0.442, 0.244])):
        value, conf = _index(tidy, index), _index(tidy, index, "conf")
        assert (conf > 0).all() and (conf < 0.1).all()
        assert (np.abs(value - analytic) <= conf).all(), (index, value, conf)
    # seeded: the same design and bootstrap give the same numbers
    again = sensitivity_indices("saltelli", *_ishigami(saltelli_unit(3, 1024, seed=1)), PI_BOUNDS, seed=1)
    pd.testing.assert_frame_equal(tidy, again)


def test_morris_ranks_x1_and_x2_above_x3_on_the_ishigami_function():
    samples, outputs = _ishigami(morris_unit(3, 50, levels=4, seed=3))
    assert len(samples) == 50 * (3 + 1)
    tidy = sensitivity_indices("morris", samples, outputs, PI_BOUNDS, seed=3, levels=4)
    assert set(tidy["index"]) == {"mu_star", "sigma"}
    mu_star = _index(tidy, "mu_star")
    assert min(mu_star[0], mu_star[1]) > mu_star[2] > 0
    assert np.isfinite(_index(tidy, "mu_star", "conf")).all()
    assert np.isnan(_index(tidy, "sigma", "conf")).all() and (_index(tidy, "sigma") > 0).all()


def test_a_constant_output_gets_zero_indices_and_the_outputs_are_chosen_by_kind():
    samples, outputs = _ishigami(saltelli_unit(3, 64, seed=1))
    tidy = sensitivity_indices("saltelli", samples, outputs.assign(flat=5.0), PI_BOUNDS, seed=1)
    flat = tidy[tidy["output"] == "flat"]
    assert len(flat) == 6 and (flat["value"] == 0).all() and (flat["conf"] == 0).all()
    cols = ["variant", "objective_cny_per_yr", "capacity_mw.a", "capacity_mw.b", "target_value.res",
            "target_value.wind", "new_energy_share", "co2_t_per_yr", "solve_s"]
    assert sensitivity_outputs(cols, {"res": "min_share", "wind": "min_capacity"}) == [
        "objective_cny_per_yr", "capacity_mw.a", "capacity_mw.b", "target_value.res", "co2_t_per_yr"]
    assert sensitivity_outputs(cols, {"wind": "min_capacity"})[-2:] == ["new_energy_share", "co2_t_per_yr"]


def test_a_failed_variant_means_no_indices_and_names_it():
    table = pd.DataFrame({"variant": ["a1", "b2", "c3"], "status": ["optimal", "infeasible", "optimal"],
                          "param.p": [0.1, 0.5, 0.9], "objective_cny_per_yr": [1.0, np.nan, 3.0]})
    got = sweep_indices(table, "saltelli", [["p"]], {"p": (0.0, 1.0)}, {}, seed=1, levels=4)
    assert got.indices is None and got.failed == ["b2"]
    assert "every variant" in got.message() and "b2" in got.message() and "sensitivity.csv was not written" \
        in got.message()
    assert sweep_indices(table, "lhs", [["p"]], {"p": (0.0, 1.0)}, {}, seed=1, levels=4).indices is None


def _spec(**kw: object) -> SweepSpec:
    return SweepSpec.model_validate({"name": "s", "scenario": "x.yaml", **kw})


def test_saltelli_and_morris_variant_counts_bounds_and_paired_groups_as_one_factor():
    params = {"a.x": {"low": 0, "high": 10}, "b.y": [100, 300], "c.z": [0, 1]}
    s = _spec(mode="saltelli", samples=8, seed=2, parameters=params, paired=[["a.x", "b.y"]])
    drawn = variants(s)
    assert s.variant_count() == len(drawn) == 8 * (2 + 2)  # two factors: the pair and c.z
    assert drawn == variants(s)
    for d in drawn:
        assert 0 <= d["a.x"] <= 10 and d["b.y"] == pytest.approx(100 + 20 * d["a.x"])
    m = _spec(mode="morris", trajectories=6, seed=2, parameters=params)
    drawn = variants(m)
    assert m.variant_count() == len(drawn) == 6 * (3 + 1)
    assert {round(d["c.z"], 9) for d in drawn} <= {0.0, round(1 / 3, 9), round(2 / 3, 9), 1.0}  # 4 levels


@pytest.mark.parametrize("extra, key, words", [
    ({"mode": "saltelli", "samples": 6}, "samples", "power of two"),
    ({"mode": "saltelli"}, "samples", "needs samples"),
    ({"mode": "morris"}, "trajectories", "needs trajectories"),
    ({"mode": "morris", "trajectories": 4, "levels": 5}, "levels", "even number"),
    ({"mode": "lhs", "samples": 8, "trajectories": 4}, "trajectories", "for mode: morris"),
])
def test_sensitivity_sweep_file_problems_name_their_key(extra: dict[str, object], key: str, words: str):
    with pytest.raises(Exception) as err:
        _spec(parameters={"a.x": [0, 1]}, **extra)
    problems = [e for e in err.value.errors() if e["loc"][0] == key]  # type: ignore[attr-defined]
    assert problems and words in problems[0]["msg"]


SALTELLI = f"""\
name: saltelli_sweep
scenario: tiny_plan.yaml
mode: saltelli
samples: 4
seed: 3
parameters:
  {CAPEX}: {{low: 8000, high: 12000}}
  {CARBON}: [0, 200]
"""


def test_a_tiny_saltelli_sweep_writes_its_indices(project):
    table = run_sweep(project.scenario(SALTELLI, "saltelli.yaml"), project.out)
    assert len(table) == 4 * (2 + 2) and set(table["status"]) == {"optimal"}
    folder = project.out / "saltelli_sweep"
    sens = pd.read_csv(folder / "sensitivity.csv", encoding="utf-8-sig")
    assert list(sens.columns) == ["output", "parameter", "index", "value", "conf"]
    techs = [c for c in table.columns if c.startswith("capacity_mw.")]
    outputs = ["objective_cny_per_yr", *techs, "target_value.new_energy_share", "co2_t_per_yr"]
    assert list(dict.fromkeys(sens["output"])) == outputs
    assert len(sens) == len(outputs) * 2 * 2  # outputs x parameters x (s1, st)
    assert set(sens["parameter"]) == {CAPEX, CARBON} and set(sens["index"]) == {"s1", "st"}
    obj = sens[sens["output"] == "objective_cny_per_yr"].set_index(["parameter", "index"])
    assert obj.loc[(CARBON, "st"), "value"] > 0  # the carbon price moves the cost
    ds = open_netcdf(folder / "sweep.nc")
    assert ds["sobol_s1"].dims == ("output", "parameter") and ds["sobol_st_conf"].attrs["units"] == "-"
    assert ds["sobol_st"].sel(output="objective_cny_per_yr", parameter=CARBON).item() == pytest.approx(
        obj.loc[(CARBON, "st"), "value"], rel=1e-5)
    html = (folder / "sweep.html").read_text(encoding="utf-8")
    assert 'id="sweep-sensitivity-en"' in html and 'id="sweep-sensitivity-zh"' in html


def test_a_failed_variant_leaves_no_sensitivity_file(project, monkeypatch):
    import energy_model.sweep.records as sweeps

    real = sweeps.solve_variant

    def fail_one(study, case, vid, changes, *rest):  # type: ignore[no-untyped-def]
        rec = real(study, case, vid, changes, *rest)
        if changes[CARBON] > 150:
            rec = {**rec, "status": "infeasible", "message": "made to fail"}
        return rec

    monkeypatch.setattr(sweeps, "solve_variant", fail_one)
    lines: list[str] = []
    with pytest.raises(PartialSweepError):
        run_sweep(project.scenario(SALTELLI, "saltelli.yaml"), project.out, progress=lines.append)
    folder = project.out / "saltelli_sweep"
    assert (folder / "sweep.csv").exists() and not (folder / "sensitivity.csv").exists()
    assert any("need every variant" in line for line in lines)
    assert "sobol_s1" not in open_netcdf(folder / "sweep.nc")


MORRIS = f"""\
name: morris_sweep
scenario: tiny_plan.yaml
mode: morris
trajectories: 3
seed: 2
parameters:
  {CARBON}: [0, 200]
"""


def test_a_tiny_morris_sweep_solves_a_shared_point_once_and_writes_mu_star(project, monkeypatch):
    import energy_model.sweep.records as sweeps

    solved: list[str] = []
    real = sweeps.solve_variant

    def count(study, case, vid, changes, *rest):  # type: ignore[no-untyped-def]
        solved.append(vid)
        return real(study, case, vid, changes, *rest)

    monkeypatch.setattr(sweeps, "solve_variant", count)
    table = run_sweep(project.scenario(MORRIS, "morris.yaml"), project.out)
    assert len(table) == 3 * (1 + 1)
    assert len(solved) == len(set(solved)) == table.index.nunique() < len(table)  # 4 levels: points repeat
    sens = pd.read_csv(project.out / "morris_sweep" / "sensitivity.csv", encoding="utf-8-sig")
    obj = sens[sens["output"] == "objective_cny_per_yr"].set_index("index")["value"]
    assert set(sens["index"]) == {"mu_star", "sigma"} and obj["mu_star"] > 0
