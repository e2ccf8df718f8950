"""Reads for the accounts app."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AuditLog, LoginFailure, User
from accounts.registry import stats
from kaya.timeutils import local_today


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def login_lockout_retry_after(*, email: str) -> int | None:
    """Seconds until the account accepts a login attempt again, or None.

    Locked once ACCOUNTS_LOGIN_MAX_FAILURES failures fall inside the window; it
    opens when the oldest of those leaves the window.
    """
    limit = settings.ACCOUNTS_LOGIN_MAX_FAILURES
    window = timedelta(seconds=settings.ACCOUNTS_LOGIN_LOCKOUT_SECONDS)
    now = timezone.now()
    recent = list(
        LoginFailure.objects.filter(email=email, created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    reopens_at = recent[-1] + window
    return max(1, math.ceil((reopens_at - now).total_seconds()))


def audit_log_for_actor(*, user: User) -> QuerySet[AuditLog]:
    return AuditLog.objects.filter(actor=user).order_by("created_at", "id")


def user_stats(*, user: User) -> dict[str, Any]:
    """The user's totals: each app's real numbers plus the account's own.

    A number that no app provides yet is absent rather than zero.
    """
    own = {
        "member_since": user.date_joined.astimezone(user.tz).date().isoformat(),
        "days_as_member": (
            local_today(user.timezone) - user.date_joined.astimezone(user.tz).date()
        ).days
        + 1,
    }
    return {**stats.collect(user), **own}
