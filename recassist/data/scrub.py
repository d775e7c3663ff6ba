"""Direct identifiers removed from free text: e-mail addresses, phone numbers, web addresses,
card-like and other long digit runs, and @handles, each replaced by a placeholder such as `[email]`.

Used on review text before it is stored (the clothing reviews source) and, through
`audiences.privacy`, on every marketer question and text before it is kept or reaches the LLM. It is
a pattern filter, not a named-entity model: a person's name written in prose is not found.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE), "[url]"),
    (re.compile(r"(?<![\w@])@\w{2,}"), "[handle]"),
    (re.compile(r"(?<!\w)(?:\+?\d[\d ().-]{7,}\d)(?!\w)"), "[number]"),
)


def scrub_identifiers(text: str) -> str:
    """`text` with e-mail addresses, web addresses, @handles and phone or other long numbers
    replaced."""
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text
