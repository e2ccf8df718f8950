"""A streamed chat reply through the real ASGI websocket stack and the
configured channel layer (in-memory embedded, channels-redis service-backed);
and a generation job on a real Celery worker (service-backed run)."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from coaching.ai import safety
from coaching.models import AIGenerationJob
from coaching.tests.gemini_stub import Answer, text_body
from journal.models import CrisisPhrase
from journal.tests.factories import CrisisResourceFactory
from kaya.asgi import application
from kaya.testing import user_events

ORIGIN = b"http://localhost"


@pytest.fixture(autouse=True)
def _now():
    """Real time here (the package's conftest freezes it): channels-redis orders
    a channel's messages by their send time, so frozen time reorders them."""
    yield


@pytest.fixture(autouse=True)
async def _close_worker_thread_connections():
    """ORM calls from async code run on asgiref's worker thread, which keeps its
    own database connection; close it so PostgreSQL can drop the test database."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """One channel layer per test (see notifications/tests/conftest.py)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def crisis_lines(db):
    CrisisPhrase.objects.get_or_create(
        locale="en", phrase="kill myself", defaults={"category": "suicide"}
    )
    return CrisisResourceFactory(
        name="Lifeline", phone="988", url="https://988lifeline.org", countries=""
    )


@pytest.fixture
def consenting(user):
    _consent(user)
    return user


def _consent(user) -> None:
    user.ai_consent_version = django_settings.AI_CONSENT_VERSION
    user.ai_consent_at = timezone.now()
    user.save(update_fields=["ai_consent_version", "ai_consent_at"])


async def _connect(client) -> WebsocketCommunicator:
    response = await sync_to_async(client.post)("/api/v1/realtime/ticket")
    ticket = response.json()["ticket"]
    communicator = WebsocketCommunicator(
        application, f"/ws/v1/?ticket={ticket}", headers=[(b"origin", ORIGIN)]
    )
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_streamed_chat_reply_arrives_on_my_websocket(
    auth_client, user, settings
):
    settings.GEMINI_API_KEY = ""
    await sync_to_async(_consent)(user)
    communicator = await _connect(auth_client)

    response = await sync_to_async(auth_client.post)(
        "/api/v1/ai/chat",
        {"message": "Help me wind down tonight", "stream": True},
        format="json",
    )

    frames = []
    while not frames or frames[-1]["type"] != "ai.chat.done":
        frames.append(await communicator.receive_json_from(timeout=3))
    await communicator.disconnect()
    reply = response.json()["reply"]
    deltas = [f["data"]["delta"] for f in frames if f["type"] == "ai.chat.delta"]
    assert len(deltas) >= 2
    assert "".join(deltas) == reply["body"]
    assert frames[-1]["data"] == {
        "conversation_id": response.json()["conversation_id"],
        "message_id": reply["id"],
        "body": reply["body"],
        "replaced": False,
        "crisis": False,
    }


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_generation_job_is_done_by_a_real_worker(
    celery_worker_process, auth_client, user
):
    _consent(user)

    response = auth_client.post(
        "/api/v1/ai/session/generate",
        {"goal": "a calmer evening", "duration_seconds": 300},
        format="json",
    )

    assert response.status_code == 202
    job = AIGenerationJob.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + 60
    while job.status != "succeeded" and time.monotonic() < deadline:
        assert celery_worker_process.process.poll() is None, (
            celery_worker_process.tail()
        )
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == "succeeded", celery_worker_process.tail()
    assert job.result["title"] == "Meditation: a calmer evening"
    assert sum(s["duration_seconds"] for s in job.result["steps"]) == 300


# --- streaming ---
@pytest.mark.django_db
def test_streamed_chat_pushes_deltas_then_done_to_my_socket(
    auth_client, consenting, gemini, django_capture_on_commit_callbacks
):
    gemini.reply(
        Answer(
            chunks=[
                text_body("Breathe in slowly. ", ""),
                text_body("Then out", ""),
                text_body(" a little longer."),
            ]
        )
    )
    drain = user_events(consenting.pk, quiet_seconds=0.5)

    with django_capture_on_commit_callbacks(execute=True):
        body = auth_client.post(
            "/api/v1/ai/chat",
            {"message": "Help me relax", "stream": True},
            format="json",
        ).json()

    events = drain()
    deltas = [e["data"]["delta"] for e in events if e["type"] == "ai.chat.delta"]
    done = [e["data"] for e in events if e["type"] == "ai.chat.done"]
    assert deltas == ["Breathe in slowly. ", "Then out a little longer."]
    assert done == [
        {
            "conversation_id": body["conversation_id"],
            "message_id": body["reply"]["id"],
            "body": "Breathe in slowly. Then out a little longer.",
            "replaced": False,
            "crisis": False,
        }
    ]
    assert body["reply"]["body"] == "Breathe in slowly. Then out a little longer."


@pytest.mark.django_db
def test_a_streamed_crisis_output_stops_and_done_carries_the_safe_message(
    auth_client, consenting, crisis_lines, gemini, django_capture_on_commit_callbacks
):
    gemini.reply(
        Answer(
            chunks=[
                text_body("That sounds hard. ", ""),
                text_body("Maybe you want to kill myself", ""),
                text_body(" too."),
            ]
        )
    )
    drain = user_events(consenting.pk, quiet_seconds=0.5)

    with django_capture_on_commit_callbacks(execute=True):
        body = auth_client.post(
            "/api/v1/ai/chat", {"message": "Hi", "stream": True}, format="json"
        ).json()

    events = drain()
    deltas = [e["data"]["delta"] for e in events if e["type"] == "ai.chat.delta"]
    assert deltas == ["That sounds hard. "]
    done = next(e["data"] for e in events if e["type"] == "ai.chat.done")
    assert (done["body"], done["replaced"], done["crisis"]) == (
        safety.CRISIS_REPLY,
        True,
        True,
    )
    assert body["support"]["resources"][0]["name"] == "Lifeline"
