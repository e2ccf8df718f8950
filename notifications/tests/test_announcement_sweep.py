"""The beat sweep that resumes stalled announcements
(``notifications.resume_stalled_announcements``), and proof that a resumed
broadcast overlapping one still running tells nobody twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from kaya.celery import BEAT_SCHEDULE
from notifications import services
from notifications.models import Announcement, Notification
from notifications.services import (
    announcement_broadcast_batch,
    announcement_queue,
    announcements_resume_stalled,
)
from notifications.tasks import resume_stalled_announcements
from notifications.tests.factories import AnnouncementFactory

STALL = timedelta(seconds=settings.ANNOUNCEMENT_STALL_SECONDS)


def _told(announcement: Announcement) -> list[int]:
    return sorted(
        Notification.objects.filter(
            type=Notification.Type.ANNOUNCEMENT,
            data__announcement_id=announcement.pk,
        ).values_list("user_id", flat=True)
    )


def _stalled(**fields: object) -> Announcement:
    """Queued, one batch of two sent, then its task was lost long ago."""
    announcement = AnnouncementFactory()
    announcement_queue(announcement=announcement)
    announcement_broadcast_batch(announcement_id=announcement.pk, batch_size=2)
    Announcement.objects.filter(pk=announcement.pk).update(
        progress_at=timezone.now() - STALL - timedelta(seconds=1), **fields
    )
    return announcement


def test_the_sweep_is_on_the_beat_schedule_every_minute():
    entry = BEAT_SCHEDULE["resume-stalled-announcements"]

    assert entry == {
        "task": "notifications.resume_stalled_announcements",
        "schedule": 60.0,
    }
    assert resume_stalled_announcements.name == entry["task"]


@pytest.mark.django_db
def test_the_sweep_finishes_a_stalled_broadcast_telling_each_member_once(
    django_capture_on_commit_callbacks,
):
    UserFactory.create_batch(4)
    with django_capture_on_commit_callbacks():  # the task of queuing is lost
        announcement = _stalled()
    assert len(_told(announcement)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        resumed = resume_stalled_announcements()

    announcement.refresh_from_db()
    everyone = sorted(User.objects.values_list("pk", flat=True))
    assert resumed == 1
    assert announcement.status == Announcement.Status.SENT
    assert _told(announcement) == everyone
    assert announcement.recipients_done == len(everyone) == 5


@pytest.mark.django_db
def test_the_sweep_leaves_moving_drafts_and_sent_announcements_alone(
    django_capture_on_commit_callbacks,
):
    UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks():
        moving = AnnouncementFactory()
        announcement_queue(announcement=moving)
        announcement_broadcast_batch(announcement_id=moving.pk, batch_size=1)
        # Just inside the stall window.
        Announcement.objects.filter(pk=moving.pk).update(
            progress_at=timezone.now() - STALL + timedelta(seconds=30)
        )
    draft = AnnouncementFactory(queued_at=timezone.now() - 2 * STALL)
    sent = AnnouncementFactory(
        status=Announcement.Status.SENT, progress_at=timezone.now() - 2 * STALL
    )

    with django_capture_on_commit_callbacks(execute=True) as queued:
        resumed = announcements_resume_stalled()

    assert (resumed, queued) == (0, [])
    for announcement, status in (
        (moving, "sending"),
        (draft, "draft"),
        (sent, "sent"),
    ):
        announcement.refresh_from_db()
        assert announcement.status == status
    assert len(_told(moving)) == 1


@pytest.mark.django_db
def test_the_sweep_resumes_a_stall_once_per_stall_window(
    django_capture_on_commit_callbacks,
):
    UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks():
        announcement = _stalled()
    now = timezone.now()
    next_window = now + STALL + timedelta(seconds=1)

    # The resumed task is lost too (the broker is still down).
    with django_capture_on_commit_callbacks() as first:
        first_count = announcements_resume_stalled(now=now)
    with django_capture_on_commit_callbacks() as again:
        again_count = announcements_resume_stalled(now=now + timedelta(seconds=60))
    with django_capture_on_commit_callbacks() as later:
        later_count = announcements_resume_stalled(now=next_window)

    assert (first_count, again_count, later_count) == (1, 0, 1)
    assert (len(first), len(again), len(later)) == (1, 0, 1)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENDING
    assert len(_told(announcement)) == 2


@pytest.mark.django_db
def test_an_announcement_queued_before_progress_was_recorded_is_resumed(
    django_capture_on_commit_callbacks,
):
    UserFactory.create_batch(2)
    with django_capture_on_commit_callbacks():
        announcement = _stalled()
    Announcement.objects.filter(pk=announcement.pk).update(
        progress_at=None, queued_at=timezone.now() - 2 * STALL
    )

    with django_capture_on_commit_callbacks(execute=True):
        resumed = announcements_resume_stalled()

    announcement.refresh_from_db()
    assert resumed == 1
    assert announcement.status == Announcement.Status.SENT
    assert _told(announcement) == sorted(User.objects.values_list("pk", flat=True))


# --- overlap with a task still running, on PostgreSQL with real threads ------------
WAIT = 20


def _run(target, errors: list[BaseException]) -> threading.Thread:
    def body() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def _queued(**fields: object) -> Announcement:
    return AnnouncementFactory(
        status=Announcement.Status.QUEUED, queued_at=timezone.now(), **fields
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_broadcast_whose_batch_is_running(monkeypatch):
    UserFactory.create_batch(3)
    # Queued as announcement_queue leaves it (whose eager task would run now).
    announcement = _queued(progress_at=timezone.now() - 2 * STALL)
    in_batch, swept = threading.Event(), threading.Event()
    real_create = services.notification_create

    def slow_create(**kwargs):
        # The batch holds the announcement's row lock while it creates these.
        in_batch.set()
        assert swept.wait(WAIT)
        return real_create(**kwargs)

    monkeypatch.setattr(services, "notification_create", slow_create)
    errors: list[BaseException] = []
    running = _run(
        lambda: announcement_broadcast_batch(
            announcement_id=announcement.pk, batch_size=1
        ),
        errors,
    )
    try:
        assert in_batch.wait(WAIT)
        resumed = announcements_resume_stalled()
    finally:
        swept.set()
        running.join(WAIT)

    assert errors == []
    assert resumed == 0
    assert len(_told(announcement)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_resumed_broadcast_overlapping_the_running_one_tells_nobody_twice(
    monkeypatch,
):
    """A worker pauses past the stall window (a long GC, a frozen VM) and then
    carries on, while the sweep's resumed task (run eagerly, in its own thread)
    broadcasts too: both compete for each batch."""
    UserFactory.create_batch(40)
    announcement = _queued(progress_at=timezone.now())
    paused, resumed_running = threading.Event(), threading.Event()
    senders: list[str] = []
    lock = threading.Lock()
    real_create = services.notification_create

    def recording_create(**kwargs):
        name = threading.current_thread().name
        with lock:
            senders.append(name)
        if name == "sweep":
            resumed_running.set()
        return real_create(**kwargs)

    monkeypatch.setattr(services, "notification_create", recording_create)

    def still_running() -> None:
        threading.current_thread().name = "running"
        announcement_broadcast_batch(announcement_id=announcement.pk, batch_size=1)
        paused.set()
        # The worker comes back while the resumed task is under way.
        assert resumed_running.wait(WAIT)
        while announcement_broadcast_batch(
            announcement_id=announcement.pk, batch_size=1
        ):
            pass

    def sweep() -> None:
        threading.current_thread().name = "sweep"
        assert paused.wait(WAIT)
        # Past the stall window, as the beat sweep sees it.
        count = announcements_resume_stalled(
            now=timezone.now() + STALL + timedelta(seconds=1)
        )
        assert count == 1

    errors: list[BaseException] = []
    threads = [_run(still_running, errors), _run(sweep, errors)]
    for thread in threads:
        thread.join(60)

    announcement.refresh_from_db()
    everyone = sorted(User.objects.values_list("pk", flat=True))
    assert errors == []
    assert {"running", "sweep"} <= set(senders)
    assert len(senders) == len(everyone) == 41  # the members and the author
    assert _told(announcement) == everyone
    assert announcement.status == Announcement.Status.SENT
    assert announcement.recipients_done == len(everyone)
