"""Wellness event inputs (validation only) and outputs (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.models import EventRegistration, WellnessEvent

SEAT_HOLDERS = frozenset(
    {EventRegistration.Status.REGISTERED, EventRegistration.Status.ATTENDED}
)
ONLINE_URL_HELP = (
    "The join link: only for a user holding a seat (registered or attended); "
    "null otherwise or for an in-person event."
)


class EventListInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WellnessEvent.Kind.choices, required=False)
    date_from = serializers.DateField(
        required=False,
        help_text="Events starting on or after this local date (YYYY-MM-DD).",
    )
    date_to = serializers.DateField(
        required=False,
        help_text="Events starting on or before this local date (YYYY-MM-DD).",
    )
    include_full = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also list events with no seat left (to join their waitlist).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_from, date_to = attrs.get("date_from"), attrs.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise serializers.ValidationError(
                {"date_from": ["Must not be after 'date_to'."]}
            )
        return attrs


class EventRegistrationListInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=EventRegistration.Status.choices, required=False
    )


def _duration_seconds(event: WellnessEvent) -> int:
    return int((event.ends_at - event.starts_at).total_seconds())


class _EventFields(serializers.ModelSerializer):
    duration_seconds = serializers.SerializerMethodField()
    seats_left = serializers.IntegerField(read_only=True)
    is_online = serializers.SerializerMethodField(
        help_text="Whether it has an online join link."
    )

    class Meta:
        model = WellnessEvent
        fields = (
            "id",
            "title",
            "description",
            "kind",
            "host",
            "starts_at",
            "ends_at",
            "duration_seconds",
            "capacity",
            "seats_left",
            "is_online",
            "place",
            "is_premium",
        )
        read_only_fields = fields

    def get_duration_seconds(self, event: WellnessEvent) -> int:
        return _duration_seconds(event)

    def get_is_online(self, event: WellnessEvent) -> bool:
        return bool(event.online_url)


class EventSummaryOutput(_EventFields):
    """An event inside one of the user's registrations."""


class EventOutput(_EventFields):
    """A published event with the user's own registration (read from the
    ``registration_id`` / ``registration_status`` annotations of
    ``wellness.selectors.events``)."""

    registration_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="My active registration (registered, waitlisted or attended).",
    )
    registration_status = serializers.ChoiceField(
        choices=EventRegistration.Status.choices,
        read_only=True,
        allow_null=True,
    )
    online_url = serializers.SerializerMethodField(help_text=ONLINE_URL_HELP)

    class Meta(_EventFields.Meta):
        fields = (
            *_EventFields.Meta.fields,
            "online_url",
            "registration_id",
            "registration_status",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_online_url(self, event: Any) -> str | None:
        holds_seat = event.registration_status in SEAT_HOLDERS
        return (event.online_url or None) if holds_seat else None


class EventRegistrationOutput(serializers.ModelSerializer):
    event = EventSummaryOutput(read_only=True)
    online_url = serializers.SerializerMethodField(help_text=ONLINE_URL_HELP)

    class Meta:
        model = EventRegistration
        fields = (
            "id",
            "status",
            "event",
            "online_url",
            "created_at",
            "registered_at",
            "cancelled_at",
            "attended_at",
        )
        read_only_fields = fields
        extra_kwargs = {
            "created_at": {"help_text": "When I registered or joined the waitlist."},
            "registered_at": {
                "help_text": "When I got a seat (at once, or from the waitlist)."
            },
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_online_url(self, registration: EventRegistration) -> str | None:
        if registration.status not in SEAT_HOLDERS:
            return None
        return registration.event.online_url or None
