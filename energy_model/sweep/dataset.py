"""sweep.nc: the sweep table as arrays over its design (grid dimensions or ``variant``), with units."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.io.sweep_spec import SweepSpec
from energy_model.sweep.design import Expansion

VECTOR_DIMS = {"capacity_mw": n.TECH, "cost_cny_per_yr": "component", "target_value": n.TARGET,
               "target_shadow_price": n.TARGET, "fuel_use_units_per_yr": n.FUEL,
               "generation_mwh_per_yr": n.TECH, "curtailment_mwh_per_yr": n.TECH, "annual_rel_error": "quantity",
               "new_build_mw": n.TECH, "new_build_mwh": n.TECH}
#: Units of the sweep's one-number columns ("-": a count or a text).
SCALAR_UNITS = {"objective_cny_per_yr": "CNY/yr", "co2_t_per_yr": "t/yr", "imported_electricity_mwh_per_yr": "MWh/yr",
                "imported_co2_t_per_yr": "t/yr", "exported_electricity_mwh_per_yr": "MWh/yr",
                "co2_production_t_per_yr": "t/yr", "co2_consumption_t_per_yr": "t/yr", "new_energy_share": "-",
                "consumption_mwh_per_yr": "MWh/yr",
                "present_value_cny": "CNY", "objective_cny": "CNY", "annual_cost_cny_per_yr": "CNY/yr",
                "solve_s": "s", "method": "-", "iterations": "-", "status": "-",
                "message": "-"}
#: Units of target values and shadow prices by target kind.
TARGET_UNITS = {kind: (n.LEVEL_UNIT[family], n.PRICE_UNIT[family]) for kind, family in n.TARGET_FAMILY.items()}
#: Prefixes of the columns of other solves of a variant: without targets, and the full-horizon verification.
PREFIXES = ("reference.", "full.")
#: Columns the verification adds (besides ``full.*``) and their units.
VERIFY_UNITS = {"verified": "-", "objective_rel_error": "-", "capacity_max_error_mw": "MW",
                "annual_max_rel_error": "-", "annual_max_error_quantity": "-", "annual_flagged": "-"}
#: Path endings and their units, for the parameter coordinates (longest first).
_PATH_UNITS = (("_cny_per_kw_yr", "CNY/kW/yr"), ("_cny_per_kwh", "CNY/kWh"), ("_cny_per_kw", "CNY/kW"),
               ("_cny_per_mwh", "CNY/MWh"), ("_cny_per_t", "CNY/t"), ("_cny_per_unit", "CNY/unit"),
               ("_units_per_yr", "unit/yr"), ("_units_per_h", "unit/h"), ("_twh", "TWh/yr"), ("_mwh", "MWh"),
               ("_mw", "MW"), ("_yr", "yr"), ("_s", "s"), ("discount_rate", "-"))


#: A pathway sweep's per-period column ends with ``.<year>``.
PERIOD_SUFFIX = re.compile(r"^(?P<base>.+)\.(?P<year>\d{4})$")


def split_period(column: str, periods: Sequence[int] | None) -> tuple[str, int | None]:
    """``capacity_mw.offshore_wind.2030`` -> (``capacity_mw.offshore_wind``, 2030); other columns (column, None).

    Examples
    --------
    >>> split_period("annual_cost_cny_per_yr.2025", [2020, 2025])
    ('annual_cost_cny_per_yr', 2025)
    >>> split_period("present_value_cny", [2020, 2025])
    ('present_value_cny', None)
    """
    m = PERIOD_SUFFIX.match(column)
    if not periods or column.startswith("param.") or m is None or int(m["year"]) not in periods:
        return column, None
    return m["base"], int(m["year"])


def parameter_unit(path: str, target_kinds: Mapping[str, str] | None = None) -> str:
    """Unit of a swept path, from its name (``..._cny_per_kw`` -> ``CNY/kW``) or its target's kind."""
    parts = path.split(".")
    if parts[0] == "targets" and len(parts) == 3 and target_kinds and parts[1] in target_kinds:
        value_unit, price_unit = TARGET_UNITS.get(target_kinds[parts[1]], ("", ""))
        return {"level": value_unit, "penalty": price_unit}.get(parts[2], "")
    for ending, unit in _PATH_UNITS:
        if path.endswith(ending):
            return unit
    return ""


def column_units(columns: list[str], target_kinds: Mapping[str, str],
                 periods: Sequence[int] | None = None) -> dict[str, str]:
    """Unit of every sweep table column (``param.<path>``, ``capacity_mw.<g>``, ``full.objective_cny_per_yr`` ...).

    ``periods``: a pathway sweep's period years; a column ending in ``.<year>`` has its base column's unit.
    """
    out = {}
    for c in columns:
        rest = split_period(c, periods)[0]
        for p in PREFIXES:
            rest = rest.removeprefix(p)
        head, _, label = rest.partition(".")
        if rest.startswith("param."):
            out[c] = parameter_unit(rest.removeprefix("param."), target_kinds)
        elif head in ("target_value", "target_shadow_price"):
            units = TARGET_UNITS.get(target_kinds.get(label, ""), ("", ""))
            out[c] = units[0] if head == "target_value" else units[1]
        elif head in ("capacity_mw", "new_build_mw"):
            out[c] = "MW"
        elif head == "new_build_mwh":
            out[c] = "MWh"
        elif head == "capacity_mw":
            out[c] = "MW"
        elif head == "cost_cny_per_yr":
            out[c] = "CNY/yr"
        elif head == "fuel_use_units_per_yr":
            out[c] = "unit/yr"
        elif head == "annual_rel_error":
            out[c] = "-"
        elif rest in SCALAR_UNITS:
            out[c] = SCALAR_UNITS[rest]
        elif rest in VERIFY_UNITS:
            out[c] = VERIFY_UNITS[rest]
        elif rest in ("sample", "oat_parameter", "oat_side", "variant"):
            out[c] = "-"
    return out


def sweep_dataset(table: pd.DataFrame, spec: SweepSpec, expansion: Expansion, attrs: Mapping[str, Any],
                  target_kinds: Mapping[str, str], fuel_units: Mapping[str, str],
                  periods: Sequence[int] | None = None) -> xr.Dataset:
    """The sweep as a Dataset for analysis (``sweep.nc``).

    Layout: for ``mode: grid`` one dimension per swept dimension, named by its
    (first) parameter path, with the values as coordinate; the other paths of
    a paired group are coordinates on that dimension. Every other mode has a
    ``sample`` dimension with one coordinate per parameter (and
    ``oat_parameter``, ``oat_side`` for oat). ``variant`` (the id) is a
    coordinate on these dimensions.

    Variables, each with a ``units`` attribute: ``objective_cny_per_yr``,
    ``capacity_mw`` (technology), ``cost_cny_per_yr`` (component),
    ``target_value`` and ``target_shadow_price`` (target; per-target units in
    the coordinates ``target_value_units`` and ``target_shadow_price_units``),
    ``co2_t_per_yr``, ``imported_electricity_mwh_per_yr``,
    ``imported_co2_t_per_yr``, ``fuel_use_units_per_yr`` (fuel; unit in
    ``fuel_unit``), ``status``, ``message``, ``solve_s``, ``method``,
    ``iterations``; ``reference_<name>`` for ``case: both``; ``full_<name>``,
    ``verified``, ``objective_rel_error``, ``capacity_max_error_mw``,
    ``annual_rel_error`` (quantity), ``annual_max_rel_error``,
    ``annual_max_error_quantity`` and ``annual_flagged`` when variants were
    verified. A failed variant's numbers are NaN.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per variant in expansion order (positional index), as gathered.
    spec : SweepSpec
    expansion : Expansion
    attrs : mapping
        ``sweep``, ``scenario``, ``input_hash`` (and any other scalar attribute).
    target_kinds : mapping of str to str
        Kind of every target (for its units).
    fuel_units : mapping of str to str
        Trading unit of every fuel.
    periods : sequence of int, optional
        A pathway sweep's period years: each column ending in ``.<year>``
        becomes its base column's variable with a trailing ``period``
        dimension (``capacity_mw`` (..., technology, period),
        ``annual_cost_cny_per_yr`` (..., period)); ``present_value_cny`` and
        ``objective_cny`` [CNY] have none.
    """
    split = {c: split_period(str(c), periods) for c in table.columns}
    per_period = {c for c, (_, year) in split.items() if year is not None}
    ds = _table_dataset(table[[c for c in table.columns if c not in per_period]], spec, expansion, target_kinds,
                        fuel_units)
    if per_period and periods:
        keep = [c for c in table.columns if c not in per_period and (c == "variant" or str(c).startswith("param.")
                                                                      or c in ("sample", "oat_parameter", "oat_side"))]
        sets = []
        for year in periods:
            cols = {c: split[c][0] for c in per_period if split[c][1] == year}
            one = _table_dataset(table[keep + list(cols)].rename(columns=cols), spec, expansion, target_kinds,
                                 fuel_units)
            sets.append(one[list(one.data_vars)])
        stacked = xr.concat(sets, dim=pd.Index(list(periods), name=n.PERIOD), coords="minimal", compat="override",
                            join="outer", combine_attrs="override")
        for name in stacked.data_vars:
            stacked[name] = stacked[name].transpose(*[d for d in stacked[name].dims if d != n.PERIOD], n.PERIOD)
        ds = ds.merge(stacked, compat="override", join="outer")
    ds.attrs.update({k: v for k, v in attrs.items() if isinstance(v, (str, int, float))})
    ds.attrs.update({"mode": spec.mode, "parameters": json.dumps(list(spec.parameters)),
                     "paired": json.dumps(spec.paired), "case": spec.case})
    return ds


def _table_dataset(table: pd.DataFrame, spec: SweepSpec, expansion: Expansion, target_kinds: Mapping[str, str],
                   fuel_units: Mapping[str, str]) -> xr.Dataset:
    """The body of :func:`sweep_dataset` for columns without a period: the design's coordinates and the variables."""
    count = len(table)
    if spec.mode == "grid" and expansion.shape is not None:
        lead = [d[0] for d in expansion.dims]
        shape: tuple[int, ...] = expansion.shape
        vals = spec.values()
        coords: dict[str, Any] = {}
        for d in expansion.dims:
            for p in d:
                coords[p] = (d[0], np.asarray(vals[p], dtype=float), {"units": parameter_unit(p, target_kinds)})
    else:
        lead, shape = ["sample"], (count,)
        coords = {"sample": ("sample", np.arange(count))}
        for p in spec.parameters:
            coords[p] = ("sample", pd.to_numeric(table[f"param.{p}"]).to_numpy(float),
                         {"units": parameter_unit(p, target_kinds)})
        for c in ("oat_parameter", "oat_side"):
            if c in table.columns:
                coords[c] = ("sample", table[c].astype(str).to_numpy())
    coords["variant"] = (lead, table["variant"].astype(str).to_numpy().reshape(shape))
    data: dict[str, Any] = {}
    vectors: dict[tuple[str, str], list[str]] = {}
    for c in table.columns:
        prefix = next((p for p in PREFIXES if c.startswith(p)), "")
        rest = c[len(prefix):]
        head, _, label = rest.partition(".")
        name = prefix.replace(".", "_") + head
        if head in VECTOR_DIMS and label:
            vectors.setdefault((name, head), []).append(label)
        elif rest in SCALAR_UNITS or rest in VERIFY_UNITS:
            data[prefix.replace(".", "_") + rest] = _scalar(table[c], lead, shape,
                                                            SCALAR_UNITS.get(rest) or VERIFY_UNITS[rest])
    labels: dict[str, list[str]] = {}
    for (_name, head), found in vectors.items():
        known = labels.setdefault(VECTOR_DIMS[head], [])
        known.extend(x for x in found if x not in known)
    for (name, head), _found in vectors.items():
        prefix = name[: len(name) - len(head)].replace("_", ".")
        dim = VECTOR_DIMS[head]
        cols = [f"{prefix}{head}.{x}" for x in labels[dim]]
        block = np.column_stack([pd.to_numeric(table[c], errors="coerce").to_numpy(float) if c in table.columns
                                 else np.full(count, np.nan) for c in cols])
        data[name] = ([*lead, dim], block.reshape((*shape, len(cols))), {"units": _vector_unit(head, labels[dim],
                                                                                               target_kinds,
                                                                                               fuel_units)})
    for dim, found in labels.items():
        coords[dim] = (dim, np.asarray(found, dtype=str))
    if n.TARGET in labels:
        kinds = [target_kinds.get(k, "") for k in labels[n.TARGET]]
        coords["target_kind"] = (n.TARGET, np.asarray(kinds, dtype=str))
        coords["target_value_units"] = (n.TARGET, np.asarray([TARGET_UNITS.get(k, ("", ""))[0] for k in kinds]))
        coords["target_shadow_price_units"] = (n.TARGET,
                                               np.asarray([TARGET_UNITS.get(k, ("", ""))[1] for k in kinds]))
    if n.FUEL in labels:
        coords["fuel_unit"] = (n.FUEL, np.asarray([fuel_units.get(f, "") for f in labels[n.FUEL]], dtype=str))
    return xr.Dataset(data, coords={k: v for k, v in coords.items()})


def _scalar(column: pd.Series, lead: list[str], shape: tuple[int, ...], unit: str) -> tuple[Any, ...]:
    values = column.to_numpy()
    if column.dtype == bool or set(map(type, column.dropna())) <= {bool, np.bool_} and column.notna().all():
        arr = values.astype(bool)
    elif column.dtype == object or pd.api.types.is_string_dtype(column):
        arr = np.asarray(["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in values])
    else:
        arr = pd.to_numeric(column, errors="coerce").to_numpy(float)
    return (lead, arr.reshape(shape), {"units": unit})


def _vector_unit(head: str, labels: list[str], target_kinds: Mapping[str, str], fuel_units: Mapping[str, str]) -> str:
    if head in ("target_value", "target_shadow_price"):
        i = 0 if head == "target_value" else 1
        units = {TARGET_UNITS.get(target_kinds.get(k, ""), ("", ""))[i] for k in labels}
        return units.pop() if len(units) == 1 else f"by target kind (coordinate {head}_units)"
    if head == "fuel_use_units_per_yr":
        units = {fuel_units.get(f, "") for f in labels}
        return f"{units.pop()}/yr" if len(units) == 1 else "trading unit of each fuel (coordinate fuel_unit) per yr"
    return {"capacity_mw": "MW", "new_build_mw": "MW", "new_build_mwh": "MWh", "cost_cny_per_yr": "CNY/yr", "generation_mwh_per_yr": "MWh/yr",
            "curtailment_mwh_per_yr": "MWh/yr", "annual_rel_error": "-"}[head]


# -- screen, then verify ------------------------------------------------------------------------------------------

#: The change that turns an aggregated scenario into its full horizon (verification solves).
