"""Requests for the provider, built from minimised facts.

Nothing here reads or sends an email, a name or a user id: the model sees the
user's own words in a chat, the parameters of a generation, and numbers and
dates for insights.
"""

from __future__ import annotations

import json
from typing import Any

from coaching.ai.providers import MODEL, USER, AIRequest
from coaching.ai.safety import SYSTEM_INSTRUCTIONS

# The shape of a generated session or sleep story; checked again on receipt.
PRACTICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 120},
        "steps": {
            "type": "array",
            "minItems": 1,
            "maxItems": 20,
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 120},
                    "instruction": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 2000,
                    },
                    "duration_seconds": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 3600,
                    },
                },
                "required": ["title", "instruction", "duration_seconds"],
                "additionalProperties": False,
            },
        },
        "script": {"type": "string", "minLength": 1, "maxLength": 20000},
    },
    "required": ["title", "steps", "script"],
    "additionalProperties": False,
}

INSIGHTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "insights": {
            "type": "array",
            "maxItems": 6,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": 500},
                    "data_point_ids": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string"},
                    },
                },
                "required": ["text", "data_point_ids"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["insights"],
    "additionalProperties": False,
}


def chat_request(*, history: list[tuple[str, str]], facts: dict[str, Any]) -> AIRequest:
    """``history``: (role, text) oldest first, ending with the user's message."""
    turns = tuple((USER if role == "user" else MODEL, text) for role, text in history)
    return AIRequest(task="chat", system=SYSTEM_INSTRUCTIONS, turns=turns, facts=facts)


def session_request(*, params: dict[str, Any]) -> AIRequest:
    kind = str(params.get("session_type", "meditation")).replace("_", " ")
    prompt = (
        f"Write a guided {kind} session of "
        f"{params['duration_seconds']} seconds in total for this goal: "
        f"{params['goal']}. Voice style: {params.get('voice_style', 'calm')}. "
        f"Language: {params.get('locale', 'en')}. Split it into steps whose "
        "duration_seconds add up to the total; the script is the full text to "
        "read aloud."
    )
    return AIRequest(
        task="session",
        system=SYSTEM_INSTRUCTIONS,
        turns=((USER, prompt),),
        facts=params,
        json_schema=PRACTICE_SCHEMA,
    )


def sleep_story_request(*, params: dict[str, Any]) -> AIRequest:
    prompt = (
        f"Write a calm sleep story about {params['theme']}, "
        f"{params['duration_seconds']} seconds long when read slowly. Language: "
        f"{params.get('locale', 'en')}. Split it into parts (steps) whose "
        "duration_seconds add up to the total; the script is the full story."
    )
    return AIRequest(
        task="sleep_story",
        system=SYSTEM_INSTRUCTIONS,
        turns=((USER, prompt),),
        facts=params,
        json_schema=PRACTICE_SCHEMA,
    )


def insights_request(
    *, points: list[dict[str, Any]], journal_texts: dict[str, str]
) -> AIRequest:
    prompt = (
        "Here are a person's wellness check-ins as data points (moods on a 1-5 "
        "score, practice sessions, journal days). Give up to four short, kind "
        "observations about patterns in them. Each must cite the data_point_ids "
        "(the `ref` values) it rests on. Describe, never diagnose; no medical, "
        "medication or diet advice.\n\nData points:\n"
        + json.dumps(points, sort_keys=True)
    )
    if journal_texts:
        prompt += "\n\nJournal text, by ref:\n" + json.dumps(
            journal_texts, sort_keys=True
        )
    return AIRequest(
        task="insights",
        system=SYSTEM_INSTRUCTIONS,
        turns=((USER, prompt),),
        facts={"data_points": points},
        json_schema=INSIGHTS_SCHEMA,
    )
