"""The target test's notes in words, in either language (the analysis returns their numbers only)."""

from __future__ import annotations

from typing import Any

from energy_model import vocabulary as n
from energy_model.output.i18n import Lang


def level_text(kind: str, value: float, lang: Lang) -> str:
    """A target level or shortfall in its unit: energy per year, a share, MW, or mass per year."""
    family = n.target_family(kind)
    if family == n.ENERGY:
        return lang.q("energy", value, "yr")
    if family in (n.SHARE, n.MARGIN):
        return lang.q("share", value)
    if family == n.CAPACITY:
        return lang.q("power", value)
    return lang.q("mass", value, "yr")


def note_text(note: dict[str, Any], lang: Lang, consumption_mwh: float | None = None) -> str:
    """One note of :attr:`energy_model.analysis.target_test.TargetTest.notes` as a sentence.

    Parameters
    ----------
    note : dict
        ``note`` (its kind) and its numbers.
    lang : Lang
        Language.
    consumption_mwh : float, optional
        Annual consumption [MWh/yr]: a share's shortfall is also given as energy.
    """
    kind = note["note"]
    if kind == "cost_alone_not_computed":
        return lang("note.cost_alone_not_computed", unmet=lang.num(note["unmet"]))
    if kind == "cost_alone_estimated":
        days = lang("note.typical_days", days=lang.num(note["typical_days"]))
        if note.get("extremes"):
            days = lang("note.typical_days_extremes", days=days,
                        extremes=lang("note.extremes_sep").join(str(e) for e in note["extremes"]))
        return lang("note.cost_alone_estimated", days=days, solves=lang.num(note["solves"]),
                    estimated=lang.q("money", note["estimated_cny_per_yr"], "yr"),
                    full=lang.q("money", note["full_cny_per_yr"], "yr"), error=f"{note['relative_error']:+.1%}")
    if kind == "soft_shortfall":
        short = level_text(note["kind"], note["shortfall"], lang)
        if n.target_family(note["kind"]) == n.SHARE and consumption_mwh:
            short = lang("note.share_of_consumption", share=short,
                         energy=lang.q("energy", note["shortfall"] * consumption_mwh, "yr"))
        return lang("note.soft_shortfall", target=note["target"], short=short,
                    paid=lang.q("money", note["penalty_paid_cny_per_yr"], "yr"),
                    price=lang.num(note["shadow_price"], 2), unit=lang(f"price_unit.{note['kind']}"))
    raise ValueError(f"unknown target-test note {kind!r}")


def note_texts(notes: list[dict[str, Any]], lang: Lang, consumption_mwh: float | None = None) -> list[str]:
    """Every note as a sentence, in order."""
    return [note_text(note, lang, consumption_mwh) for note in notes]
