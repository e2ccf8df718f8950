from __future__ import annotations

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


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA time zone.", params={"value": value}
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
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
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A KAYA account. The email is the login; there is no username."""

    class Tier(models.TextChoices):
        FREE = "free", "Free"
        PREMIUM = "premium", "Premium"

    # Stored lower-cased (see UserManager), so uniqueness is case-insensitive.
    email = models.EmailField(max_length=254, unique=True)
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

    subscription_tier = models.CharField(
        max_length=16, choices=Tier.choices, default=Tier.FREE
    )
    subscription_expires_at = models.DateTimeField(null=True, blank=True)

    email_verified_at = models.DateTimeField(null=True, blank=True)
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

    class Meta:
        indexes = [
            models.Index(fields=["date_joined"], name="accounts_user_joined_idx")
        ]

    def __str__(self) -> str:
        return self.email

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
    def is_premium(self) -> bool:
        if self.subscription_tier != self.Tier.PREMIUM:
            return False
        return self.subscription_expires_at is None or (
            self.subscription_expires_at > dj_timezone.now()
        )
