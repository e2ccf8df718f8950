"""Eight demo therapists over three time zones, with weekly hours.

The people are fictional; their bios describe what they offer without
promising outcomes. One of them signs in with a therapist account (the
therapist-side booking endpoints), created in ``kaya.demo.users``.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from accounts.models import User
from coaching.models import AvailabilityWindow, Therapist
from coaching.services.therapists import therapist_directory_changed
from kaya.demo.base import SeedRun

NEW_YORK, LONDON, MADRID = "America/New_York", "Europe/London", "Europe/Madrid"
TIMEZONES = (NEW_YORK, LONDON, MADRID)

# Weekday 0 is Monday; hours are wall-clock times in the therapist's zone.
WEEKDAY_MORNINGS = [(d, time(9), time(13)) for d in range(5)]
WEEKDAY_AFTERNOONS = [(d, time(13), time(18)) for d in range(5)]
EVENINGS = [(d, time(17), time(21)) for d in (0, 1, 2, 3)]
SATURDAY = [(5, time(10), time(14))]

THERAPISTS: list[dict[str, Any]] = [
    {
        "display_name": "Dr. Maya Thompson",
        "timezone": NEW_YORK,
        "credentials": "PhD, Licensed Clinical Psychologist (NY)",
        "bio": "I work with adults facing anxiety, stress and life transitions. "
        "Sessions are collaborative and practical: we look at what keeps you "
        "stuck and try small, realistic changes between sessions.",
        "specialties": ["anxiety", "stress", "life transitions"],
        "approaches": ["CBT", "ACT"],
        "languages": ["en"],
        "price_cents": 14000,
        "currency": "USD",
        "rating_average": Decimal("4.90"),
        "rating_count": 128,
        "windows": WEEKDAY_MORNINGS,
        "signs_in_as": "therapist@kaya.local",
    },
    {
        "display_name": "Daniel Rivera, LMHC",
        "timezone": NEW_YORK,
        "credentials": "Licensed Mental Health Counselor (NY)",
        "bio": "Bilingual counselor supporting people with low mood, grief and "
        "family stress. I offer a warm, unhurried space, in English or Spanish.",
        "specialties": ["depression", "grief", "family"],
        "approaches": ["person-centred", "CBT"],
        "languages": ["en", "es"],
        "price_cents": 11000,
        "currency": "USD",
        "rating_average": Decimal("4.80"),
        "rating_count": 74,
        "windows": WEEKDAY_AFTERNOONS + SATURDAY,
    },
    {
        "display_name": "Aisha Bello, LCSW",
        "timezone": NEW_YORK,
        "credentials": "Licensed Clinical Social Worker (NY)",
        "bio": "I help people manage burnout and work stress and rebuild "
        "routines that support rest. Evening sessions for those who work days.",
        "specialties": ["burnout", "sleep", "work stress"],
        "approaches": ["mindfulness-based", "solution-focused"],
        "languages": ["en"],
        "price_cents": 12000,
        "currency": "USD",
        "rating_average": Decimal("4.70"),
        "rating_count": 41,
        "windows": EVENINGS,
    },
    {
        "display_name": "Dr. Oliver Hughes",
        "timezone": LONDON,
        "credentials": "DClinPsy, HCPC-registered Clinical Psychologist",
        "bio": "I support adults with anxiety, panic and health worries, using "
        "evidence-based approaches at a pace that feels manageable.",
        "specialties": ["anxiety", "panic", "health anxiety"],
        "approaches": ["CBT"],
        "languages": ["en"],
        "price_cents": 9500,
        "currency": "GBP",
        "rating_average": Decimal("4.90"),
        "rating_count": 96,
        "windows": WEEKDAY_MORNINGS,
    },
    {
        "display_name": "Priya Shah, MBACP",
        "timezone": LONDON,
        "credentials": "Registered Member, BACP (accredited counsellor)",
        "bio": "A gentle, compassion-focused counsellor for people who are hard "
        "on themselves, coping with loss or finding their way after a change.",
        "specialties": ["self-esteem", "grief", "relationships"],
        "approaches": ["compassion-focused", "integrative"],
        "languages": ["en", "gu"],
        "price_cents": 7000,
        "currency": "GBP",
        "rating_average": Decimal("4.85"),
        "rating_count": 57,
        "windows": WEEKDAY_AFTERNOONS,
    },
    {
        "display_name": "Tom Gallagher, MBACP",
        "timezone": LONDON,
        "credentials": "Registered Member, BACP",
        "bio": "Counselling for stress, sleep difficulties and the pressures of "
        "modern work. Saturday mornings available.",
        "specialties": ["stress", "sleep"],
        "approaches": ["mindfulness-based", "person-centred"],
        "languages": ["en"],
        "price_cents": 6500,
        "currency": "GBP",
        "rating_average": Decimal("4.60"),
        "rating_count": 23,
        "windows": EVENINGS + SATURDAY,
    },
    {
        "display_name": "Lucía Fernández",
        "timezone": MADRID,
        "credentials": "Psicóloga General Sanitaria (Colegio Oficial de la "
        "Psicología de Madrid)",
        "bio": "Acompaño a personas adultas con ansiedad, estrés y cambios "
        "vitales, en español o en inglés, con un enfoque cercano y práctico.",
        "specialties": ["anxiety", "stress", "life transitions"],
        "approaches": ["CBT", "ACT"],
        "languages": ["es", "en"],
        "price_cents": 6000,
        "currency": "EUR",
        "rating_average": Decimal("4.95"),
        "rating_count": 88,
        "windows": WEEKDAY_MORNINGS + [(d, time(16), time(20)) for d in (1, 3)],
    },
    {
        "display_name": "Javier Morales",
        "timezone": MADRID,
        "credentials": "Psicólogo General Sanitario",
        "bio": "Trabajo con el duelo, la autoestima y el bienestar emocional, "
        "desde la escucha y el respeto por el ritmo de cada persona.",
        "specialties": ["grief", "self-esteem", "depression"],
        "approaches": ["humanistic", "compassion-focused"],
        "languages": ["es"],
        "price_cents": 5500,
        "currency": "EUR",
        "rating_average": Decimal("4.75"),
        "rating_count": 35,
        "accepts_new_clients": False,
        "windows": WEEKDAY_AFTERNOONS,
    },
]


def seed(run: SeedRun, *, therapist_users: dict[str, User]) -> list[Therapist]:
    therapists = []
    for spec in THERAPISTS:
        values = {k: v for k, v in spec.items() if k not in {"windows", "signs_in_as"}}
        if spec.get("signs_in_as") in therapist_users:
            values["user"] = therapist_users[spec["signs_in_as"]]
        therapist = run.ensure(
            "therapists",
            Therapist,
            {"display_name": spec["display_name"]},
            values,
        )
        for weekday, start, end in spec["windows"]:
            run.ensure(
                "availability windows",
                AvailabilityWindow,
                {
                    "therapist": therapist,
                    "weekday": weekday,
                    "start_time": start,
                    "end_time": end,
                },
            )
        therapists.append(therapist)
    if run.created["therapists"] or run.created["availability windows"]:
        therapist_directory_changed()
    return therapists
