"""The wellness staff console: publishing rules, deletion, search and filters,
and the user page's links to their records."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from wellness.models import ProgramEnrollment, Streak, WellnessProgram
from wellness.tests.factories import (
    ProgramDayFactory,
    WellnessProgramFactory,
    WellnessSessionFactory,
    program_with_days,
)
from wellness.tests.test_admin import _form

pytestmark = pytest.mark.django_db

PROGRAMS = "/admin/wellness/wellnessprogram/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client():
    return _client(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def staff_client():
    """Staff with the wellness permissions only (not a superuser)."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="wellness",
            codename__regex=r"^(view|change)_",
        )
    )
    return _client(staff)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _program_with_day_numbers(title: str, numbers: list[int]) -> WellnessProgram:
    program = WellnessProgramFactory(title=title, is_published=False)
    for number in numbers:
        ProgramDayFactory(program=program, day_number=number)
    return program


# --- publishing -------------------------------------------------------------------
@pytest.mark.parametrize("client_name", ["superuser_client", "staff_client"])
def test_the_publish_action_refuses_empty_programs_and_gaps_and_says_so(
    request, client_name
):
    client = request.getfixturevalue(client_name)
    ready = _program_with_day_numbers("Ready", [1, 2])
    gap = _program_with_day_numbers("Gap", [1, 2, 3, 5])
    empty = _program_with_day_numbers("Empty", [])

    response = client.post(
        PROGRAMS,
        {"action": "publish", "_selected_action": [ready.pk, gap.pk, empty.pk]},
        follow=True,
    )

    published = WellnessProgram.objects.filter(is_published=True)
    assert list(published.values_list("title", flat=True)) == ["Ready"]
    assert _messages(response) == [
        "Published 1 program(s).",
        "Not published “Gap”: its day numbers must run 1, 2, 3... with no gap "
        "(missing: 4).",
        "Not published “Empty”: it has no days.",
    ]


def test_the_unpublish_action_says_what_it_did(superuser_client):
    programs = [program_with_days(1), program_with_days(1)]
    already = program_with_days(1, is_published=False)

    response = superuser_client.post(
        PROGRAMS,
        {
            "action": "unpublish",
            "_selected_action": [p.pk for p in [*programs, already]],
        },
        follow=True,
    )

    assert not WellnessProgram.objects.filter(is_published=True).exists()
    assert _messages(response) == [
        "Unpublished 2 program(s): they left the catalogue; enrolled users keep them."
    ]


def test_the_change_form_refuses_to_publish_days_with_a_gap(superuser_client):
    data = _form(**{"days-1-day_number": "3"})

    refused = superuser_client.post(f"{PROGRAMS}add/", data)
    draft = superuser_client.post(f"{PROGRAMS}add/", {**data, "is_published": ""})

    assert refused.status_code == 200
    assert (
        "A published program needs days 1, 2, 3... : its day numbers must run 1, 2, "
        "3... with no gap (missing: 2)." in refused.content.decode()
    )
    # An unpublished draft may have gaps while staff work on it.
    assert draft.status_code == 302
    assert list(WellnessProgram.objects.values_list("is_published", flat=True)) == [
        False
    ]


def test_the_change_form_refuses_to_publish_a_program_without_days(
    superuser_client,
):
    data = _form(**{"days-TOTAL_FORMS": "0"})

    response = superuser_client.post(f"{PROGRAMS}add/", data)

    assert response.status_code == 200
    assert "it has no days" in response.content.decode()
    assert not WellnessProgram.objects.exists()


def test_the_changelist_publish_toggle_refuses_an_empty_program(superuser_client):
    program = _program_with_day_numbers("Empty", [])

    response = superuser_client.post(
        PROGRAMS,
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

    assert response.status_code == 200
    assert "Cannot publish: it has no days." in response.content.decode()
    program.refresh_from_db()
    assert program.is_published is False


# --- the days inline ----------------------------------------------------------------
def test_the_next_day_number_is_prefilled_and_headings_show_no_internal_ids(
    superuser_client,
):
    program = program_with_days(3)

    change = superuser_client.get(f"{PROGRAMS}{program.pk}/change/")
    add = superuser_client.get(f"{PROGRAMS}add/")

    blank = change.context["inline_admin_formsets"][0].formset.forms[3]
    assert blank.initial == {} and blank["day_number"].value() == 4
    assert (
        add.context["inline_admin_formsets"][0].formset.forms[0]["day_number"].value()
        == 1
    )
    html = change.content.decode()
    assert "Day 1: Day 1" in html
    assert f"{program.pk} day 1" not in html


# --- deletion -----------------------------------------------------------------------
def test_a_program_with_enrollments_is_not_deleted_and_unpublishing_is_offered(
    superuser_client, user
):
    program = program_with_days(1, title="Busy")
    ProgramEnrollment.objects.create(user=user, program=program)
    url = f"{PROGRAMS}{program.pk}/delete/"

    page = superuser_client.get(url)
    superuser_client.post(url, {"post": "yes"})
    bulk = superuser_client.post(
        PROGRAMS,
        {"action": "delete_selected", "_selected_action": [program.pk], "post": "yes"},
    )

    message = (
        "“Busy” has 1 enrollment(s) and cannot be deleted: use the “Unpublish the "
        "selected programs” action instead (it leaves the catalogue; enrolled users "
        "keep their progress)."
    )
    assert message in page.content.decode()
    assert message in bulk.content.decode()
    # No user is named on the page.
    assert user.email not in page.content.decode()
    assert WellnessProgram.objects.filter(pk=program.pk).exists()


# --- records: search, filters, links from the user page --------------------------
@pytest.mark.parametrize("client_name", ["superuser_client", "staff_client"])
def test_sessions_enrollments_and_streaks_are_searchable_by_user_email(
    request, client_name, user, other_user
):
    client = request.getfixturevalue(client_name)
    program = program_with_days(1)
    for owner in (user, other_user):
        WellnessSessionFactory(user=owner)
        ProgramEnrollment.objects.create(user=owner, program=program)
        Streak.objects.create(user=owner, current_length=1)

    found = {
        model: [
            row.user_id
            for row in client.get(f"/admin/wellness/{model}/", {"q": user.email})
            .context["cl"]
            .result_list
        ]
        for model in ("wellnesssession", "programenrollment", "streak")
    }

    assert found == {
        "wellnesssession": [user.pk],
        "programenrollment": [user.pk],
        "streak": [user.pk],
    }


def test_enrollments_filter_by_program_and_completion(superuser_client, user):
    first, second = program_with_days(1), program_with_days(1)
    done = ProgramEnrollment.objects.create(
        user=user, program=first, completed_at=timezone.now()
    )
    open_ = ProgramEnrollment.objects.create(user=user, program=second)
    url = "/admin/wellness/programenrollment/"

    def ids(params):
        return [
            e.pk for e in superuser_client.get(url, params).context["cl"].result_list
        ]

    assert ids({"completed": "yes"}) == [done.pk]
    assert ids({"completed": "no"}) == [open_.pk]
    assert ids({"program__id__exact": second.pk}) == [open_.pk]


def test_the_user_page_links_to_their_records_with_counts_and_no_text(
    superuser_client, user, other_user
):
    WellnessSessionFactory(user=user, notes="private words")
    WellnessSessionFactory(user=user)
    WellnessSessionFactory(user=other_user)
    Streak.objects.create(user=user, current_length=2)

    page = superuser_client.get(f"/admin/accounts/user/{user.pk}/change/")
    sessions = f"/admin/wellness/wellnesssession/?user__id__exact={user.pk}"
    listed = superuser_client.get(sessions)

    html = page.content.decode()
    assert f'<a href="{sessions}">Wellness sessions</a> (2)' in html
    assert (
        f'<a href="/admin/wellness/streak/?user__id__exact={user.pk}">Streaks</a> (1)'
        in html
    )
    assert (
        f'<a href="/admin/wellness/programenrollment/?user__id__exact={user.pk}">'
        "Program enrollments</a> (0)" in html
    )
    assert "private words" not in html
    assert listed.status_code == 200
    assert {s.user_id for s in listed.context["cl"].result_list} == {user.pk}
    assert "private words" not in listed.content.decode()
