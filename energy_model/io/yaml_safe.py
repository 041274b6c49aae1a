"""Safe, strict YAML reading with line numbers for every key.

PyYAML's safe loader still has traps for hand-edited files: duplicate keys
silently keep the last value, ``1e3`` is read as the text "1e3", ``NO`` becomes ``False``, ``012`` becomes 10
(octal), ``1:30`` becomes 90 (base 60), and nested aliases can expand into
gigabytes ("billion laughs"). This reader refuses all of them with a message
naming the line, and never constructs Python objects from tags.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from energy_model.errors import InputError, InputIssue

#: Largest scenario file accepted [bytes].
MAX_BYTES = 1_000_000
#: Largest number of nodes after alias expansion.
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists (a scenario needs four or five levels).
MAX_DEPTH = 50

_BOOL_WORDS = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_EXPONENT_TEXT = re.compile(r"^[-+]?([0-9][0-9_]*\.?[0-9_]*|\.[0-9_]+)[eE][-+]?[0-9]+$")


def _walk(node: yaml.Node, path: str, lines: dict[str, int], issues: list[InputIssue], file: str,
          budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(InputIssue(file, path, f"the document expands to more than {MAX_NODES:,} nodes "
                                                "(nested aliases?); refusing to read it"))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in seen:
                issues.append(InputIssue(file, sub, f"duplicate key (first defined on line {seen[key]})", line=line))
            seen[key] = line
            lines[sub] = line
            _walk(value_node, sub, lines, issues, file, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", lines, issues, file, budget)
    elif isinstance(node, yaml.ScalarNode) and node.style is None:
        text = str(node.value)
        line = node.start_mark.line + 1
        if node.tag == "tag:yaml.org,2002:bool" and _BOOL_WORDS.match(text):
            issues.append(InputIssue(file, path, f"YAML reads the bare word {text!r} as a true/false value; "
                                                 "write true/false, or quote it if you mean text", line=line))
        elif node.tag == "tag:yaml.org,2002:int" and _LEADING_ZERO.match(text):
            issues.append(InputIssue(file, path, "a number with a leading zero is read as octal by YAML; "
                                                 "remove the zero or quote it", value=text, line=line))
        elif node.tag == "tag:yaml.org,2002:str" and _EXPONENT_TEXT.match(text):
            issues.append(InputIssue(file, path, "YAML 1.1 reads this exponent number as text, not a number; "
                                                 "write it with a point and a signed exponent (1.0e+3) or in full "
                                                 "(1000)", value=text, line=line))
        elif node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and _SEXAGESIMAL.match(text):
            issues.append(InputIssue(file, path, "YAML reads 'a:b' numbers in base 60; quote it if you mean text",
                                     value=text, line=line))


def check_nesting(text: str, file: str) -> None:
    """Refuse a document whose mappings and lists nest deeper than :data:`MAX_DEPTH`.

    PyYAML builds nested nodes recursively (thousands of levels end in a
    RecursionError) and its scanner slows down quadratically with the nesting
    depth, so the depth is measured on the event stream, which is read
    without recursion, and reading stops at the first level too deep.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        File name used in the issue.

    Raises
    ------
    InputError
        Naming the line where the nesting exceeds the limit. Syntax errors are
        left to the caller's parser, which reports them with their line.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InputError(InputIssue(file, "", f"mappings and lists are nested more than {MAX_DEPTH} "
                                                "levels deep; refusing to read it (a scenario needs a few levels)",
                                                line=event.start_mark.line + 1))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return


def load_yaml(path: Path, display: str | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    """Read a YAML mapping safely.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    display : str, optional
        Name used in messages (default: the file name).

    Returns
    -------
    data : dict
        The document.
    lines : dict
        1-based line of every key path (``a.b.c``, ``a.list[0]``).

    Raises
    ------
    InputError
        Unreadable, too large, nested too deep, not a mapping, syntax error,
        duplicate keys, ambiguous scalars, unsafe tags or alias bombs.
    """
    file = display or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(InputIssue(file, "", f"cannot read the file: {exc.strerror or exc}")) from None
    if size > MAX_BYTES:
        raise InputError(InputIssue(file, "", f"file is {size:,} bytes; a scenario may have at most {MAX_BYTES:,}"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(InputIssue(file, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    except OSError as exc:
        raise InputError(InputIssue(file, "", f"cannot read the file: {exc.strerror or exc}")) from None
    check_nesting(text, file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(InputIssue(file, "", f"YAML syntax error: {problem}", line=line)) from None
    if node is None:
        raise InputError(InputIssue(file, "", "the file is empty; expected a mapping of scenario keys"))
    lines: dict[str, int] = {}
    issues: list[InputIssue] = []
    _walk(node, "", lines, issues, file, [MAX_NODES])
    if issues:
        raise InputError(issues)
    try:
        data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader, tags refused
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(InputIssue(file, "", f"cannot load YAML: {problem} (tags such as !!python are refused)",
                                    line=line)) from None
    if not isinstance(data, dict):
        raise InputError(InputIssue(file, "", f"expected a mapping of keys at the top level, got a {type(data).__name__}"))
    return data, lines
