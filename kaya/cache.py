"""The Redis client behind the cache: fail fast, then leave a stuck Redis alone.

A frozen Redis (the process stopped, a network partition that drops packets)
accepts connections and never answers, so every cache call waits out its socket
timeout. A request makes several cache calls (throttle read and write, a cached
page), so even a short timeout adds up, and every request pays it again.

``CircuitBreakerRedis`` is django-redis's ``REDIS_CLIENT_CLASS``: after a call to
a server fails with a connection error or a timeout, calls to that server fail at
once (as a ``redis.ConnectionError``, which django-redis's ``IGNORE_EXCEPTIONS``
already turns into a cache miss) for ``CACHE_BREAKER_SECONDS``; then one call
tries again. The state is per process and per server: each gunicorn worker pays
one timeout per breaker period, not one per call.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """Open after one failure; stay open for ``CACHE_BREAKER_SECONDS``."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        if self.is_open():
            raise RedisConnectionError(
                f"Redis at {self.server} skipped: circuit open after a failure"
            )
        try:
            result = func(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.trip(exc)
            raise
        except NoScriptError:
            # A new or restarted server has not seen a script yet: redis-py loads
            # it and calls again. Not a failure worth a warning.
            raise
        except RedisError as exc:
            # The server answered (e.g. out of memory): no reason to skip it, but
            # the cache ignores the error, so it is logged here.
            logger.warning("Redis at %s refused a call (%s)", self.server, exc)
            raise
        self.open_until = 0.0
        return result

    def trip(self, exc: Exception) -> None:
        seconds = settings.CACHE_BREAKER_SECONDS
        self.open_until = time.monotonic() + seconds
        logger.warning(
            "Redis at %s failed (%s); skipping it for %s s",
            self.server,
            type(exc).__name__,
            seconds,
        )


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(connection_kwargs: dict[str, Any]) -> CircuitBreaker:
    # One breaker per server (not per database number): a stuck server is stuck
    # for every database on it. No password or user goes into the name (it is
    # logged).
    server = connection_kwargs.get("path") or (
        f"{connection_kwargs.get('host', 'localhost')}:"
        f"{connection_kwargs.get('port', 6379)}"
    )
    with _breakers_lock:
        if server not in _breakers:
            _breakers[server] = CircuitBreaker(server)
        return _breakers[server]


def reset_breakers() -> None:
    """Close every breaker (tests, so one test's outage does not leak)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.open_until = 0.0


class CircuitBreakerPipeline(Pipeline):
    def execute(self, raise_on_error: bool = True) -> list[Any]:
        breaker = breaker_for(self.connection_pool.connection_kwargs)
        return breaker.call(super().execute, raise_on_error)  # type: ignore[no-any-return]


class CircuitBreakerRedis(Redis):
    def execute_command(self, *args: Any, **options: Any) -> Any:
        breaker = breaker_for(self.connection_pool.connection_kwargs)
        return breaker.call(super().execute_command, *args, **options)

    def pipeline(
        self, transaction: bool = True, shard_hint: Any = None
    ) -> CircuitBreakerPipeline:
        return CircuitBreakerPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
