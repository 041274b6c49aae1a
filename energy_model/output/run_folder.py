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

The file formats (CSV for spreadsheets, JSON, NetCDF) are in
:mod:`energy_model.output.writers`; their functions are importable from here too.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from energy_model.errors import OutputError
from energy_model.output.writers import open_netcdf, write_csv, write_json, write_netcdf

__all__ = ["ANALYSIS_GLOBS", "COMPARISON", "MANIFEST", "RUN", "SWEEP", "TOOL", "analyses_to_carry", "carried_message",
           "check_ours",
           "check_replaceable", "check_writable", "comparison_folder_problem", "folder_kind", "open_netcdf", "publish",
           "run_lock", "sha256", "verify_run", "write_atomic", "write_csv", "write_json", "write_netcdf"]

MANIFEST = "manifest.json"
#: Value of ``"tool"`` in every manifest this tool writes.
TOOL = "energy_model"
#: Kinds of folder this tool writes.
RUN, SWEEP, COMPARISON = "run", "sweep", "comparison"
KINDS = (RUN, SWEEP, COMPARISON)
#: Keys that identify a manifest written before the ``tool`` marker existed, per kind.
LEGACY_KEYS: dict[str, tuple[str, ...]] = {RUN: ("scenario", "input_hash", "status"), SWEEP: ("sweep", "variants")}
#: Largest manifest read to decide whether a folder is ours [bytes].
MAX_MANIFEST_BYTES = 50_000_000
#: Files that analyses (``frontier``, ``breakeven``) add to a run folder; a new run of the scenario keeps them.
ANALYSIS_GLOBS = ("frontier_*.csv", "breakeven_*.json")
#: Files of a run folder of an earlier version whose manifest lists no files (``pipeline._writers``).
RUN_FILES = ("results.nc", "reference.nc", "inputs.nc", "summary.json", "technologies.csv", "targets.csv",
             "fuels.csv", "hourly.csv", "assumptions.csv", "results.xlsx", "report.html")
#: A hidden temporary file this tool writes next to its final name (``.<name>.tmp-<pid>``).
_TMP_FILE = re.compile(r"^\..+\.tmp-\d+$")
#: Most names quoted in one message.
_MAX_NAMED = 10


def _io_error(exc: OSError, path: Path, after: str = "nothing was published") -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {path}; {after}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"no permission to write {path}; choose another folder with --out")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}; {after}")


def _named(names: list[str]) -> str:
    """At most :data:`_MAX_NAMED` names, comma-separated, with how many more."""
    more = len(names) - _MAX_NAMED
    return ", ".join(names[:_MAX_NAMED]) + (f" and {more} more" if more > 0 else "")


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
        return kind if kind in KINDS else None
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
    kind : {"run", "sweep", "comparison"}
        What is about to be written there.

    Raises
    ------
    OutputError
        The path is a symbolic link, a file, or a folder (even an empty one,
        except for a comparison) without a manifest of this tool of that
        kind; nothing was touched.
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
    if empty and found is None and kind == COMPARISON:  # a folder made for the comparison with mkdir
        return
    if found is not None:
        what = f"holds a {found} of this tool, not a {kind}"
    elif empty:
        what = f"is an empty folder without a {MANIFEST} of this tool"
    else:
        what = f"is a folder this tool did not create (no {MANIFEST} of a {kind} of {TOOL})"
    raise OutputError(f"{folder} {what}{advice}")


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise _io_error(exc, folder) from None


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def foreign_entries(folder: Path, keep: Iterable[str] = ()) -> list[str]:
    """What replacing ``folder`` (a folder of this tool) would delete that this tool did not write there.

    Parameters
    ----------
    folder : pathlib.Path
        An existing folder with a manifest of this tool.
    keep : iterable of str
        Further names that are ours (the files carried over into the new folder).

    Returns
    -------
    list of str
        Names of the entries that are neither the manifest, nor a file it
        lists (for a manifest of an earlier version without a file list: a
        file of :data:`RUN_FILES`), nor an analysis file, nor a temporary file
        of this tool; folders end in ``/``.
    """
    manifest = _read_manifest(folder) or {}
    listed = manifest.get("files")
    ours = {MANIFEST, *keep, *(listed if isinstance(listed, dict) else RUN_FILES)}
    analyses = manifest.get("analyses")
    ours |= set(analyses) if isinstance(analyses, dict) else set()
    out = []
    for entry in _entries(folder):
        name = entry.name
        analysis = manifest.get("kind", RUN) == RUN and any(fnmatch.fnmatch(name, g) for g in ANALYSIS_GLOBS)
        if _plain_file(entry) and (name in ours or analysis or _TMP_FILE.match(name)):
            continue
        out.append(name + ("/" if entry.is_dir() and not entry.is_symlink() else ""))
    return out


def check_replaceable(folder: Path, kind: str = RUN, keep: Iterable[str] = ()) -> None:
    """Refuse to replace ``folder`` when that would delete anything this tool did not write there.

    Parameters
    ----------
    folder : pathlib.Path
        ``<out>/<name>``; nothing to check when it does not exist.
    kind : {"run", "comparison"}
        What replaces it.
    keep : iterable of str
        Further names that are ours (see :func:`foreign_entries`).

    Raises
    ------
    OutputError
        The folder is not a ``kind`` folder of this tool (:func:`check_ours`),
        or holds files or folders this tool did not write there; they are
        named and nothing was touched.
    """
    check_ours(folder, kind)
    if not folder.is_dir() or folder.is_symlink():
        return
    foreign = foreign_entries(folder, keep)
    if foreign:
        raise OutputError(f"{folder} holds {_named(foreign)}, which this tool did not write there; a new {kind} "
                          "replaces the whole folder and would delete them; it was left untouched: move them out "
                          "of the folder, or choose another parent folder with --out")


def analyses_to_carry(folder: Path, input_hash: str | None) -> dict[str, dict[str, Any]]:
    """The frontier and break-even files of a run folder, each with its description, to keep in the new run folder.

    Parameters
    ----------
    folder : pathlib.Path
        The run folder about to be replaced (it may not exist).
    input_hash : str or None
        Input hash of the new run; an analysis made from other inputs gets a ``note`` saying so.

    Returns
    -------
    dict
        File name -> the ``analyses`` entry of its manifest (``{}`` when it
        has none) plus ``carried_over: True`` and, when the inputs differ,
        ``note``.
    """
    if folder_kind(folder) != RUN or folder.is_symlink():
        return {}
    manifest = _read_manifest(folder) or {}
    known = manifest.get("analyses") if isinstance(manifest.get("analyses"), dict) else {}
    assert isinstance(known, dict)
    out: dict[str, dict[str, Any]] = {}
    for entry in _entries(folder):
        if not _plain_file(entry) or not (entry.name in known or any(fnmatch.fnmatch(entry.name, g)
                                                                     for g in ANALYSIS_GLOBS)):
            continue
        meta = known.get(entry.name)
        meta = dict(meta) if isinstance(meta, dict) else {}
        made_from = meta.get("input_hash")
        if made_from is None:
            meta["note"] = "made by an earlier run whose inputs were not recorded"
        elif made_from != input_hash:
            meta["note"] = (f"made by an earlier run from other inputs (input hash {str(made_from)[:12]}, this run "
                            f"{str(input_hash)[:12]})")
        out[entry.name] = meta | {"carried_over": True}
    return out


def carried_message(folder: Path, carry: Mapping[str, dict[str, Any]]) -> str:
    """What a run says about the analysis files it kept from the run folder it replaced ("" when none).

    Parameters
    ----------
    folder : pathlib.Path
        The new run folder.
    carry : dict
        :func:`analyses_to_carry` of the folder it replaced.
    """
    if not carry:
        return ""
    stale = [f for f, meta in carry.items() if meta.get("note")]
    text = (f"kept {len(carry)} analysis file{'s' if len(carry) != 1 else ''} of the earlier run in {folder}: "
            f"{_named(list(carry))}")
    if stale:
        text += (f"; {_named(stale)} {'was' if len(stale) == 1 else 'were'} made from other inputs and "
                 f"{'is' if len(stale) == 1 else 'are'} not shown in the new report: run `python run.py frontier` or "
                 "`breakeven` again to update them")
    return text


def comparison_folder_problem(folder: Path) -> str | None:
    """Why a comparison may not be written to ``folder`` (None when it may).

    A comparison replaces its folder, so the folder must be new, empty or a
    comparison of this tool holding only its own files; and it must not lie
    inside a run, sweep or comparison folder, which a later run, sweep or
    comparison replaces with everything inside.

    Parameters
    ----------
    folder : pathlib.Path
        The ``--out`` folder of ``compare`` (or its default).

    Returns
    -------
    str or None
        What is wrong and what to do, in plain words.
    """
    advice = "; give a new folder outside run folders with --out"
    for parent in Path(os.path.abspath(folder)).parents:
        kind = folder_kind(parent) if parent.is_dir() else None
        if kind is not None:
            why = {RUN: "the next run of that scenario replaces the folder with everything in it",
                   COMPARISON: "the next comparison written there replaces the folder with everything in it",
                   SWEEP: "a sweep folder holds that sweep's files only"}[kind]
            return f"is inside the {kind} folder {parent}: {why}{advice}"
    if not os.path.lexists(folder):
        return None
    if folder.is_symlink():
        return f"is a symbolic link{advice}"
    if not folder.is_dir():
        return f"is a file{advice}"
    kind = folder_kind(folder)
    if kind in (RUN, SWEEP):
        return f"is a {kind} folder of this tool; writing the comparison there would replace its results{advice}"
    if not any(_entries(folder)):
        return None
    if kind is None:
        return f"is a folder that holds files and is not a comparison of this tool (no {MANIFEST} of one){advice}"
    foreign = foreign_entries(folder)
    if foreign:
        return (f"is a comparison of this tool but also holds {_named(foreign)}, which this tool did not write "
                f"there and a new comparison would delete{advice}")
    return None


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
        raise _io_error(exc, out) from None


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
        raise _io_error(exc, current, after) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)
        raise
    return final


def verify_run(folder: Path) -> dict[str, Any]:
    """Read a run's manifest and check every file's checksum; raise OutputError if any differs or is missing."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = manifest.get("files", {})
    if not isinstance(files, dict):
        raise OutputError(f"{folder / MANIFEST} has no table of files and checksums")
    for fname, digest in files.items():
        path = folder / fname
        if not _plain_file(path):
            raise OutputError(f"{path} is listed in {MANIFEST} but missing")
        try:
            ok = sha256(path) == digest
        except OSError as exc:
            raise OutputError(f"{path} cannot be read: {exc.strerror or exc}") from None
        if not ok:
            raise OutputError(f"{path} does not match its checksum in {MANIFEST}")
    return manifest
