"""Plain-text hygiene for posts and comments: markup neutralised with nh3,
blocked terms found on word boundaries."""

from __future__ import annotations

import html
import re

import nh3


def sanitize_text(text: str) -> str:
    """Text as typed when it holds no markup ("I <3 you", "a & b" stay as they
    are); otherwise nh3's output with every tag removed and the rest escaped, so
    a payload is stored inert whatever a client later does with it."""
    text = text.strip()
    cleaned = nh3.clean(text, tags=set(), attributes={})
    if html.unescape(cleaned) == text:
        return text
    return cleaned.strip()


def contains_term(text: str, terms: list[str]) -> bool:
    folded = text.casefold()
    return any(
        re.search(r"(?<!\w)" + re.escape(term.casefold()) + r"(?!\w)", folded)
        for term in terms
        if term.strip()
    )
