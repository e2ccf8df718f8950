"""Refuse a request whose Content-Type names a charset we do not accept.

Django builds the request object from the Content-Type header before any
middleware runs, and adopts any charset ``codecs.lookup()`` knows, including
codecs that are not text encodings (``rot13``, ``hex``, ``base64``, ``zlib``...).
With a query string present, building ``WSGIRequest`` / ``ASGIRequest`` then
decodes it with that codec and raises ``LookupError`` (a malformed RFC 2231
parameter such as ``charset*=bogus''x`` raises ``ValueError``), outside Django's
exception handling: gunicorn answered with its own HTML 500. A Django middleware
runs too late, so the guard wraps the WSGI and ASGI applications themselves
(kaya/wsgi.py, kaya/asgi.py) and answers 400 in the API's error shape before
Django sees the request.
"""

from __future__ import annotations

import codecs
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from django.utils.http import parse_header_parameters

from kaya.exceptions import error_body
from kaya.middleware import _VALID_REQUEST_ID, REQUEST_ID_HEADER

# Codec names (as codecs.lookup() normalises them) a request may declare. JSON is
# UTF-8 (RFC 8259); ASCII is a subset of it; ISO-8859-1 is HTTP/1.1's historic
# default that some clients still send. Everything else is refused.
ACCEPTED_CODECS = frozenset({"utf-8", "ascii", "iso8859-1"})
ACCEPTED_CHARSETS_TEXT = "utf-8 (any alias), us-ascii or iso-8859-1"

CODE = "unsupported_charset"
MESSAGE = (
    "The charset in the Content-Type header is not accepted; "
    f"send {ACCEPTED_CHARSETS_TEXT}."
)


def content_type_accepted(content_type: str) -> bool:
    """Whether Django may safely build a request from this Content-Type: it
    parses, and any charset it names is one of ACCEPTED_CODECS."""
    try:
        # The parser Django itself applies to the header.
        _, params = parse_header_parameters(content_type)
    except ValueError:
        return False
    charset = params.get("charset")
    if charset is None:
        return True
    try:
        return codecs.lookup(charset).name in ACCEPTED_CODECS
    except (LookupError, ValueError):
        return False


def _refusal(incoming_request_id: str) -> tuple[str, bytes]:
    request_id = (
        incoming_request_id
        if _VALID_REQUEST_ID.match(incoming_request_id)
        else uuid.uuid4().hex
    )
    body = error_body(CODE, MESSAGE)
    body["error"]["request_id"] = request_id
    return request_id, json.dumps(body).encode()


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def charset_guard_wsgi(app: WSGIApp) -> WSGIApp:
    def guarded(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if content_type_accepted(environ.get("CONTENT_TYPE", "")):
            return app(environ, start_response)
        request_id, body = _refusal(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                (REQUEST_ID_HEADER, request_id),
            ],
        )
        return [body]

    return guarded


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


def _header(scope: Scope, name: bytes) -> str:
    # Repeated headers are joined with "," as ASGIRequest joins them.
    return ",".join(
        value.decode("latin-1")
        for key, value in scope.get("headers", [])
        if key.lower() == name
    )


def charset_guard_asgi(app: ASGIApp) -> ASGIApp:
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or content_type_accepted(
            _header(scope, b"content-type")
        ):
            await app(scope, receive, send)
            return
        request_id, body = _refusal(_header(scope, b"x-request-id"))
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return guarded
