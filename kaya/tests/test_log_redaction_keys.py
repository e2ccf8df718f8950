"""Every sensitive key kaya.logging knows is redacted, as a log record's extra and
nested inside one, whatever its case, through the handler every process uses."""

from __future__ import annotations

import io
import json
import logging

import pytest

from kaya.logging import (
    JSON_LOG_FORMAT,
    REDACTED,
    SENSITIVE_KEYS,
    JsonFormatter,
    RedactSecretsFilter,
    RequestIdFilter,
)

# Written out rather than read from SENSITIVE_KEYS: dropping a key from the code
# must fail a test.
EXPECTED_KEYS = [
    "password",
    "new_password",
    "current_password",
    "old_password",
    "token",
    "access",
    "refresh",
    "ticket",
    "authorization",
    "http_authorization",
    "cookie",
    "http_cookie",
    "secret",
    "api_key",
    "body",
    "text",
    "note",
    "content",
]
SECRET = "kestrel-7731-do-not-log"


def test_the_sensitive_keys_are_the_eighteen_listed():
    assert len(EXPECTED_KEYS) == 18
    assert frozenset(EXPECTED_KEYS) == SENSITIVE_KEYS


def _log_line(**extra: object) -> tuple[str, dict]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(JSON_LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("kaya.tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("something happened", extra=extra)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    return output, json.loads(output)


@pytest.mark.parametrize("key", EXPECTED_KEYS)
def test_a_sensitive_key_is_redacted_at_the_top_level_and_nested(key):
    output, line = _log_line(
        **{key: SECRET},
        context={key.upper(): SECRET, "items": [{key: SECRET}], "visible": "ok"},
    )

    assert SECRET not in output
    assert line[key] == REDACTED
    assert line["context"] == {
        key.upper(): REDACTED,
        "items": [{key: REDACTED}],
        "visible": "ok",
    }
    assert line["message"] == "something happened"


def test_a_key_that_is_not_sensitive_is_logged_as_given():
    _, line = _log_line(mood="calm", context={"duration_seconds": 600})

    assert line["mood"] == "calm"
    assert line["context"] == {"duration_seconds": 600}
