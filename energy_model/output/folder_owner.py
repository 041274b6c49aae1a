"""Whose folder is this: the manifest that marks a folder as this tool's, and what a new run may replace or keep.

A folder is a run, sweep or comparison of this tool when its ``manifest.json``
says so (:func:`folder_kind`); a new run refuses any other folder, and any
file in its own folder it did not write (:func:`check_replaceable`), and
carries the analyses added to the folder forward (:func:`analyses_to_carry`).
"""

from __future__ import annotations

import errno
import fnmatch
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from energy_model.errors import OutputError

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
#: Files of a run folder of an earlier version whose manifest lists no files (``workflows.run._writers``).
RUN_FILES = ("results.nc", "reference.nc", "inputs.nc", "summary.json", "technologies.csv", "targets.csv",
             "fuels.csv", "hourly.csv", "assumptions.csv", "results.xlsx", "report.html")
#: A hidden temporary file this tool writes next to its final name (``.<name>.tmp-<pid>``).
TMP_FILE = re.compile(r"^\..+\.tmp-\d+$")
#: Most names quoted in one message.
MAX_NAMED = 10


def io_error(exc: OSError, path: Path, after: str = "nothing was published") -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {path}; {after}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"no permission to write {path}; choose another folder with --out")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}; {after}")


def named(names: list[str]) -> str:
    """At most :data:`MAX_NAMED` names, comma-separated, with how many more."""
    more = len(names) - MAX_NAMED
    return ", ".join(names[:MAX_NAMED]) + (f" and {more} more" if more > 0 else "")


def read_manifest(folder: Path) -> dict[str, Any] | None:
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
    manifest = read_manifest(folder)
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
        raise io_error(exc, folder) from None
    if empty and found is None and kind == COMPARISON:  # a folder made for the comparison with mkdir
        return
    if found is not None:
        what = f"holds a {found} of this tool, not a {kind}"
    elif empty:
        what = f"is an empty folder without a {MANIFEST} of this tool"
    else:
        what = f"is a folder this tool did not create (no {MANIFEST} of a {kind} of {TOOL})"
    raise OutputError(f"{folder} {what}{advice}")


def entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise io_error(exc, folder) from None


def plain_file(path: Path) -> bool:
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
    manifest = read_manifest(folder) or {}
    listed = manifest.get("files")
    ours = {MANIFEST, *keep, *(listed if isinstance(listed, dict) else RUN_FILES)}
    analyses = manifest.get("analyses")
    ours |= set(analyses) if isinstance(analyses, dict) else set()
    out = []
    for entry in entries(folder):
        name = entry.name
        analysis = manifest.get("kind", RUN) == RUN and any(fnmatch.fnmatch(name, g) for g in ANALYSIS_GLOBS)
        if plain_file(entry) and (name in ours or analysis or TMP_FILE.match(name)):
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
        raise OutputError(f"{folder} holds {named(foreign)}, which this tool did not write there; a new {kind} "
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
    manifest = read_manifest(folder) or {}
    known = manifest.get("analyses") if isinstance(manifest.get("analyses"), dict) else {}
    assert isinstance(known, dict)
    out: dict[str, dict[str, Any]] = {}
    for entry in entries(folder):
        if not plain_file(entry) or not (entry.name in known or any(fnmatch.fnmatch(entry.name, g)
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
            f"{named(list(carry))}")
    if stale:
        text += (f"; {named(stale)} {'was' if len(stale) == 1 else 'were'} made from other inputs and "
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
    if not any(entries(folder)):
        return None
    if kind is None:
        return f"is a folder that holds files and is not a comparison of this tool (no {MANIFEST} of one){advice}"
    foreign = foreign_entries(folder)
    if foreign:
        return (f"is a comparison of this tool but also holds {named(foreign)}, which this tool did not write "
                f"there and a new comparison would delete{advice}")
    return None
