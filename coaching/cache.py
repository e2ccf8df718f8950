"""The therapist directory cache (Redis in production).

Keys carry a directory version; a staff change bumps it, so every cached page of
every filter combination goes stale at once without a key scan.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.utils import timezone

VERSION_KEY = "coaching:therapists:version"
CACHE_SECONDS = 600


def therapist_directory_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # From the clock, not 1: a version evicted from the cache never comes
        # back to a number whose old pages are still cached.
        fresh = int(timezone.now().timestamp() * 1_000_000)
        cache.add(VERSION_KEY, fresh, timeout=None)
        version = cache.get(VERSION_KEY)
        if version is None:
            # The cache is unreachable: a miss, never a stale page.
            return fresh
    return int(version)


def therapist_directory_invalidate() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        therapist_directory_version()


def therapist_list_cache_key(query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"coaching:therapists:v{therapist_directory_version()}:{digest}"


def therapist_list_cache_get(key: str) -> Any:
    return cache.get(key)


def therapist_list_cache_set(key: str, data: Any) -> None:
    cache.set(key, data, timeout=CACHE_SECONDS)
