"""The Python API explains itself: dir() lists it, results have short reprs, every example in the docstrings runs."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest
from conftest import PROJECT

import energy_model

#: Modules whose docstrings hold examples (each is run as a doctest from the project folder).
MODULES = ["energy_model.api", "energy_model.io.scenario_file", "energy_model.inputs.load",
           "energy_model.engine.study", "energy_model.engine.extra_rows", "energy_model.analysis.target_test",
           "energy_model.analysis.frontier", "energy_model.analysis.breakeven", "energy_model.workflows.run",
           "energy_model.workflows.analyses", "energy_model.output.run_folder",
           "energy_model.io.fleet", "energy_model.io.pathway_file", "energy_model.io.pathway_spec"]


def test_dir_lists_the_public_api():
    from energy_model import api

    assert set(api.__all__) == set(energy_model.API_NAMES)
    listed = dir(energy_model)
    assert set(api.__all__) <= set(listed) and "__version__" in listed
    assert energy_model.run_target_test is importlib.import_module("energy_model.analysis.target_test").run_target_test


@pytest.mark.parametrize("name", sorted(energy_model.API_NAMES))
def test_every_public_function_has_a_numpydoc_docstring_with_examples(name: str):
    obj = getattr(energy_model, name)
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------\n>>>" in doc, f"{name}: no Examples section"
    if inspect.isfunction(obj) and inspect.signature(obj).parameters:
        assert "Parameters\n----------" in doc or "Parameters are those of" in doc, f"{name}: no Parameters"
        assert "Returns\n-------" in doc, f"{name}: no Returns section"


@pytest.mark.parametrize("module", MODULES)
def test_examples_run(module: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(PROJECT)  # the examples name scenarios/example_day.yaml
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{module} has no examples"
    assert result.failed == 0, f"{module}: {result.failed} of {result.attempted} examples failed (output above)"


def test_reprs_are_short():
    from energy_model.api import open_study, run_scenario

    study = open_study(PROJECT / "scenarios" / "example_day.yaml")
    assert repr(study) == "<Study example_day.yaml: 24 steps, 14 technologies, 4 targets; 0 changes, 0 solves>"
    outcome = run_scenario(PROJECT / "scenarios" / "example_day.yaml", write=False)
    for obj in (outcome, outcome.test, study.timings):
        text = repr(obj)
        assert len(text) < 300 and text.count("\n") == 0, text
    assert repr(outcome.test).startswith("<TargetTest met_with_enforcement: 3 of 4 targets met; cost ")
