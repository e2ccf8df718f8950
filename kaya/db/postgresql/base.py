"""PostgreSQL with a health check that costs no round trip.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first statement of
every request on a persistent connection: a round trip that was 15% of
``GET /users/me`` (and of the one-query unit). The guarantee it buys is that a
connection the server has dropped (a restart, ``pg_terminate_backend``, an idle
timeout, a proxy cut) is never used for a request. The server announces each of
those on the socket itself: it sends a FATAL error and closes, or the connection
is reset. An idle connection in autocommit has nothing to read, so this backend
polls the socket without waiting: nothing to read means the connection is as
alive as a ``SELECT 1`` could show; anything to read (a FATAL message, EOF, an
error, or a harmless notice) falls back to Django's own ``SELECT 1``, which
closes the connection when it fails. Connections from psycopg's pool keep the
pool's own checks (``OPTIONS["pool"]``), as in Django's backend.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import is_psycopg3

_SUSPECT = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


class DatabaseWrapper(base.DatabaseWrapper):
    # Set by Django's BaseDatabaseWrapper; its stubs do not declare them.
    health_check_enabled: bool
    health_check_done: bool

    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or not is_psycopg3
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            super().close_if_health_check_failed()
            return
        if self._may_be_dead(self.connection) and not self.is_usable():
            self.close()
        self.health_check_done = True

    @staticmethod
    def _may_be_dead(connection: Any) -> bool:
        """True unless the connection is open, idle and silent: psycopg has not
        seen it break, no transaction is open and the server has sent nothing."""
        from psycopg.pq import TransactionStatus

        try:
            if connection.closed or connection.broken:
                return True
            if connection.info.transaction_status != TransactionStatus.IDLE:
                return True
            poller = select.poll()
            poller.register(connection.fileno(), _SUSPECT)
            return bool(poller.poll(0))
        except Exception:  # any doubt means "check with SELECT 1"
            return True
