"""Two languages from one message catalogue: Simplified Chinese (``zh``) and English (``en``).

Every text the outputs show (report, comparison, workbook headers, the
command-line scorecard) is a key of ``messages.yaml`` with one entry per
language, so no sentence is written twice. Numbers with units are formatted
from the catalogue's ``quantities`` table (the plan's own units in Chinese:
万千瓦, 亿千瓦时, 亿元, 万吨; MW, TWh, M CNY, Mt in English).

Names of technologies and fuels are data, not messages: they come from the
``name``/``name_zh`` and ``fuel_name``/``fuel_name_zh`` columns of the inputs.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import xarray as xr
import yaml

from energy_model import vocabulary as n

#: Languages, in the order the report offers them (the bureau's first).
LANGS: tuple[str, ...] = ("zh", "en")
#: ``lang`` attribute of HTML elements per language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}
#: Quantity used for a fuel's trading unit.
FUEL_UNIT_QUANTITY = {"t": "mass", "m3": "volume_m3"}


#: PyYAML's safe loader in C when libyaml is there (same documents, ~0.04 s instead of ~0.8 s here).
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C SafeLoader where libyaml is there


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    """The parsed catalogue: ``{"messages": {key: {lang: text}}, "quantities": {...}}``.

    Raises
    ------
    ValueError
        When a message lacks a language or the two languages use different placeholders.
    """
    text = resources.files("energy_model.output").joinpath("messages.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader (the C one: 20x faster)
    # YAML 1.1 reads 1.0e9 (no exponent sign) as text: numbers of the format tables are made numbers here
    data["quantities"] = {q: {lang: [[float(a), float(b), int(c), str(d)] for a, b, c, d in rows]
                              for lang, rows in per.items()} for q, per in data["quantities"].items()}
    data["axis_prefixes"] = {lang: [[float(a), str(b)] for a, b in rows] for lang, rows in data["axis_prefixes"].items()}
    data["axis_scales"] = {k: {lang: float(v) for lang, v in per.items()} for k, per in data["axis_scales"].items()}
    for key, entry in data["messages"].items():
        missing = [lang for lang in LANGS if not isinstance(entry, dict) or lang not in entry]
        if missing:
            raise ValueError(f"messages.yaml: {key} has no text for {', '.join(missing)}")
        fields = {lang: sorted(_fields(entry[lang])) for lang in LANGS}
        if len({tuple(v) for v in fields.values()}) > 1:
            raise ValueError(f"messages.yaml: {key} uses different placeholders per language: {fields}")
    return data


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: wide (CJK) characters count two [-]."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad ``text`` with spaces to ``width`` terminal columns (left- or right-aligned)."""
    space = " " * max(width - display_width(text), 0)
    return space + text if right else text + space


class Lang:
    """Messages and number formats of one language.

    Parameters
    ----------
    code : {"zh", "en"}
        Language code.
    """

    def __init__(self, code: str) -> None:
        if code not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}, not {code!r}")
        self.code = code
        self.html = HTML_LANG[code]
        data = catalogue()
        self._messages: dict[str, dict[str, str]] = data["messages"]
        self._quantities: dict[str, dict[str, list[list[Any]]]] = data["quantities"]
        self._scales: dict[str, dict[str, float]] = data["axis_scales"]

    def __call__(self, key: str, **values: Any) -> str:
        """The message ``key`` in this language with ``{placeholders}`` filled."""
        text = self._messages[key][self.code]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """True if the catalogue has ``key``."""
        return key in self._messages

    def get(self, key: str, default: str) -> str:
        """The message ``key``, or ``default`` when the catalogue has none."""
        return self(key) if key in self._messages else default

    def scale(self, name: str) -> float:
        """Divisor of an axis in this language (``money``: 1e6 for M CNY, 1e8 for 亿元) [-]."""
        return float(self._scales[name][self.code])

    def prefix(self, top: float) -> tuple[float, str]:
        """Divisor and unit prefix for an axis whose largest value is ``top`` (1e4 and 万, 1e6 and M ...)."""
        for divisor, prefix in catalogue()["axis_prefixes"][self.code]:
            if abs(top) >= divisor:
                return divisor, prefix
        return 1.0, ""

    def num(self, value: float | None, decimals: int = 0) -> str:
        """A plain number with thousands separators; ``n/a`` (or 无) when missing; never ``-0``."""
        if value is None or not math.isfinite(float(value)):
            return self("common.na") if value is None or math.isnan(float(value)) else self("common.unlimited")
        text = f"{float(value):,.{decimals}f}"
        return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text

    def q(self, quantity: str, value: float | None, per: str = "") -> str:
        """A value with its unit, scaled as the catalogue's ``quantities[quantity]`` says.

        Parameters
        ----------
        quantity : str
            ``money`` [CNY], ``power`` [MW], ``energy`` [MWh], ``mass`` [t], ``volume_m3`` [m3],
            ``share`` [-], ``price`` [CNY/MWh], ``hours`` [h] ...
        value : float
            Value in the quantity's base unit.
        per : {"", "yr", "h"}
            Append "per year" or "per hour".
        """
        if value is None or not math.isfinite(float(value)):
            return self.num(value)
        rows = self._quantities[quantity][self.code]
        v = float(value)
        threshold, divisor, decimals, pattern = rows[-1]
        for row in rows:
            if abs(v) >= row[0]:
                threshold, divisor, decimals, pattern = row
                break
        return pattern.format(self.num(v / divisor, decimals)) + (self(f"per.{per}") if per else "")

    def period(self, hours: int) -> str:
        """A horizon's length in words: 全年 only for a whole year (8,760 or 8,784 h), else hours and days.

        ``全年8,760小时`` / ``the full year of 8,760 h``; ``336小时（14天）`` / ``336 h (14 days)``;
        ``2个全年共17,520小时`` for several whole years.
        """
        hours = int(hours)
        years = round(hours / 8760)
        if years >= 1 and abs(hours - 8760 * years) <= 24 * ((years + 3) // 4):  # leap days
            key = "period.year" if years == 1 else "period.years"
            return self(key, hours=self.num(hours), years=self.num(years))
        days = hours / 24
        return self("period.window", hours=self.num(hours), days=self.num(days, 0 if days == int(days) else 1))

    def fuel_amount(self, value: float | None, unit: str, per: str = "") -> str:
        """An amount of fuel in its trading unit (t, m3) [unit]."""
        quantity = FUEL_UNIT_QUANTITY.get(unit)
        if quantity is None:
            return f"{self.num(value)} {unit}" + (self(f"per.{per}") if per else "")
        return self.q(quantity, value, per)


class Names:
    """Names of technologies and fuels in both languages, from the inputs' name columns.

    Parameters
    ----------
    inputs : xarray.Dataset
        ModelInputs (``name``, ``name_zh``, ``fuel_name``, ``fuel_name_zh``).
    """

    def __init__(self, inputs: xr.Dataset) -> None:
        techs = inputs[n.TECH].values.astype(str)
        fuels = inputs[n.FUEL].values.astype(str)
        self.tech = {"en": _column(inputs, "name", techs), "zh": _column(inputs, "name_zh", techs)}
        self.fuel = {"en": _column(inputs, "fuel_name", fuels), "zh": _column(inputs, "fuel_name_zh", fuels)}
        for lang in LANGS:  # a missing Chinese name falls back to the English one
            for table in (self.tech, self.fuel):
                table[lang] = {k: v or table["en"].get(k) or k for k, v in table[lang].items()}

    def technology(self, ident: str, lang: Lang) -> str:
        """Display name of a technology in ``lang``."""
        return self.tech[lang.code].get(ident, ident)

    def fuel_name(self, ident: str, lang: Lang) -> str:
        """Display name of a fuel supply in ``lang``."""
        return self.fuel[lang.code].get(ident, ident)

    def group(self, ident: str, lang: Lang) -> str:
        """Name of an electricity group (carrier, imports, storage...) in ``lang``."""
        return lang.get(f"group.{ident}", self.technology(ident, lang))


def _column(inputs: xr.Dataset, name: str, ids: Any) -> dict[str, str]:
    if name not in inputs:
        return {str(i): str(i) for i in ids}
    return {str(i): ("" if str(v) in ("", "nan", "None") else str(v)) for i, v in zip(ids, inputs[name].values)}
