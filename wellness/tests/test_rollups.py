"""The rollups (journal.MoodDay, wellness.SessionDay / SessionTotal /
SessionTally):
after random sequences of writes through the services they equal a
recomputation from the source rows, and the endpoints that read them answer
byte for byte what the old read-time computation over the source rows gave
(kept below as the oracle)."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings

from accounts.registry import privacy
from accounts.services.privacy import user_erase
from journal.models import EMOTIONS, FACTORS, MoodDay, MoodEntry, MoodTag
from journal.services import mood_entry_create
from kaya import rollups
from kaya.timeutils import local_today
from wellness.analytics_serializers import MoodTrendsOutput
from wellness.models import (
    SessionDay,
    SessionTally,
    SessionTotal,
    SessionType,
    WellnessSession,
)
from wellness.selectors._shared import practice_totals, rounded, week_bounds
from wellness.selectors.streaks import streak_fields, streak_for_user
from wellness.services import session_abandon, session_complete, session_create
from wellness.tests.factories import frozen

pytestmark = pytest.mark.django_db

URL = "/api/v1"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
ZONES = ("UTC", "Pacific/Kiritimati", "America/Los_Angeles", "Asia/Kolkata")
MOODS = list(MoodEntry.SCORES)


# --- the oracle: the read-time computation the endpoints used before ----------
def _bucket(granularity):
    if granularity == "week":
        return TruncWeek("local_date")
    if granularity == "month":
        return TruncMonth("local_date")
    return F("local_date")


def old_mood_trends(*, user, date_from, date_to, granularity):
    in_range = Q(local_date__gte=date_from, local_date__lte=date_to)
    buckets = list(
        MoodEntry.objects.filter(in_range, user=user)
        .annotate(bucket=_bucket(granularity))
        .values("bucket")
        .annotate(
            average_score=Avg("score"),
            average_intensity=Avg("intensity"),
            entries_count=Count("id"),
        )
        .order_by("bucket")
    )
    tag_counts = (
        MoodTag.objects.filter(in_range, user=user)
        .annotate(bucket=_bucket(granularity))
        .values("bucket", "kind", "value")
        .annotate(count=Count("id"))
        .order_by("bucket", "kind", "-count", "value")
    )
    top = {}
    for row in tag_counts:
        ranked = top.setdefault((row["bucket"], row["kind"]), [])
        if len(ranked) < 3:
            ranked.append({"value": row["value"], "count": row["count"]})
    trend = [
        {
            "bucket": row["bucket"],
            "average_score": rounded(row["average_score"]),
            "average_intensity": rounded(row["average_intensity"]),
            "entries_count": row["entries_count"],
            "top_emotions": top.get((row["bucket"], "emotion"), []),
            "top_factors": top.get((row["bucket"], "factor"), []),
        }
        for row in buckets
    ]
    by_type = [
        {
            "type": row["type"],
            "sessions_count": row["sessions"],
            "average_mood_before": rounded(row["before"]),
            "average_mood_after": rounded(row["after"]),
            "average_mood_change": rounded(row["change"]),
        }
        for row in WellnessSession.objects.completed()
        .for_user(user)
        .filter(in_range, mood_before__isnull=False, mood_after__isnull=False)
        .values("type")
        .annotate(
            sessions=Count("id"),
            before=Avg("mood_before"),
            after=Avg("mood_after"),
            change=Avg(F("mood_after") - F("mood_before")),
        )
        .order_by("type")
    ]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "granularity": granularity,
        "buckets": trend,
        "sessions_mood": by_type,
    }


def old_session_stats(*, user):
    today = local_today(user.timezone)
    this_monday, last_monday, _ = week_bounds(today)
    done = WellnessSession.objects.completed().for_user(user)
    this_week = Q(local_date__gte=this_monday, local_date__lte=today)
    last_week = Q(local_date__gte=last_monday, local_date__lt=this_monday)
    both_moods = Q(mood_before__isnull=False, mood_after__isnull=False)
    totals = done.aggregate(
        sessions=Count("id"),
        seconds=Coalesce(Sum("actual_duration_seconds"), 0),
        this_week_sessions=Count("id", filter=this_week),
        this_week_seconds=Coalesce(Sum("actual_duration_seconds", filter=this_week), 0),
        last_week_sessions=Count("id", filter=last_week),
        last_week_seconds=Coalesce(Sum("actual_duration_seconds", filter=last_week), 0),
        mood_change=Avg(F("mood_after") - F("mood_before"), filter=both_moods),
        mood_pairs=Count("id", filter=both_moods),
    )
    per_type = {
        row["type"]: row
        for row in done.values("type")
        .annotate(sessions=Count("id"), seconds=Sum("actual_duration_seconds"))
        .order_by()
    }
    by_type = [
        {
            "type": value,
            **practice_totals(
                per_type.get(value, {}).get("sessions"),
                per_type.get(value, {}).get("seconds"),
            ),
        }
        for value in SessionType.values
    ]
    result = {
        **practice_totals(totals["sessions"], totals["seconds"]),
        "by_type": by_type,
        "this_week": practice_totals(
            totals["this_week_sessions"], totals["this_week_seconds"]
        ),
        "last_week": practice_totals(
            totals["last_week_sessions"], totals["last_week_seconds"]
        ),
        "average_mood_change": rounded(totals["mood_change"]),
        "mood_change_sessions_count": totals["mood_pairs"],
    }
    result.update(streak_fields(user=user, view=streak_for_user(user=user)))
    return result


def old_practice(*, user, date_from, date_to):
    totals = (
        WellnessSession.objects.completed()
        .for_user(user)
        .filter(local_date__gte=date_from, local_date__lte=date_to)
        .aggregate(
            sessions=Count("id"), seconds=Coalesce(Sum("actual_duration_seconds"), 0)
        )
    )
    return practice_totals(totals["sessions"], totals["seconds"])


def render(data) -> bytes:
    renderer: BaseRenderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
    return renderer.render(data)


# --- random writes through the services ---------------------------------------
def random_writes(rng: random.Random, users, steps: int) -> None:
    """Moods and sessions over the two weeks before NOW, written at random
    instants in random time zones (the local date is the one at write time),
    with idempotent replays, abandoned and still-open sessions."""
    replays: list[tuple] = []
    for _ in range(steps):
        user = rng.choice(users)
        at = NOW - timedelta(minutes=rng.randrange(14 * 24 * 60))
        if rng.random() < 0.15:
            user.timezone = rng.choice(ZONES)
            user.save(update_fields=["timezone"])
        action = rng.random()
        with time_machine.travel(at, tick=False):
            if action < 0.45:
                kwargs = {
                    "user": user,
                    "mood": rng.choice(MOODS),
                    "intensity": rng.randint(1, 10),
                    "emotions": rng.sample(EMOTIONS, rng.randint(0, 3)),
                    "factors": rng.sample(FACTORS, rng.randint(0, 2)),
                    "client_id": uuid.uuid4() if rng.random() < 0.5 else None,
                }
                mood_entry_create(**kwargs)
                if kwargs["client_id"] is not None:
                    replays.append(("mood", kwargs))
            elif action < 0.85:
                kwargs = {
                    "user": user,
                    "type": rng.choice(SessionType.values),
                    "title": "Practice",
                    "planned_duration_seconds": 600,
                    "mood_before": rng.choice([None, 1, 2, 3, 4, 5]),
                    "client_id": uuid.uuid4(),
                }
                session, _ = session_create(**kwargs)
                replays.append(("session", kwargs))
                outcome = rng.random()
                if outcome < 0.7:
                    session.user = user
                    with time_machine.travel(
                        at + timedelta(minutes=rng.randint(1, 180)), tick=False
                    ):
                        session_complete(
                            session=session,
                            actual_duration_seconds=rng.randint(1, 3600),
                            mood_after=rng.choice([None, 1, 2, 3, 4, 5]),
                        )
                elif outcome < 0.85:
                    session_abandon(session=session)
            elif replays:
                # A client retrying a create it already made: nothing changes.
                kind, kwargs = rng.choice(replays)
                if kind == "mood":
                    assert mood_entry_create(**kwargs).created is False
                else:
                    assert session_create(**kwargs)[1] is False


def assert_rollups_match_sources(users) -> None:
    ids = [u.pk for u in users]
    for spec in rollups.specs():
        assert spec.differences(apps, ids) == [], spec.label


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_recomputation_after_random_writes(user, other_user, seed):
    rng = random.Random(seed)
    users = [user, other_user]

    random_writes(rng, users, steps=60)

    assert MoodDay.objects.exists() and SessionDay.objects.exists()
    assert_rollups_match_sources(users)


@pytest.mark.parametrize("seed", [4, 5])
def test_endpoints_answer_what_the_read_time_computation_gave(
    auth_client, user, other_user, seed
):
    rng = random.Random(seed)
    random_writes(rng, [user, other_user], steps=60)
    user.refresh_from_db()

    with frozen(auth_client, user, NOW):
        today = local_today(user.timezone)
        this_monday, _, _ = week_bounds(today)
        for granularity in ("day", "week", "month"):
            params = {
                "date_from": (today - timedelta(days=365)).isoformat(),
                "date_to": today.isoformat(),
                "granularity": granularity,
            }
            response = auth_client.get(f"{URL}/analytics/mood-trends", params)
            assert response.status_code == 200
            oracle = old_mood_trends(
                user=user,
                date_from=today - timedelta(days=365),
                date_to=today,
                granularity=granularity,
            )
            assert oracle["buckets"], "the sequence logged no mood for this user"
            assert response.content == render(MoodTrendsOutput(oracle).data)

        response = auth_client.get(f"{URL}/sessions/stats")
        assert response.status_code == 200
        assert response.content == render(old_session_stats(user=user))

        response = auth_client.get(f"{URL}/users/me/stats")
        assert response.status_code == 200
        totals = old_practice(user=user, date_from=date.min, date_to=date.max)
        body = response.json()
        assert {k: body[k] for k in totals} == totals

        response = auth_client.get(f"{URL}/analytics/dashboard")
        assert response.status_code == 200
        body = response.json()
        assert body["today"] == old_practice(user=user, date_from=today, date_to=today)
        assert body["this_week"] == old_practice(
            user=user, date_from=this_monday, date_to=today
        )


def test_the_same_day_in_two_time_zones_is_two_local_dates(user):
    """A mood logged at one instant lands on the local date of the user's zone
    at that moment, as the entry's own local_date does."""
    instant = datetime(2026, 4, 14, 23, 30, tzinfo=UTC)
    with time_machine.travel(instant, tick=False):
        mood_entry_create(user=user, mood="good", intensity=4, emotions=["calm"])
        user.timezone = "Asia/Kolkata"  # already 15 April there
        user.save(update_fields=["timezone"])
        mood_entry_create(user=user, mood="low", intensity=6, factors=["work"])

    days = dict(MoodDay.objects.for_user(user).values_list("local_date", "tag_counts"))
    assert days == {
        date(2026, 4, 14): {"emotion": {"calm": 1}},
        date(2026, 4, 15): {"factor": {"work": 1}},
    }


def test_account_erasure_leaves_no_rollup_rows(user, other_user):
    random_writes(random.Random(7), [user, other_user], steps=30)
    kept = (
        MoodDay.objects.for_user(other_user).count(),
        SessionDay.objects.for_user(other_user).count(),
        SessionTotal.objects.for_user(other_user).count(),
        SessionTally.objects.for_user(other_user).count(),
    )

    # The apps' erase handlers delete them in the erasure's transaction
    # (before the user row's cascade would).
    privacy.handlers["journal"].erase(user)
    privacy.handlers["wellness"].erase(user)
    assert not MoodDay.objects.filter(user_id=user.pk).exists()
    assert not SessionDay.objects.filter(user_id=user.pk).exists()
    assert not SessionTotal.objects.filter(user_id=user.pk).exists()
    assert not SessionTally.objects.filter(user_id=user.pk).exists()

    user_erase(user=user)

    assert not MoodDay.objects.filter(user_id=user.pk).exists()
    assert not SessionDay.objects.filter(user_id=user.pk).exists()
    assert not SessionTotal.objects.filter(user_id=user.pk).exists()
    assert not SessionTally.objects.filter(user_id=user.pk).exists()
    assert kept == (
        MoodDay.objects.for_user(other_user).count(),
        SessionDay.objects.for_user(other_user).count(),
        SessionTotal.objects.for_user(other_user).count(),
        SessionTally.objects.for_user(other_user).count(),
    )
    assert kept[-1] == 1


# --- manage.py rebuild_rollups -------------------------------------------------
def test_rebuild_command_repairs_and_verify_reports_drift(user, other_user):
    random_writes(random.Random(8), [user, other_user], steps=40)
    MoodDay.objects.for_user(user).update(entries_count=99)
    SessionTotal.objects.for_user(other_user).delete()

    with pytest.raises(CommandError, match="rollup rows differ"):
        call_command("rebuild_rollups", "--verify", stdout=StringIO())

    out = StringIO()
    call_command("rebuild_rollups", "--dry-run", stdout=out)
    assert "Dry run: would have written" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--verify", stdout=StringIO())

    out = StringIO()
    call_command("rebuild_rollups", "--batch-size", "1", stdout=out)
    assert f"last user id {max(user.pk, other_user.pk)}" in out.getvalue()
    out = StringIO()
    call_command("rebuild_rollups", "--verify", stdout=out)
    assert "Verified 2 users." in out.getvalue()
    assert_rollups_match_sources([user, other_user])


def test_rebuild_command_resumes_after_a_user_and_refuses_a_bad_batch(user, other_user):
    first, second = sorted([user, other_user], key=lambda u: u.pk)
    random_writes(random.Random(9), [first, second], steps=30)
    MoodDay.objects.all().delete()

    call_command("rebuild_rollups", "--after-user-id", first.pk, stdout=StringIO())

    assert not MoodDay.objects.for_user(first).exists()
    assert MoodDay.objects.for_user(second).exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("rebuild_rollups", "--batch-size", "0")


def test_seed_demo_leaves_the_rollups_right(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0, stdout=StringIO())

    out = StringIO()
    call_command("rebuild_rollups", "--verify", stdout=out)
    assert "Verified" in out.getvalue()
    assert MoodDay.objects.exists() and SessionTotal.objects.exists()


def test_seed_bench_leaves_the_rollups_right(settings):
    settings.DEBUG = True
    call_command("seed_bench", users=2, heavy=1, open_sessions=1, stdout=StringIO())

    out = StringIO()
    call_command("rebuild_rollups", "--verify", stdout=out)
    assert "Verified 2 users." in out.getvalue()
    assert SessionTotal.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_user_stats_run_a_fixed_number_of_queries(
    auth_client, user, count, django_assert_num_queries
):
    for n in range(count):
        with time_machine.travel(NOW - timedelta(days=n), tick=False):
            mood_entry_create(user=user, mood="good", intensity=4)
            session, _ = session_create(
                user=user, type="yoga", title="Practice", planned_duration_seconds=60
            )
            session.user = user
            session_complete(session=session, actual_duration_seconds=60)
    # The user; the journal's three counts in one; the lifetime session rollup,
    # enrollments, unlocked achievements and the streak in another.
    with frozen(auth_client, user, NOW), django_assert_num_queries(3):
        body = auth_client.get(f"{URL}/users/me/stats").json()
    assert (body["mood_entries_count"], body["sessions_count"]) == (count, count)
    assert body["duration_seconds"] == 60 * count
