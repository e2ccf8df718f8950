"""The staff console: programs with their days, read-only practice records.

Every change to a program or its days goes through program_catalog_changed, which
refreshes the stored day count and invalidates the cached published catalogue.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from kaya.admin import ReadOnlyAdmin
from wellness.models import (
    ProgramDay,
    ProgramEnrollment,
    Streak,
    WellnessProgram,
    WellnessSession,
)
from wellness.services import program_catalog_changed, program_publish_set


class ProgramDayInline(admin.StackedInline):
    model = ProgramDay
    extra = 0
    ordering = ("day_number",)
    fields = ("day_number", "title", "session_type", "duration_minutes", "content")


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
        program_publish_set(
            program_ids=queryset.values_list("pk", flat=True), is_published=True
        )

    @admin.action(description="Unpublish the selected programs")
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        program_publish_set(
            program_ids=queryset.values_list("pk", flat=True), is_published=False
        )


@admin.register(WellnessSession)
class WellnessSessionAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "type", "status", "local_date", "started_at")
    list_filter = ("status", "type")
    list_select_related = ("user",)
    # Private notes are not shown to staff.
    exclude = ("notes",)


@admin.register(ProgramEnrollment)
class ProgramEnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "program", "days_completed", "progress_percent")
    list_select_related = ("user", "program")


@admin.register(Streak)
class StreakAdmin(ReadOnlyAdmin):
    list_display = ("user", "current_length", "longest_length", "last_active_date")
    list_select_related = ("user",)
