"""Write and read run folders atomically: staging folder, then one rename.

A run folder ``<out>/<scenario>/`` is only ever created complete: every file
is written into ``<out>/.staging-<scenario>-<pid>/``, ``manifest.json`` (with
status, input hash and a SHA-256 of every file) is written last, and the
staging folder replaces the old run folder with ``os.replace``-style renames.
A crash leaves at most a staging folder, which the next run removes. A lock
file stops two runs from writing the same folder at once.

A run never replaces or writes into a folder it did not create: every
manifest this tool writes says ``"tool": "energy_model"`` and its ``kind``
(``run`` or ``sweep``), and an existing ``<out>/<name>`` is only replaced (a
run) or added to (a sweep, an analysis) when its manifest says it is one of
ours of that kind. Manifests of earlier versions, without the marker, are
recognised by their keys (``scenario``, ``input_hash``, ``status`` for a run;
``sweep``, ``variants`` for a sweep). Anything else, including an empty
folder, a file or a symbolic link at that name, is left untouched and the
run stops with :class:`~energy_model.errors.OutputError` (exit 7).

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

__all__ = ["MANIFEST", "TOOL", "check_ours", "check_writable", "folder_kind", "open_netcdf", "publish", "run_lock",
           "sha256", "verify_run", "write_atomic", "write_csv", "write_json", "write_netcdf"]

MANIFEST = "manifest.json"
#: Value of ``"tool"`` in every manifest this tool writes.
TOOL = "energy_model"
#: Kinds of folder this tool writes.
RUN, SWEEP = "run", "sweep"
#: Keys that identify a manifest written before the ``tool`` marker existed, per kind.
LEGACY_KEYS: dict[str, tuple[str, ...]] = {RUN: ("scenario", "input_hash", "status"), SWEEP: ("sweep", "variants")}
#: Largest manifest read to decide whether a folder is ours [bytes].
MAX_MANIFEST_BYTES = 50_000_000


def _io_error(exc: OSError, path: Path, after: str = "nothing was published") -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {path}; {after}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"no permission to write {path}; choose another folder with --out")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of ``folder`` as a dict, or None if it is missing, too large or not a JSON object."""
    path = folder / MANIFEST
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def folder_kind(folder: Path) -> str | None:
    """Which kind of folder of this tool ``folder`` is, from its manifest.

    Parameters
    ----------
    folder : pathlib.Path
        An existing folder.

    Returns
    -------
    str or None
        :data:`RUN` or :data:`SWEEP` when the manifest says so (``"tool":
        "energy_model"``) or has the keys of an earlier version's manifest;
        None when there is no readable manifest of this tool.
    """
    manifest = _read_manifest(folder)
    if manifest is None:
        return None
    if manifest.get("tool") == TOOL:
        kind = manifest.get("kind", RUN)
        return kind if kind in LEGACY_KEYS else None
    for kind, keys in LEGACY_KEYS.items():
        if all(k in manifest for k in keys):
            return kind
    return None


def _unfinished_sweep(folder: Path) -> bool:
    """A sweep of an earlier version killed before its manifest: only ``variants/`` with variant files."""
    entries = list(folder.iterdir())
    variants = folder / "variants"
    if [e.name for e in entries] != ["variants"] or variants.is_symlink() or not variants.is_dir():
        return False
    return all(v.is_file() and not v.is_symlink() and (v.suffix == ".json" or ".tmp-" in v.name)
               for v in variants.iterdir())


def check_ours(folder: Path, kind: str = RUN) -> None:
    """Refuse to replace or write into an existing ``folder`` that is not a ``kind`` folder of this tool.

    Parameters
    ----------
    folder : pathlib.Path
        ``<out>/<name>``; nothing to check when it does not exist.
    kind : {"run", "sweep"}
        What is about to be written there.

    Raises
    ------
    OutputError
        The path is a symbolic link, a file, or a folder (even an empty one)
        without a manifest of this tool of that kind; nothing was touched.
    """
    if not os.path.lexists(folder):
        return
    advice = "; it was left untouched: move or rename it, or choose another parent folder with --out"
    if folder.is_symlink():
        raise OutputError(f"{folder} is a symbolic link, not a {kind} folder written by this tool{advice}")
    if not folder.is_dir():
        raise OutputError(f"{folder} exists and is a file, not a {kind} folder written by this tool{advice}")
    found = folder_kind(folder)
    if found == kind or (kind == SWEEP and found is None and _unfinished_sweep(folder)):
        return
    try:
        empty = not any(folder.iterdir())
    except OSError as exc:
        raise _io_error(exc, folder) from None
    if found is not None:
        what = f"holds a {found} of this tool, not a {kind}"
    elif empty:
        what = f"is an empty folder without a {MANIFEST} of this tool"
    else:
        what = f"is a folder this tool did not create (no {MANIFEST} of a {kind} of {TOOL})"
    raise OutputError(f"{folder} {what}{advice}")


def write_atomic(path: Path, write: Callable[[Path], None], after: str = "nothing was published") -> None:
    """Write ``path`` through a hidden temporary file in the same folder and one ``os.replace``.

    Parameters
    ----------
    path : pathlib.Path
        Final file.
    write : callable
        Writes the file to the path it is given.
    after : str
        What the disk-full message says about the state left behind.

    Raises
    ------
    OutputError
        Any OSError (disk full, permission), naming ``path``; the temporary
        file is removed and ``path`` keeps its previous content.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _io_error(exc, path, after) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def run_lock(out: Path, name: str, kind: str = RUN) -> Iterator[None]:
    """Hold ``<out>/.<name>.lock`` while a run writes; refuse if a live process holds it.

    With the lock held, an existing ``<out>/<name>`` is checked with
    :func:`check_ours`: a folder this tool did not create is refused before
    anything is solved or written (the lock is released again).
    """
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
        check_ours(out / name, kind)
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
        Metadata; the marker ``"tool": "energy_model", "kind": "run"`` and file
        checksums are added and it is written last.

    Returns
    -------
    pathlib.Path
        The published run folder.

    Raises
    ------
    OutputError
        ``out/name`` exists and is not a run folder of this tool (see
        :func:`check_ours`), or a write failed (disk full, permission); the
        previous run folder is then left as it was.
    """
    final = out / name
    check_ours(final, RUN)
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
        write_json({"tool": TOOL, "kind": RUN} | manifest | {"files": files}, current)
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
