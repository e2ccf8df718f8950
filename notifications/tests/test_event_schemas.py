"""Every websocket frame the server sends has a JSON Schema, and the suite checks
each one sent (settings.KAYA_VALIDATE_EVENTS, on in the root conftest)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.test import override_settings

from accounts.tests.factories import UserFactory
from kaya.websocket import ORIGIN_REQUIRED_MESSAGE
from notifications import event_schemas, realtime
from notifications.event_schemas import UnknownEventTypeError, event_validate
from notifications.serializers import NotificationOutput
from notifications.services import notification_create, notification_event_data
from notifications.tests.factories import NotificationFactory

PROGRESS = {
    "session_id": 3,
    "progress_seconds": 30,
    "planned_duration_seconds": 600,
    "device_id": "",
}


def test_the_suite_validates_events():
    from django.conf import settings

    assert settings.KAYA_VALIDATE_EVENTS is True


def test_every_schema_is_a_valid_json_schema():
    for event_type in event_schemas.DATA_SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(
            event_schemas.event_schema(event_type)
        )


def test_the_notification_schema_names_exactly_the_rest_fields():
    schema = event_schemas.DATA_SCHEMAS[realtime.NOTIFICATION_CREATED]

    assert set(schema["properties"]) == set(NotificationOutput.Meta.fields)
    assert set(schema["required"]) == set(NotificationOutput.Meta.fields)


@pytest.mark.django_db
def test_the_notification_event_is_the_rest_representation():
    notification = NotificationFactory()

    data = notification_event_data(notification)

    assert data == NotificationOutput(notification).data
    event_validate({"type": realtime.NOTIFICATION_CREATED, "data": data})


@pytest.mark.django_db
def test_a_read_notification_is_valid_too():
    from django.utils import timezone

    notification = NotificationFactory(read_at=timezone.now())

    event_validate(
        {
            "type": realtime.NOTIFICATION_CREATED,
            "data": notification_event_data(notification),
        }
    )


@pytest.mark.parametrize(
    "event",
    [
        {"type": "pong", "data": {}},
        {"type": "error", "data": {"code": "invalid_json"}},
        {"type": "error", "data": {"code": "unknown_channel"}},
        {"type": "subscribed", "data": {"channel": "community.feed"}},
        {"type": "unsubscribed", "data": {"channel": "community.feed"}},
        {
            "type": "error",
            "data": {"code": "origin_required", "message": ORIGIN_REQUIRED_MESSAGE},
        },
        {"type": "session.progress", "data": PROGRESS},
        {
            "type": "session.completed",
            "data": {
                "session_id": 1,
                "type": "breathing",
                "duration_seconds": 300,
                "local_date": "2026-05-04",
            },
        },
        {
            "type": "session.completed",
            "data": {
                "session_id": 1,
                "type": "breathing",
                "duration_seconds": 300,
                "local_date": "2026-05-04",
                "current_streak": 2,
                "longest_streak": 9,
            },
        },
    ],
)
def test_well_formed_events_pass(event):
    event_validate(event)


@pytest.mark.parametrize(
    "event",
    [
        # A field missing, one extra, a wrong type, a bad instant, a bad code.
        {"type": "session.progress", "data": {**PROGRESS, "device_id": None}},
        {"type": "session.progress", "data": {"session_id": 3}},
        {"type": "session.progress", "data": {**PROGRESS, "note": "private"}},
        {"type": "session.progress", "data": {**PROGRESS, "progress_seconds": -1}},
        {"type": "error", "data": {"code": "teapot"}},
        {"type": "pong", "data": {"extra": 1}},
        # Only the public channels can be answered as subscribed.
        {"type": "subscribed", "data": {"channel": "user.1"}},
        {"type": "subscribed", "data": {}},
        {"type": "pong"},
        {"type": "pong", "data": {}, "extra": 1},
    ],
)
def test_malformed_events_fail(event):
    with pytest.raises(jsonschema.ValidationError):
        event_validate(event)


@pytest.mark.django_db
def test_a_malformed_notification_event_fails():
    data = notification_event_data(NotificationFactory())

    with pytest.raises(jsonschema.ValidationError):
        event_validate(
            {
                "type": realtime.NOTIFICATION_CREATED,
                "data": {**data, "created_at": "2026-05-04 09:00:00+00:00"},
            }
        )


@pytest.mark.parametrize("event", [{"type": "mood.logged", "data": {}}, [], {}])
def test_unknown_event_types_fail(event):
    with pytest.raises(UnknownEventTypeError):
        event_validate(event)


def test_push_to_user_refuses_a_malformed_event_before_sending():
    with pytest.raises(jsonschema.ValidationError):
        realtime.push_to_user(1, realtime.SESSION_PROGRESS, {"session_id": 1})


def test_push_to_user_refuses_an_unknown_event_type():
    with pytest.raises(UnknownEventTypeError):
        realtime.push_to_user(1, "achievement.unlocked", {"title": "First steps"})


@override_settings(KAYA_VALIDATE_EVENTS=False)
def test_without_the_setting_a_push_is_not_checked():
    # The in-memory layer accepts it; production does not pay for the check.
    assert realtime.push_to_user(1, "achievement.unlocked", {"title": "x"}) is True


@pytest.mark.django_db
def test_a_service_emitting_a_malformed_event_fails_under_tests(
    django_capture_on_commit_callbacks,
):
    # The check runs on the real emit path (on commit, inside push_to_user): a
    # type outside Notification.Type is stored (choices are not enforced on
    # create) but its event breaks the schema.
    user = UserFactory(notify_push=True)

    with (
        pytest.raises(jsonschema.ValidationError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification_create(user=user, type="not_a_type", title="Hello")


def test_the_schemas_serialise_to_json():
    # Clients may fetch them as documents: nothing Python-only inside.
    json.dumps({t: event_schemas.event_schema(t) for t in event_schemas.DATA_SCHEMAS})
