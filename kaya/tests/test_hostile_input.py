"""Hostile input is a 4xx in the error shape on every endpoint, never a 500.

Each class of hostile input walks every operation of the OpenAPI schema that
takes a JSON body (or query parameters), anonymous ones with ``api_client`` and
authenticated ones with ``auth_client``. Object paths are filled with an object
of the user where a maker is known (so the body is really parsed); elsewhere the
object cannot exist and 404 is accepted. The charset class is in
test_hostile_charset.py: it breaks Django before the test client's handler runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from journal.tests.factories import JournalEntryFactory
from kaya.exceptions import api_exception_handler
from kaya.parsers import MAX_JSON_DEPTH, json_problem
from kaya.tests.schema_walk import (
    Operation,
    fill_path,
    json_body_operations,
    query_operations,
)
from notifications.services import email_preferences_token
from wellness.services import program_enroll
from wellness.tests.factories import WellnessSessionFactory, program_with_days

pytestmark = pytest.mark.django_db

# An object of the user for each object path that takes a body, so the request
# gets past get_object() and its body is parsed.
OBJECT_MAKERS: dict[str, Callable[[Any], int]] = {
    "/api/v1/journal/{id}": lambda user: JournalEntryFactory(user=user).pk,
    "/api/v1/sessions/{id}/complete": lambda user: WellnessSessionFactory(user=user).pk,
    "/api/v1/sessions/{id}/progress": lambda user: WellnessSessionFactory(user=user).pk,
    "/api/v1/programs/enrollments/{id}/progress": lambda user: (
        program_enroll(user=user, program=program_with_days())[0].pk
    ),
}
# Required query parameters that must be valid for the body to be read.
QUERY_MAKERS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("/api/v1/notifications/email-preferences", "token"): lambda user: (
        email_preferences_token(user=user)
    ),
}
MISSING_OBJECT_ID = 2_147_483_000

# 32 is the limit the README and the OpenAPI descriptions state.
DEPTH_ERROR = "JSON parse error - nested deeper than 32 levels."
SURROGATE_ERROR = (
    "JSON parse error - a string holds a lone surrogate escape "
    "(e.g. \\ud800), which is not valid Unicode."
)


def _prepare(op: Operation, user, api_client, auth_client):
    """The client, URL and whether the object behind the path exists."""
    values: dict[str, Any] = {}
    exists = True
    for name in op.path_parameters:
        maker = OBJECT_MAKERS.get(op.path)
        if name == "token":
            values[name] = "not-a-real-token"
        elif maker is not None:
            values[name] = maker(user)
        else:
            values[name] = MISSING_OBJECT_ID
            exists = False
    url = fill_path(op.path, values)
    query = {
        param["name"]: QUERY_MAKERS[(op.path, param["name"])](user)
        for param in op.parameters("query")
        if (op.path, param["name"]) in QUERY_MAKERS
    }
    client = api_client if op.anonymous else auth_client
    client.raise_request_exception = False  # see the 500 rather than a traceback
    return client, url, query, exists


def _send(client, op: Operation, url: str, query: dict[str, str], **kwargs):
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.generic(op.method, url, **kwargs)


def _assert_error(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"] == response["X-Request-ID"]
    if message is not None:
        assert error["message"] == message


def _assert_refused_or_missing(response, exists, status, code, message=None):
    if exists:
        _assert_error(response, status, code, message)
    else:
        _assert_error(response, 404, "not_found")


JSON_OPS = json_body_operations()


@pytest.mark.parametrize("op", JSON_OPS, ids=[op.id for op in JSON_OPS])
@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
    ],
    ids=["arrays", "objects"],
)
def test_deeply_nested_json_is_a_400_on_every_json_endpoint(
    op, body, user, api_client, auth_client
):
    client, url, query, exists = _prepare(op, user, api_client, auth_client)

    response = _send(client, op, url, query, data=body, content_type="application/json")

    _assert_refused_or_missing(response, exists, 400, "parse_error", DEPTH_ERROR)


@pytest.mark.parametrize("op", JSON_OPS, ids=[op.id for op in JSON_OPS])
def test_lone_surrogate_is_a_400_on_every_json_endpoint(
    op, user, api_client, auth_client
):
    client, url, query, exists = _prepare(op, user, api_client, auth_client)
    # Every field (text and choice fields alike) and a key hold a lone
    # surrogate; json.dumps writes it as the escape "\ud800" seen on the wire.
    fields = {name: "\ud800" for name in op.request_properties()}
    body = json.dumps({**fields, "\udfff": "x"})
    assert "\\ud800" in body or not fields

    response = _send(client, op, url, query, data=body, content_type="application/json")

    _assert_refused_or_missing(response, exists, 400, "parse_error", SURROGATE_ERROR)


@pytest.mark.parametrize("op", JSON_OPS, ids=[op.id for op in JSON_OPS])
@pytest.mark.parametrize("number", ["1e999", "-1e999"])
def test_number_overflowing_to_infinity_is_a_400_on_every_json_endpoint(
    op, number, user, api_client, auth_client
):
    client, url, query, exists = _prepare(op, user, api_client, auth_client)
    # In every field: an integer lookup with infinity raised OverflowError.
    fields = op.request_properties() or ["a"]
    body = "{" + ", ".join(f'"{name}": {number}' for name in fields) + "}"

    response = _send(client, op, url, query, data=body, content_type="application/json")

    _assert_refused_or_missing(
        response,
        exists,
        400,
        "parse_error",
        f"JSON parse error - number out of range at {number!r}",
    )


@pytest.mark.parametrize("op", JSON_OPS, ids=[op.id for op in JSON_OPS])
@pytest.mark.parametrize(
    "body",
    [b'{"a": "\xed\xa0\x80"}', b'{"a": "\xff"}', b'{"a": NaN}', b'{"a": '],
    ids=["utf8-encoded-surrogate", "invalid-utf8", "nan", "truncated"],
)
def test_undecodable_json_is_a_400_on_every_json_endpoint(
    op, body, user, api_client, auth_client
):
    client, url, query, exists = _prepare(op, user, api_client, auth_client)

    response = _send(client, op, url, query, data=body, content_type="application/json")

    _assert_refused_or_missing(response, exists, 400, "parse_error")


# With a query string, Django cannot build such a request (the guard's case).
NO_QUERY_OPS = [op for op in JSON_OPS if not op.parameters("query")]


@pytest.mark.parametrize("op", NO_QUERY_OPS, ids=[op.id for op in NO_QUERY_OPS])
@pytest.mark.parametrize("charset", ["rot13", "zlib"])
def test_non_text_charset_on_the_body_is_a_400_on_every_json_endpoint(
    op, charset, user, api_client, auth_client
):
    # Without a query string Django builds the request; the parser must still
    # refuse to decode the body with a codec that is not a text encoding (with
    # one, the WSGI/ASGI guard answers first: test_hostile_charset.py).
    client, url, query, exists = _prepare(op, user, api_client, auth_client)

    response = _send(
        client,
        op,
        url,
        query,
        data=b"{}",
        content_type=f"application/json; charset={charset}",
    )

    _assert_refused_or_missing(
        response,
        exists,
        400,
        "parse_error",
        "Unsupported charset in the Content-Type header.",
    )


@pytest.mark.parametrize("op", JSON_OPS, ids=[op.id for op in JSON_OPS])
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"a=%ED%A0%80&b=1"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken"),
        ("multipart/form-data", b"no boundary at all"),
        ("text/plain", b'{"a": 1}'),
        ("application/xml", b"<a>1</a>"),
    ],
    ids=["form", "multipart", "multipart-no-boundary", "text", "xml"],
)
def test_non_json_body_is_a_415_on_every_json_endpoint(
    op, content_type, body, user, api_client, auth_client
):
    client, url, query, exists = _prepare(op, user, api_client, auth_client)

    response = _send(client, op, url, query, data=body, content_type=content_type)

    _assert_refused_or_missing(response, exists, 415, "unsupported_media_type")


QUERY_OPS = query_operations()
HOSTILE_QUERY_VALUES = ["%ED%A0%80", "%5Cud800", "%FF%FE", "%00", "%C0%AF"]


@pytest.mark.parametrize("op", QUERY_OPS, ids=[op.id for op in QUERY_OPS])
@pytest.mark.parametrize("value", HOSTILE_QUERY_VALUES)
def test_hostile_query_parameters_are_never_a_5xx(
    op, value, user, api_client, auth_client
):
    client, url, query, _ = _prepare(op, user, api_client, auth_client)
    names = [param["name"] for param in op.parameters("query")]
    hostile = "&".join(f"{name}={value}" for name in names if name not in query)
    kept = "&".join(f"{k}={v}" for k, v in query.items())
    # No body: the query string alone is under test.
    response = client.generic(
        op.method, f"{url}?{'&'.join(filter(None, [hostile, kept]))}"
    )

    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json"
        assert set(response.json()["error"]) >= {"code", "message", "request_id"}
    else:
        response.json()  # a body that renders


# --- the limit itself --------------------------------------------------------


@pytest.mark.urls("kaya.tests.urls")
def test_json_at_the_depth_limit_is_parsed_and_one_deeper_is_refused(api_client):
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    too_deep = "[" + at_limit + "]"

    accepted = api_client.post(
        "/api/v1/test/echo", data=at_limit, content_type="application/json"
    )
    refused = api_client.post(
        "/api/v1/test/echo", data=too_deep, content_type="application/json"
    )

    # Parsed, then refused by the serializer: the echo takes an object.
    _assert_error(accepted, 400, "validation_error")
    assert accepted.json()["error"]["fields"] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
    _assert_error(refused, 400, "parse_error", DEPTH_ERROR)


@pytest.mark.urls("kaya.tests.urls")
def test_valid_unicode_outside_the_bmp_is_accepted(api_client):
    response = api_client.post(
        "/api/v1/test/echo",
        data=json.dumps({"name": "calm \U0001f33f", "count": 1}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"name": "calm \U0001f33f", "count": 1}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"a": [1, 2]}, None),
        ({"a": [{"b": 2}]}, "too deep"),
        ({"a": "[[[[[[", "b": ["]]]]"]}, None),
        (["ok", {"k": "\ud800"}], "surrogate"),
        ({"\udfff": 1}, "surrogate"),
        ({"a": "calm \U0001f33f"}, None),
    ],
)
def test_parsed_json_is_checked_for_depth_and_unicode(data, problem):
    expected = {
        None: None,
        "too deep": "JSON parse error - nested deeper than 2 levels.",
        "surrogate": SURROGATE_ERROR,
    }[problem]

    assert json_problem(data, max_depth=2) == expected


@pytest.mark.urls("kaya.tests.urls")
@pytest.mark.parametrize(
    "body",
    [
        '"' + '\\"' * 50_000,  # an unterminated string of escaped quotes
        '"' + "\\" * 50_000,
        "[" * 100_000,
    ],
    ids=["escaped-quotes", "backslashes", "open-brackets"],
)
def test_malformed_json_is_refused_in_linear_time(api_client, body):
    # A regex pre-scan for depth once took seconds per 20 KB of escaped quotes
    # (quadratic); the parser must stay linear in the body.
    started = time.monotonic()
    response = api_client.post(
        "/api/v1/test/echo", data=body, content_type="application/json"
    )
    elapsed = time.monotonic() - started

    _assert_error(response, 400, "parse_error")
    assert elapsed < 5, elapsed


def test_an_error_that_echoes_a_lone_surrogate_still_renders():
    exc = ValidationError({"locale": ['"\ud800" is not a valid choice.']})

    response = api_exception_handler(exc, {})

    rendered = json.loads(JSONRenderer().render(response.data))
    assert response.status_code == 400
    assert rendered["error"]["fields"] == {
        "locale": ['"\ufffd" is not a valid choice.']
    }
