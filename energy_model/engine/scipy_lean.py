"""Let Pyomo's standard-form compiler load ``scipy.sparse`` without ``scipy.stats``.

The compiler (:func:`energy_model.engine.highs.compile_model`) builds its
matrices with ``scipy.sparse`` through Pyomo's deferred ``scipy`` import,
whose callback (``pyomo.common.dependencies._finalize_scipy``) also imports
``scipy.stats``, ``scipy.integrate`` and ``scipy.spatial``: about 1.2 s of
every run on the 2-core machine, for modules the compiler never uses.
:func:`lean_scipy` swaps that callback for one that imports ``scipy.sparse``
alone, before the deferred import is resolved; SciPy loads its other
submodules on first use, so a later ``scipy.stats`` still works. If Pyomo's
internals are not the ones expected (another version), nothing is changed.
"""

from __future__ import annotations

from types import ModuleType


def _finalize_sparse_only(module: ModuleType, available: bool) -> None:
    """Pyomo's deferred-import callback for ``scipy``: the sparse matrices the compiler uses."""
    if available:
        import scipy.sparse  # noqa: F401


def lean_scipy() -> bool:
    """Swap Pyomo's ``scipy`` import callback; True if swapped (False: resolved already, or other internals)."""
    from pyomo.common import dependencies as deps

    indicator = getattr(deps, "scipy_available", None)
    original = getattr(deps, "_finalize_scipy", None)
    if indicator is None or original is None or getattr(indicator, "_callback", None) is not original:
        return False
    if getattr(indicator, "_module", "resolved") is not None:
        return False
    indicator._callback = _finalize_sparse_only
    return True
