"""Community inputs (one per operation, validation only) and outputs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.models import (
    COMMENT_MAX_LENGTH,
    POST_MAX_LENGTH,
    Comment,
    Post,
    Report,
    SupportGroup,
    SupportGroupMember,
)
from community.services import author_public
from journal.serializers import SupportOutput
from kaya import output


def _topic() -> serializers.RegexField:
    return serializers.RegexField(
        r"^[a-z0-9][a-z0-9_-]{0,39}$",
        error_messages={
            "invalid": "Topics are lowercase letters, digits, '-' and '_' (max 40)."
        },
    )


# --- inputs -----------------------------------------------------------------


class PostCreateInput(serializers.Serializer):
    body = serializers.CharField(max_length=POST_MAX_LENGTH, trim_whitespace=True)
    group_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    anonymous = serializers.BooleanField(required=False, default=False)
    topics = serializers.ListField(
        child=_topic(), required=False, default=list, max_length=5
    )


class PostUpdateInput(serializers.Serializer):
    body = serializers.CharField(
        max_length=POST_MAX_LENGTH, trim_whitespace=True, required=False
    )
    topics = serializers.ListField(child=_topic(), required=False, max_length=5)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send `body` or `topics`.")
        return attrs


class CommentCreateInput(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=True)
    parent_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    anonymous = serializers.BooleanField(required=False, default=False)


class CommentUpdateInput(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=True)


class ReportCreateInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    details = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


# --- outputs ----------------------------------------------------------------


class AuthorOutput(serializers.Serializer):
    display_name = serializers.CharField(
        read_only=True, help_text='"Anonymous" for an anonymous post.'
    )
    avatar_url = serializers.CharField(read_only=True)


class PostGroupOutput(serializers.ModelSerializer):
    class Meta:
        model = SupportGroup
        fields = ("id", "name", "slug")
        read_only_fields = fields


class _Authored(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    is_author = serializers.SerializerMethodField()
    anonymous = serializers.BooleanField(source="is_anonymous", read_only=True)

    @extend_schema_field(AuthorOutput)
    def get_author(self, obj: Post | Comment) -> dict[str, str]:
        return author_public(author=obj.author, anonymous=obj.is_anonymous)

    def get_is_author(self, obj: Post | Comment) -> bool:
        return bool(obj.author_id == self.context["request"].user.pk)


class PostOutput(_Authored):
    group = PostGroupOutput(read_only=True, allow_null=True)
    topics = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Topic tags."
    )
    liked = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Post
        fields = (
            "id",
            "author",
            "is_author",
            "anonymous",
            "body",
            "group",
            "topics",
            "status",
            "like_count",
            "comment_count",
            "liked",
            "created_at",
            "edited_at",
        )
        read_only_fields = fields
        list_serializer_class = output.OutputList

    def to_representation(self, instance: Post) -> dict[str, Any]:
        return self.row(instance, output.instant_zone())

    def row(self, instance: Post, zone: Any) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``): the feed's
        hot path, where DRF's per-request field tree was most of the CPU. The
        same keys, order and values as the generic path
        (community/tests/test_output_equivalence.py compares the bytes over
        every kind of post); a field added to ``Meta.fields`` must be added
        here too, and to ``selectors.post_feed_rows``. It reads a ``Post`` or a
        feed row (``selectors.post_feed_rows``) alike."""
        group = instance.group
        created_at, edited_at = output.instants_in(
            zone, instance.created_at, instance.edited_at
        )
        return {
            "id": instance.pk,
            "author": author_public(
                author=instance.author, anonymous=instance.is_anonymous
            ),
            "is_author": instance.author_id == self.context["request"].user.pk,
            "anonymous": output.boolean(instance.is_anonymous),
            "body": output.text(instance.body),
            "group": None
            if group is None
            else {"id": group.pk, "name": output.text(group.name), "slug": group.slug},
            "topics": [output.text(topic) for topic in instance.topics],
            "status": output.choice(instance.status),
            "like_count": output.integer(instance.like_count),
            "comment_count": output.integer(instance.comment_count),
            "liked": bool(getattr(instance, "liked", False)),
            "created_at": created_at,
            "edited_at": edited_at,
        }


class PostCreatedOutput(PostOutput):
    support = SupportOutput(
        read_only=True,
        allow_null=True,
        help_text="Crisis resources for the author's locale and country when the "
        "post was held by the crisis check; else null.",
    )

    class Meta(PostOutput.Meta):
        fields = (*PostOutput.Meta.fields, "support")
        read_only_fields = fields

    def row(self, instance: Post, zone: Any) -> dict[str, Any]:
        # A write's answer, not a hot path: DRF's generic path, with support.
        return serializers.ModelSerializer.to_representation(self, instance)


class _CommentFields(_Authored):
    removed = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    def get_removed(self, obj: Comment) -> bool:
        return obj.deleted_at is not None

    def get_body(self, obj: Comment) -> str:
        return "" if obj.deleted_at is not None else obj.body

    @extend_schema_field(AuthorOutput)
    def get_author(self, obj: Post | Comment) -> dict[str, str]:
        removed = getattr(obj, "deleted_at", None) is not None
        return author_public(author=obj.author, anonymous=obj.is_anonymous or removed)


COMMENT_FIELDS = (
    "id",
    "post_id",
    "parent_id",
    "author",
    "is_author",
    "anonymous",
    "body",
    "removed",
    "status",
    "created_at",
    "edited_at",
)


class CommentReplyOutput(_CommentFields):
    post_id = serializers.IntegerField(read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = COMMENT_FIELDS
        read_only_fields = fields


class CommentOutput(CommentReplyOutput):
    replies = CommentReplyOutput(many=True, read_only=True)

    class Meta(CommentReplyOutput.Meta):
        fields = (*COMMENT_FIELDS, "replies")
        read_only_fields = fields


class CommentCreatedOutput(CommentReplyOutput):
    support = SupportOutput(read_only=True, allow_null=True)

    class Meta(CommentReplyOutput.Meta):
        fields = (*COMMENT_FIELDS, "support")
        read_only_fields = fields


class ReportOutput(serializers.ModelSerializer):
    post_id = serializers.IntegerField(read_only=True, allow_null=True)
    comment_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = ("id", "post_id", "comment_id", "reason", "status", "created_at")
        read_only_fields = fields


class SupportGroupOutput(serializers.ModelSerializer):
    membership_status = serializers.ChoiceField(
        choices=SupportGroupMember.Status.choices,
        read_only=True,
        allow_null=True,
        help_text="The current user's membership; null when not a member.",
    )
    membership_role = serializers.ChoiceField(
        choices=SupportGroupMember.Role.choices, read_only=True, allow_null=True
    )

    class Meta:
        model = SupportGroup
        fields = (
            "id",
            "name",
            "slug",
            "description",
            "topic",
            "is_private",
            "membership_status",
            "membership_role",
            "created_at",
        )
        read_only_fields = fields


class SupportGroupMembershipOutput(serializers.ModelSerializer):
    group_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = SupportGroupMember
        fields = ("group_id", "role", "status", "created_at")
        read_only_fields = fields


class LikeOutput(serializers.Serializer):
    post_id = serializers.IntegerField(read_only=True)
    liked = serializers.BooleanField(read_only=True)
    like_count = serializers.IntegerField(read_only=True)
