"""The moderation actions staff take in the admin: hide, restore, dismiss
reports, warn, ban from the community or a group, approve a membership. Each is
audited and, where it touches the author, notified to them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Model

from accounts.context import RequestContext
from accounts.models import AuditLog
from accounts.services import audit_record
from community.models import (
    Comment,
    CommunityBan,
    ContentStatus,
    Post,
    Report,
    SupportGroupMember,
)
from notifications.models import Notification
from notifications.services import notification_create

if TYPE_CHECKING:
    from accounts.models import User


def _audit(
    *,
    actor: User,
    action: str,
    target: Model,
    context: RequestContext | None,
    **metadata: Any,
) -> None:
    audit_record(
        action=AuditLog.Action.ADMIN_ACTION,
        actor=actor,
        target=target,
        context=context,
        metadata={"community_action": action, **metadata},
    )


def _tell(user: User, title: str, data: dict[str, Any]) -> None:
    notification_create(
        user=user, type=Notification.Type.MODERATION, title=title, data=data
    )


def _close_reports(target: Post | Comment, status: str) -> int:
    field = "post" if isinstance(target, Post) else "comment"
    return Report.objects.filter(status=Report.Status.OPEN, **{field: target}).update(
        status=status
    )


@transaction.atomic
def content_hide(
    *, target: Post | Comment, actor: User, context: RequestContext | None = None
) -> None:
    """Hide a post or comment from everyone but its author; its reports are
    closed as actioned. Audited; the author is notified."""
    target.status = ContentStatus.HIDDEN
    target.save(update_fields=["status", "updated_at"])
    _close_reports(target, Report.Status.ACTIONED)
    _audit(actor=actor, action="hide", target=target, context=context)
    kind = "post" if isinstance(target, Post) else "comment"
    _tell(
        target.author,
        f"A moderator hid your {kind}",
        {f"{kind}_id": target.pk},
    )


@transaction.atomic
def content_restore(
    *, target: Post | Comment, actor: User, context: RequestContext | None = None
) -> None:
    """Publish a held or hidden post or comment again (reviewed: its open
    reports are dismissed). Audited; the author is notified."""
    was = target.status
    target.status = ContentStatus.PUBLISHED
    target.save(update_fields=["status", "updated_at"])
    _close_reports(target, Report.Status.DISMISSED)
    _audit(actor=actor, action="restore", target=target, context=context, was=was)
    if isinstance(target, Comment) and was != ContentStatus.PUBLISHED:
        Post.objects.filter(pk=target.post_id).update(
            comment_count=F("comment_count") + 1
        )
    kind = "post" if isinstance(target, Post) else "comment"
    _tell(target.author, f"Your {kind} is visible again", {f"{kind}_id": target.pk})


@transaction.atomic
def reports_dismiss(
    *, target: Post | Comment, actor: User, context: RequestContext | None = None
) -> int:
    """Dismiss the open reports on a target, leaving it as it is. Audited; the
    author is not told (nothing changed for them)."""
    count = _close_reports(target, Report.Status.DISMISSED)
    _audit(actor=actor, action="dismiss", target=target, context=context, count=count)
    return count


@transaction.atomic
def user_warn(
    *, user: User, actor: User, context: RequestContext | None = None
) -> None:
    """Warn a user about their community conduct. Audited; notified."""
    _audit(actor=actor, action="warn", target=user, context=context)
    _tell(
        user,
        "A moderator reminds you of the community guidelines",
        {"moderation": "warning"},
    )


@transaction.atomic
def user_ban_community(
    *,
    user: User,
    actor: User,
    reason: str = "",
    context: RequestContext | None = None,
) -> CommunityBan:
    """Ban a user from posting, commenting and liking. Audited; notified."""
    ban, _ = CommunityBan.objects.get_or_create(
        user=user, defaults={"reason": reason, "created_by": actor}
    )
    _audit(actor=actor, action="ban", target=user, context=context)
    _tell(
        user,
        "You can no longer post in the community",
        {"moderation": "community_ban"},
    )
    return ban


@transaction.atomic
def user_ban_group(
    *,
    membership: SupportGroupMember,
    actor: User,
    context: RequestContext | None = None,
) -> None:
    """Ban a member from one group. Audited; notified."""
    membership.status = SupportGroupMember.Status.BANNED
    membership.save(update_fields=["status"])
    _audit(
        actor=actor,
        action="group_ban",
        target=membership.user,
        context=context,
        group_id=membership.group_id,
    )
    _tell(
        membership.user,
        f"You were removed from the group {membership.group.name}",
        {"moderation": "group_ban", "group_id": membership.group_id},
    )


@transaction.atomic
def membership_approve(
    *,
    membership: SupportGroupMember,
    actor: User,
    context: RequestContext | None = None,
) -> None:
    """Approve a pending request to join a private group. Audited; notified."""
    if membership.status != SupportGroupMember.Status.PENDING:
        return
    membership.status = SupportGroupMember.Status.ACTIVE
    membership.save(update_fields=["status"])
    _audit(
        actor=actor,
        action="group_approve",
        target=membership.user,
        context=context,
        group_id=membership.group_id,
    )
    _tell(
        membership.user,
        f"You joined the group {membership.group.name}",
        {"group_id": membership.group_id},
    )
