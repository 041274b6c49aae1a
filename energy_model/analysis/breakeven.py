"""Break-even: the value of a cost parameter at which a target stops binding.

For a target k and a changeable cost parameter v (a :class:`~energy_model.engine.study.Study`
path such as ``technologies.<id>.capex_cny_per_kw``, ``fuels.<id>.price_cny_per_unit``
or ``economics.carbon_price_cny_per_t``) let d(v) be the target's shadow price
with k enforced. The break-even value v* is where d reaches zero: beyond it
the least-cost system meets the target on its own, so the target costs
nothing (the subsidy or price that makes it free).

Search (each evaluation is one re-solve of the built model with only v
changed): find a bracket [b, f] with d(b) > 0 (binding) and d(f) <= zero
(free), then shrink it until |f - b| <= tol. An objective coefficient enters
the duals linearly as long as the optimal basis stays the same, so d is
piecewise linear in v; each step therefore tries the secant through the two
latest binding points (exact when one piece reaches zero), confirms a secant
hit with a probe tol/2 towards the binding side, and falls back to bisection
whenever the secant does not at least halve the bracket. The reported value
is the free end f, with tolerance |f - b|.

The target is enforced during the search whatever its scenario mode; other
targets keep their modes; the parameter and modes are restored afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from energy_model import vocabulary as n
from energy_model.engine.study import Study
from energy_model.errors import InputError, InputIssue
from energy_model.io.changes import Origin

#: Words and unit per changeable cost column.
PARAM_WORDS = {
    "capex_cny_per_kw": ("capex", "CNY/kW"),
    "fom_cny_per_kw_yr": ("fixed O&M cost", "CNY/kW/yr"),
    "vom_cny_per_mwh": ("variable O&M cost", "CNY/MWh"),
    "capex_cny_per_kwh": ("energy capex", "CNY/kWh"),
    "fom_cny_per_kwh_yr": ("energy fixed O&M cost", "CNY/kWh/yr"),
    "max_mw": ("maximum capacity", "MW"),
    "min_mw": ("minimum capacity", "MW"),
    "max_mwh": ("maximum energy capacity", "MWh"),
    "carbon_price_cny_per_t": ("carbon price", "CNY/t"),
    "value_of_lost_load_cny_per_mwh": ("value of lost load", "CNY/MWh"),
}


#: Break-even probes are generated between valid values: hard ranges apply, unit-slip checks do not.
PROBE = Origin("break-even", typed=False)


def describe_parameter(study: Study, path: str) -> tuple[str, str]:
    """Plain words and unit of a Study path, e.g. ("Offshore wind capex", "CNY/kW")."""
    parts = path.split(".")
    ds = study.inputs
    if parts[0] == "fuels" and len(parts) == 3:
        name = str(ds["fuel_name"].sel({n.FUEL: parts[1]}).item()) if "fuel_name" in ds else parts[1]
        unit = str(ds["fuel_unit"].sel({n.FUEL: parts[1]}).item()) if "fuel_unit" in ds else "unit"
        return f"{name or parts[1]} price", f"CNY/{unit}"
    words, unit = PARAM_WORDS.get(parts[-1], (parts[-1].replace("_", " "), ""))
    if parts[0] == "technologies" and len(parts) == 3:
        name = str(ds["name"].sel({n.TECH: parts[1]}).item()) if "name" in ds else ""
        return f"{name or parts[1].replace('_', ' ')} {words}", unit
    return words[:1].upper() + words[1:], unit


def _current(study: Study, param: str) -> float:
    """Current value of a numeric Study path; InputError for anything else."""
    try:
        value = study.get(param)
    except (KeyError, IndexError, ValueError, TypeError):
        value = None
    if not isinstance(value, float) or not math.isfinite(value):
        raise InputError(InputIssue("breakeven", "param", "not a changeable path with a finite number; see "
                                    "energy_model.io.changes for the paths", value=param))
    return value


def _fmt(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"


def breakeven(study: Study, param: str, target: str, lo: float | None = None, hi: float | None = None,
              tol: float | None = None, *, zero: float = 1e-3, max_iter: int = 40,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Value of a cost parameter at which a target's shadow price reaches zero.

    Parameters
    ----------
    study : Study
        The scenario's built model (re-used; restored afterwards).
    param : str
        A changeable Study path [its user unit, e.g. CNY/kW, CNY/unit, CNY/t].
    target : str
        Target name.
    lo, hi : float, optional
        Search bracket [parameter unit]. Defaults: 0 and 10 x the current value
        (current + 1 if it is 0); the side next to the current value where the
        target is free is searched.
    tol : float, optional
        Width of the final bracket [parameter unit]; default 1e-3 x max(|current|, 1).
    zero : float
        Shadow prices at or below this count as zero [CNY/kW/yr | CNY/MWh | CNY/t].
    max_iter : int
        Most re-solves inside the bracket.
    progress : callable, optional
        Receives a line of text before each solve.

    Returns
    -------
    dict
        ``status`` (found | not_binding | no_sign_change), ``value`` (the free
        end of the final bracket, or None), ``tolerance`` (final bracket width),
        ``binding_side_value``, ``dual_at_value``, ``dual_binding_side``,
        ``current_value``, ``dual_at_current``, ``bracket`` (initial ends and
        their duals), ``iterations`` (solves), ``evaluations`` ([value, dual]
        pairs), units and a plain ``sentence``.

    Examples
    --------
    >>> from energy_model.engine.study import Study
    >>> from energy_model.inputs.load import load_case
    >>> study = Study(load_case("scenarios/example_day.yaml"))
    >>> found = breakeven(study, "technologies.offshore_wind.capex_cny_per_kw", "wind_capacity")
    >>> found["status"], found["current_value"], found["unit"]  # the target binds over 0 to 160,000 CNY/kW
    ('no_sign_change', 16000.0, 'CNY/kW')
    """
    if target not in study.targets:
        raise InputError(InputIssue("breakeven", "target", f"unknown target; choose one of {study.targets}",
                                    value=target))
    current = _current(study, param)
    kind = str(study.inputs["target_kind"].sel({n.TARGET: target}).item())
    words, unit = describe_parameter(study, param)
    label = str(study.inputs["target_label"].sel({n.TARGET: target}).item())
    evaluations: list[list[float]] = []

    def dual(v: float) -> float:
        with study.changed({param: v}, PROBE):
            res = study.solve(f"break-even: {param} = {v:.6g}", progress)
        d = float(res["target_shadow_price"].sel({n.TARGET: target}))
        evaluations.append([v, d])
        return d

    out: dict[str, Any] = {"parameter": param, "parameter_label": words, "unit": unit, "target": target,
                           "target_label": label, "shadow_price_unit": n.TARGET_PRICE_UNIT[kind], "current_value": current}
    tol = 1e-3 * max(abs(current), 1.0) if tol is None else float(tol)
    if not tol > 0:
        raise InputError(InputIssue("breakeven", "tol", "the tolerance must be positive", value=tol))
    with study.changed({f"targets.{target}.mode": n.ENFORCE}):
        d_now = dual(current)
        out["dual_at_current"] = d_now
        if d_now <= zero:
            out.update(status="not_binding", value=current, tolerance=0.0, iterations=len(evaluations),
                       evaluations=evaluations, bracket=None,
                       sentence=f"{label} does not bind at the current {words} of {_fmt(current)} {unit} "
                                f"(shadow price {_fmt(d_now)} {n.TARGET_PRICE_UNIT[kind]}): it already costs nothing.")
            return out
        lo_given, hi_given = lo is not None, hi is not None
        lo = 0.0 if lo is None else float(lo)
        hi = (10.0 * current if current > 0 else current + 1.0) if hi is None else float(hi)
        if lo > hi:
            raise InputError(InputIssue("breakeven", "lo", f"lo must not exceed hi ({_fmt(hi)})", value=lo))
        ends: dict[float, float] = {}
        free = None
        refused: list[str] = []
        for end in ([lo, hi] if current >= lo else [hi, lo]):
            if end == current:
                continue
            try:
                ends[end] = dual(end)
            except InputError as err:  # a default end the table rules refuse (e.g. 10 x a capex): not searched
                if (end == hi and hi_given) or (end == lo and lo_given):
                    raise
                refused.append(err.issues[0].message)
                hi = current if end == hi else hi
                lo = current if end == lo else lo
                continue
            if ends[end] <= zero:
                free = end
                break
        out["bracket"] = {"lo": lo, "hi": hi, "dual_lo": ends.get(lo), "dual_hi": ends.get(hi)}
        if free is None:
            out.update(status="no_sign_change", value=None, tolerance=None, iterations=len(evaluations),
                       evaluations=evaluations,
                       sentence=f"{label} still binds over the whole bracket of {words} from {_fmt(lo)} to "
                                f"{_fmt(hi)} {unit} (shadow price {_fmt(ends.get(lo, d_now))} and "
                                f"{_fmt(ends.get(hi, d_now))} {n.TARGET_PRICE_UNIT[kind]} at its ends): no break-even "
                                f"value inside it; widen the bracket (--lo/--hi)."
                                + (f" The default far end was not searched ({refused[0]})" if refused else ""),
                       refused_ends=refused)
            return out
        b, f, db, df = _shrink(dual, current, d_now, free, ends[free], tol, zero, max_iter)
    direction = "fall" if f < current else "rise"
    out.update(status="found", value=f, tolerance=abs(f - b), binding_side_value=b, dual_at_value=df,
               dual_binding_side=db, direction=direction, iterations=len(evaluations), evaluations=evaluations,
               sentence=f"{words} must {direction} to {_fmt(f)} {unit} (within {_fmt(abs(f - b))} {unit}; now "
                        f"{_fmt(current)}) for {label} to cost nothing: its shadow price falls from "
                        f"{_fmt(d_now)} {n.TARGET_PRICE_UNIT[kind]} to zero.")
    return out


def _shrink(dual: Callable[[float], float], b: float, db: float, f: float, df: float, tol: float,
            zero: float, max_iter: int) -> tuple[float, float, float, float]:
    """Shrink the bracket [b binding, f free] to width <= tol; returns (b, f, d(b), d(f))."""
    binding = [(b, db)]
    confirm = False  # last probe was a secant hit on the free side: probe tol/2 towards b next
    bisect = False
    for _ in range(max_iter):
        width = abs(f - b)
        if width <= tol:
            break
        guess = None
        if confirm:
            guess = f + math.copysign(min(0.5 * tol, 0.5 * width), b - f)
        elif not bisect and len(binding) >= 2:
            (v1, d1), (v2, d2) = binding[-2], binding[-1]
            if d2 != d1:
                root = v2 - d2 * (v2 - v1) / (d2 - d1)
                if min(b, f) < root < max(b, f):
                    guess = root
        used_secant = guess is not None and not confirm
        if guess is None:
            guess = 0.5 * (b + f)
        d = dual(guess)
        if d > zero:
            bisect = used_secant and abs(f - guess) > 0.5 * width
            b, db = guess, d
            binding.append((b, d))
            confirm = False
        else:
            confirm = used_secant
            bisect = False
            f, df = guess, d
    return b, f, db, df

