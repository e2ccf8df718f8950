"""Reads of community content as one user may see it.

Visibility, in one place: a post is seen by a user when it is not deleted, is
published (or is their own: held and hidden posts stay visible to their
author), and is public or in a group the user may read (a public group, or a
private group they are an active member of). Everything else is simply not
found (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from community.models import (
    BlockedTerm,
    Comment,
    CommunityBan,
    Post,
    PostLike,
    SupportGroup,
    SupportGroupMember,
)
from kaya.prepared import PreparedQuery

if TYPE_CHECKING:
    from accounts.models import User


def _active_group_ids(user: User) -> QuerySet[SupportGroupMember, Any]:
    # No ordering: an IN list needs none (the default one joins the groups).
    return (
        SupportGroupMember.objects.active().for_user(user).order_by().values("group_id")
    )


def _readable_groups(user: User) -> Q:
    """Posts with no group, in a public group, or in one of the user's groups."""
    return (
        Q(group__isnull=True)
        | Q(group__is_private=False)
        | Q(group_id__in=Subquery(_active_group_ids(user)))
    )


def _with_viewer(posts: QuerySet[Post], user: User) -> QuerySet[Post]:
    return posts.select_related("author", "group").annotate(
        liked=Exists(PostLike.objects.filter(post=OuterRef("pk"), user=user))
    )


def post_visible_list(*, user: User) -> QuerySet[Post]:
    """Every post the user may open (like, comment on, report)."""
    posts = Post.objects.alive().seen_by(user).filter(_readable_groups(user))
    return _with_viewer(posts, user)


def post_feed(*, user: User, group: SupportGroup | None = None) -> QuerySet[Post]:
    """The feed: public posts and posts of the user's groups, newest first (the
    paginator orders); or one group's posts."""
    posts = Post.objects.alive().seen_by(user)
    if group is not None:
        posts = posts.filter(group=group)
    else:
        posts = posts.filter(
            Q(group__isnull=True) | Q(group_id__in=Subquery(_active_group_ids(user)))
        )
    # Only what a feed row shows: not the authors' whole rows (password hash,
    # settings) for every post of the page.
    return _with_viewer(posts, user).only(*FEED_FIELDS)


FEED_FIELDS = (
    "id",
    "author",
    "author__display_name",
    "author__avatar_url",
    "group",
    "group__name",
    "group__slug",
    "body",
    "is_anonymous",
    "topics",
    "status",
    "like_count",
    "comment_count",
    "created_at",
    "edited_at",
)

# The feed's and a group's page: ``post_feed``'s rows as ``PostOutput`` reads
# them, its SQL built once per process and run with the viewer's values
# (kaya.prepared); the cursor paginator orders and slices it.
post_feed_rows = PreparedQuery(
    post_feed,
    fields=(
        "id",
        "author_id",
        "author__id",
        "author__display_name",
        "author__avatar_url",
        "group__id",
        "group__name",
        "group__slug",
        "body",
        "is_anonymous",
        "topics",
        "status",
        "like_count",
        "comment_count",
        "liked",
        "created_at",
        "edited_at",
    ),
)


def post_owned_list(*, user: User) -> QuerySet[Post]:
    """The user's own posts that are not deleted (what they may edit)."""
    return _with_viewer(Post.objects.for_user(user).alive(), user)


def post_as_seen(*, post: Post, user: User) -> Post:
    """A post just written by ``user``, re-read with what its output shows."""
    return _with_viewer(Post.objects.filter(pk=post.pk), user).get()


def comment_list(*, post: Post, user: User) -> QuerySet[Comment]:
    """Top-level comments of a post, oldest first, each with its replies.

    Deleted comments stay in the thread (shown as removed) so replies keep their
    place; held and hidden ones are seen by their author only.
    """
    replies = (
        Comment.objects.filter(post=post, parent__isnull=False)
        .seen_by(user)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return (
        Comment.objects.filter(post=post, parent__isnull=True)
        .seen_by(user)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def comment_visible_list(*, user: User) -> QuerySet[Comment]:
    """Comments the user may report: alive, seen by them, on a post they see."""
    return (
        Comment.objects.alive()
        .seen_by(user)
        .filter(post__in=Subquery(post_visible_list(user=user).values("pk")))
        .select_related("author", "post")
    )


def comment_owned_list(*, user: User) -> QuerySet[Comment]:
    return Comment.objects.for_user(user).alive().select_related("author")


def group_list(*, user: User) -> QuerySet[SupportGroup]:
    """Every group (private ones are listed so people can ask to join), with
    the user's membership status and role (None when not a member)."""
    mine = SupportGroupMember.objects.for_user(user).filter(group=OuterRef("pk"))
    return SupportGroup.objects.annotate(
        membership_status=Subquery(mine.values("status")[:1]),
        membership_role=Subquery(mine.values("role")[:1]),
    ).order_by("name", "id")


def group_readable_list(*, user: User) -> QuerySet[SupportGroup]:
    """Groups whose posts the user may read: public ones and their own."""
    return group_list(user=user).filter(
        Q(is_private=False) | Q(pk__in=Subquery(_active_group_ids(user)))
    )


def membership_get(*, group: SupportGroup, user: User) -> SupportGroupMember | None:
    return SupportGroupMember.objects.filter(group=group, user=user).first()


def active_member_ids(*, group: SupportGroup) -> list[int]:
    return list(
        SupportGroupMember.objects.filter(
            group=group, status=SupportGroupMember.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )


def blocked_terms() -> list[str]:
    return list(
        BlockedTerm.objects.filter(is_active=True).values_list("term", flat=True)
    )


def is_community_banned(*, user: User) -> bool:
    return CommunityBan.objects.filter(user=user).exists()
