"""The staff console: the therapist directory with its hours, and bookings.

Directory changes invalidate the cached directory; booking actions go through
the booking services (their rules, history and notifications).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from coaching.models import (
    AICrisisReferralDay,
    AvailabilityException,
    AvailabilityWindow,
    BookingStatus,
    BookingTransition,
    Therapist,
    TherapistBooking,
)
from coaching.services import bookings as booking_services
from coaching.services.therapists import therapist_directory_changed
from kaya.admin import ReadOnlyAdmin
from kaya.exceptions import ApplicationError


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ("display_name", "is_active", "accepts_new_clients", "timezone")
    list_filter = ("is_active", "accepts_new_clients")
    search_fields = ("display_name",)
    # By id: content editors may link a therapist's account without the
    # permission to browse users that an autocomplete would need.
    raw_id_fields = ("user",)
    inlines = (AvailabilityWindowInline, AvailabilityExceptionInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        therapist_directory_changed()

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        therapist_directory_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        therapist_directory_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        therapist_directory_changed()


class BookingTransitionInline(admin.TabularInline):
    model = BookingTransition
    extra = 0
    can_delete = False
    fields = ("from_status", "to_status", "reason", "previous_starts_at", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _run(modeladmin: Any, request: HttpRequest, queryset: Any, service: Any) -> None:
    done = 0
    for booking in queryset:
        try:
            service(booking=booking, actor=request.user)
        except ApplicationError as exc:
            modeladmin.message_user(
                request, f"Booking {booking.pk}: {exc.message}", messages.WARNING
            )
        else:
            done += 1
    modeladmin.message_user(request, f"{done} booking(s) updated.")


@admin.action(description="Confirm selected bookings")
def confirm(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    _run(modeladmin, request, queryset, booking_services.booking_confirm)


@admin.action(description="Decline selected bookings")
def decline(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    _run(modeladmin, request, queryset, booking_services.booking_decline)


@admin.action(description="Mark selected bookings completed")
def complete(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    def service(**kwargs: Any) -> Any:
        return booking_services.booking_finish(status=BookingStatus.COMPLETED, **kwargs)

    _run(modeladmin, request, queryset, service)


@admin.action(description="Mark selected bookings as no-show")
def no_show(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    def service(**kwargs: Any) -> Any:
        return booking_services.booking_finish(status=BookingStatus.NO_SHOW, **kwargs)

    _run(modeladmin, request, queryset, service)


@admin.register(TherapistBooking)
class TherapistBookingAdmin(admin.ModelAdmin):
    """Read-only rows; state changes only through the actions (the services)."""

    list_display = ("id", "therapist", "starts_at", "status", "cancelled_late")
    list_filter = ("status", ("starts_at", admin.DateFieldListFilter))
    list_select_related = ("therapist",)
    search_fields = ("therapist__display_name", "user__email")
    actions = (confirm, decline, complete, no_show)
    inlines = (BookingTransitionInline,)
    # The client's private note is not shown to staff.
    exclude = ("note",)
    readonly_fields = (
        "user",
        "therapist",
        "starts_at",
        "ends_at",
        "status",
        "cancelled_at",
        "cancelled_late",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AICrisisReferralDay)
class AICrisisReferralDayAdmin(ReadOnlyAdmin):
    """How many times a day (UTC) the AI companion answered with crisis
    resources: a count with no user and no content, read-only. No staff role is
    granted it (kaya.staff): superusers only; the dashboard shows every staff
    member the same daily figures."""

    list_display = ("date", "count")
    search_fields = ("date",)
    date_hierarchy = "date"
    ordering = ("-date",)
