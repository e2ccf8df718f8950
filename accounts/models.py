from __future__ import annotations

import contextlib
import zoneinfo
from typing import Any, ClassVar

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_timezone

from accounts.addresses import email_canonical, validate_email_canonicalisable


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA time zone.", params={"value": value}
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Django's version lower-cases only the domain; every account address
        # goes through the one canonical form instead (accounts.addresses).
        return email_canonical(email or "")

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Exact match on the canonical form (used by createsuperuser's "already
        # taken" check); an address with no canonical form names no account.
        try:
            email = email_canonical(username or "")
        except ValidationError:
            raise self.model.DoesNotExist from None
        return self.get(email=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A KAYA account. The email is the login; there is no username."""

    class Tier(models.TextChoices):
        FREE = "free", "Free"
        PREMIUM = "premium", "Premium"

    # Stored in its canonical form (accounts.addresses), so the unique
    # constraint makes look-alike spellings of one address one account.
    email = models.EmailField(
        max_length=254, unique=True, validators=[validate_email_canonicalisable]
    )
    display_name = models.CharField(max_length=80, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    bio = models.CharField(max_length=500, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    locale = models.CharField(max_length=10, default="en")

    # Preferences. Day boundaries and quiet hours are read in `timezone`.
    reminder_time = models.TimeField(
        null=True, blank=True, help_text="Local time of the daily practice reminder."
    )
    notify_email = models.BooleanField(default=True)
    notify_push = models.BooleanField(default=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    gentle_mode = models.BooleanField(
        default=False, help_text="Hide streaks and streak-based nudges."
    )
    leaderboard_opt_out = models.BooleanField(
        default=False, help_text="Never list me on challenge leaderboards."
    )

    # Explicit consent to AI processing (coaching.ai): the version of the consent
    # text agreed to, and when. Consent counts only for the current version
    # (settings.AI_CONSENT_VERSION); withdrawing clears both.
    ai_consent_version = models.PositiveIntegerField(null=True, blank=True)
    ai_consent_at = models.DateTimeField(null=True, blank=True)

    subscription_tier = models.CharField(
        max_length=16, choices=Tier.choices, default=Tier.FREE
    )
    subscription_expires_at = models.DateTimeField(null=True, blank=True)

    email_verified_at = models.DateTimeField(null=True, blank=True)
    # A requested new address; it replaces `email` once verified.
    pending_email = models.EmailField(max_length=254, blank=True)
    # Bumped to revoke every access token issued before (logout-all, password
    # change, deletion); access tokens carry the epoch they were minted under.
    token_epoch = models.PositiveIntegerField(default=0)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    # What the owner may change through PATCH /users/me; every other field
    # (staff flags, verification, subscription, dates) is read-only to them.
    # The profile serializer, the update service and the export all use it.
    PROFILE_FIELDS: ClassVar[tuple[str, ...]] = (
        "display_name",
        "avatar_url",
        "bio",
        "timezone",
        "locale",
        "reminder_time",
        "notify_email",
        "notify_push",
        "quiet_hours_start",
        "quiet_hours_end",
        "gentle_mode",
        "leaderboard_opt_out",
    )

    class Meta:
        indexes = [
            models.Index(fields=["date_joined"], name="accounts_user_joined_idx")
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        # Admin forms run this before their uniqueness check, so a staff edit
        # stores (and is checked as) the canonical form too.
        super().clean()
        # A refused address was already reported by the field's validator.
        with contextlib.suppress(ValidationError):
            self.email = email_canonical(self.email)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def has_ai_consent(self) -> bool:
        from django.conf import settings

        return (
            self.ai_consent_version is not None
            and self.ai_consent_version == settings.AI_CONSENT_VERSION
        )

    @property
    def is_premium(self) -> bool:
        if self.subscription_tier != self.Tier.PREMIUM:
            return False
        return self.subscription_expires_at is None or (
            self.subscription_expires_at > dj_timezone.now()
        )


class TokenFamily(models.Model):
    """Every refresh token descended from one login shares a family.

    Only the newest refresh token of a family (``current_jti``) may be rotated;
    presenting an older one means it leaked, so the whole family is revoked.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="token_families"
    )
    current_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name_plural = "token families"
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="accounts_family_live_idx",
            )
        ]

    def __str__(self) -> str:
        return f"token family {self.pk} of user {self.user_id}"


class LoginFailure(models.Model):
    """One failed login, counted per account in the database.

    The lockout must hold while Redis is down, so it is not a cache counter.
    ``email`` is the normalised address that was tried (it may match no account).
    """

    email = models.CharField(max_length=254)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email", "created_at"], name="accounts_loginfail_idx"),
            models.Index(fields=["ip", "created_at"], name="accounts_loginfail_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"login failure at {self.created_at:%Y-%m-%d %H:%M}"


class EmailDelivery(models.Model):
    """The record of one account email (what, to whom, when asked for). It is
    sent through the one outbox (``kaya.outbox``, kind ``accounts.email``, key
    ``accounts.email:<id>``), whose row holds the delivery state."""

    class Kind(models.TextChoices):
        WELCOME = "welcome", "Welcome"
        VERIFY_EMAIL = "verify_email", "Verify email"
        PASSWORD_RESET = "password_reset", "Password reset"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        EMAIL_CHANGED = "email_changed", "Email changed"
        SIGNUP_ATTEMPT = "signup_attempt", "Sign-up attempt with this address"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="email_deliveries"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    to_email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name_plural = "email deliveries"

    def __str__(self) -> str:
        return f"{self.kind} email {self.pk}"


class AuditLog(models.Model):
    """Who did what, from where, with which outcome. Never secrets or content."""

    class Action(models.TextChoices):
        REGISTER = "register", "Register"
        LOGIN = "login", "Login"
        LOGIN_LOCKOUT = "login_lockout", "Login lockout"
        LOGOUT = "logout", "Logout"
        LOGOUT_ALL = "logout_all", "Logout everywhere"
        TOKEN_FAMILY_REVOKED = "token_family_revoked", "Token family revoked"
        PASSWORD_CHANGE = "password_change", "Password change"
        PASSWORD_RESET_REQUEST = "password_reset_request", "Password reset request"
        PASSWORD_RESET = "password_reset", "Password reset"
        EMAIL_VERIFY = "email_verify", "Email verified"
        EMAIL_CHANGE_REQUEST = "email_change_request", "Email change requested"
        EMAIL_CHANGE = "email_change", "Email changed"
        PROFILE_UPDATE = "profile_update", "Profile update"
        DATA_EXPORT = "data_export", "Data export"
        ACCOUNT_DELETE = "account_delete", "Account deletion"
        ACCOUNT_DEACTIVATE = "account_deactivate", "Account deactivated"
        ADMIN_ADD = "admin_add", "Admin: added"
        ADMIN_CHANGE = "admin_change", "Admin: changed"
        ADMIN_DELETE = "admin_delete", "Admin: deleted"
        ADMIN_ACTION = "admin_action", "Admin: action"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"

    # Kept (set to NULL) when the actor is erased: the trail outlives the account.
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(
        max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    # Small facts only (changed field names, a reason code); never values typed
    # by the user, tokens or passwords.
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["actor", "-created_at"], name="accounts_audit_actor_idx"
            ),
            models.Index(
                fields=["action", "-created_at"], name="accounts_audit_act_idx"
            ),
            models.Index(
                fields=["target_type", "target_id"], name="accounts_audit_tgt_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.outcome}) at {self.created_at:%Y-%m-%d %H:%M}"
