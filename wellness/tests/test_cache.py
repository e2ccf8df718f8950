from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.core.cache import cache

from wellness.cache import (
    VERSION_KEY,
    program_catalog_invalidate,
    program_catalog_version,
)


def test_invalidating_before_any_read_starts_a_fresh_version():
    program_catalog_invalidate()
    first = program_catalog_version()
    program_catalog_invalidate()
    assert program_catalog_version() == first + 1


def test_an_evicted_version_never_goes_back_to_an_old_number():
    start = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        old = program_catalog_version()
        program_catalog_invalidate()
        program_catalog_invalidate()
        reached = program_catalog_version()
        cache.delete(VERSION_KEY)
    assert reached == old + 2
    # One millisecond later the clock-based restart is already past any version
    # reached by fewer than 1000 invalidations.
    with time_machine.travel(start + timedelta(milliseconds=1), tick=False):
        assert program_catalog_version() == old + 1000


@pytest.mark.redis
def test_catalogue_version_lives_in_redis(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    before = program_catalog_version()
    program_catalog_invalidate()
    raw = redis.Redis.from_url(settings.REDIS_URL).get(cache.make_key(VERSION_KEY))
    assert int(raw) == before + 1
