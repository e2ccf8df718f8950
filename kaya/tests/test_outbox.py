"""The email outbox's promise: at least once, a stable Message-ID, nothing sent
twice within the claim window, provider errors retried, bugs not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection
from django.template import TemplateDoesNotExist
from django.utils import timezone

from kaya import outbox
from kaya.models import OutboxEmail
from kaya.tasks import sweep_email_outbox

pytestmark = pytest.mark.django_db

# After the real clock: an email enqueued now is due at T0.
T0 = datetime(2030, 5, 4, 9, 0, tzinfo=UTC)


class FailingEmailBackend(BaseEmailBackend):
    """The email provider is down (the boundary we fake)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("provider unavailable")


def _message(object_id: int) -> outbox.OutboxMessage | None:
    if object_id == 0:
        return None
    template = "notification" if object_id != 404 else "no/such/template"
    return outbox.OutboxMessage(
        to=f"user{object_id}@example.com",
        template=template,
        context={
            "title": "Hello",
            "type_label": "System",
            "open_url": "https://app/notifications",
            "preferences_url": "https://app/settings",
        },
    )


outbox.register("tests.sample", _message)


def _enqueue(object_id=1, key=None, **kwargs) -> OutboxEmail:
    return outbox.email_enqueue(
        kind="tests.sample",
        object_id=object_id,
        key=key or f"tests.sample:{object_id}",
        **kwargs,
    )


def test_an_email_is_sent_on_commit_once_with_a_stable_message_id(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        email = _enqueue()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 1
    assert [m.to for m in mail.outbox] == [["user1@example.com"]]
    assert mail.outbox[0].extra_headers["Message-ID"] == outbox.message_id(email)
    # A redelivered task, and the sweep, send nothing more.
    assert outbox.email_send(email_id=email.pk) is False
    assert outbox.outbox_sweep() == 0
    assert len(mail.outbox) == 1


def test_enqueue_is_idempotent_per_key():
    first = _enqueue(key="k")
    second = _enqueue(key="k")

    assert first.pk == second.pk
    assert OutboxEmail.objects.count() == 1


def test_an_unregistered_kind_is_refused():
    with pytest.raises(ValueError):
        outbox.email_enqueue(kind="nobody.registered", object_id=1, key="x")


def test_a_rolled_back_enqueue_leaves_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue()
        raise RuntimeError

    assert callbacks == []
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_provider_error_is_retried_with_backoff_then_sent(settings):
    email = _enqueue()
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"

    with time_machine.travel(T0, tick=False):
        assert outbox.email_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 1)
    assert email.send_after == T0 + timedelta(seconds=30)
    assert email.last_error == "builtins.ConnectionRefusedError"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(T0 + timedelta(seconds=29), tick=False):
        assert outbox.outbox_sweep() == 0
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert outbox.outbox_sweep() == 1

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_provider_error_gives_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3
    email = _enqueue()

    moment = T0
    for _ in range(5):
        with time_machine.travel(moment, tick=False):
            outbox.outbox_sweep()
        moment += timedelta(hours=1)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.FAILED, 3)
    assert email.last_error == "builtins.ConnectionRefusedError"


def test_a_template_error_fails_loudly_and_is_not_retried():
    email = _enqueue(object_id=404)

    with pytest.raises(TemplateDoesNotExist):
        outbox.email_send(email_id=email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.FAILED, 1)
    assert email.last_error == "django.template.exceptions.TemplateDoesNotExist"
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert outbox.outbox_sweep() == 0
    assert mail.outbox == []


def test_a_builder_may_skip_an_email():
    email = _enqueue(object_id=0)

    assert outbox.email_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SKIPPED
    assert mail.outbox == []


def _refuse_recording_sent(execute, sql, params, many, context):
    # The database refuses the write that records the send (a failover, a
    # dropped connection): Django's own statement hook, not a fake database.
    if sql.startswith("UPDATE") and "outboxemail" in sql and "sent_at" in sql:
        raise OperationalError("connection lost")
    return execute(sql, params, many, context)


# Transactional: the refused write must not poison the test's own transaction.
@pytest.mark.django_db(transaction=True)
def test_a_commit_failure_after_the_send_does_not_send_twice_within_the_window(
    settings,
):
    settings.EMAIL_OUTBOX_CLAIM_TIMEOUT_SECONDS = 900
    email = _enqueue(send_after=T0)  # held back: no task sends it on commit

    with (
        time_machine.travel(T0, tick=False),
        connection.execute_wrapper(_refuse_recording_sent),
        pytest.raises(OperationalError),
    ):
        outbox.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENDING
    assert len(mail.outbox) == 1

    # Inside the window (up to 1 s before it ends) nothing is sent again.
    for offset in (0, 60, 899):
        with time_machine.travel(T0 + timedelta(seconds=offset), tick=False):
            assert outbox.outbox_sweep() == 0
    assert len(mail.outbox) == 1

    # At its end the sweep sends again (at least once), with the same Message-ID.
    with time_machine.travel(T0 + timedelta(seconds=900), tick=False):
        assert sweep_email_outbox() == 1
    assert len(mail.outbox) == 2
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 2)


def test_the_sweep_sends_a_pending_email_whose_task_was_lost():
    with time_machine.travel(T0, tick=False):
        email = _enqueue()  # no on-commit task ran: the broker was down

    with time_machine.travel(T0 - timedelta(seconds=1), tick=False):
        assert outbox.outbox_sweep() == 0
    with time_machine.travel(T0, tick=False):
        assert outbox.outbox_sweep() == 1

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT


def test_a_held_back_email_is_sent_by_the_sweep_when_due(
    django_capture_on_commit_callbacks,
):
    later = T0 + timedelta(hours=8)
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            _enqueue(send_after=later)
        assert callbacks == []
        assert outbox.outbox_sweep() == 0
    with time_machine.travel(later - timedelta(microseconds=1), tick=False):
        assert outbox.outbox_sweep() == 0
    with time_machine.travel(later, tick=False):
        assert outbox.outbox_sweep() == 1


def test_a_stuck_email_at_its_last_attempt_is_failed_not_resent(settings):
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 1
    email = _enqueue()
    with time_machine.travel(T0, tick=False):
        outbox.email_claim(email_id=email.pk)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert outbox.outbox_sweep() == 0

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert mail.outbox == []


def test_a_claimed_email_is_not_claimed_twice():
    email = _enqueue()

    assert outbox.email_claim(email_id=email.pk) is not None
    assert outbox.email_claim(email_id=email.pk) is None


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 30), (2, 60), (6, 960), (7, 1800), (20, 1800)]
)
def test_backoff(attempts, seconds):
    assert outbox.backoff_seconds(attempts) == seconds
