"""Community writes and workflows, one module per entity:

- ``content``: what posts and comments share: the author as shown to others
  (never the real one when anonymous) and the text checks;
- ``posts``: create, edit, soft delete, the live ``community.post.created``;
- ``likes``: like and unlike, batched like notifications;
- ``comments``: comments and replies, the live ``community.comment.created``;
- ``reports``: reports and the automatic hide;
- ``groups``: joining and leaving support groups;
- ``moderation``: the staff actions of the admin, audited.

Every post and comment is sanitised (nh3), checked against the blocked terms
(refused) and passed through the one crisis check (``journal.crisis``): a
flagged one is accepted but held from everyone else until a moderator reviews
it, and its author gets crisis resources back at once.

Side effects happen after commit: websocket pushes through
``notifications.realtime`` and notifications through ``notifications.services``.
Anonymous content never names its author in either. Callers use
``from community import services``: the public names are re-exported here.
"""

from __future__ import annotations

from community.services.comments import (
    comment_create,
    comment_delete,
    comment_payload,
    comment_update,
)
from community.services.content import (
    ANONYMOUS,
    Published,
    author_public,
)
from community.services.groups import (
    group_join,
    group_leave,
)
from community.services.likes import (
    LIKE_BATCH_SECONDS,
    LikeState,
    post_like,
    post_unlike,
)
from community.services.moderation import (
    content_hide,
    content_restore,
    membership_approve,
    reports_dismiss,
    user_ban_community,
    user_ban_group,
    user_warn,
)
from community.services.posts import (
    post_create,
    post_delete,
    post_payload,
    post_update,
)
from community.services.reports import (
    REPORT_HIDE_THRESHOLD,
    report_create,
)

__all__ = [
    "ANONYMOUS",
    "LIKE_BATCH_SECONDS",
    "REPORT_HIDE_THRESHOLD",
    "LikeState",
    "Published",
    "author_public",
    "comment_create",
    "comment_delete",
    "comment_payload",
    "comment_update",
    "content_hide",
    "content_restore",
    "group_join",
    "group_leave",
    "membership_approve",
    "post_create",
    "post_delete",
    "post_like",
    "post_payload",
    "post_unlike",
    "post_update",
    "report_create",
    "reports_dismiss",
    "user_ban_community",
    "user_ban_group",
    "user_warn",
]
