"""City power-system capacity-expansion and dispatch optimizer.

Weather -> hourly wind/PV capacity factors (pvlib, windpowerlib) -> least-cost
Pyomo LP solved with HiGHS -> results, target scorecard and report.
"""

__version__ = "0.1.0"

#: Names served lazily from :mod:`energy_model.api` (``em.frontier``, ``em.Study``...).
API_NAMES = frozenset({
    "load_scenario", "build_model_inputs", "Study", "run_target_test", "run_scenario", "frontier",
    "breakeven", "maximum_achievable", "frontier_sentence", "open_study", "run_frontier", "run_breakeven",
})


def __getattr__(name: str) -> object:
    """Lazy access to the notebook API without importing it (and the solver stack) eagerly.

    Only the API names are resolved here; anything else (including submodule
    names during ``from energy_model import x``) is a plain AttributeError so
    the import system can load the submodule.
    """
    if name not in API_NAMES:
        raise AttributeError(f"module 'energy_model' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module("energy_model.api"), name)
