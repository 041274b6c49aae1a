"""Parameter sweeps: expansion, equality with single solves, resume, partial failure (exit 10)."""

from __future__ import annotations

import json

import pytest

from energy_model.cli.main import main
from energy_model.engine.study import Study
from energy_model.errors import InputError, PartialSweepError
from energy_model.inputs.load import load_case
from energy_model.io.scenario_file import load_scenario
from energy_model.io.sweep_spec import SweepSpec
from energy_model.sweep.design import variants
from energy_model.sweep.run import run_sweep

SWEEP = """\
name: tiny_sweep
scenario: tiny_plan.yaml
mode: grid
parameters:
  economics.carbon_price_cny_per_t: [0, 200]
  technologies.offshore_wind.capex_cny_per_kw: {start: 8000, stop: 12000, num: 2}
workers: 1
"""


def test_grid_list_and_random_expansion():
    spec = SweepSpec.model_validate({"name": "s", "scenario": "x.yaml", "parameters": {
        "a.b": [1, 2, 3], "c.d": {"start": 0, "stop": 1, "num": 2}}})
    grid = variants(spec)
    assert len(grid) == 6 and grid[0] == {"a.b": 1.0, "c.d": 0.0} and grid[-1] == {"a.b": 3.0, "c.d": 1.0}
    listed = variants(spec.model_copy(update={"mode": "list", "parameters": {"a.b": [1, 2], "c.d": [5, 6]}}))
    assert listed == [{"a.b": 1.0, "c.d": 5.0}, {"a.b": 2.0, "c.d": 6.0}]
    rnd = variants(spec.model_copy(update={"mode": "random", "samples": 5, "seed": 3}))
    assert len(rnd) == 5 and all(1 <= v["a.b"] <= 3 for v in rnd)
    assert rnd == variants(spec.model_copy(update={"mode": "random", "samples": 5, "seed": 3}))


def test_sweep_matches_single_solves_and_resumes(project):
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    table = run_sweep(sweep, project.out)
    assert len(table) == 4 and set(table["status"]) == {"optimal"}
    loaded = load_scenario(project.root / "scenarios" / "tiny_plan.yaml")
    study = Study(load_case(loaded))
    for _, row in table.iterrows():
        changes = {k.removeprefix("param."): v for k, v in row.items() if k.startswith("param.")}
        with study.changed(changes):
            expected = study.solve().attrs["objective_cny_per_yr"]
        assert row["objective_cny_per_yr"] == pytest.approx(expected, rel=1e-7)
    # a higher carbon price never lowers the cost
    low = table[table["param.economics.carbon_price_cny_per_t"] == 0]["objective_cny_per_yr"].to_numpy()
    high = table[table["param.economics.carbon_price_cny_per_t"] == 200]["objective_cny_per_yr"].to_numpy()
    assert (high >= low - 1e-3).all()
    # resume: committed variants are not solved again
    vdir = project.out / "tiny_sweep" / "variants"
    files = sorted(vdir.glob("*.json"))
    stamps = {p.name: p.stat().st_mtime_ns for p in files}
    files[0].unlink()
    again = run_sweep(sweep, project.out)
    assert len(again) == 4
    for p in sorted(vdir.glob("*.json")):
        if p.name != files[0].name:
            assert p.stat().st_mtime_ns == stamps[p.name]
    assert (project.out / "tiny_sweep" / "sweep.csv").is_file()
    assert (project.out / "tiny_sweep" / "sweep.nc").is_file()


def test_failed_variant_gives_exit_10_and_keeps_the_others(project):
    text = SWEEP.replace("""  economics.carbon_price_cny_per_t: [0, 200]
  technologies.offshore_wind.capex_cny_per_kw: {start: 8000, stop: 12000, num: 2}""",
                         """  targets.wind_capacity.level: [6000, 100000]""")
    sweep = project.scenario(text, "tiny_sweep.yaml")
    with pytest.raises(PartialSweepError):
        run_sweep(sweep, project.out)
    code = main(["--quiet", "sweep", str(sweep), "--out", str(project.out)])
    assert code == 10
    manifest = json.loads((project.out / "tiny_sweep" / "manifest.json").read_text())
    assert len(manifest["failed"]) == 1
    rows = [json.loads(p.read_text()) for p in (project.out / "tiny_sweep" / "variants").glob("*.json")]
    assert sorted(r["status"] for r in rows) == ["infeasible", "optimal"]


def test_bad_sweep_parameter_is_an_input_error(project, no_solver):
    text = SWEEP.replace("economics.carbon_price_cny_per_t", "economics.carbon_prize_cny_per_t")
    sweep = project.scenario(text, "tiny_sweep.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, project.out)
    assert "carbon_prize" in str(err.value)
    assert not project.out.exists()


@pytest.mark.parametrize("typed", ["0", "-1", "1000"])
def test_out_of_range_workers_on_the_command_line_are_refused(project, no_solver, capsys, typed):
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    assert main(["sweep", str(sweep), "--out", str(project.out), "--workers", typed]) == 2
    err = capsys.readouterr().err
    assert f"--workers: expected a whole number of worker processes from 1 to 64 (got {typed})" in err
    assert not project.out.exists()


def test_out_of_range_workers_in_the_file_and_the_api_are_refused(project, no_solver):
    sweep = project.scenario(SWEEP.replace("workers: 1", "workers: 1000"), "tiny_sweep.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, project.out)
    assert err.value.issues[0].format() == ("tiny_sweep.yaml:7: workers: expected a whole number of worker "
                                            "processes from 1 to 64 (got 1000)")
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    with pytest.raises(InputError, match=r"run_sweep: workers: expected a whole number .* \(got 0\)"):
        run_sweep(sweep, project.out, workers=0)
    assert not project.out.exists()


def test_local_worker_count_is_capped_by_variants_and_memory():
    from energy_model.io.workers import local_workers, worker_bytes

    per = worker_bytes(8760)
    assert 1.3 * 1024**3 < per < 1.5 * 1024**3  # the plan year's measured peak, 1.4 GB
    assert local_workers(8, 100, 8760, available=100 * per) == (8, "")
    count, note = local_workers(1000, 344, 8760, available=int(8.5 * per))
    assert count == 8
    assert note == ("using 8 of the 1000 workers asked for: 344 variants to solve; 11.7 GiB of memory available, "
                    "about 1.4 GiB per worker for 8,760 hours")
    assert local_workers(4, 2, 48, available=10**12) == (2, "using 2 of the 4 workers asked "
                                                                                "for: 2 variants to solve")
    assert local_workers(4, 10, 8760, available=1) == (1, "using 1 of the 4 workers asked for: 0.0 GiB of memory "
                                                          "available, about 1.4 GiB per worker for 8,760 hours")


def test_validate_checks_a_sweep_file_and_every_value_without_solving(project, no_solver, capsys):
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    assert main(["validate", str(sweep)]) == 0
    assert capsys.readouterr().out.strip() == (f"{sweep}: valid sweep file (4 variants, mode grid, 2 parameters of "
                                               "tiny_plan.yaml; 1 worker)")
    bad = project.scenario(SWEEP.replace("[0, 200]", "[0, -5]"), "tiny_sweep.yaml")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "tiny_sweep.yaml:5: parameters.economics.carbon_price_cny_per_t" in err and "-5" in err
    assert "unknown key" not in err and not project.out.exists()


def test_every_problem_of_a_sweep_file_comes_in_one_run(project, no_solver, capsys):
    """A missing name, reversed bounds, a Sobol size and verify without aggregation: four issues, one run."""
    sweep = project.scenario("""\
scenario: tiny_plan.yaml
mode: sobol
samples: 100
parameters:
  economics.carbon_price_cny_per_t: {low: 200, high: 0}
  technologies.offshore_wind.capex_cny_per_kw: {low: 8000, high: 12000}
verify: {cheapest: 2}
""", "bad_sweep.yaml")
    for command in (["validate", str(sweep)], ["sweep", str(sweep), "--out", str(project.out)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "error: 4 input errors:" in err
        assert "bad_sweep.yaml: name: missing; give the sweep a lower-case id" in err
        assert "bad_sweep.yaml:5: parameters.economics.carbon_price_cny_per_t: low (200) must be below high (0)" in err
        assert "bad_sweep.yaml:3: samples: mode: sobol needs a power of two" in err and "use 64 or 128" in err
        assert "bad_sweep.yaml:7: verify: " in err and "this scenario is not aggregated" in err
        assert "Input should be a valid string" not in err
    assert not project.out.exists()


def test_sweep_help_names_an_example_that_exists(capsys):
    import re

    from conftest import PROJECT

    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    examples = re.findall(r"e\.g\.\s+(scenarios/\S+\.yaml)", capsys.readouterr().out)
    assert examples and all((PROJECT / e).is_file() for e in examples), examples


def test_sweeping_aggregation_periods_is_checked_before_solving(project, no_solver, capsys):
    periods = SWEEP.replace("technologies.offshore_wind.capex_cny_per_kw: {start: 8000, stop: 12000, num: 2}",
                            "aggregation.periods: [1, 3]")
    sweep = project.scenario(periods, "tiny_sweep.yaml")  # tiny_plan.yaml is not aggregated
    assert main(["validate", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert ("tiny_sweep.yaml:6: parameters.aggregation.periods: the scenario is not aggregated "
            "(aggregation.method: none), so every variant would be the same") in err
    project.scenario(project.scenario().read_text() + "aggregation: {method: typical_days, periods: 1}\n")
    assert main(["sweep", str(sweep), "--out", str(project.out)]) == 2
    err = capsys.readouterr().err
    assert ("tiny_sweep.yaml:6: parameters.aggregation.periods: must be fewer than the horizon's 2 days for "
            "typical_days (got 3)") in err
    assert not project.out.exists()
