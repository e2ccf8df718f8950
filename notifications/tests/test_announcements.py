"""Announcements: a segment, batches that resume, and the admin's progress."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory
from kaya.staff import SUPPORT
from kaya.tests.staff_helpers import staff_member
from notifications.models import Announcement, Notification
from notifications.services import (
    announcement_broadcast,
    announcement_broadcast_batch,
    announcement_queue,
)
from notifications.tests.factories import AnnouncementFactory

pytestmark = pytest.mark.django_db

ANNOUNCEMENTS = "/admin/notifications/announcement/"


def _told(announcement: Announcement) -> list[int]:
    return sorted(
        Notification.objects.filter(
            type=Notification.Type.ANNOUNCEMENT,
            data__announcement_id=announcement.pk,
        ).values_list("user_id", flat=True)
    )


def test_broadcast_tells_every_active_member_once_in_batches():
    members = [UserFactory() for _ in range(5)]
    UserFactory(is_active=False)
    announcement = AnnouncementFactory(status=Announcement.Status.QUEUED)

    batches = announcement_broadcast(announcement_id=announcement.pk, batch_size=2)

    announcement.refresh_from_db()
    everyone = sorted([m.pk for m in members] + [announcement.created_by_id])
    assert batches == 3
    assert _told(announcement) == everyone
    assert (announcement.status, announcement.recipients_done) == ("sent", 6)
    assert announcement.last_user_id == everyone[-1]
    assert announcement.finished_at is not None


def test_broadcast_reaches_only_the_segment(django_capture_on_commit_callbacks):
    wanted = [
        UserFactory(subscription_tier="premium", locale="es"),
        UserFactory(subscription_tier="premium", locale="es-MX"),
    ]
    UserFactory(subscription_tier="free", locale="es")
    UserFactory(subscription_tier="premium", locale="en")
    UserFactory(subscription_tier="premium", locale="eso")
    announcement = AnnouncementFactory(tier="premium", locale="es")

    with django_capture_on_commit_callbacks(execute=True):
        announcement_queue(announcement=announcement)

    announcement.refresh_from_db()
    assert _told(announcement) == sorted(m.pk for m in wanted)
    assert (
        announcement.status,
        announcement.recipients_total,
        announcement.recipients_done,
    ) == ("sent", 2, 2)


def test_a_redelivered_or_resumed_broadcast_tells_nobody_twice():
    members = [UserFactory() for _ in range(4)]
    announcement = AnnouncementFactory(status=Announcement.Status.QUEUED)

    # The first batch committed, then the worker died; the task runs again.
    assert announcement_broadcast_batch(announcement_id=announcement.pk, batch_size=2)
    announcement_broadcast(announcement_id=announcement.pk, batch_size=2)
    announcement_broadcast(announcement_id=announcement.pk, batch_size=2)

    assert _told(announcement) == sorted(
        [m.pk for m in members] + [announcement.created_by_id]
    )


def test_queuing_twice_does_not_send_twice(django_capture_on_commit_callbacks):
    UserFactory()
    announcement = AnnouncementFactory()

    with django_capture_on_commit_callbacks(execute=True):
        announcement_queue(announcement=announcement)
        announcement_queue(announcement=announcement)

    assert len(_told(announcement)) == 2


def test_a_draft_is_not_sent_by_the_task():
    UserFactory()
    announcement = AnnouncementFactory()

    announcement_broadcast(announcement_id=announcement.pk)

    announcement.refresh_from_db()
    assert (_told(announcement), announcement.status) == ([], "draft")


@pytest.fixture
def root_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_broadcast_action_sends_and_shows_progress(
    root_client, django_capture_on_commit_callbacks
):
    UserFactory(locale="es")
    UserFactory(locale="en")

    created = root_client.post(
        f"{ANNOUNCEMENTS}add/",
        {"title": "Hola", "body": "Nuevos programas.", "tier": "", "locale": "es"},
    )
    announcement = Announcement.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        acted = root_client.post(
            ANNOUNCEMENTS,
            {"action": "broadcast", "_selected_action": [str(announcement.pk)]},
        )
    listing = root_client.get(ANNOUNCEMENTS)

    assert (created.status_code, acted.status_code) == (302, 302)
    announcement.refresh_from_db()
    assert announcement.status == "sent"
    assert len(_told(announcement)) == 1
    assert "1 / 1 (100%)" in listing.content.decode()


def test_admin_refuses_an_unknown_tier(root_client):
    response = root_client.post(
        f"{ANNOUNCEMENTS}add/", {"title": "Hi", "body": "", "tier": "gold"}
    )

    assert response.status_code == 200
    assert "tier" in response.context["adminform"].form.errors
    assert not Announcement.objects.exists()


def test_a_sent_announcement_cannot_be_edited_or_deleted(root_client):
    announcement = AnnouncementFactory(status=Announcement.Status.SENT)

    root_client.post(
        f"{ANNOUNCEMENTS}{announcement.pk}/change/",
        {"title": "Changed", "body": "x", "tier": "", "locale": ""},
    )
    deleted = root_client.post(
        f"{ANNOUNCEMENTS}{announcement.pk}/delete/", {"post": "yes"}
    )

    announcement.refresh_from_db()
    assert announcement.title != "Changed"
    assert deleted.status_code == 403


def test_support_staff_cannot_broadcast():
    client = Client()
    client.force_login(staff_member(SUPPORT.name))

    assert client.get(ANNOUNCEMENTS).status_code == 403


def test_resume_finishes_a_stalled_broadcast_without_repeating_anyone(
    root_client, django_capture_on_commit_callbacks
):
    members = [UserFactory() for _ in range(3)]
    announcement = AnnouncementFactory(status=Announcement.Status.QUEUED)
    # One batch went out, then the task was lost.
    announcement_broadcast_batch(announcement_id=announcement.pk, batch_size=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = root_client.post(
            ANNOUNCEMENTS,
            {"action": "resume", "_selected_action": [str(announcement.pk)]},
        )

    announcement.refresh_from_db()
    assert response.status_code == 302
    assert announcement.status == "sent"
    everyone = sorted(User.objects.values_list("pk", flat=True))
    assert len(everyone) == len(members) + 2  # the author and the root client
    assert _told(announcement) == everyone
    assert announcement.recipients_done == len(everyone)


def test_resume_leaves_drafts_and_sent_announcements_alone(root_client):
    draft = AnnouncementFactory()
    sent = AnnouncementFactory(status=Announcement.Status.SENT)

    root_client.post(
        ANNOUNCEMENTS,
        {"action": "resume", "_selected_action": [str(draft.pk), str(sent.pk)]},
    )

    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Notification.objects.filter(type="announcement").count() == 0
