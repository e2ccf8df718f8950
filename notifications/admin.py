# The staff console for this app: ModelAdmins are registered here.
from django.contrib import admin

from notifications.models import Notification, ScheduledNotification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "type",
        "title",
        "created_at",
        "read_at",
        "email_status",
    )
    list_filter = ("type", "email_status")
    search_fields = ("user__email", "title")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)


@admin.register(ScheduledNotification)
class ScheduledNotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "type", "dedupe_key", "send_at", "status", "sent_at")
    list_filter = ("status", "type")
    search_fields = ("user__email", "dedupe_key")
    raw_id_fields = ("user", "notification")
    readonly_fields = ("created_at", "sent_at")
