"""Read a sweep file once: its schema's problems at their keys and lines, the scenario it names, read once too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from energy_model.errors import InputError, InputIssue
from energy_model.io.paths import safe_path
from energy_model.io.pathway_file import PathwayFile, is_pathway_file, read_pathway_file
from energy_model.io.scenario_file import LoadedScenario, issues_from_validation, load_scenario
from energy_model.io.sweep_spec import TAGS, SweepSpec
from energy_model.io.yaml_safe import load_yaml


def spec_issues(err: ValidationError, file: str, lines: Mapping[str, int]) -> list[InputIssue]:
    """A sweep file's validation errors as InputIssues at their keys (``parameters.<path>``, ``paired[0][1]``)."""
    issues = issues_from_validation(err, file, dict(lines))
    out = []
    for issue, e in zip(issues, err.errors()):
        tag_at = {"parameters": 2, "verify": 1}.get(str(e["loc"][0]) if e["loc"] else "")
        loc = [x for i, x in enumerate(e["loc"]) if not (i == tag_at and x in TAGS)]
        loc = [x for x in loc if not str(x).startswith(("function-", "literal["))]
        key = _key(loc)
        line = None
        for k in range(len(loc), 0, -1):
            line = lines.get(_key(loc[:k]))
            if line is not None:
                break
        value = issue.value
        message = issue.message
        if e["type"] == "sweep_file" and not isinstance(e.get("input"), (dict, list)):
            value = e.get("input")
        if key == "name" and (e["type"] == "missing" or e.get("input") is None):
            message, value = "missing; give the sweep a lower-case id (letters, digits and _, e.g. offshore_capex)", None
        elif key == "name" and e["type"] == "string_pattern_mismatch":
            message = "expected a lower-case id: a letter, then letters, digits and _ (e.g. offshore_capex)"
        out.append(InputIssue(file, key, message, value=value, line=line))
    return out


def _key(loc: list[Any]) -> str:
    """``["paired", 0, 1]`` -> ``paired[0][1]``; ``["parameters", "a.b"]`` -> ``parameters.a.b``."""
    text = ""
    for x in loc:
        text += f"[{x}]" if isinstance(x, int) else (f".{x}" if text else str(x))
    return text


def is_sweep_file(data: Any) -> bool:
    """Whether a YAML document is a sweep file (it has ``parameters`` or ``scenario``; a scenario has neither)."""
    return isinstance(data, dict) and bool({"parameters", "scenario"} & set(data))


@dataclass(frozen=True)
class SweepFile:
    """A sweep file read and validated once (:func:`load_sweep`).

    Attributes
    ----------
    spec : SweepSpec
    path : pathlib.Path
        The sweep file.
    scenario : pathlib.Path
        The scenario file it names.
    lines : mapping of str to int
        Line of each key of the sweep file (for messages).
    loaded : LoadedScenario
        The scenario file, read and validated (a pathway: its first period).
    pathway : PathwayFile or None
        The pathway file, when the scenario is one (each variant is solved as a pathway).
    """

    spec: SweepSpec
    path: Path
    scenario: Path
    lines: Mapping[str, int]
    loaded: LoadedScenario
    pathway: PathwayFile | None = None

    @property
    def file(self) -> str:
        """The sweep file's name, for messages."""
        return self.path.name


def load_sweep(path: str | Path) -> SweepFile:
    """Read and validate a sweep file and the scenario it names, each once.

    Raises
    ------
    InputError
        Every problem of the file together: its keys and values, a scenario
        that is missing or invalid, and ``verify`` on a scenario that is not
        aggregated, and ``verify`` on a pathway.
    """
    path = Path(path)
    data, lines = load_yaml(path)
    issues: list[InputIssue] = []
    spec: SweepSpec | None = None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        issues += spec_issues(err, path.name, lines)
    raw = data if isinstance(data, dict) else {}
    given = spec.scenario if spec is not None else raw.get("scenario")
    scenario: Path | None = None
    if isinstance(given, str):
        try:
            scenario = safe_path(path.parent, given, path.name, "scenario")
        except InputError as err:
            issues += err.issues
        if scenario is not None and not scenario.is_file():
            issues.append(InputIssue(path.name, "scenario", "scenario file not found", value=given,
                                     line=lines.get("scenario")))
            scenario = None
    loaded: LoadedScenario | None = None
    pathway: PathwayFile | None = None
    if scenario is not None:
        try:
            if is_pathway_file(load_yaml(scenario)[0]):
                pathway = read_pathway_file(scenario)
                loaded = pathway.periods[0]
            else:
                loaded = load_scenario(scenario)
        except InputError as err:
            if raw.get("verify") is not None or not issues and spec is not None:
                issues += err.issues
            else:
                raise InputError(issues or err.issues) from None
        else:
            if raw.get("verify") is not None and pathway is not None:
                issues.append(verify_pathway(path.name, lines))
            elif raw.get("verify") is not None and loaded.scenario.aggregation.method == "none":
                issues.append(verify_unaggregated(path.name, lines))
    if issues or spec is None or scenario is None or loaded is None:
        raise InputError(issues)
    return SweepFile(spec, path, scenario, lines, loaded, pathway)


def verify_unaggregated(file: str, lines: Mapping[str, int]) -> InputIssue:
    """The problem of ``verify`` in a sweep of a scenario that is not aggregated."""
    return InputIssue(file, "verify", "verify re-solves variants on the full horizon to check an aggregated "
                                      "(representative periods) solve, but this scenario is not aggregated "
                                      "(aggregation.method is none); remove verify or aggregate the scenario",
                      line=lines.get("verify"))



def verify_pathway(file: str, lines: Mapping[str, int]) -> InputIssue:
    """The problem of ``verify`` in a sweep of a pathway scenario."""
    return InputIssue(file, "verify", "verify re-solves variants of a single-year scenario on its full year; a "
                                      "pathway sweep solves every variant as a whole pathway and has no full-year "
                                      "solve to compare with: remove verify (python run.py run PATHWAY.yaml "
                                      "--check-period YEAR checks one period on its full year)",
                      line=lines.get("verify"))
