"""Sessions: token families, refresh rotation, logout and revocation."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts import events
from accounts.authentication import user_row_changed
from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.exceptions import (
    RefreshRejectedError,
    RefreshTokenInvalidError,
)
from accounts.jwt import (
    EPOCH_CLAIM,
    FAMILY_CLAIM,
    FamilyRefreshToken,
    TokenPair,
    refresh_token_new,
    refresh_token_outstand,
    token_pair_from,
)
from accounts.models import AuditLog, TokenFamily, User
from accounts.services.audit import audit_record
from kaya.events import publish


def session_start(*, user: User) -> TokenPair:
    token = refresh_token_new(user=user)
    family = TokenFamily.objects.create(
        user=user, current_jti=token[api_settings.JTI_CLAIM]
    )
    refresh_token_outstand(user=user, token=token)
    return token_pair_from(token, family.pk)


def _blacklist_jtis(jtis: list[str]) -> None:
    outstanding = OutstandingToken.objects.filter(
        jti__in=jtis, blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding],
        ignore_conflicts=True,
    )


def _families_revoke(families: list[TokenFamily], reason: str) -> None:
    now = timezone.now()
    _blacklist_jtis([family.current_jti for family in families])
    TokenFamily.objects.filter(pk__in=[f.pk for f in families]).update(
        revoked_at=now, revoked_reason=reason
    )


def token_refresh(
    *, raw_refresh: str, context: RequestContext = EMPTY_CONTEXT
) -> TokenPair:
    """Rotate a refresh token: a new pair; the old refresh is blacklisted.

    Presenting a refresh token that was already rotated revokes its whole family
    (every token descended from the same login) and is refused. The family row is
    locked, so two parallel refreshes of one token cannot both succeed: the second
    waits, then finds the token rotated (and, being a replay, ends the family).
    """
    try:
        token = FamilyRefreshToken(raw_refresh)  # type: ignore[arg-type]
    except TokenError:
        raise RefreshRejectedError from None
    with transaction.atomic():
        family = (
            TokenFamily.objects.select_for_update()
            .select_related("user")
            .filter(pk=token.get(FAMILY_CLAIM))
            .first()
        )
        if (
            family is None
            or str(family.user_id) != str(token.get(api_settings.USER_ID_CLAIM))
            or family.revoked_at is not None
        ):
            raise RefreshRejectedError
        user = family.user
        if token[api_settings.JTI_CLAIM] == family.current_jti:
            if not user.is_active or token.get(EPOCH_CLAIM) != user.token_epoch:
                raise RefreshRejectedError
            new = refresh_token_new(user=user)
            refresh_token_outstand(user=user, token=new)
            _blacklist_jtis([family.current_jti])
            family.current_jti = new[api_settings.JTI_CLAIM]
            family.last_rotated_at = timezone.now()
            family.save(update_fields=["current_jti", "last_rotated_at"])
            return token_pair_from(new, family.pk)
        # Reuse of a rotated token: it leaked (or a client raced itself).
        _families_revoke([family], "reuse")
        audit_record(
            action=AuditLog.Action.TOKEN_FAMILY_REVOKED,
            actor=user,
            target=family,
            outcome=AuditLog.Outcome.FAILURE,
            context=context,
            metadata={"reason": "reuse"},
        )
    # Raised after the block so that the revocation above is committed.
    raise RefreshRejectedError


@transaction.atomic
def sessions_revoke_all(
    *, user: User, reason: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Revoke every refresh token of the user and fail every access token.

    Side effects (after commit): ``accounts.events.user_sessions_revoked``
    (the notifications app closes the user's websockets).
    """
    User.objects.filter(pk=user.pk).update(token_epoch=F("token_epoch") + 1)
    user_row_changed(user.pk)
    user.refresh_from_db(fields=["token_epoch"])
    families = list(TokenFamily.objects.filter(user=user, revoked_at__isnull=True))
    _families_revoke(families, reason)
    _blacklist_jtis(
        list(OutstandingToken.objects.filter(user=user).values_list("jti", flat=True))
    )
    publish(events.user_sessions_revoked, sender=User, user_id=user.pk, reason=reason)


@transaction.atomic
def session_logout(
    *, user: User, raw_refresh: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Blacklist the given refresh token (and end its family) for this user."""
    try:
        token = FamilyRefreshToken(raw_refresh)  # type: ignore[arg-type]
    except TokenError:
        raise RefreshTokenInvalidError from None
    if str(token.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise RefreshTokenInvalidError
    _blacklist_jtis([token[api_settings.JTI_CLAIM]])
    families = list(
        TokenFamily.objects.filter(
            pk=token.get(FAMILY_CLAIM), user=user, revoked_at__isnull=True
        )
    )
    _families_revoke(families, "logout")
    audit_record(
        action=AuditLog.Action.LOGOUT, actor=user, target=user, context=context
    )


@transaction.atomic
def session_logout_all(*, user: User, context: RequestContext = EMPTY_CONTEXT) -> None:
    """Log out everywhere: every refresh and access token of the user fails.

    Side effects: see ``sessions_revoke_all``.
    """
    sessions_revoke_all(user=user, reason="logout_all", context=context)
    audit_record(
        action=AuditLog.Action.LOGOUT_ALL, actor=user, target=user, context=context
    )


def tokens_purge() -> int:
    """Delete expired refresh-token records and finished token families (beat)."""
    now = timezone.now()
    lifetime = api_settings.REFRESH_TOKEN_LIFETIME
    deleted, _ = OutstandingToken.objects.filter(expires_at__lt=now).delete()
    families, _ = (
        TokenFamily.objects.annotate(last=Coalesce("last_rotated_at", "created_at"))
        .filter(last__lt=now - lifetime)
        .delete()
    )
    return deleted + families
