"""Demo challenges around today's date, for ``manage.py seed_demo``.

Idempotent: each challenge is keyed by its slug, and one that exists is left
as it is (with its participants' progress). The copy is kind: every goal is
reachable, nothing counts what was missed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from wellness.models import Challenge, ChallengeGoal

# "window": (first day, last day) in days from the day of seeding.
DEMO_CHALLENGES: tuple[dict[str, Any], ...] = (
    {
        "slug": "seven-gentle-sessions",
        "title": "Seven gentle sessions",
        "description": "Seven sessions, any length, any kind, across two weeks. "
        "A two-minute breath counts just as much as a long sit; skip a day "
        "whenever you need to.",
        "goal_kind": ChallengeGoal.SESSIONS_COMPLETED,
        "goal_target": 7,
        "window": (-3, 10),
        "is_premium": False,
    },
    {
        "slug": "a-hundred-quiet-minutes",
        "title": "A hundred quiet minutes",
        "description": "Gather 100 minutes of practice over the month, a few "
        "minutes at a time. Every minute you give yourself adds up.",
        "goal_kind": ChallengeGoal.SECONDS_PRACTISED,
        "goal_target": 100 * 60,
        "window": (-7, 23),
        "is_premium": False,
    },
    {
        "slug": "five-good-things",
        "title": "Five good things",
        "description": "Note five things you are grateful for this week, big or "
        "tiny: a warm drink, a kind message, a quiet moment.",
        "goal_kind": ChallengeGoal.GRATITUDE_ENTRIES,
        "goal_target": 5,
        "window": (0, 6),
        "is_premium": False,
    },
    {
        "slug": "checking-in-with-yourself",
        "title": "Checking in with yourself",
        "description": "Log how you feel on ten days over three weeks, whatever "
        "the feeling is. Noticing is the whole practice; there is no right "
        "answer.",
        "goal_kind": ChallengeGoal.MOOD_LOGS,
        "goal_target": 10,
        "window": (2, 22),
        "is_premium": True,
    },
)


def seed_demo_challenges() -> list[Challenge]:
    """Create the four demo challenges that do not exist yet; returns all four
    in the order above. Safe to run any number of times."""
    today = timezone.localdate()
    seeded = []
    for spec in DEMO_CHALLENGES:
        first, last = spec["window"]
        challenge, _ = Challenge.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "description": spec["description"],
                "goal_kind": spec["goal_kind"],
                "goal_target": spec["goal_target"],
                "start_date": today + timedelta(days=first),
                "end_date": today + timedelta(days=last),
                "is_active": True,
                "is_premium": spec["is_premium"],
            },
        )
        seeded.append(challenge)
    return seeded
