"""The staff console for notifications.

A notification added here goes through ``notification_create``, like every other:
pushed live to the user's sockets and emailed when the type and the user's
preferences call for it. The email's state (an outbox row) is shown read-only,
and a stored notification is not edited (the user may already have seen it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification, ScheduledNotification
from notifications.services import notification_create, notification_email_status


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
    raw_id_fields = ("user",)
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
    raw_id_fields = ("user", "notification")
    readonly_fields = ("created_at", "sent_at")
