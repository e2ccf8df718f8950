"""The API's authentication class: SimpleJWT plus the per-user token epoch."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from accounts.jwt import EPOCH_CLAIM


class EpochJWTAuthentication(JWTAuthentication):
    """Reject access tokens minted before the user's last session revocation."""

    def get_user(self, validated_token: Any) -> Any:
        user = super().get_user(validated_token)
        if validated_token.get(EPOCH_CLAIM) != user.token_epoch:
            raise AuthenticationFailed(
                _("Token has been revoked."), code="token_revoked"
            )
        return user


class EpochJWTScheme(SimpleJWTScheme):
    """Documents EpochJWTAuthentication as the bearer JWT scheme it is."""

    target_class = "accounts.authentication.EpochJWTAuthentication"
