"""Programs and their days in the user's language (the ``translations`` map)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from conftest import bearer
from wellness.models import ProgramDay, WellnessProgram
from wellness.tests.factories import program_with_days

pytestmark = pytest.mark.django_db

ES_PROGRAM = {
    "title": "Calma",
    "summary": "Una semana tranquila.",
    "description": "Siete días.",
}


def _client(api_client, locale):
    user = UserFactory(locale=locale)
    api_client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return api_client


def _translated_program():
    program = program_with_days(2, title="Calm", description="Seven days.")
    program.translations = {"es": ES_PROGRAM}
    program.save(update_fields=["translations"])
    day = ProgramDay.objects.get(program=program, day_number=1)
    day.translations = {"es": {"title": "Llegar", "content": "Respira despacio."}}
    day.save(update_fields=["translations"])
    return program


def test_program_detail_is_in_the_users_language_with_english_fallback(api_client):
    program = _translated_program()

    body = _client(api_client, "es-MX").get(f"/api/v1/programs/{program.pk}").json()

    assert (body["title"], body["summary"], body["description"]) == (
        "Calma",
        "Una semana tranquila.",
        "Siete días.",
    )
    assert [(d["title"], d["content"]) for d in body["days"]] == [
        ("Llegar", "Respira despacio."),
        # Day 2 has no Spanish text: English, never an empty string.
        ("Day 2", "Breathe in, breathe out."),
    ]


def test_program_detail_stays_english_for_an_english_user(api_client):
    program = _translated_program()

    body = _client(api_client, "en").get(f"/api/v1/programs/{program.pk}").json()

    assert body["title"] == "Calm"
    assert body["days"][0]["title"] == "Day 1"


def test_program_list_is_cached_per_language(api_client):
    _translated_program()
    english = UserFactory(locale="en")
    spanish = UserFactory(locale="es")

    api_client.credentials(HTTP_AUTHORIZATION=bearer(english))
    first = api_client.get("/api/v1/programs").json()["results"][0]["title"]
    api_client.credentials(HTTP_AUTHORIZATION=bearer(spanish))
    second = api_client.get("/api/v1/programs").json()["results"][0]["title"]

    assert (first, second) == ("Calm", "Calma")


def test_enrollments_show_the_program_in_the_users_language(api_client):
    program = _translated_program()
    client = _client(api_client, "es")

    enrolled = client.post(f"/api/v1/programs/{program.pk}/enroll")
    mine = client.get("/api/v1/programs/enrollments/my").json()["results"]

    assert enrolled.json()["program"]["title"] == "Calma"
    assert [e["program"]["title"] for e in mine] == ["Calma"]


def test_hidden_premium_content_stays_hidden_in_every_language(api_client):
    program = _translated_program()
    WellnessProgram.objects.filter(pk=program.pk).update(is_premium=True)

    body = _client(api_client, "es").get(f"/api/v1/programs/{program.pk}").json()

    assert [d["content"] for d in body["days"]] == [None, None]
    assert body["days"][0]["title"] == "Llegar"


@pytest.mark.parametrize(
    "value",
    [
        ["es"],
        {"es": "Calma"},
        {"es": {"titel": "Calma"}},
        {"es": {"title": 3}},
    ],
)
def test_translations_of_the_wrong_shape_are_refused(value):
    program = program_with_days(1)
    program.translations = value

    with pytest.raises(ValidationError) as error:
        program.full_clean()

    assert "translations" in error.value.message_dict


def test_dashboard_shows_enrollments_in_the_users_language(api_client):
    # The catalogue and the enrollment pages are translated; the dashboard's
    # active enrollments must say the same.
    program = _translated_program()
    client = _client(api_client, "es-MX")
    client.post(f"/api/v1/programs/{program.pk}/enroll")

    body = client.get("/api/v1/analytics/dashboard").json()

    assert [
        (e["program"]["title"], e["program"]["summary"])
        for e in body["active_enrollments"]
    ] == [("Calma", "Una semana tranquila.")]


def test_dashboard_enrollments_stay_english_for_an_english_user(api_client):
    program = _translated_program()
    client = _client(api_client, "en")
    client.post(f"/api/v1/programs/{program.pk}/enroll")

    body = client.get("/api/v1/analytics/dashboard").json()

    assert [e["program"]["title"] for e in body["active_enrollments"]] == ["Calm"]
