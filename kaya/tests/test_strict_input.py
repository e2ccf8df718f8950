"""Input is as strict as the OpenAPI document says (kaya.api.validated), and
validation errors are a flat map of messages (kaya.exceptions)."""

import pytest

from journal.models import JournalEntry
from kaya.exceptions import _validation_fields

pytestmark = pytest.mark.django_db


def test_nested_validation_errors_are_keyed_by_their_dotted_path():
    detail = {
        "topics": {0: ["Bad topic."]},
        "items": [{}, {"name": ["Required."]}],
        "email": ["Enter a valid email address."],
    }

    assert _validation_fields(detail) == {
        "topics.0": ["Bad topic."],
        "items.1.name": ["Required."],
        "email": ["Enter a valid email address."],
    }


def test_a_bare_list_of_errors_is_non_field_errors():
    assert _validation_fields(["Bad."]) == {"non_field_errors": ["Bad."]}


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"body": 5}, "body", "Not a valid string."),
        ({"body": "ok", "title": 1.5}, "title", "Not a valid string."),
        (
            {"body": "ok", "tags": "calm"},
            "tags",
            'Expected a list of items but got type "str".',
        ),
        ({"body": "ok", "tags": [1]}, "tags", "Not a valid string."),
    ],
)
def test_a_json_value_of_the_wrong_type_is_refused(
    auth_client, payload, field, message
):
    response = auth_client.post("/api/v1/journal", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert JournalEntry.objects.count() == 0


def test_an_integer_field_refuses_a_numeric_string(auth_client):
    response = auth_client.post(
        "/api/v1/sessions",
        {"type": "meditation", "title": "Sit", "planned_duration_seconds": "600"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "planned_duration_seconds": ["A valid integer is required."]
    }


def test_an_empty_query_value_is_refused_not_read_as_absent(auth_client):
    response = auth_client.get("/api/v1/journal?date_to=")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"date_to"}


def test_an_empty_page_number_is_refused(auth_client):
    response = auth_client.get("/api/v1/sessions?page=")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "page": ["A whole number is required."]
    }


def test_the_document_bounds_pages_and_lists_their_404_and_414():
    from kaya.tests.response_schema import document

    operation = document()["paths"]["/api/v1/sessions"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}

    assert params["page"]["minimum"] == 1
    assert params["page_size"]["minimum"] == 1
    assert {"400", "404", "414"} <= set(operation["responses"])
    assert "414" in document()["paths"]["/api/v1/users/me"]["get"]["responses"]


def test_local_times_are_documented_by_pattern_not_rfc3339_time():
    from kaya.tests.response_schema import document

    schemas = document()["components"]["schemas"]
    reminder = schemas["PatchedUserUpdateInputRequest"]["properties"]["reminder_time"]

    assert "format" not in reminder
    assert reminder["pattern"].startswith("^([01]")


def test_a_local_time_with_an_offset_is_refused(auth_client):
    response = auth_client.patch(
        "/api/v1/users/me", {"reminder_time": "07:30:00+02:00"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"reminder_time"}
