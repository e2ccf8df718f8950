"""The API's authentication class: SimpleJWT plus the per-user token epoch.

Every authenticated request pays for this, so it is kept to one cheap query:

- The token's signature is verified once per process: a verified access token is
  remembered (by its exact text, for at most its own lifetime) so that the next
  request with it skips the HMAC and the claim parsing. Its expiry is still
  checked on every request. Nothing about the user is remembered.
- The user row, with its ``token_epoch`` and ``is_active``, is read by one
  primary-key statement compiled once per process, not by the ORM's query
  builder (which cost three times the CPU of the statement itself). So
  logout-all and password changes (the epoch), deactivation (``is_active``) and
  deletion (no row) take effect on the very next request, in every worker.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models.expressions import Col
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.jwt import EPOCH_CLAIM
from kaya.db import planned_once_cursor

if TYPE_CHECKING:
    from accounts.models import User

# Enough for every live access token a worker sees in one token lifetime on a
# busy day; when full, the memory is simply emptied (verifying again is cheap).
VERIFIED_TOKENS_MAX = 4096
_verified: dict[bytes, tuple[float, Token]] = {}


def forget_verified_tokens() -> None:
    """Empty the per-process memory of verified tokens (tests, key rotation)."""
    _verified.clear()


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
        columns = ", ".join(f"{quote(table)}.{quote(f.column)}" for f in fields)
        pk = f"{quote(table)}.{quote(model._meta.pk.column)}"
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

    def get(self, pk: Any) -> User | None:
        connection = connections[self.alias]
        # Every authenticated request runs it: prepared once per connection.
        with planned_once_cursor(self.alias) as cursor:
            cursor.execute(self.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            values = list(row)
            for index, column, converters in self.converters:
                for converter in converters:
                    values[index] = converter(values[index], column, connection)
            row = values
        return self.model.from_db(self.alias, self.attnames, row)  # type: ignore[no-any-return]


_statements: dict[str, _UserByPk] = {}


def user_by_pk(pk: Any) -> User | None:
    alias = router.db_for_read(get_user_model())
    statement = _statements.get(alias)
    if statement is None:
        statement = _statements[alias] = _UserByPk(alias)
    return statement.get(pk)


class EpochJWTAuthentication(JWTAuthentication):
    """Reject access tokens minted before the user's last session revocation."""

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
        try:
            user = user_by_pk(int(user_id))
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if validated_token.get(EPOCH_CLAIM) != user.token_epoch:
            raise AuthenticationFailed(
                _("Token has been revoked."), code="token_revoked"
            )
        return user


class EpochJWTScheme(SimpleJWTScheme):
    """Documents EpochJWTAuthentication as the bearer JWT scheme it is."""

    target_class = "accounts.authentication.EpochJWTAuthentication"
