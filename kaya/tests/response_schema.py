"""Every API response a test receives is checked against the OpenAPI document.

The document is generated once per test session with drf-spectacular's
``SchemaGenerator`` (the same one ``manage.py spectacular`` uses). For a response
to an ``/api/v1/`` path (the schema and docs pages excepted) the hook finds the
operation by method and path template, requires the status code to be documented
(5xx excepted: outage tests assert those themselves) and validates the JSON body
against the documented schema with ``jsonschema``, after translating OpenAPI 3.0
(``nullable``, ``$ref`` into components, boolean ``exclusiveMinimum``) into JSON
Schema 2020-12 and checking the formats clients rely on (date-time, date, time,
uuid, email, uri). A drifted response fails the test that received it.

A test that deliberately receives a response outside the contract opts out with
``@pytest.mark.no_response_schema`` and says why.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from drf_spectacular.generators import SchemaGenerator

API_PREFIX = "/api/v1/"
# Served by drf-spectacular itself, not described in the document they serve.
# The docs, and the test-only views of kaya/tests/urls.py (not part of the API).
EXEMPT_PREFIXES = ("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc", "/api/v1/test/")


class ResponseSchemaError(AssertionError):
    """A response the OpenAPI document does not describe."""


# ---------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------
format_checker = jsonschema.FormatChecker(["date", "email", "uuid"])


@format_checker.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        raise ValueError("no T between date and time")
    parsed = dt.datetime.fromisoformat(value)
    # Every instant the API emits is aware (STYLE: no naive datetimes).
    return parsed.tzinfo is not None


@format_checker.checks("time", raises=ValueError)
def _is_time(value: object) -> bool:
    # OpenAPI 3.0 does not define "time"; drf-spectacular uses it for DRF's
    # TimeField, which renders an ISO 8601 local time ("07:30:00").
    if isinstance(value, str):
        dt.time.fromisoformat(value)
    return True


@format_checker.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in value


@format_checker.checks("email")
def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    local, sep, domain = value.rpartition("@")
    return bool(sep and local and domain)


# ---------------------------------------------------------------------------
# OpenAPI 3.0 -> JSON Schema
# ---------------------------------------------------------------------------
def to_json_schema(node: Any) -> Any:
    """Translate an OpenAPI 3.0 schema object (recursively) into JSON Schema."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items()}
    if "$ref" in out and out["$ref"].startswith("#/components/schemas/"):
        out["$ref"] = "#/$defs/" + out["$ref"].rsplit("/", 1)[-1]
    for bound, limit in (
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ):
        if isinstance(out.get(bound), bool) and out.pop(bound) and limit in out:
            out[bound] = out.pop(limit)
    # Annotations with no JSON Schema meaning.
    for key in ("discriminator", "xml", "externalDocs", "example"):
        out.pop(key, None)
    if out.pop("nullable", False):
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    operations: dict[str, Any]


@functools.cache
def document() -> dict[str, Any]:
    return dict(SchemaGenerator().get_schema(request=None, public=True))


@functools.cache
def _defs() -> dict[str, Any]:
    return {
        name: to_json_schema(schema)
        for name, schema in document()["components"]["schemas"].items()
    }


@functools.cache
def _routes() -> list[_Route]:
    routes = []
    for template, operations in document()["paths"].items():
        regex = re.sub(r"\\\{(\w+)\\\}", "[^/]+", re.escape(template.rstrip("/")))
        routes.append(_Route(template, re.compile(f"^{regex}/?$"), operations))
    # A literal segment wins over a placeholder (/users/me before /users/{id}).
    routes.sort(key=lambda r: (r.template.count("{"), -len(r.template)))
    return routes


def _find_operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    for route in _routes():
        if route.pattern.match(path):
            operation = route.operations.get(method.lower())
            if operation is None and method.upper() == "HEAD":
                operation = route.operations.get("get")
            if operation is not None:
                return route.template, operation
    raise ResponseSchemaError(
        f"{method} {path} answered but no operation in the OpenAPI document matches it"
    )


def validate_body(schema: dict[str, Any], body: Any, where: str = "response") -> None:
    """Validate ``body`` against an OpenAPI 3.0 ``schema`` (which may $ref
    components). Raises ResponseSchemaError naming every violation."""
    root = {"$defs": _defs(), **to_json_schema(copy.deepcopy(schema))}
    validator = jsonschema.Draft202012Validator(root, format_checker=format_checker)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in errors[:10]
        ]
        raise ResponseSchemaError(
            f"{where} does not match the OpenAPI document:\n" + "\n".join(lines)
        )


def check_response(method: str, path: str, response: Any) -> None:
    """Raise ResponseSchemaError if the response drifts from the document."""
    if not path.startswith(API_PREFIX) or path.startswith(EXEMPT_PREFIXES):
        return
    status = response.status_code
    if status >= 500:
        return
    template, operation = _find_operation(method, path)
    where = f"{method} {template} -> {status}"
    responses = operation.get("responses", {})
    spec = responses.get(str(status)) or responses.get("default")
    if spec is None:
        raise ResponseSchemaError(
            f"{where}: status {status} is not documented "
            f"(documented: {', '.join(sorted(responses))})"
        )
    content = spec.get("content") or {}
    raw = getattr(response, "content", b"") if not response.streaming else b""
    if not content:
        if raw and method.upper() != "HEAD":
            raise ResponseSchemaError(f"{where}: documented without a body, got one")
        return
    json_content = next(
        (media for name, media in content.items() if "json" in name), None
    )
    content_type = response.get("Content-Type", "")
    if json_content is None or "json" not in content_type:
        return  # CSV, HTML: not a JSON body to validate.
    if method.upper() == "HEAD" or not raw:
        return
    schema = json_content.get("schema")
    if schema is None:
        return
    validate_body(schema, json.loads(raw), where)
