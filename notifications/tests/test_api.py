import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from conftest import bearer
from notifications.models import Notification
from notifications.selectors import notification_cursor
from notifications.services import notification_email_status
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return NotificationFactory(**kwargs)


def _series(user, count, start=T0, step=timedelta(minutes=5)):
    return [_at(start + i * step, user=user, title=f"n{i}") for i in range(count)]


def test_list_requires_authentication(api_client):
    response = api_client.get(LIST)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_is_newest_first_with_unread_count(auth_client, user, other_user):
    notes = _series(user, 3)
    NotificationFactory(user=other_user, title="not mine")
    Notification.objects.filter(pk=notes[0].pk).update(read_at=T0)

    body = auth_client.get(LIST).json()

    assert [n["title"] for n in body["results"]] == ["n2", "n1", "n0"]
    assert body["unread_count"] == 2
    assert body["results"][0] == {
        "id": notes[2].pk,
        "type": "system",
        "title": "n2",
        "body": "Body",
        "data": {},
        "created_at": "2026-05-04T09:10:00Z",
        "read_at": None,
        "cursor": notification_cursor(notes[2]),
    }


def test_list_is_cursor_paginated(auth_client, user):
    _series(user, 5)

    first = auth_client.get(LIST + "?page_size=2").json()
    second = auth_client.get(first["next"]).json()
    third = auth_client.get(second["next"]).json()

    assert [n["title"] for n in first["results"]] == ["n4", "n3"]
    assert [n["title"] for n in second["results"]] == ["n2", "n1"]
    assert [n["title"] for n in third["results"]] == ["n0"]
    assert third["next"] is None
    assert first["unread_count"] == 5


def test_unread_filter(auth_client, user):
    notes = _series(user, 3)
    Notification.objects.filter(pk=notes[1].pk).update(read_at=T0)

    body = auth_client.get(LIST + "?unread=true").json()

    assert [n["title"] for n in body["results"]] == ["n2", "n0"]


def test_after_returns_only_what_arrived_since_the_cursor(auth_client, user, settings):
    settings.NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS = 0
    notes = _series(user, 4)

    body = auth_client.get(LIST, {"after": notification_cursor(notes[1])}).json()

    assert [n["title"] for n in body["results"]] == ["n3", "n2"]


def test_after_includes_a_late_commit_inside_the_overlap(auth_client, user, settings):
    """A row created just before the last one seen, whose transaction committed
    after it, is still caught up."""
    settings.NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS = 30
    old = _at(T0 - timedelta(minutes=5), user=user, title="old")
    late = _at(T0 - timedelta(seconds=10), user=user, title="late commit")
    seen = _at(T0, user=user, title="seen")
    new = _at(T0 + timedelta(minutes=1), user=user, title="new")

    body = auth_client.get(LIST, {"after": notification_cursor(seen)}).json()

    assert [n["id"] for n in body["results"]] == [new.pk, seen.pk, late.pk]
    assert old.pk not in [n["id"] for n in body["results"]]


def test_after_with_nothing_new_is_empty(auth_client, user, settings):
    settings.NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS = 0
    notes = _series(user, 2)

    body = auth_client.get(LIST, {"after": notification_cursor(notes[1])}).json()

    assert body["results"] == []


def _raw_cursor(raw):
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Well-formed cursors naming instants no notification can have: before the
# epoch, or out of range once the offset is applied (these were 500s).
OUT_OF_RANGE_CURSORS = [
    _raw_cursor("0001-01-01T00:00:00+00:00|1"),
    _raw_cursor("1969-12-31T23:59:59+00:00|1"),
    _raw_cursor("9999-12-31T23:59:59-23:59|1"),
]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "garbage!"}, "after"),
        ({"after": "MjAyNnxub3BlfDE"}, "after"),
        *(({"after": cursor}, "after") for cursor in OUT_OF_RANGE_CURSORS),
        ({"unread": "perhaps"}, "unread"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_list_rejects_bad_query_parameters(auth_client, params, field):
    response = auth_client.get(LIST, params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_does_not_grow_with_the_page(
    auth_client, user, count, django_assert_num_queries
):
    _series(user, count)

    # user (authentication), the page, the unread count
    with django_assert_num_queries(3):
        body = auth_client.get(LIST).json()

    assert len(body["results"]) == count


def test_unread_count_endpoint(auth_client, user, other_user):
    notes = _series(user, 3)
    NotificationFactory(user=other_user)
    Notification.objects.filter(pk=notes[0].pk).update(read_at=T0)

    response = auth_client.get("/api/v1/notifications/unread-count")

    assert response.status_code == 200
    assert response.json() == {"unread_count": 2}


def test_read_marks_one_notification_read(api_client, user):
    note, other = _series(user, 2)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        # A token minted inside the frozen clock, so it is valid there.
        api_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        response = api_client.patch(f"/api/v1/notifications/{note.pk}/read")

    assert response.status_code == 200
    assert response.json()["read_at"] == "2026-05-04T10:00:00Z"
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at == T0 + timedelta(hours=1)
    assert other.read_at is None


def test_read_is_idempotent_and_keeps_the_first_read_time(api_client, user):
    note = _at(T0, user=user)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        api_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        api_client.patch(f"/api/v1/notifications/{note.pk}/read")

    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        api_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        response = api_client.patch(f"/api/v1/notifications/{note.pk}/read")

    assert response.status_code == 200
    assert response.json()["read_at"] == "2026-05-04T10:00:00Z"
    note.refresh_from_db()
    assert note.read_at == T0 + timedelta(hours=1)


def test_reading_another_users_notification_is_404_and_changes_nothing(
    auth_client, other_user
):
    theirs = NotificationFactory(user=other_user)

    response = auth_client.patch(f"/api/v1/notifications/{theirs.pk}/read")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_a_missing_notification_is_404(auth_client):
    response = auth_client.patch("/api/v1/notifications/999999/read")

    assert response.status_code == 404


@pytest.mark.parametrize("pk", ["abc", "1.5", "99999999999999999999999"])
def test_reading_a_non_integer_or_huge_id_is_the_one_404(auth_client, pk):
    response = auth_client.patch(f"/api/v1/notifications/{pk}/read")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/api/v1/notifications", 200),
        ("get", "/api/v1/notifications/unread-count", 200),
        ("patch", "/api/v1/notifications/read-all", 200),
        ("post", "/api/v1/notifications/test", 201),
        ("post", "/api/v1/realtime/ticket", 201),
    ],
)
@pytest.mark.parametrize("slash", ["", "/"])
def test_routes_answer_with_and_without_the_trailing_slash(
    auth_client, method, path, expected, slash
):
    response = getattr(auth_client, method)(path + slash)

    assert response.status_code == expected


@pytest.mark.parametrize("slash", ["", "/"])
def test_read_answers_with_and_without_the_trailing_slash(auth_client, user, slash):
    note = NotificationFactory(user=user)

    response = auth_client.patch(f"/api/v1/notifications/{note.pk}/read{slash}")

    assert response.status_code == 200
    assert response.json()["id"] == note.pk


def test_read_all_marks_only_the_users_notifications(auth_client, user, other_user):
    _series(user, 3)
    theirs = NotificationFactory(user=other_user)

    response = auth_client.patch("/api/v1/notifications/read-all")

    assert response.status_code == 200
    assert response.json() == {"updated_count": 3, "unread_count": 0}
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_is_idempotent(auth_client, user):
    _series(user, 2)
    auth_client.patch("/api/v1/notifications/read-all")

    response = auth_client.patch("/api/v1/notifications/read-all")

    assert response.status_code == 200
    assert response.json() == {"updated_count": 0, "unread_count": 0}


def test_read_all_up_to_a_cursor_leaves_newer_ones_unread(auth_client, user):
    notes = _series(user, 3)

    response = auth_client.patch(
        "/api/v1/notifications/read-all",
        {"up_to": notification_cursor(notes[1])},
        format="json",
    )

    assert response.json() == {"updated_count": 2, "unread_count": 1}
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    assert list(unread.values_list("pk", flat=True)) == [notes[2].pk]


@pytest.mark.parametrize("cursor", ["nonsense", *OUT_OF_RANGE_CURSORS])
def test_read_all_rejects_a_bad_cursor(auth_client, user, cursor):
    note = _at(T0, user=user)

    response = auth_client.patch(
        "/api/v1/notifications/read-all", {"up_to": cursor}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {"up_to": ["Not a notification cursor."]}
    note.refresh_from_db()
    assert note.read_at is None


def test_test_notification_is_created_for_the_caller(auth_client, user):
    response = auth_client.post("/api/v1/notifications/test")

    assert response.status_code == 201
    note = Notification.objects.get(user=user)
    assert response.json()["id"] == note.pk
    assert note.title == "Test notification"
    assert notification_email_status(notification=note) == "none"


def test_test_notifications_are_throttled(auth_client, user, settings):
    settings.THROTTLE_NOTIFICATION_TEST = "2/h"

    codes = [auth_client.post("/api/v1/notifications/test").status_code for _ in "abc"]

    assert codes == [201, 201, 429]
    assert Notification.objects.filter(user=user).count() == 2


def test_ticket_needs_authentication(api_client):
    response = api_client.post("/api/v1/realtime/ticket")

    assert response.status_code == 401


def test_ticket_is_stored_only_as_a_hash_and_expires_in_thirty_seconds(auth_client):
    response = auth_client.post("/api/v1/realtime/ticket")

    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert len(ticket) >= 40
    assert response.json()["expires_in_seconds"] == 30
    assert cache.get(f"ws-ticket:{ticket}") is None


def test_ticket_requests_are_throttled(auth_client, settings):
    settings.THROTTLE_REALTIME_TICKET = "2/m"

    codes = [auth_client.post("/api/v1/realtime/ticket").status_code for _ in "abc"]

    assert codes == [201, 201, 429]


def test_what_was_created_while_the_channel_layer_was_down_is_caught_up(
    auth_client, user, settings, django_capture_on_commit_callbacks
):
    seen = NotificationFactory(user=user, title="seen")
    # Nothing listens on port 1: every send to this channel layer fails.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "kaya.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post("/api/v1/notifications/test")

    assert response.status_code == 201
    body = auth_client.get(LIST, {"after": notification_cursor(seen)}).json()
    assert response.json()["id"] in [n["id"] for n in body["results"]]
