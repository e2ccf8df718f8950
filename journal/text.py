"""Plain-text rules for journal input: no markup, normalised tags."""

from __future__ import annotations

import re
import unicodedata

import nh3
from django.core.exceptions import ValidationError

MAX_TAGS = 10
MAX_TAG_LENGTH = 32
_TAG_SEPARATORS = re.compile(r"[\s_]+")
_TAG_ALLOWED = re.compile(r"^[\w-]+$")

MARKUP_MESSAGE = "HTML markup is not allowed; send plain text."


def contains_markup(value: str) -> bool:
    """Whether ``value`` holds HTML tags or comments (entities alone do not count:
    "a < b & c" is plain text)."""
    return nh3.is_html(value)


def reject_markup(value: str) -> str:
    if contains_markup(value):
        raise ValidationError(MARKUP_MESSAGE, code="markup")
    return value


def normalise_text(value: str) -> str:
    """Unify line endings and Unicode forms; strip surrounding whitespace."""
    return unicodedata.normalize(
        "NFC", value.replace("\r\n", "\n").replace("\r", "\n")
    ).strip()


def normalise_tag(raw: str) -> str:
    """``"  Self Care "`` and ``"#self_care"`` both become ``"self-care"``."""
    tag = unicodedata.normalize("NFKC", raw).strip().lstrip("#").strip().casefold()
    tag = _TAG_SEPARATORS.sub("-", tag).strip("-")
    if not tag:
        raise ValidationError("A tag cannot be empty.", code="blank")
    if len(tag) > MAX_TAG_LENGTH:
        raise ValidationError(
            f"A tag has at most {MAX_TAG_LENGTH} characters.", code="max_length"
        )
    if not _TAG_ALLOWED.match(tag):
        raise ValidationError(
            "A tag may hold only letters, digits, hyphens and spaces.", code="invalid"
        )
    return tag


def normalise_tags(raw_tags: list[str]) -> list[str]:
    """Normalised, de-duplicated (first occurrence wins), at most MAX_TAGS."""
    tags: list[str] = []
    for raw in raw_tags:
        tag = normalise_tag(raw)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags.", code="max_length")
    return tags
