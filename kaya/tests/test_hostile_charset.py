"""A Content-Type charset that is not a real text encoding is a 400, never a 500.

Django adopts any charset ``codecs.lookup()`` knows while it builds the request
object, and with a query string present decodes it at once: ``rot13``, ``hex``,
``base64`` or ``zlib`` raise ``LookupError`` there, before middleware and outside
Django's exception handling (gunicorn answered with its HTML 500). The guard in
kaya/charset.py wraps the WSGI and ASGI applications, so it is tested through
them: in-process (every JSON endpoint), and through a real gunicorn process
started with the Dockerfile's command line. The test client cannot carry such a
request at all (its handler builds the WSGIRequest itself); the first test pins
that, so a Django release that fixes it is noticed.

No test here touches the database: a refused request never reaches Django.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from channels.testing import HttpCommunicator
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from kaya.charset import content_type_accepted
from kaya.testing import free_port
from kaya.tests.schema_walk import Operation, fill_path, json_body_operations

ROOT = Path(__file__).resolve().parents[2]

HOSTILE_CONTENT_TYPES = [
    "application/json; charset=rot13",
    "application/json; charset=hex",
    "application/json; charset=base64",
    "application/json; charset=zlib",
    # RFC 2231 with an unknown charset: Django's header parser raises ValueError.
    "application/json; charset*=bogus''utf-8",
]
HOSTILE_IDS = ["rot13", "hex", "base64", "zlib", "rfc2231-bogus"]
JSON_OPS = json_body_operations()
OP_IDS = [op.id for op in JSON_OPS]


def _url(op: Operation) -> str:
    # The guard answers before routing: any value fills a path parameter.
    path = fill_path(op.path, {name: 1 for name in op.path_parameters})
    return f"{path}?page=1"


def _assert_refused(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 400, body[:300]
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["error"]
    assert error == {
        "code": "unsupported_charset",
        "message": (
            "The charset in the Content-Type header is not accepted; "
            "send utf-8 (any alias), us-ascii or iso-8859-1."
        ),
        "request_id": headers["x-request-id"],
    }


# --- Django alone -------------------------------------------------------------


@pytest.mark.parametrize("content_type", HOSTILE_CONTENT_TYPES[:4], ids=HOSTILE_IDS[:4])
def test_django_alone_fails_to_build_the_request(api_client, content_type):
    # Why the guard cannot be a Django middleware: the request object cannot
    # even be built. When a Django release fixes this, this test fails.
    with pytest.raises(LookupError, match="is not a text encoding"):
        api_client.post(
            "/api/v1/auth/register?page=1", data=b"{}", content_type=content_type
        )


# --- the policy ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("", True),
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/json; charset=UTF-8", True),
        ('application/json; charset="utf8"', True),
        ("application/json; charset=us-ascii", True),
        ("application/json; charset=ISO-8859-1", True),
        ("application/json; charset=latin-1", True),
        ("application/json; charset=utf-16", False),
        ("application/json; charset=utf-8-sig", False),
        ("application/json; charset=cp037", False),
        ("application/json; charset=no-such-codec", False),
        ("application/json; charset=", False),
        ("application/json; charset=rot13", False),
        ("application/json; charset=bz2_codec", False),
        ("application/json; charset*=utf-8''rot13", False),
        ("application/json; charset*=bogus''utf-8", False),
    ],
)
def test_only_utf8_ascii_and_latin1_are_accepted(content_type, accepted):
    assert content_type_accepted(content_type) is accepted


# --- in-process, through the real entry points --------------------------------


def _wsgi_call(method: str, url: str, content_type: str, body: bytes = b"{}"):
    from kaya.wsgi import application

    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    started: dict[str, object] = {}

    def start_response(status, headers, exc_info=None):
        started["status"] = int(status.split()[0])
        started["headers"] = {key.lower(): value for key, value in headers}

    chunks = application(environ, start_response)
    try:
        body_out = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return started["status"], started["headers"], body_out


@pytest.mark.parametrize("content_type", HOSTILE_CONTENT_TYPES, ids=HOSTILE_IDS)
@pytest.mark.parametrize("op", JSON_OPS, ids=OP_IDS)
def test_hostile_charset_is_a_400_through_wsgi_on_every_json_endpoint(op, content_type):
    status, headers, body = _wsgi_call(op.method, _url(op), content_type)

    _assert_refused(status, headers, body)


async def _asgi_call(method: str, url: str, content_type: str, body: bytes = b"{}"):
    from kaya.asgi import application

    communicator = HttpCommunicator(
        application,
        method,
        url,
        body=body,
        headers=[
            (b"host", b"127.0.0.1"),
            (b"content-type", content_type.encode("latin-1")),
        ],
    )
    response = await communicator.get_response(timeout=10)
    # Django's handler waits for the disconnect before it closes the body file.
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
    headers = {
        key.decode("latin-1"): value.decode("latin-1")
        for key, value in response["headers"]
    }
    return response["status"], headers, response["body"]


@pytest.mark.parametrize("content_type", HOSTILE_CONTENT_TYPES, ids=HOSTILE_IDS)
@pytest.mark.parametrize("op", JSON_OPS, ids=OP_IDS)
async def test_hostile_charset_is_a_400_through_asgi_on_every_json_endpoint(
    op, content_type
):
    status, headers, body = await _asgi_call(op.method, _url(op), content_type)

    _assert_refused(status, headers, body)


@pytest.fixture
def no_connection_recycling():
    """A request Django serves in this thread would close (or, with
    CONN_MAX_AGE, re-check) the test's database connection, as the test client
    prevents too; nothing here uses the database."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_an_accepted_charset_reaches_django_through_wsgi(no_connection_recycling):
    status, _, body = _wsgi_call(
        "GET", "/health?page=1", "application/json; charset=UTF-8"
    )

    assert status == 200, body[:300]
    assert json.loads(body)["status"] == "ok"


async def test_an_accepted_charset_reaches_django_through_asgi():
    status, _, body = await _asgi_call(
        "GET", "/health?page=1", "application/json; charset=iso-8859-1"
    )

    assert status == 200, body[:300]
    assert json.loads(body)["status"] == "ok"


def test_the_refusal_keeps_a_plain_request_id_from_the_caller():
    from kaya.wsgi import application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/auth/login",
        "QUERY_STRING": "a=1",
        "CONTENT_TYPE": "application/json; charset=rot13",
        "HTTP_X_REQUEST_ID": "trace-42",
        "wsgi.input": io.BytesIO(b""),
    }
    setup_testing_defaults(environ)
    headers: dict[str, str] = {}
    body = b"".join(application(environ, lambda status, h, exc=None: headers.update(h)))

    assert headers["X-Request-ID"] == "trace-42"
    assert json.loads(body)["error"]["request_id"] == "trace-42"


# --- through gunicorn, as deployed --------------------------------------------

_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _dockerfile_command() -> list[str]:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            return json.loads(line[len("CMD ") :])
    raise AssertionError("the Dockerfile has no CMD")


def _request(port, method, url, content_type, body=b"{}"):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{url}",
        data=body,
        method=method,
        headers={"Content-Type": content_type},
    )
    try:
        with _http.open(request, timeout=15) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    command = _dockerfile_command()
    assert command[:2] == ["gunicorn", "kaya.wsgi:application"]
    port = free_port()
    bind = command.index("--bind") + 1
    command[bind] = f"127.0.0.1:{port}"
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "KAYA_SERVER",
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DEBUG",
        }
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="gunicorn-test-only-" + "k" * 48,
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on 127.0.0.1: no TLS proxy in front to redirect to.
        SECURE_SSL_REDIRECT="0",
        KAYA_VAR_DIR=str(tmp),
        PYTHONDONTWRITEBYTECODE="1",
    )
    log_path = tmp / "gunicorn.log"
    log = log_path.open("w")
    # The venv's gunicorn, whatever PATH holds.
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
            try:
                with _http.open(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield port, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.mark.parametrize("content_type", HOSTILE_CONTENT_TYPES, ids=HOSTILE_IDS)
def test_hostile_charset_is_a_400_from_gunicorn_on_every_json_endpoint(
    gunicorn, content_type
):
    port, log_path = gunicorn
    answers = {
        op.id: _request(port, op.method, _url(op), content_type) for op in JSON_OPS
    }

    for op_id, (status, headers, body) in answers.items():
        lowered = {key.lower(): value for key, value in headers.items()}
        assert status == 400, (op_id, body[:300])
        _assert_refused(status, lowered, body)
    assert "Error handling request" not in log_path.read_text()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            ("[" * 50_000 + "]" * 50_000).encode(),
            "JSON parse error - nested deeper than 32 levels.",
        ),
        (
            b'{"email": "\\ud800", "locale": "\\ud800"}',
            "JSON parse error - a string holds a lone surrogate escape "
            "(e.g. \\ud800), which is not valid Unicode.",
        ),
    ],
    ids=["deep", "surrogate"],
)
def test_hostile_json_is_a_400_from_gunicorn(gunicorn, body, message):
    port, _ = gunicorn

    status, _, raw = _request(
        port, "POST", "/api/v1/auth/register?page=1", "application/json", body
    )

    assert status == 400, raw[:300]
    assert json.loads(raw)["error"]["code"] == "parse_error"
    assert json.loads(raw)["error"]["message"] == message


def test_an_accepted_charset_with_a_query_string_is_served_by_gunicorn(gunicorn):
    port, _ = gunicorn

    status, _, raw = _request(
        port, "GET", "/health?page=1", "application/json; charset=utf-8", None
    )

    assert status == 200, raw[:300]
    assert json.loads(raw)["status"] == "ok"
