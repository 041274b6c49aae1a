"""Sweep designs: turn a sweep file into its variants, with one registry of samplers (grid, list, random ...).

Every ``mode:`` of a sweep file is a sampler registered in
:data:`energy_model.io.sweep_spec.SAMPLERS` by the :func:`sampler` decorator
below. Adding a mode is one decorated function: it returns points in the unit
cube (mapped linearly onto each parameter's ``[low, high]``; the paths of a
paired group share their dimension's coordinate) or a full :class:`Expansion`::

    @sampler("halton", needs_samples="variants")
    def halton(spec, base):
        return qmc.Halton(d=len(spec.dimensions()), seed=spec.seed).random(spec.variant_count())
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.stats import qmc

from energy_model.errors import MAX_ISSUES, InputError, InputIssue
from energy_model.inputs.aggregate import check_periods
from energy_model.io.case import Case
from energy_model.io.changes import Origin, apply_changes, current_value
from energy_model.io.sweep_spec import DEFAULT_SAMPLES, SAMPLERS, Problem, Sampler, SweepSpec, register
from energy_model.sweep.sampling import morris_count, morris_unit, saltelli_count, saltelli_unit


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




def sampler(name: str, *, takes: Literal["values", "bounds", "either"] = "bounds",
            count: Callable[[SweepSpec], int] | None = None, needs_samples: str = "",
            needs_base: bool = False, keys: frozenset[str] = frozenset(),
            check: Callable[[SweepSpec], list[Problem]] | None = None) -> Callable[[Callable[..., Any]], Any]:
    """Register the decorated ``draw(spec, base)`` as the sweep mode ``name`` (see :class:`Sampler`).

    ``count`` defaults to ``samples`` (:data:`DEFAULT_SAMPLES` when not given).
    """
    def register_draw(draw: Callable[..., Any]) -> Callable[..., Any]:
        register(Sampler(name, draw, takes, count or (lambda spec: spec.samples or DEFAULT_SAMPLES), needs_samples,
                         needs_base, keys, check or (lambda spec: [])))
        return draw
    return register_draw


def _power_of_two(spec: SweepSpec) -> list[Problem]:
    """``samples`` of a Sobol sequence must be a power of two."""
    if spec.samples is None or not spec.samples & (spec.samples - 1):
        return []
    below = 1 << (spec.samples.bit_length() - 1)
    return [(("samples",), f"mode: {spec.mode} needs a power of two (a Sobol sequence is balanced "
                           f"only for 2^m points); use {below} or {below * 2}", spec.samples)]


def _morris_rules(spec: SweepSpec) -> list[Problem]:
    problems: list[Problem] = []
    if spec.trajectories is None:
        problems.append((("trajectories",), "mode: morris needs trajectories: r (how many Morris trajectories "
                                            "to draw, e.g. 10)", None))
    if spec.levels % 2:
        problems.append((("levels",), "mode: morris needs an even number of levels (4, 6, 8 ...)", spec.levels))
    return problems


@sampler("grid", takes="values",
         count=lambda spec: int(np.prod([len(spec.values()[d[0]]) for d in spec.dimensions()])))
def grid(spec: SweepSpec, base: Mapping[str, float] | None) -> Expansion:
    """Every combination, the last parameter fastest; a paired group is one dimension (its i-th values together)."""
    vals, dims = spec.values(), spec.dimensions()
    shape = tuple(len(vals[d[0]]) for d in dims)
    changes = [{p: vals[p][k] for d, k in zip(dims, idx) for p in d}
               for idx in itertools.product(*(range(s) for s in shape))]
    return Expansion([_in_order(spec, c) for c in changes], [{} for _ in changes], dims, shape)


@sampler("list", takes="values", count=lambda spec: min(len(v) for v in spec.values().values()))
def listed(spec: SweepSpec, base: Mapping[str, float] | None) -> Expansion:
    """The i-th values of every parameter together."""
    vals, count = spec.values(), spec.variant_count()
    changes = [{p: vals[p][i] for p in spec.parameters} for i in range(count)]
    return Expansion(changes, [{"sample": i} for i in range(count)], spec.dimensions())


@sampler("random", takes="either")
def random(spec: SweepSpec, base: Mapping[str, float] | None) -> Expansion:
    """Uniform draws between each parameter's lowest and highest value (``numpy.random.default_rng(seed)``)."""
    dims, bounds, count = spec.dimensions(), spec.bounds(), spec.variant_count()
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


@sampler("lhs", needs_samples="variants")
def lhs(spec: SweepSpec, base: Mapping[str, float] | None) -> np.ndarray:
    """``scipy.stats.qmc.LatinHypercube(scramble=True, seed=seed)`` points: one in each of ``samples`` bins per axis."""
    return unit_samples("lhs", len(spec.dimensions()), spec.variant_count(), spec.seed)


@sampler("sobol", needs_samples="variants", check=_power_of_two)
def sobol(spec: SweepSpec, base: Mapping[str, float] | None) -> np.ndarray:
    """A scrambled Sobol' sequence of ``samples`` (a power of two) points (``qmc.Sobol``)."""
    return unit_samples("sobol", len(spec.dimensions()), spec.variant_count(), spec.seed)


@sampler("oat", needs_base=True, count=lambda spec: 1 + 2 * len(spec.dimensions()))
def oat(spec: SweepSpec, base: Mapping[str, float] | None) -> Expansion:
    """The base (every parameter at its scenario value), then each dimension's low and high end, others at base."""
    if base is None:
        raise ValueError("mode: oat needs the base values (energy_model.sweep.design.base_values)")
    bounds = spec.bounds()
    at_base = {p: float(base[p]) for p in spec.parameters}
    changes = [dict(at_base)]
    labels: list[dict[str, Any]] = [{"oat_parameter": "", "oat_side": "base"}]
    for d in spec.dimensions():
        for side, end in (("low", 0), ("high", 1)):
            changes.append({**at_base, **{p: bounds[p][end] for p in d}})
            labels.append({"oat_parameter": d[0], "oat_side": side})
    return Expansion(changes, [{"sample": i, **lab} for i, lab in enumerate(labels)], spec.dimensions())


@sampler("saltelli", needs_samples="base samples", check=_power_of_two,
         count=lambda spec: saltelli_count(spec.samples or DEFAULT_SAMPLES, len(spec.dimensions())))
def saltelli(spec: SweepSpec, base: Mapping[str, float] | None) -> np.ndarray:
    """Saltelli's design for first- and total-order Sobol' indices (:func:`energy_model.sweep.sampling.saltelli_unit`)."""
    return saltelli_unit(len(spec.dimensions()), spec.samples or DEFAULT_SAMPLES, spec.seed)


@sampler("morris", keys=frozenset({"trajectories"}), check=_morris_rules,
         count=lambda spec: morris_count(spec.trajectories or DEFAULT_SAMPLES, len(spec.dimensions())))
def morris(spec: SweepSpec, base: Mapping[str, float] | None) -> np.ndarray:
    """Morris trajectories on a ``levels``-level grid (:func:`energy_model.sweep.sampling.morris_unit`)."""
    return morris_unit(len(spec.dimensions()), spec.trajectories or DEFAULT_SAMPLES, spec.levels, spec.seed)


def expand(spec: SweepSpec, base: Mapping[str, float] | None = None) -> Expansion:
    """Expand a sweep into its variants with its mode's sampler.

    Parameters
    ----------
    spec : SweepSpec
    base : mapping of str to float, optional
        Each parameter's value in the scenario (needed by ``mode: oat``; see
        :func:`base_values`).

    Returns
    -------
    Expansion
        A sampler's unit-cube points are mapped linearly onto each
        parameter's ``[low, high]``, one coordinate per dimension (the paths
        of a paired group move together, each within its own bounds), and
        labelled ``sample`` in order.
    """
    drawn = SAMPLERS[spec.mode].draw(spec, base)
    if isinstance(drawn, Expansion):
        return drawn
    bounds, dims = spec.bounds(), spec.dimensions()
    changes = [_in_order(spec, {p: float(bounds[p][0] + u[j] * (bounds[p][1] - bounds[p][0]))
                                for j, d in enumerate(dims) for p in d}) for u in np.asarray(drawn)]
    return Expansion(changes, [{"sample": i} for i in range(len(changes))], dims)


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


