"""Write and read run folders atomically: staging folder, then one rename.

A run folder ``<out>/<scenario>/`` is only ever created complete: every file
is written into ``<out>/.staging-<scenario>-<pid>/``, ``manifest.json`` (with
status, input hash and a SHA-256 of every file) is written last, and the
staging folder replaces the old run folder with ``os.replace``-style renames.
A crash leaves at most a staging folder, which the next run removes. A lock
file stops two runs from writing the same folder at once.

CSV cells that start with ``= + - @`` followed by a non-number are prefixed
with a quote so spreadsheet programs do not run them as formulas.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model.errors import OutputError

MANIFEST = "manifest.json"


def _io_error(exc: OSError, path: Path) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {path}; nothing was published")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"no permission to write {path}; choose another folder with --out")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: Path, index: bool = True) -> None:
    """Write a CSV safe against spreadsheet formula injection."""
    safe = frame.copy()
    text = pd.api.types.is_string_dtype  # object columns and pandas 3's "str" dtype alike
    for col in safe.columns:
        if text(safe[col].dtype):
            safe[col] = safe[col].map(_safe_cell)
    if index and text(safe.index.dtype):
        safe.index = safe.index.map(_safe_cell)
    safe.to_csv(path, index=index, float_format="%.6g")


def _netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """Object (string) arrays and bool attrs converted so NetCDF can store them."""
    out = ds.copy()
    for name in list(out.variables):
        var = out[name]
        if var.dtype == object:
            out[name] = var.astype(str)
        elif var.dtype == bool:
            out[name] = var.astype("int8")
            out[name].attrs["dtype"] = "bool"
    out.attrs = {k: (int(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in out.attrs.items()
                 if isinstance(v, (str, int, float, np.integer, np.floating, bool, np.bool_))}
    return out


def write_netcdf(ds: xr.Dataset, path: Path) -> None:
    """Write a Dataset to NetCDF (zlib-compressed floats)."""
    ready = _netcdf_ready(ds)
    encoding = {v: {"zlib": True, "complevel": 4} for v in ready.data_vars if ready[v].dtype.kind == "f"}
    ready.to_netcdf(path, encoding=encoding)


def open_netcdf(path: Path) -> xr.Dataset:
    """Read a Dataset written by :func:`write_netcdf` fully into memory (bools restored)."""
    with xr.open_dataset(path) as ds:
        loaded = ds.load()
    for name in list(loaded.variables):
        if loaded[name].attrs.get("dtype") == "bool":
            attrs = {k: v for k, v in loaded[name].attrs.items() if k != "dtype"}
            loaded[name] = loaded[name].astype(bool)
            loaded[name].attrs = attrs
    return loaded


def write_json(data: Any, path: Path) -> None:
    """Write JSON with NaN/inf as null."""

    def clean(x: Any) -> Any:
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v) for v in x]
        if isinstance(x, (np.bool_, bool)):
            return bool(x)
        if isinstance(x, (np.integer,)):
            return int(x)
        if isinstance(x, (float, np.floating)):
            return float(x) if np.isfinite(x) else None
        if isinstance(x, np.ndarray):
            return clean(x.tolist())
        return x

    path.write_text(json.dumps(clean(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def run_lock(out: Path, name: str) -> Iterator[None]:
    """Hold ``<out>/.<name>.lock`` while a run writes; refuse if a live process holds it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _io_error(exc, out) from None
    lock = out / f".{name}.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:
            pid = int(lock.read_text().strip() or "0")
        except (OSError, ValueError):
            pid = 0
        if pid and _alive(pid):
            raise OutputError(f"another run (process {pid}) is writing {out / name}; wait for it or use --out") from None
        lock.unlink(missing_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except OSError as exc:
        raise _io_error(exc, out) from None
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_writable(out: Path) -> None:
    """Fail early (before any solve) if ``out`` cannot be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise _io_error(exc, out) from None


def publish(out: Path, name: str, writers: dict[str, Callable[[Path], None]], manifest: dict[str, Any]) -> Path:
    """Write every file into a staging folder, then move it to ``out/name`` in one step.

    Parameters
    ----------
    out : pathlib.Path
        Parent folder of run folders.
    name : str
        Run folder name (the scenario name).
    writers : dict
        File name -> function writing that file to the given path.
    manifest : dict
        Metadata; file checksums are added and it is written last.

    Returns
    -------
    pathlib.Path
        The published run folder.
    """
    final = out / name
    staging = out / f".staging-{name}-{os.getpid()}"
    old = out / f".old-{name}-{os.getpid()}"
    for stale in out.glob(f".staging-{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    current: Path = staging
    try:
        staging.mkdir(parents=True)
        files = {}
        for fname, write in writers.items():
            current = staging / fname
            write(current)
            files[fname] = sha256(current)
        current = staging / MANIFEST
        write_json(manifest | {"files": files}, current)
        current = final
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)
        raise _io_error(exc, current) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)
        raise
    return final


def verify_run(folder: Path) -> dict[str, Any]:
    """Read a run's manifest and check every file's checksum; raise OutputError if any differs."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for fname, digest in manifest.get("files", {}).items():
        if sha256(folder / fname) != digest:
            raise OutputError(f"{folder / fname} does not match its checksum in {MANIFEST}")
    return manifest
