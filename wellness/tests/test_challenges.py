"""Challenges: the endpoints, progress from the domain events inside the
window of local dates, completion once, the leaderboard, privacy, the admin
and the demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.registry import privacy
from accounts.tests.factories import UserFactory
from journal import services as journal_services
from notifications.models import Notification
from wellness.demo_challenges import seed_demo_challenges
from wellness.events import session_completed
from wellness.exceptions import ChallengeEndedError
from wellness.models import (
    Achievement,
    AchievementRule,
    Challenge,
    ChallengeGoal,
    ChallengeParticipant,
    UserAchievement,
)
from wellness.services import challenge_join, challenge_progress_refresh
from wellness.tests.factories import completed_session

pytestmark = pytest.mark.django_db

URL = "/api/v1/challenges"
Goal = ChallengeGoal
# A week in April 2026 (EDT is UTC-4, Tokyo UTC+9).
START, END = date(2026, 4, 13), date(2026, 4, 19)
NOON = datetime(2026, 4, 15, 12, tzinfo=UTC)


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = factory.Sequence(lambda n: f"Challenge {n}")
    description = "Gently, at your own pace."
    goal_kind = Goal.SESSIONS_COMPLETED
    goal_target = 3
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5))


def _april_challenge(**kwargs) -> Challenge:
    return ChallengeFactory(start_date=START, end_date=END, **kwargs)


def _join(user, challenge, at: datetime = NOON) -> ChallengeParticipant:
    with time_machine.travel(at, tick=False):
        participant, _ = challenge_join(user=user, challenge=challenge)
    return participant


def _progress(user, challenge) -> tuple[int, bool]:
    row = ChallengeParticipant.objects.get(user=user, challenge=challenge)
    return row.progress, row.completed_at is not None


def _completions(user) -> int:
    return Notification.objects.filter(
        user=user, type=Notification.Type.CHALLENGE_COMPLETED
    ).count()


# --- GET /challenges ------------------------------------------------------------
def test_list_shows_ongoing_and_upcoming_active_challenges_with_my_state(
    auth_client, user, other_user
):
    today = timezone.localdate()
    ongoing = ChallengeFactory(
        title="Seven gentle sessions", goal_target=7, start_date=today
    )
    upcoming = ChallengeFactory(
        start_date=today + timedelta(days=3), end_date=today + timedelta(days=9)
    )
    ChallengeFactory(
        start_date=today - timedelta(days=9), end_date=today - timedelta(days=1)
    )
    ChallengeFactory(is_active=False)
    ChallengeParticipant.objects.create(user=user, challenge=ongoing, progress=2)
    ChallengeParticipant.objects.create(user=other_user, challenge=ongoing, progress=5)
    ChallengeParticipant.objects.create(user=other_user, challenge=upcoming)

    response = auth_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [ongoing.pk, upcoming.pk]
    first = body["results"][0]
    mine = ChallengeParticipant.objects.get(user=user, challenge=ongoing)
    assert first == {
        "id": ongoing.pk,
        "slug": ongoing.slug,
        "title": "Seven gentle sessions",
        "description": "Gently, at your own pace.",
        "goal_kind": "sessions_completed",
        "goal_target": 7,
        "date_from": today.isoformat(),
        "date_to": ongoing.end_date.isoformat(),
        "phase": "ongoing",
        "is_premium": False,
        "participants_count": 2,
        "joined": True,
        "current_value": 2,
        "progress_percent": 28,
        "completed": False,
        "joined_at": mine.joined_at.isoformat().replace("+00:00", "Z"),
        "completed_at": None,
    }
    second = body["results"][1]
    assert (second["phase"], second["participants_count"], second["joined"]) == (
        "upcoming",
        1,
        False,
    )
    assert (second["current_value"], second["joined_at"]) == (0, None)


def test_list_filters_by_goal_kind(auth_client):
    ChallengeFactory(goal_kind=Goal.SESSIONS_COMPLETED)
    gratitude = ChallengeFactory(goal_kind=Goal.GRATITUDE_ENTRIES)

    body = auth_client.get(URL, {"goal_kind": "gratitude_entries"}).json()

    assert [item["id"] for item in body["results"]] == [gratitude.pk]


@pytest.mark.parametrize(
    "query", [{"goal_kind": "marathons"}, {"page_size": "0"}, {"page_size": "x"}]
)
def test_list_refuses_bad_query_with_400(auth_client, query):
    response = auth_client.get(URL, query)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_list_needs_authentication(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("count", [1, 3])
def test_list_runs_a_fixed_number_of_queries(
    auth_client, user, other_user, count, django_assert_num_queries
):
    for _ in range(count):
        challenge = ChallengeFactory()
        ChallengeParticipant.objects.create(user=user, challenge=challenge)
        ChallengeParticipant.objects.create(user=other_user, challenge=challenge)
    # The user, the page with its count, counts and my state annotated.
    with django_assert_num_queries(2):
        body = auth_client.get(URL).json()
    assert [item["participants_count"] for item in body["results"]] == [2] * count


# --- POST /challenges/<id>/join -------------------------------------------------
def test_join_creates_my_participation_and_a_second_join_changes_nothing(
    auth_client, user
):
    challenge = ChallengeFactory()

    first = auth_client.post(f"{URL}/{challenge.pk}/join")
    second = auth_client.post(f"{URL}/{challenge.pk}/join/")

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json() == second.json()
    assert (first.json()["joined"], first.json()["participants_count"]) == (True, 1)
    assert ChallengeParticipant.objects.filter(user=user).count() == 1


def test_join_after_the_end_date_is_refused_with_its_code(auth_client, user):
    yesterday = timezone.localdate() - timedelta(days=1)
    ended = ChallengeFactory(
        start_date=yesterday - timedelta(days=6), end_date=yesterday
    )

    response = auth_client.post(f"{URL}/{ended.pk}/join")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "challenge_ended"
    assert not ChallengeParticipant.objects.exists()


def test_the_end_date_is_read_in_the_users_time_zone(user):
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    challenge = _april_challenge()
    # 16:00 UTC on the last day is already the next day in Tokyo.
    late = datetime(2026, 4, 19, 16, tzinfo=UTC)

    with time_machine.travel(late, tick=False), pytest.raises(ChallengeEndedError):
        challenge_join(user=user, challenge=challenge)

    # In New York it is still the last day there: joining is allowed.
    other = UserFactory(timezone="America/New_York")
    _join(other, challenge, at=late)
    assert ChallengeParticipant.objects.filter(challenge=challenge).count() == 1


def test_a_joined_challenge_stays_joined_after_its_end(user):
    challenge = _april_challenge()
    first = _join(user, challenge)

    with time_machine.travel(datetime(2026, 5, 1, tzinfo=UTC), tick=False):
        again, created = challenge_join(user=user, challenge=challenge)

    assert (again.pk, created) == (first.pk, False)


def test_a_premium_challenge_needs_premium(auth_client, user):
    challenge = ChallengeFactory(is_premium=True)

    refused = auth_client.post(f"{URL}/{challenge.pk}/join")
    user.subscription_tier = user.Tier.PREMIUM
    user.save(update_fields=["subscription_tier"])
    joined = auth_client.post(f"{URL}/{challenge.pk}/join")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "premium_required"
    assert joined.status_code == 201


@pytest.mark.parametrize("which", ["inactive", "unknown", "not-a-number"])
def test_join_of_a_challenge_that_is_not_offered_is_404(auth_client, which):
    inactive = ChallengeFactory(is_active=False)
    pk = {"inactive": inactive.pk, "unknown": inactive.pk + 100}.get(which, which)

    response = auth_client.post(f"{URL}/{pk}/join")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not ChallengeParticipant.objects.exists()


def test_join_counts_activity_already_in_the_window(auth_client, user):
    today = timezone.localdate()
    challenge = ChallengeFactory(goal_target=3, start_date=today)
    completed_session(user, timezone.now())

    body = auth_client.post(f"{URL}/{challenge.pk}/join").json()

    assert (body["current_value"], body["progress_percent"]) == (1, 33)


# --- DELETE /challenges/<id>/join -----------------------------------------------
def test_leave_deletes_my_participation(auth_client, user):
    challenge = ChallengeFactory()
    auth_client.post(f"{URL}/{challenge.pk}/join")

    response = auth_client.delete(f"{URL}/{challenge.pk}/join")

    assert response.status_code == 204
    assert not ChallengeParticipant.objects.filter(user=user).exists()
    listed = auth_client.get(URL).json()["results"][0]
    assert (listed["joined"], listed["participants_count"]) == (False, 0)


def test_leave_of_another_users_participation_is_404_and_changes_nothing(
    auth_client, other_user
):
    challenge = ChallengeFactory()
    theirs = ChallengeParticipant.objects.create(
        user=other_user, challenge=challenge, progress=2
    )

    response = auth_client.delete(f"{URL}/{challenge.pk}/join")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.progress == 2


def test_leave_of_an_unknown_challenge_is_404(auth_client):
    assert auth_client.delete(f"{URL}/999999/join").status_code == 404


def test_a_completed_challenge_cannot_be_left(auth_client, user):
    challenge = ChallengeFactory()
    ChallengeParticipant.objects.create(
        user=user, challenge=challenge, progress=3, completed_at=timezone.now()
    )

    response = auth_client.delete(f"{URL}/{challenge.pk}/join")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "challenge_completed"
    assert ChallengeParticipant.objects.filter(user=user).count() == 1


# --- GET /challenges/my-challenges ----------------------------------------------
def test_my_challenges_lists_only_mine_with_progress_ended_included(
    auth_client, user, other_user
):
    today = timezone.localdate()
    ended = ChallengeFactory(
        start_date=today - timedelta(days=9), end_date=today - timedelta(days=2)
    )
    current = ChallengeFactory(goal_target=4)
    ChallengeFactory()
    theirs = ChallengeFactory()
    ChallengeParticipant.objects.create(
        user=user,
        challenge=ended,
        progress=3,
        completed_at=timezone.now(),
        joined_at=timezone.now() - timedelta(days=8),
    )
    ChallengeParticipant.objects.create(user=user, challenge=current, progress=1)
    ChallengeParticipant.objects.create(user=other_user, challenge=theirs)

    body = auth_client.get(f"{URL}/my-challenges").json()

    assert [
        (item["id"], item["phase"], item["current_value"], item["progress_percent"])
        for item in body["results"]
    ] == [(current.pk, "ongoing", 1, 25), (ended.pk, "ended", 3, 100)]
    assert body["results"][1]["completed"] is True


def test_my_challenges_refuses_a_bad_page_size(auth_client):
    response = auth_client.get(f"{URL}/my-challenges", {"page_size": "0"})

    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 3])
def test_my_challenges_runs_a_fixed_number_of_queries(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        ChallengeParticipant.objects.create(user=user, challenge=ChallengeFactory())
    with django_assert_num_queries(2):
        body = auth_client.get(f"{URL}/my-challenges").json()
    assert len(body["results"]) == count


# --- GET /challenges/<id>/leaderboard -------------------------------------------
def test_leaderboard_ranks_by_progress_with_display_names_only(auth_client, user):
    challenge = ChallengeFactory(goal_target=4)
    now = timezone.now()
    first = UserFactory(display_name="Amani", email="amani@example.com")
    second = UserFactory(display_name="", email="quiet@example.com")
    hidden = UserFactory(display_name="Hidden", leaderboard_opt_out=True)
    closed = UserFactory(display_name="Closed", is_active=False)
    user.display_name = "Noor"
    user.save(update_fields=["display_name"])
    rows = [
        (first, 4, now - timedelta(hours=2)),
        (hidden, 4, now - timedelta(hours=3)),
        (closed, 3, None),
        (second, 2, None),
        (user, 2, None),
    ]
    for index, (who, progress, completed_at) in enumerate(rows):
        ChallengeParticipant.objects.create(
            user=who,
            challenge=challenge,
            progress=progress,
            completed_at=completed_at,
            joined_at=now - timedelta(days=5 - index),
        )

    response = auth_client.get(f"{URL}/{challenge.pk}/leaderboard")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "rank": 1,
            "display_name": "Amani",
            "current_value": 4,
            "progress_percent": 100,
            "completed": True,
            "completed_at": (now - timedelta(hours=2))
            .isoformat()
            .replace("+00:00", "Z"),
            "is_me": False,
        },
        {
            "rank": 2,
            "display_name": "KAYA member",
            "current_value": 2,
            "progress_percent": 50,
            "completed": False,
            "completed_at": None,
            "is_me": False,
        },
        {
            "rank": 3,
            "display_name": "Noor",
            "current_value": 2,
            "progress_percent": 50,
            "completed": False,
            "completed_at": None,
            "is_me": True,
        },
    ]
    assert "@" not in response.content.decode()


def test_opting_out_through_the_profile_takes_me_off_leaderboards(auth_client, user):
    challenge = ChallengeFactory()
    ChallengeParticipant.objects.create(user=user, challenge=challenge, progress=1)

    patched = auth_client.patch("/api/v1/users/me", {"leaderboard_opt_out": True})
    board = auth_client.get(f"{URL}/{challenge.pk}/leaderboard").json()

    assert patched.json()["leaderboard_opt_out"] is True
    assert board["results"] == []
    # Still counted as a participant, and still mine.
    listed = auth_client.get(URL).json()["results"][0]
    assert (listed["participants_count"], listed["joined"]) == (1, True)


def test_leaderboard_of_an_inactive_challenge_is_404(auth_client):
    challenge = ChallengeFactory(is_active=False)

    assert auth_client.get(f"{URL}/{challenge.pk}/leaderboard").status_code == 404


def test_leaderboard_refuses_a_bad_page_size(auth_client):
    challenge = ChallengeFactory()

    response = auth_client.get(f"{URL}/{challenge.pk}/leaderboard", {"page_size": "0"})

    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 3])
def test_leaderboard_runs_a_fixed_number_of_queries(
    auth_client, count, django_assert_num_queries
):
    challenge = ChallengeFactory()
    for n in range(count):
        ChallengeParticipant.objects.create(
            user=UserFactory(), challenge=challenge, progress=n
        )
    # The user, the challenge, the page with its count.
    with django_assert_num_queries(3):
        body = auth_client.get(f"{URL}/{challenge.pk}/leaderboard").json()
    assert [row["rank"] for row in body["results"]] == list(range(1, count + 1))


# --- progress from the domain events --------------------------------------------
def test_sessions_in_the_window_move_progress_and_complete_once(
    user, django_capture_on_commit_callbacks
):
    challenge = _april_challenge(goal_target=2, title="Two quiet sits")
    _join(user, challenge)

    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC))
    assert _progress(user, challenge) == (1, False)
    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, datetime(2026, 4, 15, 8, tzinfo=UTC))
        completed_session(user, datetime(2026, 4, 16, 8, tzinfo=UTC))

    assert _progress(user, challenge) == (2, True)
    notification = Notification.objects.get(
        user=user, type=Notification.Type.CHALLENGE_COMPLETED
    )
    assert notification.title == "You completed a challenge: Two quiet sits"
    assert notification.data == {"challenge_id": challenge.pk, "slug": challenge.slug}


def test_a_redelivered_event_changes_nothing(user, django_capture_on_commit_callbacks):
    challenge = _april_challenge(goal_target=1)
    _join(user, challenge)
    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC))
    completed_at = ChallengeParticipant.objects.get(user=user).completed_at

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            session_completed.send_robust(sender=None, user_id=user.pk)

    row = ChallengeParticipant.objects.get(user=user)
    assert (row.progress, row.completed_at) == (1, completed_at)
    assert _completions(user) == 1


@pytest.mark.parametrize(
    ("goal", "target", "expected"),
    [
        (Goal.SESSIONS_COMPLETED, 10, 3),
        (Goal.SECONDS_PRACTISED, 10_000, 1500),
        (Goal.PRACTICE_DAYS, 10, 2),
    ],
)
def test_session_goals_count_sessions_seconds_and_days(
    user, django_capture_on_commit_callbacks, goal, target, expected
):
    challenge = _april_challenge(goal_kind=goal, goal_target=target)
    _join(user, challenge)

    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC), seconds=300)
        completed_session(user, datetime(2026, 4, 14, 18, tzinfo=UTC), seconds=600)
        completed_session(user, datetime(2026, 4, 15, 8, tzinfo=UTC), seconds=600)

    assert _progress(user, challenge) == (expected, False)


def test_journal_gratitude_and_mood_goals_move_from_their_events(
    user, django_capture_on_commit_callbacks
):
    journal = _april_challenge(goal_kind=Goal.JOURNAL_ENTRIES, goal_target=5)
    gratitude = _april_challenge(goal_kind=Goal.GRATITUDE_ENTRIES, goal_target=5)
    mood = _april_challenge(goal_kind=Goal.MOOD_LOGS, goal_target=5)
    for challenge in (journal, gratitude, mood):
        _join(user, challenge)

    with (
        time_machine.travel(NOON, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        journal_services.journal_entry_create(user=user, body="A slow morning.")
        for _ in range(2):
            journal_services.gratitude_entry_create(user=user, items=["Tea"])
        for _ in range(3):
            journal_services.mood_entry_create(user=user, mood="good", intensity=3)

    assert [_progress(user, c)[0] for c in (journal, gratitude, mood)] == [1, 2, 3]


def test_activity_the_evening_before_the_start_does_not_count(
    user, django_capture_on_commit_callbacks
):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    challenge = _april_challenge(goal_target=5)
    _join(user, challenge)

    with django_capture_on_commit_callbacks(execute=True):
        # 23:30 on 12 April in New York: already the start date in UTC.
        completed_session(user, datetime(2026, 4, 13, 3, 30, tzinfo=UTC))
        # 23:30 on the last day in New York: the next day in UTC, still counts.
        completed_session(user, datetime(2026, 4, 20, 3, 30, tzinfo=UTC))

    assert _progress(user, challenge) == (1, False)


def test_activity_the_morning_after_the_end_does_not_count(
    user, django_capture_on_commit_callbacks
):
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    challenge = _april_challenge(goal_target=5)
    _join(user, challenge)

    with django_capture_on_commit_callbacks(execute=True):
        # 00:30 on 13 April in Tokyo: still the day before the start in UTC,
        # yet the user's first day: counts.
        completed_session(user, datetime(2026, 4, 12, 15, 30, tzinfo=UTC))
        # 00:30 on 20 April in Tokyo: the last day in UTC, not for the user.
        completed_session(user, datetime(2026, 4, 19, 15, 30, tzinfo=UTC))

    assert _progress(user, challenge) == (1, False)


def test_only_joined_active_challenges_move(user, django_capture_on_commit_callbacks):
    joined = _april_challenge(goal_target=5)
    retired = _april_challenge(goal_target=5)
    _april_challenge(goal_target=5)
    _join(user, joined)
    _join(user, retired)
    Challenge.objects.filter(pk=retired.pk).update(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC))

    assert ChallengeParticipant.objects.count() == 2
    assert [_progress(user, c)[0] for c in (joined, retired)] == [1, 0]


def test_progress_recomputes_from_the_database_and_is_capped(user):
    challenge = _april_challenge(goal_target=2)
    _join(user, challenge)
    for day in (14, 15, 16):
        completed_session(user, datetime(2026, 4, day, 8, tzinfo=UTC))

    completed = challenge_progress_refresh(user=user)
    again = challenge_progress_refresh(user=user)

    assert [p.challenge_id for p in completed] == [challenge.pk]
    assert again == []
    assert _progress(user, challenge) == (2, True)


def test_completing_a_challenge_moves_the_challenges_completed_achievement(
    user, django_capture_on_commit_callbacks
):
    achievement = Achievement.objects.create(
        code="first-challenge",
        name="First challenge",
        category=Achievement.Category.CONSISTENCY,
        rule_kind=AchievementRule.CHALLENGES_COMPLETED,
        threshold=1,
    )
    challenge = _april_challenge(goal_target=1)
    _join(user, challenge)

    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC))

    mine = UserAchievement.objects.get(user=user, achievement=achievement)
    assert (mine.progress, mine.unlocked_at is not None) == (1, True)
    assert _completions(user) == 1


# --- privacy, admin, demo data --------------------------------------------------
def test_privacy_export_and_erase_cover_participations(user):
    challenge = _april_challenge(slug="five-good-things", title="Five good things")
    _join(user, challenge)
    handler = privacy.handlers["wellness"]

    exported = handler.export(user)["challenges"]
    handler.erase(user)

    assert [(row["slug"], row["progress"]) for row in exported] == [
        ("five-good-things", 0)
    ]
    assert not ChallengeParticipant.objects.exists()


def test_the_admin_lists_challenges_and_shows_participants_read_only(user):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    challenge = ChallengeFactory(title="Seven gentle sessions")
    ChallengeParticipant.objects.create(user=user, challenge=challenge, progress=2)

    listed = client.get(
        "/admin/wellness/challenge/", {"q": "gentle", "is_active__exact": "1"}
    )
    page = client.get(f"/admin/wellness/challenge/{challenge.pk}/change/")

    assert listed.status_code == 200
    assert "Seven gentle sessions" in listed.content.decode()
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert user.email in page.content.decode()


def test_seed_demo_challenges_is_idempotent_and_around_today():
    first = seed_demo_challenges()
    second = seed_demo_challenges()

    today = timezone.localdate()
    assert [c.pk for c in first] == [c.pk for c in second]
    assert Challenge.objects.count() == 4
    assert all(c.start_date <= today + timedelta(days=7) for c in first)
    assert all(c.end_date >= today for c in first)
    assert {c.goal_kind for c in first} == {
        Goal.SESSIONS_COMPLETED,
        Goal.SECONDS_PRACTISED,
        Goal.GRATITUDE_ENTRIES,
        Goal.MOOD_LOGS,
    }


def test_every_challenge_endpoint_is_in_the_schema_with_its_codes(api_client):
    paths = api_client.get("/api/v1/schema/?format=json").json()["paths"]

    assert set(paths[URL]) - {"parameters"} == {"get"}
    assert set(paths[f"{URL}/my-challenges"]) - {"parameters"} == {"get"}
    assert set(paths[f"{URL}/{{id}}/join"]) - {"parameters"} == {"post", "delete"}
    assert set(paths[f"{URL}/{{id}}/leaderboard"]) - {"parameters"} == {"get"}
    join = paths[f"{URL}/{{id}}/join"]
    assert {"200", "201", "403", "404", "409"} <= set(join["post"]["responses"])
    assert "challenge_ended" in join["post"]["responses"]["409"]["description"]
    assert {"204", "404", "409"} <= set(join["delete"]["responses"])
    assert "challenge_completed" in join["delete"]["responses"]["409"]["description"]
    for path in (URL, f"{URL}/my-challenges", f"{URL}/{{id}}/leaderboard"):
        assert "400" in paths[path]["get"]["responses"], path


def test_an_event_with_no_open_participation_of_its_kind_costs_one_query(
    user, django_assert_num_queries
):
    from wellness.models import AchievementRule
    from wellness.services.subscriptions import _receiver

    sessions = _april_challenge(goal_kind=Goal.SESSIONS_COMPLETED, goal_target=5)
    _join(user, sessions)
    # As connected to mood_logged: its achievement gate is read in the same query.
    mood_receiver = _receiver(
        achievement_kinds=frozenset({AchievementRule.MOOD_LOGS}),
        goal_kinds=frozenset({Goal.MOOD_LOGS}),
    )
    with time_machine.travel(NOON, tick=False):
        journal_services.mood_entry_create(user=user, mood="good", intensity=3)

        with django_assert_num_queries(1):
            mood_receiver(sender=None, user_id=user.pk)

    assert _progress(user, sessions) == (0, False)


def test_an_event_of_a_deactivated_user_moves_no_challenge(
    user, django_capture_on_commit_callbacks
):
    mood = _april_challenge(goal_kind=Goal.MOOD_LOGS, goal_target=5)
    _join(user, mood)
    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            journal_services.mood_entry_create(user=user, mood="good", intensity=3)
        user.is_active = False
        user.save(update_fields=["is_active"])
        with django_capture_on_commit_callbacks(execute=True):
            journal_services.mood_entry_create(user=user, mood="low", intensity=3)

    assert _progress(user, mood) == (1, False)
