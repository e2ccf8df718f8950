"""Thin viewsets: validate input, call one service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
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
from wellness.cache import PROGRAM_CATALOG, program_list_cache_part
from wellness.models import ProgramEnrollment, WellnessProgram, WellnessSession
from wellness.serializers import (
    EnrollmentOutput,
    EnrollmentProgressInput,
    ProgramDetailOutput,
    ProgramListInput,
    ProgramOutput,
    SessionCompleteInput,
    SessionCompleteOutput,
    SessionCreateInput,
    SessionListInput,
    SessionOutput,
    SessionProgressInput,
    SessionStatsOutput,
)
from wellness.streaks import STREAK_RULE

BAD_QUERY_400 = OpenApiResponse(
    ErrorSerializer,
    description="`validation_error`: a query parameter is not valid; see `fields`.",
)
CONFLICT_409 = OpenApiResponse(
    ErrorSerializer,
    description="`session_not_in_progress`: the session is already completed "
    "or abandoned.",
)


@extend_schema(tags=["sessions"])
class SessionViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = SessionOutput

    def get_queryset(self) -> QuerySet[WellnessSession]:
        if getattr(self, "swagger_fake_view", False):
            return WellnessSession.objects.none()
        return selectors.session_list(user=self.request.user)

    @extend_schema(
        summary="List my sessions, newest first",
        description="With `updated_since`: the sessions changed since (started, "
        "progressed, completed, abandoned), oldest change first.",
        parameters=[SessionListInput],
        responses={200: SessionOutput(many=True), 400: BAD_QUERY_400},
    )
    def list(self, request: Request) -> Response:
        filters = validated(SessionListInput, request.query_params)
        page = self.paginate_queryset(
            selectors.session_rows(user=request.user, **filters)
        )
        return self.get_paginated_response(SessionOutput(page, many=True).data)

    @extend_schema(
        summary="Start a session (idempotent per client_id)",
        request=SessionCreateInput,
        responses={
            201: SessionOutput,
            200: OpenApiResponse(
                SessionOutput,
                description="A session with this client_id already exists; it is "
                "returned unchanged.",
            ),
        },
    )
    def create(self, request: Request) -> Response:
        values = validated(SessionCreateInput, request.data)
        session, created = services.session_create(user=request.user, **values)
        return Response(
            SessionOutput(session).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="One of my sessions", responses={200: SessionOutput})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(SessionOutput(self.get_object()).data)

    @extend_schema(
        summary="My session statistics",
        description="Totals, per-type durations and counts, this local week (Monday "
        "to today) vs last week, current and longest streak and the average mood "
        f"change (after - before). {STREAK_RULE}",
        responses={200: SessionStatsOutput},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def stats(self, request: Request) -> Response:
        return Response(selectors.session_stats(user=request.user))

    @extend_schema(
        summary="Complete a session",
        description="Records the actual duration (at most 4 hours), mood_after "
        "and notes; updates streaks and program progress, and publishes "
        "`session.completed`. A second completion gives 409. A session for a "
        "program day that is still locked is completed and counts for the "
        "streak, but the day stays open: `program_day_counted` is false. "
        "The session's "
        f"local date is the date of completion in the user's zone. {STREAK_RULE}",
        request=SessionCompleteInput,
        responses={200: SessionCompleteOutput, 409: CONFLICT_409},
    )
    @action(detail=True, methods=["patch"])
    def complete(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        values = validated(SessionCompleteInput, request.data)
        session, _ = services.session_complete(session=session, **values)
        context = selectors.session_completion_context(
            user=request.user, session=session
        )
        return Response(SessionCompleteOutput(session, context=context).data)

    @extend_schema(
        summary="Report live progress from a player",
        description="Pushes `session.progress` to the user's open sockets.",
        request=SessionProgressInput,
        responses={200: SessionOutput, 409: CONFLICT_409},
    )
    @action(detail=True, methods=["patch"])
    def progress(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        values = validated(SessionProgressInput, request.data)
        session = services.session_progress_update(session=session, **values)
        return Response(SessionOutput(session).data)

    @extend_schema(
        summary="Abandon a session in progress",
        request=None,
        responses={200: SessionOutput, 409: CONFLICT_409},
    )
    @action(detail=True, methods=["post"])
    def abandon(self, request: Request, pk: str) -> Response:
        session = services.session_abandon(session=self.get_object())
        return Response(SessionOutput(session).data)


# ---------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------
@extend_schema(tags=["programs"])
class ProgramViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = ProgramOutput

    def get_queryset(self) -> QuerySet[WellnessProgram]:
        if self.action == "retrieve":
            return selectors.program_detail_queryset()
        return selectors.program_list()

    @extend_schema(
        summary="List published programs",
        description="Cached; the cache is invalidated when staff change a program "
        "or its days. Titles and summaries are in the user's locale when the "
        "program has that translation, else in English.",
        parameters=[ProgramListInput],
        responses={200: ProgramOutput(many=True), 400: BAD_QUERY_400},
    )
    def list(self, request: Request) -> Response:
        filters = validated(ProgramListInput, request.query_params)
        languages = selectors.content_languages(user=request.user)
        part = program_list_cache_part(
            host=request.get_host(),
            path=request.path,
            query=request.query_params,
            languages=languages,
        )

        def page() -> Any:
            rows = self.paginate_queryset(selectors.program_list(**filters))
            output = ProgramOutput(rows, many=True, context={"languages": languages})
            return self.get_paginated_response(output.data).data

        return Response(PROGRAM_CATALOG.get_or_build(part, page))

    @extend_schema(
        summary="A published program with its days",
        description="For an enrolled user each day has a status (done, unlocked, "
        "locked) and `enrollment` carries the progress; otherwise both are null. "
        "The days' `content` of a premium program is null for a free-tier user "
        "(titles, types and durations stay visible as a preview). Text is in "
        "the user's locale when translated, else in English.",
        responses={200: ProgramDetailOutput},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        program = self.get_object()
        context = selectors.program_detail_context(user=request.user, program=program)
        return Response(ProgramDetailOutput(program, context=context).data)

    @extend_schema(
        summary="Enroll in a program (idempotent)",
        request=None,
        responses={
            201: EnrollmentOutput,
            200: OpenApiResponse(
                EnrollmentOutput, description="Already enrolled; unchanged."
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="`premium_required`: a premium program and a free account.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def enroll(self, request: Request, pk: str) -> Response:
        program = self.get_object()
        enrollment, created = services.program_enroll(
            user=request.user, program=program
        )
        enrollment.program = program
        context = {
            "today": local_today(request.user.timezone),
            "languages": selectors.content_languages(user=request.user),
        }
        return Response(
            EnrollmentOutput(enrollment, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(tags=["programs"])
class EnrollmentViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = EnrollmentOutput

    def get_queryset(self) -> QuerySet[ProgramEnrollment]:
        if getattr(self, "swagger_fake_view", False):
            return ProgramEnrollment.objects.none()
        return selectors.enrollment_list(user=self.request.user)

    @extend_schema(
        summary="My enrollments, newest first",
        responses={200: EnrollmentOutput(many=True)},
    )
    @action(detail=False, methods=["get"])
    def my(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {
            "today": local_today(request.user.timezone),
            "languages": selectors.content_languages(user=request.user),
        }
        return self.get_paginated_response(
            EnrollmentOutput(page, many=True, context=context).data
        )

    @extend_schema(
        summary="Mark a program day done",
        description="Only the next unlocked day (days unlock one per local day, "
        "the day after the previous one was done) or an earlier, already done "
        "day (no change) is accepted.",
        request=EnrollmentProgressInput,
        responses={
            200: EnrollmentOutput,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`program_day_locked`: the day is not unlocked yet.",
            ),
        },
    )
    @action(detail=True, methods=["patch"])
    def progress(self, request: Request, pk: str) -> Response:
        enrollment = self.get_object()
        values = validated(EnrollmentProgressInput, request.data)
        updated = services.enrollment_day_complete(enrollment=enrollment, **values)
        updated.program = enrollment.program
        context = {
            "today": local_today(request.user.timezone),
            "languages": selectors.content_languages(user=request.user),
        }
        return Response(EnrollmentOutput(updated, context=context).data)
