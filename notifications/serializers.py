from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kaya import output
from notifications.models import Notification
from notifications.selectors import (
    InvalidCursorError,
    notification_cursor,
    notification_cursor_parse,
)


class NotificationOutput(serializers.ModelSerializer):
    cursor = serializers.SerializerMethodField(
        help_text="Pass as `?after=` to fetch what arrived after this one."
    )

    class Meta:
        model = Notification
        fields = (
            "id",
            "type",
            "title",
            "body",
            "data",
            "created_at",
            "read_at",
            "cursor",
        )
        read_only_fields = fields
        list_serializer_class = output.OutputList

    def get_cursor(self, notification: Notification) -> str:
        return notification_cursor(notification)

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        return self.row(instance, output.instant_zone())

    def row(self, instance: Notification, zone: Any) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``), as the
        notifications page's rows; the same JSON, field for field."""
        created_at, read_at = output.instants_in(
            zone, instance.created_at, instance.read_at
        )
        return {
            "id": instance.pk,
            "type": output.choice(instance.type),
            "title": output.text(instance.title),
            "body": output.text(instance.body),
            "data": instance.data,
            "created_at": created_at,
            "read_at": read_at,
            "cursor": self.get_cursor(instance),
        }


def _validate_cursor(value: str) -> None:
    try:
        notification_cursor_parse(value)
    except InvalidCursorError:
        raise serializers.ValidationError("Not a notification cursor.") from None


class NotificationListInput(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only unread notifications."
    )
    after = serializers.CharField(
        required=False,
        max_length=200,
        validators=[_validate_cursor],
        help_text="A notification's `cursor`: only newer ones (catch-up after a "
        "reconnect; may repeat a few seen ones, de-duplicate by id).",
    )


class NotificationReadAllInput(serializers.Serializer):
    up_to = serializers.CharField(
        required=False,
        max_length=200,
        validators=[_validate_cursor],
        help_text="A notification's `cursor`: mark only that one and older read.",
    )

    def validate_up_to(self, value: str) -> Any:
        created_at, _ = notification_cursor_parse(value)
        return created_at


class NotificationReadAllOutput(serializers.Serializer):
    updated_count = serializers.IntegerField(help_text="How many became read.")
    unread_count = serializers.IntegerField()


class NotificationUnreadCountOutput(serializers.Serializer):
    unread_count = serializers.IntegerField()


class RealtimeTicketOutput(serializers.Serializer):
    ticket = serializers.CharField(help_text="Connect to ws/v1/?ticket=<ticket>.")
    expires_in_seconds = serializers.IntegerField(
        help_text="Seconds; the ticket is single use."
    )


class EmailPreferencesTokenInput(serializers.Serializer):
    token = serializers.CharField(
        max_length=500,
        trim_whitespace=False,
        help_text="The signed token from the email's link.",
    )


class EmailPreferencesOutput(serializers.Serializer):
    notify_email = serializers.BooleanField()


class EmailPreferencesUpdateInput(serializers.Serializer):
    # A PATCH: a preference left out is left unchanged (as documented).
    notify_email = serializers.BooleanField(required=False)
