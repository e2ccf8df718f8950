"""/api/v1/events: upcoming events, registration (a seat or the waitlist),
cancellation, my registrations and a calendar file per event."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from kaya.api import validated
from kaya.calendar import (
    ICS_RESPONSES,
    CalendarRenderer,
    IcsEvent,
    ics_response,
    ics_text,
)
from kaya.schema import ErrorSerializer
from wellness import selectors, services
from wellness.event_serializers import (
    SEAT_HOLDERS,
    EventListInput,
    EventOutput,
    EventRegistrationListInput,
    EventRegistrationOutput,
)
from wellness.models import WellnessEvent
from wellness.views import BAD_QUERY_400

STARTED_409 = OpenApiResponse(
    ErrorSerializer,
    description="`event_started`: the event has started or is over.",
)


def _ics(event: Any) -> str:
    holds_seat = event.registration_status in SEAT_HOLDERS
    url = event.online_url if holds_seat else ""
    description = event.description
    if url:
        description = f"{description}\n\nJoin: {url}" if description else url
    return ics_text(
        IcsEvent(
            uid=f"event-{event.pk}@kaya",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            summary=event.title,
            status="CONFIRMED",
            sequence=int(event.updated_at.timestamp()),
            description=description,
            location=event.place or ("Online" if event.online_url else ""),
            url=url,
        ),
        product="Events",
    )


@extend_schema(tags=["events"])
class EventViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = EventOutput

    def get_queryset(self) -> QuerySet[WellnessEvent]:
        if getattr(self, "swagger_fake_view", False):
            return WellnessEvent.objects.none()
        return selectors.event_detail_queryset(user=self.request.user)

    @extend_schema(
        summary="Upcoming events",
        description="Published events that have not started, soonest first: "
        "those with seats left and those I am registered or waitlisted for "
        "(`include_full=true` lists full events too, to join their waitlist). "
        "`date_from`/`date_to` are local dates of my time zone. The join link "
        "(`online_url`) is only shown once I hold a seat.",
        parameters=[EventListInput],
        responses={200: EventOutput(many=True), 400: BAD_QUERY_400},
    )
    def list(self, request: Request) -> Response:
        filters = validated(EventListInput, request.query_params)
        page = self.paginate_queryset(
            selectors.event_list(user=request.user, **filters)
        )
        return self.get_paginated_response(EventOutput(page, many=True).data)

    @extend_schema(
        summary="One published event",
        description="Past events included; an unpublished event is not found.",
        responses={200: EventOutput},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(EventOutput(self.get_object()).data)

    @extend_schema(
        summary="Register for an event (idempotent)",
        description="Takes a seat (`registered`), or a place on the waitlist "
        "(`waitlisted`) when every seat is taken: never more registrations "
        "than seats, however many arrive at once. A reminder is sent one hour "
        "before the start. Registering again returns my registration (200).",
        request=None,
        responses={
            201: EventRegistrationOutput,
            200: OpenApiResponse(
                EventRegistrationOutput,
                description="Already registered or waitlisted; unchanged.",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="`premium_required`: a premium event and a free account.",
            ),
            409: STARTED_409,
        },
    )
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str) -> Response:
        registration, created = services.event_register(
            user=request.user, event=self.get_object()
        )
        return Response(
            EventRegistrationOutput(registration).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Cancel my registration",
        description="Gives up my seat or waitlist place before the start; a "
        "freed seat goes to the first waitlisted user, who is notified. "
        "Returns the cancelled registration.",
        request=None,
        responses={
            200: EventRegistrationOutput,
            404: OpenApiResponse(
                ErrorSerializer,
                description="`not_found`: no such published event; "
                "`not_registered`: I am not registered or waitlisted for it.",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="`event_started`: the event has started or is over; "
                "`event_attended`: my attendance is recorded.",
            ),
        },
    )
    @register.mapping.delete
    def unregister(self, request: Request, pk: str) -> Response:
        registration = services.event_registration_cancel(
            user=request.user, event=self.get_object()
        )
        return Response(EventRegistrationOutput(registration).data)

    @extend_schema(
        summary="My event registrations, newest first",
        description="Cancelled ones included; filter with `status`.",
        parameters=[EventRegistrationListInput],
        responses={200: EventRegistrationOutput(many=True), 400: BAD_QUERY_400},
    )
    @action(detail=False, methods=["get"], url_path="my-registrations")
    def my_registrations(self, request: Request) -> Response:
        filters = validated(EventRegistrationListInput, request.query_params)
        page = self.paginate_queryset(
            selectors.event_registration_list(user=request.user, **filters)
        )
        return self.get_paginated_response(
            EventRegistrationOutput(page, many=True).data
        )

    @extend_schema(
        summary="The event as a calendar file (iCalendar)",
        description="With the join link once I hold a seat.",
        responses=ICS_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="calendar.ics",
        renderer_classes=[JSONRenderer, CalendarRenderer],
    )
    def calendar(self, request: Request, pk: str) -> HttpResponse:
        event = self.get_object()
        return ics_response(_ics(event), filename=f"kaya-event-{event.pk}.ics")
