"""DRF throttles: multi-unit periods such as ``100/15m``, one Redis round trip.

DRF's own throttles read a list of timestamps and write it back: two Redis round
trips on every request, and no lock, so parallel requests all read the same
history and more get through than the rate says. Ours keep one counter per
client and window instead, moved by one Lua script (count, and set the
expiry and opening time when the window opens): one round trip, exact under
concurrency, and the Retry-After comes back with the count. The window opens at
the client's first request and lasts the rate's period.

Every request pays for that round trip, so it is sent on a connection of the
cache client's own pool (its connect, retry and circuit breaker, see
``kaya.cache``) as one pre-packed ``EVALSHA``, without redis-py's per-command
layers (argument encoding, instrumentation), which cost more CPU than the round
trip itself.

Authentication reads the user's version (``version_counted``, see
``accounts.authentication``) in the same script that counts the user's window,
and hands the count to the user throttle, so an authenticated request pays this
one round trip for both; a request whose authentication is then refused is taken
back out of the window (``window_uncounted``). ``redis_script`` runs any other
script the same way.

On a cache that is not Redis (the embedded local-memory cache) the same counter
is kept with ``add()`` and ``incr()``. With Redis unreachable the request is
allowed, as DRF's throttles do (django-redis ignores the error there): a
throttle fails open; the login lockout that must hold counts in the database.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import NoScriptError, RedisError
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)
from rest_framework_simplejwt.exceptions import TokenError

from kaya.cache import breaker_for

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.lru_cache(maxsize=64)
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


def _window_lua(window: str, length: str, now: str) -> str:
    """Count one request in ``window`` (a hash); its length in ms and the time
    now are the script arguments named; returns {requests in the window, the
    time it opened}. The opening time is the application's clock, like DRF's
    throttles, so Retry-After follows that clock."""
    return f"""
local count = redis.call('HINCRBY', {window}, 'n', 1)
if count == 1 then
  redis.call('HSET', {window}, 'start', {now})
  redis.call('PEXPIRE', {window}, {length})
elseif redis.call('PTTL', {window}) < 0 then
  redis.call('PEXPIRE', {window}, {length})
end
"""


@functools.lru_cache(maxsize=16)
def _sha(lua: str) -> bytes:
    return hashlib.sha1(lua.encode(), usedforsecurity=False).hexdigest().encode()


# KEYS[1] the window, ARGV[1] its length in ms, ARGV[2] the time now.
_WINDOW_COUNT_LUA = (
    _window_lua("KEYS[1]", "ARGV[1]", "ARGV[2]")
    + "return {count, redis.call('HGET', KEYS[1], 'start')}\n"
)
_WINDOW_COUNT_SHA = _sha(_WINDOW_COUNT_LUA)

# KEYS[1] a version, KEYS[2] its writers' set (see version_counted), KEYS[3]
# (optional) a window; ARGV[1] a version to store when none is, ARGV[2] and
# ARGV[3] the window's length and the time now. Counts the window, whatever the
# version; returns {the version (nil while a write is under way)} or {the
# version, count, opened}.
_VERSION_AND_WINDOW_LUA = (
    """
local version = false
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'NX')
  version = redis.call('GET', KEYS[1])
end
if #KEYS < 3 then
  return {version}
end
"""
    + _window_lua("KEYS[3]", "ARGV[2]", "ARGV[3]")
    + "return {version, count, redis.call('HGET', KEYS[3], 'start')}\n"
)
# KEYS[1] a window: the request counted in it is taken back.
_WINDOW_UNCOUNT_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'n', -1)
end
return 1
"""


def _packed(*parts: bytes) -> bytes:
    """One command in the Redis protocol (RESP): an array of bulk strings."""
    return b"".join(
        [b"*%d\r\n" % len(parts), *(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)]
    )


def _send_and_read(connection: Any, command: bytes) -> Any:
    connection.send_packed_command([command])
    return connection.read_response()


def _on_connection(pool: Any, command: bytes) -> Any:
    """Send one packed command on a pooled connection and read its reply, retried
    as the pool's connections are configured (a connection a restarted Redis
    closed is dropped and the command sent again on a new one)."""
    connection = pool.get_connection()
    try:
        return connection.retry.call_with_retry(
            lambda: _send_and_read(connection, command),
            lambda error: connection.disconnect(),
        )
    finally:
        pool.release(connection)


def _run_script(
    client: Any,
    lua: str,
    sha: bytes,
    keys: list[str],
    args: list[bytes],
    *,
    breaker: bool = True,
) -> Any:
    """One ``EVALSHA``, one round trip, through the server's circuit breaker
    (unless ``breaker`` is false: a call that must be tried); a server that
    does not have the script yet is given it."""
    command = _packed(
        b"EVALSHA", sha, b"%d" % len(keys), *(key.encode() for key in keys), *args
    )
    send = _through_breaker if breaker else _on_pool
    try:
        return send(client, command)
    except NoScriptError:
        client.script_load(lua)
        return send(client, command)


def _on_pool(client: Any, command: bytes) -> Any:
    return _on_connection(client.connection_pool, command)


def redis_script(
    lua: str, keys: list[str], args: list[bytes], *, breaker: bool = True
) -> Any:
    """Run ``lua`` on the cache's Redis in one round trip (``keys`` are cache
    keys, prefixed here); see ``_run_script``. Raises ``RedisError``; only for
    a cache that is Redis (``cache_is_redis``)."""
    return _run_script(
        _redis_client(cache),
        lua,
        _sha(lua),
        [str(cache.make_key(key)) for key in keys],
        args,
        breaker=breaker,
    )


def cache_is_redis() -> bool:
    return _redis_client(cache) is not None


def _through_breaker(client: Any, command: bytes) -> Any:
    """One packed command on a pooled connection, through the server's circuit
    breaker (``kaya.cache``)."""
    pool = client.connection_pool
    return breaker_for(pool.connection_kwargs).call(_on_connection, pool, command)


def _window_count(client: Any, key: str, duration_ms: int, now: str) -> Any:
    """Run the window script for ``key``."""
    return _run_script(
        client,
        _WINDOW_COUNT_LUA,
        _WINDOW_COUNT_SHA,
        [key],
        [b"%d" % duration_ms, now.encode()],
    )


def _redis_client(cache: Any) -> Any:
    """The raw Redis client behind a django-redis cache, else None."""
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    return get_client(write=True) if get_client is not None else None


class WindowCounterMixin(MultiUnitRateMixin):
    """A counter per client and window, in one round trip (see the module doc).

    Subclasses give ``scope`` and ``get_cache_key`` (DRF's anon and user
    throttles do).
    """

    # Not DRF's key format (a list of timestamps there), nor the string counter
    # this class kept before the script (a hash here).
    cache_format = "throttle-window_%(scope)s_%(ident)s"
    rate: str | None
    key: str | None
    now: float
    cache: Any
    timer: Callable[[], float]
    get_cache_key: Callable[[Any, Any], str | None]

    def allow_request(self, request: Any, view: Any) -> bool:
        limit, duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if limit is None or duration is None or key is None:
            return True
        self.key, self.now, self.duration_seconds = key, self.timer(), duration
        self.retry_after: float | None = None
        counted = getattr(request, "windows_counted", None)
        if counted and key in counted:
            # Counted already, in authentication's round trip (version_counted).
            count, start = counted.pop(key)
        else:
            client = _redis_client(self.cache)
            if client is None:
                return self._allow_in_cache(key, limit, duration)
            try:
                count, start = _window_count(
                    client,
                    str(self.cache.make_key(key)),
                    duration * 1000,
                    repr(self.now),
                )
            except RedisError:
                # kaya.cache's circuit breaker has logged the failure once.
                return True
        self.retry_after = float(start) + duration - self.now
        return int(count) <= limit

    def _allow_in_cache(self, key: str, limit: int, duration: int) -> bool:
        count = None
        for _ in range(2):
            # add() only creates a missing key, with its expiry.
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
        return bool(count <= limit)

    def wait(self) -> float | None:
        if self.retry_after is not None:
            return max(0.0, self.retry_after)
        start = self.cache.get(f"{self.key}:start")
        if start is None:
            return float(self.duration_seconds)
        return float(max(0.0, start + self.duration_seconds - self.now))


class AnonBurstThrottle(WindowCounterMixin, AnonRateThrottle):
    scope = "anon"


class UserBurstThrottle(WindowCounterMixin, UserRateThrottle):
    scope = "user"


def version_counted(
    request: Any, *, key: str, writers_key: str, fresh: bytes, user_pk: int
) -> bytes | None:
    """The version stored under ``key`` (``fresh`` is stored when none is), or
    None while a write is under way (``writers_key`` exists; see
    ``accounts.authentication``), asked while ``request`` (or None) is being
    authenticated as the user ``user_pk``. Only for a cache that is Redis.

    One round trip, and the same script counts the request in the user's window
    of the view's user throttle (the throttle then uses that count instead of a
    round trip of its own), so authenticating a user costs no round trip of its
    own. A request then refused must be taken back out (``window_uncounted``).
    Raises ``RedisError`` when Redis cannot answer.
    """
    window = None if request is None else _user_window(request, user_pk)
    if window is None:
        reply = redis_script(_VERSION_AND_WINDOW_LUA, [key, writers_key], [fresh])
        return reply[0] if isinstance(reply[0], bytes) else None
    throttle, window_key = window
    _, duration = throttle.parse_rate(throttle.rate)
    now = throttle.timer()
    reply = redis_script(
        _VERSION_AND_WINDOW_LUA,
        [key, writers_key, window_key],
        [fresh, b"%d" % (duration * 1000), repr(now).encode()],
    )
    request.windows_counted = {window_key: (reply[1], reply[2])}
    return reply[0] if isinstance(reply[0], bytes) else None


def window_uncounted(request: Any) -> None:
    """Take back what ``version_counted`` counted for ``request`` (its
    authentication was refused: a refused token is not counted against the
    user it names). Best effort: Redis failing here is logged by the circuit
    breaker, and the count expires with its window."""
    counted = getattr(request, "windows_counted", None)
    while counted:
        window_key, _ = counted.popitem()
        with contextlib.suppress(RedisError):
            redis_script(_WINDOW_UNCOUNT_LUA, [window_key], [])


def _user_window(request: Any, user_pk: int) -> tuple[Any, str] | None:
    """The view's first user throttle and the window key it will count this
    user's request in (``UserRateThrottle.get_cache_key`` for a user), or None
    when the view has none or it has no rate."""
    parser_context = getattr(request, "parser_context", None) or {}
    view = parser_context.get("view")
    for throttle_class in getattr(view, "throttle_classes", ()):
        # Only a throttle that keys its windows as UserRateThrottle does.
        if (
            issubclass(throttle_class, UserBurstThrottle)
            and throttle_class.get_cache_key is UserRateThrottle.get_cache_key
        ):
            throttle = throttle_class()
            limit, duration = throttle.parse_rate(throttle.rate)
            if limit is None or duration is None:
                return None
            key = throttle.cache_format % {"scope": throttle.scope, "ident": user_pk}
            return throttle, key
    return None


class AtomicRateThrottle(WindowCounterMixin, SimpleRateThrottle):
    """An exact limit under concurrency for a key of the subclass's choosing.

    Subclasses give ``scope`` and ``get_cache_key``; see ``WindowCounterMixin``.
    """


# ---------------------------------------------------------------------------
# Accounts: the anonymous auth endpoints and token refresh
# ---------------------------------------------------------------------------
# They fail open when the cache is unreachable: the login lockout that must hold
# is counted in the database (``accounts.selectors.login_lockout_retry_after``),
# so a Redis outage costs only the per-IP burst limit, never a 500.

logger = logging.getLogger(__name__)


class FailOpenMixin:
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception:
            logger.warning("throttle cache unavailable; allowing the request")
            return True


class AuthAnonThrottle(FailOpenMixin, AnonBurstThrottle):
    pass


class AuthUserThrottle(FailOpenMixin, UserBurstThrottle):
    pass


class AuthScopedThrottle(FailOpenMixin, MultiUnitRateMixin, ScopedRateThrottle):
    """Per client address, for the scope a view names (``throttle_scope``)."""


AUTH_THROTTLES = [AuthAnonThrottle, AuthUserThrottle, AuthScopedThrottle]


class RefreshFamilyThrottle(AtomicRateThrottle):
    """``POST /auth/refresh``: per login (token family), not per client address.

    Every client refreshes about every 15 minutes, so a per-address budget would
    log out users behind one NAT or mobile carrier gateway. A refresh token that
    verifies (signature and expiry; not forgeable) is counted against its family;
    one that does not is counted against the client address, so garbage cannot
    be sent without limit either. A malformed body raises the parse error here,
    as the view would.
    """

    scope = "auth_refresh"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        # Imported on use: kaya's shared modules load before the apps (DRF's
        # default throttles), and the token class needs SimpleJWT's settings.
        from accounts.jwt import FAMILY_CLAIM, FamilyRefreshToken

        raw = request.data.get("refresh") if hasattr(request.data, "get") else None
        ident = f"address:{self.get_ident(request)}"
        if isinstance(raw, str) and raw:
            try:
                family = FamilyRefreshToken(raw).get(FAMILY_CLAIM)  # type: ignore[arg-type]
            except TokenError:
                family = None
            if family is not None:
                ident = f"family:{family}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class NotificationTestThrottle(AtomicRateThrottle):
    """Per user and exact: test notifications sent. One Redis round trip (DRF's
    list of timestamps took a read and a write on the push benchmark's path).
    The rate is read per request, so a test or a deploy can change it."""

    scope = "notification_test"

    def get_rate(self) -> str | None:
        return str(settings.THROTTLE_NOTIFICATION_TEST)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class RealtimeTicketThrottle(AtomicRateThrottle):
    """Per user and exact: parallel requests cannot get more tickets than the rate."""

    scope = "realtime_ticket"

    def get_rate(self) -> str | None:
        return str(settings.THROTTLE_REALTIME_TICKET)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class CommunityPostThrottle(AtomicRateThrottle):
    """Per user and exact: community posts and comments written."""

    scope = "community_post"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
