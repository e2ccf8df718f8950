"""Comments with one level of replies, and the live
``community.comment.created`` push to the post's author."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.exceptions import (
    CommentRemovedError,
    ParentCommentNotFoundError,
    ReplyDepthError,
)
from community.models import (
    Comment,
    ContentStatus,
    Post,
)
from community.services.content import (
    ANONYMOUS,
    Published,
    author_public,
    text_checked,
)
from kaya.timeutils import instant_text
from notifications import realtime
from notifications.models import Notification
from notifications.services import notification_create

if TYPE_CHECKING:
    from accounts.models import User


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
) -> Published[Comment]:
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
    clean, support = text_checked(author=author, text=body)
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
def comment_update(*, comment: Comment, body: str) -> Published[Comment]:
    comment.body, support = text_checked(author=comment.author, text=body)
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
