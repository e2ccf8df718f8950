"""The log scan of the whole test run (kaya/tests/log_scan.py, installed by the
root conftest.py): what it catches, and that the journal's own paths, carrying the
canary, log none of it."""

from __future__ import annotations

import logging

import pytest

from accounts.tests.factories import TEST_PASSWORD
from conftest import bearer
from journal.tests.factories import JournalEntryFactory
from kaya.tests.log_scan import JOURNAL_CANARY

pytestmark = pytest.mark.django_db

logger = logging.getLogger("kaya.tests.log_scan_probe")


def _caught(scanner, message, *args, **extra):
    """Log a line, return what the scanner found in it, and take the findings
    back (so this test's own probe does not fail it)."""
    seen = len(scanner.findings)
    logger.warning(message, *args, extra=extra)
    found = [finding.what for finding in scanner.findings[seen:]]
    del scanner.findings[seen:]
    return found


def test_the_scanner_is_installed_for_the_whole_run(_log_scanner):
    assert logging.Logger.callHandlers.__name__ == "call_handlers"


def test_the_journal_canary_is_caught_in_a_message_or_an_extra(_log_scanner):
    assert _caught(_log_scanner, "entry: %s", JOURNAL_CANARY) == ["the journal canary"]
    assert _caught(_log_scanner, "entry", detail=JOURNAL_CANARY.upper()) == [
        "the journal canary"
    ]


def test_the_password_and_email_link_tokens_are_caught(_log_scanner):
    from django.core import signing

    link = signing.dumps({"u": 1, "s": "x" * 32}, salt="kaya.accounts.reset")

    assert _caught(_log_scanner, "tried %s", TEST_PASSWORD) == ["the test password"]
    assert _caught(_log_scanner, "link", where=link) == ["a signed email-link token"]


def test_a_jwt_is_caught_when_redaction_misses_it(_log_scanner, user):
    from kaya.tests.log_scan import Finding

    token = bearer(user).split()[1]
    # The redacting filter scrubs a JWT from messages and extras: none is found.
    assert _caught(_log_scanner, "token %s", token) == []
    # A line that slipped past redaction is still caught by the pattern.
    assert _log_scanner.secrets["a JWT"].search(f"line {token}")
    assert Finding("a JWT", "x", token).what == "a JWT"


def test_a_non_propagating_logger_is_scanned_too(_log_scanner):
    quiet = logging.getLogger("kaya.tests.log_scan_quiet")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    try:
        seen = len(_log_scanner.findings)
        quiet.error("entry %s", JOURNAL_CANARY)
        assert [f.what for f in _log_scanner.findings[seen:]] == ["the journal canary"]
        del _log_scanner.findings[seen:]
    finally:
        quiet.propagate = True
        quiet.handlers.clear()


def test_the_factory_plants_the_canary(user):
    assert JOURNAL_CANARY in JournalEntryFactory(user=user).body


def test_journal_requests_with_the_canary_log_none_of_it(auth_client, user):
    """The journal's paths, including its errors, with the canary as the text;
    the autouse check fails this test if any of it reached a log line."""
    created = auth_client.post(
        "/api/v1/journal", {"title": "t", "body": JOURNAL_CANARY}, format="json"
    )
    assert created.status_code == 201, created.json()
    entry_id = created.json()["id"]
    assert auth_client.get(f"/api/v1/journal/{entry_id}").status_code == 200
    assert auth_client.get("/api/v1/journal").status_code == 200
    updated = auth_client.patch(
        f"/api/v1/journal/{entry_id}",
        {"body": f"{JOURNAL_CANARY} again"},
        format="json",
    )
    assert updated.status_code == 200
    refused = auth_client.post(
        "/api/v1/journal", {"title": JOURNAL_CANARY * 50, "body": ""}, format="json"
    )
    assert refused.status_code == 400
    mood = auth_client.post(
        "/api/v1/journal/mood",
        {"mood": "very_low", "intensity": 9, "note": JOURNAL_CANARY},
        format="json",
    )
    assert mood.status_code == 201
