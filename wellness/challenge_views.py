"""/api/v1/challenges: the active challenges with my state, joining and
leaving, my challenges, and each challenge's leaderboard."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from kaya.api import validated
from kaya.schema import ErrorSerializer
from kaya.timeutils import local_today
from wellness import selectors, services
from wellness.challenge_serializers import (
    ChallengeLeaderboardEntryOutput,
    ChallengeListInput,
    ChallengeOutput,
)
from wellness.models import Challenge

BAD_QUERY_400 = OpenApiResponse(
    ErrorSerializer,
    description="`validation_error`: a query parameter (`goal_kind`, "
    "`page_size`) is not valid; see `fields`.",
)
BAD_PAGE_400 = OpenApiResponse(
    ErrorSerializer,
    description="`validation_error`: `page_size` is not a whole number of at least 1.",
)
WINDOW = (
    "A challenge counts my activity on the local dates from `date_from` to "
    "`date_to` (both included, in my time zone), whenever I joined."
)


@extend_schema(tags=["challenges"])
class ChallengeViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = ChallengeOutput

    def get_queryset(self) -> QuerySet[Challenge]:
        return selectors.challenge_detail_queryset()

    def _context(self, request: Request) -> dict[str, object]:
        return {"today": local_today(request.user.timezone)}

    @extend_schema(
        summary="Active challenges (ongoing and upcoming) with my progress",
        description=f"Soonest first, each with its participant count and whether "
        f"I joined. {WINDOW}",
        parameters=[ChallengeListInput],
        responses={200: ChallengeOutput(many=True), 400: BAD_QUERY_400},
    )
    def list(self, request: Request) -> Response:
        filters = validated(ChallengeListInput, request.query_params)
        page = self.paginate_queryset(
            selectors.challenge_list(user=request.user, **filters)
        )
        return self.get_paginated_response(
            ChallengeOutput(page, many=True, context=self._context(request)).data
        )

    @extend_schema(
        summary="The challenges I joined, with my progress",
        description=f"Last joined first; ended ones stay listed. {WINDOW}",
        responses={200: ChallengeOutput(many=True), 400: BAD_PAGE_400},
    )
    @action(detail=False, methods=["get"], url_path="my-challenges")
    def my_challenges(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.challenge_my_list(user=request.user))
        return self.get_paginated_response(
            ChallengeOutput(page, many=True, context=self._context(request)).data
        )

    @extend_schema(
        summary="Join a challenge (idempotent)",
        description="Allowed from before it starts until its last local day. "
        f"Activity already in the window counts at once. {WINDOW}",
        request=None,
        responses={
            201: ChallengeOutput,
            200: OpenApiResponse(ChallengeOutput, description="Already joined."),
            403: OpenApiResponse(
                ErrorSerializer,
                description="`premium_required`: a premium challenge and a free "
                "account.",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="`challenge_ended`: its last day is past in my time zone.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str) -> Response:
        challenge = self.get_object()
        _, created = services.challenge_join(user=request.user, challenge=challenge)
        joined = selectors.challenge_with_user_state(
            user=request.user, challenge=challenge
        )
        return Response(
            ChallengeOutput(joined, context=self._context(request)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Leave a challenge",
        description="My progress in it is deleted; joining again counts the "
        "window afresh. A completed challenge stays mine.",
        request=None,
        responses={
            204: OpenApiResponse(description="Left."),
            404: OpenApiResponse(
                ErrorSerializer,
                description="`not_found`: no such active challenge, or I have not "
                "joined it.",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="`challenge_completed`: I completed it; it is kept.",
            ),
        },
    )
    @join.mapping.delete
    def leave(self, request: Request, pk: str) -> Response:
        challenge = self.get_object()
        participant = get_object_or_404(
            selectors.challenge_participation_list(user=request.user),
            challenge=challenge,
        )
        services.challenge_leave(participant=participant)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A challenge's leaderboard",
        description="Participants by progress, then who completed first, then "
        "who joined first. Display names only; people who opted out of "
        "leaderboards (`leaderboard_opt_out` on `/users/me`) are not listed and "
        "their places go to the next.",
        responses={
            200: ChallengeLeaderboardEntryOutput(many=True),
            400: BAD_PAGE_400,
        },
    )
    @action(detail=True, methods=["get"])
    def leaderboard(self, request: Request, pk: str) -> Response:
        challenge = self.get_object()
        page = self.paginate_queryset(
            selectors.challenge_leaderboard(challenge=challenge)
        )
        context = {"challenge": challenge, "user": request.user}
        return self.get_paginated_response(
            ChallengeLeaderboardEntryOutput(page, many=True, context=context).data
        )
