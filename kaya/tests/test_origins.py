"""One origin list for REST (CORS) and websockets; a missing Origin, readably."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from kaya.testing import free_port
from kaya.websocket import ORIGIN_REQUIRED_MESSAGE, websocket_stack
from notifications.routing import websocket_urlpatterns

ROOT = Path(__file__).resolve().parents[2]
SPA = "http://localhost:5173"  # FRONTEND_URL's default, as README documents


def _preflight(api_client, origin):
    return api_client.options(
        "/api/v1/auth/login",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,authorization",
    )


async def _ticket(client) -> str:
    response = await sync_to_async(client.post)("/api/v1/realtime/ticket")
    assert response.status_code == 201
    return response.json()["ticket"]


async def _ws_connects(ticket: str, origin: bytes) -> bool:
    app = websocket_stack(URLRouter(websocket_urlpatterns))
    communicator = WebsocketCommunicator(
        app, f"/ws/v1/?ticket={ticket}", headers=[(b"origin", origin)]
    )
    connected, _ = await communicator.connect(timeout=3)
    if connected:
        await communicator.disconnect()
    return connected


def test_the_default_origin_list_is_the_frontend_url_origin(settings):
    assert settings.FRONTEND_URL == SPA
    assert settings.CORS_ALLOWED_ORIGINS == [SPA]


# A CORS preflight (OPTIONS) is answered by the CORS middleware, not by an
# operation of the document.
@pytest.mark.no_response_schema
def test_the_default_lets_the_documented_frontend_call_the_api(api_client):
    response = _preflight(api_client, SPA)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA
    assert "authorization" in response["Access-Control-Allow-Headers"]


@pytest.mark.django_db(transaction=True)
async def test_the_default_lets_the_documented_frontend_open_a_websocket(auth_client):
    assert await _ws_connects(await _ticket(auth_client), SPA.encode()) is True


# A CORS preflight (OPTIONS) is answered by the CORS middleware, not by an
# operation of the document.
@pytest.mark.no_response_schema
@pytest.mark.django_db(transaction=True)
async def test_one_setting_governs_rest_and_websocket_alike(auth_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.kaya.example"]

    for origin, allowed in [
        ("https://app.kaya.example", True),
        ("https://app.kaya.example:8443", False),
        ("https://evil.example", False),
    ]:
        rest = await sync_to_async(_preflight)(auth_client, origin)
        ws = await _ws_connects(await _ticket(auth_client), origin.encode())
        assert (rest.get("Access-Control-Allow-Origin") == origin) is allowed, origin
        assert ws is allowed, origin


def test_the_default_follows_frontend_url_and_an_explicit_list_wins(tmp_path):
    def origins(**env):
        base = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CORS_ALLOWED_ORIGINS", "FRONTEND_URL"}
        }
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import json; from django.conf import settings; "
                "print(json.dumps(settings.CORS_ALLOWED_ORIGINS))",
            ],
            cwd=ROOT,
            env={**base, "KAYA_VAR_DIR": str(tmp_path), **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(result.stdout)

    assert origins(FRONTEND_URL="https://app.kaya.example/app/") == [
        "https://app.kaya.example"
    ]
    assert origins(
        FRONTEND_URL="https://app.kaya.example",
        CORS_ALLOWED_ORIGINS="https://a.example, https://b.example:8443",
    ) == ["https://a.example", "https://b.example:8443"]


@pytest.mark.django_db(transaction=True)
async def test_a_missing_origin_gets_a_readable_refusal_and_keeps_the_ticket(
    auth_client,
):
    ticket = await _ticket(auth_client)
    app = websocket_stack(URLRouter(websocket_urlpatterns))
    communicator = WebsocketCommunicator(app, f"/ws/v1/?ticket={ticket}")

    connected, _ = await communicator.connect(timeout=3)
    frame = await communicator.receive_json_from(timeout=3)
    closed = await communicator.receive_output(timeout=3)

    assert connected is True
    assert frame == {
        "type": "error",
        "data": {"code": "origin_required", "message": ORIGIN_REQUIRED_MESSAGE},
    }
    assert closed == {"type": "websocket.close", "code": 4003}
    # No consumer ran: the ticket still opens a socket with an Origin.
    assert await _ws_connects(ticket, SPA.encode()) is True


def test_a_real_server_tells_a_client_without_origin_why(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "KAYA_SERVER", "DATABASE_URL"}
    }
    env.update(KAYA_VAR_DIR=str(tmp_path), DEBUG="1", LOG_LEVEL="WARNING")
    log_path = tmp_path / "daphne.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "kaya.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # The Python websockets client sends no Origin unless asked to.
                socket = connect(f"ws://127.0.0.1:{port}/ws/v1/", open_timeout=5)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"daphne did not serve:\n{log_path.read_text()}")
                time.sleep(0.3)
        with socket:
            frame = json.loads(socket.recv(timeout=5))
            with pytest.raises(ConnectionClosed) as closed:
                socket.recv(timeout=5)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    assert frame["data"]["code"] == "origin_required"
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4003
