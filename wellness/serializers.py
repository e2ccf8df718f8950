"""Input serializers only validate; output serializers are read-only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kaya import output
from kaya.idempotency import CLIENT_ID_HELP
from kaya.schema import BlankOrURLOutputField
from kaya.sync import UpdatedSinceInput
from wellness.models import (
    MAX_SESSION_SECONDS,
    ProgramDay,
    ProgramEnrollment,
    SessionType,
    WellnessProgram,
    WellnessSession,
    translated,
)
from wellness.selectors.sessions import SESSION_FIELDS
from wellness.streaks import STREAK_RULE

MOOD_HELP = "1 (very low) to 5 (great)."


class _QueryInput(serializers.Serializer):
    """List filters from a query string. An empty value (``?type=``) is refused
    like any other value the document does not allow (kaya.api.validated reads
    it as given); leave a filter out to not filter."""


class _FilterBooleanField(serializers.BooleanField):
    """``true``/``false``/``1``/``0`` in any case; anything else is a 400."""

    def to_internal_value(self, data: Any) -> bool | None:
        value = {"true": True, "1": True, "false": False, "0": False}.get(
            str(data).lower()
        )
        if value is None:
            self.fail("invalid", input=data)
        return value


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------
class SessionListInput(_QueryInput, UpdatedSinceInput):
    type = serializers.ChoiceField(choices=SessionType.choices, required=False)
    status = serializers.ChoiceField(
        choices=WellnessSession.Status.choices, required=False
    )
    date_from = serializers.DateField(
        required=False,
        help_text="Sessions on or after this local date (YYYY-MM-DD).",
    )
    date_to = serializers.DateField(
        required=False,
        help_text="Sessions on or before this local date (YYYY-MM-DD).",
    )


class SessionCreateInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=SessionType.choices)
    title = serializers.CharField(max_length=200)
    planned_duration_seconds = serializers.IntegerField(
        min_value=1, max_value=MAX_SESSION_SECONDS
    )
    client_id = serializers.UUIDField(required=False, help_text=CLIENT_ID_HELP)
    enrollment_id = serializers.IntegerField(
        required=False, min_value=1, help_text="One of my program enrollments."
    )
    program_day_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A program day's `id` (the program's `days[].id`), not its "
        "`day_number`; needs `enrollment_id`.",
    )
    generated_content_id = serializers.UUIDField(
        required=False,
        help_text="The `content_id` of one of my AI generation jobs "
        "(`GET /ai/jobs/{id}`): the session is started from that content.",
    )
    mood_before = serializers.IntegerField(
        required=False, min_value=1, max_value=5, help_text=MOOD_HELP
    )


class SessionCompleteInput(serializers.Serializer):
    actual_duration_seconds = serializers.IntegerField(
        min_value=1,
        max_value=MAX_SESSION_SECONDS,
        help_text=f"At most {MAX_SESSION_SECONDS} seconds (4 hours).",
    )
    mood_after = serializers.IntegerField(
        required=False, min_value=1, max_value=5, help_text=MOOD_HELP
    )
    notes = serializers.CharField(
        required=False, max_length=2000, allow_blank=True, default=""
    )


class SessionProgressInput(serializers.Serializer):
    progress_seconds = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SESSION_SECONDS,
        help_text="The player's position from the start of the session.",
    )
    device_id = serializers.CharField(
        required=False,
        max_length=64,
        default="",
        help_text="Echoed in the push so the sending device can ignore it.",
    )


class SessionOutput(serializers.ModelSerializer):
    enrollment_id = serializers.IntegerField(read_only=True, allow_null=True)
    program_day_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="A program day's `id`."
    )

    class Meta:
        model = WellnessSession
        fields = SESSION_FIELDS
        read_only_fields = fields
        list_serializer_class = output.OutputList

    def to_representation(self, instance: WellnessSession) -> dict[str, Any]:
        return self.row(instance, output.instant_zone())

    def row(self, instance: WellnessSession, zone: Any) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``), as the
        sessions page's rows; the same JSON, field for field."""
        started_at, completed_at, abandoned_at, updated_at = output.instants_in(
            zone,
            instance.started_at,
            instance.completed_at,
            instance.abandoned_at,
            instance.updated_at,
        )
        return {
            "id": instance.pk,
            "type": output.choice(instance.type),
            "title": output.text(instance.title),
            "status": output.choice(instance.status),
            "client_id": output.uuid_text(instance.client_id),
            "planned_duration_seconds": output.integer(
                instance.planned_duration_seconds
            ),
            "actual_duration_seconds": output.integer(instance.actual_duration_seconds),
            "progress_seconds": output.integer(instance.progress_seconds),
            "enrollment_id": output.integer(instance.enrollment_id),
            "program_day_id": output.integer(instance.program_day_id),
            "generated_content_id": instance.generated_content_id,
            "mood_before": output.integer(instance.mood_before),
            "mood_after": output.integer(instance.mood_after),
            "notes": output.text(instance.notes),
            "started_at": started_at,
            "completed_at": completed_at,
            "abandoned_at": abandoned_at,
            "local_date": output.day(instance.local_date),
            "updated_at": updated_at,
        }


class StreakOutput(serializers.Serializer):
    current_streak = serializers.IntegerField(required=False, help_text=STREAK_RULE)
    longest_streak = serializers.IntegerField(
        required=False, help_text="Absent in gentle mode."
    )
    streak_freezes_available = serializers.IntegerField(
        required=False, help_text="Absent in gentle mode."
    )


class SessionCompleteOutput(SessionOutput):
    streak = serializers.SerializerMethodField()
    program_day_counted = serializers.SerializerMethodField()

    class Meta(SessionOutput.Meta):
        fields = (*SessionOutput.Meta.fields, "streak", "program_day_counted")
        read_only_fields = fields

    @extend_schema_field(
        serializers.BooleanField(
            allow_null=True,
            help_text="For a program session: true when its program day is done; "
            "false when the day was still locked, so the session counts for the "
            "streak but the program did not advance. Null outside a program.",
        )
    )
    def get_program_day_counted(self, obj: WellnessSession) -> bool | None:
        return self.context.get("program_day_counted")

    @extend_schema_field(StreakOutput)
    def get_streak(self, obj: WellnessSession) -> dict[str, Any]:
        return self.context.get("streak", {})

    def row(self, instance: WellnessSession, zone: Any) -> dict[str, Any]:
        data = super().row(instance, zone)
        data["streak"] = self.get_streak(instance)
        data["program_day_counted"] = self.get_program_day_counted(instance)
        return data


class PeriodTotalsOutput(serializers.Serializer):
    sessions_count = serializers.IntegerField(help_text="Completed sessions.")
    duration_seconds = serializers.IntegerField(
        help_text="Sum of the completed sessions' actual durations."
    )


class TypeTotalsOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=SessionType.choices)
    sessions_count = serializers.IntegerField()
    duration_seconds = serializers.IntegerField()


class SessionStatsOutput(StreakOutput):
    sessions_count = serializers.IntegerField(help_text="Completed sessions.")
    duration_seconds = serializers.IntegerField(
        help_text="Sum of the completed sessions' actual durations."
    )
    by_type = TypeTotalsOutput(many=True)
    this_week = PeriodTotalsOutput(
        help_text="Monday to today, in the user's time zone."
    )
    last_week = PeriodTotalsOutput()
    average_mood_change = serializers.FloatField(
        allow_null=True,
        help_text="Mean of mood_after - mood_before over sessions with both.",
    )
    mood_change_sessions_count = serializers.IntegerField(
        help_text="Sessions with both moods, behind average_mood_change."
    )


# ---------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------
class ProgramListInput(_QueryInput):
    category = serializers.ChoiceField(
        choices=WellnessProgram.Category.choices, required=False
    )
    difficulty = serializers.ChoiceField(
        choices=WellnessProgram.Difficulty.choices, required=False
    )
    premium = _FilterBooleanField(required=False, allow_null=True)
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Search in the title."
    )


class _TranslatedOutput(serializers.ModelSerializer):
    """Shows ``translated_fields`` in the languages of ``context["languages"]``
    (the user's locale first; see ``selectors.content_languages``)."""

    translated_fields: tuple[str, ...] = ()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        languages = self.context.get("languages", ())
        for name in self.translated_fields:
            if name in data and data[name] is not None:
                data[name] = translated(instance, name, languages)
        return data


class ProgramOutput(_TranslatedOutput):
    translated_fields = ("title", "summary", "description")
    cover_image_url = BlankOrURLOutputField(read_only=True)

    class Meta:
        model = WellnessProgram
        fields = (
            "id",
            "title",
            "slug",
            "summary",
            "category",
            "difficulty",
            "cover_image_url",
            "is_premium",
            "days_count",
        )
        read_only_fields = fields

    def to_representation(self, instance: WellnessProgram) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``), as the
        catalogue's rows and each enrollment's program; the same JSON."""
        return program_output(instance, self.context.get("languages", ()))


def program_output(
    program: WellnessProgram, languages: tuple[str, ...]
) -> dict[str, Any]:
    """``ProgramOutput``'s JSON of ``program``, its text in ``languages``."""
    return {
        "id": program.pk,
        "title": _shown(program, "title", languages),
        "slug": output.text(program.slug),
        "summary": _shown(program, "summary", languages),
        "category": output.choice(program.category),
        "difficulty": output.choice(program.difficulty),
        "cover_image_url": output.text(program.cover_image_url),
        "is_premium": output.boolean(program.is_premium),
        "days_count": output.integer(program.days_count),
    }


def _shown(obj: Any, name: str, languages: tuple[str, ...]) -> Any:
    """A translated CharField's output, as ``_TranslatedOutput`` writes it."""
    if getattr(obj, name) is None:
        return None
    return translated(obj, name, languages)


class ProgramDayOutput(_TranslatedOutput):
    translated_fields = ("title", "content")
    duration_seconds = serializers.SerializerMethodField(
        help_text="Suggested practice length."
    )
    status = serializers.SerializerMethodField(
        help_text="For an enrolled user: done, unlocked (the next day, available "
        "today) or locked; null when not enrolled."
    )

    class Meta:
        model = ProgramDay
        fields = (
            "id",
            "day_number",
            "title",
            "content",
            "session_type",
            "duration_seconds",
            "status",
        )
        read_only_fields = fields
        extra_kwargs = {
            "content": {
                "allow_null": True,
                "help_text": "Null for a premium program unless you are premium.",
            }
        }

    def get_duration_seconds(self, obj: ProgramDay) -> int:
        # Staff author days in whole minutes (the admin); the API speaks seconds.
        return obj.duration_minutes * 60

    def get_status(self, obj: ProgramDay) -> str | None:
        return self.context.get("day_states", {}).get(obj.day_number)

    def to_representation(self, instance: ProgramDay) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("content_visible", True):
            data["content"] = None
        return data


class NextDayOutput(serializers.Serializer):
    day_number = serializers.IntegerField()
    unlocked = serializers.BooleanField()
    unlocks_on = serializers.DateField(help_text="User's local date.")


class EnrollmentOutput(serializers.ModelSerializer):
    # Nested: shares this serializer's context (and so its languages).
    program = ProgramOutput(read_only=True)
    days_completed_count = serializers.IntegerField(
        source="days_completed", read_only=True
    )
    next_day = serializers.SerializerMethodField()

    class Meta:
        model = ProgramEnrollment
        fields = (
            "id",
            "program",
            "enrolled_at",
            "days_completed_count",
            "progress_percent",
            "completed_at",
            "next_day",
        )
        read_only_fields = fields
        list_serializer_class = output.OutputList

    @extend_schema_field(NextDayOutput(allow_null=True))
    def get_next_day(self, obj: ProgramEnrollment) -> dict[str, Any] | None:
        value = obj.next_day(self.context["today"])
        return None if value is None else NextDayOutput(value).data

    def to_representation(self, instance: ProgramEnrollment) -> dict[str, Any]:
        return self.row(instance, output.instant_zone())

    def row(self, instance: ProgramEnrollment, zone: Any) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``): DRF built
        this serializer's fields and the nested program's on every request.
        The same JSON, field for field."""
        enrolled_at, completed_at = output.instants_in(
            zone, instance.enrolled_at, instance.completed_at
        )
        next_day = instance.next_day(self.context["today"])
        return {
            "id": instance.pk,
            "program": program_output(
                instance.program, self.context.get("languages", ())
            ),
            "enrolled_at": enrolled_at,
            "days_completed_count": output.integer(instance.days_completed),
            "progress_percent": output.integer(instance.progress_percent),
            "completed_at": completed_at,
            "next_day": None
            if next_day is None
            else {
                "day_number": output.integer(next_day["day_number"]),
                "unlocked": output.boolean(next_day["unlocked"]),
                "unlocks_on": output.day(next_day["unlocks_on"]),
            },
        }


class ProgramDetailOutput(ProgramOutput):
    days = serializers.SerializerMethodField()
    enrollment = serializers.SerializerMethodField()

    class Meta(ProgramOutput.Meta):
        fields = (*ProgramOutput.Meta.fields, "description", "days", "enrollment")
        read_only_fields = fields

    def to_representation(self, instance: WellnessProgram) -> dict[str, Any]:
        # One program with its days: DRF's generic path, not the catalogue
        # rows' direct one (which writes only ProgramOutput's fields).
        return _TranslatedOutput.to_representation(self, instance)

    @extend_schema_field(ProgramDayOutput(many=True))
    def get_days(self, obj: WellnessProgram) -> Any:
        return ProgramDayOutput(obj.days.all(), many=True, context=self.context).data

    @extend_schema_field(EnrollmentOutput(allow_null=True))
    def get_enrollment(self, obj: WellnessProgram) -> Any:
        enrollment = self.context.get("enrollment")
        if enrollment is None:
            return None
        return EnrollmentOutput(enrollment, context=self.context).data


class EnrollmentProgressInput(serializers.Serializer):
    day_number = serializers.IntegerField(
        min_value=1,
        help_text="The next unlocked day, or an earlier (already done) day.",
    )
