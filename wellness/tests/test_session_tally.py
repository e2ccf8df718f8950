"""The sessions page's total: the user's stored ``SessionTally`` when no filter
narrows the list (added to as each session starts, rebuilt with the other
rollups), the rows counted when one does. Whatever the shape, the total is
the number of sessions the list selects."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from kaya.testing import prepared_plan, prepared_plans
from wellness.models import SessionTally, WellnessSession
from wellness.services import session_abandon, session_complete, session_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)


def _start(client, **body):
    body = {
        "type": "breathing",
        "title": "Box",
        "planned_duration_seconds": 300,
        **body,
    }
    response = client.post(URL, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()["id"]


def _count(client, **filters) -> int:
    response = client.get(URL, {"page_size": 2, **filters})
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_every_start_counts_once_whatever_its_status(auth_client, user, other_user):
    assert _count(auth_client) == 0
    retried = str(uuid.uuid4())
    first = _start(auth_client, client_id=retried)
    _start(auth_client, client_id=retried)  # a retry: the same session
    done = _start(auth_client, type="yoga")
    completed = auth_client.patch(
        f"{URL}/{done}/complete", {"actual_duration_seconds": 60}, format="json"
    )
    abandoned = auth_client.post(f"{URL}/{first}/abandon")
    assert completed.json()["status"] == "completed", completed.content
    assert abandoned.json()["status"] == "abandoned", abandoned.content
    session_create(user=other_user, type="sleep", title="x", planned_duration_seconds=1)

    assert SessionTally.objects.get(user=user).sessions_count == 2
    assert _count(auth_client) == 2
    assert WellnessSession.objects.for_user(user).count() == 2


def test_the_unfiltered_total_is_the_stored_count_and_filtered_ones_count_rows(
    auth_client, user
):
    with time_machine.travel(NOW, tick=False):
        for kind in ("yoga", "yoga", "sleep"):
            session, _ = session_create(
                user=user, type=kind, title="x", planned_duration_seconds=60
            )
        session_complete(session=session, actual_duration_seconds=60)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        session, _ = session_create(
            user=user, type="yoga", title="x", planned_duration_seconds=60
        )
        session_abandon(session=session)

    # The stored count is what the unfiltered page reads: a wrong one shows.
    SessionTally.objects.filter(user=user).update(sessions_count=99)
    assert _count(auth_client) == 99
    # A filter counts the rows it selects.
    assert _count(auth_client, type="yoga") == 3
    assert _count(auth_client, status="completed") == 1
    assert _count(auth_client, date_from="2026-04-16") == 1
    assert _count(auth_client, date_to="2026-04-16") == 3

    # rebuild_rollups repairs it from the sessions.
    call_command("rebuild_rollups", stdout=StringIO())
    assert _count(auth_client) == 4


def test_the_migration_counts_the_sessions_already_stored(user, other_user):
    backfill = importlib.import_module(
        "wellness.migrations.0010_session_tally"
    ).backfill
    for owner, n in ((user, 3), (other_user, 1)):
        for _ in range(n):
            session_create(
                user=owner, type="yoga", title="x", planned_duration_seconds=60
            )
    SessionTally.objects.all().delete()

    backfill(django_apps, None)

    assert dict(SessionTally.objects.values_list("user_id", "sessions_count")) == {
        user.pk: 3,
        other_user.pk: 1,
    }


@pytest.mark.postgres
def test_the_unfiltered_page_reads_the_stored_count_not_the_history(auth_client, user):
    WellnessSession.objects.bulk_create(
        WellnessSession(
            user=user,
            type="yoga",
            title="x",
            planned_duration_seconds=60,
            started_at=NOW - timedelta(hours=n),
            local_date=(NOW - timedelta(hours=n)).date(),
        )
        for n in range(300)
    )
    call_command("rebuild_rollups", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE wellness_wellnesssession")
    for _ in range(2):
        response = auth_client.get(URL, {"page_size": 20})
        assert response.status_code == 200
        assert response.json()["count"] == 300
    [(name, generic_plans, custom_plans)] = prepared_plans(
        '%FROM "wellness_wellnesssession" WHERE%LIMIT%'
    )
    assert (generic_plans, custom_plans) == (2, 0)
    # Parameters: the user (the count), its default (0), the user (the page),
    # LIMIT, OFFSET.
    plan = prepared_plan(name, user.pk, 0, user.pk, 20, 0)
    assert "wellness_sessiontally" in plan, plan
    # The sessions are read once, for the page, in its index's order: no
    # aggregate over the history, no sort.
    assert plan.count("wellness_wellnesssession") == 1, plan
    assert "Aggregate" not in plan and "Sort" not in plan, plan
