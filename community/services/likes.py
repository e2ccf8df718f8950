"""Likes: idempotent, exact under concurrency, and batched into one
notification per post and window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from community import selectors
from community.exceptions import (
    CommunityBannedError,
)
from community.models import (
    Post,
    PostLike,
)
from notifications.models import Notification
from notifications.services import notification_schedule

if TYPE_CHECKING:
    from accounts.models import User


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
