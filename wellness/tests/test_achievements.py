"""Achievements: the engine on the domain events, the two endpoints, the
dashboard count, privacy, the admin and the recompute command."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import factory
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError

from accounts.registry import privacy
from accounts.tests.factories import UserFactory
from journal import services as journal_services
from notifications.models import Notification
from wellness.events import session_completed
from wellness.models import Achievement, AchievementRule, UserAchievement
from wellness.services import (
    achievements_evaluate,
    enrollment_day_complete,
    program_enroll,
)
from wellness.tests.factories import completed_session, frozen, program_with_days

pytestmark = pytest.mark.django_db

URL = "/api/v1/achievements"
Kind = AchievementRule
APRIL = datetime(2026, 4, 13, 8, tzinfo=UTC)


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    code = factory.Sequence(lambda n: f"achievement-{n}")
    name = factory.Sequence(lambda n: f"Achievement {n}")
    description = "A quiet milestone."
    icon = "leaf"
    category = Achievement.Category.PRACTICE
    points = 10
    rule_kind = Kind.SESSIONS_COMPLETED
    threshold = 1


def _practise(user, days: int = 1, seconds: int = 600, type: str = "meditation"):
    for day in range(days):
        completed_session(
            user,
            APRIL.replace(day=13 + day),
            seconds=seconds,
            type=type,
        )


def _mine(user, achievement) -> UserAchievement:
    return UserAchievement.objects.get(user=user, achievement=achievement)


# --- the engine ---------------------------------------------------------------
def test_a_first_completed_session_unlocks_and_notifies_once(
    user, django_capture_on_commit_callbacks
):
    first = AchievementFactory(
        code="first-steps", name="First steps", description="Your first session."
    )

    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)

    mine = _mine(user, first)
    assert mine.progress == 1
    assert mine.unlocked_at is not None
    notification = Notification.objects.get(user=user)
    assert notification.type == Notification.Type.ACHIEVEMENT_UNLOCKED
    assert notification.title == "You earned an achievement: First steps"
    assert notification.body == "Your first session."
    assert notification.data == {"achievement_id": first.pk, "code": "first-steps"}
    # Verified address, email allowed: the email copy goes out too.
    assert [m.subject for m in mail.outbox] == ["KAYA: Achievement unlocked"]


def test_an_unlock_respects_the_email_preference(
    user, django_capture_on_commit_callbacks
):
    user.notify_email = False
    user.save(update_fields=["notify_email"])
    AchievementFactory()

    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)

    assert Notification.objects.filter(user=user).count() == 1
    assert mail.outbox == []


def test_a_redelivered_event_unlocks_nothing_twice(
    user, django_capture_on_commit_callbacks
):
    achievement = AchievementFactory(threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)
    unlocked_at = _mine(user, achievement).unlocked_at

    for _ in range(2):
        session_completed.send_robust(sender=None, user_id=user.pk)

    assert _mine(user, achievement).unlocked_at == unlocked_at
    assert Notification.objects.filter(user=user).count() == 1


def test_progress_is_counted_from_the_database_not_incremented(
    user, django_capture_on_commit_callbacks
):
    three = AchievementFactory(rule_kind=Kind.JOURNAL_ENTRIES, threshold=3)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            journal_services.journal_entry_create(user=user, body=f"page {n}")
    # The same event delivered again moves nothing: the count is still two.
    from journal.events import entry_created

    entry_created.send_robust(sender=None, user_id=user.pk)
    assert (_mine(user, three).progress, _mine(user, three).unlocked_at) == (2, None)

    with django_capture_on_commit_callbacks(execute=True):
        journal_services.journal_entry_create(user=user, body="page 3")

    assert _mine(user, three).progress == 3
    assert _mine(user, three).unlocked_at is not None


def test_each_rule_kind_is_measured_from_its_own_rows(
    user, django_capture_on_commit_callbacks
):
    rules = {
        "sessions": AchievementFactory(rule_kind=Kind.SESSIONS_COMPLETED, threshold=3),
        "seconds": AchievementFactory(rule_kind=Kind.SECONDS_PRACTISED, threshold=1800),
        "streak": AchievementFactory(rule_kind=Kind.STREAK_DAYS, threshold=3),
        "yoga": AchievementFactory(
            rule_kind=Kind.FIRST_OF_TYPE, session_type="yoga", threshold=1
        ),
        "sleep": AchievementFactory(
            rule_kind=Kind.FIRST_OF_TYPE, session_type="sleep", threshold=1
        ),
        "gratitude": AchievementFactory(rule_kind=Kind.GRATITUDE_ENTRIES, threshold=1),
        "moods": AchievementFactory(rule_kind=Kind.MOOD_LOGS, threshold=2),
        "programs": AchievementFactory(rule_kind=Kind.PROGRAMS_COMPLETED, threshold=1),
        "posts": AchievementFactory(rule_kind=Kind.COMMUNITY_POSTS, threshold=1),
    }
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=2, seconds=600)
        completed_session(user, APRIL.replace(day=15), seconds=600, type="yoga")
        journal_services.gratitude_entry_create(user=user, items=["tea"])
        journal_services.mood_entry_create(user=user, mood="good", intensity=5)
        enrollment, _ = program_enroll(user=user, program=program_with_days(1))
        enrollment_day_complete(enrollment=enrollment, day_number=1)

    progress = {
        name: (row.progress, row.unlocked_at is not None)
        for name, achievement in rules.items()
        for row in UserAchievement.objects.filter(user=user, achievement=achievement)
    }
    assert progress == {
        "sessions": (3, True),
        "seconds": (1800, True),
        "streak": (3, True),
        "yoga": (1, True),
        "moods": (1, False),
        "gratitude": (1, True),
        "programs": (1, True),
        # No sleep session and no community posts yet: no row at all.
    }


def test_an_unlock_is_never_taken_back(user, django_capture_on_commit_callbacks):
    achievement = AchievementFactory(rule_kind=Kind.JOURNAL_ENTRIES, threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        entry, _ = journal_services.journal_entry_create(user=user, body="once")
    with django_capture_on_commit_callbacks(execute=True):
        journal_services.journal_entry_delete(entry=entry)

    achievements_evaluate(user=user)

    assert _mine(user, achievement).progress == 1
    assert _mine(user, achievement).unlocked_at is not None


def test_gentle_mode_leaves_streak_achievements_out(
    auth_client, user, django_capture_on_commit_callbacks
):
    user.gentle_mode = True
    user.save(update_fields=["gentle_mode"])
    AchievementFactory(rule_kind=Kind.STREAK_DAYS, threshold=1, code="streak-1")
    AchievementFactory(rule_kind=Kind.SESSIONS_COMPLETED, code="session-1")
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)

    available = auth_client.get(f"{URL}/available").json()["results"]
    unlocked = auth_client.get(URL).json()["results"]

    assert [a["code"] for a in available] == ["session-1"]
    assert [a["code"] for a in unlocked] == ["session-1"]


def test_only_the_acting_users_achievements_move(
    user, other_user, django_capture_on_commit_callbacks
):
    achievement = AchievementFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)

    assert not UserAchievement.objects.filter(user=other_user).exists()
    assert Notification.objects.filter(user=other_user).count() == 0
    assert _mine(user, achievement).unlocked_at is not None


def test_a_first_of_type_rule_needs_a_session_type_and_threshold_one(db):
    with pytest.raises(IntegrityError):
        AchievementFactory(rule_kind=Kind.FIRST_OF_TYPE, session_type="")


# --- the endpoints ------------------------------------------------------------
def test_unlocked_list_shows_my_unlocks_newest_first(
    auth_client, user, other_user, django_capture_on_commit_callbacks
):
    first = AchievementFactory(code="one", name="One", threshold=1)
    AchievementFactory(code="two", name="Two", threshold=2)
    hidden = AchievementFactory(code="ten", name="Ten", threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=1)
        _practise(other_user, days=10)
    with django_capture_on_commit_callbacks(execute=True):
        completed_session(user, APRIL.replace(day=20))
    first_row = _mine(user, first)

    body = auth_client.get(URL).json()

    assert [a["code"] for a in body["results"]] == ["two", "one"]
    assert body["count"] == 2
    assert body["results"][1] == {
        "id": first.pk,
        "code": "one",
        "name": "One",
        "description": "A quiet milestone.",
        "icon": "leaf",
        "category": "practice",
        "points": 10,
        "unlocked_at": first_row.unlocked_at.isoformat().replace("+00:00", "Z"),
    }
    # The other user's unlock of "ten" is theirs alone.
    assert _mine(other_user, hidden).unlocked_at is not None
    assert "ten" not in [a["code"] for a in body["results"]]


def test_available_lists_every_active_achievement_with_my_progress(
    auth_client, user, other_user, django_capture_on_commit_callbacks
):
    done = AchievementFactory(code="one", threshold=1)
    half = AchievementFactory(
        code="hour", rule_kind=Kind.SECONDS_PRACTISED, threshold=2400
    )
    AchievementFactory(code="retired", is_active=False)
    AchievementFactory(code="never", rule_kind=Kind.EVENTS_ATTENDED, threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=2, seconds=600)
        # Another user's progress never shows in mine.
        _practise(other_user, days=4, seconds=600)

    body = auth_client.get(f"{URL}/available").json()

    rows = {a["code"]: a for a in body["results"]}
    assert set(rows) == {"one", "hour", "never"}
    assert rows["one"]["unlocked"] is True
    assert rows["one"]["progress_percent"] == 100
    assert rows["one"]["unlocked_at"] == _mine(
        user, done
    ).unlocked_at.isoformat().replace("+00:00", "Z")
    assert {k: rows["hour"][k] for k in ("current_value", "threshold")} == {
        "current_value": 1200,
        "threshold": 2400,
    }
    assert rows["hour"]["progress_percent"] == 50
    assert rows["hour"]["unlocked"] is False
    assert rows["hour"]["unlocked_at"] is None
    assert rows["hour"]["rule_kind"] == "seconds_practised"
    assert rows["hour"]["session_type"] is None
    assert rows["never"]["current_value"] == 0
    assert _mine(other_user, half).unlocked_at is not None


@pytest.mark.parametrize("count", [1, 5])
def test_available_runs_a_fixed_number_of_queries(
    auth_client,
    user,
    count,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    for n in range(count):
        AchievementFactory(threshold=n + 1)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=count)
    # Authentication, then the page with its count and progress annotated.
    with django_assert_num_queries(2):
        body = auth_client.get(f"{URL}/available").json()
    assert len(body["results"]) == count


@pytest.mark.parametrize("count", [1, 5])
def test_unlocked_list_runs_a_fixed_number_of_queries(
    auth_client,
    user,
    count,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    for n in range(count):
        AchievementFactory(threshold=n + 1)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=count)
    with django_assert_num_queries(2):
        body = auth_client.get(URL).json()
    assert len(body["results"]) == count


@pytest.mark.parametrize("path", [URL, f"{URL}/available"])
@pytest.mark.parametrize("size", ["abc", "0"])
def test_a_bad_page_size_is_a_400(auth_client, path, size):
    response = auth_client.get(path, {"page_size": size})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("path", [URL, f"{URL}/", f"{URL}/available/"])
def test_achievements_need_a_login_and_answer_with_or_without_slash(
    api_client, auth_client, path
):
    assert api_client.get(path).status_code == 401
    assert auth_client.get(path).status_code == 200


# A method the document does not list, on purpose: the 405 is the point.
@pytest.mark.no_response_schema
def test_achievements_are_read_only(auth_client):
    assert auth_client.post(URL, {}, format="json").status_code == 405
    assert auth_client.post(f"{URL}/available", {}, format="json").status_code == 405


def test_the_dashboard_counts_my_unlocks_only(
    auth_client, user, other_user, django_capture_on_commit_callbacks
):
    AchievementFactory(threshold=1)
    AchievementFactory(threshold=2)
    AchievementFactory(threshold=3)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=2)
        _practise(other_user, days=3)
    now = datetime(2026, 4, 15, 10, tzinfo=UTC)

    with frozen(auth_client, user, now):
        body = auth_client.get("/api/v1/analytics/dashboard").json()

    assert body["achievements_count"] == 2


# --- privacy, admin -------------------------------------------------------------
def test_privacy_export_and_erase_cover_user_achievements(
    user, other_user, django_capture_on_commit_callbacks
):
    AchievementFactory(code="one", name="One")
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)
        _practise(other_user)
    handler = privacy.handlers["wellness"]

    exported = handler.export(user)["achievements"]
    handler.erase(user)

    assert [(a["code"], a["name"], a["progress"]) for a in exported] == [
        ("one", "One", 1)
    ]
    assert exported[0]["unlocked_at"].endswith("Z")
    assert not UserAchievement.objects.filter(user=user).exists()
    assert UserAchievement.objects.filter(user=other_user).count() == 1


def test_staff_curate_achievements_in_the_admin_but_never_delete_them(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    achievement = AchievementFactory()

    add = client.post(
        "/admin/wellness/achievement/add/",
        {
            "code": "calm-week",
            "name": "A calm week",
            "description": "Seven sessions.",
            "icon": "sun",
            "category": "practice",
            "points": 20,
            "is_active": "on",
            "rule_kind": "sessions_completed",
            "threshold": 7,
            "session_type": "",
        },
    )
    bad = client.post(
        "/admin/wellness/achievement/add/",
        {
            "code": "first-yoga",
            "name": "First yoga",
            "category": "exploration",
            "points": 5,
            "rule_kind": "first_of_type",
            "threshold": 1,
            "session_type": "",
        },
    )

    assert add.status_code == 302
    assert Achievement.objects.filter(code="calm-week", threshold=7).exists()
    assert bad.status_code == 200
    assert not Achievement.objects.filter(code="first-yoga").exists()
    assert client.get("/admin/wellness/userachievement/").status_code == 200
    delete = client.post(
        f"/admin/wellness/achievement/{achievement.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Achievement.objects.filter(pk=achievement.pk).exists()


# --- the recompute command ------------------------------------------------------
def test_recompute_unlocks_a_rule_added_after_the_activity(
    user, other_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=2)
        _practise(other_user, days=1)
    added = AchievementFactory(code="two", threshold=2)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("recompute_achievements", "--batch-size", "1", stdout=out)

    assert _mine(user, added).unlocked_at is not None
    assert _mine(other_user, added).progress == 1
    assert _mine(other_user, added).unlocked_at is None
    # Quiet by default: a new rule does not mail everyone at once.
    assert Notification.objects.count() == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == f"1 users done, 1 unlocks; last user id {user.pk}"
    assert lines[1] == f"2 users done, 1 unlocks; last user id {other_user.pk}"
    assert lines[-1] == "Done: unlocked 1 for 2 users."


def test_recompute_dry_run_stores_nothing(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)
    AchievementFactory(threshold=1)
    out = StringIO()

    call_command("recompute_achievements", "--dry-run", stdout=out)

    assert UserAchievement.objects.count() == 0
    assert out.getvalue().splitlines()[-1] == (
        "Dry run: would have unlocked 1 for 1 users."
    )


def test_recompute_resumes_after_a_user_id_and_can_notify(
    user, other_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user)
        _practise(other_user)
    added = AchievementFactory(threshold=1)
    first, second = sorted([user, other_user], key=lambda u: u.pk)

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "recompute_achievements",
            "--after-user-id",
            str(first.pk),
            "--notify",
            stdout=StringIO(),
        )

    assert not UserAchievement.objects.filter(user=first, achievement=added).exists()
    assert _mine(second, added).unlocked_at is not None
    assert list(Notification.objects.values_list("user_id", "type")) == [
        (second.pk, "achievement_unlocked")
    ]


def test_users_me_stats_counts_my_unlocks(
    auth_client, user, other_user, django_capture_on_commit_callbacks
):
    AchievementFactory(threshold=1)
    AchievementFactory(threshold=2)
    with django_capture_on_commit_callbacks(execute=True):
        _practise(user, days=1)
        _practise(other_user, days=2)

    body = auth_client.get("/api/v1/users/me/stats").json()

    assert body["achievements_count"] == 1


def test_an_event_with_nothing_left_to_unlock_of_its_kind_costs_one_query(
    user, other_user, django_assert_num_queries
):
    from wellness.models import ChallengeGoal
    from wellness.services.subscriptions import _receiver

    # As connected to mood_logged: its challenge gate is read in the same query.
    mood_receiver = _receiver(
        achievement_kinds=frozenset({Kind.MOOD_LOGS}),
        goal_kinds=frozenset({ChallengeGoal.MOOD_LOGS}),
    )
    AchievementFactory(rule_kind=Kind.SESSIONS_COMPLETED, threshold=1)
    AchievementFactory(rule_kind=Kind.MOOD_LOGS, threshold=1, is_active=False)
    journal_services.mood_entry_create(user=user, mood="good", intensity=3)

    # No active achievement of the kind.
    with django_assert_num_queries(1):
        mood_receiver(sender=None, user_id=user.pk)
    assert not UserAchievement.objects.exists()

    # One to unlock: evaluated, unlocked once; then nothing is left for this
    # user, while another user's unlock of it does not count for them.
    first = AchievementFactory(rule_kind=Kind.MOOD_LOGS, threshold=1)
    journal_services.mood_entry_create(user=other_user, mood="good", intensity=3)
    mood_receiver(sender=None, user_id=other_user.pk)
    assert _mine(other_user, first).unlocked_at is not None
    mood_receiver(sender=None, user_id=user.pk)
    assert _mine(user, first).unlocked_at is not None
    with django_assert_num_queries(1):
        mood_receiver(sender=None, user_id=user.pk)

    # A second one, not reached yet, is evaluated again (its progress stored).
    second = AchievementFactory(rule_kind=Kind.MOOD_LOGS, threshold=3)
    journal_services.mood_entry_create(user=user, mood="low", intensity=3)
    mood_receiver(sender=None, user_id=user.pk)
    mine = _mine(user, second)
    assert (mine.progress, mine.unlocked_at) == (2, None)
