"""Cached reads that writers invalidate by bumping a version (Redis in
production, the local-memory cache on the embedded default).

A ``VersionedCache`` is a family of cached values (every page of the program
catalogue; every mood-trends answer of one user) with one version number per
scope (``None`` for the whole family, or a user id). A value is stored together
with the version it was built under, and served only while that version is
current, so a writer invalidates every value of a scope at once with one
``INCR`` and no key scan.

Reading is one round trip: the scope's version and the value's entry come back
in one ``MGET``. The version is read before the value is built, so a value
built from rows that a writer changed meanwhile is stored under the old
version and never served after the writer's bump. Writers bump after their
transaction commits (``invalidate_on_commit``); between the commit and the bump
(the rest of the committing call) a reader may still get the previous value.

Versions start from the clock in microseconds, not from 1, so a version lost
from the cache (evicted, flushed) never comes back to a number whose old values
are still stored. When the cache is unreachable (django-redis ignores its
errors, so reads come back empty) every read is a miss and the value is built
from the database: never an error, never a stale value from a previous version.
A bump lost that way leaves old values servable until they expire, so entries
carry a timeout.

Every entry's key also holds the release that built it (``release()``: the
``KAYA_RELEASE`` a deploy sets, or else a digest of the project's own source),
so a deploy that changes what a value holds or how it is shaped never serves a
value the previous code built.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

T = TypeVar("T")


class VersionedCache:
    def __init__(self, name: str, *, seconds: int | Callable[[], int]) -> None:
        self.name = name
        self._seconds = seconds

    @property
    def seconds(self) -> int:
        return self._seconds() if callable(self._seconds) else self._seconds

    def version_key(self, scope: object = None) -> str:
        if scope is None:
            return f"{self.name}:version"
        return f"{self.name}:{scope}:version"

    def entry_key(self, part: str, scope: object = None) -> str:
        digest = hashlib.sha256(f"{release()}\n{part}".encode()).hexdigest()[:32]
        if scope is None:
            return f"{self.name}:{digest}"
        return f"{self.name}:{scope}:{digest}"

    def version(self, scope: object = None) -> int:
        """The scope's current version (a fresh one when none is stored)."""
        version = cache.get(self.version_key(scope))
        return self._started(scope) if version is None else int(version)

    def _started(self, scope: object) -> int:
        key = self.version_key(scope)
        fresh = int(timezone.now().timestamp() * 1_000_000)
        # add(), so that two first readers agree on one starting version.
        cache.add(key, fresh, timeout=None)
        version = cache.get(key)
        # None: the cache is unreachable. A version no value was stored under
        # means a miss, never a stale value.
        return fresh if version is None else int(version)

    def get_or_build(
        self, part: str, build: Callable[[], T], *, scope: object = None
    ) -> T:
        """The value cached for ``part`` (a canonical description of what is
        read: the query, the range) in ``scope``, or ``build()``'s, then
        stored under the version read before building."""
        version_key, entry_key = self.version_key(scope), self.entry_key(part, scope)
        found = cache.get_many([version_key, entry_key])
        version = found.get(version_key)
        version = self._started(scope) if version is None else int(version)
        entry = found.get(entry_key)
        if entry is not None and entry[0] == version:
            return entry[1]  # type: ignore[no-any-return]
        value = build()
        cache.set(entry_key, (version, value), timeout=self.seconds)
        return value

    def invalidate(self, scope: object = None) -> None:
        """Every value of the scope goes stale now."""
        try:
            cache.incr(self.version_key(scope))
        except ValueError:
            # No version stored (never read, or evicted): a fresh clock-based
            # one is already newer than any version whose values may be stored.
            self._started(scope)

    def invalidate_on_commit(self, scope: object = None) -> None:
        """``invalidate`` once the current transaction commits (at once
        outside one): call it beside the write. Called again for the same
        scope in one transaction, it adds no second bump, so that a write
        touching several of a user's totals costs one ``INCR``."""
        bump = _Invalidation(self, scope)
        connection = transaction.get_connection()
        # A bump still pending was registered in savepoints that are each
        # either released (it can no longer be discarded) or still open around
        # this call (rolling one back discards this call's writes too); a
        # rolled-back savepoint's bumps are no longer pending. So the pending
        # one runs whenever this one would.
        if connection.in_atomic_block and any(
            callback == bump for _, callback, _ in connection.run_on_commit
        ):
            return
        transaction.on_commit(bump)

    def invalidate_many(self, scopes: Iterable[object]) -> None:
        """Every value of each scope goes stale now (a rebuild of many users'
        rows). A scope with no stored version has no value to invalidate: its
        next read starts a fresh one."""
        for scope in scopes:
            try:
                cache.incr(self.version_key(scope))
            except ValueError:
                continue


def release() -> str:
    """What built a cached value: ``settings.KAYA_RELEASE`` (a deploy sets it
    to its commit or image tag) or, unset, a digest of the project's source."""
    return settings.KAYA_RELEASE or _project_source_digest()


@functools.cache
def _project_source_digest() -> str:
    # The project's own apps are the packages at its top level (installed
    # libraries may sit in a virtualenv under it too).
    base = Path(settings.BASE_DIR).resolve()
    roots = sorted(
        path
        for path in (Path(config.path).resolve() for config in apps.get_app_configs())
        if path.parent == base
    )
    return source_digest(roots)


def source_digest(roots: Iterable[Path]) -> str:
    """A digest of every Python file under ``roots`` (names and contents): any
    change to the code that builds a cached value changes it."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root.parent)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class _Invalidation:
    """A bump due after commit; equal to another for the same family and
    scope, so that ``invalidate_on_commit`` can tell it is already due."""

    __slots__ = ("family", "scope")

    def __init__(self, family: VersionedCache, scope: object) -> None:
        self.family, self.scope = family, scope

    def __call__(self) -> None:
        self.family.invalidate(self.scope)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Invalidation)
            and other.family is self.family
            and other.scope == self.scope
        )

    def __hash__(self) -> int:
        return hash((id(self.family), self.scope))
