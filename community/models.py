"""Community: posts, likes, comments, support groups, reports and moderation.

Posts and comments are public to the community, so they are not encrypted; an
anonymous post still stores its author (for moderation and the author's own
view) but no API, websocket payload or notification ever names them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from kaya.models import OwnedQuerySet

if TYPE_CHECKING:
    from accounts.models import User

POST_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 2000


class ContentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    # Accepted, but flagged by the crisis check: only its author sees it until a
    # moderator restores (or hides) it.
    HELD = "held", "Held for review"
    # Hidden by a moderator or by reports from several users: only its author
    # sees it.
    HIDDEN = "hidden", "Hidden"


class SupportGroup(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    topic = models.CharField(max_length=60, blank=True)
    is_private = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class SupportGroupMemberQuerySet(OwnedQuerySet["SupportGroupMember"]):
    def active(self) -> SupportGroupMemberQuerySet:
        return self.filter(status=SupportGroupMember.Status.ACTIVE)


class SupportGroupMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Pending approval"
        BANNED = "banned", "Banned"

    group = models.ForeignKey(
        SupportGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_memberships",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupportGroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ("group", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], name="community_member_unique"
            )
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="community_member_user_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id} ({self.status})"


class AuthoredQuerySet(OwnedQuerySet[Any]):
    """Posts and comments belong to their ``author``."""

    def for_user(self, user: User) -> AuthoredQuerySet:
        return self.filter(author=user)

    def alive(self) -> AuthoredQuerySet:
        return self.filter(deleted_at__isnull=True)

    def seen_by(self, user: User) -> AuthoredQuerySet:
        """Published, or the viewer's own (held and hidden content stays
        visible to its author)."""
        return self.filter(Q(status=ContentStatus.PUBLISHED) | Q(author=user))


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_posts",
    )
    group = models.ForeignKey(
        SupportGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="posts",
    )
    body = models.TextField(max_length=POST_MAX_LENGTH)
    is_anonymous = models.BooleanField(default=False)
    topics = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    crisis_flagged = models.BooleanField(default=False)
    # Counters kept with F() in the same transaction as the row they count.
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthoredQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["status", "-created_at", "-id"], name="community_post_feed_idx"
            ),
            # The feed's order over the posts it can show: PostgreSQL walks it
            # newest first and stops at the page, instead of sorting every post
            # (the feed's filters are ORs no other index serves).
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="community_post_alive_idx",
            ),
            models.Index(
                fields=["group", "-created_at", "-id"], name="community_post_group_idx"
            ),
            models.Index(
                fields=["author", "-created_at"], name="community_post_author_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk}"


class PostLike(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_likes",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"], name="community_like_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_comments",
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    is_anonymous = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    crisis_flagged = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthoredQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["post", "created_at"], name="community_comment_idx")
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.post_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        HARASSMENT = "harassment", "Harassment"
        SELF_HARM = "self_harm", "Self-harm"
        MISINFORMATION = "misinformation", "Misinformation"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Actioned"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_reports",
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, comment__isnull=True)
                    | Q(post__isnull=True, comment__isnull=False)
                ),
                name="community_report_one_target",
            ),
            # One report per user and target: "3 distinct users" is a count.
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=Q(post__isnull=False),
                name="community_report_post_unique",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="community_report_comment_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "post"], name="community_report_post_idx")
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.reason})"


class BlockedTerm(models.Model):
    """A staff-maintained word or phrase; posts and comments containing it are
    refused (matched case-insensitively on word boundaries)."""

    term = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("term",)

    def __str__(self) -> str:
        return self.term


class CommunityBan(models.Model):
    """A user banned from posting, commenting and liking in the community."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_ban",
    )
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Ban of {self.user_id}"
