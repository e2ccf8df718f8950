"""notification_create's side effects: live push, email, quiet hours, and the
no-login email-preferences link."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from accounts.tests.factories import UserFactory
from kaya.models import OutboxEmail
from kaya.outbox import outbox_sweep
from notifications import realtime
from notifications.models import Notification
from notifications.services import (
    EMAIL_KIND,
    notification_create,
    notification_email_status,
)
from notifications.timing import quiet_hours_end

pytestmark = pytest.mark.django_db

VERIFIED = datetime(2026, 1, 1, tzinfo=UTC)
PREFS = "/api/v1/notifications/email-preferences"


class FailingEmailBackend(BaseEmailBackend):
    """The email provider is down (the boundary we fake)."""

    def send_messages(self, email_messages):
        raise ConnectionError("provider unavailable")


@pytest.fixture
def member(db):
    return UserFactory(
        email="member@example.com",
        email_verified_at=VERIFIED,
        timezone="America/New_York",
        quiet_hours_start=time(22, 0),
        quiet_hours_end=time(7, 0),
    )


def _listen(user):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.user_group(user.pk), channel)
    return layer, channel


def _pushed(layer, channel):
    """Events waiting on the channel (none if the receive times out)."""
    import asyncio

    async def drain():
        events = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), 0.2)
            except TimeoutError:
                return events
            events.append(message["event"])

    return async_to_sync(drain)()


def _outbox(note):
    return OutboxEmail.objects.get(kind=EMAIL_KIND, object_id=note.pk)


def _create(user, capture, **kwargs):
    fields = {"type": Notification.Type.BOOKING_UPDATE, "title": "Booking confirmed"}
    fields.update(kwargs)
    with capture(execute=True):
        return notification_create(user=user, **fields)


# 2026-03-07 17:00 EST: outside quiet hours in New York.
AFTERNOON = datetime(2026, 3, 7, 22, 0, tzinfo=UTC)
# 2026-03-07 23:00 EST: inside quiet hours, which end at 07:00 EDT on 03-08
# (the clocks spring forward that night), i.e. 11:00 UTC.
LATE_EVENING = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
QUIET_END = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)


def test_outside_quiet_hours_it_is_pushed_and_emailed(
    member, django_capture_on_commit_callbacks
):
    layer, channel = _listen(member)

    with time_machine.travel(AFTERNOON, tick=False):
        note = _create(
            member,
            django_capture_on_commit_callbacks,
            body="Your session with Dr. Rivera is on Friday.",
        )
        # Layer messages expire after 60 s of (frozen) time: read them here.
        events = _pushed(layer, channel)

    assert [e["type"] for e in events] == ["notification.created"]
    assert events[0]["data"]["id"] == note.pk
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.com"]
    assert message.subject == "KAYA: Booking update"
    assert "Booking confirmed" in message.body
    assert notification_email_status(notification=note) == "sent"


def test_emails_never_carry_the_body_or_data(
    member, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTERNOON, tick=False):
        _create(
            member,
            django_capture_on_commit_callbacks,
            type=Notification.Type.SYSTEM,
            title="You have a new message",
            body="Journal: I felt hopeless today",
            data={"mood": "very low"},
        )

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "hopeless" not in text
        assert "very low" not in text
    assert "You have a new message" in html


def test_email_has_a_one_click_preferences_link_and_unsubscribe_header(
    member, django_capture_on_commit_callbacks, settings
):
    settings.FRONTEND_URL = "https://app.kaya.example"
    settings.PUBLIC_API_URL = "https://api.kaya.example"
    with time_machine.travel(AFTERNOON, tick=False):
        _create(member, django_capture_on_commit_callbacks)

    message = mail.outbox[0]
    link = re.search(
        r"https://app\.kaya\.example/settings/notifications\?token=(\S+)",
        message.body,
    )
    assert link is not None
    token = link.group(1)
    assert f"settings/notifications?token={token}" in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"] == (
        "<https://api.kaya.example/api/v1/notifications/email-preferences/"
        f"unsubscribe?token={token}>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )


@pytest.mark.parametrize(
    ("type", "email", "expected"),
    [
        (Notification.Type.COMMUNITY_LIKE, None, 0),
        (Notification.Type.COMMUNITY_REPLY, True, 1),
        (Notification.Type.SYSTEM, False, 0),
        (Notification.Type.SYSTEM, None, 1),
    ],
)
def test_the_type_decides_about_email_unless_the_caller_does(
    member, django_capture_on_commit_callbacks, type, email, expected
):
    with time_machine.travel(AFTERNOON, tick=False):
        _create(member, django_capture_on_commit_callbacks, type=type, email=email)

    assert len(mail.outbox) == expected


@pytest.mark.parametrize(
    "changes", [{"notify_email": False}, {"email_verified_at": None}]
)
def test_no_email_when_off_or_the_address_is_unverified(
    member, django_capture_on_commit_callbacks, changes
):
    for field, value in changes.items():
        setattr(member, field, value)
    member.save()

    with time_machine.travel(AFTERNOON, tick=False):
        note = _create(member, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert notification_email_status(notification=note) == "none"


def test_push_off_means_no_live_event_but_still_email(
    member, django_capture_on_commit_callbacks
):
    member.notify_push = False
    member.save()
    layer, channel = _listen(member)

    with time_machine.travel(AFTERNOON, tick=False):
        _create(member, django_capture_on_commit_callbacks)
        events = _pushed(layer, channel)

    assert events == []
    assert len(mail.outbox) == 1


def test_quiet_hours_hold_back_push_and_email_but_not_the_row(
    member, django_capture_on_commit_callbacks
):
    layer, channel = _listen(member)

    with time_machine.travel(LATE_EVENING, tick=False):
        note = _create(member, django_capture_on_commit_callbacks)
        events = _pushed(layer, channel)

    assert Notification.objects.filter(pk=note.pk, user=member).exists()
    assert events == []
    assert mail.outbox == []
    assert notification_email_status(notification=note) == "pending"
    assert _outbox(note).send_after == QUIET_END


def test_a_held_back_email_goes_out_when_quiet_hours_end(
    member, django_capture_on_commit_callbacks
):
    with time_machine.travel(LATE_EVENING, tick=False):
        note = _create(member, django_capture_on_commit_callbacks)

    with time_machine.travel(QUIET_END - timedelta(seconds=1), tick=False):
        assert outbox_sweep() == 0
    with time_machine.travel(QUIET_END, tick=False):
        assert outbox_sweep() == 1
        assert outbox_sweep() == 0

    assert len(mail.outbox) == 1
    assert notification_email_status(notification=note) == "sent"


def test_a_held_back_email_is_skipped_if_the_user_turned_email_off(
    member, django_capture_on_commit_callbacks
):
    with time_machine.travel(LATE_EVENING, tick=False):
        note = _create(member, django_capture_on_commit_callbacks)
    member.notify_email = False
    member.save()

    with time_machine.travel(QUIET_END, tick=False):
        assert outbox_sweep() == 0

    assert mail.outbox == []
    assert notification_email_status(notification=note) == "skipped"


def test_a_failing_provider_is_retried_then_given_up(
    member, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3
    with time_machine.travel(AFTERNOON, tick=False):
        note = _create(member, django_capture_on_commit_callbacks)  # attempt 1
        outbox_sweep()  # not yet: the retry waits out its backoff
    with time_machine.travel(AFTERNOON + timedelta(minutes=10), tick=False):
        outbox_sweep()  # attempt 2
        assert notification_email_status(notification=note) == "pending"
    with time_machine.travel(AFTERNOON + timedelta(minutes=20), tick=False):
        outbox_sweep()  # attempt 3
    with time_machine.travel(AFTERNOON + timedelta(minutes=30), tick=False):
        outbox_sweep()  # given up: nothing more

    assert _outbox(note).attempts == 3
    assert notification_email_status(notification=note) == "failed"
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("local", "expected_end"),
    [
        # (local wall time in New York, end of quiet hours in UTC or None)
        (datetime(2026, 3, 7, 21, 59), None),
        (datetime(2026, 3, 7, 22, 0), datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        (datetime(2026, 3, 8, 1, 30), datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        (datetime(2026, 3, 8, 6, 59), datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        (datetime(2026, 3, 8, 7, 0), None),
        (datetime(2026, 7, 1, 23, 0), datetime(2026, 7, 2, 11, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 23, 0), datetime(2026, 12, 2, 12, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_are_read_in_the_users_time_zone(member, local, expected_end):
    from zoneinfo import ZoneInfo

    at = local.replace(tzinfo=ZoneInfo("America/New_York"))

    assert quiet_hours_end(user=member, at=at) == expected_end


def test_quiet_hours_within_one_day_and_disabled_ones(member):
    member.quiet_hours_start, member.quiet_hours_end = time(13, 0), time(15, 0)
    inside = datetime(2026, 6, 1, 18, 30, tzinfo=UTC)  # 14:30 EDT

    assert quiet_hours_end(user=member, at=inside) == datetime(
        2026, 6, 1, 19, 0, tzinfo=UTC
    )
    assert quiet_hours_end(user=member, at=inside + timedelta(hours=1)) is None
    member.quiet_hours_end = time(13, 0)
    assert quiet_hours_end(user=member, at=inside) is None
    member.quiet_hours_start = None
    assert quiet_hours_end(user=member, at=inside) is None


# The email-preferences link: no login, a signed token.


def _token(member, capture):
    with time_machine.travel(AFTERNOON, tick=False):
        _create(member, capture)
    return re.search(r"\?token=(\S+)", mail.outbox[-1].body).group(1)


def _later():
    """A day after the email was sent (the link is valid for 90 days)."""
    return time_machine.travel(AFTERNOON + timedelta(days=1), tick=False)


def test_the_link_shows_and_changes_preferences_without_login(
    api_client, member, django_capture_on_commit_callbacks
):
    token = _token(member, django_capture_on_commit_callbacks)

    with _later():
        shown = api_client.get(PREFS, {"token": token})
        changed = api_client.patch(
            f"{PREFS}?token={token}", {"notify_email": False}, format="json"
        )

    assert shown.status_code == 200
    assert shown.json() == {"notify_email": True}
    assert changed.status_code == 200
    assert changed.json() == {"notify_email": False}
    member.refresh_from_db()
    assert member.notify_email is False


def test_a_preferences_patch_without_the_field_changes_nothing(
    api_client, member, django_capture_on_commit_callbacks
):
    # The schema documents the PATCH body as partial: {} is a valid no-op.
    token = _token(member, django_capture_on_commit_callbacks)

    with _later():
        response = api_client.patch(f"{PREFS}?token={token}", {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"notify_email": True}
    member.refresh_from_db()
    assert member.notify_email is True


def test_one_click_unsubscribe_turns_email_off(
    api_client, member, django_capture_on_commit_callbacks
):
    token = _token(member, django_capture_on_commit_callbacks)

    with _later():
        response = api_client.post(
            f"{PREFS}/unsubscribe?token={token}",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.notify_email is False


def test_the_link_ignores_a_stale_bearer_token(
    api_client, member, django_capture_on_commit_callbacks
):
    token = _token(member, django_capture_on_commit_callbacks)
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    with _later():
        response = api_client.get(PREFS, {"token": token})

    assert response.status_code == 200


@pytest.mark.parametrize("mangle", ["tamper", "missing", "other_email"])
def test_a_bad_link_is_refused_and_changes_nothing(
    api_client, member, django_capture_on_commit_callbacks, mangle
):
    token = _token(member, django_capture_on_commit_callbacks)
    if mangle == "other_email":
        member.email = "new-address@example.com"
        member.save()
    url = {
        "tamper": f"{PREFS}?token={token[:-2]}xx",
        "missing": PREFS,
        "other_email": f"{PREFS}?token={token}",
    }[mangle]

    with _later():
        response = api_client.patch(url, {"notify_email": False}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["token"]
    member.refresh_from_db()
    assert member.notify_email is True


def test_the_link_expires_after_ninety_days(
    api_client, member, django_capture_on_commit_callbacks
):
    token = _token(member, django_capture_on_commit_callbacks)

    with time_machine.travel(AFTERNOON + timedelta(days=89), tick=False):
        before = api_client.get(PREFS, {"token": token})
    with time_machine.travel(AFTERNOON + timedelta(days=91), tick=False):
        after = api_client.get(PREFS, {"token": token})

    assert before.status_code == 200
    assert after.status_code == 400


def test_preferences_update_rejects_bad_input(
    api_client, member, django_capture_on_commit_callbacks
):
    token = _token(member, django_capture_on_commit_callbacks)

    with _later():
        response = api_client.patch(
            f"{PREFS}?token={token}", {"notify_email": "perhaps"}, format="json"
        )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["notify_email"]
    member.refresh_from_db()
    assert member.notify_email is True


def test_one_click_unsubscribe_refuses_a_bad_token(api_client, member):
    response = api_client.post(f"{PREFS}/unsubscribe?token=not-a-real-token")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["token"]
    member.refresh_from_db()
    assert member.notify_email is True
