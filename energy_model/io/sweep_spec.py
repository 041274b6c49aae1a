"""The sweep file's schema: read a sweep YAML once, validate every key and value once, and say where each problem is.

A sweep file names a scenario and the parameters to vary (Study paths in
user units), the mode that turns them into variants, and how to solve them
(README "Sweeps")::

    name: offshore_capex_lng_price
    scenario: ../plan_year.yaml
    mode: grid
    parameters:
      technologies.offshore_wind.capex_cny_per_kw: [8000, 10000, 12000]
      fuels.lng.price_cny_per_unit: {start: 3000, stop: 6000, num: 4}

The modes are those in :data:`SAMPLERS`, the one registry of samplers: each
entry says which values its parameters take, how many variants it makes and
what else it checks; :mod:`energy_model.sweep.design` registers the built-in
ones (and their drawing functions) with :func:`register`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
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

from energy_model.io.workers import workers_problem

#: Most variants a sweep may expand to.
MAX_VARIANTS = 100_000
#: Variants drawn when a sampled mode gives no ``samples``.
DEFAULT_SAMPLES = 10
#: The one value ``keep:`` takes: every variant's Results Dataset kept in ``variants/``.
KEEP_RESULTS = "results"
#: Default number of grid levels of a Morris design.
DEFAULT_LEVELS = 4

#: A problem found across keys: (location, message, value).
Problem = tuple[tuple[str | int, ...], str, Any]


@dataclass(frozen=True)
class Sampler:
    """One mode of a sweep file: what its parameters take, how many variants it makes, how it draws them.

    Attributes
    ----------
    name : str
        The ``mode:`` of the sweep file.
    draw : callable
        ``draw(spec, base) -> ndarray | Expansion``: points in the unit cube
        (one row per variant, one column per independent dimension, mapped
        linearly onto each parameter's ``[low, high]``) or a full
        :class:`energy_model.sweep.design.Expansion`. ``base`` is each
        parameter's scenario value (None unless ``needs_base``).
    takes : {"values", "bounds", "either"}
        ``values``: a list or ``{start, stop, num}``; ``bounds``: ``{low, high}``
        or a 2-value list; ``either``: any of them (the range is used).
    count : callable
        ``count(spec) -> int``: variants of the sweep.
    needs_samples : str
        What ``samples: N`` counts when the mode needs it ("" when it does not).
    needs_base : bool
        The mode starts from the scenario's values (oat).
    keys : frozenset of str
        Keys of the sweep file only this mode may set (``trajectories``).
    check : callable
        ``check(spec) -> list of Problem``: the mode's own rules (a power of two ...).
    """

    name: str
    draw: Callable[..., Any]
    takes: Literal["values", "bounds", "either"] = "bounds"
    count: Callable[[SweepSpec], int] = field(default=lambda spec: spec.samples or DEFAULT_SAMPLES)
    needs_samples: str = ""
    needs_base: bool = False
    keys: frozenset[str] = frozenset()
    check: Callable[[SweepSpec], list[Problem]] = field(default=lambda spec: [])


#: The sampler registry: mode -> Sampler, in the order the modes are listed in messages.
SAMPLERS: dict[str, Sampler] = {}


def register(sampler: Sampler) -> Sampler:
    """Add (or replace) a mode of sweep files; returns it."""
    SAMPLERS[sampler.name] = sampler
    return sampler


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
#: Tags of the union members, as pydantic puts them in an error's location (removed for messages).
TAGS = {"values", "linspace", "bounds", "all", "cheapest", "most_different", "ids"}


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
    mode: StrictStr = "grid"
    parameters: dict[StrictStr, ParameterValues] = Field(min_length=1)
    paired: list[list[StrictStr]] = Field(default_factory=list)
    samples: int | None = Field(None, ge=1, le=MAX_VARIANTS)
    seed: int = 1
    trajectories: int | None = Field(None, ge=2, le=MAX_VARIANTS)
    levels: int = Field(DEFAULT_LEVELS, ge=2, le=100)
    workers: int = 1
    case: Literal["enforced", "reference", "both"] = "enforced"
    verify: VerifySpec | None = None
    keep: Literal["results"] | None = Field(
        None, description="results: keep each variant's full Results Dataset (a plain run's results.nc; "
                          "reference.nc for the reference solve) as variants/<id>.nc beside its record; "
                          "omitted: only the records")

    @field_validator("keep", mode="before")
    @classmethod
    def _keep(cls, v: Any) -> Any:
        if v is not None and v != KEEP_RESULTS:
            raise ValueError(f"expected {KEEP_RESULTS} (keep each variant's results as variants/<id>.nc) "
                             "or no keep key (keep only the records)")
        return v

    @field_validator("mode")
    @classmethod
    def _mode(cls, v: str) -> str:
        if v not in SAMPLERS:
            raise ValueError(f"unknown mode; expected one of {', '.join(SAMPLERS)}")
        return v

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
        sampler = self.sampler()
        if sampler.needs_samples and self.samples is None:
            problems.append((("samples",), f"mode: {self.mode} needs samples: N (how many "
                                           f"{sampler.needs_samples} to draw)", None))
        if self.trajectories is not None and "trajectories" not in sampler.keys:
            problems.append((("trajectories",), f"trajectories is for mode: "
                                                f"{', '.join(m for m, s in SAMPLERS.items() if 'trajectories' in s.keys)}"
                                                f", not {self.mode}", self.trajectories))
        problems += sampler.check(self)
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
        takes = self.sampler().takes
        for path, v in self.parameters.items():
            loc = ("parameters", path)
            if isinstance(v, Bounds) and takes == "values":
                problems.append((loc, f"mode: {self.mode} needs values: a list or {{start, stop, num}} "
                                      "({low, high} is for lhs, sobol, random and oat)", None))
            elif takes == "bounds" and isinstance(v, Linspace):
                problems.append((loc, f"mode: {self.mode} needs bounds: {{low: x, high: y}} or [low, high]", None))
            elif takes == "bounds" and isinstance(v, list) and len(v) != 2:
                problems.append((loc, f"mode: {self.mode} needs bounds: {{low: x, high: y}} or [low, high] "
                                      f"(got {len(v)} values)", v))
            elif takes == "bounds" and isinstance(v, list) and not v[0] < v[1]:
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
        elif not problems and (self.sampler().needs_samples or self.sampler().keys) \
                and self.variant_count() > MAX_VARIANTS:
            key = "trajectories" if "trajectories" in self.sampler().keys else "samples"
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

    def sampler(self) -> Sampler:
        """The registered sampler of this sweep's mode."""
        return SAMPLERS[self.mode]

    def variant_count(self) -> int:
        """Number of variants the sweep expands to (the sampler's count)."""
        return self.sampler().count(self)


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
