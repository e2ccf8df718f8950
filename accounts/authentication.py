"""The API's authentication class: SimpleJWT plus the per-user token epoch.

Every authenticated request pays for this, so it is kept cheap:

- The token's signature is verified once per process: a verified access token is
  remembered (by its exact text, for at most its own lifetime) so that the next
  request with it skips the HMAC and the claim parsing. Its expiry is still
  checked on every request.
- The user row, with its ``token_epoch`` and ``is_active``, is read by one
  primary-key statement compiled once per process, not by the ORM's query
  builder (which cost three times the CPU of the statement itself).
- Where the cache is shared by every process (Redis), a worker also remembers
  each user's row (the converted column values, never an instance: every
  request gets a fresh ``User``) under the user's version, and serves it only
  while that version is still current and no write to the row is under way.
  The version is read in the round trip that counts the request in the
  user's throttle window (one script, ``kaya.throttles.version_counted``; a
  request then refused is taken back out), so a remembered user costs no round
  trip of its own, where the statement was one to PostgreSQL plus building the
  row, and a user read from the database costs only that statement.
- Every write to a user row goes through ``user_row_changed`` (the model's save
  and delete through their signals; a queryset ``update()`` calls it itself).
  Before the write commits it bumps the version and registers the write in
  the row's set of writers (with an expiry); after the commit it takes the
  write off the set and bumps again. While the set is not empty no worker
  serves or remembers the row: each reads the database. This step must reach
  Redis: when it cannot, the write fails (503, nothing changed), because a
  bump lost while other workers still reach Redis would let them serve the old
  row. The step after the commit may fail: the writer stays registered until
  its entry expires, and until then every worker reads the database. So
  logout-all and password changes (the epoch), deactivation (``is_active``),
  deletion (no row) and profile changes take effect on the very next request,
  in every worker. A change made behind Django's back (SQL in psql) is seen
  once the remembered row's ``AUTH_USER_CACHE_SECONDS`` are up.
  ``AUTH_USER_CACHE_SECONDS=0`` (the default without Redis, where each
  process's cache is its own) reads the row on every request and registers no
  writes; every process must have the same setting.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models.expressions import Col
from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from redis.exceptions import RedisError
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.jwt import EPOCH_CLAIM
from kaya.db import planned_once_cursor
from kaya.throttles import (
    cache_is_redis,
    redis_script,
    version_counted,
    window_uncounted,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# Enough for every live access token a worker sees in one token lifetime on a
# busy day; when full, the memory is simply emptied (verifying again is cheap).
VERIFIED_TOKENS_MAX = 4096
_verified: dict[bytes, tuple[float, Token]] = {}


def forget_verified_tokens() -> None:
    """Empty the per-process memory of verified tokens (tests, key rotation)."""
    _verified.clear()


# Enough for every user a worker serves in a few minutes; when full, emptied.
REMEMBERED_USERS_MAX = 4096
# user id -> (version, served until (monotonic), the row's converted values).
# Shared by the requests that serve it, so every column's value is immutable
# (a test checks the model's fields).
_rows: dict[int, tuple[bytes, float, tuple[Any, ...]]] = {}


def forget_user_rows() -> None:
    """Empty this process's remembered user rows (tests)."""
    _rows.clear()


def _version_key(pk: int) -> str:
    return f"auth-user:{pk}:version"


def _writers_key(pk: int) -> str:
    return f"auth-user:{pk}:writers"


def _fresh() -> int:
    # Versions start from the clock in microseconds, so a version lost from
    # Redis never comes back to a number some worker remembered a row under.
    return int(time.time() * 1_000_000)


# The same keys; ARGV[1] the writer's token, ARGV[2] its expiry in ms, ARGV[3] a
# fresh version. Bumps the version and registers the writer.
_BEGIN_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""
# The same keys; ARGV[1] the writer's token, ARGV[2] a fresh version. Takes the
# writer off the set and bumps the version.
_END_LUA = """
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
"""


def _writers_seconds() -> int:
    # Longer than any transaction that writes a user row; until then a writer
    # whose last step failed keeps every worker reading the database.
    return max(int(settings.AUTH_USER_CACHE_SECONDS), 60)


def _version_now(pk: int, request: Any = None) -> bytes | None:
    """The version to remember the row under (started when none is stored), or
    None: a write is under way, or Redis cannot answer (then nothing is
    remembered). On Redis, the same round trip counts ``request`` in its view's
    user throttle window (``kaya.throttles.version_counted``)."""
    if not cache_is_redis():
        if cache.get(_writers_key(pk)):
            return None
        cache.add(_version_key(pk), _fresh(), timeout=None)
        stored = cache.get(_version_key(pk))
        return None if stored is None else b"%d" % stored
    try:
        return version_counted(
            request,
            key=_version_key(pk),
            writers_key=_writers_key(pk),
            fresh=b"%d" % _fresh(),
            user_pk=pk,
        )
    except RedisError:
        # kaya.cache's circuit breaker has logged it; the database answers.
        return None


def _write_begins(pk: int, token: str) -> None:
    if not cache_is_redis():
        try:
            cache.incr(_version_key(pk))
        except ValueError:
            cache.set(_version_key(pk), _fresh(), timeout=None)
        writers = cache.get(_writers_key(pk)) or frozenset()
        cache.set(_writers_key(pk), writers | {token}, timeout=_writers_seconds())
        return
    try:
        # Not through the circuit breaker: this one must be tried.
        redis_script(
            _BEGIN_LUA,
            [_version_key(pk), _writers_key(pk)],
            [token.encode(), b"%d" % (_writers_seconds() * 1000), b"%d" % _fresh()],
            breaker=False,
        )
    except RedisError as exc:
        # Imported on use: the exceptions module loads DRF's settings, which
        # import this module (DEFAULT_AUTHENTICATION_CLASSES).
        from accounts.exceptions import UserRowsUnavailableError

        raise UserRowsUnavailableError from exc


def _write_ends(pk: int, token: str) -> None:
    if not cache_is_redis():
        writers = (cache.get(_writers_key(pk)) or frozenset()) - {token}
        if writers:
            cache.set(_writers_key(pk), writers, timeout=_writers_seconds())
        else:
            cache.delete(_writers_key(pk))
        try:
            cache.incr(_version_key(pk))
        except ValueError:
            cache.set(_version_key(pk), _fresh(), timeout=None)
        return
    try:
        redis_script(
            _END_LUA,
            [_version_key(pk), _writers_key(pk)],
            [token.encode(), b"%d" % _fresh()],
            breaker=False,
        )
    except RedisError:
        # Registered until its entry expires: every worker reads the database.
        logger.warning("a user row write could not be taken off its writers")


def user_row_write_begins(pk: Any) -> str | None:
    """Register a write to this user row before it is made (see the module
    doc): the token to give ``user_row_write_ends`` once it is made, or None
    when nothing is remembered in this configuration. Raises
    ``UserRowsUnavailableError`` (503) when Redis cannot take it."""
    if pk is None or not settings.AUTH_USER_CACHE_SECONDS:
        return None
    token = secrets.token_hex(8)
    _write_begins(pk, token)
    return token


def user_row_write_ends(pk: Any, token: str | None) -> None:
    """After the write is made: its last step runs once it commits (at once
    outside a transaction)."""
    if token is not None:
        transaction.on_commit(functools.partial(_write_ends, pk, token))


def user_row_changed(pk: Any) -> None:
    """Register a write made inside the current transaction (a queryset
    ``update()``; the model's save and delete register theirs, see
    ``apps.py``): call it in the transaction, before the write."""
    user_row_write_ends(pk, user_row_write_begins(pk))


class _UserByPk:
    """``SELECT <every column> FROM user WHERE pk = %s``, built once per database.

    Values go through the same converters the ORM applies (the backend's and the
    fields'), so the instance is the one ``User.objects.get(pk=...)`` returns.
    """

    def __init__(self, alias: str) -> None:
        model = get_user_model()
        connection = connections[alias]
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        table = model._meta.db_table
        self.alias = alias
        self.model = model
        self.attnames = [field.attname for field in fields]
        # Concrete fields always have a column.
        columns = ", ".join(f"{quote(table)}.{quote(str(f.column))}" for f in fields)
        pk = f"{quote(table)}.{quote(str(model._meta.pk.column))}"
        # Only the model's own quoted identifiers; the id is a parameter.
        self.sql = f"SELECT {columns} FROM {quote(table)} WHERE {pk} = %s"  # noqa: S608
        self.converters: list[tuple[int, Col, list[Any]]] = []
        for index, field in enumerate(fields):
            column = Col(table, field)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if found:
                self.converters.append((index, column, found))

    def values(self, pk: Any) -> list[Any] | None:
        """The row's values, converted as the ORM would; None: no such row."""
        connection = connections[self.alias]
        # Every authenticated request runs it: prepared once per connection.
        with planned_once_cursor(self.alias) as cursor:
            cursor.execute(self.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, column, converters in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return values

    def instance(self, values: Sequence[Any]) -> User:
        return self.model.from_db(self.alias, self.attnames, values)  # type: ignore[no-any-return]


_statements: dict[str, _UserByPk] = {}


def _statement() -> _UserByPk:
    alias = router.db_for_read(get_user_model())
    statement = _statements.get(alias)
    if statement is None:
        statement = _statements[alias] = _UserByPk(alias)
    return statement


def user_by_pk(pk: int, *, request: Any = None) -> User | None:
    """The user with this id as the database holds it now (see the module doc:
    possibly a remembered row whose version is still current). Given the
    ``request`` being authenticated, the version's round trip also counts it
    in its view's user throttle window: call ``window_uncounted(request)`` if
    the user is then refused."""
    statement = _statement()
    seconds = settings.AUTH_USER_CACHE_SECONDS
    if not seconds:
        values = statement.values(pk)
        return None if values is None else statement.instance(values)
    # Read before the row: a row read after a writer's first step is remembered
    # under a version that step replaced, or not at all while it is under way.
    version = _version_now(pk, request)
    now = time.monotonic()
    remembered = _rows.get(pk)
    if remembered is not None and remembered[0] == version and now < remembered[1]:
        return statement.instance(remembered[2])
    values = statement.values(pk)
    if values is None:
        _rows.pop(pk, None)
        return None
    if version is None:
        _rows.pop(pk, None)
    else:
        if len(_rows) >= REMEMBERED_USERS_MAX:
            _rows.clear()
        _rows[pk] = (version, now + seconds, tuple(values))
    return statement.instance(values)


class EpochJWTAuthentication(JWTAuthentication):
    """Reject access tokens minted before the user's last session revocation."""

    request: Any = None

    def authenticate(self, request: Any) -> Any:
        # DRF builds the authenticators for each request: get_user may use it.
        self.request = request
        return super().authenticate(request)

    def get_validated_token(self, raw_token: bytes) -> Token:
        remembered = _verified.get(raw_token)
        now = time.time()
        if remembered is not None:
            expires_at, token = remembered
            if now < expires_at:
                return token
            del _verified[raw_token]
        token = super().get_validated_token(raw_token)
        if len(_verified) >= VERIFIED_TOKENS_MAX:
            _verified.clear()
        # Remembered until the moment SimpleJWT itself would refuse it.
        leeway = api_settings.LEEWAY
        if hasattr(leeway, "total_seconds"):
            leeway = leeway.total_seconds()
        _verified[raw_token] = (float(token["exp"]) + float(leeway or 0), token)
        return token

    def get_user(self, validated_token: Any) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(
                _("Token contained no recognizable user identification")
            ) from exc
        epoch = validated_token.get(EPOCH_CLAIM)
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            user = None
        else:
            try:
                user = user_by_pk(pk, request=self.request)
            except Exception:
                window_uncounted(self.request)
                raise
        if user is None or not user.is_active or epoch != user.token_epoch:
            # Counted with the version's round trip: a refused token does not
            # spend its user's budget.
            window_uncounted(self.request)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if epoch != user.token_epoch:
            raise AuthenticationFailed(
                _("Token has been revoked."), code="token_revoked"
            )
        return user


class EpochJWTScheme(SimpleJWTScheme):
    """Documents EpochJWTAuthentication as the bearer JWT scheme it is."""

    target_class = "accounts.authentication.EpochJWTAuthentication"
