"""The one crisis check and the choice of crisis lines by locale and country."""

from __future__ import annotations

import pytest

from journal.crisis import (
    country_for_timezone,
    crisis_check,
    crisis_resources_for,
    crisis_support,
)
from journal.models import CrisisPhrase, CrisisResource
from journal.tests.factories import CrisisResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _starter_list(db):
    """The data migration's starter list. A transactional test that ran earlier
    in the same worker (the service-backed run is parallel) flushes the tables,
    rows seeded by migrations included, so the migration's own function puts them
    back (idempotent: get_or_create)."""
    from importlib import import_module

    from django.apps import apps

    import_module("journal.migrations.0005_crisis_phrases_starter_list").seed(
        apps, None
    )


def test_the_starter_list_is_seeded_by_the_data_migration():
    phrases = set(CrisisPhrase.objects.values_list("locale", "phrase", "category"))

    assert ("en", "kill myself", "suicide") in phrases
    assert ("en", "hurt myself", "self_harm") in phrases
    assert ("es", "quiero morir", "suicide") in phrases


@pytest.mark.parametrize(
    "text, categories",
    [
        ("Some days I want to END MY LIFE.", ("suicide",)),
        ("I keep wanting to hurt   myself", ("self_harm",)),
        ("I don\u2019t want to live anymore", ("suicide",)),
        ("I want to kill myself and hurt myself", ("suicide", "self_harm")),
    ],
)
def test_crisis_check_flags_signals(text, categories):
    result = crisis_check(text, "en")

    assert result.flagged is True
    assert set(result.categories) == set(categories)
    assert len(result.phrase_ids) == len(categories)


@pytest.mark.parametrize(
    "text",
    [
        "This recipe will kill myselfie sales",  # not on a word boundary
        "I killed it at my exam today",
        "",
        "The deadline is killing me",
    ],
)
def test_crisis_check_leaves_ordinary_text_alone(text):
    assert crisis_check(text, "en").flagged is False


def test_crisis_check_uses_the_language_and_the_fallback(settings):
    settings.JOURNAL_FALLBACK_LOCALE = "en"

    assert crisis_check("a veces quiero morir", "es-MX").flagged is True
    assert crisis_check("I want to die", "es-MX").flagged is True
    assert crisis_check("a veces quiero morir", "en").flagged is False


def test_inactive_phrases_are_ignored():
    CrisisPhrase.objects.filter(phrase="kill myself").update(is_active=False)

    assert crisis_check("I will kill myself", "en").flagged is False


def test_country_comes_from_the_time_zone():
    assert country_for_timezone("America/New_York") == "US"
    assert country_for_timezone("Europe/Berlin") == "DE"
    assert country_for_timezone("UTC") is None
    assert country_for_timezone("") is None


@pytest.fixture
def lines():
    CrisisResource.objects.all().delete()
    return {
        "988": CrisisResourceFactory(
            locale="en", name="988", phone="988", countries="US", sort_order=1
        ),
        "112": CrisisResourceFactory(
            locale="en", name="112", phone="112", countries="DE FR", sort_order=2
        ),
        "any": CrisisResourceFactory(locale="en", name="Chat", phone="", sort_order=3),
    }


def test_a_user_in_new_york_is_not_shown_the_eu_number(lines, user):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])

    support = crisis_support(user=user)

    assert [r.name for r in support["resources"]] == ["988", "Chat"]


def test_a_user_in_berlin_gets_112_not_988(lines, user):
    user.timezone = "Europe/Berlin"
    user.save(update_fields=["timezone"])

    assert [r.name for r in crisis_support(user=user)["resources"]] == ["112", "Chat"]


def test_unknown_country_gets_only_lines_that_answer_everywhere(lines):
    _, resources = crisis_resources_for(locale="en", country=None)

    assert [r.name for r in resources] == ["Chat"]


def test_very_low_mood_support_uses_the_country(lines, auth_client, user):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])

    response = auth_client.post(
        "/api/v1/journal/mood", {"mood": "very_low", "intensity": 9}
    )

    phones = [r["phone"] for r in response.json()["support"]["resources"]]
    assert phones == ["988", ""]
