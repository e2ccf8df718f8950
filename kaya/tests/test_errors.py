import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kaya.tests.urls")]


def test_validation_error_has_code_message_and_fields(api_client):
    response = api_client.post("/api/v1/test/echo", {"name": "x" * 11}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "The request is not valid; see fields."
    assert set(error["fields"]) == {"name", "count"}
    assert error["fields"]["count"] == ["This field is required."]


def test_malformed_json_gives_parse_error(api_client):
    response = api_client.post(
        "/api/v1/test/echo", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_missing_credentials_give_401_in_error_shape(api_client):
    response = api_client.get("/api/v1/test/private")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_garbage_token_gives_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/v1/test/private")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_valid_token_reaches_the_view(auth_client, user):
    response = auth_client.get("/api/v1/test/private")

    assert response.status_code == 200
    assert response.json() == {"email": user.email}


# An unknown path is outside the OpenAPI document by definition.
@pytest.mark.no_response_schema
def test_unknown_api_url_gives_404_in_error_shape(api_client):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response["Content-Type"] == "application/json"


def test_wrong_method_gives_405_in_error_shape(api_client):
    response = api_client.delete("/api/v1/test/echo")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_oversize_body_gives_413(api_client, settings):
    settings.API_MAX_BODY_BYTES = 2048
    response = api_client.post(
        "/api/v1/test/echo",
        data='{"name": "' + "x" * 4096 + '"}',
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_throttled_request_gives_429_with_retry_after(api_client):
    assert api_client.get("/api/v1/test/throttled").status_code == 200
    response = api_client.get("/api/v1/test/throttled")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_spoofed_forwarded_for_does_not_reset_the_throttle(api_client):
    assert api_client.get("/api/v1/test/throttled").status_code == 200
    response = api_client.get(
        "/api/v1/test/throttled", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert response.status_code == 429


def test_application_error_keeps_its_code_and_status(api_client):
    response = api_client.post("/api/v1/test/conflict", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_done"
    assert response.json()["error"]["message"] == "Already done."


def test_unhandled_error_gives_generic_500_with_request_id(api_client, caplog):
    response = api_client.get("/api/v1/test/boom", HTTP_X_REQUEST_ID="req-500-test")

    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "server_error"
    assert body["error"]["request_id"] == "req-500-test"
    text = response.content.decode()
    assert "Traceback" not in text
    assert "hunter2" not in text
    assert "RuntimeError" not in text
    assert any(r.levelname == "ERROR" for r in caplog.records)
