"""Coaching's part of the export and of account erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.services import user_erase, user_export
from coaching.models import BookingTransition, Therapist, TherapistBooking
from coaching.services import bookings as services

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 2, 11, tzinfo=UTC)


def test_export_holds_the_users_bookings_with_notes_and_history(
    user, other_user, therapist
):
    services.booking_create(user=user, therapist=therapist, starts_at=START, note="hi")
    services.booking_create(
        user=other_user,
        therapist=therapist,
        starts_at=datetime(2027, 3, 2, 12, tzinfo=UTC),
        note="not yours",
    )

    exported = user_export(user=user)["apps"]["coaching"]["therapist_bookings"]

    assert len(exported) == 1
    assert exported[0]["note"] == "hi"
    assert exported[0]["starts_at"] == "2027-03-02T11:00:00Z"
    assert exported[0]["therapist_id"] == therapist.pk
    assert [t["reason"] for t in exported[0]["transitions"]] == ["requested"]


def test_erasing_a_client_deletes_their_bookings_only(user, other_user, therapist):
    services.booking_create(user=user, therapist=therapist, starts_at=START)
    kept = services.booking_create(
        user=other_user,
        therapist=therapist,
        starts_at=datetime(2027, 3, 3, 9, tzinfo=UTC),
    )

    user_erase(user=user)

    assert list(TherapistBooking.objects.all()) == [kept]
    assert BookingTransition.objects.filter(booking__user_id=user.pk).count() == 0


def test_erasing_a_therapists_account_keeps_the_directory_entry_unlinked(
    user, therapist, therapist_user
):
    booking = services.booking_create(user=user, therapist=therapist, starts_at=START)
    services.booking_confirm(booking=booking, actor=therapist_user)

    user_erase(user=therapist_user)

    therapist.refresh_from_db()
    assert therapist.user_id is None
    assert Therapist.objects.filter(pk=therapist.pk).exists()
    assert booking.transitions.filter(actor__isnull=False).count() == 1  # the client's
