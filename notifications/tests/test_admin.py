"""Notifications added by staff in the admin are delivered like any other."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.tests.factories import UserFactory
from notifications import realtime
from notifications.models import Notification
from notifications.services import notification_email_status

pytestmark = pytest.mark.django_db

ADD = "/admin/notifications/notification/add/"


def _listen(user):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.user_group(user.pk), channel)
    return layer, channel


def _pushed(layer, channel) -> list:
    async def drain():
        events = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), 0.2)
            except TimeoutError:
                return events
            events.append(message["event"])

    return async_to_sync(drain)()


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_client():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "add_notification",
                "view_notification",
                "change_notification",
            ]
        )
    )
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize("client_name", ["superuser_client", "staff_client"])
def test_a_notification_added_in_the_admin_is_pushed_live_and_emailed(
    request, client_name, user, mailoutbox, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(client_name)
    layer, channel = _listen(user)

    form = client.get(ADD).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ADD,
            {
                "user": str(user.pk),
                "type": "system",
                "title": "Scheduled maintenance tonight",
                "body": "The app is down 02:00-02:30 UTC.",
                "data": "{}",
                # A forged bookkeeping field is ignored.
                "email_status": "sent",
            },
        )

    assert response.status_code == 302
    notification = Notification.objects.get()
    assert notification.title == "Scheduled maintenance tonight"
    assert notification_email_status(notification=notification) == "sent"
    events = _pushed(layer, channel)
    assert [e["type"] for e in events] == ["notification.created"]
    assert events[0]["data"]["id"] == notification.pk
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert mailoutbox[0].subject == "KAYA: System"
    assert "Scheduled maintenance tonight" in mailoutbox[0].body
    assert 'name="email_status"' not in form


def test_a_stored_notification_is_read_only_in_the_admin(
    superuser_client, user, django_capture_on_commit_callbacks
):
    from notifications.services import notification_create

    notification = notification_create(user=user, type="system", title="Hello")
    url = f"/admin/notifications/notification/{notification.pk}/change/"

    page = superuser_client.get(url).content.decode()
    superuser_client.post(
        url,
        {
            "user": str(user.pk),
            "type": "system",
            "title": "Edited",
            "body": "",
            "data": "{}",
            "email_status": "failed",
        },
    )

    notification.refresh_from_db()
    assert notification.title == "Hello"
    assert notification_email_status(notification=notification) == "pending"
    for field in ("title", "email_status"):
        assert f'name="{field}"' not in page
