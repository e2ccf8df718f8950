"""With a broker configured, tasks run on a real Celery worker process.

Service-backed run only: a request queues an email task on commit; a separate
`celery worker` process, reading the same PostgreSQL test database and Redis
broker, picks it up and sends the email (to files, the only fake: the provider).
"""

import time
from pathlib import Path
from subprocess import Popen

import pytest

from accounts.models import EmailDelivery
from accounts.services import EMAIL_KIND
from accounts.tests.factories import UserFactory
from kaya.models import OutboxEmail
from kaya.testing import Started

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def _parts(worker: Started, tmp_path: Path) -> tuple[Path, Popen[bytes], Path]:
    """Where the worker writes emails, its process, and its log."""
    return tmp_path / "outbox", worker.process, worker.log_path


def _outbox_email(user) -> OutboxEmail:
    """The outbox row (kaya.outbox) of the user's password reset email."""
    delivery = EmailDelivery.objects.get(user=user, kind="password_reset")
    return OutboxEmail.objects.get(idempotency_key=f"{EMAIL_KIND}:{delivery.pk}")


def test_a_queued_email_is_sent_by_a_real_worker(
    celery_worker_process, api_client, tmp_path
):
    outbox, process, log_path = _parts(celery_worker_process, tmp_path)
    user = UserFactory(email="worker-check@example.com")

    response = api_client.post(
        "/api/v1/auth/request-password-reset", {"email": user.email}, format="json"
    )

    assert response.status_code == 202
    deadline = time.monotonic() + 60
    email = _outbox_email(user)
    while email.sent_at is None and time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.5)
        email.refresh_from_db()
    assert email.sent_at is not None, log_path.read_text()[-3000:]
    messages = [p.read_text() for p in outbox.iterdir()]
    assert len(messages) == 1
    assert "To: worker-check@example.com" in messages[0]
    assert "/reset-password" in messages[0]


def test_an_idle_worker_keeps_its_broker_connection(
    celery_worker_process, api_client, tmp_path
):
    """The broker's socket timeout (REDIS_SOCKET_TIMEOUT, 2 s) is short for the
    publishes on request paths; it must not cut the worker's blocking reads."""
    outbox, process, log_path = _parts(celery_worker_process, tmp_path)
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text() and time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.3)
    assert "ready." in log_path.read_text(), log_path.read_text()[-3000:]
    # Idle well past the socket timeout and redis-py 8's 5 s default.
    time.sleep(12)
    user = UserFactory(email="idle-worker@example.com")

    response = api_client.post(
        "/api/v1/auth/request-password-reset", {"email": user.email}, format="json"
    )

    assert response.status_code == 202
    email = _outbox_email(user)
    deadline = time.monotonic() + 30
    while email.sent_at is None and time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.5)
        email.refresh_from_db()
    log = log_path.read_text()
    assert email.sent_at is not None, log[-3000:]
    assert "Timeout reading" not in log
    assert "consumer: Connection to broker lost" not in log
    assert len(list(outbox.iterdir())) == 1
