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

It also reads ``timestamptz`` values with psycopg's C loader. Django registers
a Python subclass of psycopg's pure-Python loader (it replaces each value's
``tzinfo`` with the connection's zone), so every timestamp of every row was
parsed by Python code: about 80 values, 5% of the CPU, on a page of 20
sessions. When the connection's zone is UTC (``USE_TZ`` with no per-database
``TIME_ZONE``: Django then sets the session's ``TimeZone`` to UTC), the C
loader returns the same value with the same ``tzinfo`` (psycopg maps the UTC
session zone to ``datetime.timezone.utc``); otherwise Django's loader stays.
"""

from __future__ import annotations

import select
from datetime import UTC
from functools import lru_cache
from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import is_psycopg3

_SUSPECT = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


_UTC = UTC


@lru_cache
def _with_c_timestamptz_loader(template: Any) -> Any:
    """Django's adapters template with psycopg's C ``timestamptz`` loader, or
    the template itself where that would change a value (a zone other than UTC,
    or psycopg without its C module)."""
    from psycopg import adapt
    from psycopg._cmodule import _psycopg
    from psycopg.pq import Format

    loader = template.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
    if _psycopg is None or getattr(loader, "timezone", None) is not _UTC:
        return template

    c_loader = _psycopg.TimestamptzLoader

    class UtcTimestamptzLoader(adapt.Loader):
        # Read by Django's create_cursor(): equal to the wrapper's zone, so it
        # does not register its own (Python) loader on each cursor.
        timezone = _UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            # psycopg's row loaders call ``loader.load`` once looked up: the C
            # loader's own method, in the connection's zone (UTC here).
            self.load = c_loader(oid, context).load  # type: ignore[method-assign]

        def load(self, data: Any) -> Any:  # replaced per instance above
            raise NotImplementedError

    adapters = adapt.AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    # Set by Django's BaseDatabaseWrapper; its stubs do not declare them.
    health_check_enabled: bool
    health_check_done: bool

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if is_psycopg3 and "context" in params:
            params["context"] = _with_c_timestamptz_loader(params["context"])
        return params

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
