"""Staff confirm or decline bookings in the admin, through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from coaching.models import AICrisisReferralDay
from coaching.services import bookings as services
from kaya.staff import ROLES
from kaya.tests.staff_helpers import staff_member
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("action", "status"), [("confirm", "confirmed"), ("decline", "declined")]
)
def test_staff_confirm_or_decline_through_the_service(
    admin_client, user, therapist, action, status
):
    booking = services.booking_create(
        user=user, therapist=therapist, starts_at=datetime(2027, 3, 2, 11, tzinfo=UTC)
    )

    response = admin_client.post(
        "/admin/coaching/therapistbooking/",
        {"action": action, "_selected_action": [booking.pk]},
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == status
    assert booking.transitions.last().to_status == status
    assert Notification.objects.filter(user=user, data__event=status).count() == 1


def test_the_booking_page_does_not_show_the_private_note(admin_client, user, therapist):
    booking = services.booking_create(
        user=user,
        therapist=therapist,
        starts_at=datetime(2027, 3, 2, 11, tzinfo=UTC),
        note="very private words",
    )

    response = admin_client.get(
        f"/admin/coaching/therapistbooking/{booking.pk}/change/"
    )

    assert response.status_code == 200
    assert b"very private words" not in response.content


def test_the_therapist_admin_pages_render(admin_client, therapist):
    assert admin_client.get("/admin/coaching/therapist/").status_code == 200
    assert (
        admin_client.get(
            f"/admin/coaching/therapist/{therapist.pk}/change/"
        ).status_code
        == 200
    )


# --- the AI crisis-referral counter ---------------------------------------------
REFERRALS = "/admin/coaching/aicrisisreferralday/"


def test_the_crisis_referral_counter_is_listed_read_only(admin_client):
    day = AICrisisReferralDay.objects.create(date=date(2026, 11, 3), count=4)

    AICrisisReferralDay.objects.create(date=date(2026, 10, 1), count=1)
    listing = admin_client.get(REFERRALS)
    found = admin_client.get(REFERRALS, {"q": "2026-11"})
    detail = admin_client.get(f"{REFERRALS}{day.pk}/change/")
    added = admin_client.post(f"{REFERRALS}add/", {"date": "2026-11-04", "count": 9})
    changed = admin_client.post(
        f"{REFERRALS}{day.pk}/change/", {"date": "2026-11-03", "count": 0}
    )
    deleted = admin_client.post(f"{REFERRALS}{day.pk}/delete/", {"post": "yes"})

    assert listing.status_code == detail.status_code == 200
    assert "Nov. 3, 2026" in listing.content.decode()
    assert [row.date for row in found.context["cl"].result_list] == [day.date]
    assert (added.status_code, changed.status_code, deleted.status_code) == (
        403,
        403,
        403,
    )
    assert list(
        AICrisisReferralDay.objects.order_by("date").values_list("date", "count")
    ) == [(date(2026, 10, 1), 1), (date(2026, 11, 3), 4)]


@pytest.mark.parametrize("role", [r.name for r in ROLES])
def test_no_staff_role_opens_the_crisis_referral_counter(role):
    client = Client()
    client.force_login(staff_member(role))

    assert client.get(REFERRALS).status_code == 403
