"""Time aggregation: typical days (tsam medoids, extremes kept) or variable-length segments.

The LP is written over *steps*. Without aggregation a step is one hour of
the horizon. With aggregation a step stands for a range of original hours
and carries two numbers (see :class:`TimeStructure`):

- ``step_hours[t]`` — its duration [h]: 1 for typical days, the segment
  length for segments. Every time-coupled row (storage, ramps) uses it.
- ``weight[t]`` — the hours per year it stands for [h/yr]: annual energy
  [MWh/yr] = ``sum_t weight[t] * power[t]`` with power in MW.
  For typical days ``weight = days represented x 8760 / horizon hours``;
  for segments ``weight = step_hours x 8760 / horizon hours``.

Typical days: the days of the horizon are clustered with tsam
(``tsam.aggregate``, hierarchical clustering, medoid representation) on the
series the LP uses (electricity and heat demand, every capacity-factor
profile of a variable technology). Each representative day is a real day of
the horizon (the member closest to tsam's representative), so its hours are
real weather; extreme days (``peak_demand``...) are carved out of their
clusters and kept as days of weight one. Demand, heat and capacity factors
are then scaled so that their weighted annual totals equal the full
horizon's (capacity factors are capped at 1 after scaling). The order of the
original days (``sequence``: day -> representative) is kept for storage
linking across days (Kotzur et al. 2018, Appl. Energy 213:123-135).

Segments: tsam's segmentation of the whole horizon as one period (as PyPSA's
``n.cluster.temporal.segment``): adjacent hours are merged into ``periods``
chronological steps; a step's values are the means of its hours, so every
annual energy is kept exactly.

Results are cached by the content of the series and the specification, in
the process and between processes in the user's cache folder
(:mod:`energy_model.io.disk_cache`): a sweep that changes costs aggregates
once, and so does a scenario run again.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from energy_model import vocabulary as n
from energy_model.errors import InputError, InputIssue
from energy_model.io.case import Case
from energy_model.io.disk_cache import DiskLayer
from energy_model.io.schema import AggregationSpec

#: Hours of one typical period.
PERIOD_HOURS = 24
#: Aggregations kept in the process cache.
CACHE_SIZE = 16
_CACHE: OrderedDict[str, TimeStructure] = OrderedDict()


@dataclass(frozen=True)
class TimeStructure:
    """How the LP's steps map onto the horizon's hours.

    Attributes
    ----------
    method : str
        ``none``, ``typical_days`` or ``segments``.
    start, length : numpy.ndarray of int
        Each step's first original hour and number of hours; its values are
        the means of the series over those hours (times ``scale``).
    step_hours : numpy.ndarray
        Duration of each step [h].
    weight : numpy.ndarray
        Hours per year each step stands for [h/yr].
    period : numpy.ndarray of int
        Representative period of each step (0 for segments and none);
        the steps of a period are contiguous and chronological.
    sequence : numpy.ndarray of int
        Typical days: representative period of every original day, in
        order (empty otherwise).
    extremes : dict of str to int
        Typical days: original day index of each extreme kept.
    scale : dict of str to float
        Factor applied to each series on the steps that are not ``fixed`` so
        that its weighted total equals the full horizon's (1 for segments).
    fixed : numpy.ndarray of bool
        Steps of extreme days: their values are kept as they are (not scaled).
    """

    method: str
    start: np.ndarray
    length: np.ndarray
    step_hours: np.ndarray
    weight: np.ndarray
    period: np.ndarray
    sequence: np.ndarray
    extremes: dict[str, int]
    scale: dict[str, float]
    fixed: np.ndarray

    @property
    def steps(self) -> int:
        """Number of LP steps."""
        return len(self.start)

    def mean(self, series: np.ndarray) -> np.ndarray:
        """Mean of an hourly series over each step's hours (unscaled)."""
        c = np.concatenate([[0.0], np.cumsum(np.asarray(series, dtype=float))])
        return (c[self.start + self.length] - c[self.start]) / self.length


def _series(case: Case) -> pd.DataFrame:
    """The hourly series the LP uses, one column each (demand, heat, every used capacity-factor profile)."""
    cols: dict[str, np.ndarray] = {"demand": case.demand_shape, "heat": case.heat_shape}
    t = case.technologies
    for g in t.index:
        if t.loc[g, "kind"] == n.VARIABLE:
            prof = str(t.loc[g, "profile"])
            cols[f"cf:{prof}"] = np.asarray(case.capacity_factors[prof], dtype=float)[: case.hours]
    return pd.DataFrame({k: np.asarray(v, dtype=float)[: case.hours] for k, v in cols.items()})


def _profiles_of(case: Case, carrier: str | None) -> list[str]:
    t = case.technologies
    return sorted({f"cf:{t.loc[g, 'profile']}" for g in t.index
                   if t.loc[g, "kind"] == n.VARIABLE and (carrier is None or t.loc[g, "carrier"] == carrier)})


def _key(spec: AggregationSpec, case: Case, frame: pd.DataFrame) -> str:
    h = hashlib.sha256(spec.model_dump_json().encode())
    h.update(str(case.time[0]).encode() + str(len(case.time)).encode())
    for name in frame.columns:
        h.update(name.encode())
        h.update(np.ascontiguousarray(frame[name].to_numpy()).tobytes())
    extremes_cols = {e: _profiles_of(case, c) for e, c in (("w", "wind"), ("s", "solar"), ("r", None))}
    h.update(repr(extremes_cols).encode())
    return h.hexdigest()


def time_structure(case: Case) -> TimeStructure:
    """The steps of ``case`` under its aggregation (every hour a step for ``method: none``).

    Raises
    ------
    InputError
        When the horizon cannot be aggregated as asked (not whole days,
        more periods than days or hours, an extreme with no series).
    """
    spec = case.aggregation
    hours = case.hours
    if spec.method == "none":
        w = np.full(hours, case.hour_weight if case.hour_weight is not None else n.HOURS_PER_YEAR / hours)
        ones = np.ones(hours, dtype=int)
        return TimeStructure("none", np.arange(hours), ones, ones.astype(float), w, np.zeros(hours, dtype=int),
                             np.zeros(0, dtype=int), {}, {}, np.zeros(hours, dtype=bool))
    check_periods(case)
    frame = _series(case)
    key = _key(spec, case, frame)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ts = _DISK.load(key)
    if ts is None:
        ts = _typical_days(case, spec, frame) if spec.method == "typical_days" else _segments(case, spec, frame)
        _DISK.save(key, ts)
    _CACHE[key] = ts
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return ts


_ARRAYS = ("start", "length", "step_hours", "weight", "period", "sequence", "fixed")


def _encode(ts: TimeStructure) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """A TimeStructure as arrays and a JSON header, for the disk cache (None if a value is not plain)."""
    extremes, scale = dict(ts.extremes), dict(ts.scale)
    if not all(type(v) is int for v in extremes.values()) or not all(type(v) is float for v in scale.values()):
        return None
    return {a: getattr(ts, a) for a in _ARRAYS}, {"method": ts.method, "extremes": extremes, "scale": scale}


def _decode(arrays: dict[str, np.ndarray], header: dict[str, Any]) -> TimeStructure:
    return TimeStructure(method=header["method"], start=arrays["start"], length=arrays["length"],
                         step_hours=arrays["step_hours"], weight=arrays["weight"], period=arrays["period"],
                         sequence=arrays["sequence"], extremes=dict(header["extremes"]), scale=dict(header["scale"]),
                         fixed=arrays["fixed"])


#: Aggregations kept between processes in the user's cache folder (:mod:`energy_model.io.disk_cache`).
_DISK: DiskLayer[TimeStructure] = DiskLayer("time_structure", _encode, _decode,
                                            modules=("energy_model.inputs.aggregate", "energy_model.io.disk_cache"),
                                            packages=("numpy", "pandas", "scipy", "tsam"))


def check_periods(case: Case) -> None:
    """Refuse an aggregation the horizon cannot hold, before any clustering.

    Raises
    ------
    InputError
        ``typical_days`` on a horizon that is not whole days or with
        ``periods`` not below its number of days; ``segments`` with more
        ``periods`` than hours (key ``aggregation.method`` or ``aggregation.periods``).
    """
    spec = case.aggregation
    hours = case.hours
    if spec.method == "typical_days":
        if hours % PERIOD_HOURS:
            raise _issue(case, "method", f"typical_days needs a horizon of whole days; this one has {hours} hours",
                         spec.method)
        days = hours // PERIOD_HOURS
        if spec.periods >= days:
            raise _issue(case, "periods", f"must be fewer than the horizon's {days} days for typical_days",
                         spec.periods)
    elif spec.method == "segments" and spec.periods > hours:
        raise _issue(case, "periods", f"must be at most the horizon's {hours} hours for segments", spec.periods)


def _issue(case: Case, key: str, message: str, value: object) -> InputError:
    return InputError(InputIssue(case.file, f"aggregation.{key}", message, value=value))


def _clusterable(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that vary (tsam normalises each column; a constant one carries no information)."""
    keep = [c for c in frame.columns if float(frame[c].max() - frame[c].min()) > 1e-12]
    return frame[keep] if keep else frame.iloc[:, :1]


def _cdist(a: np.ndarray, b: np.ndarray, metric: str) -> np.ndarray:
    from scipy.spatial.distance import cdist  # scipy is imported when days are clustered, not when cached

    return np.asarray(cdist(a, b, metric))


def _run_tsam(data: pd.DataFrame, **kwargs: Any) -> Any:
    import tsam

    logging.getLogger("tsam").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tsam.aggregate(data, **kwargs)


def _typical_days(case: Case, spec: AggregationSpec, frame: pd.DataFrame) -> TimeStructure:
    from tsam import ClusterConfig

    hours = case.hours
    days = hours // PERIOD_HOURS  # whole days and periods < days: checked by check_periods
    data = _clusterable(frame)
    data.index = pd.date_range("2001-01-01", periods=hours, freq="h")  # tsam wants a regular index
    result = _run_tsam(data, n_clusters=spec.periods, period_duration=PERIOD_HOURS,
                       cluster=ClusterConfig(method="hierarchical", representation="medoid"))
    assign = np.asarray(result.cluster_assignments, dtype=np.int64)
    reps = result.cluster_representatives
    x = data.to_numpy().reshape(days, PERIOD_HOURS, -1)
    spread = x.reshape(hours, -1).std(axis=0)
    spread[spread == 0] = 1.0
    extremes = _extreme_days(case, spec, frame, days)
    # extreme days are carved out of their clusters and become periods of their own (an extreme day that
    # tsam already made a cluster of its own keeps that cluster: it then counts as one of the periods)
    group = assign.copy()
    medoid: dict[int, int] = {}
    carved: set[int] = set()
    next_id = int(assign.max()) + 1
    for day in sorted(set(extremes.values())):
        if np.sum(group == group[day]) > 1:
            carved.add(int(group[day]))
            group[day] = next_id
            medoid[next_id] = day
            next_id += 1
        else:
            medoid[int(group[day])] = day
    for k in np.unique(assign):
        k = int(k)
        members = np.flatnonzero(group == k)
        if not len(members) or k in medoid:
            continue
        if k in carved:  # it lost a day to the extremes: the medoid of the days left
            flat = (x[members] / spread).reshape(len(members), -1)
            medoid[k] = int(members[np.argmin(_cdist(flat, flat, "cityblock").sum(axis=1))])
        else:  # the member closest to tsam's representative (its medoid, rescaled by tsam)
            target = reps.loc[k].to_numpy()
            dist = (np.abs(x[members] - target[None]) / spread).sum(axis=(1, 2))
            medoid[k] = int(members[np.argmin(dist)])
    used = sorted(set(int(g) for g in group), key=lambda k: medoid[k])  # chronological by their day
    order = {k: i for i, k in enumerate(used)}
    sequence = np.array([order[int(g)] for g in group], dtype=int)
    counts = np.bincount(sequence, minlength=len(used)).astype(float)
    first_day = np.array([medoid[k] for k in used])
    start = (first_day[:, None] * PERIOD_HOURS + np.arange(PERIOD_HOURS)[None]).ravel()
    step_period = np.repeat(np.arange(len(used)), PERIOD_HOURS)
    weight = counts[step_period] * _base_weight(case)
    extreme_day = set(extremes.values())
    fixed = np.repeat(np.array([medoid[k] in extreme_day and counts[order[k]] == 1 for k in used]), PERIOD_HOURS)
    ones = np.ones(len(start), dtype=int)
    ts = TimeStructure("typical_days", start, ones, ones.astype(float), weight, step_period, sequence,
                       extremes, {}, fixed)
    scale = {}
    for col in frame.columns:
        values = ts.mean(frame[col].to_numpy()) * weight
        free_total = float(values[~fixed].sum())
        rest = float(frame[col].sum()) * _base_weight(case) - float(values[fixed].sum())
        scale[col] = rest / free_total if free_total > 0 and rest > 0 else 1.0
    return TimeStructure("typical_days", start, ones, ones.astype(float), weight, step_period, sequence,
                         extremes, scale, fixed)


def _base_weight(case: Case) -> float:
    """Hours per year one hour of the horizon stands for [h/yr] (8760 / hours unless the case sets it)."""
    return float(case.hour_weight) if case.hour_weight is not None else n.HOURS_PER_YEAR / case.hours


def _extreme_days(case: Case, spec: AggregationSpec, frame: pd.DataFrame, days: int) -> dict[str, int]:
    """Original day index of every extreme asked for."""
    daily = frame.to_numpy().reshape(days, PERIOD_HOURS, -1)
    col = {c: i for i, c in enumerate(frame.columns)}
    out: dict[str, int] = {}
    for name in spec.extremes:
        if name in ("peak_demand", "peak_heat"):
            series = daily[:, :, col["demand" if name == "peak_demand" else "heat"]]
            annual = case.demand_annual_mwh if name == "peak_demand" else case.heat_annual_mwh
            if float(series.max()) <= 0 or not annual > 0:  # the series are shapes: a zero total has a shape too
                raise _issue(case, "extremes", f"{name}: this scenario has no such demand", name)
            out[name] = int(np.argmax(series.max(axis=1)))
            continue
        carrier = {"min_wind_day": "wind", "min_solar_day": "solar", "min_renewable_day": None}[name]
        profiles = _profiles_of(case, carrier)
        if not profiles:
            raise _issue(case, "extremes", f"{name}: no variable technology of that kind in this scenario", name)
        out[name] = int(np.argmin(daily[:, :, [col[p] for p in profiles]].mean(axis=(1, 2))))
    return out


def _segments(case: Case, spec: AggregationSpec, frame: pd.DataFrame) -> TimeStructure:
    from tsam import SegmentConfig

    hours = case.hours
    if spec.periods == hours:  # every step one hour: the full horizon, written as segments
        ones = np.ones(hours, dtype=int)
        return TimeStructure("segments", np.arange(hours), ones, ones.astype(float),
                             np.full(hours, _base_weight(case)), np.zeros(hours, dtype=int),
                             np.zeros(0, dtype=int), {}, {c: 1.0 for c in frame.columns}, np.zeros(hours, dtype=bool))
    data = _clusterable(frame)
    data.index = pd.date_range("2001-01-01", periods=hours, freq="h")
    result = _run_tsam(data, n_clusters=1, period_duration=hours, segments=SegmentConfig(n_segments=spec.periods))
    durations = np.asarray(result.segment_durations, dtype=np.int64).ravel()
    if int(durations.sum()) != hours:
        raise RuntimeError(f"tsam segment durations sum to {durations.sum()} h, not {hours} h")
    start = np.concatenate([[0], np.cumsum(durations)[:-1]]).astype(int)
    steps = len(durations)
    return TimeStructure("segments", start, durations, durations.astype(float),
                         durations * _base_weight(case), np.zeros(steps, dtype=int),
                         np.zeros(0, dtype=int), {}, {c: 1.0 for c in frame.columns}, np.zeros(steps, dtype=bool))


def aggregate_series(ts: TimeStructure, name: str, series: np.ndarray, cap: float | None = None) -> np.ndarray:
    """A series on the steps: mean over each step's hours, scaled (but for extreme days) to keep the annual total.

    With ``cap`` (capacity factors: 1) the scaled values are capped and the
    energy lost above the cap is put back on the steps below it, repeatedly,
    so the weighted total is still the full horizon's where the cap allows.
    """
    if ts.method == "none":
        return np.asarray(series, dtype=float)[: ts.steps]
    out = ts.mean(series)
    free = ~ts.fixed
    out[free] = out[free] * ts.scale.get(name, 1.0)
    if cap is None:
        return out
    target = float(out[free] @ ts.weight[free])
    out = np.minimum(out, cap)
    for _ in range(100):
        room = free & (out < cap)
        missing = target - float(out[free] @ ts.weight[free])
        below = float(out[room] @ ts.weight[room])
        if missing <= 1e-12 * max(target, 1.0) or below <= 0:
            break
        out[room] = np.minimum(out[room] * (1.0 + missing / below), cap)
    return out
