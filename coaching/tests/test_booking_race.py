"""Exactly one of many racing requests for one slot wins, on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coaching.models import TherapistBooking
from coaching.tests.factories import TherapistFactory
from conftest import bearer

SLOT = "2027-03-02T11:00:00Z"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_one_slot_one_wins():
    therapist = TherapistFactory()
    clients = []
    for user in UserFactory.create_batch(20):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(user))
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def book(client: APIClient) -> None:
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/bookings",
                {"therapist_id": therapist.pk, "starts_at": SLOT},
                format="json",
            )
            code = None if response.status_code == 201 else response.json()["error"]
            with lock:
                results.append(
                    (response.status_code, code and code["code"])  # type: ignore[index]
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert (
        sorted(results, key=lambda r: r[0])
        == [(201, None)] + [(409, "slot_taken")] * 19
    )
    assert TherapistBooking.objects.filter(therapist=therapist).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_overlapping_active_bookings_without_the_service():
    therapist = TherapistFactory()
    start = datetime(2027, 3, 2, 11, tzinfo=UTC)
    TherapistBooking.objects.create(
        user=UserFactory(),
        therapist=therapist,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        TherapistBooking.objects.create(
            user=UserFactory(),
            therapist=therapist,
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(minutes=80),
        )
    # Touching ([) ranges), a cancelled overlap and another therapist are fine.
    TherapistBooking.objects.create(
        user=UserFactory(),
        therapist=therapist,
        starts_at=start + timedelta(minutes=50),
        ends_at=start + timedelta(minutes=100),
    )
    TherapistBooking.objects.create(
        user=UserFactory(),
        therapist=therapist,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status="cancelled",
    )
    TherapistBooking.objects.create(
        user=UserFactory(),
        therapist=TherapistFactory(),
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
    )
    assert TherapistBooking.objects.count() == 4
