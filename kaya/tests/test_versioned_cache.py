"""kaya.versioned_cache: a value is served only under the version it was built
under; writers invalidate a scope with one bump."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.db import transaction

from kaya.versioned_cache import VersionedCache, release, source_digest

FAMILY = VersionedCache("test:family", seconds=60)


class RollbackError(Exception):
    """Raised to roll a transaction or savepoint back."""


class Builds:
    """A build function that counts its calls and returns the call number."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_a_value_is_built_once_then_served():
    build = Builds()
    assert FAMILY.get_or_build("a", build, scope=1) == 1
    assert FAMILY.get_or_build("a", build, scope=1) == 1
    assert build.calls == 1
    # Another part, another scope: values of their own.
    assert FAMILY.get_or_build("b", build, scope=1) == 2
    assert FAMILY.get_or_build("a", build, scope=2) == 3


def test_invalidating_a_scope_rebuilds_its_values_only():
    build = Builds()
    FAMILY.get_or_build("a", build, scope=1)
    FAMILY.get_or_build("a", build, scope=2)
    FAMILY.invalidate(1)
    assert FAMILY.get_or_build("a", build, scope=1) == 3
    assert FAMILY.get_or_build("a", build, scope=2) == 2


def test_a_value_built_while_a_writer_bumps_the_version_is_not_served_after():
    # The writer's commit and bump land while the reader is building from the
    # rows it read before them: what it stores carries the old version.
    def racing_build() -> str:
        FAMILY.invalidate(1)
        return "read before the write"

    assert FAMILY.get_or_build("a", racing_build, scope=1) == "read before the write"
    assert FAMILY.get_or_build("a", lambda: "fresh", scope=1) == "fresh"


def test_invalidate_many_rebuilds_every_scope_given():
    build = Builds()
    for scope in (1, 2, 3):
        FAMILY.get_or_build("a", build, scope=scope)
    FAMILY.invalidate_many([1, 2])
    assert [FAMILY.get_or_build("a", build, scope=s) for s in (1, 2, 3)] == [4, 5, 3]


def test_invalidating_before_any_read_starts_a_fresh_version():
    FAMILY.invalidate(7)
    first = FAMILY.version(7)
    FAMILY.invalidate(7)
    assert FAMILY.version(7) == first + 1


def test_an_evicted_version_never_goes_back_to_an_old_number():
    start = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        FAMILY.get_or_build("a", lambda: "old", scope=1)
        old = FAMILY.version(1)
        FAMILY.invalidate(1)
        cache.delete(FAMILY.version_key(1))
    with time_machine.travel(start + timedelta(milliseconds=1), tick=False):
        assert FAMILY.version(1) == old + 1000
        assert FAMILY.get_or_build("a", lambda: "new", scope=1) == "new"


@pytest.mark.django_db
def test_an_invalidation_waits_for_the_commit(django_capture_on_commit_callbacks):
    FAMILY.get_or_build("a", lambda: "before", scope=1)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        FAMILY.invalidate_on_commit(1)
    assert FAMILY.get_or_build("a", lambda: "after", scope=1) == "before"
    for callback in pending:
        callback()
    assert FAMILY.get_or_build("a", lambda: "after", scope=1) == "after"


@pytest.mark.django_db(transaction=True)
def test_invalidations_of_one_scope_in_one_transaction_bump_once():
    FAMILY.get_or_build("a", lambda: "before", scope=1)
    start = FAMILY.version(1)
    with transaction.atomic():
        with transaction.atomic():  # a savepoint, released: its bump stays due
            FAMILY.invalidate_on_commit(1)
        FAMILY.invalidate_on_commit(1)
        FAMILY.invalidate_on_commit(1)
        with transaction.atomic():  # a savepoint inside: already due outside it
            FAMILY.invalidate_on_commit(1)
        FAMILY.invalidate_on_commit(2)  # another scope: a bump of its own
        assert FAMILY.version(1) == start  # nothing before the commit
    assert FAMILY.version(1) == start + 1
    assert FAMILY.get_or_build("a", lambda: "after", scope=1) == "after"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "outer_first", [True, False], ids=["outer-first", "inner-first"]
)
def test_a_bump_in_a_rolled_back_savepoint_never_hides_the_transactions_own(
    outer_first,
):
    FAMILY.get_or_build("a", lambda: "before", scope=1)
    start = FAMILY.version(1)
    with transaction.atomic():
        if outer_first:
            FAMILY.invalidate_on_commit(1)  # due for the whole transaction
        with pytest.raises(RollbackError), transaction.atomic():
            FAMILY.invalidate_on_commit(1)
            raise RollbackError  # the savepoint rolls back, its bump with it
        if not outer_first:
            # Outside that savepoint: its bump is gone, so this one stays due.
            FAMILY.invalidate_on_commit(1)
    assert FAMILY.version(1) == start + 1
    assert FAMILY.get_or_build("a", lambda: "after", scope=1) == "after"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_bumps_nothing():
    FAMILY.get_or_build("a", lambda: "before", scope=1)
    start = FAMILY.version(1)
    with pytest.raises(RollbackError), transaction.atomic():
        FAMILY.invalidate_on_commit(1)
        raise RollbackError
    assert FAMILY.version(1) == start
    assert FAMILY.get_or_build("a", lambda: "after", scope=1) == "before"


@pytest.mark.redis
def test_versions_and_values_live_in_redis(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    FAMILY.get_or_build("a", lambda: "value", scope=1)
    before = FAMILY.version(1)
    FAMILY.invalidate(1)
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert int(client.get(cache.make_key(FAMILY.version_key(1)))) == before + 1
    assert client.exists(cache.make_key(FAMILY.entry_key("a", 1)))


def test_a_new_release_never_serves_what_the_previous_one_built(settings):
    build = Builds()
    settings.KAYA_RELEASE = "release-1"
    assert FAMILY.get_or_build("a", build, scope=1) == 1
    assert FAMILY.get_or_build("a", build, scope=1) == 1
    # A deploy: same version, same part, yet the old value is not served.
    settings.KAYA_RELEASE = "release-2"
    assert FAMILY.get_or_build("a", build, scope=1) == 2
    assert FAMILY.get_or_build("a", build, scope=1) == 2
    assert build.calls == 2


def test_with_no_release_set_the_projects_source_stands_in(settings):
    settings.KAYA_RELEASE = ""
    base = Path(settings.BASE_DIR)
    apps = ["accounts", "coaching", "community", "journal", "kaya"]
    apps += ["notifications", "wellness"]
    assert release() == source_digest(sorted(base / name for name in apps))


def test_the_source_digest_changes_with_any_python_file(tmp_path):
    package = tmp_path / "app"
    (package / "sub").mkdir(parents=True)
    (package / "models.py").write_text("A = 1\n")
    (package / "sub" / "views.py").write_text("B = 2\n")
    first = source_digest([package])
    assert source_digest([package]) == first
    # Other files do not count; a changed, renamed or added module does.
    (package / "README.md").write_text("notes\n")
    assert source_digest([package]) == first
    (package / "sub" / "views.py").write_text("B = 3\n")
    changed = source_digest([package])
    assert changed != first
    (package / "sub" / "views.py").rename(package / "sub" / "other.py")
    renamed = source_digest([package])
    assert renamed not in {first, changed}
    (package / "new.py").write_text("")
    assert source_digest([package]) not in {first, changed, renamed}
