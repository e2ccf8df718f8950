"""Several server processes share one channel layer (service-backed run only).

Two real ASGI servers (daphne) run against the test database and Redis: a
socket connected to one receives a notification created through an HTTP
request to the other.
"""

import json

import pytest

from conftest import bearer
from notifications.tests.servers import daphne_servers, open_socket, request


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_socket_on_one_server_gets_a_notification_made_through_another(
    user, other_user, tmp_path
):
    token = bearer(user)
    with (
        daphne_servers(tmp_path, count=2) as (server_a, server_b),
        open_socket(server_a, token) as socket_a,
        open_socket(server_a, bearer(other_user)) as bystander,
    ):
        # The sockets are open; their group joins are done before accept.
        status, created = request(
            "POST", server_b.url("/api/v1/notifications/test"), token
        )
        event = json.loads(socket_a.recv(timeout=10))
        with pytest.raises(TimeoutError):
            bystander.recv(timeout=0.5)

    assert status == 201
    assert event["type"] == "notification.created"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["title"] == "Test notification"
