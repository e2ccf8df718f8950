"""The websocket ticket store (kaya.websocket): single use, 30 s, atomic."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache

from accounts.registry import privacy
from kaya.websocket import _ticket_key, ws_ticket_consume, ws_ticket_issue

pytestmark = pytest.mark.django_db


def test_a_ticket_is_consumed_once(user):
    ticket = ws_ticket_issue(user=user)

    claim = ws_ticket_consume(ticket)

    assert claim["user_id"] == user.pk
    assert claim["token_epoch"] == user.token_epoch
    assert ws_ticket_consume(ticket) is None


@pytest.mark.parametrize("ticket", ["", "unknown", "x" * 500])
def test_unknown_empty_or_oversize_tickets_are_refused(user, ticket):
    ws_ticket_issue(user=user)

    assert ws_ticket_consume(ticket) is None


def test_the_ticket_expires_after_thirty_seconds(user):
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        fresh = ws_ticket_issue(user=user)
        stale = ws_ticket_issue(user=user)
        traveller.shift(timedelta(seconds=29))
        assert ws_ticket_consume(fresh) is not None
        traveller.shift(timedelta(seconds=2))
        assert ws_ticket_consume(stale) is None


def test_an_expired_ticket_is_refused_even_if_the_cache_still_holds_it(user):
    # Redis expires keys on its own clock, which a frozen test clock (or a
    # cache entry kept too long) does not move: the stamp in the claim decides.
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        ticket = ws_ticket_issue(user=user)
        assert cache.touch(_ticket_key(ticket), 3600)
        traveller.shift(timedelta(seconds=31))

        assert ws_ticket_consume(ticket) is None


@pytest.mark.parametrize("attempt", range(3))
def test_racing_consumers_of_one_ticket_let_exactly_one_in(user, attempt):
    ticket = ws_ticket_issue(user=user)
    barrier = threading.Barrier(8)
    results = []

    def consume():
        barrier.wait(timeout=10)
        results.append(ws_ticket_consume(ticket))

    threads = [threading.Thread(target=consume) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == 8
    assert sum(claim is not None for claim in results) == 1


def test_every_notifications_model_with_user_data_is_in_the_privacy_registry():
    owned = {
        model._meta.label
        for model in apps.get_app_config("notifications").get_models()
        if any(f.name == "user" for f in model._meta.fields)
    }

    assert owned == {
        "notifications.Notification",
        "notifications.ScheduledNotification",
    }
    assert owned <= privacy.covered_models()
