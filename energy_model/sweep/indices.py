"""Sensitivity indices from a sample table and its outputs: Sobol' S1/ST or Morris mu*/sigma, via SALib.

The tidy table has one row per output, parameter and index (columns
``output``, ``parameter``, ``index``, ``value``, ``conf``): Sobol' ``s1``
and ``st`` (dimensionless shares of the output's variance, ``conf`` the
half-width of the 95 % bootstrap confidence interval) or Morris ``mu_star``
(mean absolute elementary effect, in the output's unit: its change over a
step of ``levels / (2 (levels - 1))`` of the parameter's range, ``conf`` its
95 % bootstrap half-width) and ``sigma`` (standard deviation of the
elementary effects, same unit; no ``conf``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n

#: Confidence level of every interval.
CONF_LEVEL = 0.95
#: Bootstrap resamples for the intervals (SALib's default).
RESAMPLES = 100
#: Indices per method, in the order they are written.
INDICES = {"saltelli": ("s1", "st"), "morris": ("mu_star", "sigma")}
#: sweep.nc variable of each index (its interval in ``<name>_conf``).
NC_NAMES = {"s1": "sobol_s1", "st": "sobol_st", "mu_star": "morris_mu_star", "sigma": "morris_sigma"}
#: Outputs whose standard deviation is at most this fraction of their mean magnitude are taken as constant.
CONSTANT_REL = 1e-9
COLUMNS = ["output", "parameter", "index", "value", "conf"]


def sensitivity_outputs(columns: Sequence[str], target_kinds: Mapping[str, str]) -> list[str]:
    """The sweep-table columns indices are computed for, in order.

    The present value [CNY] (a pathway sweep), the objective [CNY/yr], every ``capacity_mw.<technology>`` [MW], the
    new-energy share (each ``target_value.<k>`` of a ``min_share`` target,
    else ``new_energy_share`` when the table has it) [-] and ``co2_t_per_yr``
    [t/yr]; those the table lacks are left out.
    """
    cols = [str(c) for c in columns]
    shares = [f"target_value.{k}" for k, kind in target_kinds.items() if kind == n.MIN_SHARE]
    shares = [c for c in shares if c in cols] or [c for c in ("new_energy_share",) if c in cols]
    wanted = ["present_value_cny", "objective_cny_per_yr", *(c for c in cols if c.startswith("capacity_mw.")), *shares, "co2_t_per_yr"]
    return [c for c in wanted if c in cols]


def _constant(y: np.ndarray) -> bool:
    return float(np.std(y)) <= CONSTANT_REL * max(1.0, float(np.mean(np.abs(y))))


def sensitivity_indices(method: str, samples: pd.DataFrame, outputs: pd.DataFrame,
                        bounds: Mapping[str, tuple[float, float]], *, seed: int,
                        levels: int = 4) -> pd.DataFrame:
    """Sensitivity indices of every output to every parameter.

    Parameters
    ----------
    method : {"saltelli", "morris"}
        ``saltelli``: first- and total-order Sobol' indices
        (:func:`SALib.analyze.sobol.analyze`, no second order); the rows must
        be in the order of a Saltelli design (:func:`energy_model.sweep.sampling.saltelli_unit`).
        ``morris``: :func:`SALib.analyze.morris.analyze` on trajectories in
        the order drawn (:func:`energy_model.sweep.sampling.morris_unit`).
    samples : pandas.DataFrame
        One row per variant, one column per factor (user units).
    outputs : pandas.DataFrame
        One row per variant (same order), one column per output; no missing values.
    bounds : mapping of str to (float, float)
        Each factor's ``(low, high)``.
    seed : int
        Seed of the bootstrap intervals.
    levels : int
        Morris grid levels (as sampled).

    Returns
    -------
    pandas.DataFrame
        Columns ``output``, ``parameter``, ``index``, ``value``, ``conf``
        (see the module docstring). An output that does not vary (a capacity
        at 0 in every variant) gets every index 0 with ``conf`` 0.

    Raises
    ------
    ValueError
        Unknown method, rows that differ in number, or a missing output value.
    """
    from SALib.analyze import morris, sobol

    if method not in INDICES:
        raise ValueError(f"no sensitivity indices for mode {method!r}")
    names = [str(c) for c in samples.columns]
    if len(samples) != len(outputs):
        raise ValueError(f"{len(samples)} sample rows but {len(outputs)} output rows")
    problem = {"num_vars": len(names), "names": names, "bounds": [list(map(float, bounds[p])) for p in names]}
    x = samples.to_numpy(dtype=float)
    rows: list[tuple[str, str, str, float, float]] = []
    for out in outputs.columns:
        y = outputs[out].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise ValueError(f"output {out} has missing values; indices need every variant")
        if _constant(y):
            rows += [(str(out), p, k, 0.0, 0.0) for k in INDICES[method] for p in names]
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "saltelli":
                si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES,
                                   conf_level=CONF_LEVEL, seed=seed)
                found = {"s1": (si["S1"], si["S1_conf"]), "st": (si["ST"], si["ST_conf"])}
            else:
                si = morris.analyze(problem, x, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                                    num_levels=levels, seed=seed)
                found = {"mu_star": (si["mu_star"], si["mu_star_conf"]),
                         "sigma": (si["sigma"], np.full(len(names), np.nan))}
        for k in INDICES[method]:
            values, confs = found[k]
            rows += [(str(out), p, k, float(v), float(c)) for p, v, c in zip(names, values, confs)]
    return pd.DataFrame(rows, columns=COLUMNS)


def indices_dataset(tidy: pd.DataFrame, output_units: Mapping[str, str]) -> xr.Dataset:
    """The indices as arrays over (``output``, ``parameter``) for sweep.nc.

    Variables ``sobol_s1``, ``sobol_st`` (units ``-``) or ``morris_mu_star``,
    ``morris_sigma`` (units: each output's, in ``sensitivity_output_units``),
    each with its ``<name>_conf`` (95 % half-width); ``sensitivity_output_units``
    along ``output``.
    """
    outputs = list(dict.fromkeys(tidy["output"]))
    params = list(dict.fromkeys(tidy["parameter"]))
    ds = xr.Dataset(coords={"output": outputs, "parameter": params})
    for k in dict.fromkeys(tidy["index"]):
        part = tidy[tidy["index"] == k]
        unit = "-" if k in ("s1", "st") else "unit of the output (sensitivity_output_units)"
        for suffix, col in (("", "value"), ("_conf", "conf")):
            grid = part.pivot(index="output", columns="parameter", values=col).reindex(index=outputs, columns=params)
            ds[NC_NAMES[k] + suffix] = (("output", "parameter"), grid.to_numpy(dtype=float), {"units": unit})
    ds["sensitivity_output_units"] = ("output", [str(output_units.get(o, "")) for o in outputs], {"units": "-"})
    return ds
