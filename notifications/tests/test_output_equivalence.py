"""NotificationOutput writes its dict directly (``kaya.output``); this test
holds it to the JSON DRF's generic path writes, byte for byte."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework import serializers

from kaya.renderers import ORJSONRenderer
from notifications.models import Notification
from notifications.selectors import notification_list
from notifications.serializers import NotificationOutput
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _json(data):
    return ORJSONRenderer().render(data)


def test_notification_output_is_drfs_json(user):
    NotificationFactory(
        user=user,
        type=Notification.Type.SESSION_REMINDER,
        body="Time for a short sit.",
        data={"session_id": 7, "nested": {"list": [1, "two", None]}},
        read_at=timezone.now(),
    )
    NotificationFactory(user=user, body="", data={})

    rows = list(notification_list(user=user))
    assert len(rows) == 2
    for row in rows:
        generic = serializers.ModelSerializer.to_representation(
            NotificationOutput(), row
        )
        assert _json(NotificationOutput(row).data) == _json(generic)
    assert _json(NotificationOutput(rows, many=True).data) == _json(
        [
            serializers.ModelSerializer.to_representation(NotificationOutput(), row)
            for row in rows
        ]
    )
