"""Every log record of the test run, formatted as the production handler writes
it (kaya.logging's filters and JSON formatter), is scanned for secrets: a JWT, the
test users' password, a signed email-link token (verification, password reset,
email preferences) and the journal canary, a phrase the journal factory writes
into every entry's body (health text must never reach a log).

The root conftest.py installs one ``LogScanner`` for the session and fails the
test during which a line leaked (and the session, for a line logged outside any
test).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from kaya.logging import (
    JSON_LOG_FORMAT,
    JsonFormatter,
    RedactSecretsFilter,
    RequestIdFilter,
)

# Planted in journal/tests/factories.py (JournalEntryFactory.body).
JOURNAL_CANARY = "canary-3f9c: the night I could not stop crying"

JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# django.core.signing.dumps: [.]payload:timestamp:signature (the email links).
SIGNED_TOKEN = re.compile(
    r"\.?eyJ[A-Za-z0-9_-]{10,}:[A-Za-z0-9]{4,}:[A-Za-z0-9_-]{20,}"
)


def _secrets() -> dict[str, re.Pattern[str]]:
    from accounts.tests.factories import TEST_PASSWORD

    return {
        "a JWT": JWT,
        "a signed email-link token": SIGNED_TOKEN,
        "the test password": re.compile(re.escape(TEST_PASSWORD), re.IGNORECASE),
        "the journal canary": re.compile(re.escape(JOURNAL_CANARY), re.IGNORECASE),
    }


@dataclass
class Finding:
    what: str
    logger: str
    line: str


@dataclass
class LogScanner:
    findings: list[Finding] = field(default_factory=list)
    _original: Any = None

    def __post_init__(self) -> None:
        self.secrets = _secrets()
        self.formatter = JsonFormatter(JSON_LOG_FORMAT)
        self.filters = (RequestIdFilter(), RedactSecretsFilter())

    def scan(self, record: logging.LogRecord) -> None:
        # A copy: the real handlers' filters must see the record as it came.
        copy = logging.makeLogRecord(vars(record).copy())
        for filter_ in self.filters:
            filter_.filter(copy)
        try:
            line = self.formatter.format(copy)
        except Exception as error:
            line = f"<unformattable record: {error!r}> {record.msg!r}"
        for what, pattern in self.secrets.items():
            if pattern.search(line):
                self.findings.append(Finding(what, record.name, line[:500]))

    def install(self) -> None:
        """Wrap ``Logger.callHandlers``: every record any logger emits (whether
        or not it propagates to the root) passes through ``scan``."""
        scanner = self
        original = logging.Logger.callHandlers
        self._original = original

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            original(logger, record)
            scanner.scan(record)

        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            logging.Logger.callHandlers = self._original  # type: ignore[method-assign]
            self._original = None


def describe(findings: list[Finding]) -> str:
    return "\n".join(f"{f.what} in a {f.logger!r} log line: {f.line}" for f in findings)
