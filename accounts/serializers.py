"""Input serializers validate one operation each; output serializers are read-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import User, validate_timezone
from accounts.services import email_canonical_or_400
from kaya import output
from kaya.schema import BlankOrEmailOutputField, BlankOrURLOutputField

LOCALE_CHOICES = [code for code, _ in settings.LANGUAGES]


def _password_errors(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(list(exc.messages)) from None


def _timezone(value: str) -> str:
    try:
        validate_timezone(value)
    except DjangoValidationError:
        raise serializers.ValidationError(
            f"{value!r} is not a known IANA time zone."
        ) from None
    return value


class CanonicalEmailField(serializers.EmailField):
    """An address in its one canonical form (``accounts.addresses``).

    A non-ASCII local part is refused with the 400 code ``email_not_ascii``; any
    other bad address is a ``validation_error`` on the field.
    """

    def to_internal_value(self, data: Any) -> str:
        return email_canonical_or_400(super().to_internal_value(data))


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
class UserOutput(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(read_only=True)
    ai_consent = serializers.BooleanField(
        source="has_ai_consent",
        read_only=True,
        help_text="Consent to AI processing is given for the current version of "
        "its text (`ai_consent_version`); the AI endpoints need it.",
    )
    # Blank means "not set" (the model fields are blank=True).
    pending_email = BlankOrEmailOutputField(read_only=True)
    avatar_url = BlankOrURLOutputField(read_only=True)

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "pending_email",
            "email_verified",
            *User.PROFILE_FIELDS,
            "ai_consent",
            "ai_consent_version",
            "ai_consent_at",
            "subscription_tier",
            "subscription_expires_at",
            "is_staff",
            "date_joined",
            "updated_at",
        )
        read_only_fields = fields

    def to_representation(self, instance: User) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``): the profile
        is on every client's start-up path; the same JSON, field for field."""
        ai_consent_at, subscription_expires_at, date_joined, updated_at = (
            output.instants(
                instance.ai_consent_at,
                instance.subscription_expires_at,
                instance.date_joined,
                instance.updated_at,
            )
        )
        return {
            "id": instance.pk,
            "email": output.text(instance.email),
            "pending_email": output.text(instance.pending_email),
            "email_verified": output.boolean(instance.email_verified),
            "display_name": output.text(instance.display_name),
            "avatar_url": output.text(instance.avatar_url),
            "bio": output.text(instance.bio),
            "timezone": output.text(instance.timezone),
            "locale": output.text(instance.locale),
            "reminder_time": output.time_of_day(instance.reminder_time),
            "notify_email": output.boolean(instance.notify_email),
            "notify_push": output.boolean(instance.notify_push),
            "quiet_hours_start": output.time_of_day(instance.quiet_hours_start),
            "quiet_hours_end": output.time_of_day(instance.quiet_hours_end),
            "gentle_mode": output.boolean(instance.gentle_mode),
            "leaderboard_opt_out": output.boolean(instance.leaderboard_opt_out),
            "ai_consent": output.boolean(instance.has_ai_consent),
            "ai_consent_version": output.integer(instance.ai_consent_version),
            "ai_consent_at": ai_consent_at,
            "subscription_tier": output.choice(instance.subscription_tier),
            "subscription_expires_at": subscription_expires_at,
            "is_staff": output.boolean(instance.is_staff),
            "date_joined": date_joined,
            "updated_at": updated_at,
        }


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResultOutput(serializers.Serializer):
    user = UserOutput()
    access = serializers.CharField()
    refresh = serializers.CharField()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class UserStatsOutput(serializers.Serializer):
    """Totals; a number no app provides yet is absent rather than invented."""

    member_since = serializers.DateField(help_text="Local date of sign-up.")
    days_as_member = serializers.IntegerField()
    sessions_count = serializers.IntegerField(
        required=False, help_text="Completed practice sessions."
    )
    duration_seconds = serializers.IntegerField(
        required=False, help_text="Seconds of completed practice."
    )
    current_streak = serializers.IntegerField(
        required=False, help_text="Absent in gentle mode."
    )
    longest_streak = serializers.IntegerField(
        required=False, help_text="Absent in gentle mode."
    )
    streak_freezes_available = serializers.IntegerField(
        required=False, help_text="Banked streak freezes; absent in gentle mode."
    )
    programs_enrolled_count = serializers.IntegerField(required=False)
    programs_completed_count = serializers.IntegerField(required=False)
    journal_entries_count = serializers.IntegerField(required=False)
    mood_entries_count = serializers.IntegerField(required=False)
    gratitude_entries_count = serializers.IntegerField(required=False)
    achievements_count = serializers.IntegerField(required=False)


class UserExportOutput(serializers.Serializer):
    format = serializers.CharField()
    exported_at = serializers.DateTimeField()
    user_id = serializers.IntegerField()
    apps = serializers.DictField(
        child=serializers.JSONField(), help_text="Each app's data, by app name."
    )


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------
class UserRegisterInput(serializers.Serializer):
    email = CanonicalEmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)
    display_name = serializers.CharField(max_length=80)
    timezone = serializers.CharField(max_length=64)
    locale = serializers.ChoiceField(choices=LOCALE_CHOICES, required=False)

    def validate_timezone(self, value: str) -> str:
        return _timezone(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = User(email=attrs["email"], display_name=attrs["display_name"])
        try:
            _password_errors(attrs["password"], candidate)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"password": exc.detail}) from None
        return attrs


class UserLoginInput(serializers.Serializer):
    email = CanonicalEmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)


class TokenRefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096, trim_whitespace=False)


class PasswordResetRequestInput(serializers.Serializer):
    email = CanonicalEmailField(max_length=254)


class PasswordResetInput(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True)


# Email-link tokens are a few hundred characters; the bound only refuses junk.
EMAIL_TOKEN_MAX_LENGTH = 1024


class EmailVerifyInput(serializers.Serializer):
    token = serializers.CharField(
        max_length=EMAIL_TOKEN_MAX_LENGTH, write_only=True, trim_whitespace=False
    )


class PasswordResetTokenInput(PasswordResetInput):
    token = serializers.CharField(
        max_length=EMAIL_TOKEN_MAX_LENGTH, write_only=True, trim_whitespace=False
    )


class PasswordChangeInput(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, write_only=True)
    new_password = serializers.CharField(max_length=128, write_only=True)

    def validate_new_password(self, value: str) -> str:
        _password_errors(value, self.context["user"])
        return value


class UserDeleteInput(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True)


class UserUpdateInput(serializers.Serializer):
    """The writable profile; every field is optional. Any other key (is_staff,
    tier, ...) is ignored."""

    # Validated with ``user`` in the context: a quiet-hours end is checked
    # against the stored other end.

    display_name = serializers.CharField(
        max_length=80, allow_blank=False, required=False
    )
    avatar_url = serializers.URLField(max_length=500, allow_blank=True, required=False)
    bio = serializers.CharField(max_length=500, allow_blank=True, required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    locale = serializers.ChoiceField(choices=LOCALE_CHOICES, required=False)
    reminder_time = serializers.TimeField(allow_null=True, required=False)
    notify_email = serializers.BooleanField(required=False)
    notify_push = serializers.BooleanField(required=False)
    quiet_hours_start = serializers.TimeField(allow_null=True, required=False)
    quiet_hours_end = serializers.TimeField(allow_null=True, required=False)
    gentle_mode = serializers.BooleanField(required=False)
    leaderboard_opt_out = serializers.BooleanField(required=False)
    ai_consent = serializers.BooleanField(
        required=False,
        help_text="true: consent to AI processing under the current consent text; "
        "false: withdraw it (the AI endpoints then answer 403 "
        "`ai_consent_required`).",
    )
    email = CanonicalEmailField(
        max_length=254,
        required=False,
        help_text="A new address; it takes effect once verified.",
    )
    current_password = serializers.CharField(
        max_length=128,
        write_only=True,
        required=False,
        help_text="Required to change the email address.",
    )

    def validate_timezone(self, value: str) -> str:
        return _timezone(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user: User = self.context["user"]
        start = attrs.get("quiet_hours_start", user.quiet_hours_start)
        end = attrs.get("quiet_hours_end", user.quiet_hours_end)
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"quiet_hours_end": ["Set both ends of the quiet hours, or neither."]}
            )
        if "email" in attrs and "current_password" not in attrs:
            raise serializers.ValidationError(
                {"current_password": ["Required to change the email address."]}
            )
        return attrs
