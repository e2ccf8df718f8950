"""No token in the log lines of the processes we ship: gunicorn's own access and
error loggers, Celery's worker loggers, and Django's default handlers.

gunicorn and Celery configure logging for the whole process, so each is
checked in a child process (the end-to-end check with the real servers is
kaya/tests/test_production_shape.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

from kaya.testing import ROOT, process_env

TOKEN = ".eJyrVkpOLS5RslIqzs9NVaoFAA:1vQx7Z:Zm9yZ2VkLXNlY3JldC1zaWduYXR1cmU"


def _run(script: str, tmp_path, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=process_env(
            KAYA_VAR_DIR=str(tmp_path),
            LOG_LEVEL="INFO",
            ALLOWED_HOSTS="testserver",
            DJANGO_SETTINGS_MODULE="kaya.settings",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert TOKEN not in result.stdout + result.stderr
    return result.stdout.splitlines()


def test_gunicorn_access_and_error_lines_are_redacted_json(tmp_path):
    script = f"""
    import datetime, types
    import kaya.gunicorn_conf as conf
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    for name in ("accesslog", "access_log_format", "loglevel", "logconfig_dict"):
        cfg.set(name, getattr(conf, name))
    log = Logger(cfg)
    path = "/api/v1/auth/reset-password/{TOKEN}"
    environ = {{
        "REQUEST_METHOD": "POST", "RAW_URI": path + "?token={TOKEN}",
        "PATH_INFO": path, "QUERY_STRING": "token={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://app.example/verify-email/{TOKEN}",
    }}
    response = types.SimpleNamespace(
        status="200 OK", headers=[("X-Request-ID", "abc123")], sent=2
    )
    log.access(response, types.SimpleNamespace(headers=[]), environ,
               datetime.timedelta(seconds=1))
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("Error handling request %s", path)
    """

    lines = [json.loads(line) for line in _run(script, tmp_path)]

    assert [(line["name"], line["levelname"]) for line in lines] == [
        ("gunicorn.access", "INFO"),
        ("gunicorn.error", "ERROR"),
    ]
    assert re.fullmatch(
        r"127\.0\.0\.1 - - \[[^]]+\] "
        r'"POST /api/v1/auth/reset-password/\[redacted\]\?token=\[redacted\] '
        r'HTTP/1\.1" 200 2 "https://app\.example/verify-email/\[redacted\]" "-" '
        r"abc123",
        lines[0]["message"],
    ), lines[0]["message"]
    assert lines[1]["message"] == (
        "Error handling request /api/v1/auth/reset-password/[redacted]"
    )
    assert "ValueError: boom" in lines[1]["exc_info"]


def test_celery_worker_logs_through_the_redacting_configuration(tmp_path):
    script = f"""
    import logging
    from kaya.celery import app

    app.log.setup(loglevel="INFO", redirect_stdouts=True)
    logging.getLogger("celery.app.trace").warning(
        "Task failed for /api/v1/auth/verify-email/{TOKEN}"
    )
    """

    lines = [json.loads(line) for line in _run(script, tmp_path)]

    assert lines == [
        {
            "asctime": lines[0]["asctime"],
            "levelname": "WARNING",
            "name": "celery.app.trace",
            "message": "Task failed for /api/v1/auth/verify-email/[redacted]",
            "request_id": None,
        }
    ]


def test_djangos_own_handlers_do_not_print_request_paths(tmp_path):
    # Django's default "django" logger prints 4xx paths to stderr under DEBUG.
    script = f"""
    import django
    django.setup()
    from django.test import Client

    response = Client().post(
        "/api/v1/auth/reset-password/{TOKEN}", {{}}, content_type="application/json"
    )
    assert response.status_code == 400, response.status_code
    """

    lines = [json.loads(line) for line in _run(script, tmp_path, DEBUG="1")]

    assert [(line["name"], line["message"]) for line in lines] == [
        ("django.request", "Bad Request: /api/v1/auth/reset-password/[redacted]")
    ]
