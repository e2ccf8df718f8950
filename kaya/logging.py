"""Structured logging: JSON lines carrying the request id, with secrets redacted."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

REDACTED = "[redacted]"
# Keys whose values never reach a log line, wherever they appear.
SENSITIVE_KEYS = frozenset(
    {
        "password",
        "new_password",
        "current_password",
        "old_password",
        "token",
        "access",
        "refresh",
        "ticket",
        "authorization",
        "http_authorization",
        "cookie",
        "http_cookie",
        "secret",
        "api_key",
        "body",
        "text",
        "note",
        "content",
    }
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")
_QUERY_SECRET = re.compile(
    r"((?:token|ticket|password|access|refresh)=)[^&\s\"']+", re.IGNORECASE
)

# Single-use links carry their token in the path (accounts' email links).
_PATH_SECRET = re.compile(r"(/(?:verify-email|reset-password)/)[^/\s\"'?]+")


def current_request_id() -> str | None:
    return request_id_var.get()


def redact_text(text: str) -> str:
    text = _BEARER.sub(r"\1" + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    text = _PATH_SECRET.sub(r"\1" + REDACTED, text)
    return _QUERY_SECRET.sub(r"\1" + REDACTED, text)


def redact_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SENSITIVE_KEYS else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(item) for item in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactSecretsFilter(logging.Filter):
    """Scrub tokens, passwords and private text from the message and extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        for key in list(vars(record)):
            if key.lower() in SENSITIVE_KEYS:
                setattr(record, key, REDACTED)
        # Django's request logger attaches the request; its repr carries headers.
        if hasattr(record, "request"):
            record.request = REDACTED
        return True


class JsonFormatter(_BaseJsonFormatter):
    def process_log_record(self, log_record: dict[str, Any]) -> dict[str, Any]:
        return redact_value(log_record)

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return redact_text(str(super().formatException(ei)))


# The one JSON line shape of every process (settings.LOGGING uses it as well).
JSON_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def json_stdout_logging() -> dict[str, Any]:
    """The filters, formatter and handler every process logs through: JSON lines
    on stdout, with the request id, through the redacting filter. Shared by
    settings.LOGGING and gunicorn's own log configuration."""
    return {
        "filters": {
            "request_id": {"()": "kaya.logging.RequestIdFilter"},
            "redact": {"()": "kaya.logging.RedactSecretsFilter"},
        },
        "formatters": {
            "json": {"()": "kaya.logging.JsonFormatter", "fmt": JSON_LOG_FORMAT},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["request_id", "redact"],
            },
        },
    }


def gunicorn_logconfig(level: str) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error and access loggers (and the root
    logger, until Django's LOGGING takes over in the worker) write JSON lines to
    stdout through the redacting filter.

    gunicorn merges this over its defaults key by key, so every key it defines
    (loggers, handlers, formatters) is given in full here.
    """
    handler = ["stdout"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        **json_stdout_logging(),
        "root": {"level": level, "handlers": handler},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": handler, "propagate": False},
            # Access lines are INFO: kept whatever LOG_LEVEL says, as before.
            "gunicorn.access": {
                "level": "INFO",
                "handlers": handler,
                "propagate": False,
            },
        },
    }
