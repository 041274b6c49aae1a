"""Parameter sweeps: many variants of one scenario, built once per worker, resumable.

A sweep file (YAML) names a scenario and the parameters to vary (Study paths
in user units)::

    name: offshore_capex_lng_price
    scenario: ../plan_year.yaml
    mode: grid                     # grid: every combination; list: i-th values together; random
    parameters:
      technologies.offshore_wind.capex_cny_per_kw: [8000, 10000, 12000]
      fuels.lng.price_cny_per_unit: {start: 3000, stop: 6000, num: 4}
    samples: 100                   # random mode: draws, uniform between the first and last value
    seed: 1
    workers: 2                     # local processes; each builds the model once
    case: enforced                 # enforced (one LP per variant) | reference | both

Every variant is written to ``<out>/<sweep>/variants/<id>.json`` as soon as it
is solved (temporary name, then ``os.replace``), keyed by a hash of the base
inputs and its changes; a rerun skips variants already committed with the
same key, so a killed sweep resumes where it stopped. At the end the variants
are gathered into ``sweep.csv`` and ``sweep.nc`` (dimension ``variant``).
A variant whose solve fails is recorded with its status and message; the
sweep then exits with code 10 (:class:`~energy_model.errors.PartialSweepError`).

Worker processes are watched one by one: a worker that dies (killed, out of
memory) costs only the variant it was solving, which is recorded with status
``worker_died`` (and solved again when the sweep is resumed); the rest of
its variants go to a fresh worker. A worker exits by itself within a second
of the sweep's main process dying (``PR_SET_PDEATHSIG`` on Linux, and a
thread watching the parent process id), so a killed sweep leaves no
orphans. A write that fails (disk full) stops the sweep with exit 7 and
leaves no temporary file; committed variants are kept for the resume.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import itertools
import json
import multiprocessing as mp
import os
import re
import signal
import sys
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    FiniteFloat,
    StrictStr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from scipy.stats import qmc

from energy_model import errors
from energy_model import vocabulary as n
from energy_model.analysis.aggregation_check import FUEL_KEY, annual_errors, annual_floors, flagged, largest
from energy_model.engine.measures import consumption_mwh, share
from energy_model.errors import MAX_ISSUES, EnergyModelError, InputError, InputIssue, PartialSweepError
from energy_model.inputs.aggregate import check_periods
from energy_model.inputs.lp_units import time_arrays
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes, current_value
from energy_model.io.paths import results_dir
from energy_model.io.scenario_file import issues_from_validation
from energy_model.io.workers import check_workers, local_workers, workers_problem
from energy_model.io.yaml_safe import load_yaml
from energy_model.output.run_folder import (
    MANIFEST,
    SWEEP,
    TOOL,
    check_writable,
    folder_kind,
    run_lock,
    write_atomic,
    write_csv,
    write_json,
    write_netcdf,
)
from energy_model.sweep.indices import indices_dataset
from energy_model.sweep.sampling import (
    DEFAULT_LEVELS,
    SENSITIVITY_MODES,
    morris_count,
    morris_unit,
    saltelli_count,
    saltelli_unit,
)
from energy_model.sweep.sensitivity import sweep_indices

#: Most variants a sweep may expand to.
MAX_VARIANTS = 100_000
#: Draws of ``mode: random`` when the file gives no ``samples``.
DEFAULT_SAMPLES = 10
#: Status of a variant whose worker process died while solving it (solved again when the sweep resumes).
WORKER_DIED = "worker_died"
#: Workers started for one chunk that die before solving any variant (while building the model) before giving up.
MAX_BUILD_ATTEMPTS = 2
#: Seconds between a worker's checks that the sweep's main process still lives.
PARENT_POLL_S = 0.5
#: Seconds a worker that is being stopped gets before it is killed.
STOP_GRACE_S = 3.0
#: ``prctl`` option: signal sent to this process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1
#: What a failed write leaves behind, for the disk-full message.
AFTER_FAILED_WRITE = "no partial file was left; the variants committed so far are kept: run the sweep again to resume"
#: The files that sum a sweep up, in the order they are written.
#: The sensitivity indices of a saltelli or morris sweep, beside sweep.csv.
SENSITIVITY_CSV = "sensitivity.csv"
SWEEP_FILES = ("sweep.csv", "sweep.nc", MANIFEST, "sweep.html")


def after_failed_sweep_file(fname: str, status: str = "complete") -> str:
    """What a failed write of ``fname`` (one of :data:`SWEEP_FILES`) leaves behind, for its message.

    Names the files written before it and those not written, so the message
    never says "nothing" when the table and the manifest are already there.
    """
    done = SWEEP_FILES[:SWEEP_FILES.index(fname)]
    todo = SWEEP_FILES[SWEEP_FILES.index(fname):]
    written = ", ".join(f"{f} (marked {status})" if f == MANIFEST else f for f in done)
    text = (f"{written} {'was' if len(done) == 1 else 'were'} written; " if done else "") + \
        f"{', '.join(todo)} {'was' if len(todo) == 1 else 'were'} not written (any earlier copy is unchanged)"
    return f"{text}; {AFTER_FAILED_WRITE}"


class Linspace(BaseModel):
    """Evenly spaced values from ``start`` to ``stop`` (inclusive)."""

    model_config = ConfigDict(extra="forbid")
    start: FiniteFloat
    stop: FiniteFloat
    num: int = Field(ge=2, le=10_000)


class Bounds(BaseModel):
    """A parameter's range for sampled and one-at-a-time sweeps: ``{low: x, high: y}``, low below high."""

    model_config = ConfigDict(extra="forbid")
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Cheapest(BaseModel):
    """``verify: {cheapest: N}``: the N variants with the lowest objective."""

    model_config = ConfigDict(extra="forbid")
    cheapest: int = Field(ge=1, le=MAX_VARIANTS)


class MostDifferent(BaseModel):
    """``verify: {most_different: N}``: N variants far apart in capacity (see :func:`most_different`)."""

    model_config = ConfigDict(extra="forbid")
    most_different: int = Field(ge=1, le=MAX_VARIANTS)


#: Forms a parameter's entry may take, for messages.
PARAMETER_FORMS = "a list of values, {start, stop, num} or {low, high}"
#: Forms ``verify`` may take, for messages.
VERIFY_FORMS = "all, {cheapest: N}, {most_different: N} or a list of variant ids or indices"
#: Modes that draw variants between bounds, and the modes that need bounds (a 2-value list or {low, high}).
SAMPLED_MODES = ("random", "lhs", "sobol")
BOUNDED_MODES = ("lhs", "sobol", "oat", *SENSITIVITY_MODES)
#: Tags of the union members, as pydantic puts them in an error's location (removed for messages).
_TAGS = {"values", "linspace", "bounds", "all", "cheapest", "most_different", "ids"}


def _values_kind(v: Any) -> str | None:
    if isinstance(v, (list, tuple)):
        return "values"
    if isinstance(v, Bounds) or (isinstance(v, dict) and {"low", "high"} & set(v)):
        return "bounds"
    if isinstance(v, Linspace) or (isinstance(v, dict) and {"start", "stop", "num"} & set(v)):
        return "linspace"
    return None


def _verify_kind(v: Any) -> str | None:
    if isinstance(v, str):
        return "all"
    if isinstance(v, Cheapest) or (isinstance(v, dict) and "cheapest" in v):
        return "cheapest"
    if isinstance(v, MostDifferent) or (isinstance(v, dict) and "most_different" in v):
        return "most_different"
    if isinstance(v, (list, tuple)):
        return "ids"
    return None


ParameterValues = Annotated[
    Annotated[list[FiniteFloat], Tag("values")] | Annotated[Linspace, Tag("linspace")]
    | Annotated[Bounds, Tag("bounds")],
    Discriminator(_values_kind, custom_error_type="parameter_values",
                  custom_error_message=f"expected {PARAMETER_FORMS}"),
]
VerifySpec = Annotated[
    Annotated[Literal["all"], Tag("all")] | Annotated[Cheapest, Tag("cheapest")]
    | Annotated[MostDifferent, Tag("most_different")]
    | Annotated[list[Any], Field(min_length=1), Tag("ids")],
    Discriminator(_verify_kind, custom_error_type="verify", custom_error_message=f"expected {VERIFY_FORMS}"),
]


class SweepSpec(BaseModel):
    """A validated sweep file (README "Sweeps").

    Field types are checked first; then :meth:`_consistent` checks the keys
    against each other and reports every problem it finds together, each at
    its own key (``parameters.<path>``, ``paired[i][j]``, ``samples``,
    ``verify``).
    """

    model_config = ConfigDict(extra="forbid")
    name: Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    scenario: StrictStr
    mode: Literal["grid", "list", "random", "lhs", "sobol", "oat", "saltelli", "morris"] = "grid"
    parameters: dict[StrictStr, ParameterValues] = Field(min_length=1)
    paired: list[list[StrictStr]] = Field(default_factory=list)
    samples: int | None = Field(None, ge=1, le=MAX_VARIANTS)
    seed: int = 1
    trajectories: int | None = Field(None, ge=2, le=MAX_VARIANTS)
    levels: int = Field(DEFAULT_LEVELS, ge=2, le=100)
    workers: int = 1
    case: Literal["enforced", "reference", "both"] = "enforced"
    verify: VerifySpec | None = None

    @field_validator("workers", mode="before")
    @classmethod
    def _workers(cls, v: Any) -> Any:
        problem = workers_problem(v)  # the rule --workers and run_sweep(workers=) follow too
        if problem is not None:
            raise ValueError(problem)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        self._check_paired(problems)
        self._check_values(problems)
        if self.mode in ("lhs", "sobol", "saltelli") and self.samples is None:
            problems.append((("samples",), f"mode: {self.mode} needs samples: N (how many "
                                           f"{'base samples' if self.mode == 'saltelli' else 'variants'} to draw)",
                             None))
        if self.mode in ("sobol", "saltelli") and self.samples is not None and self.samples & (self.samples - 1):
            below = 1 << (self.samples.bit_length() - 1)
            problems.append((("samples",), f"mode: {self.mode} needs a power of two (a Sobol sequence is balanced "
                                           f"only for 2^m points); use {below} or {below * 2}", self.samples))
        if self.mode == "morris" and self.trajectories is None:
            problems.append((("trajectories",), "mode: morris needs trajectories: r (how many Morris trajectories "
                                                "to draw, e.g. 10)", None))
        if self.mode != "morris" and self.trajectories is not None:
            problems.append((("trajectories",), f"trajectories is for mode: morris, not {self.mode}",
                             self.trajectories))
        if self.mode == "morris" and self.levels % 2:
            problems.append((("levels",), "mode: morris needs an even number of levels (4, 6, 8 ...)", self.levels))
        if not problems:
            self._check_verify(problems)
        if problems:
            raise ValidationError.from_exception_data("SweepSpec", [
                InitErrorDetails(type=PydanticCustomError("sweep_file", message), loc=loc, input=value)
                for loc, message, value in problems])
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Any) -> Any:
        """Field errors and the checks across keys together, not one stage per run.

        When some values fail on their own (a reversed ``{low, high}``, a
        missing ``name``), the checks across keys (``samples`` for sobol,
        ``paired``, list lengths) are run again without them and their
        problems are added, unless the failed key is one those checks
        depend on (``mode``, ``samples``, ``paired``, ``verify``).
        """
        try:
            return handler(data)
        except ValidationError as err:
            more = _problems_besides(data, err, handler)
            if not more:
                raise
            raise ValidationError.from_exception_data("SweepSpec", [
                InitErrorDetails(type=PydanticCustomError(str(e["type"]), str(e["msg"])), loc=e["loc"],
                                 input=e.get("input"))
                for e in [*err.errors(), *more]]) from None

    def _check_paired(self, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
        seen: dict[str, int] = {}
        for i, group in enumerate(self.paired):
            if len(group) < 2:
                problems.append((("paired", i), "a paired group needs at least two parameter paths", None))
            for j, path in enumerate(group):
                if path not in self.parameters:
                    problems.append((("paired", i, j), "not a parameter of this sweep (a paired path must also be "
                                                       "listed under parameters)", path))
                elif path in seen:
                    problems.append((("paired", i, j), f"already in paired group {seen[path]}; a parameter moves "
                                                       "with one group only", path))
                else:
                    seen[path] = i

    def _check_values(self, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
        before = len(problems)
        for path, v in self.parameters.items():
            loc = ("parameters", path)
            if isinstance(v, Bounds) and self.mode in ("grid", "list"):
                problems.append((loc, f"mode: {self.mode} needs values: a list or {{start, stop, num}} "
                                      "({low, high} is for lhs, sobol, random and oat)", None))
            elif self.mode in BOUNDED_MODES and isinstance(v, Linspace):
                problems.append((loc, f"mode: {self.mode} needs bounds: {{low: x, high: y}} or [low, high]", None))
            elif self.mode in BOUNDED_MODES and isinstance(v, list) and len(v) != 2:
                problems.append((loc, f"mode: {self.mode} needs bounds: {{low: x, high: y}} or [low, high] "
                                      f"(got {len(v)} values)", v))
            elif self.mode in BOUNDED_MODES and isinstance(v, list) and not v[0] < v[1]:
                problems.append((loc, f"low ({v[0]:g}) must be below high ({v[1]:g})", v))
            elif isinstance(v, list) and not v:
                problems.append((loc, "needs at least one value", v))
        if len(problems) > before:
            return
        counts = {p: len(v) for p, v in self.values().items()}
        if self.mode == "list" and len(set(counts.values())) > 1:
            problems.append((("parameters",), "mode: list needs the same number of values for every parameter "
                                              f"(got {sorted(set(counts.values()))})", None))
        if self.mode == "grid":
            for i, group in enumerate(self.paired):
                if len({counts[p] for p in group if p in counts}) > 1:
                    problems.append((("paired", i), "the paths of a paired group need the same number of values "
                                                    f"(got {[counts.get(p) for p in group]})", None))
        if not problems and self.mode == "grid" and self.variant_count() > MAX_VARIANTS:
            problems.append((("parameters",), f"the grid has more than {MAX_VARIANTS:,} variants", None))
        if not problems and self.mode in SENSITIVITY_MODES and self.variant_count() > MAX_VARIANTS:
            key = "samples" if self.mode == "saltelli" else "trajectories"
            problems.append(((key,), f"mode: {self.mode} would make {self.variant_count():,} variants, more than "
                                     f"{MAX_VARIANTS:,}", getattr(self, key)))

    def _check_verify(self, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
        count = self.variant_count()
        v = self.verify
        if isinstance(v, (Cheapest, MostDifferent)):
            key = "cheapest" if isinstance(v, Cheapest) else "most_different"
            if getattr(v, key) > count:
                problems.append((("verify", key), f"the sweep has only {count} variants", getattr(v, key)))
        elif isinstance(v, list):
            for k, item in enumerate(v):
                if isinstance(item, bool) or not isinstance(item, (int, str)):
                    problems.append((("verify", k), "expected a variant id (16 hex digits) or index (0 to "
                                                    f"{count - 1})", item))
                elif isinstance(item, int) and not 0 <= item < count:
                    problems.append((("verify", k), f"no variant with this index: the sweep has {count} variants "
                                                    f"(0 to {count - 1})", item))
                elif isinstance(item, str) and not re.fullmatch(r"[0-9a-f]{16}", item):
                    problems.append((("verify", k), "a variant id is 16 hex digits (a file name in variants/)", item))

    def values(self) -> dict[str, list[float]]:
        """Each parameter's values as a list (``{low, high}`` as its two ends)."""
        out = {}
        for path, v in self.parameters.items():
            if isinstance(v, Linspace):
                out[path] = [float(x) for x in np.linspace(v.start, v.stop, v.num)]
            elif isinstance(v, Bounds):
                out[path] = [v.low, v.high]
            else:
                out[path] = [float(x) for x in v]
        return out

    def bounds(self) -> dict[str, tuple[float, float]]:
        """Each parameter's range ``(low, high)`` for lhs, sobol, random and oat."""
        return {p: (min(v), max(v)) for p, v in self.values().items()}

    def dimensions(self) -> list[list[str]]:
        """The sweep's independent dimensions, in parameter order: each a paired group or one parameter."""
        group_of = {p: tuple(g) for g in self.paired for p in g}
        dims: list[list[str]] = []
        placed: set[str] = set()
        for path in self.parameters:
            if path in placed:
                continue
            members = [p for p in group_of.get(path, (path,)) if p in self.parameters]
            dims.append(members)
            placed.update(members)
        return dims

    def variant_count(self) -> int:
        """Number of variants the sweep expands to."""
        dims = self.dimensions()
        if self.mode == "grid":
            return int(np.prod([len(self.values()[d[0]]) for d in dims]))
        if self.mode == "list":
            return min(len(v) for v in self.values().values())
        if self.mode == "oat":
            return 1 + 2 * len(dims)
        if self.mode == "saltelli":
            return saltelli_count(self.samples or DEFAULT_SAMPLES, len(dims))
        if self.mode == "morris":
            return morris_count(self.trajectories or DEFAULT_SAMPLES, len(dims))
        return self.samples if self.samples is not None else DEFAULT_SAMPLES


#: Keys the checks across keys depend on: when one of them fails on its own, those checks wait.
_CROSS_KEYS = {"mode", "samples", "paired", "verify", "trajectories", "levels"}
#: Stand-ins for a bad or missing required text key while the other checks run.
_STAND_INS = {"name": "sweep", "scenario": "scenario.yaml"}


def _problems_besides(data: Any, err: ValidationError, handler: Any) -> list[Any]:
    """The checks across keys on ``data`` less what failed on its own (see :meth:`SweepSpec._every_problem`)."""
    errs = err.errors()
    top = {str(e["loc"][0]) for e in errs if e["loc"]}
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict) or top & _CROSS_KEYS \
            or any(not e["loc"] for e in errs):
        return []
    bad = {e["loc"][1] for e in errs if e["loc"][0] == "parameters" and len(e["loc"]) > 1}
    if "parameters" in top and not bad:
        return []
    trial = {k: v for k, v in data.items() if k not in top - {"parameters"}}
    trial.update({k: _STAND_INS[k] for k in top & set(_STAND_INS)})
    trial["parameters"] = {k: v for k, v in data["parameters"].items() if k not in bad}
    if not trial["parameters"]:
        return []
    try:
        handler(trial)
    except ValidationError as more:
        return [e for e in more.errors() if e["type"] == "sweep_file"
                and not (isinstance(e.get("input"), str) and e["input"] in bad)]
    return []


@dataclass(frozen=True)
class Expansion:
    """A sweep's variants in order, with what locates each one.

    Attributes
    ----------
    changes : list of dict
        ``path -> value`` per variant (user units).
    labels : list of dict
        Extra table columns per variant: ``sample`` (position) for every mode
        but grid; ``oat_parameter`` (first path of the moved dimension, ``""``
        for the base) and ``oat_side`` (``base``, ``low``, ``high``) for oat.
    dims : list of list of str
        The independent dimensions (:meth:`SweepSpec.dimensions`).
    shape : tuple of int or None
        Grid only: values per dimension; variants are in C order over it.
    """

    changes: list[dict[str, float]]
    labels: list[dict[str, Any]]
    dims: list[list[str]]
    shape: tuple[int, ...] | None = None


def expand(spec: SweepSpec, base: Mapping[str, float] | None = None) -> Expansion:
    """Expand a sweep into its variants.

    Parameters
    ----------
    spec : SweepSpec
    base : mapping of str to float, optional
        Each parameter's value in the scenario (needed by ``mode: oat``; see
        :func:`base_values`).

    Returns
    -------
    Expansion

    Notes
    -----
    ``grid``: every combination, the last parameter fastest; a paired group is
    one dimension (its i-th values together). ``list``: the i-th values of
    every parameter together. ``random``: uniform draws between each
    parameter's lowest and highest value (``numpy.random.default_rng(seed)``).
    ``lhs`` and ``sobol``: ``scipy.stats.qmc.LatinHypercube`` /
    ``Sobol(scramble=True, seed=seed)`` points in the unit cube, one
    coordinate per dimension, mapped linearly onto each parameter's
    ``[low, high]``; the paths of a paired group share their dimension's
    coordinate, so they move together, each within its own bounds. ``oat``:
    the base (every parameter at its scenario value), then for each dimension
    its low and its high end with the others at base. ``saltelli`` and
    ``morris``: SALib's designs for sensitivity indices
    (:mod:`energy_model.sweep.sampling`), mapped like lhs.
    """
    vals = spec.values()
    dims = spec.dimensions()
    if spec.mode == "grid":
        shape = tuple(len(vals[d[0]]) for d in dims)
        changes = [{p: vals[p][k] for d, k in zip(dims, idx) for p in d}
                   for idx in itertools.product(*(range(s) for s in shape))]
        return Expansion([_in_order(spec, c) for c in changes], [{} for _ in changes], dims, shape)
    if spec.mode == "list":
        count = spec.variant_count()
        changes = [{p: vals[p][i] for p in spec.parameters} for i in range(count)]
        return Expansion(changes, [{"sample": i} for i in range(count)], dims)
    bounds = spec.bounds()
    if spec.mode == "oat":
        if base is None:
            raise ValueError("mode: oat needs the base values (energy_model.sweeps.base_values)")
        at_base = {p: float(base[p]) for p in spec.parameters}
        changes = [dict(at_base)]
        labels: list[dict[str, Any]] = [{"oat_parameter": "", "oat_side": "base"}]
        for d in dims:
            for side, end in (("low", 0), ("high", 1)):
                changes.append({**at_base, **{p: bounds[p][end] for p in d}})
                labels.append({"oat_parameter": d[0], "oat_side": side})
        return Expansion(changes, [{"sample": i, **lab} for i, lab in enumerate(labels)], dims)
    count = spec.variant_count()
    if spec.mode == "random":
        rng = np.random.default_rng(spec.seed)
        unit = np.empty((count, len(dims)))
        changes = []
        for i in range(count):
            row: dict[str, float] = {}
            for j, d in enumerate(dims):
                if len(d) == 1:  # as before paired groups existed: the same draws for the same seed
                    lo, hi = bounds[d[0]]
                    row[d[0]] = float(rng.uniform(lo, hi))
                else:
                    unit[i, j] = rng.uniform(0.0, 1.0)
                    row.update({p: bounds[p][0] + unit[i, j] * (bounds[p][1] - bounds[p][0]) for p in d})
            changes.append(_in_order(spec, row))
        return Expansion(changes, [{"sample": i} for i in range(count)], dims)
    if spec.mode == "saltelli":
        unit = saltelli_unit(len(dims), spec.samples or DEFAULT_SAMPLES, spec.seed)
    elif spec.mode == "morris":
        unit = morris_unit(len(dims), spec.trajectories or DEFAULT_SAMPLES, spec.levels, spec.seed)
    else:
        unit = unit_samples(spec.mode, len(dims), count, spec.seed)
    changes = [_in_order(spec, {p: float(bounds[p][0] + u[j] * (bounds[p][1] - bounds[p][0]))
                                for j, d in enumerate(dims) for p in d}) for u in unit]
    return Expansion(changes, [{"sample": i} for i in range(count)], dims)


def unit_samples(mode: str, d: int, count: int, seed: int) -> np.ndarray:
    """``count`` points in the unit cube ``[0, 1)^d``: Latin hypercube (``lhs``) or scrambled Sobol (``sobol``).

    Deterministic for a seed. An LHS puts exactly one point in each of
    ``count`` equal bins of every coordinate; a Sobol sequence of ``2^m``
    points does so for every ``2^k <= 2^m`` bins.
    """
    if mode == "lhs":
        return np.asarray(qmc.LatinHypercube(d=d, scramble=True, seed=seed).random(count))
    if mode == "sobol":
        m = count.bit_length() - 1
        if 1 << m != count:
            raise ValueError(f"sobol needs a power of two, not {count}")
        return np.asarray(qmc.Sobol(d=d, scramble=True, seed=seed).random_base2(m))
    raise ValueError(f"no unit samples for mode {mode!r}")


def _in_order(spec: SweepSpec, changes: Mapping[str, float]) -> dict[str, float]:
    return {p: changes[p] for p in spec.parameters}


def variants(spec: SweepSpec, base: Mapping[str, float] | None = None) -> list[dict[str, float]]:
    """Expand a sweep into its list of changes (one dict of path -> value per variant; see :func:`expand`)."""
    return expand(spec, base).changes


def base_values(case: Case, spec: SweepSpec, origin: Origin) -> dict[str, float]:
    """Each swept parameter's value in the scenario (user units), for ``mode: oat``.

    Raises
    ------
    InputError
        Every path that names nothing changeable or has no number in the
        scenario (an empty cell), together.
    """
    out: dict[str, float] = {}
    issues: list[InputIssue] = []
    for path in spec.parameters:
        try:
            value = current_value(case, path, origin)
        except InputError as err:
            issues.extend(err.issues)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            issues.append(origin.issue(path, "mode: oat starts from the scenario's value, and this path has none "
                                             "(an empty cell or not a number); give it a value in the scenario",
                                       value))
            continue
        out[path] = float(value)
    if issues:
        raise InputError(issues)
    return out


def variant_id(base_hash: str, changes: dict[str, float], tag: str = "") -> str:
    """Stable id of a variant: hash of the base inputs and its changes (and ``tag``, e.g. an oat side)."""
    text = base_hash + json.dumps(changes, sort_keys=True) + tag
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def spec_issues(err: ValidationError, file: str, lines: Mapping[str, int]) -> list[InputIssue]:
    """A sweep file's validation errors as InputIssues at their keys (``parameters.<path>``, ``paired[0][1]``)."""
    issues = issues_from_validation(err, file, dict(lines))
    out = []
    for issue, e in zip(issues, err.errors()):
        tag_at = {"parameters": 2, "verify": 1}.get(str(e["loc"][0]) if e["loc"] else "")
        loc = [x for i, x in enumerate(e["loc"]) if not (i == tag_at and x in _TAGS)]
        loc = [x for x in loc if not str(x).startswith(("function-", "literal["))]
        key = _key(loc)
        line = None
        for k in range(len(loc), 0, -1):
            line = lines.get(_key(loc[:k]))
            if line is not None:
                break
        value = issue.value
        message = issue.message
        if e["type"] == "sweep_file" and not isinstance(e.get("input"), (dict, list)):
            value = e.get("input")
        if key == "name" and (e["type"] == "missing" or e.get("input") is None):
            message, value = "missing; give the sweep a lower-case id (letters, digits and _, e.g. offshore_capex)", None
        elif key == "name" and e["type"] == "string_pattern_mismatch":
            message = "expected a lower-case id: a letter, then letters, digits and _ (e.g. offshore_capex)"
        out.append(InputIssue(file, key, message, value=value, line=line))
    return out


def _key(loc: list[Any]) -> str:
    """``["paired", 0, 1]`` -> ``paired[0][1]``; ``["parameters", "a.b"]`` -> ``parameters.a.b``."""
    text = ""
    for x in loc:
        text += f"[{x}]" if isinstance(x, int) else (f".{x}" if text else str(x))
    return text


def is_sweep_file(data: Any) -> bool:
    """Whether a YAML document is a sweep file (it has ``parameters`` or ``scenario``; a scenario has neither)."""
    return isinstance(data, dict) and bool({"parameters", "scenario"} & set(data))


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; return the spec and the scenario path.

    Raises
    ------
    InputError
        Every problem of the file together: its keys and values, a scenario
        that is missing, and ``verify`` on a scenario that is not aggregated
        (with the scenario file's own problems, if it has any).
    """
    from energy_model.inputs.load import safe_path
    from energy_model.io.scenario_file import load_scenario

    path = Path(path)
    data, lines = load_yaml(path)
    issues: list[InputIssue] = []
    spec: SweepSpec | None = None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        issues += spec_issues(err, path.name, lines)
    raw = data if isinstance(data, dict) else {}
    given = spec.scenario if spec is not None else raw.get("scenario")
    scenario: Path | None = None
    if isinstance(given, str):
        try:
            scenario = safe_path(path.parent, given, path.name, "scenario")
        except InputError as err:
            issues += err.issues
        if scenario is not None and not scenario.is_file():
            issues.append(InputIssue(path.name, "scenario", "scenario file not found", value=given,
                                     line=lines.get("scenario")))
            scenario = None
    if scenario is not None and raw.get("verify") is not None:
        try:
            method = load_scenario(scenario).scenario.aggregation.method
        except InputError as err:
            issues += err.issues
        else:
            if method == "none":
                issues.append(_verify_unaggregated(path.name, lines))
    if issues or spec is None or scenario is None:
        raise InputError(issues)
    return spec, scenario


def check_variants(case: Case, changes: list[dict[str, float]], origin: Origin) -> None:
    """Apply every variant's changes to the base case (validation only), reporting all problems together.

    Raises
    ------
    InputError
        Each distinct problem once (file, ``parameters.<path>``, line, value), at most
        :data:`energy_model.errors.MAX_ISSUES` of them.
    """
    found: dict[tuple[str, str], InputIssue] = {}
    for ch in changes:
        try:
            changed = apply_changes(case, ch, origin)
        except InputError as err:
            for issue in err.issues:
                found.setdefault((issue.key_path, issue.message), issue)
        else:
            for issue in _aggregation_issues(changed, ch, origin):
                found.setdefault((issue.key_path, issue.message), issue)
        if len(found) >= MAX_ISSUES:
            break
    if found:
        raise InputError(list(found.values()))


def _aggregation_issues(case: Case, changes: Mapping[str, float], origin: Origin) -> list[InputIssue]:
    """Problems of a variant's ``aggregation.*`` values: no aggregation to change, or periods the horizon cannot hold."""
    paths = [p for p in changes if p.startswith("aggregation.")]
    if not paths:
        return []
    if case.aggregation.method == "none":
        return [origin.issue(p, "the scenario is not aggregated (aggregation.method: none), so every variant would "
                                "be the same; aggregate the scenario or sweep another parameter", changes[p])
                for p in paths if p != "aggregation.method"]
    try:
        check_periods(case)
    except InputError as err:
        return [origin.issue(i.key_path if i.key_path in paths else paths[0], i.message, i.value) for i in err.issues]
    return []


def _record(results: xr.Dataset, prefix: str, inputs: xr.Dataset | None = None) -> dict[str, Any]:
    """Flat numbers of one solved case, for the sweep table.

    Besides the results' own numbers: ``imported_electricity_mwh_per_yr`` (annual
    output of the ``import`` technologies; needs ``inputs`` for the kinds),
    ``consumption_mwh_per_yr`` (annual consumption, the floor of the
    verification's energy errors),
    ``imported_co2_t_per_yr`` (the engine's CO2 attributed to imports: their
    energy times the emission factor of the technologies table,
    ``results["imported_co2_t_per_yr"]``), and how the solve went:
    ``solve_s`` (wall seconds of the HiGHS run), ``method`` (the HiGHS method
    actually used) and ``iterations`` (simplex + interior-point + crossover
    iterations).
    """
    rec: dict[str, Any] = {f"{prefix}objective_cny_per_yr": float(results.attrs["objective_cny_per_yr"])}
    for g, v in results["capacity_mw"].to_series().items():
        rec[f"{prefix}capacity_mw.{g}"] = float(v)
    for c, v in results["cost_cny_per_yr"].to_series().items():
        rec[f"{prefix}cost_cny_per_yr.{c}"] = float(v)
    for k in results[n.TARGET].values.astype(str):
        sel = {n.TARGET: k}
        rec[f"{prefix}target_value.{k}"] = float(results["target_value"].sel(sel))
        rec[f"{prefix}target_shadow_price.{k}"] = float(results["target_shadow_price"].sel(sel))
    rec[f"{prefix}co2_t_per_yr"] = float(results["emissions_t_per_yr"].sel(pollutant="co2").sum())
    for g, v in results["generation_mwh_per_yr"].to_series().items():
        rec[f"{prefix}generation_mwh_per_yr.{g}"] = float(v)
    if inputs is not None:
        w = time_arrays(inputs)[0]
        for g in results[n.TECH].values.astype(str):
            if np.isfinite(results["available_mw"].sel({n.TECH: g}).values).any():  # variable renewables
                rec[f"{prefix}curtailment_mwh_per_yr.{g}"] = float(
                    results["curtailment_mw"].sel({n.TECH: g}).fillna(0.0).values @ w)
    for name in ("co2_production_t_per_yr", "co2_consumption_t_per_yr"):
        if name in results:
            rec[f"{prefix}{name}"] = float(results[name])
    if inputs is not None:
        kind = inputs["kind"].sel({n.TECH: results[n.TECH].values}).values.astype(str)
        imported = results["generation_mwh_per_yr"].values[kind == n.IMPORT]
        exported = results["generation_mwh_per_yr"].values[kind == n.EXPORT]
        rec[f"{prefix}consumption_mwh_per_yr"] = consumption_mwh(inputs)
        rec[f"{prefix}imported_electricity_mwh_per_yr"] = float(imported.sum())
        rec[f"{prefix}exported_electricity_mwh_per_yr"] = float(exported.sum())
        if "new_energy" in inputs:
            rec[f"{prefix}new_energy_share"] = share(results, inputs, inputs["new_energy"].values.astype(bool))
    rec[f"{prefix}imported_co2_t_per_yr"] = float(results["imported_co2_t_per_yr"].sum())
    for f, v in results["fuel_use_units_per_yr"].to_series().items():
        rec[f"{prefix}fuel_use_units_per_yr.{f}"] = float(v)
    a = results.attrs
    rec[f"{prefix}solve_s"] = float(a.get("solver_solve_seconds", np.nan))
    rec[f"{prefix}method"] = str(a.get("solver_method_used", ""))
    rec[f"{prefix}iterations"] = int(sum(int(a.get(f"solver_{k}_iterations", 0))
                                         for k in ("simplex", "ipm", "crossover")))
    return rec


# -- progress -----------------------------------------------------------------------------------------------------


class SweepProgress:
    """Reports a running sweep: variants done and failed, mean wall time per variant, time left.

    On a terminal one line is rewritten in place (``\\r``); otherwise a line
    goes to ``say`` every ``max(1, total // 20)`` variants and after the last.

    Parameters
    ----------
    total : int
        Variants to solve in this run.
    say : callable
        Receives the progress lines (when not live).
    label : str
        First word of the line (the sweep's name, ``verify``).
    live : bool, optional
        Rewrite one line on ``stream`` (default: ``stream.isatty()``).
    stream : text stream, optional
        Where the live line goes (default ``sys.stderr``).
    clock : callable
        Seconds (default :func:`time.perf_counter`).
    """

    def __init__(self, total: int, say: Callable[[str], None], label: str = "sweep", live: bool | None = None,
                 stream: Any = None, clock: Callable[[], float] = time.perf_counter):
        self.total = total
        self.say = say
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(self.stream.isatty()) if live is None else live
        self.every = max(1, total // 20)
        self.clock = clock
        self.t0 = clock()
        self.done = 0
        self.failed = 0
        self._width = 0

    def variant_done(self, ok: bool) -> None:
        """Count one finished variant (``ok``: solved to a proven optimum) and report."""
        self.done += 1
        self.failed += 0 if ok else 1
        text = self.line()
        if self.live:
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = len(text)
        elif self.done % self.every == 0 or self.done == self.total:
            self.say(text)

    def line(self) -> str:
        """``<label>: 12/40 variants done, 1 failed, 3.2 s per variant, about 1 min 30 s left``."""
        elapsed = self.clock() - self.t0
        mean = elapsed / self.done if self.done else float("nan")
        left = mean * (self.total - self.done) if self.done else float("nan")
        return (f"{self.label}: {self.done}/{self.total} variants done, {self.failed} failed, "
                f"{mean:.1f} s per variant, about {_duration(left)} left")

    def close(self) -> None:
        """End the live line."""
        if self.live and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "? s"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


# -- the table and sweep.nc ---------------------------------------------------------------------------------------

#: Columns of one variable per label (``capacity_mw.<technology>``) and the dimension of their labels.
VECTOR_DIMS = {"capacity_mw": n.TECH, "cost_cny_per_yr": "component", "target_value": n.TARGET,
               "target_shadow_price": n.TARGET, "fuel_use_units_per_yr": n.FUEL,
               "generation_mwh_per_yr": n.TECH, "curtailment_mwh_per_yr": n.TECH, "annual_rel_error": "quantity"}
#: Units of the sweep's one-number columns ("-": a count or a text).
SCALAR_UNITS = {"objective_cny_per_yr": "CNY/yr", "co2_t_per_yr": "t/yr", "imported_electricity_mwh_per_yr": "MWh/yr",
                "imported_co2_t_per_yr": "t/yr", "exported_electricity_mwh_per_yr": "MWh/yr",
                "co2_production_t_per_yr": "t/yr", "co2_consumption_t_per_yr": "t/yr", "new_energy_share": "-",
                "consumption_mwh_per_yr": "MWh/yr",
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


def column_units(columns: list[str], target_kinds: Mapping[str, str]) -> dict[str, str]:
    """Unit of every sweep table column (``param.<path>``, ``capacity_mw.<g>``, ``full.objective_cny_per_yr`` ...)."""
    out = {}
    for c in columns:
        rest = c
        for p in PREFIXES:
            rest = rest.removeprefix(p)
        head, _, label = rest.partition(".")
        if rest.startswith("param."):
            out[c] = parameter_unit(rest.removeprefix("param."), target_kinds)
        elif head in ("target_value", "target_shadow_price"):
            units = TARGET_UNITS.get(target_kinds.get(label, ""), ("", ""))
            out[c] = units[0] if head == "target_value" else units[1]
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
                  target_kinds: Mapping[str, str], fuel_units: Mapping[str, str]) -> xr.Dataset:
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
    """
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
    ds = xr.Dataset(data, coords={k: v for k, v in coords.items()})
    ds.attrs.update({k: v for k, v in attrs.items() if isinstance(v, (str, int, float))})
    ds.attrs.update({"mode": spec.mode, "parameters": json.dumps(list(spec.parameters)),
                     "paired": json.dumps(spec.paired), "case": spec.case})
    return ds


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
    return {"capacity_mw": "MW", "cost_cny_per_yr": "CNY/yr", "generation_mwh_per_yr": "MWh/yr",
            "curtailment_mwh_per_yr": "MWh/yr", "annual_rel_error": "-"}[head]


# -- screen, then verify ------------------------------------------------------------------------------------------

#: The change that turns an aggregated scenario into its full horizon (verification solves).
FULL_HORIZON: dict[str, Any] = {"aggregation.method": "none"}
OPTIMAL = "optimal"


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
        raise InputError(_verify_unaggregated(file, lines))
    return dict(FULL_HORIZON)


def _verify_unaggregated(file: str, lines: Mapping[str, int]) -> InputIssue:
    """The problem of ``verify`` in a sweep of a scenario that is not aggregated."""
    return InputIssue(file, "verify", "verify re-solves variants on the full horizon to check an aggregated "
                                      "(representative periods) solve, but this scenario is not aggregated "
                                      "(aggregation.method is none); remove verify or aggregate the scenario",
                      line=lines.get("verify"))


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


Notify = Callable[[str, str], None]


def _solve_chunk(scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], folder: str,
                 notify: Notify | None = None, base: Mapping[str, Any] | None = None) -> list[str]:
    """Worker: build the scenario's model once, solve each variant, commit each record.

    ``notify(event, variant)`` is called with ``"start"`` before a variant is
    solved and ``"done"`` once its record is committed, so the main process
    knows which variant a worker that died was solving. ``base`` changes the
    scenario before the model is built (verification: :data:`FULL_HORIZON`).
    """
    tell = notify or (lambda _event, _vid: None)
    from energy_model.engine.study import Study
    from energy_model.inputs.load import load_case

    built = load_case(scenario)
    study = Study(apply_changes(built, base, Origin("verify")) if base else built)
    done = []
    for vid, changes in chunk:
        tell("start", vid)
        _commit(Path(folder), _solve_variant(study, case, vid, changes))
        tell("done", vid)
        done.append(vid)
    return done


def _solve_variant(study: Any, case: str, vid: str, changes: dict[str, float]) -> dict[str, Any]:
    """Solve one variant on a built Study (restored afterwards); its record, with status and message if it failed.

    Used by the local pool and by the Dask tasks (:mod:`energy_model.sweep_dask`).
    """
    rec: dict[str, Any] = {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}}
    try:
        with study.changed(changes):
            if case in ("reference", "both"):
                with study.changed({f"targets.{k}.mode": n.REPORT for k in study.targets}):
                    rec.update(_record(study.solve(f"variant {vid} reference"), "reference.", study.inputs))
            if case in ("enforced", "both"):
                rec.update(_record(study.solve(f"variant {vid}"), "", study.inputs))
        rec["status"] = "optimal"
    except EnergyModelError as exc:
        rec["status"] = getattr(exc, "status", "error")
        rec["message"] = str(exc).splitlines()[0]
    return rec


def _commit(vdir: Path, rec: dict[str, Any]) -> None:
    """Write one variant's record atomically; a failed write (disk full) is an OutputError naming the file."""
    write_atomic(vdir / f"{rec['variant']}.json", lambda p: write_json(rec, p), after=AFTER_FAILED_WRITE)


def _committed(vdir: Path) -> set[str]:
    """Ids of variants with a final record (a readable record whose worker did not die)."""
    done = set()
    for path in vdir.glob("*.json"):
        try:
            status = json.loads(path.read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError, AttributeError):
            continue  # unreadable: solved again
        if status != WORKER_DIED:
            done.add(path.stem)
    return done


def _remove_partial(vdir: Path) -> None:
    """Delete temporary files that a stopped or killed worker left in the variants folder."""
    for stale in [*vdir.glob(".*.tmp-*"), *vdir.glob("*.tmp-*")]:
        stale.unlink(missing_ok=True)


def _records_folder(vdir: Path) -> Path:
    """Create a folder of variant records (``variants/``, ``verify/``) and clear temporary files from it."""
    try:
        vdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.OutputError(f"cannot create {vdir}: {exc.strerror or exc}") from None
    _remove_partial(vdir)
    return vdir


def _prepare_folder(folder: Path, name: str, variants_total: int) -> Path:
    """Create ``<folder>/variants`` and, for a new sweep, a manifest that marks the folder as ours."""
    vdir = _records_folder(folder / "variants")
    if folder_kind(folder) != SWEEP:
        write_atomic(folder / MANIFEST, lambda p: write_json(_manifest(name, "running", variants_total, {}), p))
    return vdir


def _manifest(name: str, status: str, total: int, failed: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"tool": TOOL, "kind": SWEEP, "sweep": name, "status": status, "variants": total, **extra,
            "failed": failed}


# -- worker processes ---------------------------------------------------------------------------------------


def _exit_with_parent(parent: int) -> None:
    """Make this worker end soon after the sweep's main process ``parent`` is gone (no orphans).

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``),
    even in the middle of a solve. Elsewhere a daemon thread polls the parent
    process id every :data:`PARENT_POLL_S` seconds and ends the process when it
    changes (the worker is re-parented).
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="sweep-parent-watch").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _worker(scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], folder: str, conn: Any,
            parent: int, base: Mapping[str, Any] | None = None) -> None:
    """Entry point of a worker process: solve a chunk, telling the main process each variant's start and end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the main process, which stops the workers
    _exit_with_parent(parent)
    try:
        _solve_chunk(scenario, case, chunk, folder, notify=lambda event, vid: conn.send((event, vid)), base=base)
        conn.send(("end", ""))
    except EnergyModelError as exc:
        conn.send(("fatal", type(exc).__name__, str(exc), getattr(exc, "issues", None)))
    except BaseException:  # noqa: BLE001 - a bug in a worker: hand its traceback to the main process
        conn.send(("bug", traceback.format_exc()))
    finally:
        conn.close()


@dataclass
class _Worker:
    """A running worker process, the chunk it was given and what it reported."""

    proc: Any
    conn: Any
    chunk: list[tuple[str, dict[str, float]]]
    attempt: int
    current: str | None = None
    done: set[str] = field(default_factory=set)
    finished: bool = False
    connected: bool = True


def _start_worker(ctx: Any, scenario: str, case: str, chunk: list[tuple[str, dict[str, float]]], attempt: int,
                  vdir: Path, base: Mapping[str, Any] | None = None) -> _Worker:
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(scenario, case, chunk, str(vdir), send, os.getpid(), base),
                       name="energy_model-sweep-worker")
    proc.start()
    send.close()
    return _Worker(proc, receive, chunk, attempt)


def _drain(w: _Worker, on_done: Callable[[str], None] | None = None) -> None:
    """Read every message a worker has sent (``on_done(variant)`` per committed variant); raise a fatal error."""
    while w.connected and w.conn.poll():
        try:
            message = w.conn.recv()
        except (EOFError, OSError):
            w.connected = False
            break
        event = message[0]
        if event == "start":
            w.current = message[1]
        elif event == "done":
            w.done.add(message[1])
            if on_done is not None:
                on_done(message[1])
        elif event == "end":
            w.finished = True
        elif event == "fatal":
            _, name, text, issues = message
            if issues:
                raise InputError(issues)
            cls = getattr(errors, name, errors.OutputError)
            raise cls(text)
        elif event == "bug":
            raise RuntimeError(f"a sweep worker process failed:\n{message[1]}")


def _stop(w: _Worker) -> None:
    """Stop a worker: SIGTERM, then SIGKILL after :data:`STOP_GRACE_S`."""
    if w.proc.is_alive():
        w.proc.terminate()
        w.proc.join(STOP_GRACE_S)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join()
    w.conn.close()


def _died_record(vid: str, changes: dict[str, float], message: str) -> dict[str, Any]:
    return {"variant": vid, **{f"param.{k}": v for k, v in changes.items()}, "status": WORKER_DIED,
            "message": message}


def _after_death(w: _Worker, vdir: Path, say: Callable[[str], None]) -> list[tuple[list[tuple[str, dict[str, float]]], int]]:
    """Record the variant a dead worker was solving as failed; return what is left of its chunk to run again."""
    code = w.proc.exitcode
    why = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    left = [(vid, ch) for vid, ch in w.chunk if vid not in w.done]
    if w.current is not None and w.current not in w.done:
        changes = dict(left)[w.current]
        _commit(vdir, _died_record(w.current, changes, f"the worker process solving this variant ended unexpectedly "
                                                       f"({why}); it was not solved: run the sweep again to retry it"))
        say(f"worker process {w.proc.pid} ended ({why}) while solving variant {w.current}; recorded as failed")
        left = [(vid, ch) for vid, ch in left if vid != w.current]
        return [(left, 0)] if left else []
    if w.current is not None or w.attempt + 1 < MAX_BUILD_ATTEMPTS:
        say(f"worker process {w.proc.pid} ended ({why}) between variants; {len(left)} variants go to a new worker")
        return [(left, 0 if w.current is not None else w.attempt + 1)] if left else []
    for vid, ch in left:
        _commit(vdir, _died_record(vid, ch, f"worker processes ended unexpectedly ({why}) {MAX_BUILD_ATTEMPTS} times "
                                            "while building the model; not solved"))
    say(f"worker processes ended ({why}) while building the model; {len(left)} variants recorded as failed")
    return []


def _run_workers(scenario: Path, case: str, chunks: list[list[tuple[str, dict[str, float]]]], vdir: Path,
                 say: Callable[[str], None], base: Mapping[str, Any] | None = None,
                 on_done: Callable[[str], None] | None = None) -> None:
    """Solve the chunks in worker processes, one per chunk, replacing any worker that dies.

    ``base`` changes the scenario before each worker builds its model;
    ``on_done(variant)`` is called for every variant committed (also one
    recorded as ``worker_died``).

    Raises
    ------
    EnergyModelError
        A worker's fatal error (an OutputError when a write failed); every
        other worker is stopped first and no temporary file is left.
    RuntimeError
        A bug in a worker, with its traceback.
    """
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    queue = deque((chunk, 0) for chunk in chunks if chunk)
    most = len(queue)
    running: list[_Worker] = []
    try:
        while queue or running:
            while queue and len(running) < most:
                running.append(_start_worker(ctx, str(scenario), case, *queue.popleft(), vdir, base))
            wait([w.conn for w in running if w.connected] + [w.proc.sentinel for w in running], timeout=1.0)
            for w in list(running):
                _drain(w, on_done)
                if w.proc.is_alive():
                    continue
                w.proc.join()
                _drain(w, on_done)
                running.remove(w)
                w.conn.close()
                if w.finished:
                    say(f"worker finished {len(w.chunk)} variants")
                else:
                    again = _after_death(w, vdir, say)
                    queue.extend(again)
                    retried = {vid for chunk, _ in again for vid, _ in chunk}
                    for vid, _ in w.chunk:
                        if on_done is not None and vid not in w.done and vid not in retried:
                            on_done(vid)  # recorded as worker_died
    finally:
        for w in running:
            _stop(w)
        _remove_partial(vdir)


@dataclass(frozen=True)
class PreparedSweep:
    """A sweep file checked in full, ready to solve (:func:`prepare_sweep`).

    Attributes
    ----------
    spec : SweepSpec
    scenario : pathlib.Path
        The scenario file.
    file : str
        The sweep file's name, for messages.
    lines : mapping of str to int
        Line of each key of the sweep file.
    loaded : LoadedScenario
    base_case : Case
        The scenario's validated case.
    full : dict or None
        The change of the verification solves (None without ``verify``).
    full_case : Case or None
        ``base_case`` with ``full`` applied.
    at_base : dict of str to float
        ``mode: oat``: each parameter's value in the scenario (else empty).
    expansion : Expansion
    keyed : list of (str, dict)
        Each variant's id and changes, in expansion order.
    """

    spec: SweepSpec
    scenario: Path
    file: str
    lines: Mapping[str, int]
    loaded: Any
    base_case: Case
    full: dict[str, Any] | None
    full_case: Case | None
    at_base: dict[str, float]
    expansion: Expansion
    keyed: list[tuple[str, dict[str, float]]]


def prepare_sweep(path: str | Path) -> PreparedSweep:
    """Check a sweep file and every variant's values against its scenario, without solving.

    Used by :func:`run_sweep` before anything is written, and by
    ``python run.py validate SWEEP.yaml``.

    Raises
    ------
    InputError
        The sweep file's problems (all together, see :func:`load_sweep`),
        the scenario's, or those of variant values the tables or the schema
        refuse.
    """
    from energy_model.inputs.load import load_case
    from energy_model.io.scenario_file import load_scenario

    spec, scenario = load_sweep(path)
    file = Path(path).name
    lines = load_yaml(Path(path))[1]
    origin = Origin(file, "parameters.", lines)
    loaded = load_scenario(scenario)
    base_case = load_case(loaded)
    full = verify_changes(spec, base_case, file, lines)  # verify on a scenario that is not aggregated: input error
    full_case = apply_changes(base_case, full, Origin(file, "verify: ", lines)) if full else None
    at_base = base_values(base_case, spec, origin) if spec.mode == "oat" else {}
    expansion = expand(spec, at_base or None)
    # every variant's values pass the table and schema validators before any solve
    check_variants(base_case, expansion.changes, origin)
    keyed = [(variant_id(str(base_case.attrs["input_hash"]) + spec.case, ch, _tag(lab)), ch)
             for ch, lab in zip(expansion.changes, expansion.labels)]
    if isinstance(spec.verify, list):  # listed ids must be variants of this sweep
        select_verify(spec.verify, pd.DataFrame({"variant": [vid for vid, _ in keyed]}), file, lines)
    return PreparedSweep(spec, scenario, file, lines, loaded, base_case, full, full_case, at_base, expansion, keyed)


def run_sweep(path: str | Path, out: str | Path | None = None, *, workers: int | None = None,
              progress: Callable[[str], None] | None = None, scheduler: str | None = None) -> pd.DataFrame:
    """Run (or resume) a sweep and gather its table.

    Parameters
    ----------
    path : str or pathlib.Path
        Sweep YAML file.
    out : str or pathlib.Path, optional
        Parent of the sweep folder (default ``results/`` of the project).
    workers : int, optional
        Overrides the file's ``workers``.
    progress : callable, optional
        Receives progress lines.
    scheduler : str, optional
        Solve on a Dask cluster: ``local`` (a cluster of ``workers`` processes on
        127.0.0.1) or a scheduler address ``tcp://host:port``
        (:mod:`energy_model.sweep_dask`). None: the local worker pool.

    Returns
    -------
    pandas.DataFrame
        One row per variant (also written to ``sweep.csv``).

    Raises
    ------
    PartialSweepError
        When some variants failed (their rows carry status and message).
    """
    say = progress or (lambda _m: None)
    if workers is not None:
        check_workers(workers, "run_sweep", "workers")
    prep = prepare_sweep(path)
    spec, scenario, file, lines, loaded, base_case = (prep.spec, prep.scenario, prep.file, prep.lines, prep.loaded,
                                                      prep.base_case)
    base, full, full_case, at_base, expansion, keyed = (base_case.attrs, prep.full, prep.full_case, prep.at_base,
                                                        prep.expansion, prep.keyed)
    pool: Any = contextlib.nullcontext()
    if scheduler is not None:  # reached before anything is written: a bad address or other versions write nothing
        from energy_model.sweep_dask import LOCAL as DASK_LOCAL
        from energy_model.sweep_dask import DaskPool

        requested = workers or spec.workers
        if scheduler == DASK_LOCAL:  # never more processes on this machine than variants or memory allow
            requested, note = local_workers(requested, len(keyed), len(base_case.time))
            if note:
                say(note)
        pool = DaskPool(scheduler, requested, say)
    out_dir = results_dir(scenario, out)
    check_writable(out_dir)
    folder = out_dir / spec.name
    quiet = progress is None or bool(getattr(progress, "quiet", False))

    def solve(todo: list[tuple[str, dict[str, float]]], vdir: Path, label: str,
              change: Mapping[str, Any] | None = None) -> None:
        """Solve ``todo`` into ``vdir`` (locally or on the Dask pool), reporting progress."""
        if not todo:
            return
        tracker = SweepProgress(len(todo), say, label, live=False if quiet else None)

        def on_done(vid: str) -> None:
            tracker.variant_done(_status_of(vdir, vid) == OPTIMAL)

        nworkers, note = local_workers(workers or spec.workers, len(todo), len(base_case.time))
        if note and scheduler is None:
            say(note)
        chunks = [todo[i::nworkers] for i in range(nworkers)]
        try:
            if scheduler is not None:
                pool.solve(full_case if change else base_case, spec.case, todo, vdir, on_done=on_done)
            elif nworkers == 1:
                _solve_chunk(str(scenario), spec.case, chunks[0], str(vdir),
                             notify=lambda event, vid: on_done(vid) if event == "done" else None, base=change)
            else:
                _run_workers(scenario, spec.case, chunks, vdir, say, base=change, on_done=on_done)
        finally:
            tracker.close()

    with pool, run_lock(out_dir, spec.name, SWEEP):  # refuses a folder at that name that is not a sweep of this tool
        vdir = _prepare_folder(folder, spec.name, len(keyed))
        committed = _committed(vdir)
        todo = list(dict((vid, ch) for vid, ch in keyed if vid not in committed).items())  # a repeated point once
        say(f"sweep '{spec.name}': {len(keyed)} variants, {len(keyed) - len(todo)} already done")
        solve(todo, vdir, spec.name)
        rows = [json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")) for vid, _ in keyed]
        table = _gather(rows, expansion.labels)
        failed_ids = {str(r["variant"]): r.get("message", "") for r in rows if r["status"] != OPTIMAL}
        if full is not None:
            chosen = select_verify(spec.verify, table, file, lines)
            ddir = _records_folder(folder / "verify")
            done_before = _committed(ddir)
            again = [keyed[i] for i in chosen if keyed[i][0] not in done_before]
            say(f"verify: {len(chosen)} variants on the full horizon ({FULL_HORIZON}), "
                f"{len(chosen) - len(again)} already done")
            solve(again, ddir, "verify", full)
            records = {i: json.loads((ddir / f"{keyed[i][0]}.json").read_text(encoding="utf-8")) for i in chosen}
            table = merge_verified(table, chosen, records, _fuel_mwh_per_unit(base_case))
            failed_ids.update({f"verify {keyed[i][0]}": r.get("message", "") for i, r in records.items()
                               if r["status"] != OPTIMAL})
        flat = table.set_index("variant")
        write_atomic(folder / "sweep.csv", lambda p: write_csv(flat, p), after=after_failed_sweep_file("sweep.csv"))
        target_kinds = {k: t.kind for k, t in base_case.targets.items()}
        units = column_units(list(table.columns), target_kinds)
        sens = sweep_indices(table, spec.mode, spec.dimensions(), spec.bounds(), target_kinds, seed=spec.seed,
                             levels=spec.levels)
        if sens.message():
            say(sens.message())
        (folder / SENSITIVITY_CSV).unlink(missing_ok=True)  # never an earlier sweep's indices beside this table
        if sens.indices is not None:
            indices = sens.indices
            write_atomic(folder / SENSITIVITY_CSV, lambda p: write_csv(indices, p, index=False),
                         after=f"{SENSITIVITY_CSV} was not written; {after_failed_sweep_file('sweep.nc')}")
        fuel_units = {str(f): str(u) for f, u in base_case.fuels["unit"].items()} if "unit" in base_case.fuels else {}
        ds = sweep_dataset(table, spec, expansion, {"sweep": spec.name, "scenario": loaded.scenario.name,
                                                    "input_hash": str(base["input_hash"])}, target_kinds, fuel_units)
        if sens.indices is not None:
            ds = ds.merge(indices_dataset(sens.indices, units))
        write_atomic(folder / "sweep.nc", lambda p: write_netcdf(ds, p), after=after_failed_sweep_file("sweep.nc"))
        status = "partial" if failed_ids else "complete"
        doc = _manifest(spec.name, status, len(keyed), failed_ids, scenario=loaded.scenario.name,
                        input_hash=base["input_hash"])
        write_atomic(folder / MANIFEST, lambda p: write_json(doc, p), after=after_failed_sweep_file(MANIFEST))
        _write_report(flat, {"name": spec.name, "scenario": loaded.scenario.name, "mode": spec.mode,
                             "parameters": list(spec.parameters), "base": at_base,
                             "units": units, "sensitivity": sens.indices, "sensitivity_failed": sens.failed,
                             "levels": spec.levels,
                             "target_kinds": target_kinds, "dimensions": spec.dimensions(),
                             "tech_names": _tech_names(base_case), "fuel_names": _fuel_names(base_case),
                             "target_labels": {k: {"en": t.label or "", "zh": t.label_zh or ""}
                                               for k, t in base_case.targets.items()}},
                      folder / "sweep.html", say, after_failed_sweep_file("sweep.html", status))
    table = flat
    if failed_ids:
        raise PartialSweepError(f"{len(failed_ids)} of {len(table)} variants failed"
                                f"{' (verification solves included)' if full is not None else ''}; "
                                f"see {folder / 'sweep.csv'}")
    table.attrs["folder"] = str(folder)  # printed by the command line after the table
    return table


def _tag(labels: Mapping[str, Any]) -> str:
    """What besides its changes makes a variant distinct (an oat side whose value equals the base)."""
    return f"oat:{labels['oat_parameter']}:{labels['oat_side']}" if "oat_side" in labels else ""


def _status_of(vdir: Path, vid: str) -> str:
    """Status in a committed variant record ("" when it cannot be read)."""
    try:
        return str(json.loads((vdir / f"{vid}.json").read_text(encoding="utf-8")).get("status", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _gather(rows: list[dict[str, Any]], labels: list[dict[str, Any]]) -> pd.DataFrame:
    """The sweep table in expansion order: ``variant``, the labels (``sample``, ``oat_*``), then each record."""
    table = pd.DataFrame(rows)
    keys = [k for k in ("sample", "oat_parameter", "oat_side") if labels and k in labels[0]]
    for i, k in enumerate(keys):
        table.insert(1 + i, k, [lab[k] for lab in labels])
    return table


def _tech_names(case: Case) -> dict[str, dict[str, str]]:
    """Technology id -> {"en": name, "zh": name_zh} from the technologies table (ids where a name is empty)."""
    out = {}
    for g, row in case.technologies.iterrows():
        en = row.get("name")
        zh = row.get("name_zh")
        out[str(g)] = {"en": str(en) if isinstance(en, str) and en else str(g),
                       "zh": str(zh) if isinstance(zh, str) and zh else str(g)}
    return out


def _fuel_mwh_per_unit(case: Case) -> dict[str, float]:
    """Fuel id -> energy of one trading unit [MWh_th/unit] (empty without the column)."""
    if "energy_mwh_per_unit" not in case.fuels:
        return {}
    return {str(f): float(v) for f, v in case.fuels["energy_mwh_per_unit"].items()}


def _fuel_names(case: Case) -> dict[str, dict[str, str]]:
    """Fuel id -> {"en": name, "zh": name_zh} from the fuels table (ids where a name is empty)."""
    out = {}
    for f, row in case.fuels.iterrows():
        en, zh = row.get("fuel_name", row.get("name")), row.get("fuel_name_zh", row.get("name_zh"))
        out[str(f)] = {"en": str(en) if isinstance(en, str) and en else str(f),
                       "zh": str(zh) if isinstance(zh, str) and zh else str(f)}
    return out


def _write_report(table: pd.DataFrame, meta: dict[str, Any], path: Path, say: Callable[[str], None],
                  after: str = AFTER_FAILED_WRITE) -> None:
    """``sweep.html`` by :func:`energy_model.output.sweep_report.write_sweep_report`, when that module is there.

    Written after the table, sweep.nc and the manifest. A failed write
    (disk full) is an OutputError like every other; a bug in the report is
    not allowed to cost the sweep its results or exit code: it is warned
    about (``say`` and :mod:`warnings`) with the error, and the page is
    missing. ``after`` is what a failed write leaves behind, for its message.
    """
    try:
        from energy_model.output.sweep_report import write_sweep_report
    except ImportError:
        return
    try:
        write_sweep_report(table, meta, path, after=after)
    except EnergyModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug in the page must not hide the sweep's results
        text = (f"sweep.html was not written (a bug in the sweep report: {type(exc).__name__}: {exc}); "
                "sweep.csv and sweep.nc are complete")
        say(text)
        warnings.warn(text, RuntimeWarning, stacklevel=2)
