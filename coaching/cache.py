"""The therapist directory cache (Redis in production).

One ``kaya.versioned_cache.VersionedCache`` for the whole directory: a staff
change bumps its version, so every cached page of every filter combination goes
stale at once without a key scan.
"""

from __future__ import annotations

from kaya.versioned_cache import VersionedCache

CACHE_SECONDS = 600
THERAPIST_DIRECTORY = VersionedCache("coaching:therapists", seconds=CACHE_SECONDS)
VERSION_KEY = THERAPIST_DIRECTORY.version_key()


def therapist_directory_version() -> int:
    return THERAPIST_DIRECTORY.version()


def therapist_directory_invalidate() -> None:
    THERAPIST_DIRECTORY.invalidate()
