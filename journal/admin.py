"""The staff console for the journal app.

Staff curate prompts and crisis resources. Journal, gratitude and mood entries are
shown as metadata only (owner, dates, length, tags): their encrypted columns are
never loaded here, let alone shown, and staff can neither add nor edit them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from journal.models import (
    CrisisPhrase,
    CrisisResource,
    GratitudeEntry,
    JournalEntry,
    MoodEntry,
    Prompt,
)
from kaya.admin import ReadOnlyAdmin
from kaya.fields import encrypted_field_names


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ("id", "text", "locale", "is_active", "updated_at")
    list_filter = ("locale", "is_active")
    search_fields = ("text",)
    list_editable = ("is_active",)
    ordering = ("locale", "id")


@admin.register(CrisisResource)
class CrisisResourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "locale",
        "countries",
        "phone",
        "sms",
        "url",
        "sort_order",
        "is_active",
    )
    list_filter = ("locale", "is_active")
    search_fields = ("name", "description")
    list_editable = ("sort_order", "is_active")
    ordering = ("locale", "sort_order", "id")
    # Crisis lines are served over HTTPS; also silences Django 5's scheme warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CrisisPhrase)
class CrisisPhraseAdmin(admin.ModelAdmin):
    """The phrases of the one crisis check (journal.crisis.crisis_check)."""

    list_display = ("phrase", "locale", "category", "is_active", "updated_at")
    list_filter = ("locale", "category", "is_active")
    search_fields = ("phrase",)
    list_editable = ("is_active",)


class MetadataOnlyAdmin(ReadOnlyAdmin):
    """Read-only (entries are deleted by their owner, through the API or account
    erasure, never by staff), and the encrypted columns are deferred so they are
    never decrypted for staff."""

    search_fields = ("user__email",)
    list_select_related = ("user",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset.defer(*encrypted_field_names(self.model))


@admin.register(JournalEntry)
class JournalEntryAdmin(MetadataOnlyAdmin):
    list_display = ("id", "user", "local_date", "body_length", "tag_list", "created_at")
    list_filter = ("local_date",)
    fields = (
        "user",
        "occurred_at",
        "local_date",
        "body_length",
        "tag_list",
        "prompt",
        "mood_entry",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, obj: JournalEntry) -> str:
        return ", ".join(tag.name for tag in obj.tags.all())


@admin.register(GratitudeEntry)
class GratitudeEntryAdmin(MetadataOnlyAdmin):
    list_display = ("id", "user", "local_date", "item_count", "created_at")
    list_filter = ("local_date",)
    fields = ("user", "occurred_at", "local_date", "item_count", "created_at")
    readonly_fields = fields


@admin.register(MoodEntry)
class MoodEntryAdmin(MetadataOnlyAdmin):
    list_display = (
        "id",
        "user",
        "mood",
        "intensity",
        "local_date",
        "tag_list",
        "created_at",
    )
    list_filter = ("mood", "local_date")
    fields = (
        "user",
        "mood",
        "score",
        "intensity",
        "tag_list",
        "logged_at",
        "local_date",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="emotions and factors")
    def tag_list(self, obj: MoodEntry) -> str:
        return ", ".join(f"{tag.kind}:{tag.value}" for tag in obj.tags.all())
