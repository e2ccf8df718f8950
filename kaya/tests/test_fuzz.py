"""Contract fuzzing: Schemathesis against the API's own OpenAPI document.

Every operation of the document (generated in-process by drf-spectacular, as
``make schema`` does) is called through the WSGI application with generated
requests, valid and invalid, with all of Schemathesis's checks: no server error,
every status code documented, every body, header and content type as documented,
schema-valid requests accepted and schema-violating ones refused. It runs twice:
as a normal user with seeded data, and anonymously.

Examples per operation: ``KAYA_FUZZ_EXAMPLES`` (50 by default, as in CI; the
README gives a longer run by hand). ``make fuzz`` runs them in one process (CI
does, on PostgreSQL + Redis); ``make test`` leaves this file out (see
conftest.py), because under pytest-xdist Schemathesis's generated tests do not run.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.renderers import JSONRenderer
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from accounts.tests.factories import UserFactory
from conftest import bearer

pytestmark = [pytest.mark.fuzz, pytest.mark.no_response_schema]

# 50 by default (CI): the whole run, 218 operation tests, measured clean at 50
# in about 4 minutes (single process).
EXAMPLES = int(os.environ.get("KAYA_FUZZ_EXAMPLES", "50"))

# Operations that end the caller's session or account: each generated request is
# sent as a fresh user, so one success does not turn the rest of the run into 401s.
DESTRUCTIVE = frozenset(
    {
        "DELETE /api/v1/users/me",
        "POST /api/v1/users/me/delete",
        "POST /api/v1/auth/logout-all",
        "POST /api/v1/auth/change-password",
    }
)

# Rules a request can break while matching the document, because OpenAPI 3.0
# cannot express them (a relation between two values, a lookup in stored data, a
# password's strength). Each answers 400 (documented on the operation) with the
# field (for ``validation_error``) or error code named here; only for those is the
# ``positive_data_acceptance`` check waived. ``*`` is any operation; a field
# name may end in ``*``.
_STRENGTH = "password strength: Django's validators (common, numeric, similar)"
_RANGE = "a date range: from <= to, at most 92 (moods) or 366 (analytics) days"
_BACKDATING = "at most 7 days in the past and not in the future, from now"
RULES_BEYOND_THE_SCHEMA: dict[tuple[str, str], str] = {
    ("*", "date_from"): _RANGE,
    ("*", "date_to"): _RANGE,
    ("*", "occurred_at"): _BACKDATING,
    ("*", "logged_at"): _BACKDATING,
    ("*", "*_id"): "an id must name a row that exists and the caller may use",
    ("*", "invalid_token"): "a signed email-link token: only one we issued verifies",
    ("*", "timezone"): "an IANA zone the server's tz database knows (hundreds)",
    ("*", "after"): "a notification cursor the server issued",
    ("*", "up_to"): "a notification cursor the server issued",
    ("POST /api/v1/auth/register", "password"): _STRENGTH,
    ("POST /api/v1/auth/reset-password", "password"): _STRENGTH,
    ("POST /api/v1/auth/reset-password/{token}", "password"): _STRENGTH,
    ("POST /api/v1/auth/change-password", "new_password"): _STRENGTH,
    ("POST /api/v1/auth/change-password", "current_password"): "the account's",
    ("POST /api/v1/auth/logout", "refresh"): "a refresh token the server issued",
    ("POST /api/v1/users/me/delete", "password"): "the account's password",
    ("DELETE /api/v1/users/me", "password"): "the account's password",
    ("PATCH /api/v1/users/me", "current_password"): "required with a new email",
    ("PATCH /api/v1/users/me", "quiet_hours_end"): "both quiet-hours ends or none",
    ("* /api/v1/journal*", "tag*"): "at most 32 characters once normalised",
    ("* /api/v1/notifications/email-preferences*", "token"): "a token we signed",
    ("PATCH /api/v1/users/me", "avatar_url"): "Django's URL validator (labels <= 63)",
    ("* /api/v1/bookings*", "starts_at"): "a free slot of the therapist, in future",
}
# Messages whatever the field: plain-text fields refuse markup, which a pattern
# cannot tell from text with a "<" in it the way the HTML sanitiser does.
MESSAGES_BEYOND_THE_SCHEMA: dict[str, str] = {
    "HTML markup is not allowed; send plain text.": "plain text, no HTML",
    # PostgreSQL text cannot hold NUL, so every string field refuses it.
    "Null characters are not allowed.": "no NUL character in any string",
}


def _rule_for(label: str, name: str, messages: list[str]) -> bool:
    if messages and all(m in MESSAGES_BEYOND_THE_SCHEMA for m in messages):
        return True
    return any(
        (operation == "*" or fnmatch.fnmatchcase(label, operation))
        and fnmatch.fnmatchcase(name, pattern)
        for operation, pattern in RULES_BEYOND_THE_SCHEMA
    )


def _waived(case, response) -> bool:
    if response.status_code != 400:
        return False
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    label = case.operation.label
    if error.get("code") != "validation_error":
        return _rule_for(label, str(error.get("code")), [])
    fields = error.get("fields") or {}
    return bool(fields) and all(
        _rule_for(label, name, messages) for name, messages in fields.items()
    )


def positive_data_acceptance_beyond_the_schema(ctx, response, case):
    """Schemathesis's ``positive_data_acceptance``, except for the refusals
    listed in RULES_BEYOND_THE_SCHEMA."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if _waived(case, response):
            return None
        raise


def _document() -> dict[str, Any]:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Lazy strings and other Python objects become plain JSON, as served.
    return json.loads(JSONRenderer().render(raw))


def _wsgi_app() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    )


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=_config())
schema.app = _wsgi_app()


def seed(user) -> None:
    """Rows of every kind a list or detail can show, so the lists the fuzzer
    reads are not empty."""
    from community.tests.factories import (
        CommentFactory,
        MemberFactory,
        PostFactory,
        SupportGroupFactory,
    )
    from journal.tests.factories import (
        CrisisResourceFactory,
        GratitudeEntryFactory,
        JournalEntryFactory,
        MoodEntryFactory,
        PromptFactory,
    )
    from notifications.tests.factories import NotificationFactory
    from wellness.tests.factories import (
        WellnessEventFactory,
        WellnessSessionFactory,
        program_with_days,
    )

    now = timezone.now()
    JournalEntryFactory(user=user)
    GratitudeEntryFactory(user=user)
    MoodEntryFactory(user=user, note="Steady.")
    MoodEntryFactory(user=user, logged_at=now - timedelta(days=1))
    PromptFactory()
    # The support block a very low mood gets lists these (one with no website).
    CrisisResourceFactory(url="")
    CrisisResourceFactory(url="https://988lifeline.org")
    NotificationFactory(user=user)
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)
    post = PostFactory(author=user)
    CommentFactory(post=post, author=user)
    PostFactory()
    WellnessSessionFactory(user=user)
    program_with_days(3)
    WellnessEventFactory()


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzz_user(db):
    # Each request runs inside the test's transaction. Django's own test client
    # keeps a request from closing the connection (and with it the transaction)
    # at its start and end; this WSGI client is not Django's, so do the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        user = UserFactory()
        seed(user)
        yield user
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _declared_query(case) -> set[str]:
    operation = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    return {
        p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
    }


def negative_data_rejection_but_unknown_query(ctx, response, case):
    """Schemathesis's ``negative_data_rejection``, except for a query string
    with parameters the operation does not declare: the API ignores unknown
    query parameters (so a client may send extra ones, e.g. cache busters), as
    it always has; a bad value of a declared one is still refused."""
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        if set(case.query or {}) - _declared_query(case):
            return None
        raise


def _send(case, headers: dict[str, str] | None) -> None:
    # Throttle counters would turn the rest of an operation's run into 429s
    # (documented, but then nothing else is exercised).
    cache.clear()
    case.call_and_validate(
        # The WSGI test client does not decompress: ask for no gzip.
        headers={"Accept-Encoding": "identity", **(headers or {})},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        additional_checks=[
            positive_data_acceptance_beyond_the_schema,
            negative_data_rejection_but_unknown_query,
        ],
    )


@schema.parametrize()
@SETTINGS
def test_api_as_a_user(case, fuzz_user):
    user = UserFactory() if case.operation.label in DESTRUCTIVE else fuzz_user
    _send(case, {"Authorization": bearer(user)})


@schema.parametrize()
@SETTINGS
def test_api_anonymously(case, fuzz_user):
    _send(case, None)
