"""pytest plugin (``-p pytest_workers`` in pytest.ini): one Redis database per
pytest-xdist worker.

Each worker runs with REDIS_URL's database number plus its index (gw0 keeps it,
gw1 adds 1, ...), so parallel workers never share cache, throttle,
channel-layer or broker state (the tests' ``cache.clear()`` is a FLUSHDB). It
rewrites the environment when pytest loads it, before pytest-django reads the
settings, so the processes a test starts inherit the worker's URL; they are not
pytest and never shift it again.

This module lives at the top level, beside manage.py, and imports nothing of the
project: a plugin inside the ``kaya`` package would import ``kaya/__init__.py``
(the Celery app) first, and anything there that reads Django's settings would
freeze the unshifted URL before this code runs; every worker then shared one
Redis database and flushed the others' throttle counters, realtime tickets and
channel-layer groups. (kaya/celery.py no longer reads the settings at import
either; kaya/tests/test_settings.py pins both.)
PostgreSQL needs nothing here: pytest-django gives each worker its own test
database.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit


def worker_redis_url(url: str, worker: str) -> str:
    """``url`` with its database number moved up by the index of ``worker``
    (``gw<N>``)."""
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.lstrip("/") or 0) + int(worker[2:])
    return parts._replace(path=f"/{database}").geturl()


def _isolate_redis() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    for name in ("REDIS_URL", "CACHE_URL", "CHANNEL_LAYER_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name, "").strip()
        if url.startswith(("redis://", "rediss://")):
            os.environ[name] = worker_redis_url(url, worker)


_isolate_redis()
