"""Build the LP once, then change numbers and re-solve: the engine behind target tests, frontiers and sweeps.

A :class:`Study` owns one built Pyomo model and the ModelInputs it came from.
Changes go through named paths in user units and are applied both to the
model (mutable parameters, variable bounds, active rows) and to a copy of
the inputs Dataset, so every published result carries the exact inputs it was
solved with. Each :meth:`Study.solve` compiles the current model (about a
second for a year) and solves it; only a proven optimum that passes the
post-solve checks comes back.

Changeable paths (user units):

- ``technologies.<id>.capex_cny_per_kw`` / ``fom_cny_per_kw_yr`` / ``vom_cny_per_mwh``
  / ``capex_cny_per_kwh`` / ``fom_cny_per_kwh_yr``
- ``technologies.<id>.min_mw`` / ``max_mw`` / ``max_mwh``
- ``fuels.<id>.price_cny_per_unit``
- ``economics.carbon_price_cny_per_t`` / ``value_of_lost_load_cny_per_mwh``
- ``targets.<name>.level`` (MW, fraction or t/yr) and ``targets.<name>.mode``
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
import xarray as xr

from energy_model import vocabulary as n
from energy_model.inputs.assemble import capital_recovery_factor
from energy_model.errors import EnergyModelError, InputError, InputIssue
from energy_model.engine.extract import extract_results
from energy_model.model import build_model, set_target_mode
from energy_model.model.capacity import capacity_bounds
from energy_model.inputs.lp_units import target_level_to_lp, target_penalty_to_lp
from energy_model.io.schema import SolverSpec
from energy_model.engine.parallel import solve_all
from energy_model.engine.highs import SIMPLEX_MAX_HOURS, Compiled, Solution, compile_model, run_highs
from energy_model.engine.checks import check_results

MW = n.MW_PER_LP
MONEY = n.CNY_PER_LP

TECH_COST_PATHS = ("capex_cny_per_kw", "fom_cny_per_kw_yr", "vom_cny_per_mwh", "capex_cny_per_kwh",
                   "fom_cny_per_kwh_yr")
TECH_BOUND_PATHS = ("min_mw", "max_mw", "max_mwh")
ECONOMICS_PATHS = ("carbon_price_cny_per_t", "value_of_lost_load_cny_per_mwh")


@dataclass
class Timings:
    """Seconds spent per stage, accumulated over solves."""

    build: float = 0.0
    compile: float = 0.0
    solve: float = 0.0
    extract: float = 0.0
    check: float = 0.0
    solves: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)


class Study:
    """One scenario's model, re-solvable under changed parameters.

    Parameters
    ----------
    inputs : xarray.Dataset
        ModelInputs.
    solver : SolverSpec
        HiGHS settings.
    """

    def __init__(self, inputs: xr.Dataset, solver: SolverSpec):
        self.inputs = inputs.copy(deep=True)
        self.solver = solver
        self.timings = Timings()
        t0 = time.perf_counter()
        self.model = build_model(self.inputs)
        self.timings.build = time.perf_counter() - t0
        self.targets = [str(k) for k in self.inputs[n.TARGET].values]

    # -- changes --------------------------------------------------------------
    def get(self, path: str) -> float | str:
        """Current value of a changeable path (user units).

        Raises
        ------
        InputError
            If the path names nothing that :meth:`set` can change.
        """
        parts = path.split(".")
        try:
            if parts[0] == "economics" and len(parts) == 2 and parts[1] in ECONOMICS_PATHS:
                return float(self.inputs.attrs[parts[1]])
            if parts[0] == "targets" and len(parts) == 3:
                var = {"level": "target_level", "mode": "target_mode", "penalty": "target_penalty"}[parts[2]]
                value = self.inputs[var].sel({n.TARGET: parts[1]}).item()
                return value if isinstance(value, str) else float(value)
            if parts[0] in ("technologies", "fuels") and len(parts) == 3:
                dim = n.TECH if parts[0] == "technologies" else n.FUEL
                return float(self.inputs[parts[2]].sel({dim: parts[1]}).item())
        except (KeyError, IndexError, ValueError):
            pass
        raise InputError(InputIssue("change", path, "not a changeable path (technologies.<id>.<cost or bound>, "
                                                    "fuels.<id>.price_cny_per_unit, economics.<name>, "
                                                    "targets.<name>.level|mode|penalty)"))

    def set(self, path: str, value: float | str) -> None:
        """Change one input by path (see module docstring) in the model and the inputs copy."""
        parts = path.split(".")
        bad = InputError(InputIssue("change", path, "not a changeable path; see energy_model.engine.study", value=value))
        if len(parts) == 2 and parts[0] == "economics":
            self._set_economics(parts[1], float(value), bad)
        elif len(parts) == 3 and parts[0] == "targets" and parts[1] in self.targets:
            self._set_target(parts[1], parts[2], value, bad)
        elif len(parts) == 3 and parts[0] == "technologies" and parts[1] in self.model.lp_data.techs:
            self._set_tech(parts[1], parts[2], float(value), bad)
        elif len(parts) == 3 and parts[0] == "fuels" and parts[1] in self.model.lp_data.fuels \
                and parts[2] == "price_cny_per_unit":
            f = parts[1]
            per_mwh = float(value) / float(self.inputs["energy_mwh_per_unit"].sel({n.FUEL: f}))
            self.inputs["price_cny_per_unit"].loc[{n.FUEL: f}] = float(value)
            self.inputs["price_cny_per_mwh_th"].loc[{n.FUEL: f}] = per_mwh
            self.model.fuel_price[f] = per_mwh * MW / MONEY
        else:
            raise bad

    def _set_economics(self, key: str, value: float, bad: Exception) -> None:
        if key == "carbon_price_cny_per_t":
            self.model.carbon_price = value * n.T_PER_LP / MONEY
        elif key == "value_of_lost_load_cny_per_mwh":
            self.model.voll = value * MW / MONEY
        else:
            raise bad
        self.inputs.attrs[key] = value

    def _set_target(self, k: str, what: str, value: float | str, bad: Exception) -> None:
        kind = str(self.inputs["target_kind"].sel({n.TARGET: k}).item())
        if what == "level":
            self.inputs["target_level"].loc[{n.TARGET: k}] = float(value)
            self.model.target_level[k] = target_level_to_lp(kind, float(value))
        elif what == "mode":
            set_target_mode(self.model, k, str(value))
            self.inputs["target_mode"].loc[{n.TARGET: k}] = str(value)
        elif what == "penalty":
            self.inputs["target_penalty"].loc[{n.TARGET: k}] = float(value)
            self.model.target_penalty[k] = target_penalty_to_lp(kind, float(value))
        else:
            raise bad

    def _set_tech(self, g: str, column: str, value: float, bad: Exception) -> None:
        ds = self.inputs
        sel = {n.TECH: g}
        data = self.model.lp_data
        if column in TECH_COST_PATHS:
            if not math.isfinite(value):  # NaN would reach the LP compiler as an internal error
                raise InputError(InputIssue("change", f"technologies.{g}.{column}", "expected a finite number",
                                            value=value))
            ds[column].loc[sel] = value
            crf = capital_recovery_factor(float(ds.attrs["discount_rate"]), float(
                ds["lifetime_yr"].sel(sel).fillna(30.0).item()))
            if column == "capex_cny_per_kw":
                ann = value * 1000.0 * crf
                ds["annualised_capex_cny_per_mw_yr"].loc[sel] = ann
                self.model.capex[g] = ann * MW / MONEY
            elif column == "fom_cny_per_kw_yr":
                ds["fom_cny_per_mw_yr"].loc[sel] = value * 1000.0
                self.model.fom[g] = value * 1000.0 * MW / MONEY
            elif column == "vom_cny_per_mwh":
                self.model.vom[g] = value * MW / MONEY
            elif column == "capex_cny_per_kwh" and g in self.model.S:
                ann = value * 1000.0 * crf
                ds["annualised_capex_cny_per_mwh_yr"].loc[sel] = ann
                self.model.capex_e[g] = ann * MW / MONEY
            elif column == "fom_cny_per_kwh_yr" and g in self.model.S:
                ds["fom_cny_per_mwh_yr"].loc[sel] = value * 1000.0
                self.model.fom_e[g] = value * 1000.0 * MW / MONEY
            else:
                raise bad
        elif column in ("min_mw", "max_mw"):
            if not math.isfinite(value) and column == "min_mw":
                raise bad
            ds[column].loc[sel] = value
            existing = float(ds["existing_mw"].sel(sel))
            if column == "min_mw":
                ds["capacity_lower_mw"].loc[sel] = max(existing, value)
                data.cap_lo[g] = max(existing, value) / MW
            else:
                ds["capacity_upper_mw"].loc[sel] = value
                data.cap_hi[g] = value / MW
            lo, hi = capacity_bounds(data, g)
            self.model.build[g].setlb(lo)
            self.model.build[g].setub(hi)
        elif column == "max_mwh" and g in self.model.S:
            ds["max_mwh"].loc[sel] = value
            ds["energy_upper_mwh"].loc[sel] = value
            data.e_hi[g] = value / MW
            self.model.build_e[g].setub(None if math.isinf(value) else max(0.0, value / MW - data.e_existing[g]))
        else:
            raise bad

    @contextmanager
    def changed(self, changes: dict[str, float | str]) -> Iterator["Study"]:
        """Apply ``changes`` for the duration of a ``with`` block, then restore them."""
        before = {p: self.get(p) for p in changes}
        try:
            for p, v in changes.items():
                self.set(p, v)
            yield self
        finally:
            for p, v in before.items():
                self.set(p, v)

    # -- solving ----------------------------------------------------------------
    def solve(self, label: str = "", progress: Callable[[str], None] | None = None) -> xr.Dataset:
        """Compile the current model, solve it and return checked Results.

        Raises the named :mod:`energy_model.errors` failures for anything but a
        proven optimum that passes :func:`energy_model.engine.checks.check_results`.
        """
        if progress:
            progress(f"solving {label or 'model'}")
        compiled, entry = self._compile(label)
        t1 = time.perf_counter()
        try:
            sol = run_highs(compiled, self.solver, hours=self.model.lp_data.hours)
        finally:
            self._count_solve(entry, time.perf_counter() - t1, 1)
        return self._finish(sol, label, entry)

    def solve_many(
        self,
        cases: list[tuple[str, dict[str, float | str]]],
        progress: Callable[[str], None] | None = None,
        parallel: bool | None = None,
    ) -> list[xr.Dataset | EnergyModelError]:
        """Solve several variants of the model, in parallel processes for long horizons.

        Parameters
        ----------
        cases : list of (label, changes)
            Each case's changes (paths as in :meth:`set`) apply to that case only.
        progress : callable, optional
            Receives one line before the solves start.
        parallel : bool, optional
            Force parallel (True) or sequential (False) solves; default: parallel
            when the horizon is longer than simplex territory (long HiPO solves).

        Returns
        -------
        list
            Per case, checked Results or the :class:`EnergyModelError` it ended with.
            An interruption (Ctrl-C) is raised, not returned.
        """
        if parallel is None:
            parallel = self.model.lp_data.hours > SIMPLEX_MAX_HOURS
        jobs, entries = [], []
        for label, changes in cases:
            with self.changed(changes):
                compiled, entry = self._compile(label)
            jobs.append((compiled, self.solver, self.model.lp_data.hours))
            entries.append(entry)
        if progress:
            how = " in parallel" if parallel and len(cases) > 1 else ""
            progress(f"solving {len(cases)} case(s){how}: " + "; ".join(label for label, _ in cases))
        t1 = time.perf_counter()
        sols = solve_all(jobs, workers=None if parallel else 1, runner=run_highs)
        wall = time.perf_counter() - t1
        out: list[xr.Dataset | EnergyModelError] = []
        for (label, changes), sol, entry in zip(cases, sols, entries):
            self._count_solve(entry, wall, len(cases))
            if isinstance(sol, EnergyModelError):
                entry["status"] = sol.status
                out.append(sol)
                continue
            entry["solver_s"] = sol.info["solve_seconds"]
            try:
                with self.changed(changes):
                    out.append(self._finish(sol, label, entry))
            except EnergyModelError as exc:
                out.append(exc)
        return out

    def _compile(self, label: str) -> tuple[Compiled, dict[str, Any]]:
        t0 = time.perf_counter()
        compiled = compile_model(self.model)
        seconds = time.perf_counter() - t0
        self.timings.compile += seconds
        entry: dict[str, Any] = {"label": label, "compile_s": seconds}
        self.timings.log.append(entry)
        return compiled, entry

    def _count_solve(self, entry: dict[str, Any], wall: float, batch: int) -> None:
        """Book a solve; a batch of parallel solves adds its wall time once."""
        if not entry.get("counted"):
            self.timings.solve += wall / batch
            self.timings.solves += 1
            entry["solve_s"] = wall
            entry["counted"] = True

    def _finish(self, sol: Solution, label: str, entry: dict[str, Any]) -> xr.Dataset:
        """Extract and check one solution (the model must be in the state it was solved in)."""
        t2 = time.perf_counter()
        results = extract_results(self.model, sol, self.inputs)
        t3 = time.perf_counter()
        checks = check_results(results, self.inputs)
        t4 = time.perf_counter()
        self.timings.extract += t3 - t2
        self.timings.check += t4 - t3
        entry.update({"extract_s": t3 - t2, "check_s": t4 - t3, "method": sol.info["method_used"],
                      "objective_cny_per_yr": results.attrs["objective_cny_per_yr"]})
        entry.pop("counted", None)
        results.attrs["max_check_residual"] = max(checks.values()) if checks else 0.0
        results.attrs["case"] = label
        return results

    def target_modes(self) -> dict[str, str]:
        """Current mode of every target."""
        return {k: str(self.inputs["target_mode"].sel({n.TARGET: k}).item()) for k in self.targets}


def model_size(m: pyo.ConcreteModel) -> dict[str, int]:
    """Number of variables and active constraints (before compilation)."""
    nvar = sum(len(v) for v in m.component_objects(pyo.Var, active=True))
    ncon = sum(len(c) for c in m.component_objects(pyo.Constraint, active=True))
    return {"variables": nvar, "constraints": ncon}
