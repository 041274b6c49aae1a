"""The numbers behind every chart of the report: pure functions, Datasets in, pandas/numpy out.

Nothing here draws or formats; :mod:`energy_model.output.charts` draws what
these return, so each chart's data can be tested on its own. Units are in
the names: MW, GWh (per month of the horizon, not scaled to a year), CNY/yr,
t/yr. Electricity groups are the carriers of the generators (wind, solar,
coal, gas, biomass) plus ``imports``, ``exports``, ``storage_discharge`` and
``storage_charge``; heat-only boilers are left out of electricity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.inputs.lp_units import time_arrays

#: Hours in one week window of the dispatch charts.
WEEK_H = 168
#: Most points drawn for a price duration curve (the x positions stay true hours).
DURATION_POINTS = 1500
#: Horizons longer than this are drawn per day (daily peak and mean) in the fuel-limit chart [h].
DAILY_ABOVE_H = 1000
#: Order of the electricity groups in stacked charts (bottom to top); others follow.
GROUP_ORDER = ("coal", "gas", "biomass", "wind", "solar", "imports", "storage_discharge", "unserved",
               "storage_charge", "exports")


def _kinds(inputs: xr.Dataset) -> np.ndarray:
    return inputs["kind"].values.astype(str)


def electricity_group(inputs: xr.Dataset) -> np.ndarray:
    """Display group of each technology: its carrier, or imports / exports / storage / heat [-]."""
    kind = _kinds(inputs)
    carrier = inputs["carrier"].values.astype(str)
    return np.select([kind == n.IMPORT, kind == n.EXPORT, kind == n.STORAGE, kind == n.BOILER],
                     ["imports", "exports", "storage", "heat"], carrier)


def _ordered(columns: list[str]) -> list[str]:
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(columns, key=lambda g: (rank.get(g, len(rank)), g))


def hourly_supply_by_group(results: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """Hourly electricity by group, exports and charging negative, plus unserved energy [MW].

    The columns sum to ``demand_mw`` every hour (the electricity balance);
    ``demand_mw`` is the last column.
    """
    group = electricity_group(inputs)
    kind = _kinds(inputs)
    disp = results["dispatch_mw"].values
    time = pd.DatetimeIndex(inputs[n.TIME].values)
    cols: dict[str, np.ndarray] = {}
    for g in sorted(set(group) - {"heat", "storage"}):
        sign = -1.0 if g == "exports" else 1.0
        cols[g] = sign * disp[group == g].sum(axis=0)
    store = kind == n.STORAGE
    if store.any():
        cols["storage_discharge"] = np.nan_to_num(results["storage_discharge_mw"].values[store]).sum(axis=0)
        cols["storage_charge"] = -np.nan_to_num(results["storage_charge_mw"].values[store]).sum(axis=0)
    cols["unserved"] = results["unserved_mw"].values
    frame = pd.DataFrame(cols, index=time)[_ordered(list(cols))]
    frame["demand_mw"] = inputs["demand_mw"].values
    return frame


def week_windows(results: xr.Dataset, inputs: xr.Dataset, hours: int = WEEK_H) -> dict[str, tuple[int, int]]:
    """Start and stop hour of the peak-demand week and of the lowest-wind week.

    The peak-demand week is centred on the hour of highest demand; the
    lowest-wind week is the ``hours``-long window with the least available
    wind output (before curtailment). Horizons up to ``hours`` long give the
    whole horizon for both.

    Returns
    -------
    dict
        ``{"peak_demand": (start, stop), "low_wind": (start, stop)}`` [hour index].
    """
    total = inputs.sizes[n.TIME]
    if total <= hours:
        return {"peak_demand": (0, total), "low_wind": (0, total)}
    peak = int(np.argmax(inputs["demand_mw"].values))
    start = int(np.clip(peak - hours // 2, 0, total - hours))
    wind = inputs["carrier"].values.astype(str) == "wind"
    avail = np.nan_to_num(results["available_mw"].values[wind]).sum(axis=0)
    window = np.convolve(avail, np.ones(hours), mode="valid")
    low = int(np.argmin(window))
    return {"peak_demand": (start, start + hours), "low_wind": (low, low + hours)}


def price_duration(price: np.ndarray, max_points: int = DURATION_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Sorted hourly prices with their true rank, thinned to at most ``max_points``.

    Parameters
    ----------
    price : numpy.ndarray
        Hourly marginal price [CNY/MWh].

    Returns
    -------
    hours : numpy.ndarray
        Rank of each kept point, from 0 to ``len(price) - 1`` [h]: the curve spans the whole horizon.
    values : numpy.ndarray
        Price at that rank, highest first [CNY/MWh].
    """
    ordered = np.sort(np.asarray(price, dtype=float))[::-1]
    if ordered.size == 0:
        return np.zeros(0), np.zeros(0)
    keep = np.unique(np.round(np.linspace(0, ordered.size - 1, min(max_points, ordered.size))).astype(int))
    return keep.astype(float), ordered[keep]


#: Cost categories of the breakdown, in the order shown.
COST_CATEGORIES = ("investment", "fixed_om", "variable_om", "startup", "fuel", "carbon", "imports",
                   "export_revenue", "unserved", "penalty")


def cost_breakdown(results: xr.Dataset, inputs: xr.Dataset) -> pd.Series:
    """Annual system cost by category [CNY/yr]; the categories sum to the objective.

    Grid imports and exports are their own categories (their price is a
    variable cost in the model); export revenue is negative.
    """
    table = results["cost_by_technology_cny_per_yr"].to_pandas()
    kind = pd.Series(_kinds(inputs), index=inputs[n.TECH].values.astype(str))
    grid_in = table.loc[kind == n.IMPORT].to_numpy().sum()
    grid_out = table.loc[kind == n.EXPORT].to_numpy().sum()
    own = table.loc[~kind.isin([n.IMPORT, n.EXPORT])].sum(axis=0)
    by_component = results["cost_cny_per_yr"].to_series()
    # costs not booked to a technology (unserved energy, soft-target penalties) come from the system totals
    unbooked = by_component - table.sum(axis=0)
    out = pd.Series({
        "investment": own.get("capex", 0.0),
        "fixed_om": own.get("fom", 0.0),
        "variable_om": own.get("vom", 0.0),
        "startup": own.get("startup", 0.0),
        "fuel": own.get("fuel", 0.0),
        "carbon": own.get("carbon", 0.0),
        "imports": grid_in,
        "export_revenue": grid_out,
        "unserved": own.get("unserved", 0.0) + unbooked.get("unserved", 0.0),
        "penalty": own.get("penalty", 0.0) + unbooked.get("penalty", 0.0),
    }, dtype=float)
    return out[list(COST_CATEGORIES)]


def emissions(results: xr.Dataset) -> pd.DataFrame:
    """Emissions by pollutant (rows co2, so2, nox, pm) and fuel, plus CO2 in imported electricity [t/yr]."""
    frame = results["emissions_t_per_yr"].to_pandas().T  # pollutant x fuel
    frame["imports"] = 0.0
    frame.loc["co2", "imports"] = float(results["imported_co2_t_per_yr"].sum())
    return frame.loc[[p for p in n.POLLUTANTS if p in frame.index]]


@dataclass
class FuelLimitUse:
    """Use of one fuel supply against its limits (for the fuel-limit chart).

    ``time`` and ``peak``/``mean`` are hourly, or daily peak and mean of the
    hourly use when the horizon is long [unit/h]; ``cumulative`` is the use
    since the start, scaled to a year by the horizon weight [unit/yr].
    """

    fuel: str
    unit: str
    time: pd.DatetimeIndex
    peak: np.ndarray
    mean: np.ndarray
    limit_per_h: float
    cumulative_time: pd.DatetimeIndex
    cumulative: np.ndarray
    limit_per_yr: float
    daily: bool


def fuel_limits(results: xr.Dataset, inputs: xr.Dataset) -> list[FuelLimitUse]:
    """Use of every fuel supply with a finite hourly limit (the LNG terminal's send-out, the gas pipeline).

    Supplies with only an annual limit (straw) are in the fuel table; their hourly use says nothing new.
    """
    out = []
    w = time_arrays(inputs)[0]
    time = pd.DatetimeIndex(inputs[n.TIME].values)
    per_unit = inputs["energy_mwh_per_unit"].values
    for j, f in enumerate(inputs[n.FUEL].values.astype(str)):
        lim_h = float(inputs["max_units_per_h"].values[j])
        lim_y = float(inputs["max_units_per_yr"].values[j])
        if not np.isfinite(lim_h):
            continue
        use = pd.Series(results["fuel_use_mwh_th"].values[j] / per_unit[j], index=time).clip(lower=0.0)
        daily = len(time) > DAILY_ABOVE_H
        grouped = use.resample("D") if daily else None
        peak = grouped.max() if grouped is not None else use
        mean = use.resample("D").mean() if daily else use
        out.append(FuelLimitUse(f, str(inputs["fuel_unit"].values[j]), pd.DatetimeIndex(peak.index),
                                peak.to_numpy(), mean.to_numpy(), lim_h, time, (use.to_numpy() * w).cumsum(), lim_y,
                                daily))
    return out


def curtailment_by_month(results: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """Curtailed renewable energy per month and technology, and the month's share curtailed.

    Returns
    -------
    pandas.DataFrame
        Index: month (``YYYY-MM``); one column per variable technology [GWh in the
        month of the horizon] and ``share`` (curtailed / available of all of them) [-].
    """
    var = _kinds(inputs) == n.VARIABLE
    techs = inputs[n.TECH].values.astype(str)[var]
    time = pd.DatetimeIndex(inputs[n.TIME].values)
    curt = pd.DataFrame(np.nan_to_num(results["curtailment_mw"].values[var]).T / 1000.0, index=time,
                        columns=techs).clip(lower=0.0)
    avail = np.nan_to_num(results["available_mw"].values[var]).sum(axis=0) / 1000.0
    month = time.to_period("M").astype(str)
    frame = curt.groupby(month).sum()
    total_avail = pd.Series(avail, index=time).groupby(month).sum()
    frame["share"] = np.divide(frame[list(techs)].sum(axis=1).to_numpy(), total_avail.to_numpy(),
                               out=np.zeros(len(frame)), where=total_avail.to_numpy() > 0)
    frame.index.name = "month"
    return frame


def capacity_with_without(results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset) -> pd.DataFrame:
    """Installed electric capacity without and with the targets, per technology [MW].

    Grid links (imports, exports) and heat-only boilers are left out; rows
    that are zero in both cases are dropped.

    Returns
    -------
    pandas.DataFrame
        Index: technology id; columns ``existing_mw``, ``without_targets_mw``, ``with_targets_mw``.
    """
    keep = ~np.isin(_kinds(inputs), [n.IMPORT, n.EXPORT, n.BOILER])
    frame = pd.DataFrame({
        "existing_mw": inputs["existing_mw"].values[keep],
        "without_targets_mw": reference["capacity_mw"].values[keep],
        "with_targets_mw": results["capacity_mw"].values[keep],
    }, index=pd.Index(inputs[n.TECH].values.astype(str)[keep], name=n.TECH))
    return frame[(frame[["without_targets_mw", "with_targets_mw"]].abs() > 0.5).any(axis=1)]


@dataclass
class ChartData:
    """Everything the report draws, computed once for both languages."""

    capacity: pd.DataFrame
    monthly: pd.DataFrame
    weeks: dict[str, pd.DataFrame]
    price: dict[str, tuple[np.ndarray, np.ndarray]]
    hours: int
    costs: pd.DataFrame
    emissions: dict[str, pd.DataFrame]
    fuels: list[FuelLimitUse]
    curtailment: pd.DataFrame


def hour_map(inputs: xr.Dataset) -> tuple[np.ndarray, pd.DatetimeIndex] | None:
    """For an aggregated run: the step of every hour of the horizon and the hours' times (None otherwise).

    Typical days: every day of the horizon shows its representative day;
    segments: every hour shows its segment's mean.
    """
    method = str(inputs.attrs.get("aggregation_method", "none"))
    if method == "none":
        return None
    period = inputs["step_period"].values.astype(int)
    if method == "typical_days":
        seq = inputs["period_sequence"].values.astype(int)
        steps_of = [np.flatnonzero(period == k) for k in range(int(period.max()) + 1)]
        index = np.concatenate([steps_of[k] for k in seq])
        days = pd.DatetimeIndex(inputs["period_sequence"]["day"].values)
        per_day = len(steps_of[0])
        times = pd.DatetimeIndex((days.values[:, None] + np.arange(per_day)[None] * np.timedelta64(1, "h")).ravel())
        return index, times
    index = np.repeat(np.arange(inputs.sizes[n.TIME]), inputs["step_hours"].values.astype(int))
    start = pd.DatetimeIndex(inputs[n.TIME].values)[0]
    return index, pd.date_range(start, periods=len(index), freq="h")


def hourly_view(ds: xr.Dataset, inputs: xr.Dataset) -> xr.Dataset:
    """``ds`` (results or the inputs themselves) laid out over the horizon's hours, for charts.

    Without aggregation ``ds`` is returned as it is. The inputs' weights
    become the plain horizon's (8760 / hours each), so annual sums of the
    view equal the aggregated run's.
    """
    mapping = hour_map(inputs)
    if mapping is None:
        return ds
    index, times = mapping
    out = ds.isel({n.TIME: index}).assign_coords({n.TIME: times.values})
    if "time_weight" in out:
        hours = len(index)
        out["time_weight"] = (n.TIME, np.full(hours, n.HOURS_PER_YEAR / hours))
        out["step_hours"] = (n.TIME, np.ones(hours))
        out["step_period"] = (n.TIME, np.zeros(hours, dtype=int))
        out.attrs = {k: v for k, v in out.attrs.items() if not k.startswith("aggregation_")}
        out.attrs["hour_weight"] = n.HOURS_PER_YEAR / hours
    return out


def collect(results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset) -> ChartData:
    """The data of every chart of a run (enforced case ``results``, reference case ``reference``).

    An aggregated run is charted over the horizon's hours (:func:`hourly_view`).
    """
    from energy_model.analysis.metrics import monthly_generation

    results, reference, inputs = hourly_view(results, inputs), hourly_view(reference, inputs), \
        hourly_view(inputs, inputs)

    hourly = hourly_supply_by_group(results, inputs)
    weeks = {name: hourly.iloc[a:b] for name, (a, b) in week_windows(results, inputs).items()}
    monthly = monthly_generation(results, inputs)
    monthly = monthly[_ordered([c for c in monthly.columns if c != "demand"]) + ["demand"]]
    return ChartData(
        capacity=capacity_with_without(results, reference, inputs),
        monthly=monthly,
        weeks=weeks,
        price={"with": price_duration(results["price_cny_per_mwh"].values),
               "without": price_duration(reference["price_cny_per_mwh"].values)},
        hours=int(inputs.sizes[n.TIME]),
        costs=pd.DataFrame({"without": cost_breakdown(reference, inputs), "with": cost_breakdown(results, inputs)}),
        emissions={"without": emissions(reference), "with": emissions(results)},
        fuels=fuel_limits(results, inputs),
        curtailment=curtailment_by_month(results, inputs),
    )
