"""DRF throttles that accept multi-unit periods such as ``100/15m``."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import (
    AnonRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int | None, int | None]:
    if rate is None:
        return (None, None)
    match = _RATE.match(rate.strip())
    if not match:
        raise ImproperlyConfigured(f"Bad throttle rate {rate!r}; use e.g. '100/15m'.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


class MultiUnitRateMixin:
    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        return parse_rate(rate)


class AnonBurstThrottle(MultiUnitRateMixin, AnonRateThrottle):
    scope = "anon"


class UserBurstThrottle(MultiUnitRateMixin, UserRateThrottle):
    scope = "user"


class AtomicRateThrottle(MultiUnitRateMixin, SimpleRateThrottle):
    """An exact limit under concurrency: one atomic counter per client and window.

    DRF's throttles read a history, decide, then write it back with no lock, so
    parallel requests all read the same history and more get through than the rate
    says. Here each request increments one cache key (Redis INCR; the local-memory
    cache increments under its lock) and is refused once the count passes the
    rate. The window opens at the client's first request and lasts the rate's
    period. With the cache unreachable (django-redis ignoring errors returns None)
    the request is allowed: like the other throttles, it fails open.
    Subclasses give ``scope`` and ``get_cache_key``.
    """

    # Not DRF's key format: its throttles store a list of timestamps there.
    cache_format = "throttle-count_%(scope)s_%(ident)s"

    def allow_request(self, request: Any, view: Any) -> bool:
        limit, duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if limit is None or duration is None or key is None:
            return True
        self.key, self.now, self.duration_seconds = key, self.timer(), duration
        count = None
        for _ in range(2):
            # add() only creates a missing key (Redis SET NX with its expiry).
            self.cache.add(key, 0, duration)
            self.cache.add(key + ":start", self.now, duration)
            try:
                count = self.cache.incr(key)
                break
            except ValueError:
                # The window expired between add() and incr(): open a new one.
                continue
        if count is None:
            return True
        return count <= limit

    def wait(self) -> float | None:
        start = self.cache.get(f"{self.key}:start")
        if start is None:
            return float(self.duration_seconds)
        return float(max(0.0, start + self.duration_seconds - self.now))


class CommunityPostThrottle(AtomicRateThrottle):
    """Per user and exact: community posts and comments written."""

    scope = "community_post"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
