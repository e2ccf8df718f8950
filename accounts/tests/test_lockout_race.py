"""Parallel wrong logins on PostgreSQL: exactly ACCOUNTS_LOGIN_MAX_FAILURES
passwords are checked, never a few more.

Real threads with their own database connections, so the row lock taken by
``login_attempt`` is what decides, not the test's ordering. Each thread comes
from its own address, so neither the per-address throttle nor the per-address
lockout interferes.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import LoginFailure, User
from accounts.tests.conftest import login
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 20


def test_parallel_wrong_logins_check_exactly_max_failures_passwords(monkeypatch):
    user = UserFactory()
    limit = settings.ACCOUNTS_LOGIN_MAX_FAILURES
    checked: list[int] = []
    lock = threading.Lock()
    real_check_password = User.check_password

    def counting_check_password(self, raw_password):
        with lock:
            checked.append(self.pk)
        return real_check_password(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting_check_password)
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []

    def attempt(index: int) -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            response = login(
                client, user.email, "wrong password!!", REMOTE_ADDR=f"10.0.0.{index}"
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(index,)) for index in range(PARALLEL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert checked == [user.pk] * limit
    assert sorted(statuses) == [401] * limit + [429] * (PARALLEL - limit)
    assert LoginFailure.objects.filter(email=user.email).count() == limit
