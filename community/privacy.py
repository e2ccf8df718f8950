"""The community app's part of the privacy export and account erasure."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from community.models import (
    Comment,
    CommunityBan,
    ContentStatus,
    Post,
    PostLike,
    Report,
    SupportGroupMember,
)
from kaya.timeutils import instant_text

if TYPE_CHECKING:
    from accounts.models import User


def _iso(value: datetime | None) -> str | None:
    return instant_text(value) if value is not None else None


def community_export(user: User) -> dict[str, list[dict[str, Any]]]:
    """Everything the user wrote or did in the community, oldest first."""
    return {
        "community_posts": [
            {
                "id": p.pk,
                "group_id": p.group_id,
                "body": p.body,
                "anonymous": p.is_anonymous,
                "topics": p.topics,
                "status": p.status,
                "created_at": _iso(p.created_at),
                "edited_at": _iso(p.edited_at),
                "deleted_at": _iso(p.deleted_at),
            }
            for p in Post.objects.for_user(user).order_by("created_at", "id")
        ],
        "community_comments": [
            {
                "id": c.pk,
                "post_id": c.post_id,
                "parent_id": c.parent_id,
                "body": c.body,
                "anonymous": c.is_anonymous,
                "status": c.status,
                "created_at": _iso(c.created_at),
                "deleted_at": _iso(c.deleted_at),
            }
            for c in Comment.objects.for_user(user).order_by("created_at", "id")
        ],
        "community_likes": [
            {"post_id": like.post_id, "created_at": _iso(like.created_at)}
            for like in PostLike.objects.for_user(user).order_by("created_at", "id")
        ],
        "community_reports": [
            {
                "post_id": r.post_id,
                "comment_id": r.comment_id,
                "reason": r.reason,
                "created_at": _iso(r.created_at),
            }
            for r in Report.objects.filter(reporter=user).order_by("created_at", "id")
        ],
        "community_groups": [
            {
                "group_id": m.group_id,
                "role": m.role,
                "status": m.status,
                "joined_at": _iso(m.created_at),
            }
            for m in SupportGroupMember.objects.for_user(user).order_by("id")
        ],
    }


@transaction.atomic
def community_erase(user: User) -> None:
    """Delete everything the user wrote or did in the community; the counters
    of other people's posts they liked or commented on are recounted."""
    touched = set(PostLike.objects.for_user(user).values_list("post_id", flat=True))
    touched |= set(Comment.objects.for_user(user).values_list("post_id", flat=True))
    Post.objects.for_user(user).delete()
    Comment.objects.for_user(user).delete()
    PostLike.objects.for_user(user).delete()
    Report.objects.filter(reporter=user).delete()
    SupportGroupMember.objects.for_user(user).delete()
    CommunityBan.objects.filter(user=user).delete()
    likes = (
        PostLike.objects.filter(post=OuterRef("pk"))
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    comments = (
        Comment.objects.filter(
            post=OuterRef("pk"),
            deleted_at__isnull=True,
            status=ContentStatus.PUBLISHED,
        )
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Post.objects.filter(pk__in=touched).filter(~Q(author=user)).update(
        like_count=Coalesce(Subquery(likes), 0),
        comment_count=Coalesce(Subquery(comments), 0),
    )
