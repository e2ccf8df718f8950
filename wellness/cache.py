"""The published program catalogue cache (Redis in production).

Keys carry a catalogue version; staff changes bump the version, so every cached
page of every filter combination goes stale at once without a key scan.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone

VERSION_KEY = "wellness:programs:version"


def program_catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock, not 1, so a version evicted from the cache can
        # never come back to a number whose old pages are still cached. add() so
        # two first readers agree on one starting version.
        fresh = int(timezone.now().timestamp() * 1_000_000)
        cache.add(VERSION_KEY, fresh, timeout=None)
        version = cache.get(VERSION_KEY)
        if version is None:
            # The cache is unreachable (its errors are ignored, so reads come
            # back empty): a version no page was stored under means a miss,
            # never a stale page.
            return fresh
    return int(version)


def program_catalog_invalidate() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # No version stored (never read, or evicted): a fresh clock-based one is
        # already newer than any version whose pages may still be cached.
        program_catalog_version()


def program_list_cache_key(
    *, host: str, path: str, query: QueryDict, languages: tuple[str, ...] = ()
) -> str:
    """The key of one page of the catalogue as requested: the host and path
    (the page's ``next``/``previous`` links carry them), every query
    parameter, in a canonical order so equal requests share one entry, and the
    languages the text is shown in (a Spanish page is not an English one)."""
    canonical = "&".join(
        f"{key}={value}" for key, values in sorted(query.lists()) for value in values
    )
    shown_in = ",".join(languages)
    digest = hashlib.sha256(
        f"{host}{path}?{canonical}#{shown_in}".encode()
    ).hexdigest()[:32]
    return f"wellness:programs:v{program_catalog_version()}:{digest}"


def program_list_cache_get(key: str) -> Any:
    return cache.get(key)


def program_list_cache_set(key: str, data: Any) -> None:
    cache.set(key, data, timeout=settings.WELLNESS_PROGRAM_CACHE_SECONDS)
