"""Load demo data for local development: `make run` calls this.

Idempotent (safe to run on every start). It lives in kaya, with the other
commands that reach across apps. It refuses to run with DEBUG off unless --force,
since it creates accounts with a published password.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_by_email
from journal.models import CrisisResource, Prompt
from wellness.models import ProgramDay, SessionType, WellnessProgram
from wellness.services import program_catalog_changed

DEMO_PASSWORD = "kaya-demo-password"

PROGRAMS: list[dict[str, Any]] = [
    {
        "slug": "calm-in-seven-days",
        "title": "Calm in Seven Days",
        "summary": "A gentle first week of short breathing and body-scan practices.",
        "category": WellnessProgram.Category.STRESS,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": False,
        "days": [
            ("Arriving", SessionType.BREATHING, 5),
            ("Noticing the body", SessionType.BODY_SCAN, 8),
            ("Softening", SessionType.MEDITATION, 8),
            ("Kindness", SessionType.GRATITUDE, 6),
            ("Steady breath", SessionType.BREATHING, 10),
            ("Letting go", SessionType.MEDITATION, 10),
            ("Carrying calm", SessionType.MEDITATION, 12),
        ],
    },
    {
        "slug": "deeper-sleep",
        "title": "Deeper Sleep",
        "summary": "Five evenings of wind-down practices for restful nights.",
        "category": WellnessProgram.Category.SLEEP,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": True,
        "days": [
            ("Winding down", SessionType.SLEEP, 10),
            ("Heavy and warm", SessionType.BODY_SCAN, 12),
            ("Quiet mind", SessionType.SLEEP, 15),
            ("Slow breath", SessionType.BREATHING, 10),
            ("Drifting off", SessionType.SLEEP, 20),
        ],
    },
]

PROMPTS = [
    "What is one small thing that went well today?",
    "What are you carrying right now that you could set down?",
    "Who helped you recently, and how?",
    "What does your body need this evening?",
    "Describe a moment today when you felt at ease.",
]

CRISIS_RESOURCES = [
    {
        "locale": "en",
        "name": "Emergency services",
        "description": "If you are in immediate danger, call your local emergency "
        "number.",
        "phone": "112",
        # The EU's number: shown only to users whose time zone is in the EU.
        "countries": "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL "
        "PL PT RO SK SI ES SE",
    },
    {
        "locale": "en",
        "name": "988 Suicide & Crisis Lifeline (US)",
        "description": "Free, confidential support, 24/7.",
        "phone": "988",
        "sms": "988",
        "countries": "US",
        "url": "https://988lifeline.org",
    },
]


class Command(BaseCommand):
    help = "Load demo users, programs, prompts and crisis resources (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (creates accounts with a known password).",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo runs only with DEBUG on (or --force).")
        self._users()
        program_ids = [self._program(spec) for spec in PROGRAMS]
        program_catalog_changed(program_ids=program_ids)
        for text in PROMPTS:
            Prompt.objects.get_or_create(text=text, locale="en")
        for resource in CRISIS_RESOURCES:
            CrisisResource.objects.get_or_create(
                locale=resource["locale"], name=resource["name"], defaults=resource
            )
        self.stdout.write(
            "Demo data ready. Log in as demo@kaya.local (API) or admin@kaya.local "
            f"(admin at /admin/), password {DEMO_PASSWORD!r}."
        )

    def _users(self) -> None:
        if user_by_email(email="admin@kaya.local") is None:
            User.objects.create_superuser(
                "admin@kaya.local", DEMO_PASSWORD, display_name="KAYA Staff"
            )
        if user_by_email(email="demo@kaya.local") is None:
            User.objects.create_user(
                "demo@kaya.local",
                DEMO_PASSWORD,
                display_name="Demo User",
                timezone="Europe/London",
                # The API logs in verified addresses only.
                email_verified_at=timezone.now(),
            )

    def _program(self, spec: dict[str, Any]) -> int:
        program, _ = WellnessProgram.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "summary": spec["summary"],
                "description": spec["summary"],
                "category": spec["category"],
                "difficulty": spec["difficulty"],
                "is_premium": spec["is_premium"],
                "is_published": True,
            },
        )
        for number, (title, session_type, minutes) in enumerate(spec["days"], 1):
            ProgramDay.objects.get_or_create(
                program=program,
                day_number=number,
                defaults={
                    "title": title,
                    "content": f"Day {number}: {title}.",
                    "session_type": session_type,
                    "duration_minutes": minutes,
                },
            )
        return program.pk
