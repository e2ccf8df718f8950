"""The staff console for notifications.

A notification added here goes through ``notification_create``, like every other:
pushed live to the user's sockets and emailed when the type and the user's
preferences call for it. The email's state (an outbox row) is shown read-only,
and a stored notification is not edited (the user may already have seen it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accounts.admin import AuditedAdminMixin
from notifications.models import Announcement, Notification, ScheduledNotification
from notifications.services import (
    announcement_queue,
    announcement_resume,
    notification_create,
    notification_email_status,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "type",
        "title",
        "created_at",
        "read_at",
    )
    list_filter = ("type",)
    search_fields = ("user__email", "title")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "type", "title", "body", "data")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        return (*self.fields, "created_at", "read_at", "email_status")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    @admin.display(description="Email")
    def email_status(self, obj: Notification) -> str:
        return notification_email_status(notification=obj)

    def save_model(
        self,
        request: HttpRequest,
        obj: Notification,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        if change:
            return
        created = notification_create(
            user=obj.user,
            type=obj.type,
            title=obj.title,
            body=obj.body,
            data=obj.data,
        )
        # The admin goes on with ``obj`` (its messages, the log entry, the
        # redirect): make it the stored row.
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(ScheduledNotification)
class ScheduledNotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "type", "dedupe_key", "send_at", "status", "sent_at")
    list_filter = ("status", "type")
    search_fields = ("user__email", "dedupe_key")
    list_select_related = ("user",)
    autocomplete_fields = ("user", "notification")
    readonly_fields = ("created_at", "sent_at")


@admin.register(Announcement)
class AnnouncementAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Write a draft, then "Broadcast": a Celery task notifies the segment in
    batches, and the progress column follows it. Sent text is never edited."""

    list_display = (
        "title",
        "segment",
        "status",
        "progress",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "tier", "locale")
    search_fields = ("title",)
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    fields = ("title", "body", "tier", "locale")
    audit_fields = (
        "status",
        "progress",
        "created_by",
        "created_at",
        "queued_at",
        "progress_at",
        "finished_at",
    )
    actions = ("broadcast", "resume")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        return (*self.fields, *self.audit_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.status != Announcement.Status.DRAFT:
            return self.get_fields(request, obj)
        return self.audit_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != Announcement.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(
        self,
        request: HttpRequest,
        obj: Announcement,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.display(description="segment")
    def segment(self, obj: Announcement) -> str:
        parts = [obj.get_tier_display() if obj.tier else "every tier"]
        parts.append(f"locale {obj.locale}" if obj.locale else "every locale")
        return ", ".join(parts)

    @admin.display(description="progress")
    def progress(self, obj: Announcement) -> str:
        if obj.status == Announcement.Status.DRAFT:
            return "-"
        total = max(obj.recipients_total, obj.recipients_done)
        percent = 100 if total == 0 else round(100 * obj.recipients_done / total)
        return format_html(
            '<progress max="100" value="{}"></progress> {} / {} ({}%)',
            percent,
            obj.recipients_done,
            total,
            percent,
        )

    @admin.action(description="Broadcast the selected drafts", permissions=["change"])
    def broadcast(self, request: HttpRequest, queryset: QuerySet) -> None:
        queued = 0
        for announcement in queryset.filter(status=Announcement.Status.DRAFT):
            announcement_queue(announcement=announcement)
            queued += 1
        self.message_user(
            request,
            f"Queued {queued} announcement(s); the progress column follows them.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Resume the selected broadcasts (if one has stalled)",
        permissions=["change"],
    )
    def resume(self, request: HttpRequest, queryset: QuerySet) -> None:
        resumed = sum(
            announcement_resume(announcement=announcement) for announcement in queryset
        )
        self.message_user(request, f"Resumed {resumed} broadcast(s).", messages.SUCCESS)
