"""The staff console: programs with their days, achievements, challenges with
their participants, events with their registrations (attendance, attendee
export), read-only practice records.

Every change to a program or its days goes through program_catalog_changed, which
refreshes the stored day count and invalidates the cached published catalogue.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from kaya.admin import ReadOnlyAdmin
from kaya.timeutils import instant_text
from wellness.models import (
    Achievement,
    Challenge,
    ChallengeParticipant,
    EventRegistration,
    ProgramDay,
    ProgramEnrollment,
    Streak,
    UserAchievement,
    WellnessEvent,
    WellnessProgram,
    WellnessSession,
)
from wellness.services import (
    event_attendance_mark,
    event_seats_fill,
    event_time_changed,
    program_catalog_changed,
    program_days_problem,
    program_publish_problems,
    program_publish_set,
)


class ProgramDayFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # self.instance carries the program form's values (is_published included).
        if not self.instance.is_published or any(self.errors):
            return
        numbers = [
            form.cleaned_data["day_number"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("day_number") is not None
        ]
        problem = program_days_problem(numbers)
        if problem is not None:
            raise ValidationError(
                f"A published program needs days 1, 2, 3... : {problem}. "
                "Fix the days or untick Is published."
            )


class ProgramDayInline(admin.StackedInline):
    model = ProgramDay
    formset = ProgramDayFormSet
    # One blank day, numbered after the last one.
    extra = 1
    ordering = ("day_number",)
    fields = (
        "day_number",
        "title",
        "session_type",
        "duration_minutes",
        "content",
        "translations",
    )

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        last = obj.days.aggregate(last=Max("day_number"))["last"] if obj else None
        formset.form.base_fields["day_number"].initial = (last or 0) + 1
        return formset


class ProgramChangelistForm(forms.ModelForm):
    """The changelist's publish toggle checks the days as the actions do."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("is_published") and self.instance.pk is not None:
            problem = program_publish_problems(program_ids=[self.instance.pk]).get(
                self.instance.pk
            )
            if problem is not None:
                raise ValidationError(f"Cannot publish: {problem}.")
        return cleaned


@admin.register(WellnessProgram)
class WellnessProgramAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "difficulty",
        "is_premium",
        "is_published",
        "ordering",
        "days_count",
    )
    list_editable = ("is_published", "ordering")
    list_filter = ("is_published", "is_premium", "category", "difficulty")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("days_count", "enrolled_preview")
    inlines = [ProgramDayInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("publish", "unpublish")

    @admin.display(description="What a newly enrolled user sees")
    def enrolled_preview(self, obj: WellnessProgram) -> str:
        if obj.pk is None:
            return "Save the program to preview it."
        rows = format_html_join(
            "",
            "<li>Day {}: {} ({}, {} min) - {}</li>",
            (
                (
                    day.day_number,
                    day.title,
                    day.get_session_type_display(),
                    day.duration_minutes,
                    "unlocked today" if index == 0 else "locked",
                )
                for index, day in enumerate(obj.days.order_by("day_number"))
            ),
        )
        premium = "Premium only. " if obj.is_premium else ""
        return format_html(
            "<p>{}{}</p><p>{}</p><ol>{}</ol>",
            premium,
            obj.title,
            obj.summary,
            rows,
        )

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", ProgramChangelistForm)
        return super().get_changelist_form(request, **kwargs)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """A program someone enrolled in is kept (their progress points at it):
        the confirmation page says so and offers unpublishing instead."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        enrolled = [
            format_html(
                "“{}” has {} enrollment(s) and cannot be deleted: use the "
                "“Unpublish the selected programs” action instead (it leaves the "
                "catalogue; enrolled users keep their progress).",
                program.title,
                program.enrollment_total,
            )
            for program in WellnessProgram.objects.filter(
                pk__in=[o.pk for o in objs]
            ).annotate(enrollment_total=Count("enrollments"))
            if program.enrollment_total
        ]
        if enrolled:
            # Nothing will be deleted, so no permission is missing: only the
            # reason (Django would otherwise ask for a delete permission on the
            # read-only enrollments).
            return deleted, model_count, set(), enrolled
        return deleted, model_count, perms_needed, protected

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        program_catalog_changed(program_ids=[form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: WellnessProgram) -> None:
        super().delete_model(request, obj)
        program_catalog_changed(program_ids=[])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        program_catalog_changed(program_ids=[])

    @admin.action(description="Publish the selected programs")
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        programs = {p.pk: p.title for p in queryset.only("pk", "title")}
        refused = program_publish_problems(program_ids=programs)
        changed = program_publish_set(program_ids=programs, is_published=True)
        self.message_user(request, f"Published {changed} program(s).", messages.SUCCESS)
        for pk, problem in refused.items():
            self.message_user(
                request, f"Not published “{programs[pk]}”: {problem}.", messages.ERROR
            )

    @admin.action(description="Unpublish the selected programs")
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = program_publish_set(
            program_ids=queryset.values_list("pk", flat=True), is_published=False
        )
        self.message_user(
            request,
            f"Unpublished {changed} program(s): they left the catalogue; enrolled "
            "users keep them.",
            messages.SUCCESS,
        )


@admin.register(WellnessSession)
class WellnessSessionAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "type", "status", "local_date", "started_at")
    list_filter = ("status", "type")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    # Private notes are not shown to staff.
    exclude = ("notes",)


class EnrollmentCompletedFilter(admin.SimpleListFilter):
    title = "completed"
    parameter_name = "completed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(completed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(completed_at__isnull=True)
        return queryset


@admin.register(ProgramEnrollment)
class ProgramEnrollmentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "user",
        "program",
        "days_completed",
        "progress_percent",
        "enrolled_at",
        "completed_at",
    )
    list_filter = (
        "program",
        EnrollmentCompletedFilter,
        ("enrolled_at", admin.DateFieldListFilter),
    )
    search_fields = ("user__email", "program__title")
    list_select_related = ("user", "program")


@admin.register(Streak)
class StreakAdmin(ReadOnlyAdmin):
    list_display = ("user", "current_length", "longest_length", "last_active_date")
    list_filter = (("last_active_date", admin.DateFieldListFilter),)
    search_fields = ("user__email",)
    list_select_related = ("user",)


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    """Staff curate the rules here; after adding or changing one, run
    ``manage.py recompute_achievements`` to bring every user's progress up to
    date. Retire an achievement by unticking Is active: users keep what they
    unlocked."""

    list_display = (
        "code",
        "name",
        "category",
        "rule_kind",
        "threshold",
        "session_type",
        "points",
        "is_active",
    )
    list_filter = ("is_active", "category", "rule_kind")
    search_fields = ("code", "name")
    prepopulated_fields = {"code": ("name",)}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would erase users' unlocks with it; deactivate instead.
        return False


@admin.register(UserAchievement)
class UserAchievementAdmin(ReadOnlyAdmin):
    list_display = ("user", "achievement", "progress", "unlocked_at")
    list_filter = ("achievement",)
    search_fields = ("user__email", "achievement__code")
    list_select_related = ("user", "achievement")


class ChallengeParticipantInline(admin.TabularInline):
    """Who joined and how far they are: read-only (progress comes from their
    activity, never from staff)."""

    model = ChallengeParticipant
    fields = ("user", "progress", "joined_at", "completed_at")
    readonly_fields = fields
    ordering = ("-progress", "joined_at")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Staff curate challenges here. Dates are each participant's local dates,
    both inclusive. Retire a challenge by unticking Is active: it leaves every
    list, and participants keep what they completed."""

    list_display = (
        "title",
        "goal_kind",
        "goal_target",
        "start_date",
        "end_date",
        "is_active",
        "is_premium",
        "participants_total",
    )
    list_filter = (
        "is_active",
        "is_premium",
        "goal_kind",
        ("start_date", admin.DateFieldListFilter),
    )
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "start_date"
    inlines = [ChallengeParticipantInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(participants_total=Count("participants"))
        )

    @admin.display(description="participants", ordering="participants_total")
    def participants_total(self, obj: Any) -> int:
        return obj.participants_total

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would erase participants' progress and completions with it;
        # deactivate instead.
        return False


# --- events -----------------------------------------------------------------
# Spreadsheet apps run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _attendance_message(
    model_admin: admin.ModelAdmin, request: HttpRequest, marked: int, skipped: int
) -> None:
    model_admin.message_user(
        request, f"Marked {marked} registration(s) attended.", messages.SUCCESS
    )
    if skipped:
        model_admin.message_user(
            request,
            f"Skipped {skipped}: only registered seats of events that have "
            "started can be marked attended.",
            messages.WARNING,
        )


class EventRegistrationInlineForm(forms.ModelForm):
    mark_attended = forms.BooleanField(
        required=False, label="Mark attended", help_text="Registered seats only."
    )

    class Meta:
        model = EventRegistration
        fields: tuple[str, ...] = ()


class EventRegistrationInline(admin.TabularInline):
    """The event's registrations; a registration changes only through the
    services (the tick box records attendance), so seats stay counted."""

    model = EventRegistration
    form = EventRegistrationInlineForm
    extra = 0
    can_delete = False
    fields = (
        "user",
        "display_name",
        "status",
        "created_at",
        "registered_at",
        "attended_at",
        "mark_attended",
    )
    readonly_fields = (
        "user",
        "display_name",
        "status",
        "created_at",
        "registered_at",
        "attended_at",
    )
    ordering = ("created_at", "id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")

    @admin.display(description="Display name")
    def display_name(self, obj: EventRegistration) -> str:
        return obj.user.display_name


@admin.register(WellnessEvent)
class WellnessEventAdmin(admin.ModelAdmin):
    """Staff curate events here. Seats are counted by the registration
    services: raising the capacity gives the new seats to the waitlist, and
    moving an event moves its reminders and tells its users."""

    list_display = (
        "title",
        "kind",
        "host",
        "starts_at",
        "capacity",
        "seats_taken",
        "is_premium",
        "is_published",
    )
    list_filter = ("is_published", "is_premium", "kind")
    search_fields = ("title", "slug", "host")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("seats_taken",)
    date_hierarchy = "starts_at"
    inlines = [EventRegistrationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("export_attendees_csv", "mark_registered_attended")

    def save_model(
        self, request: HttpRequest, obj: WellnessEvent, form: Any, change: bool
    ) -> None:
        moved = change and {"starts_at", "ends_at"} & set(form.changed_data)
        previous_starts_at = (
            WellnessEvent.objects.values_list("starts_at", flat=True).get(pk=obj.pk)
            if moved
            else None
        )
        super().save_model(request, obj, form, change)
        if previous_starts_at is not None:
            notified = event_time_changed(
                event=obj, previous_starts_at=previous_starts_at
            )
            self.message_user(
                request, f"Told {notified} user(s) about the new time.", messages.INFO
            )
        if change and "capacity" in form.changed_data:
            promoted = event_seats_fill(event=obj)
            if promoted:
                self.message_user(
                    request,
                    f"Gave {promoted} new seat(s) to the waitlist.",
                    messages.INFO,
                )

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        if formset.model is not EventRegistration:
            super().save_formset(request, form, formset, change)
            return
        # Nothing else in the inline is editable and nothing is saved from it
        # (commit=False only lists the ticked rows for the change history):
        # attendance goes through its service.
        formset.save(commit=False)
        ticked = [
            row.instance.pk
            for row in formset.forms
            if row.cleaned_data.get("mark_attended")
        ]
        if ticked:
            result = event_attendance_mark(registration_ids=ticked)
            _attendance_message(
                self, request, result.marked_count, result.skipped_count
            )

    @admin.action(description="Export attendees (CSV)")
    def export_attendees_csv(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse:
        """Seat holders (registered or attended) of the selected events, with
        their display name and email: a staff export."""
        registrations = (
            EventRegistration.objects.filter(
                event__in=queryset,
                status__in=[
                    EventRegistration.Status.REGISTERED,
                    EventRegistration.Status.ATTENDED,
                ],
            )
            .select_related("user", "event")
            .order_by("event__starts_at", "event_id", "registered_at", "id")
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = (
            f'attachment; filename="kaya-event-attendees-{stamp}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(
            ["event_id", "event", "starts_at", "display_name", "email", "status"]
        )
        for registration in registrations:
            writer.writerow(
                [
                    registration.event_id,
                    _csv_cell(registration.event.title),
                    instant_text(registration.event.starts_at),
                    _csv_cell(registration.user.display_name),
                    _csv_cell(registration.user.email),
                    registration.status,
                ]
            )
        return response

    @admin.action(description="Mark every registered seat attended")
    def mark_registered_attended(
        self, request: HttpRequest, queryset: QuerySet
    ) -> None:
        ids = EventRegistration.objects.filter(
            event__in=queryset, status=EventRegistration.Status.REGISTERED
        ).values_list("pk", flat=True)
        result = event_attendance_mark(registration_ids=list(ids))
        _attendance_message(self, request, result.marked_count, result.skipped_count)


@admin.register(EventRegistration)
class EventRegistrationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "user",
        "event",
        "status",
        "created_at",
        "registered_at",
        "attended_at",
    )
    list_filter = ("status", ("event", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__email", "event__title")
    list_select_related = ("user", "event")
    actions = ("mark_attended",)

    def has_mark_attended_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("wellness.change_eventregistration")

    @admin.action(
        description="Mark the selected registrations attended",
        permissions=["mark_attended"],
    )
    def mark_attended(self, request: HttpRequest, queryset: QuerySet) -> None:
        result = event_attendance_mark(
            registration_ids=list(queryset.values_list("pk", flat=True))
        )
        _attendance_message(self, request, result.marked_count, result.skipped_count)
