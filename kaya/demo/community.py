"""Five support groups and a few weeks of kind, ordinary community talk.

Posts and comments go through the community services (the same checks and
notifications as the API); only their dates are moved back afterwards, so the
feed reads like weeks of history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from accounts.models import User
from community import services
from community.models import Comment, Post, PostLike, SupportGroup
from kaya.demo.base import SeedRun

GROUPS: list[dict[str, Any]] = [
    {
        "slug": "anxiety-support",
        "name": "Living with Anxiety",
        "topic": "anxiety",
        "description": "A calm space to share what helps on anxious days and to "
        "be heard without judgement. Please be kind, and don't give medical "
        "advice.",
    },
    {
        "slug": "better-sleep",
        "name": "Better Sleep Circle",
        "topic": "sleep",
        "description": "Wind-down routines, night-time wins and company for "
        "the restless hours.",
    },
    {
        "slug": "grief-and-loss",
        "name": "Grief and Loss",
        "topic": "grief",
        "description": "For anyone missing someone. Share memories, hard days "
        "and small comforts at your own pace.",
        "is_private": True,
    },
    {
        "slug": "new-parents",
        "name": "New Parents",
        "topic": "parenting",
        "description": "Tired, joyful, overwhelmed: all of it is welcome here.",
    },
    {
        "slug": "mindful-es",
        "name": "Atención plena en español",
        "topic": "mindfulness",
        "description": "Un grupo para compartir la práctica diaria en español, "
        "con calma y sin juicios.",
    },
]

# (author key, group slug or None, days ago, body, topics, comments, likers)
# comments: (author key, body)
POSTS: list[
    tuple[str, str | None, int, str, list[str], list[tuple[str, str]], list[str]]
] = [
    (
        "demo",
        None,
        20,
        "Day three of the Calm in Seven Days program. I didn't expect five "
        "minutes of breathing to make my morning feel less rushed, but it did.",
        ["mindfulness"],
        [("sam", "Same here! The longer out-breath is my favourite so far.")],
        ["sam", "lucia"],
    ),
    (
        "sam",
        "better-sleep",
        16,
        "Putting my phone in the kitchen before bed for a week. Night two: I "
        "read ten pages of a book instead of scrolling. Small win.",
        ["sleep"],
        [
            ("demo", "That's a great idea. I might try it this weekend."),
            ("lucia", "¡Qué buena idea! A mí también me ayuda leer un poco."),
        ],
        ["demo"],
    ),
    (
        "demo",
        "anxiety-support",
        12,
        "Had a big presentation today and used the 5-4-3-2-1 grounding "
        "exercise in the bathroom beforehand. Still nervous, but I got through "
        "it. Thanks to whoever suggested it here.",
        ["anxiety"],
        [("sam", "Proud of you for getting through it.")],
        ["sam", "lucia"],
    ),
    (
        "lucia",
        "mindful-es",
        9,
        "Hoy he caminado despacio hasta el trabajo, fijándome en los pies y en "
        "los sonidos de la calle. Ha sido un buen comienzo del día.",
        ["mindfulness"],
        [("demo", "Lovely. I tried mindful walking too, it really helps.")],
        ["demo"],
    ),
    (
        "sam",
        None,
        6,
        "A gentle reminder for anyone who needs it: a day where you only "
        "managed the basics still counts.",
        ["self-compassion"],
        [
            ("lucia", "Gracias, lo necesitaba hoy."),
            ("demo", "Needed this, thank you."),
        ],
        ["demo", "lucia"],
    ),
    (
        "demo",
        "better-sleep",
        2,
        "Slept a full seven hours for the first time in weeks. The heavy and "
        "warm body scan is magic for me.",
        ["sleep"],
        [],
        ["sam"],
    ),
]


def seed(run: SeedRun, *, users: dict[str, User], now: datetime) -> None:
    """The groups (created by the staff account) and, once, the demo users'
    memberships, posts, comments and likes."""
    staff = users["staff"]
    groups = {}
    for spec in GROUPS:
        groups[spec["slug"]] = run.ensure(
            "support groups",
            SupportGroup,
            {"slug": spec["slug"]},
            {**spec, "created_by": staff},
        )
    members = [users["demo"], users["sam"], users["lucia"]]
    if Post.objects.filter(author__in=members).exists():
        return
    for joined in ("anxiety-support", "better-sleep", "mindful-es"):
        for member in members:
            services.group_join(group=groups[joined], user=member)
            run.count("group memberships")
    for author, slug, days_ago, body, topics, comments, likers in POSTS:
        when = now - timedelta(days=days_ago, hours=3)
        post = services.post_create(
            author=users[author],
            body=body,
            group_id=groups[slug].pk if slug else None,
            topics=topics,
        ).obj
        Post.objects.filter(pk=post.pk).update(created_at=when, updated_at=when)
        run.count("posts")
        for n, (commenter, text) in enumerate(comments, 1):
            comment = services.comment_create(
                post=post, author=users[commenter], body=text
            ).obj
            Comment.objects.filter(pk=comment.pk).update(
                created_at=when + timedelta(hours=n), updated_at=when
            )
            run.count("comments")
        for liker in likers:
            services.post_like(post=post, user=users[liker])
            PostLike.objects.filter(post=post, user=users[liker]).update(
                created_at=when + timedelta(hours=2)
            )
            run.count("likes")
