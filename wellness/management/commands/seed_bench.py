"""Load a deterministic, realistic volume of data for `make bench`.

2,000 users by default; the first 50 ("heavy") have two years of history: 2,000
sessions, 1,500 moods with tags, 500 journal entries with tags, 300 gratitude
entries, 300 notifications and enrollments. The community (support groups,
memberships, 40 posts per heavy user with likes and comments from the whole
population, stored counters set) and care (30 therapists over three time zones
with weekly hours, 20 bookings per heavy user) come with them; the AI tables
will join at the marked extension point in ``_load``. Rows go in with set-based
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
from coaching.models import (
    AvailabilityWindow,
    BookingStatus,
    Therapist,
    TherapistBooking,
)
from community.models import Comment, Post, PostLike, SupportGroup, SupportGroupMember
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


class Command(BaseCommand):
    help = (
        "Load deterministic benchmark data: bench users with long histories, "
        "community posts, likes and comments, therapists and bookings."
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
            self._load(options)
            rollups.rebuild_all(progress=self.stdout.write)
        if connection.vendor == "postgresql":
            # Fresh planner statistics: after a bulk load (or a bench run's
            # writes) the planner would otherwise estimate from empty tables and
            # pick sequential scans (seen: the mood-tag prefetch read 230k rows).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if options["tokens"]:
            self._write_tokens(options["tokens"], options["heavy"])

    # -- planning ----------------------------------------------------------

    @staticmethod
    def plan(users: int, heavy: int, open_sessions: int) -> dict[str, int]:
        """The rows a load creates, by table (what --dry-run prints)."""
        light = users - heavy
        posts = heavy * POSTS_PER_HEAVY
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
            "comments": sum(n % COMMENTS_CYCLE for n in range(posts)),
            "therapists": THERAPISTS,
            "bookings": heavy * BOOKINGS_PER_HEAVY,
        }

    def _dry_run(self, options: dict[str, Any], *, loaded: bool) -> None:
        if loaded and not options["reset"]:
            self.stdout.write(
                "Dry run: bench data already loaded; nothing would change "
                "(--reset would reload it)."
            )
            return
        plan = self.plan(options["users"], options["heavy"], options["open_sessions"])
        for label, rows in plan.items():
            self.stdout.write(f"{label:<14} {rows} rows")
        prefix = "delete the bench accounts, then " if loaded else ""
        self.stdout.write(
            f"Dry run: would {prefix}load {sum(plan.values())} rows; nothing was "
            "written."
        )

    # -- loading -----------------------------------------------------------

    def _progress(self, label: str, done: int, total: int) -> None:
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
        # Extension point: the AI tables (coaching's conversations, messages
        # and usage) load here once they exist, in the same shape: rows built
        # in memory from deterministic formulas, `self._bulk(label, Model,
        # rows)` for batches and progress, and their volumes added to plan().

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
        base = datetime.combine(
            now.date() - timedelta(days=30), time(0), tzinfo=ZoneInfo("UTC")
        )
        bookings = []
        for n in range(len(heavy) * BOOKINGS_PER_HEAVY):
            # A therapist's k-th booking is on day (7k + 11t) mod 60 from 30
            # days ago (t: the therapist's index): distinct days for k < 60,
            # then another hour, so a therapist's active bookings never overlap
            # (the PostgreSQL exclusion constraint); about half are past.
            t, k = n % THERAPISTS, n // THERAPISTS
            therapist = therapists[t]
            starts = base + timedelta(
                days=(7 * k + 11 * t) % 60, hours=9 + 2 * ((k // 60) % 4)
            )
            if starts < now:
                status = BookingStatus.COMPLETED if n % 10 else BookingStatus.CANCELLED
            else:
                status = BookingStatus.CONFIRMED if n % 3 else BookingStatus.PENDING
            bookings.append(
                TherapistBooking(
                    user=heavy[n % len(heavy)],
                    therapist=therapist,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=50),
                    status=status,
                )
            )
        self._bulk("bookings", TherapistBooking, bookings)

    # -- tokens ------------------------------------------------------------

    def _write_tokens(self, path: Path, heavy_count: int) -> None:
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
        document = {
            "heavy": [{"user_id": u.pk, "token": tokens[u.pk]} for u in heavy],
            "light": [{"user_id": u.pk, "token": tokens[u.pk]} for u in light],
            "open_sessions": [
                {"session_id": sid, "token": tokens[uid]} for uid, sid in open_sessions
            ],
        }
        path.write_text(json.dumps(document))
        self.stdout.write(
            f"wrote tokens for {len(users)} users and {len(open_sessions)} open "
            f"sessions to {path.name}"
        )
