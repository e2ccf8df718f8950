"""Mood history sums its days from the entries it lists: the days must be what
the database's aggregation over the same range answers, byte for byte."""

import random
from datetime import date, timedelta

import pytest
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings

from journal import selectors
from journal.models import MoodEntry
from journal.serializers import MoodDayOutput
from journal.tests.factories import MoodEntryFactory

pytestmark = pytest.mark.django_db

MOODS = list(MoodEntry.SCORES)


def render(data) -> bytes:
    renderer: BaseRenderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
    return renderer.render(data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_history_days_equal_the_database_aggregation(
    auth_client, user, other_user, seed
):
    rng = random.Random(seed)
    last = date(2026, 6, 30)
    # Up to 12 entries a day, so the averages take every short fraction
    # (thirds, sevenths, elevenths...) and halves that round to even.
    rows = []
    for offset in range(40):
        for owner in (user, other_user):
            # The last day always has entries (the one-day range below).
            for _ in range(rng.choice([0, 1, 2, 3, 4, 6, 7, 8, 11, 12]) or offset == 0):
                mood = rng.choice(MOODS)
                rows.append(
                    MoodEntryFactory.build(
                        user=owner,
                        mood=mood,
                        score=MoodEntry.SCORES[mood],
                        intensity=rng.randint(1, 10),
                        local_date=last - timedelta(days=offset),
                    )
                )
    MoodEntry.objects.bulk_create(rows)

    for date_from, date_to in (
        (last - timedelta(days=29), last),
        (last - timedelta(days=91), last),
        (last, last),
    ):
        history = selectors.mood_history(
            user=user, date_from=date_from, date_to=date_to
        )
        oracle = selectors.mood_day_aggregates(
            user=user, date_from=date_from, date_to=date_to
        )
        assert oracle, "no entries in the range"
        assert history["days"] == oracle
        many = MoodDayOutput(many=True)
        assert render(many.to_representation(history["days"])) == render(
            many.to_representation(oracle)
        )

        response = auth_client.get(
            "/api/v1/journal/mood/history",
            {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
        )
        assert response.status_code == 200
        assert response.json()["days"] == [
            MoodDayOutput().to_representation(row) for row in oracle
        ]
