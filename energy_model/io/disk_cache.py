"""Results of pure computations kept between runs in the user's cache folder, by content digest.

The full year of synthetic weather, its capacity factors and the typical-day
clustering depend only on input tables and parameters, yet take seconds (and
their libraries more to import) in every new process. A :class:`DiskLayer`
under a :class:`~energy_model.io.memo.ContentCache` keeps each result as one
``.npz`` file (NumPy arrays and a JSON header, no pickle) named by a SHA-256
digest of:

- the cache key (itself a digest of the exact bytes of every input), so an
  edited table, another seed or other years miss the cache;
- the source code of the modules that compute the result and the versions of
  the libraries they use (and of Python), so a changed formula or an upgraded
  library misses it too.

The folder is ``$ENERGY_MODEL_CACHE`` when set (``off`` turns the disk layer
off), else ``energy_model`` under ``$XDG_CACHE_HOME`` or ``~/.cache``
(``%LOCALAPPDATA%`` on Windows): outside the project, never in git. Files are
written to a temporary name and renamed, so a reader never sees half a file;
a file that cannot be read is computed again, and a folder that cannot be
written only costs the time it would have saved.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import tempfile
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

T = TypeVar("T")

#: Environment variable naming the cache folder (``off`` turns the disk layer off).
ENV = "ENERGY_MODEL_CACHE"
#: Files kept per kind of result; the least recently written go first.
KEEP_PER_KIND = 16
_OFF = {"", "0", "off", "no", "false", "none"}

Arrays = dict[str, np.ndarray]


def cache_folder() -> Path | None:
    """The folder of cached results, or None when the disk layer is off."""
    value = os.environ.get(ENV)
    if value is not None:
        return None if value.strip().lower() in _OFF else Path(value)
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "energy_model" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "energy_model"


def code_stamp(modules: Sequence[str], packages: Sequence[str]) -> bytes:
    """SHA-256 of the source of ``modules`` (every ``.py`` file of a package) and the versions of ``packages``.

    Nothing is imported: sources are found by :func:`importlib.util.find_spec`.
    """
    h = hashlib.sha256(platform.python_version().encode())
    for mod in modules:
        spec = importlib.util.find_spec(mod)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        if origin is None:
            h.update(f"{mod}:?".encode())
            continue
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for f in files:
            h.update(f.name.encode() + f.read_bytes())
    for pkg in packages:
        try:
            h.update(f"{pkg}={importlib.metadata.version(pkg)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{pkg}=?".encode())
    return h.digest()


@dataclass(frozen=True)
class DiskLayer(Generic[T]):
    """How one kind of result is stored on disk.

    Parameters
    ----------
    kind : str
        File name prefix (``weather``, ``capacity_factors``...).
    encode : callable
        Result -> (arrays, JSON-able header); None when this result cannot be stored exactly.
    decode : callable
        (arrays, header) -> the result, equal to the one encoded.
    modules : sequence of str
        Modules (or packages) whose code computes the result.
    packages : sequence of str
        Distributions whose versions the result depends on.
    """

    kind: str
    encode: Callable[[T], tuple[Arrays, dict[str, Any]] | None]
    decode: Callable[[Arrays, dict[str, Any]], T]
    modules: Sequence[str]
    packages: Sequence[str]

    def path(self, key: Hashable) -> Path | None:
        """The file of ``key`` (None when the disk layer is off)."""
        folder = cache_folder()
        if folder is None:
            return None
        h = hashlib.sha256(repr(key).encode())
        h.update(code_stamp(self.modules, self.packages))
        return folder / f"{self.kind}-{h.hexdigest()[:40]}.npz"

    def load(self, key: Hashable) -> T | None:
        """The stored result of ``key``, or None (not stored, unreadable or the layer off)."""
        path = self.path(key)
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            header = json.loads(str(arrays.pop("__header__")))
            return self.decode(arrays, header)
        except Exception:  # noqa: BLE001 - a damaged cache file is computed again, never an error
            return None

    def save(self, key: Hashable, value: T) -> None:
        """Store ``value`` under ``key`` (silently nothing when it cannot be stored or written)."""
        path = self.path(key)
        if path is None:
            return
        encoded = self.encode(value)
        if encoded is None:
            return
        arrays, header = encoded
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.kind}-", suffix=".npz", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    payload: dict[str, Any] = {"__header__": np.array(json.dumps(header))} | arrays
                    np.savez(f, **payload)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            _prune(path.parent, self.kind)
        except OSError:
            return


def _prune(folder: Path, kind: str) -> None:
    """Keep the :data:`KEEP_PER_KIND` newest files of ``kind``."""
    files = sorted(folder.glob(f"{kind}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_PER_KIND:]:
        try:
            old.unlink()
        except OSError:
            continue


# -- codecs of the results kept ---------------------------------------------------------------------
def encode_frames(frames: dict[str, Any]) -> tuple[Arrays, dict[str, Any]] | None:
    """Frames by name with numeric columns and a DatetimeIndex -> arrays and header (None: other frames)."""
    import pandas as pd

    arrays: Arrays = {}
    header: dict[str, Any] = {"frames": []}
    for i, (name, frame) in enumerate(frames.items()):
        index = frame.index
        if (not isinstance(index, pd.DatetimeIndex) or frame.attrs or frame.columns.name is not None
                or not all(isinstance(c, str) for c in frame.columns)):
            return None
        cols = []
        for j, col in enumerate(frame.columns):
            values = frame[col].to_numpy()
            if values.dtype.kind not in "biuf":
                return None
            arrays[f"f{i}c{j}"] = values
            cols.append(col)
        arrays[f"f{i}index"] = np.asarray(index.asi8)
        header["frames"].append({"name": name, "columns": cols, "unit": index.unit,
                                 "tz": None if index.tz is None else str(index.tz),
                                 "freq": index.freqstr, "index_name": index.name})
    return arrays, header


def decode_frames(arrays: Arrays, header: dict[str, Any]) -> dict[str, Any]:
    """The frames of :func:`encode_frames`."""
    import pandas as pd

    out = {}
    for i, meta in enumerate(header["frames"]):
        index = pd.DatetimeIndex(arrays[f"f{i}index"].view(f"datetime64[{meta['unit']}]"), name=meta["index_name"])
        if meta["tz"] is not None:
            index = index.tz_localize("UTC").tz_convert(meta["tz"])
        if meta["freq"] is not None:
            index = pd.DatetimeIndex(index, freq=meta["freq"])
        out[meta["name"]] = pd.DataFrame({c: arrays[f"f{i}c{j}"] for j, c in enumerate(meta["columns"])},
                                         index=index)
    return out


def encode_dataarray(da: Any) -> tuple[Arrays, dict[str, Any]] | None:
    """A DataArray with numeric, string or datetime values and plain-text attributes -> arrays and header."""
    def plain(attrs: dict[Any, Any]) -> bool:
        return all(isinstance(k, str) and isinstance(v, str) for k, v in attrs.items())

    arrays: Arrays = {"values": da.values}
    coords = []
    for i, (name, coord) in enumerate(da.coords.items()):
        if coord.dtype.kind not in "biufUM" or not plain(coord.attrs):
            return None
        arrays[f"c{i}"] = coord.values
        coords.append({"name": name, "dims": list(coord.dims), "attrs": dict(coord.attrs)})
    if da.dtype.kind not in "biuf" or not plain(da.attrs) or not isinstance(da.name, (str, type(None))):
        return None
    return arrays, {"name": da.name, "dims": list(da.dims), "attrs": dict(da.attrs), "coords": coords}


def decode_dataarray(arrays: Arrays, header: dict[str, Any]) -> Any:
    """The DataArray of :func:`encode_dataarray`."""
    import xarray as xr

    coords = {c["name"]: (tuple(c["dims"]), arrays[f"c{i}"], c["attrs"]) for i, c in enumerate(header["coords"])}
    return xr.DataArray(arrays["values"], coords=coords, dims=tuple(header["dims"]), name=header["name"],
                        attrs=header["attrs"])
