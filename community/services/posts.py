"""Posts: create, edit, soft delete, and the live ``community.post.created``
push."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from community import selectors
from community.exceptions import (
    GroupNotFoundError,
    NotGroupMemberError,
)
from community.models import (
    ContentStatus,
    Post,
    SupportGroup,
    SupportGroupMember,
)
from community.services.content import (
    Published,
    author_public,
    text_checked,
)
from kaya.timeutils import instant_text
from notifications import realtime

if TYPE_CHECKING:
    from accounts.models import User


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


def _push_post_created(post_id: int) -> None:
    """``community.post.created``, after commit: to the other active members of
    the post's group, or, for a post in no group, to every socket subscribed to
    the public feed (``realtime.FEED_CHANNEL``; the author's own included, so
    each of their devices sees it). The post is read again here: only one still
    published is pushed, never one held by the crisis check, hidden by a
    moderator or deleted in the meantime."""
    post = (
        Post.objects.alive()
        .filter(pk=post_id, status=ContentStatus.PUBLISHED)
        .select_related("author", "group")
        .first()
    )
    if post is None:
        return
    payload = post_payload(post)
    if post.group is None:
        realtime.push_to_channel(
            realtime.FEED_CHANNEL, realtime.COMMUNITY_POST_CREATED, payload
        )
        return
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
) -> Published[Post]:
    """Publish a post, or hold it for review when the crisis check flags it.

    Side effects (after commit): ``community.post.created`` to the other active
    members of the post's group, or to the feed's subscribers for a post in no
    group (published posts only).
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
    clean, support = text_checked(author=author, text=body)
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
        transaction.on_commit(lambda: _push_post_created(post.pk))
    return Published(post, support)


@transaction.atomic
def post_update(
    *, post: Post, body: str | None = None, topics: list[str] | None = None
) -> Published[Post]:
    """Edit a post by its author; a new body passes the same checks as a new
    post (and a flagged edit is held again)."""
    support = None
    fields = ["edited_at", "updated_at"]
    if body is not None:
        post.body, support = text_checked(author=post.author, text=body)
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
