"""The coaching app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from coaching.models import TherapistBooking
from coaching.selectors.bookings import booking_detail_list
from kaya.timeutils import instant_text

if TYPE_CHECKING:
    from accounts.models import User


def coaching_export(user: User) -> dict[str, list[dict[str, Any]]]:
    """The user's bookings as a client, with their notes (decrypted) and history."""
    return {
        "therapist_bookings": [
            {
                "id": b.pk,
                "therapist_id": b.therapist_id,
                "therapist_display_name": b.therapist.display_name,
                "starts_at": instant_text(b.starts_at),
                "ends_at": instant_text(b.ends_at),
                "status": b.status,
                "note": b.note,
                "cancelled_at": instant_text(b.cancelled_at),
                "cancelled_late": b.cancelled_late,
                "created_at": instant_text(b.created_at),
                "transitions": [
                    {
                        "from_status": t.from_status,
                        "to_status": t.to_status,
                        "reason": t.reason,
                        "previous_starts_at": instant_text(t.previous_starts_at),
                        "created_at": instant_text(t.created_at),
                    }
                    for t in b.transitions.all()
                ],
            }
            for b in booking_detail_list(user=user).order_by("starts_at", "id")
        ]
    }


@transaction.atomic
def coaching_erase(user: User) -> None:
    """Delete the user's bookings (their history cascades). Steps the user took
    on other people's bookings (as a therapist) lose their actor on deletion."""
    TherapistBooking.objects.for_user(user).delete()
