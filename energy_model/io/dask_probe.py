"""Let xarray learn that an array is not a dask array without importing ``dask.array``.

Every Variable xarray makes asks ``isinstance(data, array_type("dask"))``
(``xarray.core.variable.as_compatible_data``), and with dask installed the
first such question imports ``dask.array``. Dask is installed for sweeps on a
cluster, but a run never makes a dask array, and the import is expensive:
``dask.array`` imports ``scipy.sparse``, and once Pyomo is loaded that makes
Pyomo import ``scipy.stats`` as well (1.2-1.9 s of a typical-days run's
start-up, measured on the 2-core machine).

No dask array can exist before ``dask.array`` is imported, so while it is not
in ``sys.modules`` the answer "no array type" is exact; from the moment it is
(a sweep on a Dask cluster, a user's own code), xarray's own answer is given.
The cached entry is installed when xarray loads ``xarray.namedarray.pycompat``
(:func:`install_hook`), before any Variable exists; nothing else changes.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

MODULE = "xarray.namedarray.pycompat"


def lazy_dask_entry(pycompat: ModuleType) -> Any:
    """A ``DuckArrayModule`` for ``"dask"`` that imports nothing until ``dask.array`` is loaded.

    Parameters
    ----------
    pycompat : module
        ``xarray.namedarray.pycompat``.
    """
    base = pycompat.DuckArrayModule

    class DaskWhenLoaded(base):  # type: ignore[misc, valid-type]
        """xarray's own entry once ``dask.array`` is imported; no array type before."""

        def __init__(self) -> None:  # no import here
            self._real: Any = None

        def _entry(self) -> Any:
            if self._real is None and "dask.array" in sys.modules:
                self._real = base("dask")
            return self._real

        @property  # type: ignore[override]
        def type(self) -> tuple[type, ...]:
            real = self._entry()
            return real.type if real is not None else ()

        @property  # type: ignore[override]
        def module(self) -> ModuleType | None:
            real = self._entry()
            return real.module if real is not None else None

        @property  # type: ignore[override]
        def version(self) -> Any:
            real = self._entry()
            return real.version if real is not None else base("dask").version  # asking imports dask

        @property  # type: ignore[override]
        def available(self) -> bool:
            real = self._entry()
            return real.available if real is not None else False

    return DaskWhenLoaded()


def install(pycompat: ModuleType) -> bool:
    """Put the lazy dask entry in xarray's cache unless xarray already asked about dask.

    Returns
    -------
    bool
        Whether the entry was installed (False: another xarray layout, or dask already probed).
    """
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    if not isinstance(cache, dict) or not hasattr(pycompat, "DuckArrayModule") or "dask" in cache:
        return False
    cache["dask"] = lazy_dask_entry(pycompat)
    return True


class _AfterPycompat(importlib.abc.MetaPathFinder):
    """Finds ``xarray.namedarray.pycompat`` with the next finders and installs the entry right after it loads."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        sys.meta_path.remove(self)  # once; and so that the search below does not come back here
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader

        class Then(importlib.abc.Loader):
            def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
                return loader.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                loader.exec_module(module)
                install(module)

        spec.loader = Then()
        return spec


def install_hook() -> None:
    """Install the entry now if xarray is loaded, else when it loads (idempotent)."""
    if MODULE in sys.modules:
        install(sys.modules[MODULE])
    elif not any(isinstance(f, _AfterPycompat) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterPycompat())
