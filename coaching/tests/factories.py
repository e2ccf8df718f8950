from __future__ import annotations

from datetime import time, timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coaching.models import AvailabilityWindow, Therapist, TherapistBooking


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    display_name = factory.Sequence(lambda n: f"Dr Therapist {n}")
    credentials = "LPC"
    specialties = factory.LazyFunction(lambda: ["anxiety", "grief"])
    approaches = factory.LazyFunction(lambda: ["CBT"])
    languages = factory.LazyFunction(lambda: ["en"])
    timezone = "Europe/London"
    session_duration_seconds = 50 * 60
    buffer_seconds = 10 * 60
    min_notice_seconds = 24 * 3600
    max_bookings_per_day = 6
    price_cents = 9000

    @factory.post_generation
    def weekdays(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Monday to Friday, 09:00-17:00 local, unless ``weekdays=[]``."""
        days = range(5) if extracted is None else extracted
        for day in days:  # type: ignore[attr-defined]
            AvailabilityWindow.objects.create(
                therapist=self, weekday=day, start_time=time(9), end_time=time(17)
            )


class TherapistBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TherapistBooking

    user = factory.SubFactory(UserFactory)
    therapist = factory.SubFactory(TherapistFactory)
    # A distinct hour per booking: a therapist's slots do not overlap.
    starts_at = factory.Sequence(
        lambda n: (
            timezone.now().replace(minute=0, second=0, microsecond=0)
            + timedelta(days=1, hours=n)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=50))
