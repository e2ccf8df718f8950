import io
import json
import logging

import pytest

from kaya.logging import JsonFormatter, RedactSecretsFilter, RequestIdFilter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kaya.tests.urls")]


@pytest.fixture
def json_log():
    """A handler with the production formatter and filters on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
    )
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecretsFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_request_id_from_client_is_echoed(api_client):
    response = api_client.get("/health", HTTP_X_REQUEST_ID="abc-123")

    assert response["X-Request-ID"] == "abc-123"


def test_request_id_is_generated_when_missing(api_client):
    first = api_client.get("/health")["X-Request-ID"]
    second = api_client.get("/health")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_unsafe_request_id_is_replaced(api_client):
    response = api_client.get("/health", HTTP_X_REQUEST_ID="bad id\nforged line")

    assert response["X-Request-ID"] != "bad id\nforged line"
    assert len(response["X-Request-ID"]) == 32


def test_every_log_line_of_a_request_carries_its_id(api_client, json_log):
    api_client.get("/api/v1/test/boom", HTTP_X_REQUEST_ID="req-log-1")

    lines = [line for line in json_log() if line["name"] == "kaya.errors"]
    assert lines
    assert all(line["request_id"] == "req-log-1" for line in lines)
    assert lines[0]["levelname"] == "ERROR"


def test_secrets_are_redacted_from_log_lines(json_log):
    logger = logging.getLogger("kaya.test")
    token = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLXZhbHVl"
    logger.info("header Authorization: Bearer %s", token)
    logger.info("login", extra={"password": "hunter2", "email": "a@example.com"})
    logger.info("fetch /ws/v1/?ticket=abcdef&x=1")

    lines = json_log()
    text = json.dumps(lines)
    assert token not in text
    assert "hunter2" not in text
    assert "abcdef" not in text
    assert lines[1]["password"] == "[redacted]"
    assert lines[1]["email"] == "a@example.com"


def test_log_file_is_written_as_json_under_var_log_when_enabled(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "LOG_FILE_ENABLED": "1", "KAYA_VAR_DIR": str(tmp_path)}
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('kaya.test').warning('hello %s', 'password=hunter2')"
    )
    subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, check=True, timeout=60
    )

    lines = (tmp_path / "log" / "kaya.log").read_text().splitlines()
    record = json.loads(lines[-1])
    assert record["name"] == "kaya.test"
    assert record["levelname"] == "WARNING"
    assert "hunter2" not in lines[-1]
