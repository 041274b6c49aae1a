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

Replacing a folder of ours deletes only what this tool wrote there: the files
its manifest lists (and the files of a run of an earlier version). A file or
folder a user put inside stops the run the same way (:func:`check_replaceable`).
The frontier and break-even files added to a run folder are carried over into
the new run folder with their checksums and descriptions
(:func:`analyses_to_carry`), never dropped.

Which folders are ours and what a new run may replace or keep is decided in
:mod:`energy_model.output.folder_owner`; the file formats (CSV for
spreadsheets, JSON, NetCDF) are in :mod:`energy_model.output.writers`; the
functions of both are importable from here too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from energy_model.errors import OutputError
from energy_model.output.folder_owner import (
    ANALYSIS_GLOBS,
    COMPARISON,
    MANIFEST,
    RUN,
    SWEEP,
    TOOL,
    analyses_to_carry,
    carried_message,
    check_ours,
    check_replaceable,
    comparison_folder_problem,
    folder_kind,
    io_error,
    plain_file,
)
from energy_model.output.writers import open_netcdf, write_csv, write_json, write_netcdf

__all__ = ["ANALYSIS_GLOBS", "COMPARISON", "MANIFEST", "RUN", "SWEEP", "TOOL", "analyses_to_carry", "carried_message",
           "check_ours",
           "check_replaceable", "check_writable", "comparison_folder_problem", "folder_kind", "open_netcdf", "publish",
           "run_lock", "sha256", "verify_run", "write_atomic", "write_csv", "write_json", "write_netcdf"]


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
        raise io_error(exc, path, after) from None
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
def run_lock(out: Path, name: str, kind: str = RUN, replace: bool = False) -> Iterator[None]:
    """Hold ``<out>/.<name>.lock`` while a run writes; refuse if a live process holds it.

    With the lock held, an existing ``<out>/<name>`` is checked with
    :func:`check_ours` (or, with ``replace``, :func:`check_replaceable`): a
    folder this tool did not create, or one a new run would replace while it
    holds files the tool did not write there, is refused before anything is
    solved or written (the lock is released again).
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise io_error(exc, out) from None
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
        raise io_error(exc, out) from None
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        if replace:
            check_replaceable(out / name, kind)
        else:
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
        raise io_error(exc, out) from None


def publish(out: Path, name: str, writers: dict[str, Callable[[Path], None]], manifest: dict[str, Any],
            kind: str = RUN, carry: Mapping[str, dict[str, Any]] | None = None) -> Path:
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
        Metadata; the marker ``"tool": "energy_model", "kind": kind`` and file
        checksums are added and it is written last.
    kind : {"run", "comparison"}
        What is published.
    carry : dict, optional
        Files of the folder being replaced to copy into the new one before the
        writers run (file name -> its ``analyses`` entry in the manifest). For
        a run, by default every analysis file (:func:`analyses_to_carry`).

    Returns
    -------
    pathlib.Path
        The published run folder.

    Raises
    ------
    OutputError
        ``out/name`` exists and is not a ``kind`` folder of this tool or holds
        files this tool did not write there (see :func:`check_replaceable`),
        or a write failed (disk full, permission); the previous folder is then
        left as it was.
    """
    final = out / name
    if carry is None:
        carry = analyses_to_carry(final, manifest.get("input_hash")) if kind == RUN else {}
    carry = {f: m for f, m in carry.items() if f not in writers}
    check_replaceable(final, kind, carry)
    staging = out / f".staging-{name}-{os.getpid()}"
    old = out / f".old-{name}-{os.getpid()}"
    for stale in out.glob(f".staging-{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    current: Path = staging
    after = "nothing was published" + (f"; the previous {final} is unchanged" if final.exists() else "")
    try:
        staging.mkdir(parents=True)
        files = {}
        for fname in carry:
            current = staging / fname
            shutil.copy2(final / fname, current)
            files[fname] = sha256(current)
        for fname, write in writers.items():
            current = staging / fname
            write(current)
            files[fname] = sha256(current)
        current = staging / MANIFEST
        extra: dict[str, Any] = {"analyses": dict(carry) | manifest.get("analyses", {})} if carry else {}
        write_json({"tool": TOOL, "kind": kind} | manifest | extra | {"files": files}, current)
        current = final
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)
        raise io_error(exc, current, after) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)
        raise
    return final


def add_to_run_folder(out: Path, name: str, writers: dict[str, Callable[[Path], None]], meta: dict[str, Any],
                      refresh: dict[str, Callable[[Path], None]] | None = None) -> tuple[Path, str]:
    """Add files to the run folder ``out/name`` atomically, or create a run folder holding only them.

    Each file is written under a temporary name in the run folder and moved
    over the final name with ``os.replace``; ``manifest.json`` then gets the
    new SHA-256 checksums (and ``meta`` under ``analyses``) the same way. With
    no run folder yet, :func:`publish` creates one.
    ``refresh`` files (the report) are rewritten after them in a complete run
    folder, with new checksums but not listed as analyses.

    Parameters
    ----------
    out : pathlib.Path
        Parent folder of run folders.
    name : str
        The run folder's name (the scenario's).
    writers : dict of str to callable
        File name -> function writing that file to the path it is given.
    meta : dict
        Recorded under ``analyses`` in ``manifest.json`` (``input_hash`` is compared with the run's).
    refresh : dict of str to callable, optional
        Files rewritten after them (not listed as analyses).

    Returns
    -------
    folder : pathlib.Path
    note : str
        Non-empty when the run folder was made from different inputs.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> folder, note = add_to_run_folder(out, "example_day", {"notes.txt": lambda p: p.write_text("checked")},
    ...                                  {"command": "notes", "input_hash": None})
    >>> sorted(p.name for p in folder.iterdir()), note
    (['manifest.json', 'notes.txt'], '')
    """
    check_writable(out)
    folder = out / name
    note = ""
    with run_lock(out, name):
        if not (folder / MANIFEST).is_file():
            manifest = {"scenario": name, "status": "analysis only (no run yet)", "input_hash": meta.get("input_hash"),
                        "analyses": {f: meta for f in writers}}
            return publish(out, name, writers, manifest), note
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("input_hash") and manifest["input_hash"] != meta.get("input_hash"):
            note = (f"the run in {folder} was made from other inputs (input hash "
                    f"{str(manifest['input_hash'])[:12]} vs {str(meta.get('input_hash'))[:12]})")
        pid = os.getpid()
        try:
            for fname, write in writers.items():
                tmp = folder / f".{fname}.tmp-{pid}"
                write(tmp)
                os.replace(tmp, folder / fname)
                manifest.setdefault("files", {})[fname] = sha256(folder / fname)
                manifest.setdefault("analyses", {})[fname] = meta | ({"note": note} if note else {})
            for fname, write in (refresh or {}).items() if (folder / "summary.json").is_file() else ():
                tmp = folder / f".{fname}.tmp-{pid}"
                write(tmp)
                os.replace(tmp, folder / fname)
                manifest.setdefault("files", {})[fname] = sha256(folder / fname)
            tmp = folder / f".{MANIFEST}.tmp-{pid}"
            write_json(manifest, tmp)
            os.replace(tmp, folder / MANIFEST)
        except OSError as exc:
            for stale in folder.glob(f".*.tmp-{pid}"):
                stale.unlink(missing_ok=True)
            raise OutputError(f"cannot add files to {folder}: {exc.strerror or exc}") from None
    return folder, note


def verify_run(folder: Path) -> dict[str, Any]:
    """Read a run's manifest and check every file's checksum; raise OutputError if any differs or is missing."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = manifest.get("files", {})
    if not isinstance(files, dict):
        raise OutputError(f"{folder / MANIFEST} has no table of files and checksums")
    for fname, digest in files.items():
        path = folder / fname
        if not plain_file(path):
            raise OutputError(f"{path} is listed in {MANIFEST} but missing")
        try:
            ok = sha256(path) == digest
        except OSError as exc:
            raise OutputError(f"{path} cannot be read: {exc.strerror or exc}") from None
        if not ok:
            raise OutputError(f"{path} does not match its checksum in {MANIFEST}")
    return manifest
