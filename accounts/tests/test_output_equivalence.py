"""UserOutput writes its dict directly (``kaya.output``); these tests hold it
to the JSON DRF's generic path writes, byte for byte."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from accounts.serializers import AuthResultOutput, UserOutput
from accounts.tests.factories import UserFactory
from kaya.renderers import ORJSONRenderer

pytestmark = pytest.mark.django_db


def _json(data):
    return ORJSONRenderer().render(data)


def _generic(user):
    return serializers.ModelSerializer.to_representation(UserOutput(), user)


def test_user_output_is_drfs_json():
    now = timezone.now()
    every_field = UserFactory(
        pending_email="new@example.com",
        avatar_url="https://example.com/a.png",
        bio="Quiet mornings.",
        timezone="Asia/Kolkata",
        locale="fr",
        reminder_time=time(7, 30),
        quiet_hours_start=time(22, 0),
        quiet_hours_end=time(6, 45, 10),
        notify_email=False,
        gentle_mode=True,
        leaderboard_opt_out=True,
        ai_consent_version=settings.AI_CONSENT_VERSION,
        ai_consent_at=now,
        subscription_tier="premium",
        subscription_expires_at=now + timedelta(days=30),
        is_staff=True,
    )
    defaults = UserFactory(email_verified_at=None, display_name="")
    old_consent = UserFactory(
        ai_consent_version=settings.AI_CONSENT_VERSION + 1, ai_consent_at=now
    )

    for user in (every_field, defaults, old_consent):
        fresh = type(user).objects.get(pk=user.pk)
        assert _json(UserOutput(fresh).data) == _json(_generic(fresh))
    assert UserOutput(every_field).data["ai_consent"] is True
    assert UserOutput(old_consent).data["ai_consent"] is False
    assert UserOutput(defaults).data["reminder_time"] is None


def test_user_output_nested_in_an_auth_result_is_drfs_json():
    user = UserFactory(reminder_time=time(8, 0))
    result = {"user": user, "access": "a", "refresh": "r"}

    data = AuthResultOutput(result).data

    assert _json(data["user"]) == _json(_generic(user))
