"""Thin views: validate input, call one service or selector, serialise output."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from journal import selectors, services
from journal.models import JournalEntry
from journal.serializers import (
    DailyPromptSerializer,
    GratitudeEntryCreateSerializer,
    GratitudeEntrySerializer,
    JournalEntryCreateSerializer,
    JournalEntryFilterSerializer,
    JournalEntrySerializer,
    JournalEntryUpdateSerializer,
    MoodCalendarQuerySerializer,
    MoodCalendarSerializer,
    MoodEntryCreatedSerializer,
    MoodEntryCreateSerializer,
    MoodHistoryFilterSerializer,
    MoodHistorySerializer,
    SyncListFilterSerializer,
)
from kaya.exceptions import NotFoundError
from kaya.schema import ErrorSerializer
from kaya.timeutils import local_today

TAGS = ["journal"]
BAD_QUERY = OpenApiResponse(
    ErrorSerializer, description="Invalid query parameters (`validation_error`)."
)


def _validated(serializer_class: Any, data: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _again(serializer: Any) -> OpenApiResponse:
    return OpenApiResponse(
        serializer,
        description="An entry with this client_id already exists; it is returned "
        "unchanged.",
    )


def _status(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


def _dates(data: dict[str, Any]) -> selectors.DateRange:
    return selectors.DateRange(data.get("date_from"), data.get("date_to"))


class JournalEntryListCreateView(GenericAPIView):
    serializer_class = JournalEntrySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return JournalEntry.objects.none()
        filters = _validated(
            JournalEntryFilterSerializer, self.request.query_params, self.request
        )
        return selectors.journal_entry_list(
            user=self.request.user,
            dates=_dates(filters),
            tag=filters.get("tag"),
            updated_since=filters.get("updated_since"),
        )

    @extend_schema(
        tags=TAGS,
        summary="List journal entries",
        description="Newest first; filter by local date range and one tag. With "
        "`updated_since`: the entries changed since, oldest change first, deleted "
        "ones as content-free tombstones (`deleted_at` set).",
        parameters=[JournalEntryFilterSerializer],
        responses={200: JournalEntrySerializer(many=True), 400: BAD_QUERY},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(JournalEntrySerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Write a journal entry (idempotent per client_id)",
        request=JournalEntryCreateSerializer,
        responses={201: JournalEntrySerializer, 200: _again(JournalEntrySerializer)},
    )
    def post(self, request: Request) -> Response:
        data = _validated(JournalEntryCreateSerializer, request.data, request)
        entry, created = services.journal_entry_create(user=request.user, **data)
        # A retried create of an entry deleted since returns its tombstone.
        entry = selectors.journal_entry_get(
            user=request.user, pk=entry.pk, include_deleted=True
        )
        return Response(JournalEntrySerializer(entry).data, status=_status(created))


class JournalEntryDetailView(GenericAPIView):
    serializer_class = JournalEntrySerializer

    def _entry(self, request: Request, pk: int) -> JournalEntry:
        entry = selectors.journal_entry_get(user=request.user, pk=pk)
        if entry is None:
            raise NotFoundError()
        return entry

    @extend_schema(
        tags=TAGS,
        summary="Read a journal entry",
        responses={200: JournalEntrySerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(JournalEntrySerializer(self._entry(request, pk)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a journal entry",
        description="Given fields change; `tags`, when given, replace the old tags.",
        request=JournalEntryUpdateSerializer,
        responses={200: JournalEntrySerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        entry = self._entry(request, pk)
        data = _validated(JournalEntryUpdateSerializer, request.data, request)
        services.journal_entry_update(entry=entry, **data)
        entry = self._entry(request, pk)
        return Response(JournalEntrySerializer(entry).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a journal entry",
        request=None,
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.journal_entry_delete(entry=self._entry(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _gratitude_schema(summary: str) -> Any:
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description="Newest first; filter by local date range. With "
        "`updated_since`: the entries changed since, oldest change first.",
        parameters=[SyncListFilterSerializer],
        responses={200: GratitudeEntrySerializer(many=True), 400: BAD_QUERY},
    )


class GratitudeListCreateView(GenericAPIView):
    """``GET`` and ``POST`` on one collection, like every journal resource."""

    serializer_class = GratitudeEntrySerializer
    filter_backends: list[Any] = []

    def _list(self, request: Request) -> Response:
        filters = _validated(SyncListFilterSerializer, request.query_params, request)
        qs = selectors.gratitude_entry_list(
            user=request.user,
            dates=_dates(filters),
            updated_since=filters.get("updated_since"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            GratitudeEntrySerializer(page, many=True).data
        )

    @_gratitude_schema("List gratitude entries")
    def get(self, request: Request) -> Response:
        return self._list(request)

    @extend_schema(
        tags=TAGS,
        summary="Write a gratitude entry (idempotent per client_id)",
        request=GratitudeEntryCreateSerializer,
        responses={
            201: GratitudeEntrySerializer,
            200: _again(GratitudeEntrySerializer),
        },
    )
    def post(self, request: Request) -> Response:
        data = _validated(GratitudeEntryCreateSerializer, request.data, request)
        entry, created = services.gratitude_entry_create(user=request.user, **data)
        return Response(GratitudeEntrySerializer(entry).data, status=_status(created))


class GratitudeListView(GratitudeListCreateView):
    """The seed's path, kept as an alias of ``GET /journal/gratitude``."""

    http_method_names = ["get", "head", "options"]

    @_gratitude_schema("List gratitude entries (alias of GET /journal/gratitude)")
    def get(self, request: Request) -> Response:
        return self._list(request)


def _mood_history_schema(summary: str) -> Any:
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description=(
            "Entries (newest first) and one aggregate per local day with entries. "
            "Defaults to the last 30 local days; a range spans at most 92 days."
        ),
        parameters=[MoodHistoryFilterSerializer],
        responses={200: MoodHistorySerializer, 400: BAD_QUERY},
    )


class MoodListCreateView(GenericAPIView):
    """``GET`` (the history) and ``POST`` (log a mood) on one collection."""

    serializer_class = MoodEntryCreatedSerializer

    def _history(self, request: Request) -> Response:
        filters = _validated(MoodHistoryFilterSerializer, request.query_params, request)
        dates = selectors.DateRange(filters["date_from"], filters["date_to"])
        body = {
            "date_from": dates.date_from,
            "date_to": dates.date_to,
            "days": selectors.mood_day_aggregates(user=request.user, dates=dates),
            "entries": selectors.mood_entry_list(
                user=request.user,
                dates=dates,
                updated_since=filters["updated_since"],
            ),
        }
        return Response(MoodHistorySerializer(body).data)

    @_mood_history_schema("Mood history with per-day aggregates")
    def get(self, request: Request) -> Response:
        return self._history(request)

    @extend_schema(
        tags=TAGS,
        summary="Log a mood (idempotent per client_id)",
        description=(
            "A `very_low` mood with high intensity returns a `support` block with "
            "crisis resources for the user's locale. No text is scanned."
        ),
        request=MoodEntryCreateSerializer,
        responses={
            201: MoodEntryCreatedSerializer,
            200: _again(MoodEntryCreatedSerializer),
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
    def post(self, request: Request) -> Response:
        data = _validated(MoodEntryCreateSerializer, request.data, request)
        entry, created = services.mood_entry_create(user=request.user, **data)
        entry = selectors.mood_entry_list(user=request.user).get(pk=entry.pk)
        entry.support = selectors.mood_support(user=request.user, entry=entry)  # type: ignore[attr-defined]
        return Response(MoodEntryCreatedSerializer(entry).data, status=_status(created))


class MoodHistoryView(MoodListCreateView):
    """The seed's path, kept as an alias of ``GET /journal/mood``."""

    serializer_class = MoodHistorySerializer
    http_method_names = ["get", "head", "options"]

    @_mood_history_schema("Mood history (alias of GET /journal/mood)")
    def get(self, request: Request) -> Response:
        return self._history(request)


class MoodCalendarView(GenericAPIView):
    serializer_class = MoodCalendarSerializer

    @extend_schema(
        tags=TAGS,
        summary="Mood calendar of a month",
        description="One cell per local day with the day's average mood score.",
        parameters=[MoodCalendarQuerySerializer],
        responses={200: MoodCalendarSerializer, 400: BAD_QUERY},
    )
    def get(self, request: Request) -> Response:
        query = _validated(MoodCalendarQuerySerializer, request.query_params, request)
        first = query.get("month") or local_today(request.user.timezone).replace(day=1)
        body = {
            "month": f"{first.year:04d}-{first.month:02d}",
            "days": selectors.mood_calendar(
                user=request.user, year=first.year, month=first.month
            ),
        }
        return Response(MoodCalendarSerializer(body).data)


class PromptView(GenericAPIView):
    serializer_class = DailyPromptSerializer

    @extend_schema(
        tags=TAGS,
        summary="Today's journaling prompt",
        description=(
            "A staff-curated prompt chosen for the user's local date and locale; "
            "`prompt` is null when none is curated."
        ),
        responses={200: DailyPromptSerializer},
    )
    def get(self, request: Request) -> Response:
        today = local_today(request.user.timezone)
        prompt = selectors.prompt_for_day(locale=request.user.locale, day=today)
        return Response(
            DailyPromptSerializer({"local_date": today, "prompt": prompt}).data
        )
