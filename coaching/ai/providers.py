"""One provider interface, two implementations.

``GeminiProvider`` talks to Gemini through the maintained ``google-genai`` SDK
with a per-attempt timeout, retries with doubling backoff on transient errors
only (429, 5xx, timeouts, dropped connections) and a circuit breaker shared by
every process through the cache. ``OfflineProvider`` answers from templates and
the facts the service hands it (the user's own data), with no network; it is
the default when ``GEMINI_API_KEY`` is unset.

A request carries what each provider needs: the system instruction and turns
for a model, the task and its facts for the templates. Prompts never carry an
email, a name or a user id: ``coaching.ai.prompts`` builds them from
minimised facts.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

USER = "user"
MODEL = "model"

# Statuses worth another attempt: rate limited, or the service had a bad moment.
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class AIRequest:
    task: str  # "chat", "session", "sleep_story", "insights"
    system: str
    turns: tuple[tuple[str, str], ...]  # (USER | MODEL, text), oldest first
    facts: dict[str, Any] = field(default_factory=dict)
    # A JSON Schema: the answer must be one JSON object of this shape.
    json_schema: dict[str, Any] | None = None


@dataclass(frozen=True)
class AIResult:
    text: str  # "" when blocked or empty
    blocked: bool = False
    block_reason: str = ""
    provider: str = ""

    def json(self) -> Any:
        """The answer parsed as JSON; ValueError if it is not JSON."""
        return json.loads(self.text)


class ProviderError(Exception):
    """The provider could not answer (after its retries, or with its breaker
    open); the caller falls back, never shows this to the user."""


class ProviderUnavailableError(ProviderError):
    """The circuit breaker is open: no call was made."""


class Provider(Protocol):
    name: str

    def generate(self, request: AIRequest) -> AIResult: ...

    def stream(self, request: AIRequest) -> Iterator[str]: ...


# --- the circuit breaker ---------------------------------------------------------
BREAKER_FAILURES_KEY = "ai:gemini:breaker:failures"
BREAKER_OPEN_KEY = "ai:gemini:breaker:open"


def breaker_is_open() -> bool:
    return bool(cache.get(BREAKER_OPEN_KEY))


def breaker_record_success() -> None:
    cache.delete(BREAKER_FAILURES_KEY)


def breaker_record_failure() -> None:
    cache.add(BREAKER_FAILURES_KEY, 0, timeout=settings.GEMINI_BREAKER_SECONDS * 10)
    try:
        failures = cache.incr(BREAKER_FAILURES_KEY)
    except ValueError:  # expired between add and incr
        failures = 1
        cache.set(BREAKER_FAILURES_KEY, 1)
    if failures >= settings.GEMINI_BREAKER_FAILURES:
        cache.set(BREAKER_OPEN_KEY, 1, timeout=settings.GEMINI_BREAKER_SECONDS)
        cache.delete(BREAKER_FAILURES_KEY)
        logger.warning("gemini circuit breaker opened")


def breaker_reset() -> None:
    cache.delete_many([BREAKER_FAILURES_KEY, BREAKER_OPEN_KEY])


# --- Gemini ------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _gemini_client(api_key: str, base_url: str, timeout_ms: int) -> Any:
    from google import genai
    from google.genai import types

    options = types.HttpOptions(timeout=timeout_ms, base_url=base_url or None)
    return genai.Client(api_key=api_key, http_options=options)


def _is_transient(exc: Exception) -> bool:
    import httpx2  # the SDK's own httpx fork
    from google.genai import errors

    if isinstance(exc, errors.APIError):
        return exc.code in TRANSIENT_STATUSES
    return isinstance(
        exc,
        (httpx2.TimeoutException, httpx2.TransportError),
    )


class GeminiProvider:
    name = "gemini"

    def _client(self) -> Any:
        return _gemini_client(
            settings.GEMINI_API_KEY,
            settings.GEMINI_BASE_URL,
            settings.GEMINI_TIMEOUT_MS,
        )

    def _arguments(self, request: AIRequest) -> dict[str, Any]:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=request.system,
            # No tools are offered: nothing for automatic function calling to do.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(
                disable=True
            ),
        )
        if request.json_schema is not None:
            config.response_mime_type = "application/json"
            config.response_json_schema = request.json_schema
        contents = [
            types.Content(role=role, parts=[types.Part(text=text)])
            for role, text in request.turns
        ]
        return {"model": settings.GEMINI_MODEL, "contents": contents, "config": config}

    def _with_retries(self, call: Any) -> Any:
        if breaker_is_open():
            raise ProviderUnavailableError("circuit breaker open")
        delay = settings.GEMINI_BACKOFF_MS / 1000
        attempts = settings.GEMINI_MAX_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                result = call()
            except Exception as exc:
                transient = _is_transient(exc)
                logger.warning(
                    "gemini call failed",
                    extra={
                        "attempt": attempt,
                        "transient": transient,
                        "error": type(exc).__name__,
                    },
                )
                if not transient:
                    # A 4xx other than 429 is our bug (bad request, bad key):
                    # repeating it cannot help, and it says nothing of the
                    # service's health.
                    raise ProviderError(type(exc).__name__) from exc
                if attempt == attempts:
                    breaker_record_failure()
                    raise ProviderError(type(exc).__name__) from exc
                time.sleep(delay)
                delay *= 2
            else:
                breaker_record_success()
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def generate(self, request: AIRequest) -> AIResult:
        arguments = self._arguments(request)
        response = self._with_retries(
            lambda: self._client().models.generate_content(**arguments)
        )
        return _result(response)

    def stream(self, request: AIRequest) -> Iterator[str]:
        """Text chunks as they come; a blocked answer yields nothing. Retries
        cover opening the stream only: a stream cut halfway raises."""
        arguments = self._arguments(request)
        chunks = self._with_retries(
            lambda: iter(self._client().models.generate_content_stream(**arguments))
        )
        for chunk in chunks:
            text = _result(chunk).text
            if text:
                yield text


def _result(response: Any) -> AIResult:
    feedback = getattr(response, "prompt_feedback", None)
    if feedback is not None and feedback.block_reason:
        return AIResult(
            text="",
            blocked=True,
            block_reason=str(feedback.block_reason.value),
            provider=GeminiProvider.name,
        )
    candidates = response.candidates or []
    parts = (
        candidates[0].content.parts
        if candidates and candidates[0].content and candidates[0].content.parts
        else []
    )
    text = "".join(p.text for p in parts if p.text and not p.thought)
    finish = candidates[0].finish_reason if candidates else None
    if finish is not None and finish.value in {"SAFETY", "PROHIBITED_CONTENT"}:
        return AIResult(
            text="", blocked=True, block_reason=finish.value, provider="gemini"
        )
    return AIResult(text=text, provider=GeminiProvider.name)


# --- offline -------------------------------------------------------------------------
class OfflineProvider:
    """Deterministic answers from templates and the facts given: the same
    request always gets the same answer, and nothing leaves the process."""

    name = "offline"

    def generate(self, request: AIRequest) -> AIResult:
        from coaching.ai import offline

        return AIResult(text=offline.answer(request), provider=self.name)

    def stream(self, request: AIRequest) -> Iterator[str]:
        text = self.generate(request).text
        words = text.split(" ")
        for index in range(0, len(words), 8):
            yield " ".join(words[index : index + 8]) + (
                " " if index + 8 < len(words) else ""
            )


def provider_get() -> Provider:
    """Gemini when a key is configured, else the offline provider."""
    if settings.GEMINI_API_KEY:
        return GeminiProvider()
    return OfflineProvider()
