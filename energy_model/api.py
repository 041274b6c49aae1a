"""Notebook-friendly entry points: every analysis of a scenario from Python.

    import energy_model as em
    study = em.open_study("scenarios/quick_week.yaml")
    test = em.run_target_test(study)            # reference vs enforced, cost and price of each target
    table = em.frontier(study, "new_energy_share", steps=4)
    found = em.breakeven(study, "technologies.offshore_wind.capex_cny_per_kw", "wind_capacity")

:func:`run_frontier` and :func:`run_breakeven` do the same from a scenario file
and also add ``frontier_<target>.csv`` / ``breakeven_<parameter>_<target>.json`` to the
scenario's run folder (what ``python run.py frontier|breakeven`` does); a run folder's report is
then rendered again so it shows every analysis present.

This module only gathers the names: the run is orchestrated in
:mod:`energy_model.workflows.run`, the analyses' run folders in
:mod:`energy_model.workflows.analyses`.

Examples
--------
>>> import energy_model as em
>>> em.run_frontier is run_frontier and em.open_study is open_study  # the same functions, one home each
True
>>> em.run_target_test(em.open_study("scenarios/example_day.yaml")).status
'met_with_enforcement'
"""

from __future__ import annotations

from energy_model.analysis.breakeven import breakeven
from energy_model.analysis.frontier import frontier, frontier_sentence
from energy_model.analysis.target_test import maximum_achievable, run_target_test
from energy_model.engine.study import Study
from energy_model.inputs.load import build_model_inputs
from energy_model.io.scenario_file import load_scenario
from energy_model.output.run_folder import add_to_run_folder
from energy_model.workflows.analyses import AnalysisOutcome, open_study, run_breakeven, run_frontier
from energy_model.workflows.run import run_scenario

__all__ = ["load_scenario", "build_model_inputs", "Study", "run_target_test", "maximum_achievable", "run_scenario",
           "frontier", "frontier_sentence", "breakeven", "open_study", "run_frontier", "run_breakeven",
           "add_to_run_folder", "AnalysisOutcome"]
