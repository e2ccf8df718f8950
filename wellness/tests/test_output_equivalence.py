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
