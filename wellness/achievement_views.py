"""/api/v1/achievements: what the user unlocked, and every active achievement
with their progress."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from kaya.schema import ErrorSerializer
from wellness import selectors
from wellness.achievement_serializers import (
    AchievementOutput,
    UnlockedAchievementOutput,
)
from wellness.models import UserAchievement

BAD_PAGE_400 = OpenApiResponse(
    ErrorSerializer,
    description="`validation_error`: `page_size` is not a whole number of at least 1.",
)


@extend_schema(tags=["achievements"])
class AchievementViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = UnlockedAchievementOutput

    def get_queryset(self) -> QuerySet[UserAchievement]:
        if getattr(self, "swagger_fake_view", False):
            return UserAchievement.objects.none()
        return selectors.achievement_unlocked_list(user=self.request.user)

    @extend_schema(
        summary="My unlocked achievements, newest first",
        responses={200: UnlockedAchievementOutput(many=True), 400: BAD_PAGE_400},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            UnlockedAchievementOutput(page, many=True).data
        )

    @extend_schema(
        summary="Every active achievement with my progress",
        description="Each achievement's rule (`rule_kind`, `threshold`), my "
        "`current_value` toward it and whether I unlocked it. Streak "
        "achievements are left out in gentle mode. A fixed number of queries "
        "per page.",
        responses={200: AchievementOutput(many=True), 400: BAD_PAGE_400},
    )
    @action(detail=False, methods=["get"])
    def available(self, request: Request) -> Response:
        page = self.paginate_queryset(
            selectors.achievement_available_list(user=request.user)
        )
        return self.get_paginated_response(AchievementOutput(page, many=True).data)
