"""The accounts app's part of the privacy export and erasure.

Covers the user row and everything tied to it that accounts or its third-party
apps own: token families, email deliveries, the audit trail, SimpleJWT's
outstanding/blacklisted tokens, Django admin log entries and the group and
permission links.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import AuditLog, EmailDelivery, LoginFailure, TokenFamily, User
from accounts.services.emails import EMAIL_KIND
from kaya.models import OutboxEmail

MODELS = (
    "accounts.User",
    "accounts.User_groups",
    "accounts.User_user_permissions",
    "accounts.TokenFamily",
    "accounts.EmailDelivery",
    "accounts.AuditLog",
    "token_blacklist.OutstandingToken",
    "token_blacklist.BlacklistedToken",
    "admin.LogEntry",
)

# Rows that stay after an account is erased (registered with privacy.retain).
RETAINED = {
    "accounts.AuditLog": (
        "security and accountability trail: events stay with the actor link "
        "cleared and IP address and user agent erased; the erasure is recorded"
    ),
}

PROFILE_EXPORT_FIELDS = (
    "email",
    "pending_email",
    *User.PROFILE_FIELDS,
    "ai_consent_version",
    "ai_consent_at",
    "subscription_tier",
    "subscription_expires_at",
    "email_verified_at",
    "is_active",
    "is_staff",
    "date_joined",
    "last_login",
    "updated_at",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _emails_export(user: User) -> list[dict[str, Any]]:
    """Account emails, with when each went out: the delivery state is on its
    outbox row (``kaya.outbox``, key ``accounts.email:<delivery id>``)."""
    deliveries = list(EmailDelivery.objects.filter(user=user).order_by("id"))
    sent_at = dict(
        OutboxEmail.objects.filter(
            idempotency_key__in=[f"{EMAIL_KIND}:{d.pk}" for d in deliveries]
        ).values_list("idempotency_key", "sent_at")
    )
    return [
        {
            "kind": delivery.kind,
            "to": delivery.to_email,
            "queued_at": _iso(delivery.created_at),
            "sent_at": _iso(sent_at.get(f"{EMAIL_KIND}:{delivery.pk}")),
        }
        for delivery in deliveries
    ]


def accounts_export(user: User) -> dict[str, Any]:
    emails = {user.email, user.pending_email} - {""}
    return {
        "profile": {f: _iso(getattr(user, f)) for f in PROFILE_EXPORT_FIELDS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
        "sessions": [
            {
                "id": family.pk,
                "started_at": _iso(family.created_at),
                "last_refreshed_at": _iso(family.last_rotated_at),
                "revoked_at": _iso(family.revoked_at),
                "revoked_reason": family.revoked_reason,
            }
            for family in TokenFamily.objects.filter(user=user).order_by("id")
        ],
        "refresh_tokens": [
            {
                "issued_at": _iso(token.created_at),
                "expires_at": _iso(token.expires_at),
                "revoked": hasattr(token, "blacklistedtoken"),
            }
            for token in OutstandingToken.objects.filter(user=user)
            .select_related("blacklistedtoken")
            .order_by("id")
        ],
        "emails_sent": _emails_export(user),
        "security_events": [
            {
                "action": entry.action,
                "outcome": entry.outcome,
                "at": _iso(entry.created_at),
                "ip": entry.ip,
                "user_agent": entry.user_agent,
            }
            for entry in AuditLog.objects.filter(actor=user).order_by("id")
        ],
        "failed_logins": [
            {"at": _iso(failure.created_at), "ip": failure.ip}
            for failure in LoginFailure.objects.filter(email__in=emails).order_by("id")
        ],
        "admin_actions": [
            {
                "at": _iso(entry.action_time),
                "object": f"{entry.content_type_id}:{entry.object_id}",
                "action_flag": entry.action_flag,
            }
            for entry in LogEntry.objects.filter(user=user).order_by("id")
        ],
    }


def accounts_erase(user: User) -> None:
    """Delete the account's own rows and anonymise its audit trail.

    The user row itself is deleted by ``user_delete`` after every handler ran.
    """
    AuditLog.objects.filter(actor=user).update(actor=None, ip=None, user_agent="")
    AuditLog.objects.filter(target_type="accounts.user", target_id=str(user.pk)).update(
        ip=None, user_agent=""
    )
    LoginFailure.objects.filter(
        email__in={user.email, user.pending_email} - {""}
    ).delete()
    # SimpleJWT sets the user to NULL on delete; the rows must go instead.
    OutstandingToken.objects.filter(user=user).delete()
    TokenFamily.objects.filter(user=user).delete()
    EmailDelivery.objects.filter(user=user).delete()
    LogEntry.objects.filter(user=user).delete()
    # Staff edits of this account: their object_repr is the email address.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).delete()
    user.groups.clear()
    user.user_permissions.clear()
