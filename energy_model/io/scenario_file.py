"""Read a scenario file: safe YAML, ``base`` inheritance, schema validation.

Errors from the schema are reported all together, each with the file, line,
key path, bad value and what was expected; a misspelt key gets the closest
valid name as a suggestion.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from energy_model.errors import InputError, InputIssue
from energy_model.io import schema
from energy_model.io.yaml_safe import load_yaml

#: Deepest chain of ``base`` scenarios.
MAX_BASE_DEPTH = 8


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from."""

    scenario: schema.Scenario
    path: Path  # the scenario file
    lines: dict[str, int]  # key path -> line in the file
    raw: dict[str, Any]  # the merged document, for hashing and metadata


def _all_field_names() -> set[str]:
    out: set[str] = set()
    for obj in vars(schema).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            out |= set(obj.model_fields)
    from energy_model.io.weather_spec import WeatherSpec

    out |= set(WeatherSpec.model_fields)
    return out


def deep_merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Merge ``child`` over ``base``; mappings merge key by key, other values replace."""
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_base(path: Path, data: dict[str, Any], file: str, seen: list[Path]) -> dict[str, Any]:
    base = data.get("base")
    if base is None:
        return data
    if not isinstance(base, str) or not base:
        raise InputError(InputIssue(file, "base", "expected the file name of another scenario", value=base))
    base_path = (path.parent / base).resolve()
    if "://" in base or path.parent.parent not in base_path.parents:
        raise InputError(InputIssue(file, "base", "the base scenario must be a file inside the project folder "
                                    f"{path.parent.parent.name}/ (no URLs, no '..' escapes)", value=base))
    if base_path in seen or len(seen) > MAX_BASE_DEPTH:
        chain = " -> ".join(p.name for p in seen + [base_path])
        raise InputError(InputIssue(file, "base", f"scenarios inherit from each other in a loop: {chain}"))
    if not base_path.is_file():
        raise InputError(InputIssue(file, "base", "base scenario file not found", value=base))
    parent, _ = load_yaml(base_path)
    parent = _resolve_base(base_path, parent, base_path.name, seen + [base_path])
    merged = deep_merge(parent, {k: v for k, v in data.items() if k != "base"})
    merged.pop("name", None)
    merged["name"] = data.get("name")
    return merged


def issues_from_validation(err: ValidationError, file: str, lines: dict[str, int]) -> list[InputIssue]:
    """Translate pydantic errors into InputIssues with key paths, lines and suggestions."""
    known = _all_field_names()
    issues = []
    for e in err.errors():
        loc = [str(x) for x in e["loc"] if not str(x).startswith(("function-", "literal["))]
        key = ".".join(loc)
        line = lines.get(key)
        parent = ".".join(loc[:-1])
        if line is None:
            line = lines.get(parent)
        msg = str(e["msg"])
        value = e.get("input")
        if e["type"] == "extra_forbidden" and key == "pathway":
            msg = ("a pathway scenario (several periods): it is read as a whole by the pathway loader "
                   "(energy_model.inputs.pathway_load); 'python run.py validate' checks it")
            value = None
        elif e["type"] == "extra_forbidden":
            guess = difflib.get_close_matches(loc[-1], sorted(known), n=1)
            msg = "unknown key" + (f"; did you mean '{guess[0]}'?" if guess else "")
            value = None
        elif e["type"] == "missing":
            msg = "required key is missing"
            value = None
        elif e["type"] in ("float_parsing", "float_type", "int_parsing", "int_type") and isinstance(value, str) \
                and "," in value:
            msg += "; use a decimal point, not a comma"
        elif isinstance(value, bool) and not e["type"].startswith("bool"):
            shown = "true" if value else "false"
            msg = (f"expected a year; got {shown} (a YAML boolean); write a year such as 2017" if key == "cost_year"
                   else f"{msg}; got {shown} (a YAML boolean)")
            value = None
        elif isinstance(value, (dict, list)):
            value = None
        msg = msg.removeprefix("Value error, ")
        issues.append(InputIssue(file, key, msg, value=value, line=line))
    return issues


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML scenario (see README "Scenario format").

    Returns
    -------
    LoadedScenario

    Raises
    ------
    InputError
        Every problem found in the file, together.

    Examples
    --------
    >>> loaded = load_scenario("scenarios/example_day.yaml")  # one day of the plan year
    >>> loaded.scenario.name, loaded.scenario.horizon.hours
    ('example_day', 24)
    """
    path = Path(path)
    file = path.name
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(InputIssue(file, "", "a scenario must be a .yaml or .yml file"))
    if not path.is_file():
        raise InputError(InputIssue(str(path), "", "scenario file not found"))
    data, lines = load_yaml(path)
    merged = _resolve_base(path.resolve(), data, file, [path.resolve()])
    try:
        scen = schema.Scenario.model_validate(merged)
    except ValidationError as err:
        raise InputError(issues_from_validation(err, file, lines)) from None
    return LoadedScenario(scen, path.resolve(), lines, merged)
