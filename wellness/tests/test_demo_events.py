"""seed_demo_events: six upcoming published events, created once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from wellness.demo_events import seed_demo_events
from wellness.models import WellnessEvent
from wellness.services import event_register

pytestmark = pytest.mark.django_db


def test_seed_demo_events_creates_six_upcoming_events_once(user):
    assert seed_demo_events() == 6
    assert seed_demo_events() == 0

    events = WellnessEvent.objects.all()
    assert events.count() == 6
    now = timezone.now()
    assert all(e.is_published and e.starts_at > now for e in events)
    assert {e.kind for e in events} == set(WellnessEvent.Kind.values)
    assert all(e.description and e.host for e in events)
    for event in events:
        event.full_clean()


def test_rerunning_later_moves_past_demo_events_nobody_joined(user):
    seed_demo_events()
    kept = WellnessEvent.objects.order_by("starts_at").first()
    assert kept is not None
    event_register(user=user, event=kept)
    kept_start = kept.starts_at

    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert seed_demo_events() == 0
        later = timezone.now()

    assert WellnessEvent.objects.count() == 6
    assert WellnessEvent.objects.get(pk=kept.pk).starts_at == kept_start
    moved = WellnessEvent.objects.exclude(pk=kept.pk)
    assert all(e.starts_at > later for e in moved)
