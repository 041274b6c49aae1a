"""Turn a proven optimum into the Results Dataset (user units), then drop the model.

Everything downstream (checks, metrics, reports, target analysis) reads this
Dataset; nothing reads the Pyomo model after :func:`extract_results`.

Dual conventions (minimisation; LP units GW, GWh, million CNY, kt; w[t] = hours per year step t stands for):

- balance[t] dual [MCNY/GWh per weighted hour] -> price [CNY/MWh] = dual * 1000 / w[t]
- capacity and reserve-margin target duals [MCNY/GW/yr] == [CNY/kW/yr]
- share and self-sufficiency target duals [MCNY/GWh] -> [CNY/MWh] x1000
- max_emissions dual [MCNY/kt] -> [CNY/t] x1000 (reported positive = cost of a tighter cap)
- max_import, max_net_export duals [MCNY/GWh] -> [CNY/MWh] x1000 (positive = cost of a tighter cap)
- flh_min, flh_max duals [MCNY/GWh] -> [CNY/MWh] x1000 (positive = what the rule costs per MWh it moves)
- annual_supply dual [MCNY/GWh_th] -> [CNY/MWh_th] x1000 -> [CNY/unit] x energy_mwh_per_unit
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from energy_model import vocabulary as n
from energy_model.engine.highs import Solution
from energy_model.engine.measures import binds, carbon_ledgers, is_met, peak_demand_mw, target_values
from energy_model.inputs.lp_units import LEVEL_SCALE, PENALTY_SCALE, LPData
from energy_model.model.capacity import earlier_of
from energy_model.model.objective import COMPONENTS

MW = n.MW_PER_LP
MONEY = n.CNY_PER_LP


def _grid(sol: Solution, var: pyo.Var, rows: list[str], hours: int) -> np.ndarray:
    """Values of a (name, t)-indexed variable as a (len(rows), hours) array."""
    if not rows:
        return np.zeros((0, hours))
    return sol.value(var).reshape(len(rows), hours)


def burn(data: LPData, disp: np.ndarray, carrier: str) -> dict[str, np.ndarray]:
    """Hourly fuel drawn by each plant burning ``carrier``: its output over its efficiency.

    The extraction's one copy of the fuel balance's right-hand side
    (:func:`energy_model.model.fuels.add_fuels` writes it as LP expressions;
    :mod:`energy_model.engine.checks` recomputes it on purpose, independently,
    from the published files).

    Parameters
    ----------
    data : LPData
        The LP's data (technologies in ``data.techs`` order).
    disp : numpy.ndarray
        Electric output, one row per technology of ``data.techs`` [GW or MW per step].
    carrier : str
        The fuel carrier (``coal``, ``natural_gas``, ...).

    Returns
    -------
    dict of str to numpy.ndarray
        Technology -> hourly thermal fuel drawn [GWh_th or MWh_th per hour, the unit of ``disp``].
    """
    return {g: disp[j] / data.efficiency[g] for j, g in enumerate(data.techs)
            if data.kind[g] in n.FUELLED_KINDS and data.fuel_of[g] == carrier}


def fuel_supply(m: pyo.ConcreteModel, sol: Solution, disp: np.ndarray) -> np.ndarray:
    """Hourly supply per fuel [GWh_th]: variables where they exist, else the carrier's burn."""
    data: LPData = m.lp_data
    F = list(m.F)
    FX = list(m.FX)
    out = np.zeros((len(F), data.hours))
    xv = _grid(sol, m.x, FX, data.hours)
    for i, f in enumerate(F):
        if f in FX:
            out[i] = xv[FX.index(f)]
        else:
            for drawn in burn(data, disp, data.fuel_carrier[f]).values():
                out[i] += drawn
    return out


def _inter_day_start(m: pyo.ConcreteModel, sol: Solution, data: LPData, S: list[str],
                     inputs: xr.Dataset) -> np.ndarray:
    """Linked typical days: the state at the start of the day each representative step shows [GWh].

    A representative day is a real day of the horizon; its stored energy is
    that day's inter-day state (decayed by self-discharge over the hours
    since midnight) plus the change within the day.
    """
    days = len(data.sequence)
    inter = _grid(sol, m.soc_inter, S, days)
    # the day of the horizon each step lies in (days are 24-hour blocks from the horizon's first hour)
    day_index = np.searchsorted(inputs["period_sequence"]["day"].values, inputs.variables[n.TIME].values, side="right") - 1
    out = inter[:, day_index]
    since = np.zeros(data.hours)
    for steps in data.period_steps:
        since[steps] = np.cumsum(data.step_hours[steps])
    for i, s in enumerate(S):
        out[i] *= (1.0 - data.self_discharge[s]) ** since
    return out


def earlier_vintages(m: pyo.Block, sol: Solution, data: LPData) -> dict[str, np.ndarray]:
    """Capacity and annuities of earlier vintages alive in a pathway period, per technology (zeros otherwise).

    Returns ``power`` [GW], ``capex`` [MCNY/yr] (power part), ``energy`` [GWh]
    and ``capex_e`` [MCNY/yr] (storage energy part), each of ``len(data.techs)``.
    """
    old = earlier_of(m)
    out = {k: np.zeros(len(data.techs)) for k in ("power", "capex", "energy", "capex_e")}
    for terms, cap, cost in ((old.power, "power", "capex"), (old.energy, "energy", "capex_e")):
        for g, pairs in terms.items():
            values = sol.values_of([v for v, _ in pairs])
            i = data.techs.index(g)
            out[cap][i] = float(values.sum())
            out[cost][i] = float(sum(a * x for (_, a), x in zip(pairs, values)))
    return out


def extract_results(m: pyo.ConcreteModel, sol: Solution, inputs: xr.Dataset) -> xr.Dataset:
    """Build the Results Dataset from a solved model.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        The model that was solved.
    sol : Solution
        The proven optimum.
    inputs : xarray.Dataset
        The ModelInputs the model was built from (coordinates are reused).

    Returns
    -------
    xarray.Dataset
        Capacities, hourly dispatch, storage, fuel use, emissions, prices,
        target values and duals, costs by component and technology. Units
        are in each variable's ``units`` attribute.
    """
    data: LPData = m.lp_data
    T = data.hours
    w = data.weight
    techs = data.techs
    tindex = {g: i for i, g in enumerate(techs)}
    nan_t = np.full((len(techs), T), np.nan)

    build = np.maximum(sol.value(m.build), 0.0) * MW  # drop -0.0 and 1e-12 noise
    existing = np.array([data.cap_existing[g] for g in techs]) * MW
    older = earlier_vintages(m, sol, data)
    capacity = existing + build + np.maximum(older["power"], 0.0) * MW

    disp = np.zeros((len(techs), T))
    D = list(m.D)
    p = _grid(sol, m.p, D, T) * MW
    for i, g in enumerate(D):
        disp[tindex[g]] = p[i]
    S = list(m.S)
    ch = _grid(sol, m.ch, S, T) * MW
    dis = _grid(sol, m.dis, S, T) * MW
    soc = _grid(sol, m.soc, S, T) * MW
    if data.link_storage and S:
        soc = soc + _inter_day_start(m, sol, data, S, inputs) * MW
    charge, discharge, level = nan_t.copy(), nan_t.copy(), nan_t.copy()
    energy_cap = np.full(len(techs), np.nan)
    e_build = sol.value(m.build_e) * MW
    for i, s in enumerate(S):
        j = tindex[s]
        charge[j], discharge[j], level[j] = ch[i], dis[i], soc[i]
        disp[j] = dis[i] - ch[i]
        energy_cap[j] = data.e_existing[s] * MW + e_build[i] + older["energy"][j] * MW
    available = nan_t.copy()
    cf = inputs["capacity_factor"].transpose(n.TECH, n.TIME).values
    for g in data.by_kind[n.VARIABLE]:
        j = tindex[g]
        available[j] = cf[j] * capacity[j]
    curtail = np.where(np.isnan(available), np.nan, np.maximum(available - disp, 0.0))
    online = nan_t.copy()
    U = list(m.U)
    u = _grid(sol, m.u, U, T) * MW
    for i, g in enumerate(U):
        online[tindex[g]] = u[i]
    heat_out = nan_t.copy()
    for g in data.by_kind[n.CHP]:
        heat_out[tindex[g]] = disp[tindex[g]] * data.heat_to_power[g]
    for g in data.by_kind[n.BOILER]:
        heat_out[tindex[g]] = disp[tindex[g]]

    F = list(m.F)
    x = fuel_supply(m, sol, disp / MW) * MW  # MWh_th per hour
    shed = sol.value(m.shed) * MW
    shed_heat = sol.value(m.shed_heat) * MW
    price = sol.dual(m.balance) * (MONEY / MW) / w
    heat_price = (
        sol.dual(m.heat_balance) * (MONEY / MW) / w if hasattr(m, "heat_balance") else np.zeros(T)
    )
    if hasattr(m, "soc_inter"):
        days = inputs["period_sequence"]["day"].values
        put_inter = _grid(sol, m.soc_inter, S, len(days)) * MW

    ds = xr.Dataset(coords={n.TECH: techs, n.TIME: inputs.variables[n.TIME].values, n.FUEL: F,
                            n.POLLUTANT: list(n.POLLUTANTS), n.TARGET: list(m.K)})
    ds[n.TIME].attrs.update(inputs[n.TIME].attrs)

    pending: dict[str, tuple[tuple[str, ...], np.ndarray, dict[str, str]]] = {}

    def put(name: str, dims: tuple[str, ...], values: np.ndarray, units: str, desc: str) -> None:
        pending[name] = (dims, values, {"units": units, "long_name": desc})  # added at once below (fast)

    put("capacity_mw", (n.TECH,), capacity, "MW", "installed power capacity after investment")
    put("new_capacity_mw", (n.TECH,), build, "MW", "capacity built by the model")
    put("energy_capacity_mwh", (n.TECH,), energy_cap, "MWh", "storage energy capacity")
    put("dispatch_mw", (n.TECH, n.TIME), disp, "MW",
        "hourly output (storage: discharge - charge; export: sales; boiler: heat)")
    put("available_mw", (n.TECH, n.TIME), available, "MW", "renewable output available before curtailment")
    put("curtailment_mw", (n.TECH, n.TIME), curtail, "MW", "renewable output available but not used")
    put("online_mw", (n.TECH, n.TIME), online, "MW", "online capacity (min-stable-load units)")
    put("storage_charge_mw", (n.TECH, n.TIME), charge, "MW", "storage charging power")
    put("storage_discharge_mw", (n.TECH, n.TIME), discharge, "MW", "storage discharging power")
    put("storage_level_mwh", (n.TECH, n.TIME), level, "MWh", "stored energy at the end of the hour (step)")
    put("heat_output_mw", (n.TECH, n.TIME), heat_out, "MW_th", "heat output of CHP and boilers")
    put("fuel_use_mwh_th", (n.FUEL, n.TIME), x, "MWh_th/h", "fuel supplied per hour")
    put("unserved_mw", (n.TIME,), shed, "MW", "unserved electricity demand")
    put("unserved_heat_mw", (n.TIME,), shed_heat, "MW_th", "unserved heat demand")
    put("price_cny_per_mwh", (n.TIME,), price, "CNY/MWh", "hourly marginal cost of electricity (balance dual)")
    if hasattr(m, "soc_inter"):
        inter = np.full((len(techs), len(days)), np.nan)
        for i, s in enumerate(S):
            inter[tindex[s]] = put_inter[i]
        ds.coords["day"] = days
        put("storage_day_start_mwh", (n.TECH, "day"), inter, "MWh",
            "stored energy at the start of every day of the horizon (typical days linked through the year)")
    put("heat_price_cny_per_mwh", (n.TIME,), heat_price, "CNY/MWh_th", "hourly marginal cost of heat")

    energy = disp @ w  # MWh/yr
    put("generation_mwh_per_yr", (n.TECH,), energy, "MWh/yr", "annual output (storage: net of charging)")
    fuel_yr = x @ w
    put("fuel_use_mwh_th_per_yr", (n.FUEL,), fuel_yr, "MWh_th/yr", "annual fuel supplied")
    units_per = inputs.variables["energy_mwh_per_unit"].values
    put("fuel_use_units_per_yr", (n.FUEL,), fuel_yr / units_per, "unit/yr", "annual fuel in its trading unit")
    ef = inputs["fuel_emission_t_per_mwh_th"].transpose(n.FUEL, n.POLLUTANT).values
    put("emissions_t_per_yr", (n.FUEL, n.POLLUTANT), fuel_yr[:, None] * ef, "t/yr", "direct emissions by fuel")
    direct = np.array([data.direct_co2[g] for g in techs])
    put("imported_co2_t_per_yr", (n.TECH,), np.where(direct > 0, energy * direct, 0.0), "t/yr",
        "CO2 attributed to imported electricity (not in the city's direct emissions)")

    # annual supply limit duals -> CNY per trading unit
    supply_dual = np.zeros(len(F))
    if len(m.annual_supply):
        duals = sol.dual(m.annual_supply)
        for i, f in enumerate(m.annual_supply):
            supply_dual[F.index(f)] = -duals[i] * (MONEY / MW) * units_per[F.index(f)]
    put("supply_limit_value_cny_per_unit", (n.FUEL,), supply_dual, "CNY/unit",
        "value of one more unit of annual supply (0 when the limit does not bind)")

    ds = ds.assign(pending)
    _costs(ds, m, sol, data, inputs)
    _targets(ds, m, sol, data, inputs)
    ds.attrs.update({k: v for k, v in inputs.attrs.items() if isinstance(v, (str, int, float))})
    ds.attrs["objective_cny_per_yr"] = sol.objective * MONEY
    ds.attrs["status"] = "optimal"
    for key, value in sol.info.items():
        if isinstance(value, (str, int, float)):
            ds.attrs[f"solver_{key}"] = value
    return ds


def _costs(ds: xr.Dataset, m: pyo.ConcreteModel, sol: Solution, data: LPData, inputs: xr.Dataset) -> None:
    """Cost components per technology, recomputed from values and parameters [CNY/yr]."""
    techs = data.techs
    w = data.weight
    g_i = {g: i for i, g in enumerate(techs)}
    comp = {c: np.zeros(len(techs)) for c in COMPONENTS}
    build = sol.value(m.build)
    older = earlier_vintages(m, sol, data)
    cap = build + np.array([data.cap_existing[g] for g in techs]) + older["power"]
    for g in techs:
        i = g_i[g]
        comp["capex"][i] = pyo.value(m.capex[g]) * build[i] + older["capex"][i] + older["capex_e"][i]
        comp["fom"][i] = pyo.value(m.fom[g]) * cap[i]
    e_build = sol.value(m.build_e)
    for k, s in enumerate(m.S):
        i = g_i[s]
        comp["capex"][i] += pyo.value(m.capex_e[s]) * e_build[k]
        comp["fom"][i] += pyo.value(m.fom_e[s]) * (data.e_existing[s] + e_build[k] + older["energy"][i])
    gen = ds.variables["dispatch_mw"].values / MW
    dis = ds.variables["storage_discharge_mw"].values / MW
    for g in techs:
        i = g_i[g]
        out = dis[i] if data.kind[g] == n.STORAGE else gen[i]
        shape = data.price_shape.get(g)
        comp["vom"][i] = pyo.value(m.vom[g]) * float(out @ (w if shape is None else w * shape))
        if data.price_imported_co2 and data.direct_co2[g] and data.kind[g] != n.STORAGE:
            comp["carbon"][i] += pyo.value(m.carbon_price) * data.direct_co2[g] * float(out @ w)
    U = list(m.U)
    su = _grid(sol, m.su, U, data.hours)
    starts = w / data.step_hours
    for k, g in enumerate(U):
        comp["startup"][g_i[g]] = data.startup[g] * float(su[k] @ starts)
    # fuel and carbon attributed to burners by their share of each carrier's hourly burn
    x = ds.variables["fuel_use_mwh_th"].values / MW
    F = list(m.F)
    price = np.array([pyo.value(m.fuel_price[f]) for f in F])
    co2 = np.array([data.emission[f, "co2"] for f in F])
    cprice = pyo.value(m.carbon_price)
    for c in sorted({data.fuel_carrier[f] for f in F}):
        fi = [i for i, f in enumerate(F) if data.fuel_carrier[f] == c]
        by_plant = burn(data, gen, c)  # GWh_th per hour
        if not by_plant:
            continue
        burners = list(by_plant)
        drawn = np.array(list(by_plant.values()))
        total = drawn.sum(axis=0)
        share = np.divide(drawn, total, out=np.zeros_like(drawn), where=total > 0)
        fuel_cost_t = (price[fi, None] * x[fi]).sum(axis=0)
        carbon_t = cprice * (co2[fi, None] * x[fi]).sum(axis=0)
        for k, g in enumerate(burners):
            comp["fuel"][g_i[g]] += float((share[k] * fuel_cost_t) @ w)
            comp["carbon"][g_i[g]] += float((share[k] * carbon_t) @ w)
    system = {
        "unserved": pyo.value(m.voll) * float(ds.variables["unserved_mw"].values @ w) / MW
        + pyo.value(m.voll_heat) * float(ds.variables["unserved_heat_mw"].values @ w) / MW,
        "penalty": sum(pyo.value(m.target_penalty[k]) * float(sol.value(m.short)[i]) for i, k in enumerate(m.K)),
    }
    table = np.stack([comp[c] for c in COMPONENTS], axis=1) * MONEY
    ds.coords["component"] = list(COMPONENTS)
    totals = table.sum(axis=0)
    for i, c in enumerate(COMPONENTS):
        if c in system:
            totals[i] += system[c] * MONEY
    ds.update({"cost_by_technology_cny_per_yr": ((n.TECH, "component"), table, {"units": "CNY/yr"}),
               "cost_cny_per_yr": ("component", totals, {"units": "CNY/yr"})})  # one alignment, not two


def _shortfall_to_user(kind: str, short: float, demand_mwh: float, peak_mw: float) -> float:
    """A target's shortfall in its level's unit: MW, t/yr, MWh/yr, or a fraction of consumption or peak."""
    family = n.target_family(kind)
    if family == n.SHARE:
        return short * MW / demand_mwh if demand_mwh > 0 else 0.0
    if family == n.MARGIN:
        return short * MW / peak_mw if peak_mw > 0 else 0.0
    return short * LEVEL_SCALE[family]


def _targets(ds: xr.Dataset, m: pyo.ConcreteModel, sol: Solution, data: LPData, inputs: xr.Dataset) -> None:
    """Achieved value, level, shortfall and shadow price of every target (user units)."""
    K = list(m.K)
    duals = sol.dual(m.target_row) if K else np.zeros(0)
    short = sol.value(m.short) if K else np.zeros(0)
    price = np.zeros(len(K))
    demand = float(inputs.variables["demand_mw"].values @ data.weight)
    achieved = target_values(ds, inputs) if K else np.zeros(0)
    for i, k in enumerate(K):
        kind = data.target_kind[k]
        d = 0.0 if math.isnan(duals[i]) else float(duals[i])
        # CNY per user unit = dual x PENALTY_SCALE; a cap's dual is negative, reported as a positive cost
        price[i] = (-1.0 if n.is_ceiling(kind) else 1.0) * d * PENALTY_SCALE[n.target_family(kind)]
    level = inputs.variables["target_level"].values.copy()
    kinds = inputs.variables["target_kind"].values.copy()
    peak = peak_demand_mw(inputs)
    shortfall = np.array([_shortfall_to_user(str(kd), float(s), demand, peak) for s, kd in zip(short, kinds)])
    met = is_met(kinds.astype(str), achieved, level) if K else np.zeros(0, dtype=bool)
    price = np.where(binds(price), price, 0.0)  # interior-point noise is not a price
    # every variable is added in one update, in this order: each ``ds[name] = ...`` would align the whole
    # Dataset again (milliseconds each, most of the extraction of a small LP)
    part: dict[str, Any] = {
        "target_value": (n.TARGET, achieved, {"units": n.units_by_kind(n.LEVEL_UNIT)}),
        "target_level": (n.TARGET, level),
        "target_met": (n.TARGET, met),
        "target_shortfall": (n.TARGET, shortfall),
        "target_shadow_price": (n.TARGET, price, {"units": n.units_by_kind(n.PRICE_UNIT)}),
        "full_load_hours_price_cny_per_mwh": _full_load_hour_prices(m, sol, data),
    }
    for name, (value, desc) in carbon_ledgers(ds, inputs).items():
        part[name] = ((), value, {"units": "t/yr", "long_name": desc})
    part["target_binding"] = (n.TARGET, binds(price))
    for name in ("target_kind", "target_mode", "target_label", "target_label_zh"):
        part[name] = (n.TARGET, inputs.variables[name].values.copy())
    ds.update(part)


def _full_load_hour_prices(m: pyo.ConcreteModel, sol: Solution, data: LPData) -> tuple[str, np.ndarray, dict[str, str]]:
    """What each full-load-hour rule costs per MWh it moves [CNY/MWh] (0 where it does not bind or is absent).

    Returns the variable ``full_load_hours_price_cny_per_mwh`` as (dimension, values, attributes).
    """
    price = np.zeros(len(data.techs))
    for rows, sign in ((m.flh_min, 1.0), (m.flh_max, -1.0)):
        if len(rows):
            duals = sol.dual(rows)
            for i, g in enumerate(rows):
                value = sign * float(duals[i]) * MONEY / MW
                price[data.techs.index(g)] += value if binds(value) else 0.0
    return (n.TECH, price, {"units": "CNY/MWh", "long_name": "cost of the technology's min/max annual full-load-hour "
                                                             "rule per MWh it forces in (min) or keeps out (max); 0 "
                                                             "when it does not bind"})
