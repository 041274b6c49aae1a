"""Verification of an aggregated sweep: choose variants (cheapest, most different), re-solve on the full horizon, merge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from energy_model.analysis.aggregation_check import FUEL_KEY, annual_errors, annual_floors, flagged, largest
from energy_model.errors import InputError, InputIssue
from energy_model.io.case import Case
from energy_model.io.changes import current_value
from energy_model.io.sweep_file import verify_unaggregated
from energy_model.io.sweep_spec import Cheapest, MostDifferent, SweepSpec
from energy_model.sweep.records import OPTIMAL

FULL_HORIZON: dict[str, Any] = {"aggregation.method": "none"}


def _solved(table: pd.DataFrame) -> np.ndarray:
    """Positions of the variants solved to a proven optimum with an objective."""
    if "objective_cny_per_yr" not in table.columns:
        return np.zeros(0, dtype=int)
    ok = (table["status"].astype(str) == OPTIMAL).to_numpy() & pd.to_numeric(
        table["objective_cny_per_yr"], errors="coerce").notna().to_numpy()
    return np.flatnonzero(ok)


def cheapest(table: pd.DataFrame, count: int) -> list[int]:
    """Positions of the ``count`` optimal variants with the lowest objective (ties: earlier first)."""
    ok = _solved(table)
    obj = pd.to_numeric(table["objective_cny_per_yr"], errors="coerce").to_numpy(float)[ok]
    order = np.argsort(obj, kind="stable")
    return [int(ok[i]) for i in order[:count]]


def most_different(table: pd.DataFrame, count: int) -> list[int]:
    """Positions of ``count`` optimal variants whose capacity mixes are far apart.

    Each technology's capacity is scaled to [0, 1] over the optimal variants
    (technologies that do not vary are left out); the first pick is the
    cheapest variant, and each next one is the variant farthest (Euclidean
    distance in the scaled space) from its nearest already chosen one
    (greedy farthest-point selection; ties go to the earlier variant).
    """
    ok = _solved(table)
    if not len(ok) or count < 1:
        return []
    caps = table[[c for c in table.columns if c.startswith("capacity_mw.")]].apply(
        pd.to_numeric, errors="coerce").to_numpy(float)[ok]
    span = caps.max(axis=0) - caps.min(axis=0) if caps.size else np.zeros(0)
    keep = span > 1e-9 * np.maximum(1.0, np.abs(caps).max(axis=0)) if caps.size else np.zeros(0, dtype=bool)
    x = (caps[:, keep] - caps[:, keep].min(axis=0)) / span[keep] if keep.any() else np.zeros((len(ok), 0))
    first = cheapest(table, 1)[0]
    chosen = [int(np.flatnonzero(ok == first)[0])]
    nearest = np.linalg.norm(x - x[chosen[0]], axis=1)
    while len(chosen) < min(count, len(ok)):
        nearest[chosen] = -1.0
        pick = int(np.argmax(nearest))
        chosen.append(pick)
        nearest = np.minimum(nearest, np.linalg.norm(x - x[pick], axis=1))
    return [int(ok[i]) for i in chosen]


def select_verify(verify: Any, table: pd.DataFrame, file: str = "sweep",
                  lines: Mapping[str, int] | None = None) -> list[int]:
    """Positions of the variants ``verify`` chooses (``all``, ``{cheapest: N}``, ``{most_different: N}``, a list).

    ``all``, ``cheapest`` and ``most_different`` choose among the variants
    solved to a proven optimum; a list names variants by id (``variants/<id>``)
    or by 0-based position in the sweep's order, whatever their status.

    Raises
    ------
    InputError
        A listed id that is not a variant of this sweep (key ``verify[i]``).
    """
    if verify is None:
        return []
    if verify == "all":
        return [int(i) for i in _solved(table)]
    if isinstance(verify, Cheapest):
        return cheapest(table, verify.cheapest)
    if isinstance(verify, MostDifferent):
        return most_different(table, verify.most_different)
    ids = {str(v): i for i, v in enumerate(table["variant"])}
    out: list[int] = []
    issues = []
    for k, item in enumerate(verify):
        if isinstance(item, str):
            if item not in ids:
                issues.append(InputIssue(file, f"verify[{k}]", "no variant of this sweep has this id (ids are the "
                                                              "file names in variants/ and the sweep.csv index)",
                                         value=item, line=(lines or {}).get(f"verify[{k}]")))
                continue
            pos = ids[item]
        else:
            pos = int(item)
        if pos not in out:
            out.append(pos)
    if issues:
        raise InputError(issues)
    return out


def verify_changes(spec: SweepSpec, case: Case, file: str, lines: Mapping[str, int]) -> dict[str, Any] | None:
    """The change of verification solves (:data:`FULL_HORIZON`), or None without ``verify``.

    Raises
    ------
    InputError
        ``verify`` on a scenario that is not aggregated (nothing to verify against), naming the key.
    """
    if spec.verify is None:
        return None
    try:
        method = current_value(case, "aggregation.method")
    except InputError:
        method = None
    if method in (None, "none"):
        raise InputError(verify_unaggregated(file, lines))
    return dict(FULL_HORIZON)





def annual_of_record(rec: Mapping[str, Any]) -> dict[str, float]:
    """The annual figures of a variant record, keyed as :func:`energy_model.analysis.aggregation_check.annual_quantities`.

    ``co2_production`` and ``co2_consumption`` [t/yr], ``imports`` and
    ``exports`` [MWh/yr], ``curtailment`` (the ``curtailment_mwh_per_yr.*``
    columns summed) [MWh/yr] and ``fuel.<fuel>`` [unit/yr]; a figure the
    record lacks (written by an older version) is left out.
    """
    out: dict[str, float] = {}
    for key, col in (("co2_production", "co2_production_t_per_yr"), ("co2_consumption", "co2_consumption_t_per_yr"),
                     ("imports", "imported_electricity_mwh_per_yr"), ("exports", "exported_electricity_mwh_per_yr")):
        if rec.get(col) is not None:
            out[key] = float(rec[col])
    curtailed = [float(v) for k, v in rec.items() if str(k).startswith("curtailment_mwh_per_yr.") and v is not None]
    if curtailed:
        out["curtailment"] = float(np.nansum(curtailed))
    for k, v in rec.items():
        if str(k).startswith("fuel_use_units_per_yr.") and v is not None:
            out[f"{FUEL_KEY}{str(k).removeprefix('fuel_use_units_per_yr.')}"] = float(v)
    return out


def merge_verified(table: pd.DataFrame, chosen: list[int], records: Mapping[int, Mapping[str, Any]],
                   fuel_mwh_per_unit: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Add the verification solves to the table.

    Each chosen variant's full-horizon record goes in its row under ``full.``
    (objective, capacities, costs, targets, status, ...); ``verified`` marks
    the rows. For verified variants where both solves are optimal:
    ``objective_rel_error`` = (aggregated − full) / |full| [-],
    ``capacity_max_error_mw`` = max over technologies of
    |aggregated − full| capacity [MW], and for the annual figures of
    :func:`annual_of_record` (CO2 on both ledgers, imports, exports,
    curtailed energy, every fuel's use) ``annual_rel_error.<figure>`` =
    (aggregated − full) / max(|full|, floor) [-] with the floors of
    :func:`energy_model.analysis.aggregation_check.annual_floors` (1 % of the
    variant's annual consumption for energies, the same energy in a fuel's
    units at ``fuel_mwh_per_unit`` [MWh_th/unit] for fuels, 1 % of the larger
    CO2 ledger but at least 1 t for CO2), ``annual_max_rel_error`` (the
    largest in magnitude, signed), ``annual_max_error_quantity`` (its
    figure) and ``annual_flagged`` (the figures above 3 %, largest first,
    joined by ``;``).
    """
    out = table.copy()
    out["verified"] = False
    new: dict[str, list[Any]] = {}
    for pos, rec in records.items():
        for k, v in rec.items():
            if k == "variant" or k.startswith("param."):
                continue
            new.setdefault(f"full.{k}", [None] * len(out))[pos] = v
    for c, values in new.items():
        out[c] = values
    rel = np.full(len(out), np.nan)
    cap = np.full(len(out), np.nan)
    techs = [c.removeprefix("capacity_mw.") for c in out.columns if c.startswith("capacity_mw.")]
    annual: dict[str, np.ndarray] = {}
    worst = np.full(len(out), np.nan)
    worst_key = [""] * len(out)
    over = [""] * len(out)
    for pos in chosen:
        out.loc[out.index[pos], "verified"] = pos in records
        got = records.get(pos)
        if got is None or got.get("status") != OPTIMAL or str(out["status"].iloc[pos]) != OPTIMAL:
            continue
        full = float(got["objective_cny_per_yr"])
        rel[pos] = (float(out["objective_cny_per_yr"].iloc[pos]) - full) / abs(full) if full else np.nan
        diffs = [abs(float(out[f"capacity_mw.{t}"].iloc[pos]) - float(got[f"capacity_mw.{t}"]))
                 for t in techs if f"capacity_mw.{t}" in got]
        cap[pos] = max(diffs) if diffs else np.nan
        a_q, f_q = annual_of_record(out.iloc[pos].to_dict()), annual_of_record(got)
        consumption = got.get("consumption_mwh_per_yr")
        floors = annual_floors(f_q, float(consumption) if consumption is not None else 0.0,
                               dict(fuel_mwh_per_unit or {}))
        errs = {k: e["relative_error"] for k, e in annual_errors(a_q, f_q, floors).items()}
        for k, e in errs.items():
            annual.setdefault(k, np.full(len(out), np.nan))[pos] = e
        if errs:
            worst_key[pos], worst[pos] = largest(errs)
            over[pos] = ";".join(flagged(errs))
    out["objective_rel_error"] = rel
    out["capacity_max_error_mw"] = cap
    for k, column in annual.items():
        out[f"annual_rel_error.{k}"] = column
    out["annual_max_rel_error"] = worst
    out["annual_max_error_quantity"] = worst_key
    out["annual_flagged"] = over
    return out


