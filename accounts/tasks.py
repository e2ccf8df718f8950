"""Celery tasks of the accounts app: thin, idempotent, keyword-only ids.

Account emails have no task here: they go out through the one outbox
(``kaya.send_email``, ``kaya.sweep_email_outbox``).
"""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(name="accounts.purge_login_failures", ignore_result=True)
def accounts_login_failures_purge() -> int:
    return services.login_failures_purge()


@shared_task(name="accounts.purge_tokens", ignore_result=True)
def accounts_tokens_purge() -> int:
    return services.tokens_purge()
