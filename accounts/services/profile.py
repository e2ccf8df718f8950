"""The user's profile and preferences."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.models import AuditLog, User
from accounts.services.audit import audit_record
from accounts.services.verification import email_change_request


@transaction.atomic
def user_update(
    *,
    user: User,
    data: dict[str, Any],
    new_email: str | None = None,
    current_password: str = "",
    context: RequestContext = EMPTY_CONTEXT,
) -> User:
    """Update profile and preferences; an email change waits for verification.

    Only ``User.PROFILE_FIELDS`` are written (anything else in ``data`` is
    ignored), plus ``ai_consent``: true records consent to the current version
    of the AI-processing text, false withdraws it.
    Side effects (after commit) of an email change: a verification email to the
    new address and a notice to the old one.
    """
    changed = [
        f for f in User.PROFILE_FIELDS if f in data and getattr(user, f) != data[f]
    ]
    for name in changed:
        setattr(user, name, data[name])
    consent = data.get("ai_consent")
    if (consent is True and not user.has_ai_consent) or (
        consent is False and user.ai_consent_version is not None
    ):
        user.ai_consent_version = settings.AI_CONSENT_VERSION if consent else None
        user.ai_consent_at = timezone.now() if consent else None
        changed += ["ai_consent_version", "ai_consent_at"]
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action=AuditLog.Action.PROFILE_UPDATE,
            actor=user,
            target=user,
            context=context,
            metadata={"fields": changed},
        )
    if new_email is not None:
        email_change_request(
            user=user,
            new_email=new_email,
            current_password=current_password,
            context=context,
        )
    return user
