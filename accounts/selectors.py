"""Reads for the accounts app."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.addresses import EmailAddressError, email_canonical
from accounts.models import LoginFailure, User
from accounts.registry import stats
from kaya.rollups import USER_READS
from kaya.timeutils import local_today


def user_by_email(*, email: str) -> User | None:
    """The account whose address has this canonical form, if any.

    An exact match, never ``iexact``: see ``accounts.addresses``. An address with
    no canonical form names no account.
    """
    try:
        canonical = email_canonical(email)
    except EmailAddressError:
        return None
    return User.objects.filter(email=canonical).first()


def _reopens_in(failures: QuerySet[LoginFailure], limit: int) -> int | None:
    window = timedelta(seconds=settings.ACCOUNTS_LOGIN_LOCKOUT_SECONDS)
    now = timezone.now()
    recent = list(
        failures.filter(created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    # Open again when the oldest of the last `limit` failures leaves the window.
    reopens_at = recent[-1] + window
    return max(1, math.ceil((reopens_at - now).total_seconds()))


def login_lockout_retry_after(*, email: str, ip: str | None = None) -> int | None:
    """Seconds until a login attempt is accepted again, or None.

    Locked when the account has ACCOUNTS_LOGIN_MAX_FAILURES failures inside the
    window, or the client address has ACCOUNTS_LOGIN_MAX_FAILURES_PER_IP (many
    accounts tried from one place; generous, since offices share addresses).
    """
    waits = [
        _reopens_in(
            LoginFailure.objects.filter(email=email),
            settings.ACCOUNTS_LOGIN_MAX_FAILURES,
        )
    ]
    if ip:
        waits.append(
            _reopens_in(
                LoginFailure.objects.filter(ip=ip),
                settings.ACCOUNTS_LOGIN_MAX_FAILURES_PER_IP,
            )
        )
    locked = [wait for wait in waits if wait is not None]
    return max(locked) if locked else None


def user_stats(*, user: User) -> dict[str, Any]:
    """The user's totals: each app's real numbers plus the account's own.

    A number that no app provides yet is absent rather than zero. The apps'
    totals are cached per user until a write to what they read commits
    (``kaya.rollups.USER_READS``); the part names everything else they depend
    on: the local date, the time zone and gentle mode.
    """
    today = local_today(user.timezone)
    joined = user.date_joined.astimezone(user.tz).date()
    own = {
        "member_since": joined.isoformat(),
        "days_as_member": (today - joined).days + 1,
    }
    part = f"stats?today={today}&tz={user.timezone}&gentle={user.gentle_mode}"
    totals = USER_READS.get_or_build(part, lambda: stats.collect(user), scope=user.pk)
    return {**totals, **own}
