"""The live channel: ticket auth, origin check, delivery, revocation, limits.

These tests run through the real ASGI stack (kaya.asgi.application) and the
configured channel layer: in-memory on the embedded default, channels-redis in
the service-backed run. They use transactional databases so that the
notification's on-commit push really happens after a real commit.
"""

import asyncio
import time
from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts.events import user_sessions_revoked
from accounts.models import User
from kaya.asgi import application
from notifications import consumers, realtime
from notifications.models import Notification
from notifications.services import notification_create

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://localhost"


async def _ticket(client) -> str:
    response = await sync_to_async(client.post)("/api/v1/realtime/ticket")
    assert response.status_code == 201
    assert response.json()["expires_in_seconds"] == 30
    return response.json()["ticket"]


async def _open(path: str, origin: bytes | None = ORIGIN):
    headers = [(b"origin", origin)] if origin is not None else []
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=3)
    if not connected:
        # What the server does after a refused handshake: report the disconnect,
        # so no consumer is left waiting on the channel layer.
        await communicator.disconnect()
    return communicator, connected, code


async def _connect(client):
    ticket = await _ticket(client)
    communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}")
    assert connected
    return communicator


async def test_a_good_ticket_opens_the_socket_and_it_answers_pings(auth_client):
    communicator = await _connect(auth_client)

    await communicator.send_json_to({"type": "ping"})

    assert await communicator.receive_json_from() == {"type": "pong", "data": {}}
    await communicator.disconnect()


async def test_a_connection_without_a_ticket_is_refused(auth_client):
    _communicator, connected, _ = await _open("/ws/v1/")

    assert connected is False


async def test_an_unknown_ticket_is_refused(auth_client):
    await _ticket(auth_client)

    _communicator, connected, _ = await _open("/ws/v1/?ticket=made-up-ticket")

    assert connected is False


async def test_a_ticket_works_only_once(auth_client):
    ticket = await _ticket(auth_client)
    first, first_connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    _second, second_connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    assert first_connected is True
    assert second_connected is False
    await first.disconnect()


async def test_a_ticket_expires_after_thirty_seconds(auth_client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        ticket = await _ticket(auth_client)
        traveller.shift(timedelta(seconds=31))

        _communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    assert connected is False


async def test_a_ticket_is_still_good_just_before_it_expires(auth_client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        ticket = await _ticket(auth_client)
        traveller.shift(timedelta(seconds=29))

        communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    assert connected is True
    await communicator.disconnect()


async def test_a_ticket_minted_before_a_logout_all_is_refused(auth_client, user):
    ticket = await _ticket(auth_client)
    # What logout-all does to the account: bump the session epoch.
    await User.objects.filter(pk=user.pk).aupdate(token_epoch=user.token_epoch + 1)

    _communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    assert connected is False


async def test_a_ticket_of_a_deactivated_user_is_refused(auth_client, user):
    ticket = await _ticket(auth_client)
    await User.objects.filter(pk=user.pk).aupdate(is_active=False)

    _communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    assert connected is False


# A missing Origin is refused readably: kaya/tests/test_origins.py.
@pytest.mark.parametrize(
    "origin", [b"https://evil.example", b"http://localhost.evil.example"]
)
async def test_a_foreign_origin_is_refused(auth_client, origin):
    ticket = await _ticket(auth_client)

    _communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}", origin)

    assert connected is False


async def test_a_refused_origin_does_not_use_up_the_ticket(auth_client):
    ticket = await _ticket(auth_client)
    await _open(f"/ws/v1/?ticket={ticket}", b"https://evil.example")

    communicator, connected, _ = await _open(f"/ws/v1/?ticket={ticket}")

    assert connected is True
    await communicator.disconnect()


async def test_the_spa_origin_from_settings_is_allowed(auth_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.kaya.example"]
    from channels.routing import URLRouter

    from kaya.asgi import websocket_stack
    from notifications.routing import websocket_urlpatterns

    app = websocket_stack(URLRouter(websocket_urlpatterns))
    ticket = await _ticket(auth_client)
    communicator = WebsocketCommunicator(
        app,
        f"/ws/v1/?ticket={ticket}",
        headers=[(b"origin", b"https://app.kaya.example")],
    )

    connected, _ = await communicator.connect(timeout=3)

    assert connected is True
    await communicator.disconnect()


async def test_a_notification_created_over_rest_reaches_only_its_owner(
    auth_client, other_client, user
):
    mine = await _connect(auth_client)
    theirs = await _connect(other_client)

    response = await sync_to_async(auth_client.post)("/api/v1/notifications/test")

    assert response.status_code == 201
    event = await mine.receive_json_from(timeout=3)
    assert event["type"] == "notification.created"
    assert event["data"]["id"] == response.json()["id"]
    assert event["data"]["title"] == "Test notification"
    assert event["data"]["cursor"] == response.json()["cursor"]
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_an_event_pushed_by_a_service_reaches_only_its_owner(
    auth_client, other_client, user
):
    mine = await _connect(auth_client)
    theirs = await _connect(other_client)
    data = {
        "session_id": 12,
        "progress_seconds": 30,
        "planned_duration_seconds": 600,
        "device_id": "phone",
    }

    delivered = await sync_to_async(realtime.push_to_user)(
        user.pk, realtime.SESSION_PROGRESS, data
    )

    assert delivered is True
    assert await mine.receive_json_from(timeout=3) == {
        "type": "session.progress",
        "data": data,
    }
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_a_client_cannot_subscribe_to_another_users_stream(
    auth_client, other_client, other_user
):
    mine = await _connect(auth_client)

    await mine.send_json_to({"type": "subscribe", "data": {"user_id": other_user.pk}})
    error = await mine.receive_json_from()
    await sync_to_async(notification_create)(
        user=other_user, type=Notification.Type.SYSTEM, title="Private to them"
    )

    # Only the public channels (realtime.CHANNELS) can be subscribed to.
    assert error == {"type": "error", "data": {"code": "unknown_channel"}}
    assert await mine.receive_nothing(timeout=0.3)
    await mine.disconnect()


async def test_every_socket_of_the_user_receives_the_notification(auth_client, user):
    phone = await _connect(auth_client)
    laptop = await _connect(auth_client)

    await sync_to_async(notification_create)(
        user=user, type=Notification.Type.SYSTEM, title="Hello"
    )

    assert (await phone.receive_json_from(timeout=3))["data"]["title"] == "Hello"
    assert (await laptop.receive_json_from(timeout=3))["data"]["title"] == "Hello"
    await phone.disconnect()
    await laptop.disconnect()


async def test_sessions_revoked_closes_the_users_sockets_with_4001(
    auth_client, other_client, user
):
    phone = await _connect(auth_client)
    laptop = await _connect(auth_client)
    bystander = await _connect(other_client)

    await sync_to_async(user_sessions_revoked.send)(
        sender=User, user_id=user.pk, reason="logout_all"
    )

    assert await phone.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4001,
    }
    assert await laptop.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4001,
    }
    await bystander.send_json_to({"type": "ping"})
    assert await bystander.receive_json_from() == {"type": "pong", "data": {}}
    await bystander.disconnect()


async def test_an_oversize_frame_closes_the_socket_with_4009(auth_client, settings):
    settings.WEBSOCKET_MAX_FRAME_BYTES = 1024
    communicator = await _connect(auth_client)

    frame = '{"type": "ping", "pad": "' + "x" * 1024 + '"}'
    await communicator.send_to(text_data=frame)

    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4009,
    }


async def test_an_oversize_binary_frame_closes_the_socket_with_4009(
    auth_client, settings
):
    settings.WEBSOCKET_MAX_FRAME_BYTES = 1024
    communicator = await _connect(auth_client)

    await communicator.send_to(bytes_data=b"x" * 1025)

    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4009,
    }


async def test_a_frame_at_the_size_limit_is_accepted(auth_client, settings):
    settings.WEBSOCKET_MAX_FRAME_BYTES = 64
    communicator = await _connect(auth_client)
    frame = '{"type": "ping"}'
    frame = frame[:-1] + " " * (64 - len(frame)) + "}"

    await communicator.send_to(text_data=frame)

    assert await communicator.receive_json_from() == {"type": "pong", "data": {}}
    await communicator.disconnect()


async def test_flooding_closes_the_socket_with_4008(auth_client, settings):
    settings.WEBSOCKET_RATE_MESSAGES = 5
    settings.WEBSOCKET_RATE_SECONDS = 60
    communicator = await _connect(auth_client)

    for _ in range(5):
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong", "data": {}}
    await communicator.send_json_to({"type": "ping"})

    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4008,
    }


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid_message"),
        # 4 KB of brackets: the json module raises RecursionError on it.
        ("[" * 4096, "invalid_json"),
        ("[" * 2048 + "]" * 2048, "invalid_json"),
        # Lone surrogates, escaped and raw: json.loads accepts the first, no
        # UTF-8 encoder accepts either.
        ('{"type": "\\ud800"}', "invalid_json"),
        ('{"type": "ping", "x": "\ud800"}', "invalid_json"),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "open-brackets",
        "nested-brackets",
        "escaped-surrogate",
        "raw-surrogate",
    ],
)
async def test_malformed_messages_get_an_error_and_keep_the_socket(
    auth_client, frame, code
):
    communicator = await _connect(auth_client)

    await communicator.send_to(text_data=frame)

    assert await communicator.receive_json_from() == {
        "type": "error",
        "data": {"code": code},
    }
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong", "data": {}}
    await communicator.disconnect()


async def test_a_revocation_between_ticket_check_and_group_join_is_caught(user):
    """The consumer re-checks the session epoch after joining its group, so a
    logout-all whose close message came too early still closes the door."""
    from channels.routing import URLRouter

    from notifications.routing import websocket_urlpatterns

    router = URLRouter(websocket_urlpatterns)

    async def authenticated_before_the_revocation(scope, receive, send):
        scope = {**scope, "user": user, "token_epoch": user.token_epoch}
        return await router(scope, receive, send)

    await User.objects.filter(pk=user.pk).aupdate(token_epoch=user.token_epoch + 1)
    communicator = WebsocketCommunicator(authenticated_before_the_revocation, "/ws/v1/")

    connected, _ = await communicator.connect(timeout=3)

    assert connected is False


async def test_a_ticket_opens_only_the_stream_of_the_user_it_was_issued_to(
    auth_client, user, other_user
):
    # The ticket endpoint ignores any user named in the request.
    response = await sync_to_async(auth_client.post)(
        "/api/v1/realtime/ticket", {"user_id": other_user.pk}, format="json"
    )
    communicator, connected, _ = await _open(
        f"/ws/v1/?ticket={response.json()['ticket']}"
    )
    assert connected is True

    await sync_to_async(notification_create)(
        user=other_user, type=Notification.Type.SYSTEM, title="For them"
    )
    await sync_to_async(notification_create)(
        user=user, type=Notification.Type.SYSTEM, title="For me"
    )

    event = await communicator.receive_json_from(timeout=3)
    assert event["data"]["title"] == "For me"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_an_allowed_host_is_accepted_on_any_port(auth_client):
    """The dev SPA (localhost:5173) and the dev server (localhost:8000) are the
    host of ALLOWED_HOSTS on another port."""
    ticket = await _ticket(auth_client)
    communicator, connected, _ = await _open(
        f"/ws/v1/?ticket={ticket}", b"http://localhost:5173"
    )

    assert connected
    await communicator.disconnect()


def test_a_listed_spa_origin_must_match_its_port_exactly(settings):
    from urllib.parse import urlparse

    from channels.security.websocket import OriginValidator

    from kaya.websocket import allowed_origins

    settings.CORS_ALLOWED_ORIGINS = ["https://app.kaya.example"]
    settings.ALLOWED_HOSTS = ["api.kaya.example"]
    validator = OriginValidator(None, allowed_origins())

    assert validator.valid_origin(urlparse("https://app.kaya.example"))
    assert not validator.valid_origin(urlparse("https://app.kaya.example:8443"))
    assert not validator.valid_origin(urlparse("http://app.kaya.example"))
    assert validator.valid_origin(urlparse("https://api.kaya.example"))
    assert not validator.valid_origin(urlparse("https://evil.example"))


async def test_a_server_shutdown_closes_open_sockets_with_4012(auth_client, user):
    communicator = await _connect(auth_client)

    # What daphne does to every application when it stops (SIGTERM).
    communicator.future.cancel()

    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4012,
    }
    await communicator.send_input({"type": "websocket.disconnect", "code": 4012})
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(communicator.future, timeout=3)


async def test_a_shutdown_close_waits_for_the_client_only_briefly(
    auth_client, monkeypatch
):
    monkeypatch.setattr(consumers, "SHUTDOWN_CLOSE_SECONDS", 0.3)
    communicator = await _connect(auth_client)
    started = time.monotonic()

    communicator.future.cancel()

    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4012,
    }
    # The client never answers the close frame.
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(communicator.future, timeout=3)
    assert 0.3 <= time.monotonic() - started < 1.5


async def test_a_relayed_event_skips_the_database_connection_sweep(
    auth_client, user, monkeypatch
):
    # Channels runs close_old_connections (a hop to the sync thread) before
    # every handler; a relayed event needs no database, so it must not wait
    # for that thread. The sweep still runs for what does use the database.
    import channels.consumer

    sweeps = []
    real_sweep = channels.consumer.aclose_old_connections

    async def counting_sweep():
        sweeps.append(1)
        await real_sweep()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting_sweep)
    communicator = await _connect(auth_client)
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "pong"
    before = len(sweeps)
    data = {
        "session_id": 12,
        "progress_seconds": 30,
        "planned_duration_seconds": 600,
        "device_id": "phone",
    }

    for _ in range(3):
        assert await sync_to_async(realtime.push_to_user)(
            user.pk, realtime.SESSION_PROGRESS, data
        )
        assert await communicator.receive_json_from(timeout=3) == {
            "type": "session.progress",
            "data": data,
        }

    assert before >= 2  # the connect and the ping went through it
    assert len(sweeps) == before
    await communicator.disconnect()


async def test_a_broadcast_reaches_every_subscriber_as_send_jsons_exact_text(
    auth_client, other_client
):
    # Each broadcast is encoded once for all the sockets of a process
    # (consumers._FrameText); every socket must still get the very text the
    # generic send_json writes, and each new event its own.
    sockets = [await _connect(auth_client), await _connect(other_client)]
    for socket in sockets:
        await socket.send_json_to({"type": "subscribe", "channel": "community.feed"})
        assert (await socket.receive_json_from(timeout=3))["type"] == "subscribed"
    events = [
        {
            "type": realtime.COMMUNITY_POST_CREATED,
            "data": {
                "post_id": n,
                "group_id": None,
                "author": {"display_name": "Zoë 🌿", "avatar_url": ""},
                "body": f"Ça va? \u2028 post {n}",
                "topics": ["calm"],
                "created_at": "2026-04-15T09:30:00.123456Z",
            },
        }
        for n in (1, 2)
    ]

    for event in events:
        assert await sync_to_async(realtime.push_to_channel)(
            realtime.FEED_CHANNEL, event["type"], event["data"]
        )

    for socket in sockets:
        for event in events:
            assert await socket.receive_output(timeout=3) == {
                "type": "websocket.send",
                "text": await AsyncJsonWebsocketConsumer.encode_json(event),
            }
        await socket.disconnect()
