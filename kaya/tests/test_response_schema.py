"""The response hook (kaya/tests/response_schema.py) fails on a drifted response."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse, JsonResponse

from kaya.tests.response_schema import (
    ResponseSchemaError,
    check_response,
    document,
    to_json_schema,
    validate_body,
)


def _json(payload, status=200):
    return JsonResponse(payload, status=status, safe=False)


def _operation_with_ref(status: str = "200"):
    """A documented GET operation whose response body is a component ($ref)."""
    for path, operations in document()["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        media = get["responses"].get(status, {}).get("content", {})
        schema = media.get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            return path, schema
    raise AssertionError("no GET operation with a $ref response")


def test_health_response_passes_and_drift_fails(api_client):
    ok = api_client.get("/api/v1/")
    assert ok.status_code == 200
    check_response("GET", "/api/v1/", ok)
    body = json.loads(ok.content)
    drifted = {key: 12345 for key in body} or {"status": 1}
    with pytest.raises(ResponseSchemaError, match="does not match"):
        check_response("GET", "/api/v1/", _json(drifted))


def test_wrongly_typed_component_field_fails():
    path, schema = _operation_with_ref()
    name = schema["$ref"].rsplit("/", 1)[-1]
    component = document()["components"]["schemas"][name]
    required = component.get("required", [])
    assert required, f"{name} has no required field to drop"
    # A body missing its required fields drifts from the document.
    with pytest.raises(ResponseSchemaError, match="required"):
        check_response("GET", path, _json({}))


def test_undocumented_status_code_fails():
    with pytest.raises(ResponseSchemaError, match="not documented"):
        check_response("GET", "/api/v1/", _json({}, status=418))


def test_unknown_path_fails():
    with pytest.raises(ResponseSchemaError, match="no operation"):
        check_response("GET", "/api/v1/no-such-endpoint", _json({}))


def test_server_errors_and_non_api_paths_are_left_to_their_tests():
    check_response("GET", "/api/v1/", _json({"x": 1}, status=503))
    check_response("GET", "/admin/", HttpResponse("<html>"))
    check_response("GET", "/api/v1/schema/", HttpResponse("openapi: 3.0.3"))


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2026-12-03T18:00:00Z", "2026-12-03 18:00:00"),
        ("date-time", "2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00"),
        ("date", "2026-12-03", "03/12/2026"),
        ("uuid", "0f8fad5b-d9cb-469f-a165-70867728950e", "not-a-uuid"),
        ("email", "a@example.com", ""),
        ("uri", "https://example.com/a.png", ""),
        ("time", "07:30:00", "7h30"),
    ],
)
def test_formats_are_checked(fmt, good, bad):
    schema = {"type": "string", "format": fmt}
    validate_body(schema, good)
    with pytest.raises(ResponseSchemaError):
        validate_body(schema, bad)


def test_nullable_and_refs_are_translated():
    assert to_json_schema({"type": "string", "nullable": True}) == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }
    validate_body({"type": "integer", "nullable": True}, None)
    with pytest.raises(ResponseSchemaError):
        validate_body({"type": "integer"}, None)
    with pytest.raises(ResponseSchemaError):
        validate_body(
            {"type": "object", "properties": {"a": {"type": "integer"}}}, {"a": "1"}
        )
    path, schema = _operation_with_ref()
    with pytest.raises(ResponseSchemaError):
        validate_body(schema, "a string where an object is documented", path)
