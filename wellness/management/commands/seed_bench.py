"""Load a deterministic, realistic volume of data for `make bench`.

2,000 users by default; the first 50 ("heavy") have two years of history: 2,000
sessions, 1,500 moods with tags, 500 journal entries with tags, 300 gratitude
entries, 300 notifications and enrollments. The community (support groups,
memberships, 40 posts per heavy user with likes and comments from the whole
population, stored counters set, reports in every state, a few bans and
blocked terms), care (30 therapists over three time zones with weekly hours,
days off and extra hours, 20 bookings per heavy user in every state with their
transitions) and the AI companion (20 generation jobs per heavy user in every
state, 10 chats of 12 encrypted messages, a month of usage counters, AI consent
on the heavy users and every other light user) come with them. Rows go in with set-based
``bulk_create`` in large batches; encrypted fields are written as real
ciphertext (their ``get_db_prep_value`` runs). Idempotent: a second run finds the
bench users and leaves them as they are (``--reset`` deletes and reloads them).
``--dry-run`` prints the volumes it would load and writes nothing.

It lives in wellness, the highest app, because it fills several apps. Like
seed_demo it refuses to run with DEBUG off unless --force, since its accounts share
one published password.
"""

from __future__ import annotations

import json
import random
import time as clock
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.jwt import access_token_for
from accounts.models import User
from accounts.services import session_start
from coaching.models import (
    AIConversation,
    AICrisisReferralDay,
    AIGenerationJob,
    AIMessage,
    AIUsageDay,
    AvailabilityException,
    AvailabilityWindow,
    BookingStatus,
    BookingTransition,
    Therapist,
    TherapistBooking,
)
from community.models import (
    BlockedTerm,
    Comment,
    CommunityBan,
    Post,
    PostLike,
    Report,
    SupportGroup,
    SupportGroupMember,
)
from journal.models import GratitudeEntry, JournalEntry, JournalTag, MoodEntry, MoodTag
from kaya import rollups
from notifications.models import Notification
from wellness.models import (
    ProgramDay,
    ProgramEnrollment,
    SessionType,
    Streak,
    WellnessProgram,
    WellnessSession,
)
from wellness.services import program_catalog_changed

BENCH_PASSWORD = "kaya-bench-password"
EMAIL_DOMAIN = "bench.kaya.local"
BATCH = 2000
HISTORY_DAYS = 730
TIMEZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo"]
EMOTIONS = ["calm", "anxious", "tired", "hopeful", "sad", "grateful", "restless"]
FACTORS = ["sleep", "work", "family", "exercise", "weather", "health"]
JOURNAL_TAGS = ["work", "family", "sleep", "gratitude", "health", "friends"]
# Community and care volumes (deterministic formulas, so --dry-run is exact).
GROUPS = 10
POSTS_PER_HEAVY = 40
LIKES_CYCLE = 31  # post n has (7n mod 31) likes: 0..30, about 15 on average
COMMENTS_CYCLE = 9  # post n has (n mod 9) comments: about 4 on average
THERAPISTS = 30
THERAPIST_ZONES = ["America/New_York", "Europe/London", "Europe/Madrid"]
BOOKINGS_PER_HEAVY = 20
# Every 25th post is reported by 1-3 users, every 40th comment by one; the last
# few light users are banned; a few blocked terms exist (none in bench text).
REPORT_EVERY = 25
COMMENT_REPORT_EVERY = 40
BANNED = 5
BLOCKED_TERMS = ["bench-blocked-term-0", "bench-blocked-term-1", "bench-blocked-term-2"]
# Per therapist: two whole days off (past the seeded bookings) and two
# Saturday mornings of extra hours.
TIME_OFF_DAYS = 2
EXTRA_DAYS = 2
# The AI companion, per heavy user: generation jobs in every state, chats with
# encrypted messages, a month of usage counters; AI consent for the heavy users
# and every other light user.
JOBS_PER_HEAVY = 20
CONVERSATIONS_PER_HEAVY = 10
MESSAGES_PER_CONVERSATION = 12
USAGE_DAYS = 30
CRISIS_DAYS = 90
AI_SCRIPT = (
    "Settle into a comfortable position. Let your shoulders drop and notice "
    "the breath moving in and out without changing it. "
)
AI_QUESTION = "I keep waking up at 3am and my mind starts racing about work."
AI_ANSWER = (
    "That sounds exhausting. When it happens, try a slow exhale twice as long "
    "as the inhale for a few rounds, and keep a notepad by the bed for the "
    "thoughts that will not wait."
)
POST_BODY = (
    "Tried the evening body scan again tonight. It took a while to settle, but "
    "I slept better than last week. How do you all wind down?"
)
COMMENT_BODIES = [
    "Thank you for sharing this.",
    "Same here, the breathing helps me too.",
    "Sending you a calm evening.",
    "I needed to read this today.",
]
SENTENCE = (
    "Today I noticed my breath slowing down after the walk, and the evening felt "
    "a little lighter than yesterday. "
)


def bench_email(index: int) -> str:
    return f"bench{index:05d}@{EMAIL_DOMAIN}"


def booking_slot(n: int, now: datetime) -> tuple[int, datetime]:
    """The therapist index and start of the n-th seeded booking.

    A therapist's k-th booking is on day (7k + 11t) mod 60 from 30 days ago
    (t: the therapist's index): distinct days for k < 60, then another hour, so
    a therapist's active bookings never overlap (the PostgreSQL exclusion
    constraint); about half are past.
    """
    base = datetime.combine(
        now.date() - timedelta(days=30), time(0), tzinfo=ZoneInfo("UTC")
    )
    t, k = n % THERAPISTS, n // THERAPISTS
    return t, base + timedelta(
        days=(7 * k + 11 * t) % 60, hours=9 + 2 * ((k // 60) % 4)
    )


def booking_status(n: int, starts: datetime, now: datetime) -> str:
    """Every state: past ones completed, cancelled or no-show; upcoming ones
    pending, confirmed or declined."""
    if starts < now:
        if n % 10 == 0:
            return BookingStatus.CANCELLED
        return BookingStatus.NO_SHOW if n % 10 == 1 else BookingStatus.COMPLETED
    if n % 7 == 0:
        return BookingStatus.DECLINED
    return BookingStatus.CONFIRMED if n % 3 else BookingStatus.PENDING


def job_status(n: int) -> str:
    """Generation jobs: mostly finished, some pending, running and failed."""
    return {
        0: AIGenerationJob.Status.PENDING,
        1: AIGenerationJob.Status.RUNNING,
        2: AIGenerationJob.Status.FAILED,
    }.get(n % 8, AIGenerationJob.Status.SUCCEEDED)


class Command(BaseCommand):
    help = (
        "Load deterministic benchmark data: bench users with long histories, "
        "community posts, likes, comments and reports, therapists and bookings "
        "in every state, AI generation jobs and chats."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--users", type=int, default=2000, help="Bench accounts (default 2000)."
        )
        parser.add_argument(
            "--heavy",
            type=int,
            default=50,
            help="Of those, accounts with two years of history (default 50).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=20261203,
            help="Random seed: the same seed loads the same rows.",
        )
        parser.add_argument(
            "--open-sessions",
            type=int,
            default=40,
            help="In-progress sessions per light user, for the completion benchmark.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the bench accounts (and their rows) first, then reload.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the volumes that would be loaded; write nothing.",
        )
        parser.add_argument(
            "--tokens",
            type=Path,
            help="Write access tokens and object ids for the bench users to this "
            "JSON file (tokens live JWT_ACCESS_MINUTES).",
        )
        parser.add_argument(
            "--refresh-tokens",
            action="store_true",
            help="With --tokens: also start a login session (token family) for "
            "each bench user and write its refresh token (for `make load`).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (creates accounts with a known password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_bench runs only with DEBUG on (or --force).")
        if options["users"] < options["heavy"] or options["heavy"] < 1:
            raise CommandError("--users must be at least --heavy, and --heavy >= 1.")
        bench_users = User.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
        if options["dry_run"]:
            self._dry_run(options, loaded=bench_users.exists())
            return
        if options["reset"]:
            deleted, _ = bench_users.delete()
            self.stdout.write(f"deleted {deleted} bench rows")
        if bench_users.exists():
            self.stdout.write("bench data already loaded (use --reset to reload)")
        else:
            started = clock.monotonic()
            self._loaded: dict[str, int] = {}
            self._load(options)
            rollups.rebuild_all(progress=self.stdout.write)
            self.stdout.write(
                f"loaded {sum(self._loaded.values())} rows in "
                f"{clock.monotonic() - started:.0f} s"
            )
        if connection.vendor == "postgresql":
            # Fresh planner statistics: after a bulk load (or a bench run's
            # writes) the planner would otherwise estimate from empty tables and
            # pick sequential scans (seen: the mood-tag prefetch read 230k rows).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if options["tokens"]:
            self._write_tokens(
                options["tokens"], options["heavy"], refresh=options["refresh_tokens"]
            )

    # -- planning ----------------------------------------------------------

    @staticmethod
    def plan(
        users: int, heavy: int, open_sessions: int, now: datetime
    ) -> dict[str, int]:
        """The rows a load creates, by table (what --dry-run prints)."""
        light = users - heavy
        posts = heavy * POSTS_PER_HEAVY
        comments = sum(n % COMMENTS_CYCLE for n in range(posts))
        bookings = heavy * BOOKINGS_PER_HEAVY
        moved = sum(
            booking_status(n, booking_slot(n, now)[1], now) != BookingStatus.PENDING
            for n in range(bookings)
        )
        return {
            "users": users,
            "sessions": heavy * 2000 + light * open_sessions,
            "moods": heavy * 1500 + light * 10,
            "mood tags": heavy * 1500 * 3,
            "journal": heavy * 500,
            "journal tags": heavy * 500 * 2,
            "gratitude": heavy * 300,
            "notifications": heavy * 300,
            "enrollments": heavy * 3,
            "streaks": users,
            "memberships": heavy * GROUPS + light,
            "posts": posts,
            "likes": sum(min((7 * n) % LIKES_CYCLE, users) for n in range(posts)),
            "comments": comments,
            "post reports": sum(
                min(n // REPORT_EVERY % 3 + 1, users)
                for n in range(0, posts, REPORT_EVERY)
            ),
            "comment reports": len(range(0, comments, COMMENT_REPORT_EVERY)),
            "bans": min(BANNED, light),
            "blocked terms": len(BLOCKED_TERMS),
            "therapists": THERAPISTS,
            "exceptions": THERAPISTS * (TIME_OFF_DAYS + EXTRA_DAYS),
            "bookings": bookings,
            # "requested", then the step to the booking's state.
            "transitions": bookings + moved,
            "ai jobs": heavy * JOBS_PER_HEAVY,
            "ai chats": heavy * CONVERSATIONS_PER_HEAVY,
            "ai messages": heavy * CONVERSATIONS_PER_HEAVY * MESSAGES_PER_CONVERSATION,
            "ai usage days": heavy * USAGE_DAYS,
            "ai crisis days": CRISIS_DAYS,
        }

    @staticmethod
    def consenting(index: int, heavy: int) -> bool:
        """Whether bench user ``index`` has given AI consent (a field on the
        user, not a row)."""
        return index < heavy or index % 2 == 0

    def _dry_run(self, options: dict[str, Any], *, loaded: bool) -> None:
        if loaded and not options["reset"]:
            self.stdout.write(
                "Dry run: bench data already loaded; nothing would change "
                "(--reset would reload it)."
            )
            return
        plan = self.plan(
            options["users"], options["heavy"], options["open_sessions"], timezone.now()
        )
        for label, rows in plan.items():
            self.stdout.write(f"{label:<14} {rows} rows")
        consenting = sum(
            self.consenting(i, options["heavy"]) for i in range(options["users"])
        )
        self.stdout.write(f"{'ai consent':<14} {consenting} of the users")
        prefix = "delete the bench accounts, then " if loaded else ""
        self.stdout.write(
            f"Dry run: would {prefix}load {sum(plan.values())} rows; nothing was "
            "written."
        )

    # -- loading -----------------------------------------------------------

    def _progress(self, label: str, done: int, total: int) -> None:
        if done == total:
            self._loaded[label] = total
        if not self.stdout.isatty():
            if done == total:
                self.stdout.write(f"{label:<14} {total} rows")
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stdout.write(
            f"\r{label:<14} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            ending="" if done < total else "\n",
        )
        self.stdout.flush()

    def _bulk(self, label: str, model: Any, rows: list[Any]) -> None:
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)
            self._progress(label, min(start + BATCH, len(rows)), len(rows))
        if not rows:
            self._progress(label, 0, 0)

    @transaction.atomic
    def _load(self, options: dict[str, Any]) -> None:
        # Deterministic data, not secrets: the same seed loads the same rows.
        rng = random.Random(options["seed"])  # noqa: S311
        now = timezone.now()
        password = make_password(BENCH_PASSWORD)
        users = [
            User(
                email=bench_email(i),
                password=password,
                display_name=f"Bench {i}",
                timezone=TIMEZONES[i % len(TIMEZONES)],
                email_verified_at=now,
                date_joined=now - timedelta(days=HISTORY_DAYS + 1),
                ai_consent_version=settings.AI_CONSENT_VERSION
                if self.consenting(i, options["heavy"])
                else None,
                ai_consent_at=now - timedelta(days=60)
                if self.consenting(i, options["heavy"])
                else None,
            )
            for i in range(options["users"])
        ]
        self._bulk("users", User, users)
        users = list(
            User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).order_by("email")
        )
        heavy, light = users[: options["heavy"]], users[options["heavy"] :]
        programs = self._programs()
        self._sessions(rng, heavy, light, options["open_sessions"], now)
        self._moods(rng, heavy, light, now)
        self._journal(rng, heavy, now)
        self._notifications(rng, heavy)
        self._enrollments(heavy, programs, now)
        self._streaks(users, now)
        self._community(heavy, users)
        self._care(heavy, now)
        self._ai(heavy, now)

    def _programs(self) -> list[WellnessProgram]:
        programs = []
        for n in range(3):
            program, created = WellnessProgram.objects.get_or_create(
                slug=f"bench-program-{n}",
                defaults={
                    "title": f"Bench program {n}",
                    "summary": "A program for the benchmark.",
                    "category": WellnessProgram.Category.STRESS,
                    "is_published": True,
                    "days_count": 10,
                },
            )
            if created:
                ProgramDay.objects.bulk_create(
                    ProgramDay(
                        program=program,
                        day_number=day,
                        title=f"Day {day}",
                        content="Breathe in for four, out for six.",
                        session_type=SessionType.BREATHING,
                        duration_minutes=10,
                    )
                    for day in range(1, 11)
                )
            programs.append(program)
        program_catalog_changed(program_ids=[p.pk for p in programs])
        return programs

    @staticmethod
    def _moment(user: User, day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(
            day, time(hour, minute), tzinfo=ZoneInfo(user.timezone)
        ).astimezone(ZoneInfo("UTC"))

    def _sessions(
        self,
        rng: random.Random,
        heavy: list[User],
        light: list[User],
        open_per_light: int,
        now: datetime,
    ) -> None:
        types = list(SessionType.values)
        today = now.date()
        rows = []
        for user in heavy:
            for n in range(2000):
                day = today - timedelta(days=(n * HISTORY_DAYS) // 2000 + 1)
                started = self._moment(
                    user, day, rng.randint(6, 22), rng.randint(0, 59)
                )
                seconds = rng.choice([300, 600, 900, 1200])
                rows.append(
                    WellnessSession(
                        user=user,
                        type=rng.choice(types),
                        title="Evening practice",
                        status=WellnessSession.Status.COMPLETED,
                        planned_duration_seconds=seconds,
                        actual_duration_seconds=seconds - rng.randint(0, 60),
                        progress_seconds=seconds,
                        mood_before=rng.randint(1, 5),
                        mood_after=rng.randint(2, 5),
                        notes="Felt settled afterwards." if n % 5 == 0 else "",
                        started_at=started,
                        completed_at=started + timedelta(seconds=seconds),
                        local_date=day,
                    )
                )
        for user in light:
            for n in range(open_per_light):
                rows.append(
                    WellnessSession(
                        user=user,
                        type=rng.choice(types),
                        title="Morning practice",
                        planned_duration_seconds=600,
                        client_id=uuid.UUID(int=rng.getrandbits(128)),
                        started_at=now - timedelta(minutes=n + 1),
                        local_date=now.astimezone(ZoneInfo(user.timezone)).date(),
                    )
                )
        self._bulk("sessions", WellnessSession, rows)

    def _moods(
        self, rng: random.Random, heavy: list[User], light: list[User], now: datetime
    ) -> None:
        moods = list(MoodEntry.Mood.values)
        today = now.date()
        entries = []
        for user in heavy:
            for n in range(1500):
                day = today - timedelta(days=(n * HISTORY_DAYS) // 1500 + 1)
                mood = rng.choice(moods)
                entries.append(
                    MoodEntry(
                        user=user,
                        mood=mood,
                        score=MoodEntry.SCORES[mood],
                        intensity=rng.randint(1, 10),
                        note="A slow day." if n % 3 == 0 else "",
                        logged_at=self._moment(user, day, rng.randint(7, 22), 0),
                        local_date=day,
                    )
                )
        for user in light:
            for n in range(10):
                day = today - timedelta(days=n + 1)
                entries.append(
                    MoodEntry(
                        user=user,
                        mood=moods[n % len(moods)],
                        score=MoodEntry.SCORES[moods[n % len(moods)]],
                        intensity=5,
                        logged_at=self._moment(user, day, 9, 0),
                        local_date=day,
                    )
                )
        self._bulk("moods", MoodEntry, entries)
        heavy_ids = {u.pk for u in heavy}
        tags = []
        for entry in MoodEntry.objects.filter(user_id__in=heavy_ids).only(
            "id", "user_id", "local_date"
        ):
            for emotion in rng.sample(EMOTIONS, 2):
                tags.append(
                    MoodTag(
                        entry_id=entry.pk,
                        user_id=entry.user_id,
                        kind=MoodTag.Kind.EMOTION,
                        value=emotion,
                        local_date=entry.local_date,
                    )
                )
            tags.append(
                MoodTag(
                    entry_id=entry.pk,
                    user_id=entry.user_id,
                    kind=MoodTag.Kind.FACTOR,
                    value=rng.choice(FACTORS),
                    local_date=entry.local_date,
                )
            )
        self._bulk("mood tags", MoodTag, tags)

    def _journal(self, rng: random.Random, heavy: list[User], now: datetime) -> None:
        today = now.date()
        entries, gratitude = [], []
        for user in heavy:
            for n in range(500):
                day = today - timedelta(days=(n * HISTORY_DAYS) // 500 + 1)
                body = SENTENCE * rng.randint(2, 8)
                entries.append(
                    JournalEntry(
                        user=user,
                        title=f"Entry {n}",
                        body=body,
                        body_length=len(body),
                        occurred_at=self._moment(user, day, 21, 0),
                        local_date=day,
                    )
                )
            for n in range(300):
                day = today - timedelta(days=(n * HISTORY_DAYS) // 300 + 1)
                items = ["a warm cup of tea", "a call with a friend"][: 1 + n % 2]
                gratitude.append(
                    GratitudeEntry(
                        user=user,
                        items=items,
                        item_count=len(items),
                        occurred_at=self._moment(user, day, 20, 0),
                        local_date=day,
                    )
                )
        self._bulk("journal", JournalEntry, entries)
        self._bulk("gratitude", GratitudeEntry, gratitude)
        tags = [
            JournalTag(entry_id=entry_id, user_id=user_id, name=name)
            for entry_id, user_id in JournalEntry.objects.filter(
                user__in=heavy
            ).values_list("id", "user_id")
            for name in rng.sample(JOURNAL_TAGS, 2)
        ]
        self._bulk("journal tags", JournalTag, tags)

    def _notifications(self, rng: random.Random, heavy: list[User]) -> None:
        rows = [
            Notification(
                user=user,
                type=Notification.Type.SESSION_REMINDER,
                title="Time for a short practice",
                body="A few minutes of breathing is waiting for you.",
                data={"n": n},
                read_at=None if n % 4 == 0 else timezone.now(),
            )
            for user in heavy
            for n in range(300)
        ]
        self._bulk("notifications", Notification, rows)

    def _enrollments(
        self, heavy: list[User], programs: list[WellnessProgram], now: datetime
    ) -> None:
        rows = [
            ProgramEnrollment(
                user=user,
                program=program,
                enrolled_at=now - timedelta(days=30),
                days_completed=3,
                progress_percent=30,
                last_completed_local_date=now.date() - timedelta(days=2),
            )
            for user in heavy
            for program in programs
        ]
        self._bulk("enrollments", ProgramEnrollment, rows)

    def _streaks(self, users: list[User], now: datetime) -> None:
        rows = [
            Streak(
                user=user,
                current_length=(i % 30) + 1,
                longest_length=(i % 30) + 10,
                last_active_date=now.date() - timedelta(days=1),
            )
            for i, user in enumerate(users)
        ]
        self._bulk("streaks", Streak, rows)

    def _community(self, heavy: list[User], users: list[User]) -> None:
        groups = []
        for n in range(GROUPS):
            group, _ = SupportGroup.objects.get_or_create(
                slug=f"bench-group-{n}",
                defaults={"name": f"Bench group {n}", "topic": "bench"},
            )
            groups.append(group)
        heavy_ids = {u.pk for u in heavy}
        members = [
            SupportGroupMember(group=group, user=user)
            for user in heavy
            for group in groups
        ] + [
            SupportGroupMember(group=groups[i % GROUPS], user=user)
            for i, user in enumerate(users)
            if user.pk not in heavy_ids
        ]
        self._bulk("memberships", SupportGroupMember, members)
        posts = []
        for n in range(len(heavy) * POSTS_PER_HEAVY):
            posts.append(
                Post(
                    author=heavy[n % len(heavy)],
                    # Every third post is in the main feed, the rest in a group.
                    group=None if n % 3 == 0 else groups[n % GROUPS],
                    body=POST_BODY,
                    topics=["sleep"],
                    like_count=min((7 * n) % LIKES_CYCLE, len(users)),
                    comment_count=n % COMMENTS_CYCLE,
                )
            )
        self._bulk("posts", Post, posts)
        post_ids = list(
            Post.objects.filter(author__in=heavy)
            .order_by("id")
            .values_list("id", flat=True)
        )
        likes, comments = [], []
        for n, post_id in enumerate(post_ids):
            for j in range(min((7 * n) % LIKES_CYCLE, len(users))):
                liker = users[(n + j) % len(users)]
                likes.append(PostLike(post_id=post_id, user=liker))
            for j in range(n % COMMENTS_CYCLE):
                comments.append(
                    Comment(
                        post_id=post_id,
                        author=users[(3 * n + j + 1) % len(users)],
                        body=COMMENT_BODIES[j % len(COMMENT_BODIES)],
                    )
                )
        self._bulk("likes", PostLike, likes)
        self._bulk("comments", Comment, comments)
        self._moderation(post_ids, comments, users, heavy_ids)

    def _moderation(
        self,
        post_ids: list[int],
        comments: list[Comment],
        users: list[User],
        heavy_ids: set[int],
    ) -> None:
        reasons = list(Report.Reason.values)
        states = list(Report.Status.values)
        reports = []
        for n in range(0, len(post_ids), REPORT_EVERY):
            for j in range(min(n // REPORT_EVERY % 3 + 1, len(users))):
                reports.append(
                    Report(
                        reporter=users[(n + j + 1) % len(users)],
                        post_id=post_ids[n],
                        reason=reasons[(n + j) % len(reasons)],
                        status=states[(n // REPORT_EVERY) % len(states)],
                    )
                )
        self._bulk("post reports", Report, reports)
        reports = [
            Report(
                reporter=users[(i + 2) % len(users)],
                comment_id=comments[i].pk,
                reason=Report.Reason.SPAM,
                details="Looks like an advert.",
            )
            for i in range(0, len(comments), COMMENT_REPORT_EVERY)
        ]
        self._bulk("comment reports", Report, reports)
        light = [u for u in users if u.pk not in heavy_ids]
        self._bulk(
            "bans",
            CommunityBan,
            [
                CommunityBan(user=user, reason="Bench: repeated spam.")
                for user in light[-BANNED:]
            ],
        )
        terms = [BlockedTerm(term=term) for term in BLOCKED_TERMS]
        BlockedTerm.objects.bulk_create(terms, ignore_conflicts=True)
        self._progress("blocked terms", len(terms), len(terms))

    def _care(self, heavy: list[User], now: datetime) -> None:
        therapists = []
        for n in range(THERAPISTS):
            therapist, created = Therapist.objects.get_or_create(
                display_name=f"Bench therapist {n:02d}",
                defaults={
                    "timezone": THERAPIST_ZONES[n % len(THERAPIST_ZONES)],
                    "bio": "A therapist for the benchmark.",
                    "specialties": ["anxiety", "sleep"],
                    "languages": ["en"],
                },
            )
            if created:
                AvailabilityWindow.objects.bulk_create(
                    AvailabilityWindow(
                        therapist=therapist,
                        weekday=day,
                        start_time=time(9),
                        end_time=time(17),
                    )
                    for day in range(5)
                )
            therapists.append(therapist)
        self._progress("therapists", THERAPISTS, THERAPISTS)
        today = now.date()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        exceptions = []
        for t, therapist in enumerate(therapists):
            # Past the last seeded booking (30 days ahead), so none is orphaned.
            for i in range(TIME_OFF_DAYS):
                exceptions.append(
                    AvailabilityException(
                        therapist=therapist,
                        date=today + timedelta(days=32 + t % 7 + 7 * i),
                        kind=AvailabilityException.Kind.TIME_OFF,
                    )
                )
            for i in range(EXTRA_DAYS):
                exceptions.append(
                    AvailabilityException(
                        therapist=therapist,
                        date=saturday + timedelta(days=7 * i),
                        kind=AvailabilityException.Kind.EXTRA,
                        start_time=time(10),
                        end_time=time(13),
                    )
                )
        self._bulk("exceptions", AvailabilityException, exceptions)
        bookings = []
        for n in range(len(heavy) * BOOKINGS_PER_HEAVY):
            t, starts = booking_slot(n, now)
            status = booking_status(n, starts, now)
            bookings.append(
                TherapistBooking(
                    user=heavy[n % len(heavy)],
                    therapist=therapists[t],
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=50),
                    status=status,
                    note="Would like to talk about sleep." if n % 4 == 0 else "",
                    cancelled_at=starts - timedelta(days=2)
                    if status == BookingStatus.CANCELLED
                    else None,
                )
            )
        self._bulk("bookings", TherapistBooking, bookings)
        transitions = []
        for booking in bookings:
            transitions.append(
                BookingTransition(
                    booking_id=booking.pk,
                    from_status=BookingStatus.PENDING,
                    to_status=BookingStatus.PENDING,
                    reason="requested",
                    actor_id=booking.user_id,
                )
            )
            if booking.status != BookingStatus.PENDING:
                transitions.append(
                    BookingTransition(
                        booking_id=booking.pk,
                        from_status=BookingStatus.PENDING,
                        to_status=booking.status,
                        reason=booking.status,
                    )
                )
        self._bulk("transitions", BookingTransition, transitions)

    def _ai(self, heavy: list[User], now: datetime) -> None:
        kinds = list(AIGenerationJob.Kind.values)
        jobs = []
        for user in heavy:
            for n in range(JOBS_PER_HEAVY):
                status = job_status(n)
                created = now - timedelta(days=n, minutes=user.pk % 60)
                finished = status in (
                    AIGenerationJob.Status.SUCCEEDED,
                    AIGenerationJob.Status.FAILED,
                )
                params = {"goal": f"unwind after work {n}", "duration_seconds": 600}
                jobs.append(
                    AIGenerationJob(
                        user=user,
                        kind=kinds[n % len(kinds)],
                        status=status,
                        params=params,
                        request_hash=f"{user.pk:032x}{n:032x}",
                        result={
                            "title": "Unwinding after work",
                            "steps": [
                                {
                                    "title": f"Step {step + 1}",
                                    "instruction": AI_SCRIPT,
                                    "duration_seconds": 120,
                                }
                                for step in range(5)
                            ],
                            "script": AI_SCRIPT * 6,
                        }
                        if status == AIGenerationJob.Status.SUCCEEDED
                        else None,
                        error_code="provider_error"
                        if status == AIGenerationJob.Status.FAILED
                        else "",
                        provider="offline" if finished else "",
                        created_at=created,
                        completed_at=created + timedelta(seconds=20)
                        if finished
                        else None,
                    )
                )
        self._bulk("ai jobs", AIGenerationJob, jobs)
        conversations = [
            AIConversation(
                user=user,
                title=AI_QUESTION[:40],
                message_count=MESSAGES_PER_CONVERSATION,
                created_at=now - timedelta(days=3 * n + 1, hours=1),
                updated_at=now - timedelta(days=3 * n + 1),
            )
            for user in heavy
            for n in range(CONVERSATIONS_PER_HEAVY)
        ]
        self._bulk("ai chats", AIConversation, conversations)
        messages = [
            AIMessage(
                conversation_id=conversation.pk,
                role=AIMessage.Role.USER if m % 2 == 0 else AIMessage.Role.ASSISTANT,
                body=AI_QUESTION if m % 2 == 0 else AI_ANSWER,
                created_at=conversation.created_at + timedelta(minutes=m),
            )
            for conversation in conversations
            for m in range(MESSAGES_PER_CONVERSATION)
        ]
        self._bulk("ai messages", AIMessage, messages)
        usage = [
            AIUsageDay(
                user=user,
                local_date=now.date() - timedelta(days=d),
                chat_messages=(d * 7 + user.pk) % 20,
                generations=d % 3,
            )
            for user in heavy
            for d in range(USAGE_DAYS)
        ]
        self._bulk("ai usage days", AIUsageDay, usage)
        # Not tied to a user (a count per day): kept across --reset.
        crisis = [
            AICrisisReferralDay(date=now.date() - timedelta(days=d), count=d % 4)
            for d in range(CRISIS_DAYS)
        ]
        AICrisisReferralDay.objects.bulk_create(crisis, ignore_conflicts=True)
        self._progress("ai crisis days", len(crisis), len(crisis))

    # -- tokens ------------------------------------------------------------

    def _write_tokens(self, path: Path, heavy_count: int, *, refresh: bool) -> None:
        users = list(
            User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).order_by("email")
        )
        heavy, light = users[:heavy_count], users[heavy_count:]
        open_sessions = list(
            WellnessSession.objects.filter(
                user__in=light, status=WellnessSession.Status.IN_PROGRESS
            ).values_list("user_id", "id")
        )
        tokens = {user.pk: str(access_token_for(user)) for user in users}
        # One finished generation job per heavy user (what a client polls).
        jobs = dict(
            AIGenerationJob.objects.filter(
                user__in=heavy, status=AIGenerationJob.Status.SUCCEEDED
            )
            .order_by("user_id", "id")
            .values_list("user_id", "id")
        )
        refresh_tokens: dict[int, str] = {}
        if refresh:
            # A real login session per user (the one way logins start), so the
            # load run's refreshes rotate a family as a client's would.
            with transaction.atomic():
                for user in users:
                    pair = session_start(user=user)
                    tokens[user.pk] = pair.access
                    refresh_tokens[user.pk] = pair.refresh

        def row(user: User) -> dict[str, Any]:
            entry: dict[str, Any] = {"user_id": user.pk, "token": tokens[user.pk]}
            if refresh:
                entry["refresh"] = refresh_tokens[user.pk]
            return entry

        document = {
            "heavy": [row(u) for u in heavy],
            "light": [row(u) for u in light],
            "open_sessions": [
                {"session_id": sid, "token": tokens[uid]} for uid, sid in open_sessions
            ],
            "therapists": list(
                Therapist.objects.filter(display_name__startswith="Bench therapist")
                .order_by("display_name")
                .values_list("id", flat=True)
            ),
            "ai_jobs": [
                {"job_id": jobs[u.pk], "token": tokens[u.pk]}
                for u in heavy
                if u.pk in jobs
            ],
            # Public posts (no group): anyone may like them.
            "public_posts": list(
                Post.objects.filter(author__in=heavy, group__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)
            ),
        }
        path.write_text(json.dumps(document))
        self.stdout.write(
            f"wrote tokens for {len(users)} users and {len(open_sessions)} open "
            f"sessions to {path.name}"
        )
