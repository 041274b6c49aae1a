"""The one place where a change is applied to the inputs: validated like the files it stands for.

Every way of changing a model — a scenario's ``overrides``, its ``cost_year``,
a sweep value, a frontier level, a break-even probe, ``Study.set`` — calls
:func:`apply_changes` with ``{path: value}`` and gets a new
:class:`~energy_model.io.case.Case`. Values are checked by the same rules as
the CSV tables (:mod:`energy_model.io.tables`) and the scenario schema
(:mod:`energy_model.io.schema`): the same ranges, the same messages, and all
problems of one call reported together, each naming where the change was
written (file, key path, line).

Changeable paths (user units, as in the files):

======================================  ==============================================
``technologies.<id>.<column>``          any column of technologies.csv but the id and kind
``fuels.<id>.<column>``                 any column of fuels.csv but the id
``economics.<field>``                   discount rate, carbon price, values of lost load
``targets.<name>.level``                MW (min_capacity), fraction (min_share), t/yr (max_emissions)
``targets.<name>.mode``                 enforce | report | soft
``targets.<name>.penalty``              soft-target price (CNY/kW-yr, CNY/MWh, CNY/t)
``demand.annual_twh``                   annual electricity demand [TWh/yr]; the hourly shape is kept
``heat_demand.annual_twh``              annual heat demand [TWh_th/yr]
``solver.<field>``                      a HiGHS setting of the allowlist (e.g. ``time_limit_s``)
``aggregation.<field>``                 method (none | typical_days | segments), periods, extremes, link_storage
======================================  ==============================================
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue
from energy_model.io import tables
from energy_model.io.case import Case
from energy_model.io.schema import AggregationSpec, DemandSpec, EconomicsSpec, HeatDemandSpec, SolverSpec, TargetSpec
from energy_model.io.tables.common import FUEL_TEXT, TECHNOLOGY_TEXT

#: Sections a change path may start with.
SECTIONS = ("technologies", "fuels", "economics", "targets", "demand", "heat_demand", "solver", "aggregation")
#: Sections a scenario's ``overrides`` may change (the others have their own scenario keys).
TABLE_SECTIONS = ("technologies", "fuels")
#: Table columns that are not changeable (identity and constraint family).
FROZEN_COLUMNS = {"technologies": ("technology", "kind"), "fuels": ("fuel",)}
#: Target level field by target kind (one definition, in the vocabulary).
LEVEL_FIELD = n.LEVEL_FIELD
TARGET_FIELDS = ("level", "mode", "penalty")
#: Per million: TWh -> MWh.
MWH_PER_TWH = 1.0e6


@dataclass(frozen=True)
class Origin:
    """Where changes were written, for messages.

    Attributes
    ----------
    file : str
        File name (``plan_year.yaml``, ``sweep.yaml``) or ``"change"`` for API calls.
    prefix : str
        Key prefix of the changes in that file (``"overrides."``, ``"parameters."``).
    lines : mapping of str to int
        Line of each key path in the file, when known.
    typed : bool
        True for values a person typed (files, sweep values, ``Study.set``): they also get the
        tables' unit-slip checks ("implausible magnitude"). A search that generates values
        between valid ones (a break-even probe) sets False; hard ranges apply either way.
    """

    file: str = "change"
    prefix: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)
    typed: bool = True

    def issue(self, path: str, message: str, value: object = None) -> InputIssue:
        """An issue located at change ``path``."""
        key = f"{self.prefix}{path}"
        return InputIssue(self.file, key, message, value=value, line=self.lines.get(key))


def _hint(name: str, known: Sequence[str]) -> str:
    guess = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{guess[0]}'?" if guess else ""


def _number(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not one (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _split(path: object) -> list[str]:
    return path.split(".") if isinstance(path, str) else []


def apply_changes(case: Case, changes: Mapping[str, Any], origin: Origin | None = None, *,
                  allowed: Sequence[str] = SECTIONS) -> Case:
    """Return a new case with ``changes`` applied, validated like the input files.

    Parameters
    ----------
    case : Case
        The validated case to change (not modified).
    changes : mapping of str to value
        ``path -> value`` in user units (see the module docstring); ``None``
        empties a table cell (not applicable / unlimited).
    origin : Origin, optional
        Where the changes were written, for messages.
    allowed : sequence of str
        Sections that may be changed here.

    Returns
    -------
    Case

    Raises
    ------
    InputError
        Every problem of every change, together; nothing is applied then.
    """
    origin = origin or Origin()
    issues: list[InputIssue] = []
    by_section: dict[str, dict[str, Any]] = {}
    for path, value in changes.items():
        parts = _split(path)
        if not parts or parts[0] not in allowed:
            issues.append(origin.issue(str(path), "not a changeable path; expected one of "
                                       + ", ".join(f"{s}.…" for s in allowed)))
            continue
        by_section.setdefault(parts[0], {})[path] = value
    techs, fuels = case.technologies, case.fuels
    if "technologies" in by_section or "fuels" in by_section:
        techs, fuels = _change_tables(case, by_section.get("technologies", {}) | by_section.get("fuels", {}),
                                      origin, issues)
    economics = _change_spec(case.economics, EconomicsSpec, "economics", by_section.get("economics", {}),
                             origin, issues)
    solver = _change_spec(case.solver, SolverSpec, "solver", by_section.get("solver", {}), origin, issues)
    aggregation = _change_spec(case.aggregation, AggregationSpec, "aggregation", by_section.get("aggregation", {}),
                               origin, issues)
    targets = _change_targets(case, by_section.get("targets", {}), origin, issues)
    demand = _change_annual(case.demand_annual_mwh, DemandSpec, "demand", by_section.get("demand", {}),
                            origin, issues)
    heat = _change_annual(case.heat_annual_mwh, HeatDemandSpec, "heat_demand", by_section.get("heat_demand", {}),
                          origin, issues)
    if issues:
        raise InputError(issues)
    return case.evolve(technologies=techs, fuels=fuels, economics=economics, solver=solver, targets=targets,
                       demand_annual_mwh=demand, heat_annual_mwh=heat, aggregation=aggregation)


# --------------------------------------------------------------------------- tables
def _change_tables(case: Case, changes: Mapping[str, Any], origin: Origin,
                   issues: list[InputIssue]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = {"technologies": case.technologies.copy(), "fuels": case.fuels.copy()}
    columns = {"technologies": tables.TECHNOLOGY_COLUMNS, "fuels": tables.FUEL_COLUMNS}
    text = {"technologies": TECHNOLOGY_TEXT, "fuels": FUEL_TEXT}
    before = len(issues)
    changed: dict[tuple[str, str], list[str]] = {}
    for path, value in changes.items():
        parts = _split(path)
        if len(parts) != 3:
            issues.append(origin.issue(path, f"expected '{parts[0]}.<id>.<column>'"))
            continue
        table, row, column = parts
        frame = frames[table]
        if row not in frame.index:
            issues.append(origin.issue(path, f"no {table} row named '{row}'{_hint(row, [str(i) for i in frame.index])}"))
            continue
        changeable = [c for c in columns[table] if c not in FROZEN_COLUMNS[table]]
        if column not in changeable:
            issues.append(origin.issue(path, f"no changeable column '{column}' in {table}{_hint(column, changeable)}"))
            continue
        if column in text[table]:
            if value is not None and not isinstance(value, str):
                issues.append(origin.issue(path, "expected text", value=value))
                continue
            frame.loc[row, column] = value if value else np.nan
        else:
            number = math.nan if value is None else _number(value)
            if number is None:
                issues.append(origin.issue(path, "expected a finite number", value=value))
                continue
            frame.loc[row, column] = number
        changed.setdefault((table, row), []).append(path)
    if len(issues) > before:
        return case.technologies, case.fuels
    # The base tables passed these rules when read: checking the changed rows (and the
    # technologies burning a changed supply's carrier) is checking everything that can break.
    fuel_rows = [row for table, row in changed if table == "fuels"]
    carriers = {str(frames["fuels"].loc[f, "carrier"]) for f in fuel_rows} | {
        str(case.fuels.loc[f, "carrier"]) for f in fuel_rows}
    techs = frames["technologies"]
    tech_rows = [str(g) for g in techs.index if ("technologies", str(g)) in changed
                 or str(techs.loc[g, "fuel"]) in carriers]
    for check in (lambda: tables.validate_fuels(frames["fuels"].loc[fuel_rows], origin.file),
                  lambda: tables.validate_technologies(techs.loc[tech_rows], origin.file, frames["fuels"],
                                                      profiles=list(case.capacity_factors))):
        try:
            check()
        except InputError as err:
            found = [i for i in err.issues if origin.typed or not i.message.startswith("implausible magnitude")]
            issues.extend(_locate(found, changed, origin))
    return frames["technologies"], frames["fuels"]


def _locate(found: Sequence[InputIssue], changed: Mapping[tuple[str, str], list[str]],
            origin: Origin) -> list[InputIssue]:
    """Point table-rule issues at the change that caused them.

    The table validators name cells as ``technologies.csv:<id>.<column>``; an
    issue on a changed cell is reported at that change's key, an issue on
    another cell of a changed row at the row's first change (naming the cell).
    """
    out = []
    for issue in found:
        cell = issue.key_path.split(":", 1)[-1]
        table = "fuels" if issue.key_path.startswith("fuels.csv") else "technologies"
        row, _, column = cell.partition(".")
        path = f"{table}.{row}.{column}"
        paths = changed.get((table, row), [])
        if path in paths:
            out.append(origin.issue(path, issue.message, issue.value))
        elif paths:
            out.append(origin.issue(paths[0], f"{path}: {issue.message}", issue.value))
        else:
            out.append(InputIssue(origin.file, f"{path}", issue.message, issue.value))
    return out


# --------------------------------------------------------------------------- specs
def _pydantic_issues(err: ValidationError, section: str, changes: Mapping[str, Any], origin: Origin,
                     known: Sequence[str]) -> list[InputIssue]:
    out = []
    for e in err.errors():
        loc = [str(x) for x in e["loc"] if not str(x).startswith(("function-", "literal["))]
        path = f"{section}.{'.'.join(loc)}" if loc else next(iter(changes))
        if path not in changes:
            path = next(iter(changes))
        msg = str(e["msg"]).removeprefix("Value error, ")
        value = e.get("input") if not isinstance(e.get("input"), (dict, list)) else changes.get(path)
        out.append(origin.issue(path, msg, value))
    return out


def _change_spec(spec: BaseModel, model: type[BaseModel], section: str, changes: Mapping[str, Any],
                 origin: Origin, issues: list[InputIssue]) -> Any:
    if not changes:
        return spec
    known = list(model.model_fields)
    data = spec.model_dump()
    ok = True
    for path, value in changes.items():
        parts = _split(path)
        if len(parts) != 2 or parts[1] not in known:
            name = parts[1] if len(parts) > 1 else ""
            issues.append(origin.issue(path, f"not a changeable {section} setting{_hint(name, known)}; "
                                       f"expected one of: {', '.join(known)}"))
            ok = False
            continue
        current = data[parts[1]]
        if isinstance(current, float) and _number(value) is None:
            issues.append(origin.issue(path, "expected a finite number", value=value))
            ok = False
            continue
        data[parts[1]] = value
    if not ok:
        return spec
    try:
        return model.model_validate(data)
    except ValidationError as err:
        issues.extend(_pydantic_issues(err, section, changes, origin, known))
        return spec


def _change_targets(case: Case, changes: Mapping[str, Any], origin: Origin,
                    issues: list[InputIssue]) -> Mapping[str, TargetSpec]:
    if not changes:
        return case.targets
    per_target: dict[str, dict[str, Any]] = {}
    paths: dict[str, dict[str, str]] = {}
    for path, value in changes.items():
        parts = _split(path)
        if len(parts) != 3 or parts[1] not in case.targets or parts[2] not in TARGET_FIELDS:
            name = parts[1] if len(parts) > 1 else ""
            what = (f"no target named '{name}'{_hint(name, list(case.targets))}" if name not in case.targets
                    else f"expected targets.{name}.level|mode|penalty")
            issues.append(origin.issue(path, what))
            continue
        per_target.setdefault(parts[1], {})[parts[2]] = value
        paths.setdefault(parts[1], {})[parts[2]] = path
    out = dict(case.targets)
    for name, fields in per_target.items():
        spec = case.targets[name]
        data = spec.model_dump()
        bad = False
        for what, value in fields.items():
            if what == "mode":
                data["mode"] = value
            elif _number(value) is None:
                issues.append(origin.issue(paths[name][what], "expected a finite number", value=value))
                bad = True
            else:
                data[LEVEL_FIELD[spec.kind] if what == "level" else "penalty"] = float(value)
        if bad:
            continue
        if data.get("mode") != "soft" and "penalty" not in fields:
            data["penalty"] = None  # a penalty only applies to soft targets
        try:
            out[name] = TargetSpec.model_validate(data)
        except ValidationError as err:
            for e in err.errors():
                loc = [str(x) for x in e["loc"] if not str(x).startswith(("function-", "literal["))]
                what = {"value_mw": "level", "share": "level", "value_t": "level"}.get(loc[0] if loc else "",
                                                                                     loc[0] if loc else "")
                path = paths[name].get(what) or next(iter(paths[name].values()))
                issues.append(origin.issue(path, str(e["msg"]).removeprefix("Value error, "), fields.get(what)))
    return out


def _change_annual(current_mwh: float, model: type[BaseModel], section: str, changes: Mapping[str, Any],
                   origin: Origin, issues: list[InputIssue]) -> float:
    if not changes:
        return current_mwh
    out = current_mwh
    for path, value in changes.items():
        if path != f"{section}.annual_twh":
            issues.append(origin.issue(path, f"expected {section}.annual_twh"))
            continue
        if _number(value) is None:
            issues.append(origin.issue(path, "expected a finite number", value=value))
            continue
        try:
            model.model_validate({"annual_twh": float(value)})
        except ValidationError as err:
            issues.extend(_pydantic_issues(err, section, changes, origin, ["annual_twh"]))
            continue
        out = float(value) * MWH_PER_TWH
    return out


# --------------------------------------------------------------------------- reading
def reference_changes(targets: Iterable[str], keep: Mapping[str, str] | None = None) -> dict[str, str]:
    """The changes that make the named targets only reported: the reference case (the one place it is written).

    Parameters
    ----------
    targets : iterable of str
        Target names whose mode becomes ``report``.
    keep : mapping of str to str, optional
        Targets among them that keep the mode given here instead (a target costed alone).

    Returns
    -------
    dict of str to str
        ``targets.<name>.mode`` -> mode, for :func:`apply_changes` or ``Study.changed``.
    """
    keep = keep or {}
    return {f"targets.{k}.mode": keep.get(k, n.REPORT) for k in targets}


def current_value(case: Case, path: str, origin: Origin | None = None) -> Any:
    """The value of a changeable path in ``case`` (user units; NaN for an empty cell).

    Raises
    ------
    InputError
        If ``path`` names nothing that :func:`apply_changes` can change.
    """
    origin = origin or Origin()
    parts = _split(path)
    try:
        if parts[0] in TABLE_SECTIONS and len(parts) == 3:
            frame = case.technologies if parts[0] == "technologies" else case.fuels
            value = frame.loc[parts[1], parts[2]]
            return float(value) if isinstance(value, (int, float, np.floating)) else value
        if parts[0] in ("economics", "solver", "aggregation") and len(parts) == 2:
            spec = {"economics": case.economics, "solver": case.solver, "aggregation": case.aggregation}[parts[0]]
            return getattr(spec, parts[1])
        if parts[0] == "targets" and len(parts) == 3 and parts[2] in TARGET_FIELDS:
            spec = case.targets[parts[1]]
            return {"level": spec.level, "mode": spec.mode, "penalty": spec.penalty}[parts[2]]
        if parts == ["demand", "annual_twh"]:
            return case.demand_annual_mwh / MWH_PER_TWH
        if parts == ["heat_demand", "annual_twh"]:
            return case.heat_annual_mwh / MWH_PER_TWH
    except (KeyError, IndexError, AttributeError):
        pass
    raise InputError(origin.issue(path, "not a changeable path; see energy_model.io.changes for the list"))
