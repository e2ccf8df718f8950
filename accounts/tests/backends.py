"""Email backends that stand in for a failing provider (the project's boundary)."""

from __future__ import annotations

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingEmailBackend(BaseEmailBackend):
    calls = 0

    def send_messages(self, email_messages):
        FailingEmailBackend.calls += 1
        raise SMTPException("provider unavailable")


class FlakyEmailBackend(LocmemBackend):
    """Fails the first `failures` sends, then delivers to the locmem outbox."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyEmailBackend.failures > 0:
            FlakyEmailBackend.failures -= 1
            raise SMTPException("provider hiccup")
        return super().send_messages(email_messages)
