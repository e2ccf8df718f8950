"""Inputs validate one operation each; outputs are read-only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from coaching.models import (
    AIConversation,
    AIGenerationJob,
    AIMessage,
    BookingTransition,
    Therapist,
    TherapistBooking,
)
from coaching.selectors.bookings import PAST, UPCOMING
from coaching.selectors.therapists import MAX_SLOT_RANGE_DAYS, therapist_list
from journal.serializers import SupportOutput
from kaya.schema import BlankOrURLOutputField
from kaya.timeutils import local_day_bounds, local_today, zone


class OptionalBooleanField(serializers.BooleanField):
    """A query-string boolean that is absent (not False) when not given."""

    default_empty_html = empty


# --- therapists --------------------------------------------------------------
class TherapistOutput(serializers.ModelSerializer):
    specialties = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    rating_average = serializers.FloatField(allow_null=True)
    photo_url = BlankOrURLOutputField(read_only=True)

    class Meta:
        model = Therapist
        fields = (
            "id",
            "display_name",
            "photo_url",
            "credentials",
            "specialties",
            "languages",
            "timezone",
            "session_duration_seconds",
            "price_cents",
            "currency",
            "accepts_new_clients",
            "rating_average",
            "rating_count",
        )
        read_only_fields = fields


class TherapistDetailOutput(TherapistOutput):
    approaches = serializers.ListField(child=serializers.CharField())

    class Meta(TherapistOutput.Meta):
        fields = (
            *TherapistOutput.Meta.fields,
            "bio",
            "approaches",
            "min_notice_seconds",
        )
        read_only_fields = fields


def _date_range(attrs: dict[str, Any], today: date) -> tuple[date, date]:
    date_from = attrs.get("date_from") or today
    date_to = attrs.get("date_to") or date_from + timedelta(days=6)
    if date_to < date_from:
        raise serializers.ValidationError(
            {"date_to": ["Must not be before date_from."]}
        )
    if (date_to - date_from).days + 1 > MAX_SLOT_RANGE_DAYS:
        raise serializers.ValidationError(
            {"date_to": [f"A range is at most {MAX_SLOT_RANGE_DAYS} days."]}
        )
    return date_from, date_to


class TherapistSlotListInput(serializers.Serializer):
    """Local dates in the requesting user's time zone, both included."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_from, date_to = _date_range(attrs, local_today(self.context["timezone"]))
        return {"date_from": date_from, "date_to": date_to}


class TherapistListInput(serializers.Serializer):
    specialty = serializers.CharField(required=False, max_length=64)
    language = serializers.CharField(required=False, max_length=16)
    accepts_new_clients = OptionalBooleanField(required=False)
    search = serializers.CharField(
        required=False, max_length=100, help_text="Part of the therapist's name."
    )
    date_from = serializers.DateField(
        required=False,
        help_text="With date_to: only therapists with a bookable slot in this range "
        "of local dates (the requesting user's time zone, at most 31 days).",
    )
    date_to = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "date_from" not in attrs and "date_to" not in attrs:
            return attrs
        tz_name = self.context["timezone"]
        date_from, date_to = _date_range(attrs, local_today(tz_name))
        attrs.pop("date_from", None)
        attrs.pop("date_to", None)
        start, _ = local_day_bounds(date_from, tz_name)
        _, end = local_day_bounds(date_to, tz_name)
        attrs["available_between"] = (start, end)
        return attrs


def _local(value: datetime, tz_name: str) -> str:
    return value.astimezone(zone(tz_name)).isoformat()


class SlotOutput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    local_starts_at = serializers.SerializerMethodField(
        help_text="The start in the requesting user's time zone, with its offset."
    )
    local_ends_at = serializers.SerializerMethodField(
        help_text="The end in the requesting user's time zone, with its offset."
    )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_local_starts_at(self, slot: Any) -> str:
        return _local(slot.starts_at, self.context["timezone"])

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_local_ends_at(self, slot: Any) -> str:
        return _local(slot.ends_at, self.context["timezone"])


class TherapistSlotListOutput(serializers.Serializer):
    therapist_id = serializers.IntegerField()
    timezone = serializers.CharField(help_text="The requesting user's time zone.")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    slots = SlotOutput(many=True)


# --- bookings ----------------------------------------------------------------
class BookingCreateInput(serializers.Serializer):
    therapist_id = serializers.PrimaryKeyRelatedField(
        queryset=therapist_list(), source="therapist"
    )
    starts_at = serializers.DateTimeField(help_text="A slot's start, as listed.")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )


class BookingRescheduleInput(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="The new slot's start.")


class BookingListInput(serializers.Serializer):
    when = serializers.ChoiceField(choices=(UPCOMING, PAST), required=False)


class BookingTransitionOutput(serializers.ModelSerializer):
    class Meta:
        model = BookingTransition
        fields = (
            "from_status",
            "to_status",
            "reason",
            "previous_starts_at",
            "created_at",
        )
        read_only_fields = fields


class BookingOutput(serializers.ModelSerializer):
    therapist_display_name = serializers.CharField(source="therapist.display_name")

    class Meta:
        model = TherapistBooking
        fields = (
            "id",
            "therapist_id",
            "therapist_display_name",
            "starts_at",
            "ends_at",
            "status",
            "note",
            "cancelled_at",
            "cancelled_late",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class BookingDetailOutput(BookingOutput):
    transitions = BookingTransitionOutput(many=True)

    class Meta(BookingOutput.Meta):
        fields = (*BookingOutput.Meta.fields, "transitions")
        read_only_fields = fields


class TherapistBookingOutput(BookingOutput):
    """A booking as the therapist sees it: with the client's name."""

    client_user_id = serializers.IntegerField(source="user_id")
    client_display_name = serializers.CharField(source="user.display_name")

    class Meta(BookingOutput.Meta):
        fields = (*BookingOutput.Meta.fields, "client_user_id", "client_display_name")
        read_only_fields = fields


# --- the AI companion ------------------------------------------------------------
# The practice kinds a guided session can be generated for (a subset of the
# wellness session types; coaching cannot import wellness).
AI_SESSION_TYPES = ("meditation", "breathing", "body_scan", "sleep", "focus")
AI_VOICE_STYLES = ("calm", "warm", "energising")
AI_MAX_INSIGHT_DAYS = 92


class AIChatInput(serializers.Serializer):
    message = serializers.CharField(max_length=2000, trim_whitespace=True)
    conversation_id = serializers.IntegerField(
        required=False, min_value=1, help_text="Continue one of my conversations."
    )
    stream = serializers.BooleanField(
        default=False,
        help_text="Also push the reply over the websocket as `ai.chat.delta` "
        "pieces, then `ai.chat.done`.",
    )


class AIMessageOutput(serializers.ModelSerializer):
    class Meta:
        model = AIMessage
        fields = ("id", "role", "body", "replaced", "created_at")
        read_only_fields = fields


class AIChatOutput(serializers.Serializer):
    conversation_id = serializers.IntegerField(read_only=True)
    user_message = AIMessageOutput(read_only=True)
    reply = AIMessageOutput(read_only=True)
    support = SupportOutput(
        read_only=True,
        allow_null=True,
        help_text="Crisis lines for my locale and country, when the reply is the "
        "crisis message; else null.",
    )


class AIConversationOutput(serializers.ModelSerializer):
    class Meta:
        model = AIConversation
        fields = ("id", "title", "message_count", "created_at", "updated_at")
        read_only_fields = fields


class AIConversationDetailOutput(AIConversationOutput):
    messages = AIMessageOutput(many=True, read_only=True)

    class Meta(AIConversationOutput.Meta):
        fields = (*AIConversationOutput.Meta.fields, "messages")
        read_only_fields = fields


class AISessionGenerateInput(serializers.Serializer):
    goal = serializers.CharField(max_length=200)
    duration_seconds = serializers.IntegerField(min_value=60, max_value=3600)
    session_type = serializers.ChoiceField(
        choices=AI_SESSION_TYPES, default="meditation"
    )
    voice_style = serializers.ChoiceField(choices=AI_VOICE_STYLES, default="calm")


class AISleepStoryGenerateInput(serializers.Serializer):
    theme = serializers.CharField(max_length=200)
    duration_seconds = serializers.IntegerField(min_value=60, max_value=3600)


class AIPracticeStepOutput(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    instruction = serializers.CharField(read_only=True)
    duration_seconds = serializers.IntegerField(read_only=True)


class AIPracticeOutput(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    steps = AIPracticeStepOutput(many=True, read_only=True)
    script = serializers.CharField(read_only=True)


class AIJobOutput(serializers.ModelSerializer):
    result = AIPracticeOutput(
        read_only=True,
        allow_null=True,
        help_text="Set once `status` is `succeeded`. Start a session from it with "
        "POST /api/v1/sessions and `generated_content_id` = `content_id`.",
    )
    content_id = serializers.CharField(read_only=True)

    class Meta:
        model = AIGenerationJob
        fields = (
            "id",
            "kind",
            "status",
            "content_id",
            "result",
            "error_code",
            "created_at",
            "completed_at",
        )
        read_only_fields = fields


class AIMoodInsightsInput(serializers.Serializer):
    """Local dates, both included; at most 92 days."""

    date_from = serializers.DateField()
    date_to = serializers.DateField()
    include_journal_text = serializers.BooleanField(
        default=False,
        help_text="Also let the AI read my journal text in the range; otherwise "
        "only dates, moods and practice metadata are used.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError(
                {"date_to": ["Must be on or after date_from."]}
            )
        if (attrs["date_to"] - attrs["date_from"]).days >= AI_MAX_INSIGHT_DAYS:
            raise serializers.ValidationError(
                {"date_to": [f"At most {AI_MAX_INSIGHT_DAYS} days."]}
            )
        return attrs


class AIDataPointOutput(serializers.Serializer):
    ref = serializers.CharField(
        read_only=True, help_text='The source, e.g. "mood:12" or "session:7".'
    )
    kind = serializers.ChoiceField(
        choices=("mood", "session", "journal"), read_only=True
    )
    local_date = serializers.DateField(read_only=True)
    mood = serializers.CharField(read_only=True, allow_null=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)
    intensity = serializers.IntegerField(read_only=True, allow_null=True)
    session_type = serializers.CharField(read_only=True, allow_null=True)
    duration_seconds = serializers.IntegerField(read_only=True, allow_null=True)


class AIInsightOutput(serializers.Serializer):
    text = serializers.CharField(read_only=True)
    data_points = AIDataPointOutput(many=True, read_only=True)


class AIMoodInsightsOutput(serializers.Serializer):
    date_from = serializers.DateField(read_only=True)
    date_to = serializers.DateField(read_only=True)
    insights = AIInsightOutput(many=True, read_only=True)
