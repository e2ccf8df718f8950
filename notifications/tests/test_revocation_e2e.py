"""End to end: the accounts flows that end every session close the user's open
sockets (code 4001) through the real REST views, the domain event and the
channel layer."""

import pytest
from asgiref.sync import sync_to_async

from accounts.tests.factories import TEST_PASSWORD
from notifications.tests.test_websocket import _connect

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": 4001}


async def _assert_bystander_alive(communicator) -> None:
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=3) == {
        "type": "pong",
        "data": {},
    }
    await communicator.disconnect()


async def test_logout_all_over_rest_closes_the_users_sockets(auth_client, other_client):
    phone = await _connect(auth_client)
    bystander = await _connect(other_client)

    response = await sync_to_async(auth_client.post)("/api/v1/auth/logout-all")

    assert response.status_code == 204
    assert await phone.receive_output(timeout=5) == CLOSED
    await _assert_bystander_alive(bystander)


async def test_password_change_over_rest_closes_the_users_sockets(
    auth_client, other_client
):
    phone = await _connect(auth_client)
    bystander = await _connect(other_client)

    response = await sync_to_async(auth_client.post)(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": "a whole new passphrase 9"},
        format="json",
    )

    assert response.status_code == 200
    assert await phone.receive_output(timeout=5) == CLOSED
    await _assert_bystander_alive(bystander)


async def test_account_deletion_over_rest_closes_the_users_sockets(
    auth_client, other_client
):
    phone = await _connect(auth_client)
    bystander = await _connect(other_client)

    response = await sync_to_async(auth_client.delete)(
        "/api/v1/users/me", {"password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 204
    assert await phone.receive_output(timeout=5) == CLOSED
    await _assert_bystander_alive(bystander)
