"""Number formatting shared by the scorecard and the report."""

from __future__ import annotations


def fmt_number(value: float | None, spec: str = ",.0f") -> str:
    """Format a number for people: ``n/a`` for missing values, never ``-0``."""
    if value is None or value != value:
        return "n/a"
    text = format(float(value), spec)
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text
