"""Free text a user writes (titles, labels, names, descriptions): no control characters.

A control character in a title reaches every writer: openpyxl refuses it
(after every solve has run), a terminal obeys it (``\\x1b[31m`` colours the
scorecard) and a right-to-left override reorders what a reader sees. Such text
is refused when the scenario or table is read. Newline and tab are allowed in
long text (``description``) only.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StrictStr

#: Invisible characters that reorder the text around them (bidirectional overrides and isolates).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What long text may hold besides printable characters.
LONG_TEXT_ALLOWED = frozenset("\n\t")


def bad_character(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control character of ``text`` as ``U+0007``, or None when there is none.

    Parameters
    ----------
    text : str
        Text to check.
    allowed : frozenset of str
        Control characters that are accepted (newline and tab in long text).

    Returns
    -------
    str or None
        ``U+XXXX`` of the first character of Unicode category Cc (C0, DEL, C1) or a
        bidirectional control, or None.
    """
    for char in text:
        if char in allowed:
            continue
        if unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS:
            return f"U+{ord(char):04X}"
    return None


def problem(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The sentence for an input error about ``text``, or None when it is plain text."""
    code = bad_character(text, allowed)
    if code is None:
        return None
    extra = " other than newline and tab" if allowed else ""
    return f"text may not contain control characters{extra}: found {code}; remove it"


def _short(text: str) -> str:
    message = problem(text)
    if message is not None:
        raise ValueError(message)
    return text


def _long(text: str) -> str:
    message = problem(text, LONG_TEXT_ALLOWED)
    if message is not None:
        raise ValueError(message)
    return text


def _if_text(value: object) -> object:
    return _short(value) if isinstance(value, str) else value


#: One line of text: a title, a label, a name, a file name.
Text = Annotated[StrictStr, AfterValidator(_short)]
#: A value that is a number or one line of text (an override); the text is checked as :data:`Text`.
NumberOrText = Annotated[float | StrictStr | None, AfterValidator(_if_text)]
#: Text of several lines (newline and tab allowed): a description.
LongText = Annotated[StrictStr, AfterValidator(_long)]
