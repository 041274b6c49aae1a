"""The sampler registry and the user's hook in sweeps: a mode registered in one place, extra_rows= passed through."""

from __future__ import annotations

import json
import threading

import numpy as np
import pyomo.environ as pyo
import pytest
from scipy.stats import qmc

from energy_model.engine.study import Study
from energy_model.errors import InputError
from energy_model.inputs.load import load_case
from energy_model.io.scenario_file import load_scenario
from energy_model.io.sweep_spec import SAMPLERS
from energy_model.sweep import design
from energy_model.sweep.run import run_sweep

CARBON, CAPEX = "economics.carbon_price_cny_per_t", "technologies.offshore_wind.capex_cny_per_kw"

HALTON = f"""\
name: halton_sweep
scenario: tiny_plan.yaml
mode: halton
parameters:
  {CARBON}: [0, 200]
  {CAPEX}: {{low: 8000, high: 12000}}
samples: 2
seed: 5
"""

GRID = f"""\
name: hooked_sweep
scenario: tiny_plan.yaml
parameters:
  {CARBON}: [0, 200]
workers: WORKERS
"""


@pytest.fixture
def halton():
    """A sampler registered by this test only (one decorated function), removed afterwards."""
    @design.sampler("halton", needs_samples="variants")
    def draw(spec, base):
        return qmc.Halton(d=len(spec.dimensions()), seed=spec.seed).random(spec.variant_count())

    yield draw
    SAMPLERS.pop("halton")


def test_a_sampler_registered_in_one_place_runs_a_sweep_end_to_end(project, halton):
    table = run_sweep(project.scenario(HALTON, "halton.yaml"), project.out)
    unit = qmc.Halton(d=2, seed=5).random(2)
    assert len(table) == 2 and set(table["status"]) == {"optimal"}
    np.testing.assert_allclose(table[f"param.{CARBON}"].to_numpy(), 0 + unit[:, 0] * 200)
    np.testing.assert_allclose(table[f"param.{CAPEX}"].to_numpy(), 8000 + unit[:, 1] * 4000)
    assert list(table["sample"]) == [0, 1]
    study = Study(load_case(load_scenario(project.root / "scenarios" / "tiny_plan.yaml")))
    for _, row in table.iterrows():
        with study.changed({CARBON: row[f"param.{CARBON}"], CAPEX: row[f"param.{CAPEX}"]}):
            assert row["objective_cny_per_yr"] == pytest.approx(study.solve().attrs["objective_cny_per_yr"], rel=1e-7)


def test_an_unregistered_mode_is_an_input_error_naming_the_modes(project, no_solver):
    with pytest.raises(InputError) as err:
        run_sweep(project.scenario(HALTON, "halton.yaml"), project.out)
    assert "halton.yaml:3: mode: unknown mode; expected one of grid, list, random, lhs, sobol, oat, saltelli, " \
           "morris" in str(err.value)
    assert not (project.out / "halton_sweep").exists()


def at_least_100_mw_offshore(model, data):
    """Forces 0.1 GW (100 MW) of new offshore wind (LP units: GW)."""
    model.force_offshore = pyo.Constraint(expr=model.build["offshore_wind"] >= 0.1)


@pytest.mark.parametrize("workers", [1, 2])
def test_extra_rows_reach_every_variant_and_the_manifest(project, workers):
    sweep = project.scenario(GRID.replace("WORKERS", str(workers)), "hooked.yaml")
    table = run_sweep(sweep, project.out, extra_rows=at_least_100_mw_offshore)
    assert (table["capacity_mw.offshore_wind"] >= 100 - 1e-6).all()
    study = Study(load_case(load_scenario(project.root / "scenarios" / "tiny_plan.yaml")),
                  extra_rows=at_least_100_mw_offshore)
    for _, row in table.iterrows():
        with study.changed({CARBON: row[f"param.{CARBON}"]}):
            assert row["objective_cny_per_yr"] == pytest.approx(study.solve().attrs["objective_cny_per_yr"], rel=1e-7)
    manifest = json.loads((project.out / "hooked_sweep" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["extra_rows"] == {"name": "at_least_100_mw_offshore", "module": __name__}


def test_a_hook_dask_cannot_ship_is_refused_before_anything_is_written(project, no_solver):
    class Locked:
        """A hook holding a lock: it cannot be pickled for a Dask worker."""

        def __init__(self) -> None:
            self.lock = threading.Lock()

        def __call__(self, model, data) -> None:
            return None

    with pytest.raises(InputError) as err:
        run_sweep(project.scenario(GRID.replace("WORKERS", "1"), "hooked.yaml"), project.out,
                  scheduler="tcp://127.0.0.1:1", extra_rows=Locked())
    text = str(err.value)
    assert "\n  extra_rows: the hook cannot be sent to the Dask workers of --scheduler tcp://127.0.0.1:1 (TypeError" in text
    assert "_thread.lock" in text and "use a picklable function or the local pool" in text
    assert not (project.out / "hooked_sweep").exists()
