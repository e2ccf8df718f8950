"""Never overbooked: twenty parallel registrations for five seats, each on its
own database connection, on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from conftest import bearer
from wellness.models import EventRegistration, WellnessEvent
from wellness.tests.factories import WellnessEventFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_registrations_for_five_seats():
    event = WellnessEventFactory(capacity=5)
    clients = []
    for user in UserFactory.create_batch(20):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(user))
        clients.append(client)
    # One request first: the response-schema check builds its document on the
    # first response of the session, and twenty threads must not race to.
    assert clients[0].get(f"/api/v1/events/{event.pk}").status_code == 200
    connection.close()
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def register(client: APIClient) -> None:
        try:
            barrier.wait()
            response = client.post(f"/api/v1/events/{event.pk}/register")
            with lock:
                results.append((response.status_code, response.json()["status"]))
        finally:
            # Each thread had its own connection: close it, or the test
            # database cannot be flushed.
            connection.close()

    threads = [threading.Thread(target=register, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Counter(results) == {(201, "registered"): 5, (201, "waitlisted"): 15}
    statuses = Counter(
        EventRegistration.objects.filter(event=event).values_list("status", flat=True)
    )
    assert statuses == {"registered": 5, "waitlisted": 15}
    event.refresh_from_db()
    assert event.seats_taken == 5


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_overbooking_and_a_second_active_registration():
    event = WellnessEventFactory(capacity=1)
    user = UserFactory()
    EventRegistration.objects.create(user=user, event=event, status="registered")

    with pytest.raises(IntegrityError), transaction.atomic():
        WellnessEvent.objects.filter(pk=event.pk).update(seats_taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventRegistration.objects.create(user=user, event=event, status="waitlisted")
    # A cancelled row does not count: registering again is a new row.
    EventRegistration.objects.create(user=user, event=event, status="cancelled")
    assert EventRegistration.objects.filter(user=user).count() == 2
