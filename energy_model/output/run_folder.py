"""Write and read run folders atomically: staging folder, then one rename.

A run folder ``<out>/<scenario>/`` is only ever created complete: every file
is written into ``<out>/.staging-<scenario>-<pid>/``, ``manifest.json`` (with
status, input hash and a SHA-256 of every file) is written last, and the
staging folder replaces the old run folder with ``os.replace``-style renames.
A crash leaves at most a staging folder, which the next run removes. A lock
file stops two runs from writing the same folder at once.

The file formats (CSV for spreadsheets, JSON, NetCDF) are in
:mod:`energy_model.output.writers`; their functions are importable from here too.
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

from energy_model.errors import OutputError
from energy_model.output.writers import open_netcdf, write_csv, write_json, write_netcdf

__all__ = ["MANIFEST", "check_writable", "open_netcdf", "publish", "run_lock", "sha256", "verify_run", "write_csv",
           "write_json", "write_netcdf"]

MANIFEST = "manifest.json"


def _io_error(exc: OSError, path: Path) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {path}; nothing was published")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"no permission to write {path}; choose another folder with --out")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


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
