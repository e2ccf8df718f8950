"""SessionOutput writes its dict directly (``kaya.output``); these tests hold it
(and SessionCompleteOutput, which extends it) to the JSON DRF's generic path
writes, byte for byte."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from kaya.renderers import ORJSONRenderer
from wellness import selectors
from wellness.models import WellnessSession
from wellness.serializers import SessionCompleteOutput, SessionOutput
from wellness.tests.factories import (
    ProgramEnrollmentFactory,
    WellnessSessionFactory,
    completed_session,
    program_with_days,
)

pytestmark = pytest.mark.django_db


def _json(data):
    return ORJSONRenderer().render(data)


def test_session_output_is_drfs_json(user):
    now = timezone.now()
    program = program_with_days(2)
    enrollment = ProgramEnrollmentFactory(user=user, program=program)
    WellnessSessionFactory(
        user=user,
        client_id=uuid.uuid4(),
        enrollment=enrollment,
        program_day=program.days.first(),
        generated_content_id="gen-42",
        mood_before=2,
        notes="Felt the breath slow down.",
    )
    WellnessSessionFactory(
        user=user,
        status=WellnessSession.Status.ABANDONED,
        abandoned_at=now,
        progress_seconds=120,
    )
    completed_session(user, now - timedelta(days=1), mood_before=2, mood_after=4)

    rows = list(selectors.session_list(user=user))
    assert len(rows) == 3
    for row in rows:
        generic = serializers.ModelSerializer.to_representation(SessionOutput(), row)
        assert _json(SessionOutput(row).data) == _json(generic)


def test_sessions_page_rows_are_drfs_json(user, other_user, auth_client):
    """The sessions page reads named tuples (``selectors.session_rows``), not
    model instances: the same JSON, byte for byte."""
    now = timezone.now()
    program = program_with_days(2)
    enrollment = ProgramEnrollmentFactory(user=user, program=program)
    WellnessSessionFactory(
        user=user,
        client_id=uuid.uuid4(),
        enrollment=enrollment,
        program_day=program.days.first(),
        generated_content_id="gen-42",
        mood_before=2,
        notes="Felt the breath slow down.",
    )
    WellnessSessionFactory(
        user=user,
        status=WellnessSession.Status.ABANDONED,
        abandoned_at=now,
        progress_seconds=120,
    )
    completed_session(user, now - timedelta(days=1), mood_before=2, mood_after=4)
    WellnessSessionFactory(user=other_user)

    models = list(selectors.session_list(user=user))
    rows = selectors.session_rows(user=user).all()

    assert [row.pk for row in rows] == [model.pk for model in models]
    generic = [
        serializers.ModelSerializer.to_representation(SessionOutput(), model)
        for model in models
    ]
    for row, expected in zip(rows, generic, strict=True):
        assert _json(SessionOutput(row).data) == _json(expected)
    assert _json(SessionOutput(rows, many=True).data) == _json(generic)
    body = auth_client.get("/api/v1/sessions").content
    assert _json(generic)[1:-1] in body


def test_session_complete_output_is_drfs_json(user):
    session = completed_session(user, timezone.now(), mood_after=5)
    context = {
        "streak": {"current_streak": 1, "longest_streak": 1},
        "program_day_counted": None,
    }

    fast = SessionCompleteOutput(session, context=context).data
    generic = serializers.ModelSerializer.to_representation(
        SessionCompleteOutput(context=context), session
    )

    assert _json(fast) == _json(generic)
    assert list(fast)[-2:] == ["streak", "program_day_counted"]


@pytest.mark.parametrize("gentle", [False, True])
def test_dashboard_output_is_drfs_json(user, gentle):
    from journal.tests.factories import MoodEntryFactory
    from wellness.analytics_serializers import DashboardOutput
    from wellness.services import event_register, program_enroll
    from wellness.tests.factories import WellnessEventFactory

    user.gentle_mode = gentle
    user.save(update_fields=["gentle_mode"])
    now = timezone.now()
    completed_session(user, now - timedelta(hours=1), seconds=600)
    for score in range(3):
        MoodEntryFactory(user=user, logged_at=now - timedelta(hours=score))
    program_enroll(user=user, program=program_with_days(3))
    event_register(
        user=user, event=WellnessEventFactory(starts_at=now + timedelta(days=2))
    )

    data = selectors.analytics_dashboard(user=user)
    assert data["latest_moods"] and data["active_enrollments"] and data["next_event"]
    context = {"today": now.date(), "languages": ("en",)}
    fast = DashboardOutput(data, context=context).data
    generic = serializers.Serializer.to_representation(
        DashboardOutput(context=context), data
    )
    assert _json(fast) == _json(generic)
    assert ("current_streak" in fast) is not gentle

    data["next_event"] = None
    assert _json(DashboardOutput(data, context=context).data) == _json(
        serializers.Serializer.to_representation(DashboardOutput(context=context), data)
    )


@pytest.mark.parametrize("languages", [(), ("es", "en")])
def test_program_and_enrollment_outputs_are_drfs_json(user, languages):
    from wellness.serializers import (
        EnrollmentOutput,
        ProgramDetailOutput,
        ProgramOutput,
    )
    from wellness.tests.factories import WellnessProgramFactory

    translated = program_with_days(3)
    translated.translations = {"es": {"title": "Calma", "summary": "  "}}
    translated.cover_image_url = "https://example.com/cover.png"
    translated.save(update_fields=["translations", "cover_image_url"])
    plain = WellnessProgramFactory(is_premium=True)
    today = timezone.now().date()
    enrollments = [
        ProgramEnrollmentFactory(user=user, program=translated),
        ProgramEnrollmentFactory(
            user=user,
            program=program_with_days(2),
            days_completed=1,
            progress_percent=50,
            last_completed_local_date=today,
        ),
        ProgramEnrollmentFactory(user=user, program=plain, completed_at=timezone.now()),
    ]
    context = {"today": today, "languages": languages}

    for program in (translated, plain):
        generic = _generic_program(ProgramOutput(context=context), program)
        assert _json(ProgramOutput(program, context=context).data) == _json(generic)
    for enrollment in enrollments:
        fast = EnrollmentOutput(enrollment, context=context).data
        generic = serializers.ModelSerializer.to_representation(
            EnrollmentOutput(context=context), enrollment
        )
        assert _json(fast) == _json(generic)
    assert [
        row["next_day"]
        for row in EnrollmentOutput(enrollments, many=True, context=context).data
    ] == [
        {"day_number": 1, "unlocked": True, "unlocks_on": today.isoformat()},
        {
            "day_number": 2,
            "unlocked": False,
            "unlocks_on": (today + timedelta(days=1)).isoformat(),
        },
        None,
    ]
    title = ProgramOutput(translated, context=context).data["title"]
    assert title == ("Calma" if languages else translated.title)
    # The detail page keeps its days and description (DRF's generic path).
    detail = ProgramDetailOutput(translated, context=context).data
    assert [day["day_number"] for day in detail["days"]] == [1, 2, 3]
    assert detail["description"] == translated.description


def _generic_program(serializer, instance):
    from wellness.serializers import _TranslatedOutput

    return _TranslatedOutput.to_representation(serializer, instance)
