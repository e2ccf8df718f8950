"""Demo accounts and weeks of their history.

Accounts (all with ``DEMO_PASSWORD``): a superuser, a community moderator and a
content editor (in the staff role groups when those exist), a therapist, and
three members in three time zones and two languages. A member's history
(sessions, moods, journal and gratitude entries, enrollments, bookings) is
written once, when the member has no sessions yet, dated over the last four
weeks in the member's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group

from accounts.models import User
from coaching.models import BookingStatus, Therapist, TherapistBooking
from journal.models import GratitudeEntry, JournalEntry, JournalTag, MoodEntry, MoodTag
from kaya import rollups
from kaya.demo.base import DEMO_PASSWORD, SeedRun, at_local
from wellness.models import (
    ProgramDay,
    ProgramDayProgress,
    ProgramEnrollment,
    SessionType,
    WellnessProgram,
    WellnessSession,
)
from wellness.services import achievements_evaluate, streak_recompute

HISTORY_DAYS = 28

# Role group names of kaya.staff (the staff console); used only if they exist.
MODERATORS_GROUP = "Community moderators"
CONTENT_EDITORS_GROUP = "Content editors"


@dataclass(frozen=True)
class Account:
    key: str
    email: str
    display_name: str
    use: str
    timezone: str = "UTC"
    locale: str = "en"
    is_superuser: bool = False
    is_staff: bool = False
    premium: bool = False
    group: str = ""


ACCOUNTS = [
    Account("staff", "admin@kaya.local", "KAYA Staff", "admin", is_superuser=True),
    Account(
        "moderator",
        "moderator@kaya.local",
        "Morgan (moderator)",
        "admin: community moderation",
        timezone="Europe/London",
        is_staff=True,
        group=MODERATORS_GROUP,
    ),
    Account(
        "editor",
        "editor@kaya.local",
        "Elena (content editor)",
        "admin: programs and content",
        timezone="Europe/Madrid",
        is_staff=True,
        group=CONTENT_EDITORS_GROUP,
    ),
    Account(
        "therapist",
        "therapist@kaya.local",
        "Dr. Maya Thompson",
        "API: therapist bookings",
        timezone="America/New_York",
    ),
    Account(
        "demo",
        "demo@kaya.local",
        "Demo User",
        "API",
        timezone="Europe/London",
    ),
    Account(
        "lucia",
        "lucia@kaya.local",
        "Lucía",
        "API, Spanish, premium",
        timezone="Europe/Madrid",
        locale="es",
        premium=True,
    ),
    Account(
        "sam",
        "sam@kaya.local",
        "Sam",
        "API",
        timezone="America/New_York",
    ),
]
MEMBERS = ("demo", "lucia", "sam")

# What `make run` and GET / print: the member and the superuser first.
_LOGIN_ORDER = ("demo", "staff", "lucia", "sam", "therapist", "moderator", "editor")
DEMO_LOGINS = [
    {"email": a.email, "password": DEMO_PASSWORD, "use": a.use}
    for a in sorted(ACCOUNTS, key=lambda a: _LOGIN_ORDER.index(a.key))
]

JOURNAL = {
    "en": [
        (
            "A slower morning",
            "I woke up before the alarm and, instead of reaching for my phone, "
            "I lay there and listened to the rain for a few minutes. It set a "
            "different tone for the day. Work was busy but I felt less rushed.",
            ["morning", "calm"],
        ),
        (
            "Hard day",
            "Today was heavy. I kept replaying a conversation from the meeting. "
            "I did the longer out-breath on the walk home and it took the edge "
            "off. Writing it down helps me see it's one day, not every day.",
            ["work", "stress"],
        ),
        (
            "Small wins",
            "Cooked a proper dinner, called my sister, and went to bed on time. "
            "None of it is dramatic, but it adds up to a good day.",
            ["family", "gratitude"],
        ),
        (
            "Noticing the critic",
            "Caught myself saying 'you're so useless' after forgetting an email. "
            "Tried asking what I'd say to a friend. It felt awkward, but softer.",
            ["self-compassion"],
        ),
    ],
    "es": [
        (
            "Una mañana tranquila",
            "Hoy me he levantado con calma y he desayunado sin mirar el móvil. "
            "He notado el sol en la cocina y me he sentido presente un rato.",
            ["mañana", "calma"],
        ),
        (
            "Un día difícil",
            "El trabajo ha sido intenso y me he sentido cansada. Por la noche "
            "hice la respiración lenta en la cama y me dormí antes de lo normal.",
            ["trabajo", "sueño"],
        ),
        (
            "Pequeñas cosas",
            "Paseo con mi madre, un café al sol y una conversación bonita con "
            "una amiga. Quiero acordarme de estos días.",
            ["familia", "gratitud"],
        ),
    ],
}

GRATITUDE = {
    "en": [
        ["a warm cup of tea", "a message from an old friend"],
        ["sunlight on my desk"],
        ["my sister's laugh on the phone", "a quiet train", "clean sheets"],
        ["finishing a hard task"],
    ],
    "es": [
        ["un café al sol", "la llamada de mi madre"],
        ["una siesta corta"],
        ["el paseo por el parque", "una buena conversación"],
    ],
}

MOODS = ["good", "neutral", "good", "low", "great", "good", "neutral"]
EMOTIONS = ["calm", "hopeful", "tired", "anxious", "grateful", "content"]
FACTORS = ["sleep", "work", "family", "exercise", "weather"]
SESSION_TYPES = [
    SessionType.BREATHING,
    SessionType.MEDITATION,
    SessionType.BODY_SCAN,
    SessionType.SLEEP,
    SessionType.MOVEMENT,
    SessionType.FOCUS,
    SessionType.GRATITUDE,
]
SESSION_TITLES = {
    SessionType.BREATHING: "Steady breath",
    SessionType.MEDITATION: "Morning sit",
    SessionType.BODY_SCAN: "Body scan",
    SessionType.SLEEP: "Wind down",
    SessionType.MOVEMENT: "Gentle stretch",
    SessionType.FOCUS: "Focus reset",
    SessionType.GRATITUDE: "Three good things",
}

# member -> (program slug, days completed)
ENROLLMENTS = {
    "demo": [("calm-in-seven-days", 3), ("easing-anxious-moments", 5)],
    "lucia": [("deeper-sleep", 5), ("kind-to-yourself", 2)],
    "sam": [("focus-reset", 2)],
}

# member -> (therapist, days from today, local hour, status)
BOOKINGS = {
    "demo": [
        ("Dr. Oliver Hughes", -10, 10, BookingStatus.COMPLETED),
        ("Dr. Oliver Hughes", 4, 10, BookingStatus.CONFIRMED),
    ],
    "lucia": [
        ("Lucía Fernández", -6, 11, BookingStatus.COMPLETED),
        ("Lucía Fernández", 5, 11, BookingStatus.PENDING),
    ],
    "sam": [
        ("Dr. Maya Thompson", -3, 9, BookingStatus.CANCELLED),
        ("Dr. Maya Thompson", 6, 10, BookingStatus.CONFIRMED),
    ],
}


def seed_accounts(run: SeedRun, *, now: datetime) -> dict[str, User]:
    """Every demo account, keyed as in ACCOUNTS; staff join their role group
    if it exists (made by ``manage.py staff_roles``)."""
    users = {}
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            create = (
                User.objects.create_superuser
                if account.is_superuser
                else User.objects.create_user
            )
            extra: dict[str, Any] = {
                "display_name": account.display_name,
                "timezone": account.timezone,
                "locale": account.locale,
                # The API logs in verified addresses only.
                "email_verified_at": now,
                "date_joined": now - timedelta(days=HISTORY_DAYS + 7),
                # Demo accounts get their notifications in the app, not as
                # console emails filling the `make run` output.
                "notify_email": False,
            }
            if account.is_staff:
                extra["is_staff"] = True
            if account.premium:
                extra["subscription_tier"] = User.Tier.PREMIUM
            if account.key == "demo":
                extra["reminder_time"] = time(8, 0)
            user = create(account.email, DEMO_PASSWORD, **extra)
            run.count("accounts")
        if account.group:
            group = Group.objects.filter(name=account.group).first()
            if group is not None and not user.groups.filter(pk=group.pk).exists():
                user.groups.add(group)
                run.count("staff role memberships")
        users[account.key] = user
    return users


def seed_history(run: SeedRun, *, users: dict[str, User], now: datetime) -> None:
    """Four weeks of history for each member who has none yet."""
    for key in MEMBERS:
        user = users[key]
        if WellnessSession.objects.filter(user=user).exists():
            continue
        _practice(run, user, now)
        _reflection(run, user, now)
        # The rows above were written directly, not through the services.
        rollups.rebuild_for_users([user.pk])
        _enrollments(run, user, key, now)
        _bookings(run, user, key, now)
        streak_recompute(user=user)
        # Unlocks from the history, with their notifications, as in the app.
        run.count("achievement unlocks", len(achievements_evaluate(user=user)))


def _days(user: User, now: datetime) -> list[Any]:
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    return [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]


def _practice(run: SeedRun, user: User, now: datetime) -> None:
    rows = []
    for n, day in enumerate(_days(user, now)):
        # A realistic rhythm: most days, with a few gaps.
        if n % 9 == 4:
            continue
        kind = SESSION_TYPES[n % len(SESSION_TYPES)]
        seconds = (5 + (n % 3) * 5) * 60
        started = at_local(day, 7 + (n % 3) * 6, 15, user.timezone)
        rows.append(
            WellnessSession(
                user=user,
                type=kind,
                title=SESSION_TITLES[kind],
                status=WellnessSession.Status.COMPLETED,
                planned_duration_seconds=seconds,
                actual_duration_seconds=seconds - 20,
                progress_seconds=seconds,
                mood_before=2 + n % 3,
                mood_after=3 + n % 3,
                notes="Felt more settled afterwards." if n % 4 == 0 else "",
                started_at=started,
                completed_at=started + timedelta(seconds=seconds),
                local_date=day,
            )
        )
    WellnessSession.objects.bulk_create(rows)
    run.count("sessions", len(rows))


def _reflection(run: SeedRun, user: User, now: datetime) -> None:
    language = "es" if user.locale.startswith("es") else "en"
    moods = counts = 0
    for n, day in enumerate(_days(user, now)):
        mood = MOODS[n % len(MOODS)]
        entry = MoodEntry.objects.create(
            user=user,
            mood=mood,
            score=MoodEntry.SCORES[mood],
            intensity=3 + n % 6,
            note="Slept badly, but the walk helped." if n % 5 == 0 else "",
            logged_at=at_local(day, 20, 30, user.timezone),
            local_date=day,
        )
        MoodTag.objects.bulk_create(
            [
                MoodTag(
                    entry=entry,
                    user=user,
                    kind=MoodTag.Kind.EMOTION,
                    value=EMOTIONS[n % len(EMOTIONS)],
                    local_date=day,
                ),
                MoodTag(
                    entry=entry,
                    user=user,
                    kind=MoodTag.Kind.FACTOR,
                    value=FACTORS[n % len(FACTORS)],
                    local_date=day,
                ),
            ]
        )
        moods += 1
        if n % 3 == 1:
            title, body, tags = JOURNAL[language][counts % len(JOURNAL[language])]
            journal = JournalEntry.objects.create(
                user=user,
                title=title,
                body=body,
                body_length=len(body),
                mood_entry=entry,
                occurred_at=at_local(day, 21, 0, user.timezone),
                local_date=day,
            )
            JournalTag.objects.bulk_create(
                JournalTag(entry=journal, user=user, name=tag) for tag in tags
            )
            counts += 1
            run.count("journal entries")
        if n % 2 == 0:
            items = GRATITUDE[language][n // 2 % len(GRATITUDE[language])]
            GratitudeEntry.objects.create(
                user=user,
                items=items,
                item_count=len(items),
                occurred_at=at_local(day, 21, 15, user.timezone),
                local_date=day,
            )
            run.count("gratitude entries")
    run.count("mood entries", moods)


def _enrollments(run: SeedRun, user: User, key: str, now: datetime) -> None:
    days = _days(user, now)
    for slug, done in ENROLLMENTS[key]:
        program = WellnessProgram.objects.filter(slug=slug).first()
        if program is None:
            continue
        total = ProgramDay.objects.filter(program=program).count()
        # Started `done + 2` days ago, one day a day, the last one yesterday.
        first = len(days) - done
        enrollment = ProgramEnrollment.objects.create(
            user=user,
            program=program,
            enrolled_at=at_local(days[first - 1], 8, 0, user.timezone),
            days_completed=done,
            progress_percent=round(100 * done / total) if total else 0,
            last_completed_local_date=days[-1] if done else None,
            completed_at=(
                at_local(days[-1], 21, 0, user.timezone) if done >= total else None
            ),
        )
        for number, program_day in enumerate(
            ProgramDay.objects.filter(program=program, day_number__lte=done), 1
        ):
            day = days[first + number - 1]
            ProgramDayProgress.objects.create(
                enrollment=enrollment,
                day=program_day,
                day_number=program_day.day_number,
                completed_at=at_local(day, 21, 0, user.timezone),
                local_date=day,
            )
        run.count("enrollments")


def _bookings(run: SeedRun, user: User, key: str, now: datetime) -> None:
    for name, days_from_today, hour, status in BOOKINGS[key]:
        therapist = Therapist.objects.filter(display_name=name).first()
        if therapist is None:
            continue
        zone = ZoneInfo(therapist.timezone)
        day = now.astimezone(zone).date() + timedelta(days=days_from_today)
        # Weekday hours only: move a weekend day to the Monday after.
        while day.weekday() >= 5:
            day += timedelta(days=1)
        starts = at_local(day, hour, 0, therapist.timezone)
        TherapistBooking.objects.create(
            user=user,
            therapist=therapist,
            starts_at=starts,
            ends_at=starts + timedelta(seconds=therapist.session_duration_seconds),
            status=status,
            cancelled_at=starts - timedelta(days=2)
            if status == BookingStatus.CANCELLED
            else None,
        )
        run.count("bookings")
