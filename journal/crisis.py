"""The one crisis check and the one choice of crisis resources.

Every app that meets words or moods from someone who may be in danger (the
community, the AI companion, very low moods in the journal) asks here: the
journal app sits below all of them, beside the staff-curated crisis lines.

``crisis_check`` is deterministic: staff-maintained phrases (``CrisisPhrase``),
matched case-insensitively on word boundaries in the text's language. A
model-based layer can be added behind the same function; callers only read the
result.

Crisis lines are chosen by the user's locale AND country: a line answers only
in the countries it lists (``CrisisResource.countries``; empty means
everywhere), so a user in New York is shown 988, not the EU's 112.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from journal.models import CrisisPhrase, CrisisResource

if TYPE_CHECKING:
    from accounts.models import User

SUPPORT_MESSAGE = (
    "It sounds like things are really hard right now. You don't have to go "
    "through this alone: these services are free, confidential and there to "
    "listen. If you are in immediate danger, call your local emergency number."
)


@dataclass(frozen=True)
class CrisisCheckResult:
    flagged: bool
    categories: tuple[str, ...] = ()
    # Ids of the matched phrases (for moderators); never the text itself.
    phrase_ids: tuple[int, ...] = field(default=())


def locale_candidates(locale: str | None) -> list[str]:
    """``"pt-BR"`` -> ``["pt-br", "pt", <fallback>]``."""
    candidates: list[str] = []
    if locale:
        lowered = locale.strip().lower().replace("_", "-")
        candidates += [lowered, lowered.split("-")[0]]
    candidates.append(settings.JOURNAL_FALLBACK_LOCALE.lower())
    return list(dict.fromkeys(c for c in candidates if c))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def crisis_check(text: str, locale: str | None) -> CrisisCheckResult:
    """Whether ``text`` carries a self-harm or suicide signal.

    Phrases of the text's language and of the fallback locale are both checked:
    people often write in English whatever their app language is.
    """
    languages = {c.split("-")[0] for c in locale_candidates(locale)}
    folded = _fold(text)
    if not folded:
        return CrisisCheckResult(flagged=False)
    categories: list[str] = []
    phrase_ids: list[int] = []
    phrases = CrisisPhrase.objects.filter(is_active=True).values_list(
        "id", "phrase", "category", "locale"
    )
    for phrase_id, phrase, category, phrase_locale in phrases:
        if phrase_locale.lower().split("-")[0] not in languages:
            continue
        pattern = r"(?<!\w)" + re.escape(_fold(phrase)) + r"(?!\w)"
        if re.search(pattern, folded):
            phrase_ids.append(phrase_id)
            if category not in categories:
                categories.append(category)
    return CrisisCheckResult(
        flagged=bool(phrase_ids),
        categories=tuple(categories),
        phrase_ids=tuple(phrase_ids),
    )


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone name -> ISO country code, from the system's ``zone.tab``."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / "zone.tab"
        if path.is_file():
            mapping: dict[str, str] = {}
            for line in path.read_text().splitlines():
                if line.startswith("#") or not line.strip():
                    continue
                parts = line.split("\t")
                if len(parts) >= 3:
                    mapping[parts[2]] = parts[0].upper()
            return mapping
    return {}


def country_for_timezone(timezone_name: str | None) -> str | None:
    """``"America/New_York"`` -> ``"US"``; None for UTC or an unknown zone."""
    if not timezone_name:
        return None
    return _zone_countries().get(timezone_name)


def _answers_in(resource: CrisisResource, country: str | None) -> bool:
    codes = resource.countries.upper().split()
    return not codes or (country is not None and country.upper() in codes)


def crisis_resources_for(
    *, locale: str | None, country: str | None = None
) -> tuple[str, list[CrisisResource]]:
    """The active crisis lines of the first locale that has any for the user's
    country: the user's locale, its language, then the fallback locale. Lines
    restricted to other countries are never shown; with the country unknown,
    only lines that answer everywhere are."""
    candidates = locale_candidates(locale)
    rows = list(
        CrisisResource.objects.filter(is_active=True).order_by("sort_order", "id")
    )
    for candidate in candidates:
        resources = [
            r for r in rows if r.locale.lower() == candidate and _answers_in(r, country)
        ]
        if resources:
            return candidate, resources
    return candidates[-1], []


def crisis_support(*, user: User) -> dict[str, Any]:
    """The ``support`` block shown to a user who may be in crisis: a message and
    the crisis lines for their locale and country."""
    locale, resources = crisis_resources_for(
        locale=user.locale, country=country_for_timezone(user.timezone)
    )
    return {"message": SUPPORT_MESSAGE, "locale": locale, "resources": resources}
