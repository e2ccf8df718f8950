import pytest
from django.test import Client

from accounts.models import User
from wellness.models import WellnessProgram
from wellness.tests.factories import WellnessSessionFactory, program_with_days

pytestmark = pytest.mark.django_db

LIST = "/api/v1/programs"


@pytest.fixture
def staff_client(db):
    admin = User.objects.create_superuser("admin@example.com", "a long admin pass")
    client = Client()
    client.force_login(admin)
    return client


def _form(program=None, **overrides):
    data = {
        "title": "Sleep reset",
        "slug": "sleep-reset",
        "summary": "Two nights.",
        "description": "",
        "category": "sleep",
        "difficulty": "beginner",
        "cover_image_url": "",
        "is_published": "on",
        "ordering": "1",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for index in range(2):
        data.update(
            {
                f"days-{index}-day_number": str(index + 1),
                f"days-{index}-title": f"Night {index + 1}",
                f"days-{index}-session_type": "sleep",
                f"days-{index}-duration_minutes": "15",
                f"days-{index}-content": "Lie down.",
            }
        )
    if program is not None:
        data["days-INITIAL_FORMS"] = "2"
        for index, day in enumerate(program.days.order_by("day_number")):
            data[f"days-{index}-id"] = str(day.pk)
            data[f"days-{index}-program"] = str(program.pk)
    data.update(overrides)
    return data


def _titles(auth_client):
    return [
        (p["title"], p["days_count"]) for p in auth_client.get(LIST).json()["results"]
    ]


def test_adding_a_program_in_the_admin_invalidates_the_cached_list(
    staff_client, auth_client, django_capture_on_commit_callbacks
):
    assert _titles(auth_client) == []  # cached empty list

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/wellness/wellnessprogram/add/", _form())

    assert response.status_code == 302
    assert _titles(auth_client) == [("Sleep reset", 2)]


def test_changing_a_day_or_a_title_in_the_admin_invalidates_the_list(
    staff_client, auth_client, django_capture_on_commit_callbacks
):
    program = program_with_days(2, title="Old", slug="sleep-reset")
    assert _titles(auth_client) == [("Old", 2)]

    data = _form(program, title="New title")
    data["days-2-day_number"] = "3"
    data["days-2-title"] = "Night 3"
    data["days-2-session_type"] = "sleep"
    data["days-2-duration_minutes"] = "20"
    data["days-2-content"] = ""
    data["days-TOTAL_FORMS"] = "3"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/wellness/wellnessprogram/{program.pk}/change/", data
        )

    assert response.status_code == 302
    assert _titles(auth_client) == [("New title", 3)]


def test_unpublishing_from_the_changelist_invalidates_the_list(
    staff_client, auth_client, django_capture_on_commit_callbacks
):
    program = program_with_days(1, title="Soon gone")
    assert _titles(auth_client) == [("Soon gone", 1)]

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/wellness/wellnessprogram/",
            {"action": "unpublish", "_selected_action": [str(program.pk)]},
        )

    assert WellnessProgram.objects.get().is_published is False
    assert _titles(auth_client) == []


def test_change_page_previews_what_an_enrolled_user_sees(staff_client):
    program = program_with_days(2, title="Preview me")
    page = staff_client.get(f"/admin/wellness/wellnessprogram/{program.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Day 1: Day 1 (Meditation, 10 min) - unlocked today" in html
    assert "Day 2: Day 2 (Meditation, 10 min) - locked" in html


def test_session_records_are_read_only_in_the_admin(staff_client):
    session = WellnessSessionFactory(notes="private words")
    page = staff_client.get(f"/admin/wellness/wellnesssession/{session.pk}/change/")
    assert page.status_code == 200
    assert "private words" not in page.content.decode()
    assert staff_client.get("/admin/wellness/wellnesssession/add/").status_code == 403
    response = staff_client.post(
        f"/admin/wellness/wellnesssession/{session.pk}/change/", {"title": "edited"}
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.title == "Morning sit"


def test_the_publish_toggle_on_the_changelist_invalidates_the_list(
    staff_client, auth_client, django_capture_on_commit_callbacks
):
    program = program_with_days(1, title="Draft", is_published=False)
    assert _titles(auth_client) == []

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/wellness/wellnessprogram/",
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-MIN_NUM_FORMS": "0",
                "form-MAX_NUM_FORMS": "1000",
                "form-0-id": str(program.pk),
                "form-0-is_published": "on",
                "form-0-ordering": "5",
                "_save": "Save",
            },
        )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.is_published, program.ordering) == (True, 5)
    assert _titles(auth_client) == [("Draft", 1)]


def test_deleting_a_program_in_the_admin_invalidates_the_list(
    staff_client, auth_client, django_capture_on_commit_callbacks
):
    program = program_with_days(1, title="Retired")
    assert _titles(auth_client) == [("Retired", 1)]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/wellness/wellnessprogram/{program.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not WellnessProgram.objects.exists()
    assert _titles(auth_client) == []


def test_publishing_from_the_changelist_publishes_only_the_selected_programs(
    staff_client, auth_client, django_capture_on_commit_callbacks
):
    chosen = program_with_days(1, title="Chosen", is_published=False)
    program_with_days(1, title="Left out", is_published=False)
    assert _titles(auth_client) == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/wellness/wellnessprogram/",
            {"action": "publish", "_selected_action": [str(chosen.pk)]},
        )

    assert list(
        WellnessProgram.objects.filter(is_published=True).values_list("pk", flat=True)
    ) == [chosen.pk]
    assert _titles(auth_client) == [("Chosen", 1)]
