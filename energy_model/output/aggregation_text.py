"""Sentences on the annual figures of a ``--check-full`` comparison (report and scorecard, both languages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from energy_model.analysis.aggregation_check import FUEL_KEY
from energy_model.output.i18n import Lang, Names


def annual_label(key: str, names: Names | Callable[[str], str] | None, lang: Lang) -> str:
    """Name of an annual figure (``co2_production``, ``imports``, ``fuel.<fuel>`` ...) in ``lang``.

    ``names`` gives the fuels' names: a :class:`Names`, or a function from a fuel id to its name in ``lang``.
    """
    if key.startswith(FUEL_KEY):
        fuel = key.removeprefix(FUEL_KEY)
        name = names.fuel_name(fuel, lang) if isinstance(names, Names) else names(fuel) if names else fuel
        return lang("aggregation.annual.fuel", fuel=name)
    return lang(f"aggregation.annual.{key}")


def _error(value: float) -> str:
    return f"{value:+.1%}"


def annual_sentence(check: dict[str, Any], names: Names | None, lang: Lang) -> str:
    """The figures off by more than the flag limit, or the largest error when none is ('' for an older check)."""
    annual = check.get("annual")
    if not annual:
        return ""
    limit = f"{float(check.get('flag_above', 0.03)):.0%}"
    flagged = check.get("flagged") or []
    if flagged:
        items = lang("common.list_sep").join(
            lang("aggregation.flag_item", name=annual_label(k, names, lang), error=_error(annual[k]["relative_error"]))
            for k in flagged)
        return lang("aggregation.flagged", limit=limit, items=items)
    worst = check.get("largest_annual_error") or {}
    if not worst.get("quantity"):
        return lang("aggregation.annual_same", limit=limit)
    return lang("aggregation.annual_largest", name=annual_label(worst["quantity"], names, lang),
                error=_error(worst["relative_error"]), limit=limit)


def annual_floor_sentence(check: dict[str, Any], lang: Lang) -> str:
    """How the annual figures' errors are measured: the floors ('' for an older check)."""
    if not check.get("annual"):
        return ""
    return lang("aggregation.annual_floors", energy=lang.q("energy", check["energy_floor_mwh"], "yr"),
                co2=lang.q("mass", check["co2_floor_t"], "yr"))
