"""OpenAPI: document the one error shape on every operation."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from kaya.charset import ACCEPTED_CHARSETS_TEXT
from kaya.exceptions import SERVER_ERROR_MESSAGE, ServiceUnavailableError
from kaya.parsers import MAX_JSON_DEPTH


def _blank_or(fmt: str, what: str) -> dict[str, Any]:
    # The shape drf-spectacular gives a blank-allowed input field.
    return {
        "oneOf": [
            {"type": "string", "format": fmt},
            {"type": "string", "maxLength": 0},
        ],
        "description": f"{what}, or an empty string when not set.",
    }


@extend_schema_field(_blank_or("uri", "An absolute URL"))
class BlankOrURLOutputField(serializers.CharField):
    """Output of an optional ``URLField(blank=True)``: a URL or ``""``. The
    document says so, so a client validating ``format: uri`` accepts ``""``."""


@extend_schema_field(_blank_or("email", "An email address"))
class BlankOrEmailOutputField(serializers.CharField):
    """Output of an optional ``EmailField(blank=True)``: an address or ``""``."""


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for validation errors. An error inside a "
        "list or an object is keyed by its dotted path (`topics.0`, "
        "`support.phone`).",
    )
    request_id = serializers.CharField(
        required=False, help_text="Quote this id when contacting support."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    "400": (
        "Invalid input: `validation_error` with `fields`; `parse_error` for a "
        f"body that is not JSON of valid Unicode nested at most {MAX_JSON_DEPTH} "
        f"deep; `unsupported_charset` for a charset other than "
        f"{ACCEPTED_CHARSETS_TEXT}."
    ),
    "401": "Missing, invalid or expired credentials.",
    "404": "Not found (also for objects that belong to another user).",
    "413": "Request body too large.",
    "415": "The body is not `application/json` (`unsupported_media_type`).",
    "429": "Too many requests; see `Retry-After`.",
    "500": "Server error; the body carries a request id.",
    "503": "A dependency is unavailable (the database; or Redis, for a write to "
    "the user's own row); nothing was changed; retry shortly "
    "(`service_unavailable`).",
}


_REQUEST_ID = "3f2c9a7e0b5d4e1f8a6b2c4d9e0f1a2b"


def _example(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, **extra, "request_id": _REQUEST_ID}
    }


# What each status really carries: only a validation error has `fields`.
_EXAMPLES = {
    "400": _example(
        "validation_error",
        "The request is not valid; see fields.",
        # What DRF says to any body that is not a JSON object.
        fields={
            "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
        },
    ),
    "401": _example(
        "not_authenticated", "Authentication credentials were not provided."
    ),
    "404": _example("not_found", "Not found."),
    "413": _example(
        "request_too_large", "The request body is larger than 1048576 bytes."
    ),
    "429": _example(
        "throttled", "Request was throttled. Expected available in 42 seconds."
    ),
    "415": _example(
        "unsupported_media_type", 'Unsupported media type "text/plain" in request.'
    ),
    "500": _example("server_error", SERVER_ERROR_MESSAGE),
    "503": _example("service_unavailable", ServiceUnavailableError.message),
}


_OBJECT_PARAM = re.compile(r"\{(?!token\})[^}]+\}")


class KayaAutoSchema(AutoSchema):
    def _validation_example(self) -> dict[str, Any]:
        # Name a field this operation really takes, so the example is true here.
        serializer = force_instance(self.get_request_serializer())
        fields = getattr(serializer, "fields", None) or {}
        names = [name for name, f in fields.items() if f.required]
        if not names:
            return _EXAMPLES["400"]
        return _example(
            "validation_error",
            "The request is not valid; see fields.",
            fields={names[0]: ["This field is required."]},
        )

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # Any operation can meet a database outage (answered 503, see
        # kaya.exceptions).
        codes = ["429", "500", "503"]
        has_body = (
            self.method in ("POST", "PUT", "PATCH")
            and self.get_request_serializer() is not None
        )
        if has_body:
            codes += ["400", "413", "415"]
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes.append("401")
        # An object path ({pk}) can be not found; a signed {token} path answers
        # 400 for a bad token, which its view documents itself.
        if _OBJECT_PARAM.search(self.path):
            codes.append("404")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = _DESCRIPTIONS[code]
                example = _EXAMPLES[code]
                if code == "400":
                    example = self._validation_example()
                for media in response.get("content", {}).values():
                    media["examples"] = {code: {"value": example}}
                responses[code] = response
        return responses


_PAGE_PARAMS = ("page", "page_size")

_PAGINATION_DESCRIPTIONS = {
    "400": "Invalid input: `validation_error` with `fields` (for a list, also a "
    "malformed `page_size`).",
    "404": "Not found: `not_found` for a page number past the last page or a "
    "cursor that is not one this list issued.",
}

_URI_TOO_LONG = (
    "Request line too long: answered by the HTTP server in front of the "
    "application (gunicorn's `limit_request_line`), before it is read, so not in "
    "the error shape."
)


def _error_response(code: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "examples": {code: {"value": _EXAMPLES[code]}},
            }
        },
    }


# A wall-clock time in the user's zone (reminders, quiet hours), as DRF's
# TimeField reads and writes it. Not OpenAPI's `format: time` (RFC 3339
# full-time, which needs an offset): a local time has none.
LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _local_times(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _local_times(item)
    elif isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node["pattern"] = LOCAL_TIME_PATTERN
            node.setdefault("example", "07:30:00")
        for value in node.values():
            _local_times(value)


def document_global_responses(
    result: dict[str, Any], generator: Any, request: Any, public: Any
) -> dict[str, Any]:
    """A postprocessing hook: what any operation can answer beyond its own
    view. A paginated list refuses a page number below 1 (the parameters say
    ``minimum: 1``) and answers 404 past the last page or for a foreign cursor,
    and 400 for a malformed page size; every operation can meet a 414 from the
    server in front of it for an overlong query string. Local times are
    documented by their pattern (LOCAL_TIME_PATTERN), not ``format: time``."""
    _local_times(result)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            names = {p.get("name") for p in operation.get("parameters", [])}
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter["name"] in (
                    _PAGE_PARAMS
                ):
                    parameter.setdefault("schema", {})["minimum"] = 1
            paginated = bool(names & {"page", "page_size", "cursor"})
            if paginated:
                for code, description in _PAGINATION_DESCRIPTIONS.items():
                    if code == "404" and not names & {"page", "cursor"}:
                        continue
                    if code not in responses:
                        responses[code] = _error_response(code, description)
            responses.setdefault("414", {"description": _URI_TOO_LONG})
    return result
