"""Read a pathway scenario file: a plain scenario plus a ``pathway:`` block, split into one scenario per period.

Each period's scenario is the file's scenario (after ``base`` inheritance)
with ``cost_year`` and ``build_year`` set to the period's year, then the
period's ``periods_changes`` merged over it (a period's ``targets`` replace the
scenario's). Every period is validated by the plain scenario schema; a problem
in a period's changes is named ``pathway.periods_changes.<year>.<key>``. All
problems of the file are reported together. The Cases are built from these
scenarios by :mod:`energy_model.inputs.pathway_load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from energy_model.errors import InputError, InputIssue
from energy_model.io import schema
from energy_model.io.pathway_spec import FORESIGHT
from energy_model.io.scenario_file import LoadedScenario, _resolve_base, deep_merge, issues_from_validation
from energy_model.io.yaml_safe import load_yaml

#: Key of the pathway block in a scenario file.
PATHWAY_KEY = "pathway"
#: Time aggregation of a pathway that writes none: 16 typical days + the peak-demand and least-wind days.
DEFAULT_AGGREGATION: dict[str, object] = {"method": "typical_days", "periods": 16,
                                          "extremes": ["peak_demand", "min_wind_day"], "link_storage": True}

assert set(FORESIGHT) == set(schema.PathwaySpec.model_fields["foresight"].annotation.__args__)  # type: ignore[union-attr]


@dataclass(frozen=True)
class PathwayFile:
    """A validated pathway file, split into periods.

    Attributes
    ----------
    spec : PathwaySpec
        The validated ``pathway:`` block.
    periods : tuple of LoadedScenario
        One validated plain scenario per period, in period order.
    years : tuple of int
        Calendar years each period represents [yr] (defaults filled in).
    path : pathlib.Path
        The pathway file.
    lines : dict
        Key path -> line in the file.
    raw : dict
        The merged document (after ``base``), for hashing and metadata.
    """

    spec: schema.PathwaySpec
    periods: tuple[LoadedScenario, ...]
    years: tuple[int, ...]
    path: Path
    lines: dict[str, int]
    raw: dict[str, Any]


def is_pathway_file(data: Mapping[str, Any]) -> bool:
    """Whether a loaded YAML document is a pathway scenario (has a ``pathway:`` block)."""
    return isinstance(data, Mapping) and PATHWAY_KEY in data


def default_years(periods: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """Years each period represents: the gap to the next period, the last the previous gap (one period: 1).

    Examples
    --------
    >>> default_years([2020, 2025, 2035])
    (5, 10, 10)
    """
    gaps = [b - a for a, b in zip(periods, periods[1:])]
    return tuple(gaps + [gaps[-1] if gaps else 1])


def read_pathway_file(path: str | Path) -> PathwayFile:
    """Read and validate a pathway scenario file.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML scenario with a ``pathway:`` block.

    Returns
    -------
    PathwayFile

    Raises
    ------
    InputError
        Every problem of the file, together, each with its key path.
    """
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise InputError(InputIssue(str(path), "", "pathway file not found"))
    data, lines = load_yaml(path)
    merged = _resolve_base(path.resolve(), data, file, [path.resolve()])
    block = merged.get(PATHWAY_KEY)
    if not isinstance(block, dict):
        raise InputError(InputIssue(file, PATHWAY_KEY, "expected a mapping with periods, fleet_year, ...",
                                    line=lines.get(PATHWAY_KEY)))
    spec: schema.PathwaySpec | None = None
    try:
        spec = schema.PathwaySpec.model_validate(block)
    except ValidationError as err:
        found = issues_from_validation(err, file, {k.removeprefix(PATHWAY_KEY + "."): v for k, v in lines.items()})
        issues = [InputIssue(i.file, f"{PATHWAY_KEY}.{i.key_path}", i.message, i.value,
                             lines.get(f"{PATHWAY_KEY}.{i.key_path}", i.line)) for i in found]
    else:
        issues = _cross_checks(spec, file, lines)
    raw_periods = block.get("periods")
    periods = (list(spec.periods) if spec is not None else
               [y for y in raw_periods if isinstance(y, int)] if isinstance(raw_periods, list) else [])
    given = block.get("periods_changes")
    raw_changes: dict[Any, Any] = given if isinstance(given, dict) else {}
    plain = {k: v for k, v in merged.items() if k != PATHWAY_KEY}
    if "aggregation" not in plain:
        plain["aggregation"] = dict(DEFAULT_AGGREGATION)
    loaded: list[LoadedScenario] = []
    seen: set[tuple[str, str]] = set()
    for year in periods:
        one = raw_changes.get(year)
        changes = dict(one) if isinstance(one, dict) else {}
        doc = period_document(plain, year, changes)
        period_lines = period_lines_of(lines, year)
        try:
            scen = schema.Scenario.model_validate(doc)
        except ValidationError as err:
            for i in issues_from_validation(err, file, period_lines):
                key, message = period_key(i.key_path, i.message, year, set(changes))
                if (key, message) not in seen:
                    seen.add((key, message))
                    issues.append(InputIssue(file, key, message, i.value, lines.get(key, i.line)))
            continue
        loaded.append(LoadedScenario(scen, path.resolve(), period_lines, doc))
    if issues or spec is None:
        raise InputError(issues)
    years = tuple(spec.years) if spec.years is not None else default_years(spec.periods)
    return PathwayFile(spec, tuple(loaded), years, path.resolve(), lines, merged)


def period_document(plain: Mapping[str, Any], year: int, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The plain scenario document of one period: cost and build year = ``year``, then ``changes``."""
    doc = deep_merge(dict(plain), {"cost_year": year, "build_year": year})
    if "targets" in changes:
        doc.pop("targets", None)  # a period's targets replace the scenario's
    doc = deep_merge(doc, dict(changes))
    doc["name"] = f"{plain.get('name')}_{year}" if plain.get("name") else plain.get("name")
    return doc


def period_lines_of(lines: Mapping[str, int], year: int) -> dict[str, int]:
    """Line of each plain key path of one period: its ``periods_changes`` line when written there."""
    prefix = f"{PATHWAY_KEY}.periods_changes.{year}."
    out = {k: v for k, v in lines.items() if not k.startswith(PATHWAY_KEY)}
    out.update({k.removeprefix(prefix): v for k, v in lines.items() if k.startswith(prefix)})
    return out


def period_key(key: str, message: str, year: int, written: set[str]) -> tuple[str, str]:
    """Where a problem of one period's plain scenario lies in the pathway file, and its message.

    A key the period's ``periods_changes`` write is named under them; the cost
    or build year the period sets by default is named at ``pathway.periods``;
    any other key is the scenario's own.

    Examples
    --------
    >>> period_key("demand.annual_twh", "bad", 2025, {"demand"})
    ('pathway.periods_changes.2025.demand.annual_twh', 'bad')
    >>> period_key("cost_year", "too late", 2055, set())
    ('pathway.periods', 'period 2055 as cost_year: too late')
    """
    head = key.split(".")[0].split("[")[0]
    if head in written:
        return f"{PATHWAY_KEY}.periods_changes.{year}.{key}", message
    if head in ("cost_year", "build_year"):
        return f"{PATHWAY_KEY}.periods", f"period {year} as {key}: {message}"
    return key, message


def _cross_checks(spec: schema.PathwaySpec, file: str, lines: Mapping[str, int]) -> list[InputIssue]:
    """Checks between the pathway's fields, each at its key path."""
    issues = []

    def add(key: str, message: str, value: object = None) -> None:
        full = f"{PATHWAY_KEY}.{key}"
        issues.append(InputIssue(file, full, message, value, lines.get(full)))

    if spec.years is not None and len(spec.years) != len(spec.periods):
        add("years", f"expected one entry per period ({len(spec.periods)}); got {len(spec.years)}")
    if spec.fleet_year > spec.periods[0]:
        add("fleet_year", f"the starting fleet must not be after the first period {spec.periods[0]}",
            spec.fleet_year)
    for year in spec.periods_changes:
        if year not in spec.periods:
            add(f"periods_changes.{year}", f"not a period; periods: {', '.join(map(str, spec.periods))}", year)
    return issues
