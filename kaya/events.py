"""One way to publish a domain event: after the transaction commits.

Each app declares its signals in its own ``events.py`` (what it publishes and
the keyword arguments each carries: ids, dates, numbers; never private text).
Subscribers live in higher apps and connect in ``AppConfig.ready()``; an app
never imports the apps above it.

``publish`` sends when the current transaction commits (at once outside one), so
a subscriber never sees a row that is rolled back, and with ``send_robust``, so
one failing subscriber neither stops the others nor fails the user's committed
write (Django logs the traceback on the ``django.dispatch`` logger).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal


def publish(signal: Signal, *, sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send_robust(sender=sender, **kwargs))
