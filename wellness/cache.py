"""The published program catalogue cache (Redis in production).

One ``kaya.versioned_cache.VersionedCache`` for the whole catalogue: staff
changes bump its version, so every cached page of every filter combination goes
stale at once without a key scan.
"""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict

from kaya.versioned_cache import VersionedCache

PROGRAM_CATALOG = VersionedCache(
    "wellness:programs", seconds=lambda: settings.WELLNESS_PROGRAM_CACHE_SECONDS
)
VERSION_KEY = PROGRAM_CATALOG.version_key()


def program_catalog_version() -> int:
    return PROGRAM_CATALOG.version()


def program_catalog_invalidate() -> None:
    PROGRAM_CATALOG.invalidate()


def program_list_cache_part(
    *, host: str, path: str, query: QueryDict, languages: tuple[str, ...] = ()
) -> str:
    """What one page of the catalogue is, as requested: the host and path
    (the page's ``next``/``previous`` links carry them), every query
    parameter, in a canonical order so equal requests share one entry, and the
    languages the text is shown in (a Spanish page is not an English one)."""
    canonical = "&".join(
        f"{key}={value}" for key, values in sorted(query.lists()) for value in values
    )
    return f"{host}{path}?{canonical}#{','.join(languages)}"
