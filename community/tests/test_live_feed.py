"""The live community feed: a socket that subscribes to ``community.feed`` gets
``community.post.created`` for each new published post in no group.

Through the real ASGI stack (kaya.asgi.application) and the configured channel
layer: in-memory on the embedded default, channels-redis in the service-backed
run (where the ``redis`` test below also insists on it). Transactional
databases, so the on-commit push really follows a real commit.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer
from django.db import transaction

from community import services
from community.models import ContentStatus, Post
from community.tests.factories import MemberFactory, SupportGroupFactory
from kaya.asgi import application
from notifications import realtime

# The per-test channel layer and the worker thread's connection, as for every
# websocket test (notifications/tests/conftest.py).
from notifications.tests.conftest import (  # noqa: F401
    _close_worker_thread_connections,
    _fresh_channel_layer,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://localhost"
SUBSCRIBE = {"type": "subscribe", "channel": "community.feed"}


async def _connect(client) -> WebsocketCommunicator:
    response = await sync_to_async(client.post)("/api/v1/realtime/ticket")
    assert response.status_code == 201
    communicator = WebsocketCommunicator(
        application,
        f"/ws/v1/?ticket={response.json()['ticket']}",
        headers=[(b"origin", ORIGIN)],
    )
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    return communicator


async def _subscribed(client) -> WebsocketCommunicator:
    communicator = await _connect(client)
    await communicator.send_json_to(SUBSCRIBE)
    assert await communicator.receive_json_from(timeout=3) == {
        "type": "subscribed",
        "data": {"channel": "community.feed"},
    }
    return communicator


async def _post(client, **body):
    response = await sync_to_async(client.post)("/api/v1/community", body)
    assert response.status_code == 201, response.content
    return response.json()


async def test_a_subscribed_socket_receives_a_new_public_post(
    auth_client, other_client, other_user
):
    feed = await _subscribed(auth_client)

    post = await _post(other_client, body="A calm morning walk", topics=["sleep"])

    event = await feed.receive_json_from(timeout=3)
    assert event["type"] == realtime.COMMUNITY_POST_CREATED
    assert event["data"]["post_id"] == post["id"]
    assert event["data"]["group_id"] is None
    assert event["data"]["body"] == "A calm morning walk"
    assert event["data"]["topics"] == ["sleep"]
    assert event["data"]["author"]["display_name"] == other_user.display_name
    assert await feed.receive_nothing(timeout=0.3)
    await feed.disconnect()


async def test_an_anonymous_post_never_reveals_its_author_on_the_feed(
    auth_client, other_client, other_user
):
    other_user.display_name = "Secret Person"
    other_user.avatar_url = "https://cdn.example/secret.png"
    await other_user.asave(update_fields=["display_name", "avatar_url"])
    feed = await _subscribed(auth_client)

    post = await _post(other_client, body="Hard week", anonymous=True)

    event = await feed.receive_json_from(timeout=3)
    assert event["data"]["post_id"] == post["id"]
    assert event["data"]["author"] == {"display_name": "Anonymous", "avatar_url": ""}
    frame = str(event)
    assert "Secret Person" not in frame
    assert "secret.png" not in frame
    assert other_user.email not in frame
    # No field names or carries the author's id (only the post's own id).
    assert not {"author_id", "user_id"} & set(event["data"])
    assert set(event["data"]["author"]) == {"display_name", "avatar_url"}
    assert other_user.pk not in [
        value for key, value in event["data"].items() if key != "post_id"
    ]
    await feed.disconnect()


async def test_a_socket_that_did_not_subscribe_gets_no_feed_posts(
    auth_client, other_client
):
    plain = await _connect(auth_client)

    await _post(other_client, body="Nobody is listening live")

    assert await plain.receive_nothing(timeout=0.3)
    await plain.disconnect()


async def test_after_unsubscribing_no_more_feed_posts_arrive(auth_client, other_client):
    feed = await _subscribed(auth_client)

    await feed.send_json_to({"type": "unsubscribe", "channel": "community.feed"})
    answer = await feed.receive_json_from(timeout=3)
    await _post(other_client, body="After the unsubscribe")

    assert answer == {"type": "unsubscribed", "data": {"channel": "community.feed"}}
    assert await feed.receive_nothing(timeout=0.3)
    await feed.disconnect()


async def test_subscribing_twice_delivers_each_post_once(auth_client, other_client):
    feed = await _subscribed(auth_client)
    await feed.send_json_to(SUBSCRIBE)
    assert (await feed.receive_json_from(timeout=3))["type"] == "subscribed"

    await _post(other_client, body="Only once")

    event = await feed.receive_json_from(timeout=3)
    assert event["type"] == realtime.COMMUNITY_POST_CREATED
    assert await feed.receive_nothing(timeout=0.3)
    await feed.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "subscribe", "channel": "user.1"},
        {"type": "subscribe", "channel": "channel.community.feed"},
        {"type": "subscribe", "channel": "group.1"},
        {"type": "subscribe", "channel": ["community.feed"]},
        {"type": "subscribe"},
        {"type": "unsubscribe", "channel": "user.1"},
    ],
)
async def test_only_the_public_channels_can_be_subscribed(auth_client, frame):
    communicator = await _connect(auth_client)

    await communicator.send_json_to(frame)

    assert await communicator.receive_json_from(timeout=3) == {
        "type": "error",
        "data": {"code": "unknown_channel"},
    }
    # The socket stays open and usable.
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "pong"
    await communicator.disconnect()


async def test_a_group_post_goes_to_its_members_and_not_to_the_feed(
    auth_client, other_client, user, other_user
):
    group = await sync_to_async(SupportGroupFactory)(is_private=True)
    await sync_to_async(MemberFactory)(group=group, user=other_user)
    feed = await _subscribed(auth_client)

    await _post(other_client, body="Inside the group", group_id=group.pk)

    assert await feed.receive_nothing(timeout=0.3)
    await feed.disconnect()


async def test_a_crisis_held_post_is_not_pushed(crisis_data, auth_client, other_client):
    feed = await _subscribed(auth_client)

    held = await _post(other_client, body="Tonight I want to end my life")

    assert held["status"] == "held"
    assert await feed.receive_nothing(timeout=0.3)
    await feed.disconnect()


async def test_the_post_is_pushed_only_after_its_transaction_commits(
    auth_client, other_user
):
    feed = await _subscribed(auth_client)

    def post_and_peek() -> bool:
        with transaction.atomic():
            services.post_create(author=other_user, body="Committed at last")
            # Still inside the transaction: nothing may have gone out yet.
            return async_to_sync(feed.receive_nothing)(timeout=0.3)

    nothing_before_commit = await sync_to_async(post_and_peek)()

    assert nothing_before_commit is True
    event = await feed.receive_json_from(timeout=3)
    assert event["data"]["body"] == "Committed at last"
    await feed.disconnect()


async def test_a_post_rolled_back_or_hidden_before_the_push_is_not_pushed(
    auth_client, other_user
):
    feed = await _subscribed(auth_client)

    def rolled_back() -> None:
        with transaction.atomic():
            services.post_create(author=other_user, body="Never committed")
            transaction.set_rollback(True)

    def hidden_before_commit() -> None:
        with transaction.atomic():
            post = services.post_create(author=other_user, body="Hidden").obj
            # A moderator's hide landing before the push (another instance).
            Post.objects.filter(pk=post.pk).update(status=ContentStatus.HIDDEN)

    await sync_to_async(rolled_back)()
    await sync_to_async(hidden_before_commit)()

    assert await feed.receive_nothing(timeout=0.3)
    await feed.disconnect()


async def test_a_closed_socket_leaves_the_feed(auth_client):
    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        pytest.skip("only the in-memory layer lists a group's members")
    group = realtime.channel_group(realtime.FEED_CHANNEL)
    feed = await _subscribed(auth_client)
    joined = set(layer.groups.get(group, {}))

    await feed.disconnect()

    assert joined
    assert not layer.groups.get(group)


@pytest.mark.redis
async def test_the_feed_is_delivered_through_redis(auth_client, other_client):
    """The service-backed run: the same path through channels-redis (fails,
    never skips, when KAYA_REQUIRE_SERVICES=1 and Redis is down)."""
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    feed = await _subscribed(auth_client)
    watcher = await _subscribed(auth_client)

    post = await _post(other_client, body="Through Redis", anonymous=True)

    for socket in (feed, watcher):
        event = await socket.receive_json_from(timeout=5)
        assert event["type"] == realtime.COMMUNITY_POST_CREATED
        assert event["data"]["post_id"] == post["id"]
        assert event["data"]["author"]["display_name"] == "Anonymous"
        await socket.disconnect()
