import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import TokenFamily, User
from coaching.models import (
    AIConversation,
    AIGenerationJob,
    AIMessage,
    AIUsageDay,
    AvailabilityException,
    BookingTransition,
    Therapist,
    TherapistBooking,
)
from community.models import (
    Comment,
    CommunityBan,
    Post,
    PostLike,
    Report,
    SupportGroupMember,
)
from journal.models import GratitudeEntry, JournalEntry, JournalTag, MoodEntry, MoodTag
from notifications.models import Notification
from wellness.management.commands.seed_bench import EMAIL_DOMAIN, Command
from wellness.models import ProgramEnrollment, Streak, WellnessSession

pytestmark = pytest.mark.django_db


def _counts():
    bench = {"user__email__endswith": "@" + EMAIL_DOMAIN}
    return {
        "users": User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).count(),
        "completed": WellnessSession.objects.filter(
            status="completed", **bench
        ).count(),
        "open": WellnessSession.objects.filter(status="in_progress", **bench).count(),
        "moods": MoodEntry.objects.filter(**bench).count(),
        "mood_tags": MoodTag.objects.filter(**bench).count(),
        "journal": JournalEntry.objects.filter(**bench).count(),
        "journal_tags": JournalTag.objects.filter(**bench).count(),
        "gratitude": GratitudeEntry.objects.filter(**bench).count(),
        "notifications": Notification.objects.filter(**bench).count(),
        "enrollments": ProgramEnrollment.objects.filter(**bench).count(),
        "streaks": Streak.objects.filter(**bench).count(),
    }


def test_seed_bench_loads_the_documented_volumes_once(settings, tmp_path):
    settings.DEBUG = True
    tokens = tmp_path / "tokens.json"
    call_command("seed_bench", users=5, heavy=2, open_sessions=3, tokens=tokens)
    first = _counts()
    call_command("seed_bench", users=5, heavy=2, open_sessions=3)

    assert (
        _counts()
        == first
        == {
            "users": 5,
            "completed": 2 * 2000,
            "open": 3 * 3,
            "moods": 2 * 1500 + 3 * 10,
            "mood_tags": 2 * 1500 * 3,
            "journal": 2 * 500,
            "journal_tags": 2 * 500 * 2,
            "gratitude": 2 * 300,
            "notifications": 2 * 300,
            "enrollments": 2 * 3,
            "streaks": 5,
        }
    )
    document = json.loads(tokens.read_text())
    assert len(document["heavy"]) == 2
    assert len(document["light"]) == 3
    assert len(document["open_sessions"]) == 9
    assert len(document["therapists"]) == 30
    assert len(document["ai_jobs"]) == 2
    assert len(document["public_posts"]) == 2 * 40 // 3 + 1


def test_seed_bench_writes_real_ciphertext(settings):
    settings.DEBUG = True
    call_command("seed_bench", users=2, heavy=1, open_sessions=0)
    entry = JournalEntry.objects.filter(user__email__endswith=EMAIL_DOMAIN).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT body FROM journal_journalentry WHERE id = %s", [entry.pk]
        )
        (raw,) = cursor.fetchone()

    assert "breath" in entry.body
    assert "breath" not in raw
    assert raw.startswith("gAAAAA")


def test_seed_bench_is_deterministic(settings):
    settings.DEBUG = True
    call_command("seed_bench", users=3, heavy=1, open_sessions=1)
    # Sorted in full: rows may share a moment, whose order SQL leaves open.
    first = sorted(
        MoodEntry.objects.filter(user__email__endswith=EMAIL_DOMAIN).values_list(
            "user__email", "logged_at", "mood", "intensity", "local_date"
        )
    )
    call_command("seed_bench", users=3, heavy=1, open_sessions=1, reset=True)
    again = sorted(
        MoodEntry.objects.filter(user__email__endswith=EMAIL_DOMAIN).values_list(
            "user__email", "logged_at", "mood", "intensity", "local_date"
        )
    )

    assert again == first


def test_seed_bench_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_bench", users=2, heavy=1)
    assert not User.objects.filter(email__endswith=EMAIL_DOMAIN).exists()


@pytest.mark.postgres
def test_seed_bench_leaves_fresh_planner_statistics(settings):
    settings.DEBUG = True
    call_command("seed_bench", users=2, heavy=1, open_sessions=1)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname IN "
            "('journal_moodtag', 'wellness_wellnesssession') "
            "AND last_analyze IS NOT NULL ORDER BY relname"
        )
        analysed = [row[0] for row in cursor.fetchall()]

    assert analysed == ["journal_moodtag", "wellness_wellnesssession"]


def _community_and_care():
    bench = {"user__email__endswith": "@" + EMAIL_DOMAIN}
    return {
        "memberships": SupportGroupMember.objects.filter(**bench).count(),
        "posts": Post.objects.filter(author__email__endswith=EMAIL_DOMAIN).count(),
        "likes": PostLike.objects.filter(**bench).count(),
        "comments": Comment.objects.filter(
            author__email__endswith=EMAIL_DOMAIN
        ).count(),
        "therapists": Therapist.objects.filter(
            display_name__startswith="Bench therapist"
        ).count(),
        "bookings": TherapistBooking.objects.filter(**bench).count(),
        "post reports": Report.objects.filter(
            post__isnull=False, reporter__email__endswith=EMAIL_DOMAIN
        ).count(),
        "comment reports": Report.objects.filter(
            comment__isnull=False, reporter__email__endswith=EMAIL_DOMAIN
        ).count(),
        "bans": CommunityBan.objects.filter(**bench).count(),
        "exceptions": AvailabilityException.objects.filter(
            therapist__display_name__startswith="Bench therapist"
        ).count(),
        "transitions": BookingTransition.objects.filter(
            booking__user__email__endswith=EMAIL_DOMAIN
        ).count(),
        "ai jobs": AIGenerationJob.objects.filter(**bench).count(),
        "ai chats": AIConversation.objects.filter(**bench).count(),
        "ai messages": AIMessage.objects.filter(
            conversation__user__email__endswith=EMAIL_DOMAIN
        ).count(),
        "ai usage days": AIUsageDay.objects.filter(**bench).count(),
    }


def test_seed_bench_loads_the_community_and_care_as_planned(settings):
    settings.DEBUG = True
    call_command("seed_bench", users=6, heavy=2, open_sessions=0)

    plan = Command.plan(users=6, heavy=2, open_sessions=0, now=timezone.now())
    loaded = _community_and_care()
    assert loaded == {label: plan[label] for label in loaded}
    assert loaded["posts"] == 80
    assert loaded["ai jobs"] == 40
    assert loaded["ai messages"] == 2 * 10 * 12
    # Stored counters agree with the rows.
    for post in Post.objects.filter(author__email__endswith=EMAIL_DOMAIN)[:20]:
        assert post.like_count == post.likes.count()
        assert post.comment_count == post.comments.count()
    statuses = set(TherapistBooking.objects.values_list("status", flat=True))
    assert statuses == set(TherapistBooking.Status.values)
    jobs = set(AIGenerationJob.objects.values_list("status", flat=True))
    assert jobs == set(AIGenerationJob.Status.values)
    consenting = User.objects.filter(
        email__endswith=EMAIL_DOMAIN, ai_consent_version__isnull=False
    ).count()
    assert consenting == 2 + 2  # the heavy users and every other light user


def test_seed_bench_writes_ai_chat_and_jobs_as_ciphertext(settings):
    settings.DEBUG = True
    call_command("seed_bench", users=2, heavy=1, open_sessions=0)
    message = AIMessage.objects.filter(role="user").first()
    job = AIGenerationJob.objects.filter(status="succeeded").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT body FROM coaching_aimessage WHERE id = %s", [message.pk]
        )
        (body,) = cursor.fetchone()
        cursor.execute(
            "SELECT params, result FROM coaching_aigenerationjob WHERE id = %s",
            [job.pk],
        )
        params, result = cursor.fetchone()

    assert "3am" in message.body
    assert job.result["steps"][0]["duration_seconds"] == 120
    for raw in (body, params, result):
        assert raw.startswith("gAAAAA")
    assert "3am" not in body
    assert "unwind" not in params


def test_seed_bench_dry_run_prints_the_plan_and_writes_nothing(settings, capsys):
    settings.DEBUG = True

    call_command("seed_bench", users=6, heavy=2, open_sessions=1, dry_run=True)

    assert not User.objects.filter(email__endswith=EMAIL_DOMAIN).exists()
    assert not Post.objects.exists()
    out = capsys.readouterr().out
    total = sum(
        Command.plan(users=6, heavy=2, open_sessions=1, now=timezone.now()).values()
    )
    assert "posts          80 rows" in out
    assert f"Dry run: would load {total} rows; nothing was written." in out


def test_seed_bench_refresh_tokens_rotate_through_the_api(
    settings, tmp_path, api_client
):
    settings.DEBUG = True
    tokens = tmp_path / "tokens.json"
    call_command("seed_bench", users=2, heavy=1, open_sessions=0, tokens=tokens)
    assert "refresh" not in json.loads(tokens.read_text())["heavy"][0]

    call_command("seed_bench", users=2, heavy=1, tokens=tokens, refresh_tokens=True)
    rows = json.loads(tokens.read_text())
    row = rows["light"][0]
    response = api_client.post(
        "/api/v1/auth/refresh", {"refresh": row["refresh"]}, format="json"
    )
    me = api_client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {row['token']}")

    assert response.status_code == 200
    assert response.json()["refresh"] != row["refresh"]
    assert me.status_code == 200
    assert me.json()["id"] == row["user_id"]
    assert (
        TokenFamily.objects.filter(
            user__email__endswith=EMAIL_DOMAIN, revoked_at=None
        ).count()
        == 2
    )
