"""The audit trail: one append-only row per security-relevant action."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.models import AuditLog, User


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    outcome: str = AuditLog.Outcome.SUCCESS,
    context: RequestContext | None = None,
    metadata: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row. Callable by any app; never pass secrets or content.

    ``metadata`` holds small facts such as changed field names or a reason code.
    """
    context = context or EMPTY_CONTEXT
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        outcome=outcome,
        ip=context.ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
        metadata=metadata or {},
    )
