"""Words for what the scenario files name by id: parameter paths, scenario texts and target labels.

One place turns a parameter path (``technologies.offshore_wind.capex_cny_per_kw``)
into words in either language ("Offshore wind — Capital cost (CNY/kW)",
"海上风电 — 投资成本（元/千瓦）"): the technology's or fuel's name from the
inputs' ``name``/``name_zh`` columns, the column's words from the catalogue's
``param.<column>`` entries (the glossary of input columns) and its unit from the
column name's suffix (``unit_suffix.<suffix>``).

The scenario's title and description and each target's label are written by
the user in English (``title``, ``description``, ``label``) and in Chinese
(``title_zh``, ``description_zh``, ``label_zh``). The Chinese pages use the
Chinese text; where none is given they show the English one behind a marker
(``fallback.english``), never silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from energy_model.output.i18n import Lang

#: Column-name suffixes that carry a unit, longest first (``unit_suffix.<suffix>`` in the catalogue).
UNIT_SUFFIXES = ("cny_per_kwh_yr", "cny_per_kw_yr", "cny_per_kwh", "cny_per_kw", "cny_per_mwh", "cny_per_mw",
                 "cny_per_unit", "cny_per_t", "t_per_mwh_th", "kg_per_mwh_th", "t_per_mwh", "mwh_per_unit",
                 "units_per_yr", "units_per_h", "per_h", "mwh", "mw", "twh", "yr", "h")
#: Top-level tables of an override path and the kind of name their ids have.
TABLES = {"technologies": "technology", "fuels": "fuel"}

#: ``name_of(kind, ident, lang)``: a technology's or fuel's display name (``kind``: technology, fuel).
NameOf = Callable[[str, str, Lang], str]


def unit_of(column: str, lang: Lang) -> str:
    """The unit a column name ends in, in ``lang`` (``capex_cny_per_kw`` -> 元/千瓦, CNY/kW); '' when none."""
    for suffix in UNIT_SUFFIXES:
        if column == suffix or column.endswith("_" + suffix):
            return lang(f"unit_suffix.{suffix}")
    return ""


def _column_words(column: str, lang: Lang) -> str:
    return lang.get(f"param.{column}", column)


def parameter_words(path: str, lang: Lang, name_of: NameOf, unit: bool = True) -> str:
    """A parameter path in words: ``海上风电 — 投资成本（元/千瓦）`` / ``Offshore wind — Capital cost (CNY/kW)``.

    Parameters
    ----------
    path : str
        ``technologies.<id>.<column>``, ``fuels.<id>.<column>`` (with or without ``overrides.``), or a
        scenario key (``economics.carbon_price_cny_per_t``, ``demand.annual_twh``, ``cost_year`` ...);
        a pathway sweep's ``periods.<year>.<path>`` is the path's words with the year.
    name_of : callable
        ``name_of(kind, ident, lang)`` -> display name (kind: ``technology`` or ``fuel``).
    unit : bool
        Append the unit the column name carries, in brackets.

    Returns
    -------
    str
        The words; the path itself (and its unit) where the catalogue has no words for it.
    """
    period = re.match(r"^periods\.(\d{4})\.(.+)$", path)
    if period is not None:
        return lang("glossary.in_period", words=parameter_words(period[2], lang, name_of, unit), year=period[1])
    parts = path.removeprefix("overrides.").split(".")
    column = parts[-1]
    if len(parts) == 3 and parts[0] in TABLES:
        words = lang("assumption.pair", who=name_of(TABLES[parts[0]], parts[1], lang),
                     what=_column_words(column, lang))
    else:
        words = lang.get(f"param.{'.'.join(parts)}", ".".join(parts))
    text = unit_of(column, lang) if unit else ""
    return lang("glossary.with_unit", words=words, unit=text) if text else words


def names_from_meta(tech_names: Mapping[str, Mapping[str, str]] | None,
                    fuel_names: Mapping[str, Mapping[str, str]] | None = None) -> NameOf:
    """A :data:`NameOf` from ``{id: {"zh": ..., "en": ...}}`` tables (the sweep's metadata); the id when absent."""
    tables = {"technology": tech_names or {}, "fuel": fuel_names or {}}

    def name_of(kind: str, ident: str, lang: Lang) -> str:
        return str((tables[kind].get(ident) or {}).get(lang.code) or ident)

    return name_of


def localized(english: str | None, chinese: str | None, lang: Lang) -> str:
    """A user text in ``lang``: the Chinese one in Chinese, else the English one marked as English (or '')."""
    english = english or ""
    if lang.code != "zh":
        return english
    if chinese:
        return chinese
    return lang("fallback.english", text=english) if english else ""


def scenario_text(doc: Mapping[str, Any], field: str, lang: Lang) -> str:
    """The run's ``title`` or ``description`` in ``lang`` (``title_zh`` / ``description_zh`` in Chinese)."""
    text = localized(doc.get(field), doc.get(f"{field}_zh"), lang)
    return text or (str(doc.get("scenario", "")) if field == "title" else "")


def target_label(row: Mapping[str, Any], lang: Lang) -> str:
    """A target's label from the scenario in ``lang`` (``label_zh`` in Chinese); the id when it has none."""
    label, label_zh = row.get("label"), row.get("label_zh")
    label = None if label in (None, "", row.get("target")) else str(label)  # a label of the id is no label
    label_zh = None if label_zh in (None, "") or not isinstance(label_zh, str) else label_zh
    return localized(label, label_zh, lang) or str(row.get("target", ""))
