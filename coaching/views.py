"""Thin viewsets: validate input, call one service or selector, serialise output."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coaching import calendar
from coaching.cache import THERAPIST_DIRECTORY
from coaching.exceptions import NotATherapistError
from coaching.models import Therapist, TherapistBooking
from coaching.selectors import bookings as booking_selectors
from coaching.selectors import therapists as therapist_selectors
from coaching.serializers import (
    BookingCreateInput,
    BookingDetailOutput,
    BookingListInput,
    BookingOutput,
    BookingRescheduleInput,
    TherapistBookingOutput,
    TherapistDetailOutput,
    TherapistListInput,
    TherapistOutput,
    TherapistSlotListInput,
    TherapistSlotListOutput,
)
from coaching.services import bookings as booking_services
from kaya.api import validated
from kaya.calendar import ICS_RESPONSES, CalendarRenderer, ics_response
from kaya.schema import ErrorSerializer
from kaya.timeutils import local_day_bounds

BAD_INPUT = OpenApiResponse(ErrorSerializer, description="Invalid input.")
NOT_A_THERAPIST = OpenApiResponse(
    ErrorSerializer,
    description="The account is not linked to a therapist profile (`not_a_therapist`).",
)
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Refused by the booking rules: `slot_taken`, `slot_unavailable`, "
    "`booking_limit_reached`, `therapist_not_accepting`, `invalid_transition`, "
    "`booking_started`.",
)


def _fake(view: Any) -> bool:
    return bool(getattr(view, "swagger_fake_view", False))


# --- the directory -----------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List therapists",
        description="Active therapists by name; filter by specialty, language, "
        "accepting new clients, part of the name, and a bookable slot between "
        "`date_from` and `date_to`. Cached (except with dates); staff changes in "
        "the admin invalidate the cache.",
        parameters=[TherapistListInput],
        responses={200: TherapistOutput(many=True), 400: BAD_INPUT},
    ),
    retrieve=extend_schema(
        summary="Get a therapist's profile", responses={200: TherapistDetailOutput}
    ),
)
@extend_schema(tags=["therapists"])
class TherapistViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> Any:
        return TherapistOutput if self.action == "list" else TherapistDetailOutput

    def get_queryset(self) -> QuerySet[Therapist]:
        if _fake(self) or self.action != "list":
            return therapist_selectors.therapist_list()
        filters = validated(
            TherapistListInput,
            self.request.query_params,
            timezone=self.request.user.timezone,
        )
        return therapist_selectors.therapist_list(**filters)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = "&".join(
            f"{key}={value}"
            for key, values in sorted(request.query_params.lists())
            for value in values
        )
        if "date_from" in request.query_params or "date_to" in request.query_params:
            # Availability changes with every booking: not cached.
            return super().list(request, *args, **kwargs)
        listed = super().list
        part = f"{request.path.rstrip('/')}?{query}"
        return Response(
            THERAPIST_DIRECTORY.get_or_build(
                part, lambda: listed(request, *args, **kwargs).data
            )
        )

    @extend_schema(
        summary="List a therapist's bookable slots",
        description="Starts in UTC, each also in the requesting user's time zone; "
        "`date_from` and `date_to` are local dates of that zone, both included "
        "(default: 7 days from today; at most 31 days).",
        parameters=[TherapistSlotListInput],
        responses={200: TherapistSlotListOutput, 400: BAD_INPUT},
    )
    @action(detail=True, methods=["get"], url_path="slots")
    def slots(self, request: Request, pk: str | None = None) -> Response:
        therapist = self.get_object()
        tz_name = request.user.timezone
        dates = validated(
            TherapistSlotListInput, request.query_params, timezone=tz_name
        )
        start, _ = local_day_bounds(dates["date_from"], tz_name)
        _, end = local_day_bounds(dates["date_to"], tz_name)
        slots = therapist_selectors.therapist_slots(
            therapist=therapist, start=start, end=end
        )
        output = TherapistSlotListOutput(
            {
                "therapist_id": therapist.pk,
                "timezone": tz_name,
                **dates,
                "slots": slots,
            },
            context={"timezone": tz_name},
        )
        return Response(output.data)


# --- bookings, the client's side -------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List my bookings",
        description="`when=upcoming`: active bookings not yet over, soonest first; "
        "`when=past`: the others, newest first; neither: all, newest first.",
        parameters=[BookingListInput],
        responses={200: BookingOutput(many=True), 400: BAD_INPUT},
    ),
    retrieve=extend_schema(
        summary="Get one of my bookings, with its history",
        responses={200: BookingDetailOutput},
    ),
)
@extend_schema(tags=["bookings"])
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> Any:
        return BookingOutput if self.action == "list" else BookingDetailOutput

    def get_queryset(self) -> QuerySet[TherapistBooking]:
        if _fake(self):
            return TherapistBooking.objects.none()
        if self.action == "list":
            filters = validated(BookingListInput, self.request.query_params)
            return booking_selectors.booking_list(user=self.request.user, **filters)
        return booking_selectors.booking_detail_list(user=self.request.user)

    def _detail(self, booking: TherapistBooking, code: int = 200) -> Response:
        return Response(BookingDetailOutput(booking).data, status=code)

    @extend_schema(
        summary="Book a session",
        description="Request one of the therapist's slots (status `pending`). Two "
        "clients racing for one slot: one gets 201, the other 409 `slot_taken`.",
        request=BookingCreateInput,
        responses={201: BookingDetailOutput, 400: BAD_INPUT, 409: CONFLICT},
    )
    def create(self, request: Request) -> Response:
        data = validated(BookingCreateInput, request.data)
        booking = booking_services.booking_create(user=request.user, **data)
        return self._detail(booking, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel a booking",
        description="Free until 24 h before the start; a later cancellation is "
        "recorded as late (`cancelled_late`).",
        request=None,
        responses={200: BookingDetailOutput, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        booking = booking_services.booking_cancel(
            booking=self.get_object(), actor=request.user
        )
        return self._detail(booking)

    @extend_schema(
        summary="Move a booking to another slot",
        description="Atomic: the new slot is taken or nothing changes.",
        request=BookingRescheduleInput,
        responses={200: BookingDetailOutput, 400: BAD_INPUT, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        booking = self.get_object()
        data = validated(BookingRescheduleInput, request.data)
        booking = booking_services.booking_reschedule(
            booking=booking, actor=request.user, **data
        )
        return self._detail(booking)

    @extend_schema(
        summary="The booking as a calendar file (iCalendar)",
        responses=ICS_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="calendar.ics",
        renderer_classes=[JSONRenderer, CalendarRenderer],
    )
    def calendar(self, request: Request, pk: str | None = None) -> HttpResponse:
        booking = self.get_object()
        return ics_response(
            calendar.booking_ics(booking), filename=f"kaya-booking-{booking.pk}.ics"
        )


# --- bookings, the therapist's side -----------------------------------------------
class IsTherapistUser(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not booking_selectors.is_therapist_user(user=request.user):
            raise NotATherapistError()
        return True


@extend_schema_view(
    list=extend_schema(
        summary="List my clients' bookings (therapists)",
        description="For an account linked to a therapist; others get 403 "
        "`not_a_therapist`.",
        parameters=[BookingListInput],
        responses={
            200: TherapistBookingOutput(many=True),
            400: BAD_INPUT,
            403: NOT_A_THERAPIST,
        },
    ),
    retrieve=extend_schema(
        summary="Get one of my clients' bookings (therapists)",
        responses={200: TherapistBookingOutput, 403: NOT_A_THERAPIST},
    ),
)
@extend_schema(tags=["bookings"])
class TherapistBookingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    serializer_class = TherapistBookingOutput
    permission_classes = [IsAuthenticated, IsTherapistUser]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[TherapistBooking]:
        if _fake(self):
            return TherapistBooking.objects.none()
        filters = (
            validated(BookingListInput, self.request.query_params)
            if self.action == "list"
            else {}
        )
        return booking_selectors.therapist_booking_list(
            user=self.request.user, **filters
        )

    @extend_schema(
        summary="Confirm a pending booking (therapists)",
        request=None,
        responses={
            200: TherapistBookingOutput,
            403: NOT_A_THERAPIST,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        booking = booking_services.booking_confirm(
            booking=self.get_object(), actor=request.user
        )
        return Response(TherapistBookingOutput(booking).data)

    @extend_schema(
        summary="Decline a pending booking (therapists)",
        request=None,
        responses={
            200: TherapistBookingOutput,
            403: NOT_A_THERAPIST,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        booking = booking_services.booking_decline(
            booking=self.get_object(), actor=request.user
        )
        return Response(TherapistBookingOutput(booking).data)
