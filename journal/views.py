"""Thin viewsets: validate input, call one service or selector, serialise output.

Another user's entry is simply not in ``get_queryset()`` (a selector's
user-scoped queryset), so ``get_object()`` answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from journal import selectors, services
from journal.models import JournalEntry
from journal.serializers import (
    DailyPromptOutput,
    GratitudeEntryCreateInput,
    GratitudeEntryListInput,
    GratitudeEntryOutput,
    JournalEntryCreateInput,
    JournalEntryListInput,
    JournalEntryOutput,
    JournalEntryUpdateInput,
    MoodCalendarInput,
    MoodCalendarOutput,
    MoodEntryCreatedOutput,
    MoodEntryCreateInput,
    MoodEntryListInput,
    MoodHistoryOutput,
)
from kaya.api import validated
from kaya.schema import ErrorSerializer

TAGS = ["journal"]
BAD_QUERY = OpenApiResponse(
    ErrorSerializer, description="Invalid query parameters (`validation_error`)."
)


def _again(serializer: Any) -> OpenApiResponse:
    return OpenApiResponse(
        serializer,
        description="An entry with this client_id already exists; it is returned "
        "unchanged.",
    )


def _status(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


class JournalEntryViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = JournalEntryOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[JournalEntry]:
        if getattr(self, "swagger_fake_view", False):
            return JournalEntry.objects.none()
        return selectors.journal_entry_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        summary="List journal entries",
        description="Newest first; filter by local date range and one tag. With "
        "`updated_since`: the entries changed since, oldest change first, deleted "
        "ones as content-free tombstones (`deleted_at` set).",
        parameters=[JournalEntryListInput],
        responses={200: JournalEntryOutput(many=True), 400: BAD_QUERY},
    )
    def list(self, request: Request) -> Response:
        filters = validated(
            JournalEntryListInput, request.query_params, request=request
        )
        entries = selectors.journal_entry_rows(user=request.user, **filters)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(JournalEntryOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Write a journal entry (idempotent per client_id)",
        request=JournalEntryCreateInput,
        responses={201: JournalEntryOutput, 200: _again(JournalEntryOutput)},
    )
    def create(self, request: Request) -> Response:
        data = validated(JournalEntryCreateInput, request.data, request=request)
        # A retried create of an entry deleted since returns its tombstone.
        entry, created = services.journal_entry_create(user=request.user, **data)
        return Response(JournalEntryOutput(entry).data, status=_status(created))

    @extend_schema(
        tags=TAGS,
        summary="Read a journal entry",
        responses={200: JournalEntryOutput},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(JournalEntryOutput(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a journal entry",
        description="Given fields change; `tags`, when given, replace the old tags.",
        request=JournalEntryUpdateInput,
        responses={200: JournalEntryOutput},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        data = validated(JournalEntryUpdateInput, request.data, request=request)
        services.journal_entry_update(entry=entry, **data)
        # Read again: the new tags and prompt, as a list would show them.
        return Response(JournalEntryOutput(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a journal entry",
        request=None,
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.journal_entry_delete(entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _gratitude_list_schema(summary: str, **kwargs: Any) -> Any:
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description="Newest first; filter by local date range. With "
        "`updated_since`: the entries changed since, oldest change first.",
        parameters=[GratitudeEntryListInput],
        responses={200: GratitudeEntryOutput(many=True), 400: BAD_QUERY},
        **kwargs,
    )


class GratitudeEntryViewSet(GenericViewSet):
    """``GET`` and ``POST`` on one collection, like every journal resource."""

    permission_classes = [IsAuthenticated]

    serializer_class = GratitudeEntryOutput
    filter_backends: list[Any] = []

    @_gratitude_list_schema("List gratitude entries")
    def list(self, request: Request) -> Response:
        filters = validated(
            GratitudeEntryListInput, request.query_params, request=request
        )
        entries = selectors.gratitude_entry_list(user=request.user, **filters)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(GratitudeEntryOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Write a gratitude entry (idempotent per client_id)",
        request=GratitudeEntryCreateInput,
        responses={201: GratitudeEntryOutput, 200: _again(GratitudeEntryOutput)},
    )
    def create(self, request: Request) -> Response:
        data = validated(GratitudeEntryCreateInput, request.data, request=request)
        entry, created = services.gratitude_entry_create(user=request.user, **data)
        return Response(GratitudeEntryOutput(entry).data, status=_status(created))

    @_gratitude_list_schema(
        "List gratitude entries (alias of GET /journal/gratitude)",
        operation_id="journal_gratitude_list_list",
    )
    @action(detail=False, methods=["get"], url_path="list", url_name="list-alias")
    def list_alias(self, request: Request) -> Response:
        """The seed's path, kept as an alias of ``GET /journal/gratitude``."""
        return self.list(request)


def _mood_history_schema(summary: str, **kwargs: Any) -> Any:
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description=(
            "Entries (newest first) and one aggregate per local day with entries. "
            "Defaults to the last 30 local days; a range spans at most 92 days."
        ),
        parameters=[MoodEntryListInput],
        responses={200: MoodHistoryOutput, 400: BAD_QUERY},
        **kwargs,
    )


class MoodEntryViewSet(GenericViewSet):
    """``GET`` (the history, one object) and ``POST`` (log a mood) on one
    collection, plus the calendar."""

    permission_classes = [IsAuthenticated]

    serializer_class = MoodEntryCreatedOutput
    # The collection's GET answers one history object, not a page of entries.
    pagination_class = None
    filter_backends: list[Any] = []

    @_mood_history_schema(
        "Mood history with per-day aggregates", operation_id="journal_mood_retrieve"
    )
    def list(self, request: Request) -> Response:
        filters = validated(MoodEntryListInput, request.query_params, request=request)
        history = selectors.mood_history(user=request.user, **filters)
        return Response(MoodHistoryOutput(history).data)

    @extend_schema(
        tags=TAGS,
        summary="Log a mood (idempotent per client_id)",
        description=(
            "A `very_low` mood with high intensity returns a `support` block with "
            "crisis resources for the user's locale. No text is scanned."
        ),
        request=MoodEntryCreateInput,
        responses={
            201: MoodEntryCreatedOutput,
            200: _again(MoodEntryCreatedOutput),
        },
        # Swagger's "Try it out" sends this: an ordinary day, never a crisis-level
        # mood (its generated default would be the first choice, very_low).
        examples=[
            OpenApiExample(
                "An ordinary good day",
                value={
                    "mood": "good",
                    "intensity": 6,
                    "emotions": ["calm", "grateful"],
                    "factors": ["sleep", "exercise"],
                    "note": "Slept well and went for a walk.",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        data = validated(MoodEntryCreateInput, request.data, request=request)
        logged = services.mood_entry_create(user=request.user, **data)
        return Response(
            MoodEntryCreatedOutput(logged).data, status=_status(logged.created)
        )

    @_mood_history_schema("Mood history (alias of GET /journal/mood)")
    @action(detail=False, methods=["get"])
    def history(self, request: Request) -> Response:
        """The seed's path, kept as an alias of ``GET /journal/mood``."""
        return self.list(request)

    @extend_schema(
        tags=TAGS,
        summary="Mood calendar of a month",
        description="One cell per local day with the day's average mood score.",
        parameters=[MoodCalendarInput],
        responses={200: MoodCalendarOutput, 400: BAD_QUERY},
    )
    @action(detail=False, methods=["get"])
    def calendar(self, request: Request) -> Response:
        query = validated(MoodCalendarInput, request.query_params, request=request)
        month = selectors.mood_calendar(user=request.user, **query)
        return Response(MoodCalendarOutput(month).data)


class PromptViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = DailyPromptOutput
    # One prompt a day: the collection's GET answers one object, not a page.
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        tags=TAGS,
        summary="Today's journaling prompt",
        description=(
            "A staff-curated prompt chosen for the user's local date and locale; "
            "`prompt` is null when none is curated."
        ),
        responses={200: DailyPromptOutput},
        operation_id="journal_prompts_retrieve",
    )
    def list(self, request: Request) -> Response:
        prompt = selectors.daily_prompt(user=request.user)
        return Response(DailyPromptOutput(prompt).data)
