"""Community writes and workflows: posts, likes, comments, reports, groups and
the moderation actions staff take in the admin.

Every post and comment is sanitised (nh3), checked against the blocked terms
(refused) and passed through the one crisis check (``journal.crisis``): a
flagged one is accepted but held from everyone else until a moderator reviews
it, and its author gets crisis resources back at once.

Side effects happen after commit: websocket pushes through
``notifications.realtime`` and notifications through ``notifications.services``.
Anonymous content never names its author in either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.context import RequestContext
from accounts.models import AuditLog
from accounts.services import audit_record
from community import selectors
from community.exceptions import (
    AlreadyReportedError,
    BlockedTermError,
    CommentRemovedError,
    CommunityBannedError,
    EmptyTextError,
    GroupBannedError,
    GroupNotFoundError,
    NotGroupMemberError,
    ParentCommentNotFoundError,
    ReplyDepthError,
)
from community.models import (
    Comment,
    CommunityBan,
    ContentStatus,
    Post,
    PostLike,
    Report,
    SupportGroup,
    SupportGroupMember,
)
from community.text import contains_term, sanitize_text
from journal.crisis import crisis_check, crisis_support
from kaya.timeutils import instant_text
from notifications import realtime
from notifications.models import Notification
from notifications.services import notification_create, notification_schedule

if TYPE_CHECKING:
    from accounts.models import User

ANONYMOUS = "Anonymous"
# Distinct users whose open reports hide a post or comment until reviewed.
REPORT_HIDE_THRESHOLD = 3


@dataclass(frozen=True)
class Published:
    """A post or comment just written, with the ``support`` block for its
    author when the crisis check flagged it (else None)."""

    obj: Any
    support: dict[str, Any] | None


def author_public(*, author: User, anonymous: bool) -> dict[str, str]:
    """How an author is shown to others: never the real one when anonymous."""
    if anonymous:
        return {"display_name": ANONYMOUS, "avatar_url": ""}
    return {"display_name": author.display_name, "avatar_url": author.avatar_url}


def _checked_text(*, author: User, text: str) -> tuple[str, dict[str, Any] | None]:
    """Sanitised text and the support block when the crisis check flags it;
    refuses banned authors, empty text and blocked terms."""
    if selectors.is_community_banned(user=author):
        raise CommunityBannedError()
    clean = sanitize_text(text)
    if not clean:
        raise EmptyTextError()
    if contains_term(clean, selectors.blocked_terms()):
        raise BlockedTermError()
    if crisis_check(clean, author.locale).flagged:
        return clean, crisis_support(user=author)
    return clean, None


def post_payload(post: Post) -> dict[str, Any]:
    """The websocket payload of a post: safe for any recipient."""
    return {
        "post_id": post.pk,
        "group_id": post.group_id,
        "author": author_public(author=post.author, anonymous=post.is_anonymous),
        "body": post.body,
        "topics": post.topics,
        "created_at": instant_text(post.created_at),
    }


def _push_post_created(post: Post) -> None:
    if post.group_id is None or post.group is None:
        # No feed subscription channel exists yet: public posts are read by
        # polling the feed.
        return
    payload = post_payload(post)
    for user_id in selectors.active_member_ids(group=post.group):
        if user_id != post.author_id:
            realtime.push_to_user(user_id, realtime.COMMUNITY_POST_CREATED, payload)


@transaction.atomic
def post_create(
    *,
    author: User,
    body: str,
    group_id: int | None = None,
    anonymous: bool = False,
    topics: list[str] | None = None,
) -> Published:
    """Publish a post, or hold it for review when the crisis check flags it.

    Side effects (after commit): ``community.post.created`` to the other active
    members of the post's group (published posts only).
    """
    group = None
    if group_id is not None:
        group = SupportGroup.objects.filter(pk=group_id).first()
        membership = (
            selectors.membership_get(group=group, user=author) if group else None
        )
        active = membership is not None and (
            membership.status == SupportGroupMember.Status.ACTIVE
        )
        if group is None or (group.is_private and not active):
            raise GroupNotFoundError()
        if not active:
            raise NotGroupMemberError()
    clean, support = _checked_text(author=author, text=body)
    post = Post.objects.create(
        author=author,
        group=group,
        body=clean,
        is_anonymous=anonymous,
        topics=list(dict.fromkeys(topics or [])),
        status=ContentStatus.HELD if support else ContentStatus.PUBLISHED,
        crisis_flagged=support is not None,
    )
    if support is None:
        transaction.on_commit(lambda: _push_post_created(post))
    return Published(post, support)


@transaction.atomic
def post_update(
    *, post: Post, body: str | None = None, topics: list[str] | None = None
) -> Published:
    """Edit a post by its author; a new body passes the same checks as a new
    post (and a flagged edit is held again)."""
    support = None
    fields = ["edited_at", "updated_at"]
    if body is not None:
        post.body, support = _checked_text(author=post.author, text=body)
        fields.append("body")
        if support is not None:
            post.status, post.crisis_flagged = ContentStatus.HELD, True
            fields += ["status", "crisis_flagged"]
    if topics is not None:
        post.topics = list(dict.fromkeys(topics))
        fields.append("topics")
    post.edited_at = timezone.now()
    post.save(update_fields=fields)
    return Published(post, support)


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """Soft delete: the post leaves every feed; its row stays for moderation."""
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at", "updated_at"])


LIKE_BATCH_SECONDS = 15 * 60


def _like_notification_schedule(post: Post) -> None:
    """One "new likes" notification per post and 15-minute window, whatever
    the number of likes in it (a scheduled row keyed by post and window)."""
    now = timezone.now()
    window = int(now.timestamp()) // LIKE_BATCH_SECONDS
    send_at = datetime.fromtimestamp((window + 1) * LIKE_BATCH_SECONDS, tz=UTC)
    notification_schedule(
        user=post.author,
        type=Notification.Type.COMMUNITY_LIKE,
        title="People liked your post",
        send_at=send_at,
        dedupe_key=f"community_like:{post.pk}:{window}",
        data={"post_id": post.pk},
    )


@dataclass(frozen=True)
class LikeState:
    post_id: int
    liked: bool
    like_count: int


def _like_state(post: Post, liked: bool) -> LikeState:
    post.refresh_from_db(fields=["like_count"])
    return LikeState(post.pk, liked, post.like_count)


@transaction.atomic
def post_like(*, post: Post, user: User) -> LikeState:
    """Like a post. Idempotent: liking twice leaves one like.

    Exact under concurrency: the unique (post, user) constraint decides which
    of two parallel likes counts, and the counter moves with F() in the same
    transaction as the row.
    """
    if selectors.is_community_banned(user=user):
        raise CommunityBannedError()
    try:
        with transaction.atomic():
            PostLike.objects.create(post=post, user=user)
    except IntegrityError:
        return _like_state(post, True)
    Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
    if post.author_id != user.pk:
        _like_notification_schedule(post)
    return _like_state(post, True)


@transaction.atomic
def post_unlike(*, post: Post, user: User) -> LikeState:
    """Remove the user's like, if any. Idempotent."""
    deleted, _ = PostLike.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") - 1)
    return _like_state(post, False)


def comment_payload(comment: Comment) -> dict[str, Any]:
    return {
        "comment_id": comment.pk,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "author": author_public(author=comment.author, anonymous=comment.is_anonymous),
        "body": comment.body,
        "created_at": instant_text(comment.created_at),
    }


def _comment_notify(comment: Comment, post: Post) -> None:
    realtime.push_to_user(
        post.author_id, realtime.COMMUNITY_COMMENT_CREATED, comment_payload(comment)
    )


@transaction.atomic
def comment_create(
    *,
    post: Post,
    author: User,
    body: str,
    parent_id: int | None = None,
    anonymous: bool = False,
) -> Published:
    """Comment on a post, or reply to one of its top-level comments.

    Side effects: a ``community_reply`` notification to the post's author (in
    the same transaction) and, after commit, ``community.comment.created``
    pushed to them; neither for the author's own comments or held ones.
    """
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, post=post).first()
        if parent is None:
            raise ParentCommentNotFoundError()
        if parent.parent_id is not None:
            raise ReplyDepthError()
        if parent.deleted_at is not None:
            raise CommentRemovedError()
    clean, support = _checked_text(author=author, text=body)
    comment = Comment.objects.create(
        post=post,
        author=author,
        parent=parent,
        body=clean,
        is_anonymous=anonymous,
        status=ContentStatus.HELD if support else ContentStatus.PUBLISHED,
        crisis_flagged=support is not None,
    )
    if support is None:
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        if post.author_id != author.pk:
            who = ANONYMOUS if anonymous else (author.display_name or "Someone")
            notification_create(
                user=post.author,
                type=Notification.Type.COMMUNITY_REPLY,
                title=f"{who} commented on your post",
                data={"post_id": post.pk, "comment_id": comment.pk},
            )
            transaction.on_commit(lambda: _comment_notify(comment, post))
    return Published(comment, support)


@transaction.atomic
def comment_update(*, comment: Comment, body: str) -> Published:
    comment.body, support = _checked_text(author=comment.author, text=body)
    fields = ["body", "edited_at", "updated_at"]
    if support is not None:
        comment.status, comment.crisis_flagged = ContentStatus.HELD, True
        fields += ["status", "crisis_flagged"]
    comment.edited_at = timezone.now()
    comment.save(update_fields=fields)
    return Published(comment, support)


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Soft delete: the comment stays in its thread, shown as removed."""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    if comment.status == ContentStatus.PUBLISHED:
        Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(
            comment_count=F("comment_count") - 1
        )


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    post: Post | None = None,
    comment: Comment | None = None,
) -> Report:
    """Report a post or a comment. Once ``REPORT_HIDE_THRESHOLD``
    distinct users have open reports on it, it is hidden from everyone but its
    author until a moderator decides."""
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                post=post,
                comment=comment,
                reason=reason,
                details=sanitize_text(details),
            )
    except IntegrityError:
        raise AlreadyReportedError() from None
    target: Post | Comment = post if post is not None else comment  # type: ignore[assignment]
    model = type(target)
    # Two reports landing together must not both miss the threshold: lock the
    # target row, then count.
    locked = model.objects.select_for_update().get(pk=target.pk)
    reporters = (
        Report.objects.filter(
            status=Report.Status.OPEN, **{model.__name__.lower(): locked}
        )
        .values("reporter")
        .distinct()
        .count()
    )
    if reporters >= REPORT_HIDE_THRESHOLD and locked.status == ContentStatus.PUBLISHED:
        locked.status = ContentStatus.HIDDEN
        locked.save(update_fields=["status", "updated_at"])
    return report


@transaction.atomic
def group_join(*, group: SupportGroup, user: User) -> SupportGroupMember:
    """Join a group: active at once for a public group, pending until a group
    moderator or staff approves for a private one. Idempotent."""
    membership, _ = SupportGroupMember.objects.get_or_create(
        group=group,
        user=user,
        defaults={
            "status": SupportGroupMember.Status.PENDING
            if group.is_private
            else SupportGroupMember.Status.ACTIVE
        },
    )
    if membership.status == SupportGroupMember.Status.BANNED:
        raise GroupBannedError()
    return membership


@transaction.atomic
def group_leave(*, group: SupportGroup, user: User) -> None:
    """Leave a group (or withdraw a request). A ban stays in place."""
    SupportGroupMember.objects.filter(group=group, user=user).exclude(
        status=SupportGroupMember.Status.BANNED
    ).delete()


# --- moderation (staff, through the admin) ----------------------------------


def _audit(
    *,
    actor: User,
    action: str,
    target: Any,
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
