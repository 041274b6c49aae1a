"""Solve a pathway with perfect or myopic foresight and gather the periods' results.

Perfect foresight solves one LP over all periods
(:func:`~energy_model.model.pathway.build_pathway_model`); myopic foresight
solves one LP per period in order, the builds of earlier periods entering as
fixed capacity while alive and their annuities as a constant of that period's
cost. Both go through the plain solve route (:mod:`energy_model.engine.highs`,
the first period's solver settings): only a proven optimum becomes results.

The LP minimises ``sum_p (W_p / W_0) * cost_p``, so a row of block p has a
dual ``W_p / W_0`` times that period's annual one; every block's duals are
divided by ``W_p / W_0`` before :func:`~energy_model.engine.extract.extract_results`
reads them, so prices (CNY/MWh, CNY/kW-yr, CNY/t) are in that period's annual terms.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from energy_model import vocabulary as n
from energy_model.engine.checks import check_results
from energy_model.engine.extra_rows import ExtraRows, apply_extra_rows
from energy_model.engine.extract import extract_results
from energy_model.engine.highs import Solution, compile_model, run_highs
from energy_model.errors import NumericalError
from energy_model.inputs.lp_units import LPData
from energy_model.inputs.pathway import myopic_links, pathway_links, period_inputs
from energy_model.io.pathway_spec import Pathway
from energy_model.model.pathway import build_pathway_model

MW = n.MW_PER_LP
#: HiGHS method for a perfect-foresight LP of several periods when the scenario says ``auto``.
COUPLED_METHOD = "simplex"
PERIOD = n.PERIOD


@dataclass
class PathwayResult:
    """A solved pathway.

    Attributes
    ----------
    results : xarray.Dataset
        Every variable of :func:`~energy_model.engine.extract.extract_results`
        with a leading ``period`` dimension (coordinate: the period years), plus
        ``new_build_mw`` / ``new_build_mwh`` (period, technology) [MW, MWh],
        ``retired_mw`` (period, technology) [MW] (starting fleet that left service
        since the previous period), ``cost_by_period`` [CNY/yr, annual, undiscounted],
        ``period_weight_yr`` [yr] and ``present_value_cny`` [CNY discounted to the
        first period]. ``time`` is the step number; ``period_time`` (period, time)
        holds each period's timestamps.
    inputs : xarray.Dataset
        The periods' ModelInputs, stacked the same way.
    objective : float
        ``sum_p W_p / W_0 * cost_p`` [CNY, first-period annual terms].
    foresight : str
        ``perfect`` or ``myopic``.
    timings : dict of str to float
        Seconds of ``inputs``, ``build``, ``compile``, ``solve``, ``extract``.
    by_period : list of (xarray.Dataset, xarray.Dataset)
        Each period's Results and ModelInputs as a plain run has them (dates
        on ``time``), for the per-period summaries, tables and report.
    """

    results: xr.Dataset
    inputs: xr.Dataset
    objective: float
    foresight: str
    timings: dict[str, float] = field(default_factory=dict)
    by_period: list[tuple[xr.Dataset, xr.Dataset]] = field(default_factory=list)


def _solve(m: pyo.ConcreteModel, pathway: Pathway, hours: int, timings: dict[str, float]) -> Solution:
    """Compile and solve with the first period's solver settings; a proven optimum or a named error."""
    t0 = time.perf_counter()
    compiled = compile_model(m)
    timings["compile"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    spec = pathway.cases[0].solver
    if spec.method == "auto" and len(m.period) > 1:
        # Dual simplex, measured on the shipped 3-period pathways on typical days (37.5k columns, 2-core
        # machine at load 3, 2026-12-07): pathway_2030 simplex 11.5 s against interior point 32.8 s
        # (5.7-9.4 CPU s over three random seeds against 16.9 for HiPO and 18.5 for IPX with crossover);
        # pathway_2030_no_2023_coal simplex 6.3 s, while interior point without crossover on the
        # dense-column split LP stopped at a primal infeasibility of 1.6e-4 that the post-solve checks
        # refused. A vertex also gives exact storage and balance rows.
        spec = spec.model_copy(update={"method": COUPLED_METHOD})
    sol = run_highs(compiled, spec, hours=hours)
    timings["solve"] += time.perf_counter() - t0
    return sol


def _period_results(b: pyo.Block, sol: Solution, inputs: xr.Dataset, scale: float) -> xr.Dataset:
    """Extract one block with its duals in the period's annual terms and its storage energy builds."""
    ds = extract_results(b, replace(sol, row_dual=sol.row_dual / scale), inputs)
    data: LPData = b.lp_data
    e_build = np.zeros(len(data.techs))
    for k, x in zip(b.S, sol.value(b.build_e)):
        e_build[data.techs.index(k)] = max(float(x), 0.0) * MW
    ds["new_build_mw"] = ds["new_capacity_mw"].copy()
    ds["new_build_mwh"] = (n.TECH, e_build, {"units": "MWh", "long_name": "storage energy capacity built"})
    ds.attrs["objective_cny_per_yr"] = float(ds["cost_cny_per_yr"].sum())
    return ds


def solve_pathway(pathway: Pathway, extra_rows: ExtraRows | None = None) -> PathwayResult:
    """Solve a pathway and return its results by period.

    Parameters
    ----------
    pathway : Pathway
        The validated pathway (:mod:`energy_model.io.pathway_spec`).
    extra_rows : callable, optional
        ``extra_rows(block, data)`` applied to every period's block with that
        period's LP data (as to a plain model; the block holds the plain
        model's components).

    Returns
    -------
    PathwayResult

    Raises
    ------
    InfeasibleError, UnboundedError, LimitReachedError, NumericalError
        When an LP has no proven optimum (myopic: the first period without one).
    """
    timings = {k: 0.0 for k in ("inputs", "build", "compile", "solve", "extract")}
    t0 = time.perf_counter()
    inputs, datas = period_inputs(pathway)
    techs = datas[0].techs
    if any(d.techs != techs for d in datas):
        raise ValueError(f"{pathway.file}: every period must have the same technologies")
    timings["inputs"] = time.perf_counter() - t0
    weights = pathway.weights()
    multiplier = [w / weights[0] for w in weights]
    periods: list[xr.Dataset] = []
    if pathway.foresight == "perfect":
        t0 = time.perf_counter()
        m = build_pathway_model(datas, pathway_links(pathway, techs))
        for i, data in enumerate(datas):
            apply_extra_rows(m.period[i], data, extra_rows)
        timings["build"] += time.perf_counter() - t0
        sol = _solve(m, pathway, sum(d.hours for d in datas), timings)
        t0 = time.perf_counter()
        periods = [_period_results(m.period[i], sol, inputs[i], multiplier[i]) for i in range(len(datas))]
        timings["extract"] += time.perf_counter() - t0
        objective = sol.objective * n.CNY_PER_LP
    else:
        built_gw: dict[tuple[str, int], float] = {}
        built_gwh: dict[tuple[str, int], float] = {}
        for i, (data, year) in enumerate(zip(datas, pathway.periods)):
            t0 = time.perf_counter()
            m = build_pathway_model([data], myopic_links(pathway, techs, i, built_gw, built_gwh, datas))
            apply_extra_rows(m.period[0], data, extra_rows)
            timings["build"] += time.perf_counter() - t0
            sol = _solve(m, pathway, data.hours, timings)
            t0 = time.perf_counter()
            b = m.period[0]
            for g, x in zip(b.G, sol.value(b.build)):
                if x > 0:
                    built_gw[g, year] = float(x)
            for s, x in zip(b.S, sol.value(b.build_e)):
                if x > 0:
                    built_gwh[s, year] = float(x)
            periods.append(_period_results(b, sol, inputs[i], 1.0))
            timings["extract"] += time.perf_counter() - t0
        objective = sum(w * float(ds.attrs["objective_cny_per_yr"]) for w, ds in zip(multiplier, periods))
    for ds, inp in zip(periods, inputs):  # the plain run's invariants, period by period
        checks = check_results(ds, inp)
        ds.attrs["max_check_residual"] = max(checks.values()) if checks else 0.0
    counted = sum(m * float(ds.attrs["objective_cny_per_yr"]) for m, ds in zip(multiplier, periods))
    if abs(counted - objective) > 1e-6 * max(1.0, abs(objective)):
        raise NumericalError(f"the periods' costs weighted by W_p/W_0 ({counted:,.0f} CNY) do not add up to the "
                             f"pathway's objective ({objective:,.0f} CNY)", termination="check")
    results = _stack(periods, pathway)
    cost = results["cost_by_period"].values
    results["period_weight_yr"] = (PERIOD, np.array(weights), {"units": "yr"})
    results["present_value_cny"] = ((), float(np.dot(weights, cost)), {"units": "CNY"})
    results["retired_mw"] = _retired(inputs, pathway)
    results.attrs.update({"foresight": pathway.foresight, "discount_rate": pathway.discount_rate,
                          "objective_cny": objective})
    return PathwayResult(results=results, inputs=_stack(inputs, pathway), objective=objective,
                         foresight=pathway.foresight, timings=timings, by_period=list(zip(periods, inputs)))


def _stack(sets: list[xr.Dataset], pathway: Pathway) -> xr.Dataset:
    """One Dataset with a ``period`` dimension; ``time`` becomes the step number (``period_time`` keeps the dates)."""
    steps = []
    for ds in sets:
        times = ds[n.TIME].values
        ds = ds.assign_coords({n.TIME: np.arange(len(times))})
        ds["period_time"] = (n.TIME, times)
        steps.append(ds)
    out = xr.concat(steps, dim=PERIOD, data_vars="all", coords="minimal", compat="override",
                    join="outer", combine_attrs="override")
    out = out.assign_coords({PERIOD: list(pathway.periods)})
    if "cost_cny_per_yr" in out:
        out["cost_by_period"] = out["cost_cny_per_yr"].sum("component")
        out["cost_by_period"].attrs.update({"units": "CNY/yr", "long_name": "annual cost of the period, undiscounted"})
    for name in ("objective_cny_per_yr", "status"):
        out.attrs.pop(name, None)
    return out


def _retired(inputs: list[xr.Dataset], pathway: Pathway) -> xr.DataArray:
    """Starting-fleet capacity that left service since the previous period [MW] (0 in the first)."""
    existing = np.stack([ds["existing_mw"].fillna(0.0).values for ds in inputs])
    retired = np.zeros_like(existing)
    retired[1:] = np.maximum(existing[:-1] - existing[1:], 0.0)
    return xr.DataArray(retired, dims=(PERIOD, n.TECH),
                        coords={PERIOD: list(pathway.periods), n.TECH: inputs[0][n.TECH].values},
                        attrs={"units": "MW", "long_name": "starting fleet retired since the previous period"})
