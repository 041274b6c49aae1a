"""City power-system capacity-expansion and dispatch optimizer.

Weather -> hourly wind/PV capacity factors (pvlib, windpowerlib) -> least-cost
Pyomo LP solved with HiGHS -> results, target scorecard and report.

The Python API (:mod:`energy_model.api`) is served from here without importing
the solver stack until first use; ``dir(energy_model)`` lists it::

    import energy_model as em
    study = em.open_study("scenarios/example_day.yaml")
    em.run_target_test(study)
"""

__version__ = "0.1.0"

from energy_model.io.dask_probe import install_hook as _install_dask_probe  # noqa: E402

_install_dask_probe()  # xarray answers "not a dask array" without importing dask.array (1-2 s of each run)

#: Names served lazily from :mod:`energy_model.api` (``em.frontier``, ``em.Study``...): its ``__all__``.
API_NAMES = frozenset({
    "load_scenario", "build_model_inputs", "Study", "run_target_test", "maximum_achievable", "run_scenario",
    "frontier", "frontier_sentence", "breakeven", "open_study", "run_frontier", "run_breakeven",
    "add_to_run_folder", "AnalysisOutcome",
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


def __dir__() -> list[str]:
    """The module's own names and the public API (served lazily), for ``dir()`` and tab completion."""
    return sorted(set(globals()) | API_NAMES)
