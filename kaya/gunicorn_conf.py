"""gunicorn settings for the REST role (the Dockerfile CMD and compose's `api`).

gunicorn writes its access log and its error log (whose lines can carry the
request line) through its own loggers, not through Django's LOGGING. Here both
go through the project's JSON formatter and secret-redacting filter, so a reset,
verify or email-preferences token in a URL or Referer never reaches a log line.
Used as ``gunicorn --config python:kaya.gunicorn_conf kaya.wsgi:application``.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from kaya.logging import gunicorn_logconfig

# Access lines are emitted whenever logconfig_dict is set; `accesslog` stays
# unset so that gunicorn adds no plain (unredacted) handler of its own.
accesslog = None
# Apache's combined format plus the request id, to join with the app's lines.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)
# The same LOG_LEVEL as the app's own lines (settings.py reads it too).
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
logconfig_dict = gunicorn_logconfig(loglevel.upper())


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the app: import the URLconf (every view and
    serializer module), then move everything alive into the collector's
    permanent generation. Those objects live as long as the worker, yet every
    full collection scanned all of them: a request that builds many small
    objects (a year of mood buckets) paid about as much in collections as in
    its own work. Frozen objects are never scanned again; what a request
    allocates is still collected as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    gc.collect()
    gc.freeze()
