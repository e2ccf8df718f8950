import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command, get_commands
from django.db.models import Max, Min

from accounts.models import User
from coaching.models import AvailabilityWindow, Therapist, TherapistBooking
from community.models import Comment, Post, PostLike, SupportGroup, SupportGroupMember
from conftest import bearer
from journal.models import (
    CrisisPhrase,
    CrisisResource,
    GratitudeEntry,
    JournalEntry,
    MoodEntry,
    Prompt,
)
from kaya.management.commands import seed_demo
from notifications.models import Notification
from wellness.models import (
    Achievement,
    AchievementRule,
    ProgramDay,
    ProgramEnrollment,
    UserAchievement,
    WellnessProgram,
    WellnessSession,
)

pytestmark = pytest.mark.django_db

MEMBERS = ["demo@kaya.local", "lucia@kaya.local", "sam@kaya.local"]
COUNTED = [
    User,
    Group,
    WellnessProgram,
    ProgramDay,
    Achievement,
    UserAchievement,
    Prompt,
    CrisisResource,
    CrisisPhrase,
    Therapist,
    AvailabilityWindow,
    TherapistBooking,
    SupportGroup,
    SupportGroupMember,
    Post,
    Comment,
    PostLike,
    WellnessSession,
    MoodEntry,
    JournalEntry,
    GratitudeEntry,
    ProgramEnrollment,
    Notification,
]


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def _checksum():
    """A digest of the key fields of the catalogue and the demo history."""
    rows = [
        list(User.objects.order_by("email").values_list("email", "is_staff", "locale")),
        list(
            WellnessProgram.objects.order_by("slug").values_list(
                "slug", "title", "description", "translations", "days_count"
            )
        ),
        list(
            ProgramDay.objects.order_by("program__slug", "day_number").values_list(
                "program__slug", "day_number", "title", "content", "translations"
            )
        ),
        list(
            Achievement.objects.order_by("code").values_list(
                "code", "rule_kind", "threshold", "session_type"
            )
        ),
        list(
            Therapist.objects.order_by("display_name").values_list(
                "display_name", "timezone", "user__email"
            )
        ),
        list(
            WellnessSession.objects.order_by("user__email", "started_at").values_list(
                "user__email", "type", "started_at", "actual_duration_seconds"
            )
        ),
        list(
            TherapistBooking.objects.order_by("starts_at", "user__email").values_list(
                "user__email", "therapist__display_name", "starts_at", "status"
            )
        ),
        list(Post.objects.order_by("created_at").values_list("body", "like_count")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def test_seed_demo_twice_changes_nothing(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts, checksum = _counts(), _checksum()
    capsys.readouterr()

    call_command("seed_demo")

    assert _counts() == counts
    assert _checksum() == checksum
    assert "Nothing to add." in capsys.readouterr().out
    assert counts["WellnessProgram"] == 6


def test_seed_demo_dry_run_reports_and_changes_nothing(settings, capsys):
    settings.DEBUG = True
    before = _counts()

    call_command("seed_demo", dry_run=True)

    assert _counts() == before
    out = capsys.readouterr().out
    assert "Dry run: would create 7 accounts" in out
    assert "6 programs, 32 program days, 20 achievements" in out


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(email="demo@kaya.local").exists()


def test_seed_demo_reports_a_database_failure_as_a_command_error(settings, monkeypatch):
    from django.db import OperationalError

    settings.DEBUG = True

    def broken(run):
        raise OperationalError("no such table: wellness_achievement")

    monkeypatch.setattr(seed_demo.achievements, "seed", broken)

    with pytest.raises(CommandError, match=r"nothing was saved.*migrate"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(email="demo@kaya.local").exists()


def test_every_program_day_is_a_real_script_in_english_and_spanish(seeded):
    programs = WellnessProgram.objects.filter(is_published=True)
    assert programs.count() >= 6
    for program in programs:
        assert program.days_count == program.days.count() >= 5
        assert program.translations["es"]["title"]
        assert "not a substitute for professional care" in program.description
        for day in program.days.all():
            spanish = day.translations["es"]
            for text in (day.content, spanish["content"]):
                paragraphs = [p for p in text.split("\n\n") if p.strip()]
                assert len(text) >= 600, (program.slug, day.day_number)
                assert len(paragraphs) >= 3, (program.slug, day.day_number)
            assert spanish["content"] != day.content
            assert spanish["title"]


def test_twenty_achievements_cover_every_rule_kind(seeded):
    kinds = set(Achievement.objects.values_list("rule_kind", flat=True))

    assert Achievement.objects.filter(is_active=True).count() == 20
    assert kinds == set(AchievementRule.values)


def test_eight_therapists_with_hours_over_three_time_zones(seeded):
    therapists = Therapist.objects.filter(is_active=True)

    assert therapists.count() == 8
    assert set(therapists.values_list("timezone", flat=True)) == {
        "America/New_York",
        "Europe/London",
        "Europe/Madrid",
    }
    assert all(t.windows.exists() for t in therapists)
    assert Therapist.objects.get(user__email="therapist@kaya.local")


def test_groups_prompts_and_crisis_lines_in_both_languages(seeded):
    assert SupportGroup.objects.count() == 5
    assert Prompt.objects.filter(locale="en").count() >= 5
    assert Prompt.objects.filter(locale="es").count() >= 5
    lines = set(CrisisResource.objects.values_list("locale", "phone", "countries"))
    assert ("en", "988", "US") in lines
    assert ("en", "116 123", "GB IE") in lines
    assert ("es", "024", "ES") in lines
    assert {(loc, phone) for loc, phone, _ in lines} >= {("en", "112"), ("es", "112")}
    assert CrisisPhrase.objects.filter(locale="es", category="suicide").count() >= 5
    assert CrisisPhrase.objects.filter(locale="es", category="self_harm").exists()


def test_members_have_weeks_of_history_everywhere(seeded):
    for email in MEMBERS:
        user = User.objects.get(email=email)
        span = WellnessSession.objects.filter(user=user).aggregate(
            first=Min("local_date"), last=Max("local_date")
        )
        assert span["last"] - span["first"] >= timedelta(days=21)
        assert MoodEntry.objects.filter(user=user).count() >= 21
        assert JournalEntry.objects.filter(user=user).exists()
        assert GratitudeEntry.objects.filter(user=user).exists()
        assert ProgramEnrollment.objects.filter(user=user).exists()
        assert TherapistBooking.objects.filter(user=user).count() == 2
        assert Post.objects.filter(author=user).exists()
        assert UserAchievement.objects.filter(user=user, unlocked_at__isnull=False)
        assert user.wellness_streak.longest_length >= 3
    assert Comment.objects.count() >= 5
    assert PostLike.objects.count() >= 5
    assert Post.objects.filter(like_count__gt=0).exists()


def test_staff_accounts_join_the_role_groups_that_exist(settings):
    settings.DEBUG = True
    editors, _ = Group.objects.get_or_create(name="Content editors")

    call_command("seed_demo", verbosity=0)

    assert User.objects.get(email="admin@kaya.local").is_superuser
    editor = User.objects.get(email="editor@kaya.local")
    moderator = User.objects.get(email="moderator@kaya.local")
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.all()) == [editors]
    assert list(moderator.groups.values_list("name", flat=True)) == [
        "Community moderators"
    ]


CALLS = []


def fake_seeder():
    CALLS.append("called")


def test_seed_demo_runs_the_optional_seeders_that_exist(settings, monkeypatch):
    settings.DEBUG = True
    CALLS.clear()
    monkeypatch.setattr(
        seed_demo,
        "OPTIONAL_SEEDERS",
        [
            ("kaya.tests.test_seed_demo", "fake_seeder"),
            ("kaya.tests.no_such_demo_module", "seed"),
        ],
    )

    call_command("seed_demo", verbosity=0)

    assert CALLS == ["called"]


def test_the_demo_member_sees_english_and_lucia_spanish(seeded, api_client):
    program = WellnessProgram.objects.get(slug="easing-anxious-moments")
    titles = {}
    for email in ("demo@kaya.local", "lucia@kaya.local"):
        api_client.credentials(HTTP_AUTHORIZATION=bearer(User.objects.get(email=email)))
        body = api_client.get(f"/api/v1/programs/{program.pk}").json()
        titles[email] = (body["title"], body["days"][0]["title"])

    assert titles == {
        "demo@kaya.local": ("Easing Anxious Moments", "Grounding with your senses"),
        "lucia@kaya.local": (
            "Aliviar los momentos de ansiedad",
            "Anclarte con los sentidos",
        ),
    }


def test_demo_login_works_through_the_api(seeded, api_client):
    login = api_client.post(
        "/api/v1/auth/login",
        {"email": "demo@kaya.local", "password": "kaya-demo-password"},
        format="json",
    )

    assert login.status_code == 200


def test_the_cross_app_commands_belong_to_kaya():
    commands = get_commands()

    assert commands["seed_demo"] == "kaya"
    assert commands["rotate_encryption_keys"] == "kaya"
    assert commands["seed_bench"] == "wellness"


def test_seed_demo_replaces_the_placeholders_of_the_earlier_seed(settings):
    settings.DEBUG = True
    old = WellnessProgram.objects.create(
        slug="calm-in-seven-days",
        title="Calm in Seven Days",
        summary="A gentle first week.",
        description="A gentle first week.",
        category="stress",
        is_published=True,
    )
    ProgramDay.objects.create(
        program=old,
        day_number=1,
        title="Arriving",
        content="Day 1: Arriving.",
        session_type="breathing",
    )
    edited = ProgramDay.objects.create(
        program=old,
        day_number=2,
        title="Noticing the body",
        content="Staff wrote this.",
        session_type="body_scan",
    )

    call_command("seed_demo", verbosity=0)

    old.refresh_from_db()
    first = old.days.get(day_number=1)
    assert first.content.startswith("Find a place where you can sit")
    assert first.translations["es"]["title"] == "Llegar"
    assert old.translations["es"]["title"] == "Calma en siete días"
    edited.refresh_from_db()
    assert edited.content == "Staff wrote this."
    assert old.days.count() == 7
