from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import factory
import time_machine
from django.utils import timezone

from accounts.tests.factories import UserFactory
from wellness.models import (
    Achievement,
    Challenge,
    EventRegistration,
    ProgramDay,
    ProgramEnrollment,
    SessionType,
    Streak,
    UserAchievement,
    WellnessEvent,
    WellnessProgram,
    WellnessSession,
)
from wellness.rollups import session_tally_add
from wellness.services import session_complete, session_create


class WellnessProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellnessProgram

    title = factory.Sequence(lambda n: f"Calm program {n}")
    slug = factory.Sequence(lambda n: f"calm-program-{n}")
    summary = "Seven quiet days."
    category = WellnessProgram.Category.STRESS
    difficulty = WellnessProgram.Difficulty.BEGINNER
    is_published = True
    ordering = factory.Sequence(lambda n: n)


class ProgramDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramDay

    program = factory.SubFactory(WellnessProgramFactory)
    day_number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: f"Day {o.day_number}")
    content = "Breathe in, breathe out."
    session_type = SessionType.MEDITATION
    duration_minutes = 10


class WellnessEventFactory(factory.django.DjangoModelFactory):
    """A published online event two days from now (an hour long, 5 seats)."""

    class Meta:
        model = WellnessEvent

    title = factory.Sequence(lambda n: f"Evening calm {n}")
    slug = factory.Sequence(lambda n: f"evening-calm-{n}")
    description = "Thirty quiet minutes together."
    kind = WellnessEvent.Kind.GROUP_MEDITATION
    host = "Maya Chen"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    capacity = 5
    online_url = "https://meet.example.com/evening-calm"
    is_published = True


def program_with_days(days: int = 3, **kwargs) -> WellnessProgram:
    program = WellnessProgramFactory(days_count=days, **kwargs)
    for number in range(1, days + 1):
        ProgramDayFactory(program=program, day_number=number)
    return program


class WellnessSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellnessSession

    user = factory.SubFactory(UserFactory)
    type = SessionType.MEDITATION
    title = "Morning sit"
    planned_duration_seconds = 600
    local_date = factory.LazyFunction(lambda: timezone.now().date())

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As session_create does: the user's SessionTally (the sessions page's
        # total) counts every session.
        session = super()._create(model_class, *args, **kwargs)
        session_tally_add(session=session)
        return session


def completed_session(
    user,
    at: datetime,
    *,
    type: str = SessionType.MEDITATION,
    seconds: int = 600,
    mood_before: int | None = None,
    mood_after: int | None = None,
) -> WellnessSession:
    """Start and complete a session through the services at instant ``at``."""
    with time_machine.travel(at, tick=False):
        session, _ = session_create(
            user=user,
            type=type,
            title="Practice",
            planned_duration_seconds=seconds,
            mood_before=mood_before,
        )
        session, _ = session_complete(
            session=session, actual_duration_seconds=seconds, mood_after=mood_after
        )
    return session


@contextmanager
def frozen(client, user, when: datetime):
    """Freeze the clock at ``when`` with a token minted inside that clock."""
    from accounts.jwt import access_token_for

    with time_machine.travel(when, tick=False):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
        yield client


class ProgramEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramEnrollment

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(WellnessProgramFactory)


class StreakFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Streak

    user = factory.SubFactory(UserFactory)
    current_length = 3
    longest_length = 5
    last_active_date = factory.LazyFunction(lambda: timezone.now().date())


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    code = factory.Sequence(lambda n: f"achievement-{n}")
    name = factory.Sequence(lambda n: f"Achievement {n}")
    category = "practice"
    rule_kind = "sessions_completed"
    threshold = 5


class UserAchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserAchievement

    user = factory.SubFactory(UserFactory)
    achievement = factory.SubFactory(AchievementFactory)


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = factory.Sequence(lambda n: f"Challenge {n}")
    goal_kind = "sessions_completed"
    goal_target = 10
    start_date = factory.LazyFunction(lambda: timezone.now().date())
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=13))


class EventRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRegistration

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(WellnessEventFactory)
    status = "registered"
