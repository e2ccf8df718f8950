"""Thin viewsets: validate input, call one service or selector, serialise.

Which rows a request can reach is decided by ``get_queryset`` (a selector per
action), so another user's post or a private group's content is simply not
found (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community import selectors, services
from community.models import Comment, Post, SupportGroup
from community.serializers import (
    CommentCreatedOutput,
    CommentCreateInput,
    CommentOutput,
    CommentReplyOutput,
    CommentUpdateInput,
    LikeOutput,
    PostCreatedOutput,
    PostCreateInput,
    PostOutput,
    PostUpdateInput,
    ReportCreateInput,
    ReportOutput,
    SupportGroupMembershipOutput,
    SupportGroupOutput,
)
from kaya.api import validated
from kaya.pagination import DefaultPagination, NewestFirstCursorPagination
from kaya.schema import ErrorSerializer
from kaya.throttles import CommunityPostThrottle

TAGS = ["community"]
REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="`validation_error`; `blocked_term` (a staff-blocked word or "
    "phrase); `empty_text` (nothing left once markup is removed).",
)
BANNED = OpenApiResponse(
    ErrorSerializer, description="`community_banned`: banned by a moderator."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found (`not_found`).")


class PostViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Community posts. Another user's post cannot be edited or deleted (404)."""

    permission_classes = [IsAuthenticated]

    serializer_class = PostOutput
    pagination_class = NewestFirstCursorPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Post.objects.none()
        if self.action in ("partial_update", "destroy"):
            return selectors.post_owned_list(user=self.request.user)
        return selectors.post_visible_list(user=self.request.user)

    def get_throttles(self) -> list[Any]:
        throttles = super().get_throttles()
        writes = self.action == "create" or (
            self.action == "comments" and self.request.method == "POST"
        )
        return [*throttles, CommunityPostThrottle()] if writes else throttles

    @extend_schema(
        tags=TAGS,
        operation_id="community_list",
        summary="The feed: public posts and your groups' posts, newest first",
        responses={200: PostOutput(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(selectors.post_feed_rows(user=request.user))
        return self.get_paginated_response(
            PostOutput(page or [], many=True, context={"request": request}).data
        )

    @extend_schema(
        tags=TAGS,
        operation_id="community_retrieve",
        responses={200: PostOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        operation_id="community_create",
        summary="Write a post",
        description="Plain text; markup is neutralised. A post the crisis check "
        "flags is accepted but held for review (`status` `held`, seen by its "
        "author only) and `support` carries crisis resources for the author's "
        "locale and country.",
        request=PostCreateInput,
        responses={
            201: PostCreatedOutput,
            400: REFUSED,
            403: OpenApiResponse(
                ErrorSerializer,
                description="`community_banned`; `not_group_member` (join the "
                "group first).",
            ),
            404: OpenApiResponse(
                ErrorSerializer,
                description="`group_id` names no group you can see.",
            ),
        },
    )
    def create(self, request: Request) -> Response:
        data = validated(PostCreateInput, request.data)
        result = services.post_create(author=request.user, **data)
        return self._published(result, status.HTTP_201_CREATED)

    def _published(self, result: services.Published, code: int) -> Response:
        post = selectors.post_as_seen(post=result.obj, user=self.request.user)
        post.support = result.support  # type: ignore[attr-defined]
        output = PostCreatedOutput(post, context=self.get_serializer_context())
        return Response(output.data, status=code)

    @extend_schema(
        tags=TAGS,
        operation_id="community_partial_update",
        summary="Edit your post",
        request=PostUpdateInput,
        responses={200: PostCreatedOutput, 400: REFUSED, 403: BANNED, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        post = self.get_object()
        data = validated(PostUpdateInput, request.data)
        result = services.post_update(post=post, **data)
        return self._published(result, status.HTTP_200_OK)

    @extend_schema(
        tags=TAGS,
        operation_id="community_destroy",
        summary="Delete your post",
        responses={204: None, 404: NOT_FOUND},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.post_delete(post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        operation_id="community_like",
        summary="Like a post (idempotent)",
        request=None,
        responses={200: LikeOutput, 403: BANNED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def like(self, request: Request, pk: str | None = None) -> Response:
        state = services.post_like(post=self.get_object(), user=request.user)
        return Response(LikeOutput(state).data)

    @extend_schema(
        tags=TAGS,
        operation_id="community_unlike",
        summary="Unlike a post (idempotent)",
        request=None,
        responses={200: LikeOutput, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["delete"])
    def unlike(self, request: Request, pk: str | None = None) -> Response:
        state = services.post_unlike(post=self.get_object(), user=request.user)
        return Response(LikeOutput(state).data)

    @extend_schema(
        tags=TAGS,
        operation_id="community_comments_list",
        summary="A post's comments, oldest first, each with its replies",
        responses={200: CommentOutput(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=DefaultPagination)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        post = self.get_object()
        page = self.paginate_queryset(
            selectors.comment_list(post=post, user=request.user)
        )
        output = CommentOutput(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(output.data)

    @extend_schema(
        tags=TAGS,
        operation_id="community_comments_create",
        summary="Comment on a post, or reply to a top-level comment",
        request=CommentCreateInput,
        responses={
            201: CommentCreatedOutput,
            400: OpenApiResponse(
                ErrorSerializer,
                description="`validation_error`, `blocked_term`, `empty_text`, "
                "`parent_not_found`, `reply_too_deep` (one level of replies), "
                "`comment_removed`.",
            ),
            403: BANNED,
            404: NOT_FOUND,
        },
    )
    @comments.mapping.post
    def comment_create(self, request: Request, pk: str | None = None) -> Response:
        post = self.get_object()
        data = validated(CommentCreateInput, request.data)
        result = services.comment_create(post=post, author=request.user, **data)
        comment = result.obj
        comment.support = result.support
        output = CommentCreatedOutput(comment, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        operation_id="community_report",
        summary="Report a post",
        request=ReportCreateInput,
        responses={
            201: ReportOutput,
            400: OpenApiResponse(ErrorSerializer, description="`validation_error`."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description="`already_reported` by you."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        post = self.get_object()
        data = validated(ReportCreateInput, request.data)
        report = services.report_create(reporter=request.user, post=post, **data)
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)


class CommentViewSet(GenericViewSet):
    """Comments by id: edit and delete your own (else 404), report any you see."""

    permission_classes = [IsAuthenticated]

    serializer_class = CommentReplyOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Comment.objects.none()
        if self.action == "report":
            return selectors.comment_visible_list(user=self.request.user)
        return selectors.comment_owned_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        operation_id="community_comments_partial_update",
        summary="Edit your comment",
        request=CommentUpdateInput,
        responses={
            200: CommentCreatedOutput,
            400: REFUSED,
            403: BANNED,
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        comment = self.get_object()
        data = validated(CommentUpdateInput, request.data)
        result = services.comment_update(comment=comment, **data)
        result.obj.support = result.support
        output = CommentCreatedOutput(result.obj, context=self.get_serializer_context())
        return Response(output.data)

    @extend_schema(
        tags=TAGS,
        operation_id="community_comments_destroy",
        summary="Delete your comment (shown as removed in its thread)",
        responses={204: None, 404: NOT_FOUND},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.comment_delete(comment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        operation_id="community_comments_report",
        summary="Report a comment",
        request=ReportCreateInput,
        responses={
            201: ReportOutput,
            400: OpenApiResponse(ErrorSerializer, description="`validation_error`."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description="`already_reported` by you."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        comment = self.get_object()
        data = validated(ReportCreateInput, request.data)
        report = services.report_create(reporter=request.user, comment=comment, **data)
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)


class SupportGroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """Support groups. A private group's posts are for its members (else 404)."""

    permission_classes = [IsAuthenticated]

    serializer_class = SupportGroupOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return SupportGroup.objects.none()
        if self.action == "posts":
            return selectors.group_readable_list(user=self.request.user)
        return selectors.group_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        operation_id="community_groups_list",
        responses={200: SupportGroupOutput(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        operation_id="community_groups_retrieve",
        responses={200: SupportGroupOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        operation_id="community_groups_join",
        summary="Join a group (a private group: pending until approved)",
        request=None,
        responses={
            200: SupportGroupMembershipOutput,
            403: OpenApiResponse(ErrorSerializer, description="`group_banned`."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str | None = None) -> Response:
        membership = services.group_join(group=self.get_object(), user=request.user)
        return Response(SupportGroupMembershipOutput(membership).data)

    @extend_schema(
        tags=TAGS,
        operation_id="community_groups_leave",
        summary="Leave a group (or withdraw a request to join)",
        request=None,
        responses={204: None, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        services.group_leave(group=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        operation_id="community_groups_posts",
        summary="A group's posts, newest first",
        responses={200: PostOutput(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=NewestFirstCursorPagination)
    def posts(self, request: Request, pk: str | None = None) -> Response:
        group = self.get_object()
        page = self.paginate_queryset(
            selectors.post_feed_rows(user=request.user, group=group)
        )
        return self.get_paginated_response(
            PostOutput(page or [], many=True, context={"request": request}).data
        )
