"""Remember the results of pure, expensive computations by a digest of their inputs' contents.

A full year of synthetic weather and its capacity factors take seconds to
compute and depend only on tables and parameters, not on the scenario's
horizon. :class:`ContentCache` keeps the last few results in this process,
keyed by a SHA-256 digest of the exact bytes of every input (values, index,
column names and dtypes), so an edited table, another seed or other years
miss the cache and are computed afresh. Hits hand out deep copies: a caller
may change what it gets without changing what the next caller gets.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from energy_model.io.disk_cache import DiskLayer

T = TypeVar("T")

#: Every cache made in this process (see :func:`clear_caches`).
_ALL: weakref.WeakSet[ContentCache[Any]] = weakref.WeakSet()


def clear_caches() -> None:
    """Forget every stored result of every :class:`ContentCache` (benchmarks time fresh computations)."""
    for cache in list(_ALL):
        cache.clear()


def frame_digest(frame: pd.DataFrame) -> bytes:
    """SHA-256 of a frame's exact contents: column names, dtypes, index and values.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame; object columns are hashed by value (``str`` of each cell
        with its type name), numeric columns by their bytes.

    Returns
    -------
    bytes
        32-byte digest; equal frames (same labels, dtypes, bit-identical
        values) give equal digests.
    """
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(_index_bytes(frame.index))
    for col in frame.columns:
        h.update(_array_bytes(frame[col].to_numpy()))
    return h.digest()


def _index_bytes(index: pd.Index) -> bytes:
    if isinstance(index, pd.DatetimeIndex):
        return f"{index.dtype}|{index.freqstr}".encode() + np.asarray(index.asi8).tobytes()
    return str(index.dtype).encode() + _array_bytes(index.to_numpy())


def _array_bytes(values: np.ndarray) -> bytes:
    if values.dtype.kind in "biufcmM":
        return str(values.dtype).encode() + np.ascontiguousarray(values).tobytes()
    return repr([(type(v).__name__, str(v)) for v in values]).encode()


class ContentCache(Generic[T]):
    """A small least-recently-used cache of results by content digest (thread-safe).

    Parameters
    ----------
    maxsize : int, default 8
        Results kept; the least recently used goes first.
    disk : DiskLayer, optional
        Also keep results between processes in the user's cache folder
        (:mod:`energy_model.io.disk_cache`): a result missing here is read
        from there before it is computed, and a computed one is written there.
    """

    def __init__(self, maxsize: int = 8, disk: DiskLayer[T] | None = None) -> None:
        self.maxsize = maxsize
        self.disk = disk
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        _ALL.add(self)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A deep copy of the result stored under ``key``, computing and storing it on a miss.

        Parameters
        ----------
        key : hashable
            Digest of every input the result depends on.
        compute : callable
            Makes the result; an exception passes through and nothing is stored.

        Returns
        -------
        T
            A deep copy (the stored result is never handed out).
        """
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return copy.deepcopy(self._items[key])
        stored = self.disk.load(key) if self.disk is not None else None
        if stored is not None:
            value = stored
        else:
            value = compute()
            if self.disk is not None:
                self.disk.save(key, value)
        with self._lock:
            self.misses += 1
            self._items[key] = copy.deepcopy(value)
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every stored result."""
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0
