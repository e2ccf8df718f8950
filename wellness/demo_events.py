"""Demo wellness events for local development (``seed_demo`` calls
``seed_demo_events``).

Idempotent: events are keyed by slug, so running it again creates nothing new.
A demo event that has since started and that nobody registered for is moved to
its next planned time, so the demo always has upcoming events.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from wellness.models import WellnessEvent

Kind = WellnessEvent.Kind

DEMO_EVENTS: list[dict[str, Any]] = [
    {
        "slug": "demo-sunday-evening-group-meditation",
        "title": "Sunday Evening Group Meditation",
        "kind": Kind.GROUP_MEDITATION,
        "host": "Maya Chen, meditation teacher",
        "description": "Close the week together: a short arrival, twenty minutes "
        "of guided sitting, and a few quiet minutes to set an intention for the "
        "days ahead. Cameras optional; beginners very welcome.",
        "days_ahead": 2,
        "at": time(18, 0),
        "minutes": 45,
        "capacity": 40,
        "online_url": "https://meet.kaya.example/sunday-sit",
    },
    {
        "slug": "demo-gentle-yoga-for-stress",
        "title": "Gentle Yoga for Stress Relief",
        "kind": Kind.LIVE_CLASS,
        "host": "Lucas Moreau, yoga instructor",
        "description": "Slow, floor-based movement and long exhales to help the "
        "body let go of a busy day. No experience needed; have a mat or a "
        "blanket nearby.",
        "days_ahead": 3,
        "at": time(7, 30),
        "minutes": 60,
        "capacity": 25,
        "online_url": "https://meet.kaya.example/gentle-yoga",
    },
    {
        "slug": "demo-sleep-better-workshop",
        "title": "Sleep Better: A Practical Workshop",
        "kind": Kind.WORKSHOP,
        "host": "Dr. Amara Nwosu, sleep psychologist",
        "description": "What helps and what gets in the way of rest: wind-down "
        "routines, what to do when you wake at 3 a.m., and a body scan to try "
        "tonight. Includes time for questions.",
        "days_ahead": 5,
        "at": time(19, 0),
        "minutes": 90,
        "capacity": 30,
        "online_url": "https://meet.kaya.example/sleep-workshop",
        "is_premium": True,
    },
    {
        "slug": "demo-mindful-walk-in-the-park",
        "title": "Mindful Walk in the Park",
        "kind": Kind.LIVE_CLASS,
        "host": "Jonas Berg, mindfulness guide",
        "description": "An unhurried walk with short pauses to notice sound, "
        "breath and the ground underfoot. We meet at the main gate; comfortable "
        "shoes and weather-ready clothes recommended.",
        "days_ahead": 6,
        "at": time(10, 0),
        "minutes": 75,
        "capacity": 12,
        "place": "Main gate, City Park",
    },
    {
        "slug": "demo-understanding-anxiety-webinar",
        "title": "Understanding Anxiety",
        "kind": Kind.WEBINAR,
        "host": "Dr. Sofia Reyes, clinical psychologist",
        "description": "Why anxiety shows up, how it feels in the body, and "
        "small evidence-based steps that help in the moment. This is education, "
        "not therapy; if you are in crisis, please contact local emergency "
        "services.",
        "days_ahead": 8,
        "at": time(17, 0),
        "minutes": 60,
        "capacity": 200,
        "online_url": "https://meet.kaya.example/understanding-anxiety",
    },
    {
        "slug": "demo-self-compassion-circle",
        "title": "Self-Compassion Circle",
        "kind": Kind.GROUP_MEDITATION,
        "host": "Priya Raman, compassion-focused coach",
        "description": "A small, kind space to practise speaking to yourself "
        "as you would to a friend: a guided meditation, a short reflection and "
        "optional sharing.",
        "days_ahead": 10,
        "at": time(18, 30),
        "minutes": 60,
        "capacity": 15,
        "online_url": "https://meet.kaya.example/self-compassion",
        "place": "KAYA Studio, 12 Harbour Street",
    },
]


def _planned(spec: dict[str, Any], now: datetime) -> tuple[datetime, datetime]:
    day = (now + timedelta(days=spec["days_ahead"])).date()
    starts_at = datetime.combine(day, spec["at"], tzinfo=now.tzinfo)
    return starts_at, starts_at + timedelta(minutes=spec["minutes"])


@transaction.atomic
def seed_demo_events() -> int:
    """Create the six demo events (published, upcoming) that do not exist yet;
    returns how many were created."""
    now = timezone.now()
    created_count = 0
    for spec in DEMO_EVENTS:
        starts_at, ends_at = _planned(spec, now)
        event, created = WellnessEvent.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "kind": spec["kind"],
                "host": spec["host"],
                "description": spec["description"],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": spec["capacity"],
                "online_url": spec.get("online_url", ""),
                "place": spec.get("place", ""),
                "is_premium": spec.get("is_premium", False),
                "is_published": True,
            },
        )
        created_count += created
        if not created and event.starts_at <= now and not event.registrations.exists():
            event.starts_at, event.ends_at = starts_at, ends_at
            event.save(update_fields=["starts_at", "ends_at", "updated_at"])
    return created_count
