"""Input serializers only validate; output serializers are read-only."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from journal import selectors
from journal.models import (
    EMOTIONS,
    FACTORS,
    CrisisResource,
    GratitudeEntry,
    JournalEntry,
    MoodEntry,
    MoodTag,
    Prompt,
)
from journal.services import MoodLogged, moment_error
from journal.text import MAX_TAG_LENGTH, MAX_TAGS, normalise_tags, normalise_text
from journal.text import reject_markup as _reject_markup
from kaya import output
from kaya.idempotency import CLIENT_ID_HELP
from kaya.schema import BlankOrURLOutputField
from kaya.sync import UPDATED_SINCE_HELP, AwareDateTimeField
from kaya.timeutils import local_today

BODY_MAX_LENGTH = 20_000
TITLE_MAX_LENGTH = 200
GRATITUDE_ITEM_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 2_000
# A mood history spans at most this many local days (30 by default).
MAX_HISTORY_DAYS = 92
DEFAULT_HISTORY_DAYS = 30


# --- fields -----------------------------------------------------------------


class PlainTextField(serializers.CharField):
    """A string (never a number or bool coerced to one), without HTML markup."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        value = super().to_internal_value(normalise_text(data))
        try:
            return _reject_markup(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="markup") from None


class TagListField(serializers.ListField):
    child = PlainTextField(max_length=MAX_TAG_LENGTH * 2)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TAGS)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        raw = super().to_internal_value(data)
        try:
            return normalise_tags(raw)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class EntryMomentField(AwareDateTimeField):
    """When an entry happened: at most 7 days ago, never in the future."""

    def to_internal_value(self, value: Any) -> Any:
        moment = super().to_internal_value(value)
        if error := moment_error(moment):
            raise serializers.ValidationError(error)
        return moment


# --- prompts and crisis resources ------------------------------------------


class PromptOutput(serializers.ModelSerializer):
    class Meta:
        model = Prompt
        fields = ("id", "text")
        read_only_fields = fields


# Answers a collection's GET with one object, not a list.
@extend_schema_serializer(many=False)
class DailyPromptOutput(serializers.Serializer):
    local_date = serializers.DateField(read_only=True)
    prompt = PromptOutput(read_only=True, allow_null=True)


class CrisisResourceOutput(serializers.ModelSerializer):
    # A helpline may have no website: "" then, which the document allows.
    url = BlankOrURLOutputField(read_only=True)

    class Meta:
        model = CrisisResource
        fields = ("name", "description", "phone", "sms", "url")
        read_only_fields = fields


class SupportOutput(serializers.Serializer):
    message = serializers.CharField(read_only=True)
    locale = serializers.CharField(read_only=True)
    resources = CrisisResourceOutput(many=True, read_only=True)


# --- journal entries --------------------------------------------------------


def _journal_entry(entry: Any, zone: Any) -> dict[str, Any]:
    """``JournalEntryOutput``'s dict of an entry (a model instance or a
    prepared row), its instants written in ``zone`` (``output.instant_zone()``)."""
    occurred_at, created_at, updated_at, deleted_at = output.instants_in(
        zone, entry.occurred_at, entry.created_at, entry.updated_at, entry.deleted_at
    )
    names = getattr(entry, "tag_names", None)
    if names is None:
        names = [tag.name for tag in entry.tags.all()]
    prompt = entry.prompt
    return {
        "id": entry.pk,
        "title": output.text(entry.title),
        "body": output.text(entry.body),
        "tags": list(names),
        "prompt": None if prompt is None else {"id": prompt.pk, "text": prompt.text},
        "mood_entry_id": entry.mood_entry_id,
        "client_id": output.uuid_text(entry.client_id),
        "occurred_at": occurred_at,
        "local_date": output.day(entry.local_date),
        "created_at": created_at,
        "updated_at": updated_at,
        "deleted_at": deleted_at,
    }


class JournalEntryOutput(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    prompt = PromptOutput(read_only=True, allow_null=True)
    mood_entry_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = JournalEntry
        fields = (
            "id",
            "title",
            "body",
            "tags",
            "prompt",
            "mood_entry_id",
            "client_id",
            "occurred_at",
            "local_date",
            "created_at",
            "updated_at",
            "deleted_at",
        )
        read_only_fields = fields
        list_serializer_class = output.OutputList
        extra_kwargs = {
            "deleted_at": {
                "help_text": "Set on a deleted entry's tombstone (delta sync only)."
            }
        }

    def to_representation(self, instance: JournalEntry) -> dict[str, Any]:
        """The declared fields, written without DRF's per-field lookups (the
        journal page's hottest path); the same JSON, field for field. Tags come
        from the selector's ``tag_names`` when present (one query per page)."""
        return self.row(instance, output.instant_zone())

    def row(self, instance: Any, zone: Any) -> dict[str, Any]:
        """One entry of a page (``output.OutputList``), the zone read once."""
        return _journal_entry(instance, zone)


@extend_schema_field(OpenApiTypes.INT)
class _UserMoodEntryField(serializers.PrimaryKeyRelatedField):
    """A mood entry of the requesting user; others' ids are simply unknown."""

    default_error_messages = {
        "does_not_exist": "Unknown mood entry.",
        "incorrect_type": "Must be a mood entry id.",
    }

    def get_queryset(self) -> QuerySet[MoodEntry]:
        return selectors.mood_entry_linkable(user=self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _PromptField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "Unknown prompt.",
        "incorrect_type": "Must be a prompt id.",
    }

    def get_queryset(self) -> QuerySet[Prompt]:
        return selectors.prompt_linkable()


class JournalEntryCreateInput(serializers.Serializer):
    title = PlainTextField(
        max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True
    )
    body = PlainTextField(max_length=BODY_MAX_LENGTH)
    tags = TagListField(required=False)
    prompt_id = _PromptField(source="prompt", required=False, allow_null=True)
    mood_entry_id = _UserMoodEntryField(
        source="mood_entry", required=False, allow_null=True
    )
    occurred_at = EntryMomentField(
        required=False, help_text="Defaults to now; at most 7 days ago."
    )
    client_id = serializers.UUIDField(required=False, help_text=CLIENT_ID_HELP)


class JournalEntryUpdateInput(serializers.Serializer):
    title = PlainTextField(
        max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True
    )
    body = PlainTextField(max_length=BODY_MAX_LENGTH, required=False)
    tags = TagListField(required=False)
    prompt_id = _PromptField(source="prompt", required=False, allow_null=True)
    mood_entry_id = _UserMoodEntryField(
        source="mood_entry", required=False, allow_null=True
    )


class DateRangeInput(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text="First local date (YYYY-MM-DD), inclusive."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last local date (YYYY-MM-DD), inclusive."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": ["Must be on or after date_from."]}
            )
        return attrs


class GratitudeEntryListInput(DateRangeInput):
    updated_since = AwareDateTimeField(required=False, help_text=UPDATED_SINCE_HELP)


class JournalEntryListInput(GratitudeEntryListInput):
    tag = serializers.CharField(
        required=False, max_length=MAX_TAG_LENGTH * 2, help_text="One tag."
    )

    def validate_tag(self, value: str) -> str:
        try:
            return normalise_tags([value])[0]
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


# --- gratitude --------------------------------------------------------------


class GratitudeEntryOutput(serializers.ModelSerializer):
    items = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = GratitudeEntry
        fields = (
            "id",
            "items",
            "client_id",
            "occurred_at",
            "local_date",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class GratitudeEntryCreateInput(serializers.Serializer):
    items = serializers.ListField(
        child=PlainTextField(max_length=GRATITUDE_ITEM_MAX_LENGTH),
        min_length=1,
        max_length=3,
        help_text="One to three short things you are grateful for.",
    )
    occurred_at = EntryMomentField(
        required=False, help_text="Defaults to now; at most 7 days ago."
    )
    client_id = serializers.UUIDField(required=False, help_text=CLIENT_ID_HELP)


# --- mood -------------------------------------------------------------------


class MoodEntryOutput(serializers.ModelSerializer):
    emotions = serializers.SerializerMethodField()
    factors = serializers.SerializerMethodField()

    class Meta:
        model = MoodEntry
        fields = (
            "id",
            "mood",
            "score",
            "intensity",
            "emotions",
            "factors",
            "note",
            "client_id",
            "logged_at",
            "local_date",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    # Read from the selector's ``emotion_values``/``factor_values`` (same query)
    # when present, else from the entry's tags (a freshly logged mood).
    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_emotions(self, obj: MoodEntry) -> list[str]:
        return _mood_tags(obj, "emotion_values", MoodTag.Kind.EMOTION)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_factors(self, obj: MoodEntry) -> list[str]:
        return _mood_tags(obj, "factor_values", MoodTag.Kind.FACTOR)

    def to_representation(self, instance: MoodEntry) -> dict[str, Any]:
        """The declared fields without DRF's per-field lookups (mood history's
        hottest path); the same JSON, field for field."""
        return _mood_entry(instance, output.instant_zone())


def _mood_tags(obj: MoodEntry, annotation: str, kind: str) -> list[str]:
    values = getattr(obj, annotation, None)
    if values is None:
        return [t.value for t in obj.tags.all() if t.kind == kind]
    return list(values)


def _mood_entry(entry: Any, zone: Any) -> dict[str, Any]:
    """``MoodEntryOutput``'s dict of a mood entry (a model instance or a
    prepared row), its instants written in ``zone`` (``output.instant_zone()``,
    read once per response)."""
    logged_at, created_at, updated_at = output.instants_in(
        zone, entry.logged_at, entry.created_at, entry.updated_at
    )
    return {
        "id": entry.pk,
        "mood": output.choice(entry.mood),
        "score": output.integer(entry.score),
        "intensity": output.integer(entry.intensity),
        "emotions": _mood_tags(entry, "emotion_values", MoodTag.Kind.EMOTION),
        "factors": _mood_tags(entry, "factor_values", MoodTag.Kind.FACTOR),
        "note": output.text(entry.note),
        "client_id": output.uuid_text(entry.client_id),
        "logged_at": logged_at,
        "local_date": output.day(entry.local_date),
        "created_at": created_at,
        "updated_at": updated_at,
    }


class MoodEntryCreatedOutput(MoodEntryOutput):
    support = SupportOutput(
        read_only=True,
        allow_null=True,
        help_text=(
            "Crisis resources for the user's locale when a very low mood is "
            "logged with high intensity; null otherwise."
        ),
    )

    class Meta(MoodEntryOutput.Meta):
        fields = (*MoodEntryOutput.Meta.fields, "support")
        read_only_fields = fields

    def to_representation(self, instance: MoodLogged) -> dict[str, Any]:
        """Renders what ``services.mood_entry_create`` returns: the entry's
        fields, then the support block the service decided on."""
        data = dict(MoodEntryOutput(instance.entry, context=self.context).data)
        support = instance.support
        data["support"] = None if support is None else SupportOutput(support).data
        return data


class MoodEntryCreateInput(serializers.Serializer):
    mood = serializers.ChoiceField(choices=MoodEntry.Mood.choices)
    intensity = serializers.IntegerField(min_value=1, max_value=10)
    emotions = serializers.ListField(
        child=serializers.ChoiceField(choices=EMOTIONS),
        required=False,
        max_length=len(EMOTIONS),
        help_text="From the documented emotion vocabulary.",
    )
    factors = serializers.ListField(
        child=serializers.ChoiceField(choices=FACTORS),
        required=False,
        max_length=len(FACTORS),
        help_text="From the documented factor vocabulary.",
    )
    note = PlainTextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    logged_at = EntryMomentField(
        required=False, help_text="Defaults to now; at most 7 days ago, not future."
    )
    client_id = serializers.UUIDField(required=False, help_text=CLIENT_ID_HELP)

    def validate_intensity(self, value: Any) -> int:
        # IntegerField accepts "7" and 7.0; an intensity must be a JSON integer.
        if isinstance(self.initial_data.get("intensity"), (str, float, bool)):
            raise serializers.ValidationError("Must be an integer.")
        return int(value)


class MoodDayOutput(serializers.Serializer):
    local_date = serializers.DateField()
    entries_count = serializers.IntegerField()
    average_score = serializers.FloatField()
    average_intensity = serializers.FloatField()
    lowest_score = serializers.IntegerField()
    highest_score = serializers.IntegerField()

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        return _mood_day(instance)


def _mood_day(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "local_date": output.day(row["local_date"]),
        "entries_count": output.integer(row["entries_count"]),
        "average_score": output.floating(row["average_score"]),
        "average_intensity": output.floating(row["average_intensity"]),
        "lowest_score": output.integer(row["lowest_score"]),
        "highest_score": output.integer(row["highest_score"]),
    }


# Answers a collection's GET with one object, not a list.
@extend_schema_serializer(many=False)
class MoodHistoryOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    days = MoodDayOutput(many=True, help_text="Days with entries, oldest first.")
    entries = MoodEntryOutput(many=True, help_text="Newest first.")

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        """Written directly (``kaya.output``), rows included, in one pass
        with the time zone read once: mood history's hottest path; the same
        JSON, field for field."""
        zone = output.instant_zone()
        return {
            "date_from": output.day(instance["date_from"]),
            "date_to": output.day(instance["date_to"]),
            "days": [_mood_day(row) for row in instance["days"]],
            "entries": [_mood_entry(row, zone) for row in instance["entries"]],
        }


class MoodEntryListInput(DateRangeInput):
    """Defaults to the last 30 local days of the requesting user."""

    updated_since = AwareDateTimeField(
        required=False,
        help_text="Delta sync: `entries` only holds the entries of the range "
        "changed at or after this instant, oldest change first (`days` still "
        "cover the whole range). An entry is logged at most 7 days before it is "
        "stored: ask from 8 days before your last sync.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        today = local_today(self.context["request"].user.timezone)
        end = attrs.get("date_to") or max(today, attrs.get("date_from") or today)
        # Clamped at date.min: 30 days before 0001-01-05 would overflow.
        start = attrs.get("date_from") or date.fromordinal(
            max(1, end.toordinal() - (DEFAULT_HISTORY_DAYS - 1))
        )
        if (end - start).days >= MAX_HISTORY_DAYS:
            raise serializers.ValidationError(
                {"date_from": [f"A history spans at most {MAX_HISTORY_DAYS} days."]}
            )
        return {
            "date_from": start,
            "date_to": end,
            "updated_since": attrs.get("updated_since"),
        }


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MoodCalendarInput(serializers.Serializer):
    # The pattern puts the form in the document: months 01-12, years from 0001.
    month = serializers.RegexField(
        r"^(\d{3}[1-9]|\d{2}[1-9]\d|\d[1-9]\d{2}|[1-9]\d{3})-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": "Use the form YYYY-MM."},
        help_text="YYYY-MM; defaults to the user's current month.",
    )

    def validate_month(self, value: str) -> date:
        match = _MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
            raise serializers.ValidationError("Use the form YYYY-MM.")
        return date(int(match.group(1)), int(match.group(2)), 1)


class MoodCalendarDayOutput(serializers.Serializer):
    local_date = serializers.DateField()
    entries_count = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)


class MoodCalendarOutput(serializers.Serializer):
    month = serializers.CharField()
    days = MoodCalendarDayOutput(many=True)
