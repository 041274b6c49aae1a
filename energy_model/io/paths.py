"""Path confinement: every file a scenario makes the tool read stays inside the project folder.

The project folder is the scenario folder's parent (``scenarios/..``). A path
written in a scenario (:func:`safe_path`) and every entry of the inputs
folder (:func:`confine_tree`) is resolved, following symbolic links, before
anything is read; a path that ends outside the project is refused with an
:class:`~energy_model.errors.InputError` naming the scenario file and key,
so no message can ever quote a line of a file outside the project.
"""

from __future__ import annotations

import os
from pathlib import Path

from energy_model.errors import InputError, InputIssue

#: Most entries looked at under an inputs folder (a runaway tree is an input error, not a hang).
MAX_TREE_ENTRIES = 10_000


def safe_path(base: Path, relative: str, file: str, key: str) -> Path:
    """Resolve a path written in a scenario, confined to the project folder.

    Parameters
    ----------
    base : pathlib.Path
        Folder the path is relative to (the scenario's folder); the project
        folder is its parent.
    relative : str
        The path as written.
    file, key : str
        Scenario file name and key path, for the message.

    Returns
    -------
    pathlib.Path
        The resolved path (symbolic links followed).

    Raises
    ------
    InputError
        URLs, UNC paths, absolute paths outside the project, ``..`` escapes
        and symbolic links that lead outside it.
    """
    if "://" in relative or relative.startswith(("\\\\", "//")):
        raise InputError(InputIssue(file, key, "URLs are not allowed; give a path inside the project", value=relative))
    root = base.parent.resolve()
    try:
        target = (base / relative).resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        raise InputError(InputIssue(file, key, "path cannot be resolved (a loop of symbolic links?)",
                                    value=relative)) from None
    if not _inside(target, root):
        raise InputError(InputIssue(file, key, f"path leaves the project folder {root.name}/", value=relative))
    return target


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def confine_tree(folder: Path, base: Path, file: str, key: str, line: int | None = None) -> None:
    """Refuse an inputs folder holding a symbolic link that leads outside the project.

    Every entry under ``folder`` is looked at (links to folders are followed
    once, loops are refused), so a table such as ``technologies.csv ->
    /etc/passwd`` is refused before any file is opened.

    Parameters
    ----------
    folder : pathlib.Path
        The resolved inputs folder.
    base : pathlib.Path
        The scenario's folder; the project folder is its parent.
    file, key : str
        Scenario file name and key path (``inputs_dir``), for the message.
    line : int, optional
        Line of the key in the scenario file.

    Raises
    ------
    InputError
        One issue per escaping or unresolvable link (up to the usual cap),
        naming the link relative to the inputs folder, never the content of
        its target.
    """
    root = base.parent.resolve()
    issues: list[InputIssue] = []
    seen: set[Path] = set()
    pending = [folder]
    count = 0
    while pending:
        current = pending.pop()
        try:
            real = current.resolve(strict=True)
        except (OSError, RuntimeError):
            issues.append(_link_issue(current, folder, file, key, line, "cannot be resolved (broken link or a loop)"))
            continue
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue  # unreadable folders are reported by the readers, which name the file they need
        for entry in entries:
            count += 1
            if count > MAX_TREE_ENTRIES:
                raise InputError(InputIssue(file, key, f"the inputs folder holds more than {MAX_TREE_ENTRIES:,} "
                                            "entries; point inputs_dir at the folder of input tables", line=line))
            path = Path(entry.path)
            if entry.is_symlink():
                issue = _check_link(path, folder, root, file, key, line)
                if issue is not None:
                    issues.append(issue)
                    continue
            if entry.is_dir(follow_symlinks=True):
                pending.append(path)
    if issues:
        raise InputError(issues)


def _check_link(link: Path, folder: Path, root: Path, file: str, key: str, line: int | None) -> InputIssue | None:
    """None when ``link`` resolves inside ``root``; otherwise the issue to report."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return _link_issue(link, folder, file, key, line, "cannot be resolved (broken link or a loop)")
    if _inside(target, root):
        return None
    return _link_issue(link, folder, file, key, line, f"is a symbolic link that leads outside the project folder "
                                                f"{root.name}/; copy the file into the project instead")


def _link_issue(link: Path, folder: Path, file: str, key: str, line: int | None, what: str) -> InputIssue:
    try:
        shown = link.relative_to(folder).as_posix()
    except ValueError:
        shown = link.name
    return InputIssue(file, key, f"{shown} {what}", line=line)


def results_dir(scenario_file: Path, out: str | Path | None = None) -> Path:
    """The parent folder of run and sweep folders: ``out`` if given, else ``results/`` of the project.

    The project folder is the parent of the folder holding the scenario (or sweep) file, so
    ``scenarios/plan_year.yaml`` writes to ``results/plan_year/``.
    """
    return Path(out) if out is not None else Path(scenario_file).resolve().parent.parent / "results"
