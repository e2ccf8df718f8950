"""The offline provider's templates: useful, deterministic, no network.

Each task builds its answer from ``request.facts`` (the same minimised facts a
model would get), so two identical requests get the same answer.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from coaching.ai.providers import USER, AIRequest

CHAT_OPENINGS = (
    "Thank you for sharing that with me.",
    "I hear you, and it makes sense to feel that way.",
    "That sounds like a lot to carry.",
    "I'm glad you took a moment to put this into words.",
)
CHAT_SUGGESTIONS = (
    "Would a few slow breaths help right now? Breathe in for four counts and out "
    "for six, five times.",
    "You could try naming five things you can see and three you can hear, to "
    "come back to the present moment.",
    "A short body scan might help: notice your feet, your shoulders, your jaw, "
    "and let each one soften a little.",
    "Writing down one small thing that went okay today can take some weight off.",
)
AI_NOTE = (
    "I'm KAYA's AI companion, here for wellness support; I'm not a therapist, "
    "and for anything medical a professional is the right person to ask."
)

SESSION_PHASES = (
    ("Arrive", "Settle into a comfortable position and let your eyes soften."),
    ("Breathe", "Breathe in slowly through your nose, and out a little longer."),
    ("Focus", "Bring your attention to {goal}, gently, without judging."),
    ("Widen", "Let your awareness open to the whole body and the room around you."),
    ("Return", "Take one deeper breath, and come back when you are ready."),
)
STORY_SCENES = (
    "The evening light settles over {theme}, soft and slow.",
    "You walk without hurry; every step is lighter than the one before.",
    "Somewhere near, water moves quietly, keeping time with your breath.",
    "The air grows cooler and the sounds fade into a gentle hush.",
    "There is nowhere to be and nothing to do; you can simply rest here.",
)


def _pick(options: tuple[str, ...], seed: str) -> str:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return options[digest[0] % len(options)]


def _last_user_text(request: AIRequest) -> str:
    for role, text in reversed(request.turns):
        if role == USER:
            return text
    return ""


def _chat(request: AIRequest) -> str:
    message = _last_user_text(request)
    facts = request.facts
    parts = [_pick(CHAT_OPENINGS, message)]
    sessions = facts.get("sessions_last_7_days")
    if sessions:
        parts.append(
            f"You've practised {sessions} time{'s' if sessions != 1 else ''} this "
            "week; that steadiness counts."
        )
    parts.append(_pick(CHAT_SUGGESTIONS, message[::-1]))
    if facts.get("first_turn"):
        parts.append(AI_NOTE)
    return " ".join(parts)


def _split(total: int, count: int) -> list[int]:
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _session(request: AIRequest) -> str:
    facts = request.facts
    goal = str(facts.get("goal") or "your breath")
    duration = int(facts.get("duration_seconds") or 300)
    kind = str(facts.get("session_type") or "meditation")
    steps: list[dict[str, Any]] = [
        {
            "title": title,
            "instruction": text.format(goal=goal),
            "duration_seconds": seconds,
        }
        for (title, text), seconds in zip(
            SESSION_PHASES, _split(duration, len(SESSION_PHASES)), strict=True
        )
    ]
    script = " ".join(step["instruction"] for step in steps)
    return json.dumps(
        {
            "title": f"{kind.replace('_', ' ').capitalize()}: {goal}"[:120],
            "steps": steps,
            "script": script,
        }
    )


def _sleep_story(request: AIRequest) -> str:
    facts = request.facts
    theme = str(facts.get("theme") or "a quiet shore")
    duration = int(facts.get("duration_seconds") or 600)
    steps: list[dict[str, Any]] = [
        {
            "title": f"Part {i + 1}",
            "instruction": scene.format(theme=theme),
            "duration_seconds": seconds,
        }
        for i, (scene, seconds) in enumerate(
            zip(STORY_SCENES, _split(duration, len(STORY_SCENES)), strict=True)
        )
    ]
    return json.dumps(
        {
            "title": f"A sleep story: {theme}"[:120],
            "steps": steps,
            "script": " ".join(step["instruction"] for step in steps),
        }
    )


def _insights(request: AIRequest) -> str:
    points: list[dict[str, Any]] = list(request.facts.get("data_points", []))
    moods = [p for p in points if p["kind"] == "mood"]
    sessions = [p for p in points if p["kind"] == "session"]
    journals = [p for p in points if p["kind"] == "journal"]
    insights: list[dict[str, Any]] = []
    if moods:
        scores = [p["score"] for p in moods]
        average = sum(scores) / len(scores)
        insights.append(
            {
                "text": f"You checked in on your mood {len(moods)} time"
                f"{'s' if len(moods) != 1 else ''}; on a 1-5 scale your moods "
                f"averaged {average:.1f}.",
                "data_point_ids": [p["ref"] for p in moods],
            }
        )
        practice_days = {p["local_date"] for p in sessions}
        with_practice = [p for p in moods if p["local_date"] in practice_days]
        without = [p for p in moods if p["local_date"] not in practice_days]
        if with_practice and without:
            a = sum(p["score"] for p in with_practice) / len(with_practice)
            b = sum(p["score"] for p in without) / len(without)
            insights.append(
                {
                    "text": f"On days you practised, your moods averaged {a:.1f}; "
                    f"on other days {b:.1f}.",
                    "data_point_ids": [p["ref"] for p in with_practice + without],
                }
            )
    if sessions:
        minutes = sum(p.get("duration_seconds") or 0 for p in sessions) // 60
        insights.append(
            {
                "text": f"You completed {len(sessions)} session"
                f"{'s' if len(sessions) != 1 else ''}, about {minutes} minutes "
                "of practice in all.",
                "data_point_ids": [p["ref"] for p in sessions],
            }
        )
    if journals:
        days = len({p["local_date"] for p in journals})
        insights.append(
            {
                "text": f"You wrote in your journal on {days} "
                f"day{'s' if days != 1 else ''} in this period.",
                "data_point_ids": [p["ref"] for p in journals],
            }
        )
    return json.dumps({"insights": insights})


TASKS = {
    "chat": _chat,
    "session": _session,
    "sleep_story": _sleep_story,
    "insights": _insights,
}


def answer(request: AIRequest) -> str:
    return TASKS[request.task](request)
