"""Gather a pathway scenario into a :class:`~energy_model.io.pathway_spec.Pathway`: one validated Case per period.

Each period's Case comes from the one loader of plain scenarios
(:func:`energy_model.inputs.load.load_case`) on the period's scenario (cost and
build year = the period, then its ``periods_changes``). Its ``existing_mw`` /
``existing_mwh`` are then set, through the change path, to the starting fleet
of ``inputs/fleet.csv`` still in service in that period (every technology
without a unit in service gets 0, except those without a capital cost, which
the model cannot build: the grid links keep the build year's capacity, a
limit of the period rather than a plant); its build limits (``max_mw``, ``min_mw``:
total capacity) stay those of the build year. Committed units after the
starting fleet become forced builds in the first period at or after their
commissioning year. Changes to a loaded pathway go through
:func:`apply_pathway_changes`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue
from energy_model.inputs.load import TECHNOLOGIES, load_case
from energy_model.io import tables
from energy_model.io.case import Case
from energy_model.io.changes import SECTIONS, Origin, apply_changes, reference_changes
from energy_model.io.fleet import in_service, read_fleet
from energy_model.io.paths import safe_path
from energy_model.io.pathway_file import PATHWAY_KEY, PathwayFile, period_key, read_pathway_file
from energy_model.io.pathway_spec import Pathway

#: The fleet table in the inputs folder.
FLEET = "fleet.csv"
#: Key prefix of a change to one period (``periods.<year>.<plain path>``).
PERIOD_PREFIX = "periods"


def load_pathway(path: str | Path) -> Pathway:
    """Read and validate a pathway scenario into a :class:`Pathway`.

    Parameters
    ----------
    path : str or pathlib.Path
        A scenario file with a ``pathway:`` block (README "Pathways").

    Returns
    -------
    Pathway
        One Case per period (existing capacity = the starting fleet in
        service), the years and foresight of the file, the discount rate
        (``pathway.discount_rate``, else the first period's
        ``economics.discount_rate``), new capacity's lifetime per technology
        [yr] (``lifetime_yr``; infinite where empty) and the committed builds.

    Raises
    ------
    InputError
        Every problem of the file and its periods, together.
    """
    return pathway_from_file(read_pathway_file(path))


def pathway_from_file(pf: PathwayFile) -> Pathway:
    """The :class:`Pathway` of an already read pathway file (see :func:`load_pathway`)."""
    spec = pf.spec
    file = pf.path.name
    scen = pf.periods[0].scenario
    cases: list[Case] = []
    issues: list[InputIssue] = []
    fleet, chosen = _read_fleet(pf, issues)  # its problems are reported with those of the periods
    for year, loaded in zip(spec.periods, pf.periods):
        try:
            cases.append(load_case(loaded))
        except InputError as err:
            prefix = f"{PATHWAY_KEY}.periods_changes.{year}."
            written = {k.removeprefix(prefix).split(".")[0] for k in pf.lines if k.startswith(prefix)}
            for i in err.issues:
                if i.file != file:  # a table's problem: its own file and line
                    key, message, line = i.key_path, i.message, i.line
                else:
                    key, message = period_key(i.key_path, i.message, year, written)
                    line = pf.lines.get(key, i.line)
                if all((key, message) != (j.key_path, j.message) for j in issues):
                    issues.append(InputIssue(i.file, key, message, i.value, line))
    if issues or fleet is None or chosen is None:
        raise InputError(issues)
    committed_mw, committed_mwh, beyond = _committed(chosen, spec.periods, cases[0])
    cases = [_with_fleet(case, fleet, spec.fleet_year, year, committed_mw) for case, year in zip(cases, spec.periods)]
    lifetime = {str(g): (float(v) if pd.notna(v) else math.inf)
                for g, v in cases[0].technologies["lifetime_yr"].items()}
    rate = spec.discount_rate if spec.discount_rate is not None else cases[0].economics.discount_rate
    attrs: dict[str, object] = {
        "scenario": str(pf.raw.get("name") or scen.name), "title": scen.title, "title_zh": scen.title_zh, "description": scen.description,
        "description_zh": scen.description_zh, "fleet_year": spec.fleet_year, "fleet_file": FLEET,
        "commitments": ",".join(chosen["unit"]), "commitments_not_counted": ",".join(beyond),
        "discount_rate_from": "pathway" if spec.discount_rate is not None else "economics",
        "input_hashes": ",".join(str(c.attrs.get("input_hash", ""))[:12] for c in cases),
        "inputs_dir": str(safe_path(pf.path.parent, scen.inputs_dir, file, "inputs_dir")),
    }
    return Pathway(tuple(spec.periods), pf.years, spec.foresight, float(rate), tuple(cases), lifetime,
                   committed_mw, committed_mwh, file, attrs)


def _read_fleet(pf: PathwayFile, issues: list[InputIssue]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The fleet table and the committed units chosen, or None with the problems added to ``issues``."""
    scen = pf.periods[0].scenario
    file = pf.path.name
    try:
        inputs_dir = safe_path(pf.path.parent, scen.inputs_dir, file, "inputs_dir")
        try:
            known: list[str] | None = [*tables.read_technologies(inputs_dir / TECHNOLOGIES).index,
                                       *scen.exclude_technologies]
        except InputError:
            known = None  # the periods' loader reports the technology table's problems
        fleet = read_fleet(inputs_dir / FLEET, technologies=known)
        return fleet, _commitments(fleet, pf.spec.commitments, pf.spec.fleet_year, file, pf.lines)
    except InputError as err:
        issues.extend(err.issues)
        return None, None


def _commitments(fleet: pd.DataFrame, names: list[str] | None, fleet_year: int, file: str,
                 lines: Mapping[str, int]) -> pd.DataFrame:
    """Committed units: those named, or every non-option unit commissioned after ``fleet_year``."""
    later = fleet[fleet["commissioned"] > fleet_year]
    if names is None:
        return later[later["option"] == ""]
    issues = []
    for i, name in enumerate(names):
        if name in set(later["unit"]):
            continue
        key = f"{PATHWAY_KEY}.commitments[{i}]"
        if name in set(fleet["unit"]):
            msg = f"unit '{name}' is commissioned in or before fleet_year {fleet_year}: it is part of the starting fleet"
        else:
            guess = difflib.get_close_matches(name, sorted(later["unit"]), n=1)
            msg = (f"no committed unit of that name in {FLEET}" + (f"; did you mean '{guess[0]}'?" if guess else "")
                   + f" Committed units: {', '.join(later['unit']) or 'none'}")
        issues.append(InputIssue(file, key, msg, value=name, line=lines.get(key)))
    if issues:
        raise InputError(issues)
    return later[later["unit"].isin(names)]


def _with_fleet(case: Case, fleet: pd.DataFrame, fleet_year: int, year: int,
                committed_mw: Mapping[tuple[str, int], float] | None = None) -> Case:
    """``case`` with existing capacity = the starting fleet in service in ``year``, through the change path.

    A technology the build year leaves no room to expand (``max_mw <= existing_mw``: units that
    exist but may not be built anew, such as the old coal fleet or coal under a construction ban)
    is capped at what the pathway has of it in ``year``: the starting fleet in service plus the
    committed builds of this and earlier periods [MW]. Without the cap, a retired unit could be
    rebuilt at its capital cost, which no plan allows.
    """
    alive = in_service(fleet, fleet_year, year)
    mw = alive.groupby("technology")["mw"].sum()
    mwh = alive.groupby("technology")["mwh"].sum()
    techs = case.technologies
    changes: dict[str, Any] = {}
    for g in techs.index:
        if pd.isna(techs.loc[g, "capex_cny_per_kw"]) and g not in mw.index:
            continue  # not buildable (the grid links): a limit of the period, as its build year says
        changes[f"technologies.{g}.existing_mw"] = float(mw.get(g, 0.0))
        hi, now = techs.loc[g, "max_mw"], techs.loc[g, "existing_mw"]
        if pd.notna(hi) and pd.notna(now) and float(hi) <= float(now):
            committed = sum(v for (t, y), v in (committed_mw or {}).items() if t == g and y <= year)
            changes[f"technologies.{g}.max_mw"] = float(mw.get(g, 0.0)) + committed
        if str(techs.loc[g, "kind"]) == n.STORAGE:
            changes[f"technologies.{g}.existing_mwh"] = float(mwh.get(g, 0.0))
    changed = apply_changes(case, changes, Origin(f"{FLEET} (in service in {year})"))
    return changed.evolve(attrs=dict(changed.attrs) | {"pathway_period": year, "fleet_units": ",".join(alive["unit"])})


def _committed(chosen: pd.DataFrame, periods: list[int], case: Case) -> tuple[
        dict[tuple[str, int], float], dict[tuple[str, int], float], list[str]]:
    """Committed power [MW] and energy [MWh] by (technology, first period at or after commissioning)."""
    mw: dict[tuple[str, int], float] = {}
    mwh: dict[tuple[str, int], float] = {}
    beyond: list[str] = []
    for r in chosen.itertuples(index=False):
        period = next((p for p in periods if p >= int(r.commissioned)), None)
        if period is None or str(r.technology) not in case.technologies.index:
            beyond.append(str(r.unit))
            continue
        key = (str(r.technology), period)
        mw[key] = mw.get(key, 0.0) + float(r.mw)
        if float(r.mwh) > 0:
            mwh[key] = mwh.get(key, 0.0) + float(r.mwh)
    return mw, mwh, beyond


def apply_pathway_changes(pathway_source: Pathway | str | Path, changes: Mapping[str, Any],
                          origin: Origin | None = None) -> Pathway:
    """Return a pathway with ``changes`` applied, validated like the input files.

    Parameters
    ----------
    pathway_source : Pathway, str or pathlib.Path
        A loaded pathway or a pathway scenario file.
    changes : mapping of str to value
        ``path -> value``: a plain change path (see
        :mod:`energy_model.io.changes`) applies to every period;
        ``periods.<year>.<plain path>`` to that period only.
    origin : Origin, optional
        Where the changes were written, for messages.

    Returns
    -------
    Pathway

    Raises
    ------
    InputError
        Every problem of every change (an unknown period year included), together.
    """
    pathway = pathway_source if isinstance(pathway_source, Pathway) else load_pathway(pathway_source)
    origin = origin or Origin()
    per: dict[int, dict[str, Any]] = {p: {} for p in pathway.periods}
    issues: list[InputIssue] = []
    for path, value in changes.items():
        parts = str(path).split(".", 2)
        if parts[0] != PERIOD_PREFIX:
            for p in per:
                per[p][str(path)] = value
            continue
        year = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
        if year not in per:
            issues.append(origin.issue(str(path), "expected periods.<year>.<path> with a period year of "
                                       f"{', '.join(map(str, pathway.periods))}", value=parts[1] if len(parts) > 1
                                       else None))
            continue
        assert year is not None
        per[year][parts[2]] = value
    cases: list[Case] = []
    for p, case in zip(pathway.periods, pathway.cases):
        try:
            cases.append(apply_changes(case, per[p], origin, allowed=SECTIONS) if per[p] else case)
        except InputError as err:
            for i in err.issues:
                key = i.key_path if i.key_path.removeprefix(origin.prefix) in changes else \
                    f"{origin.prefix}{PERIOD_PREFIX}.{p}.{i.key_path.removeprefix(origin.prefix)}"
                if all((key, i.message) != (j.key_path, j.message) for j in issues):
                    issues.append(InputIssue(i.file, key, i.message, i.value, i.line))
    if issues:
        raise InputError(issues)
    rate = pathway.discount_rate
    if pathway.attrs.get("discount_rate_from") == "economics" and "economics.discount_rate" in changes:
        rate = cases[0].economics.discount_rate
    return Pathway(pathway.periods, pathway.years, pathway.foresight, rate, tuple(cases), pathway.lifetime,
                   pathway.committed_mw, pathway.committed_mwh, pathway.file, pathway.attrs)


def without_targets(pathway: Pathway) -> Pathway | None:
    """The same pathway with every enforced or soft target only reported (None: nothing to relax)."""
    changes = {f"{PERIOD_PREFIX}.{year}.{key}": mode
               for year, case in zip(pathway.periods, pathway.cases)
               for key, mode in reference_changes(k for k, t in case.targets.items() if t.mode != n.REPORT).items()}
    return apply_pathway_changes(pathway, changes) if changes else None
