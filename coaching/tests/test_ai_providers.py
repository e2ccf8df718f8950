"""The Gemini provider through the real google-genai code path, against a local
stub server; and the offline provider."""

from __future__ import annotations

import json

import pytest

from coaching.ai import providers
from coaching.ai.providers import (
    USER,
    AIRequest,
    GeminiProvider,
    OfflineProvider,
    ProviderError,
    ProviderUnavailableError,
)
from coaching.tests.gemini_stub import Answer, blocked_body, text_body

pytestmark = pytest.mark.django_db

REQUEST = AIRequest(task="chat", system="Be kind.", turns=((USER, "Hello"),))


def test_generate_returns_the_models_text(gemini):
    gemini.text("Hi there.")
    result = GeminiProvider().generate(REQUEST)
    assert result.text == "Hi there."
    assert result.blocked is False
    assert len(gemini.requests) == 1
    sent = gemini.requests[0]
    assert sent["path"].endswith("/models/gemini-2.5-flash:generateContent")
    assert sent["json"]["contents"] == [{"role": "user", "parts": [{"text": "Hello"}]}]
    assert sent["json"]["systemInstruction"]["parts"] == [{"text": "Be kind."}]


def test_stream_yields_each_chunk(gemini):
    gemini.reply(
        Answer(chunks=[text_body("Hel", ""), text_body("lo ", ""), text_body("you")])
    )
    assert list(GeminiProvider().stream(REQUEST)) == ["Hel", "lo ", "you"]
    assert "streamGenerateContent" in gemini.requests[0]["path"]


def test_structured_output_sends_the_schema_and_parses_json(gemini):
    schema = {"type": "object", "properties": {"title": {"type": "string"}}}
    gemini.text(json.dumps({"title": "Calm"}))
    request = AIRequest(
        task="session", system="s", turns=((USER, "x"),), json_schema=schema
    )
    result = GeminiProvider().generate(request)
    assert result.json() == {"title": "Calm"}
    config = gemini.requests[0]["json"]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == schema


def test_blocked_prompt_is_a_blocked_result_with_its_reason(gemini):
    gemini.reply(Answer(body=blocked_body("SAFETY")))
    result = GeminiProvider().generate(REQUEST)
    assert (result.text, result.blocked, result.block_reason) == ("", True, "SAFETY")


def test_429_is_retried_then_raises_after_the_last_attempt(gemini):
    gemini.reply(gemini.error(429))
    with pytest.raises(ProviderError):
        GeminiProvider().generate(REQUEST)
    assert len(gemini.requests) == 3


def test_500_then_success_returns_the_answer(gemini):
    gemini.reply(gemini.error(500), Answer(body=text_body("Recovered.")))
    assert GeminiProvider().generate(REQUEST).text == "Recovered."
    assert len(gemini.requests) == 2


def test_400_is_not_retried(gemini):
    gemini.reply(gemini.error(400))
    with pytest.raises(ProviderError):
        GeminiProvider().generate(REQUEST)
    assert len(gemini.requests) == 1


def test_timeout_is_retried_then_raises(gemini, settings):
    settings.GEMINI_TIMEOUT_MS = 200
    settings.GEMINI_MAX_ATTEMPTS = 2
    gemini.reply(Answer(body=text_body("late"), delay_seconds=1.5))
    with pytest.raises(ProviderError):
        GeminiProvider().generate(REQUEST)
    assert len(gemini.requests) == 2


def test_breaker_opens_after_failures_and_then_makes_no_call(gemini, settings):
    settings.GEMINI_MAX_ATTEMPTS = 1
    settings.GEMINI_BREAKER_FAILURES = 2
    gemini.reply(gemini.error(503))
    for _ in range(2):
        with pytest.raises(ProviderError):
            GeminiProvider().generate(REQUEST)
    with pytest.raises(ProviderUnavailableError):
        GeminiProvider().generate(REQUEST)
    assert len(gemini.requests) == 2


def test_offline_is_the_default_without_a_key(settings):
    settings.GEMINI_API_KEY = ""
    assert isinstance(providers.provider_get(), OfflineProvider)
    settings.GEMINI_API_KEY = "k"
    assert isinstance(providers.provider_get(), GeminiProvider)


def test_offline_session_is_deterministic_valid_json_summing_to_the_duration():
    request = AIRequest(
        task="session",
        system="",
        turns=(),
        facts={"goal": "sleep", "duration_seconds": 601, "session_type": "meditation"},
    )
    first = OfflineProvider().generate(request).json()
    assert OfflineProvider().generate(request).json() == first
    assert sum(step["duration_seconds"] for step in first["steps"]) == 601
    assert first["title"] == "Meditation: sleep"
