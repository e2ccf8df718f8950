"""Privacy: every app's data exported or erased; staff deactivation."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import events
from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.exceptions import (
    PasswordIncorrectError,
)
from accounts.models import AuditLog, User
from accounts.registry import privacy
from accounts.services.audit import audit_record
from accounts.services.tokens import sessions_revoke_all
from kaya.events import publish


def user_export(
    *, user: User, context: RequestContext = EMPTY_CONTEXT
) -> dict[str, Any]:
    """Every app's data about the user, as one JSON-serialisable document."""
    # As stored now: an authenticated request's user may be a remembered row
    # (accounts.authentication) with the previous last_login.
    user.refresh_from_db()
    document = {
        "format": "kaya-export/1",
        "exported_at": timezone.now().isoformat(),
        "user_id": user.pk,
        "apps": {
            name: handler.export(user) for name, handler in privacy.handlers.items()
        },
    }
    audit_record(
        action=AuditLog.Action.DATA_EXPORT, actor=user, target=user, context=context
    )
    return document


@transaction.atomic
def user_delete(
    *, user: User, password: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """The owner deletes the account (password required); see ``user_erase``."""
    if not user.check_password(password):
        raise PasswordIncorrectError
    user_erase(user=user, context=context)


@transaction.atomic
def user_erase(
    *, user: User, actor: User | None = None, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Erase the account: every app's rows, then the user row itself.

    Each app's rows go through its privacy registry erase handler, inside this
    transaction. Side effects (after commit): ``user_sessions_revoked`` (closes
    the websockets), then ``accounts.events.user_deleted``; an erasure that
    rolls back publishes neither. Access tokens fail at once because the user
    no longer exists. ``actor`` is the staff member when the erasure is done
    from the admin.
    """
    user_id = user.pk
    sessions_revoke_all(user=user, reason="account_deleted", context=context)
    # The accounts handler runs last: others may still read the user's rows.
    handlers = sorted(privacy.handlers.values(), key=lambda h: h.name == "accounts")
    for handler in handlers:
        handler.erase(user)
    user.delete()
    # Kept without the owner's IP or user agent: the trail records that the
    # account existed and was erased (see RETAINED in accounts.privacy).
    by_staff = actor is not None and actor.pk != user_id
    audit_record(
        action=AuditLog.Action.ACCOUNT_DELETE,
        actor=actor if by_staff else None,
        target_type="accounts.user",
        target_id=user_id,
        context=context if by_staff else RequestContext(request_id=context.request_id),
        metadata={"by": "staff" if by_staff else "owner"},
    )
    publish(events.user_deleted, sender=User, user_id=user_id)


@transaction.atomic
def user_deactivate(
    *, user: User, actor: User | None = None, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Staff action: the account can no longer log in; its tokens are revoked."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
    sessions_revoke_all(user=user, reason="deactivated", context=context)
    audit_record(
        action=AuditLog.Action.ACCOUNT_DEACTIVATE,
        actor=actor,
        target=user,
        context=context,
    )
