"""An address taken by another account while its verification runs (PostgreSQL).

Real threads with their own connections: the other account's insert is not yet
committed when the verification checks the address, so only the unique index
sees the clash.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts import email_tokens
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WANTED = "wanted@example.com"


def test_an_address_taken_during_verification_is_409_not_500():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(pending_email=WANTED)
    user.refresh_from_db()
    token = email_tokens.email_token_make(
        user=user, purpose=email_tokens.VERIFY_EMAIL, email=WANTED
    )
    inserted, release = threading.Event(), threading.Event()

    def take_the_address() -> None:
        try:
            with transaction.atomic():
                UserFactory(email=WANTED)
                inserted.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    taker = threading.Thread(target=take_the_address)
    taker.start()
    assert inserted.wait(timeout=10)
    # Commit the other account once the verification is waiting on the index.
    timer = threading.Timer(0.5, release.set)
    timer.start()
    try:
        response = APIClient().get(f"/api/v1/auth/verify-email/{token}")
    finally:
        release.set()
        taker.join(timeout=10)
        timer.cancel()

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    user.refresh_from_db()
    assert user.email != WANTED
    assert user.pending_email == WANTED
    assert User.objects.filter(email=WANTED).exclude(pk=user.pk).count() == 1
