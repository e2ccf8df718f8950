"""How KAYA mints and reads JWTs on top of SimpleJWT.

Every token carries two extra claims:

- ``epoch``: the user's ``token_epoch`` when it was minted. Bumping the epoch
  (logout-all, password change or reset, deactivation) makes every earlier access
  token fail at once; ``EpochJWTAuthentication`` checks it on each request.
- ``family``: the ``TokenFamily`` the refresh token descends from (one per login),
  used for rotation with reuse detection (SimpleJWT 5.5.1 has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

if TYPE_CHECKING:
    from accounts.models import User

EPOCH_CLAIM = "epoch"
FAMILY_CLAIM = "family"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    family_id: int
    refresh_jti: str


class FamilyRefreshToken(RefreshToken):
    """A refresh token read without SimpleJWT's blacklist check.

    The signature, expiry, type and jti are still verified; whether the token may
    be used is decided under a row lock on its family (see ``token_refresh``), so
    that presenting a rotated token is detected as reuse instead of a plain error.
    """

    def verify(self, *args: Any, **kwargs: Any) -> None:
        Token.verify(self, *args, **kwargs)


def refresh_token_new(*, user: User) -> RefreshToken:
    token = RefreshToken()
    token[api_settings.USER_ID_CLAIM] = str(user.pk)
    token[EPOCH_CLAIM] = user.token_epoch
    return token


def refresh_token_outstand(*, user: User, token: RefreshToken) -> None:
    # SimpleJWT stores the whole refresh token; it is a bearer secret, so only
    # its id is kept (the blacklist works by jti).
    OutstandingToken.objects.create(
        user=user,
        jti=token[api_settings.JTI_CLAIM],
        token="",
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )


def token_pair_from(token: RefreshToken, family_id: int) -> TokenPair:
    token[FAMILY_CLAIM] = family_id
    return TokenPair(
        access=str(token.access_token),
        refresh=str(token),
        family_id=family_id,
        refresh_jti=token[api_settings.JTI_CLAIM],
    )


def access_token_for(user: User) -> AccessToken:
    """A stand-alone access token (tests, tools); logins use a token family."""
    token = AccessToken.for_user(user)
    token[EPOCH_CLAIM] = user.token_epoch
    return token
