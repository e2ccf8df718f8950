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
  request gets a fresh ``User``) under the user's version in ``USER_ROWS``, and
  serves it only while that version is still current. The version is asked
  in the round trip that counts the request in the user's throttle window (one
  script, ``kaya.throttles.version_current``), so a remembered user costs no
  round trip of its own, where the statement was one to PostgreSQL plus
  building the row. Every write to a user row bumps the version
  (``user_row_changed``): at once, and again when the write commits. So
  logout-all and password changes (the epoch), deactivation (``is_active``),
  deletion (no row) and profile changes take effect on the very next request,
  in every worker. Each remembered row is served for at most
  ``AUTH_USER_CACHE_SECONDS``, which only bounds how long a bump lost to a Redis
  outage could leave it stale; with Redis unreachable every request reads the
  database. ``AUTH_USER_CACHE_SECONDS=0`` (the default without Redis, where each
  process's cache is its own) reads the row on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
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
from kaya.throttles import version_current
from kaya.versioned_cache import VersionedCache

if TYPE_CHECKING:
    from accounts.models import User

# Enough for every live access token a worker sees in one token lifetime on a
# busy day; when full, the memory is simply emptied (verifying again is cheap).
VERIFIED_TOKENS_MAX = 4096
_verified: dict[bytes, tuple[float, Token]] = {}


def forget_verified_tokens() -> None:
    """Empty the per-process memory of verified tokens (tests, key rotation)."""
    _verified.clear()


# One version per user (the scope is the user's id); a row remembered under an
# older one is never served. Entries live in each process (``_rows``), so the
# family's ``seconds`` is how long a remembered row may be served at most.
USER_ROWS = VersionedCache(
    "auth-user", seconds=lambda: int(settings.AUTH_USER_CACHE_SECONDS)
)
# Enough for every user a worker serves in a few minutes; when full, emptied.
REMEMBERED_USERS_MAX = 4096
# user id -> (version, served until (monotonic), the row's converted values)
# Shared by the requests that serve it, so every column's value is immutable
# (a test checks the model's fields).
_rows: dict[int, tuple[int, float, tuple[Any, ...]]] = {}


def forget_user_rows() -> None:
    """Empty this process's remembered user rows (tests)."""
    _rows.clear()


def user_row_changed(pk: Any) -> None:
    """Every process's remembered row of this user is stale: call it on every
    write to a user row (the model's save and delete do, see ``apps.py``; a
    queryset ``update()`` must call it itself).

    The version is bumped now, so that a read later in this transaction (or in
    a test's) does not serve the old row, and again after commit, so that a
    read that ran between the first bump and the commit (and remembered the
    row as it was) is not served either.
    """
    if pk is None:
        return
    USER_ROWS.invalidate(pk)
    USER_ROWS.invalidate_on_commit(pk)


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


def user_by_pk(pk: int) -> User | None:
    """The user with this id as the database holds it now (see the module doc:
    possibly a remembered row whose version is still current)."""
    statement = _statement()
    seconds = USER_ROWS.seconds
    if not seconds:
        values = statement.values(pk)
        return None if values is None else statement.instance(values)
    # Read before the row: a row read after a writer's bump is remembered under
    # the version it replaced, so it is never served.
    version = USER_ROWS.version(pk)
    now = time.monotonic()
    remembered = _rows.get(pk)
    if remembered is not None and remembered[0] == version and now < remembered[1]:
        return statement.instance(remembered[2])
    values = statement.values(pk)
    if values is None:
        _rows.pop(pk, None)
        return None
    if len(_rows) >= REMEMBERED_USERS_MAX:
        _rows.clear()
    _rows[pk] = (version, now + seconds, tuple(values))
    return statement.instance(values)


def remembered_user(
    pk: int, *, request: Any, accepts: Callable[[User], bool]
) -> User | None:
    """The user's remembered row as a fresh instance, when this process
    remembers it, its time is not up, ``accepts`` takes it and its version is
    still current; else None (``user_by_pk`` then reads it).

    The version is asked in one round trip that also counts the request in the
    user's window of the view's user throttle (``kaya.throttles.version_current``),
    so only a request that will be authenticated is counted there (a request
    then refused by a permission is counted, as a throttled view's own check
    would count it once permissions passed).
    """
    if not USER_ROWS.seconds:
        return None
    remembered = _rows.get(pk)
    if remembered is None or time.monotonic() >= remembered[1]:
        return None
    user = _statement().instance(remembered[2])
    if not accepts(user):
        return None
    try:
        current = version_current(
            request, key=USER_ROWS.version_key(pk), version=remembered[0], user_pk=pk
        )
    except RedisError:
        # kaya.cache's circuit breaker has logged it; the database answers.
        return None
    return user if current else None


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
            user = remembered_user(
                pk,
                request=self.request,
                accepts=lambda row: row.is_active and row.token_epoch == epoch,
            ) or user_by_pk(pk)
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
