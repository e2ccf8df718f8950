"""The AI companion's workflows: consent, quotas, chat, generation, insights.

Provider calls never run inside a database transaction (a slow model must not
hold locks or a connection's transaction open): each workflow writes what it
must before the call, in a short transaction, and stores the answer after it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jsonschema
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coaching.ai import prompts, safety, sources
from coaching.ai.providers import (
    AIRequest,
    AIResult,
    OfflineProvider,
    ProviderError,
    provider_get,
)
from coaching.exceptions import AIConsentRequiredError, AIQuotaExceededError
from coaching.models import AIConversation, AIGenerationJob, AIMessage, AIUsageDay
from kaya.exceptions import NotFoundError
from kaya.timeutils import local_day_bounds, local_now, local_today
from notifications import realtime

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

CHAT = "chat_messages"
GENERATIONS = "generations"
# Earlier turns sent with a chat message, for context.
CHAT_HISTORY_TURNS = 20
TITLE_CHARS = 60


# --- consent and quotas ---
def ai_consent_require(*, user: User) -> None:
    """AIConsentRequiredError (403) unless the user consented to AI processing
    under the current consent text; checked before anything reaches a
    provider."""
    if not user.has_ai_consent:
        raise AIConsentRequiredError()


def ai_quota_limit(*, user: User, counter: str) -> int:
    premium = user.is_premium
    if counter == CHAT:
        return (
            settings.AI_PREMIUM_CHAT_PER_DAY
            if premium
            else settings.AI_FREE_CHAT_PER_DAY
        )
    return (
        settings.AI_PREMIUM_GENERATIONS_PER_DAY
        if premium
        else settings.AI_FREE_GENERATIONS_PER_DAY
    )


def _seconds_to_local_midnight(user: User) -> int:
    now = local_now(user.timezone)
    _, end = local_day_bounds(now.date(), user.timezone)
    return max(1, math.ceil((end - timezone.now()).total_seconds()))


def ai_quota_take(*, user: User, counter: str) -> None:
    """Count one use of ``counter`` today (the user's local day), or raise
    AIQuotaExceededError (429 with Retry-After until local midnight).

    The check and the count are one conditional UPDATE, so two requests
    racing for the last unit cannot both get it."""
    limit = ai_quota_limit(user=user, counter=counter)
    today = local_today(user.timezone)
    with transaction.atomic():
        try:
            with transaction.atomic():
                AIUsageDay.objects.get_or_create(user=user, local_date=today)
        except IntegrityError:  # created by a concurrent request
            pass
        taken = AIUsageDay.objects.filter(
            user=user, local_date=today, **{f"{counter}__lt": limit}
        ).update(**{counter: F(counter) + 1})
    if not taken:
        raise AIQuotaExceededError(
            headers={"Retry-After": str(_seconds_to_local_midnight(user))}
        )


# --- calling the provider ---
def _generate(request: AIRequest) -> AIResult:
    """The configured provider's answer; the offline one when it fails (after
    its retries, or with its breaker open), so the user always gets one."""
    try:
        return provider_get().generate(request)
    except ProviderError:
        logger.warning(
            "ai provider failed; offline answer", extra={"task": request.task}
        )
        return OfflineProvider().generate(request)


def _stream(request: AIRequest) -> Iterator[str]:
    try:
        yield from provider_get().stream(request)
    except ProviderError:
        logger.warning(
            "ai provider failed; offline answer", extra={"task": request.task}
        )
        yield from OfflineProvider().stream(request)


# --- chat ---
SENTENCE_END = re.compile(r"[.!?\n]\s*")


def _refusal(text: str, *, user: User) -> str:
    if safety.is_crisis(text, user=user):
        return "crisis"
    if safety.out_of_scope(text):
        return "out_of_scope"
    return ""


def _checked_chunks(
    chunks: Iterator[str], *, user: User, refused: list[str]
) -> Iterator[str]:
    """The stream in pieces that end at a sentence boundary, each released only
    once all the text so far passed the crisis and output checks. On a failed
    check it stops and appends the reason to ``refused``: the caller replaces
    the whole answer."""
    released = ""
    pending = ""
    for chunk in chunks:
        pending += chunk
        ends = list(SENTENCE_END.finditer(pending))
        if not ends:
            continue
        cut = ends[-1].end()
        reason = _refusal(released + pending[:cut], user=user)
        if reason:
            refused.append(reason)
            return
        yield pending[:cut]
        released, pending = released + pending[:cut], pending[cut:]
    if pending:
        reason = _refusal(released + pending, user=user)
        if reason:
            refused.append(reason)
            return
        yield pending


def _chat_facts(*, user: User, first_turn: bool) -> dict[str, Any]:
    today = local_today(user.timezone)
    points = sources.data_points(user, today - timedelta(days=6), today)
    return {
        "first_turn": first_turn,
        "sessions_last_7_days": sum(1 for p in points if p["kind"] == "session"),
    }


def ai_chat_send(
    *,
    user: User,
    message: str,
    conversation_id: int | None = None,
    stream: bool = False,
) -> tuple[AIConversation, AIMessage, AIMessage, dict[str, Any] | None]:
    """Store the user's message, get the companion's reply, store it.

    Returns (conversation, user message, reply, support). ``support`` (crisis
    lines) is set when the reply is the crisis message. The user's message is
    crisis-checked before any provider call (a signal: no call at all); the
    model's answer is checked before it is stored or shown.

    Side effects: one chat message off today's quota (429 when none is left);
    a crisis referral counted (no user, no content); with ``stream``,
    ``ai.chat.delta`` events pushed to the user's sockets while the answer
    comes in (each piece released only after the checks), then, after commit,
    ``ai.chat.done`` with the stored reply.
    """
    ai_consent_require(user=user)
    if (
        conversation_id is not None
        and not AIConversation.objects.for_user(user)
        .filter(pk=conversation_id)
        .exists()
    ):
        raise NotFoundError()  # before the quota: a wrong id costs nothing
    ai_quota_take(user=user, counter=CHAT)
    now = timezone.now()
    with transaction.atomic():
        if conversation_id is None:
            conversation = AIConversation.objects.create(
                user=user, title=message[:TITLE_CHARS], created_at=now, updated_at=now
            )
        else:
            found = (
                AIConversation.objects.for_user(user)
                .select_for_update()  # two messages to one conversation: counters
                .filter(pk=conversation_id)
                .first()
            )
            if found is None:
                raise NotFoundError()
            conversation = found
        user_message = AIMessage.objects.create(
            conversation=conversation, role=AIMessage.Role.USER, body=message
        )
        history = list(
            reversed(
                conversation.messages.order_by("-created_at", "-id").values_list(
                    "role", "body"
                )[: CHAT_HISTORY_TURNS + 1]
            )
        )
    first_turn = len(history) == 1
    support: dict[str, Any] | None = None
    replaced = False
    if safety.is_crisis(message, user=user):
        text, support = safety.crisis_reply(user=user)
        replaced = True
        if stream:
            realtime.push_to_user(
                user.pk,
                realtime.AI_CHAT_DELTA,
                {"conversation_id": conversation.pk, "delta": text},
            )
    else:
        request = prompts.chat_request(
            history=history, facts=_chat_facts(user=user, first_turn=first_turn)
        )
        if stream:
            raw = ""
            refused: list[str] = []
            for piece in _checked_chunks(_stream(request), user=user, refused=refused):
                raw += piece
                realtime.push_to_user(
                    user.pk,
                    realtime.AI_CHAT_DELTA,
                    {"conversation_id": conversation.pk, "delta": piece},
                )
            # A stream stopped by a check: the pieces shown so far passed it,
            # the reply as stored (and in ai.chat.done) is the fixed message.
            answer = AIResult(text="" if refused else raw)
            if refused == ["crisis"]:
                text, support = safety.crisis_reply(user=user)
            elif refused:
                text, support = safety.OUT_OF_SCOPE_REPLY, None
            else:
                text, support = safety.checked_output(raw, user=user)
        else:
            answer = _generate(request)
            text, support = safety.checked_output(answer.text, user=user)
            if answer.blocked:
                text, support = safety.FALLBACK_REPLY, None
        replaced = text != answer.text or answer.blocked
    with transaction.atomic():
        reply = AIMessage.objects.create(
            conversation=conversation,
            role=AIMessage.Role.ASSISTANT,
            body=text,
            replaced=replaced,
        )
        AIConversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 2, updated_at=reply.created_at
        )
        conversation.refresh_from_db(fields=["message_count", "updated_at"])
        if stream:
            done = {
                "conversation_id": conversation.pk,
                "message_id": reply.pk,
                "body": text,
                "replaced": replaced,
                "crisis": support is not None,
            }
            transaction.on_commit(
                lambda: realtime.push_to_user(user.pk, realtime.AI_CHAT_DONE, done)
            )
    return conversation, user_message, reply, support


@transaction.atomic
def ai_conversation_delete(*, conversation: AIConversation) -> None:
    """Delete the conversation and its messages. No other side effect."""
    conversation.delete()


def ai_chat_purge_expired(*, now: datetime | None = None) -> int:
    """Delete conversations untouched for ``AI_CHAT_RETENTION_DAYS`` (their
    messages go with them); the number of conversations deleted. Run by
    ``purge_expired`` (beat)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AI_CHAT_RETENTION_DAYS)
    expired = AIConversation.objects.filter(updated_at__lt=cutoff)
    count = expired.count()
    expired.delete()
    return count


def ai_generation_purge_expired(*, now: datetime | None = None) -> int:
    """Delete generation jobs created more than ``AI_GENERATION_RETENTION_DAYS``
    ago, whatever their status; the number deleted. Sessions started from one
    keep its ``content_id`` as a plain reference. Run by ``purge_expired``."""
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.AI_GENERATION_RETENTION_DAYS
    )
    _, by_model = AIGenerationJob.objects.filter(created_at__lt=cutoff).delete()
    return by_model.get(AIGenerationJob._meta.label, 0)


# --- generation ---
def _request_hash(kind: str, params: dict[str, Any]) -> str:
    canonical = json.dumps({"kind": kind, "params": params}, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ai_generation_request(
    *, user: User, kind: str, params: dict[str, Any]
) -> AIGenerationJob:
    """A generation job for a guided session or a sleep story.

    An identical request (same kind and parameters) made within
    ``AI_GENERATION_CACHE_SECONDS`` that has not failed returns that job again:
    no new generation, no quota used.

    Side effects: one generation off today's quota (429 when none is left);
    after commit, the ``coaching.generate_ai_content`` task.
    """
    ai_consent_require(user=user)
    params = {**params, "locale": user.locale}
    digest = _request_hash(kind, params)
    since = timezone.now() - timedelta(seconds=settings.AI_GENERATION_CACHE_SECONDS)
    reused = (
        AIGenerationJob.objects.for_user(user)
        .filter(request_hash=digest, created_at__gte=since)
        .exclude(status=AIGenerationJob.Status.FAILED)
        .order_by("-created_at", "-id")
        .first()
    )
    if reused is not None:
        return reused
    ai_quota_take(user=user, counter=GENERATIONS)
    with transaction.atomic():
        job = AIGenerationJob.objects.create(
            user=user, kind=kind, params=params, request_hash=digest
        )
        transaction.on_commit(lambda: _enqueue_generation(job.pk))
    return job


def _enqueue_generation(job_id: int) -> None:
    from coaching.tasks import generate_ai_content

    generate_ai_content.delay(job_id=job_id)


def _practice_valid(value: Any, *, user: User) -> bool:
    try:
        jsonschema.validate(value, prompts.PRACTICE_SCHEMA)
    except jsonschema.ValidationError:
        return False
    text = " ".join(
        [value["title"], value["script"]]
        + [f"{s['title']} {s['instruction']}" for s in value["steps"]]
    )
    return not (safety.is_crisis(text, user=user) or safety.out_of_scope(text))


def _practice_generate(job: AIGenerationJob) -> tuple[dict[str, Any], str]:
    """The validated result and the provider that made it; the offline
    provider's when the model's answer is blocked, not the schema's shape, or
    fails the safety checks."""
    build = (
        prompts.session_request
        if job.kind == AIGenerationJob.Kind.SESSION
        else prompts.sleep_story_request
    )
    request = build(params=job.params)
    answer = _generate(request)
    if not answer.blocked:
        try:
            value = answer.json()
        except ValueError:
            value = None
        if _practice_valid(value, user=job.user):
            return value, answer.provider
    logger.warning("ai generation unusable; offline result", extra={"job_id": job.pk})
    offline = OfflineProvider().generate(request)
    return offline.json(), offline.provider


def ai_generation_run(*, job_id: int) -> AIGenerationJob | None:
    """Generate and store a job's result (the task's body). Idempotent: a
    finished job is left as it is; a redelivered running job runs again.

    Side effects after commit: ``ai.generation.completed`` pushed live and an
    ``ai_generation_completed`` notification.
    """
    from notifications.models import Notification
    from notifications.services import notification_create

    job = (
        AIGenerationJob.objects.select_related("user")
        .filter(pk=job_id)
        .exclude(
            status__in=[AIGenerationJob.Status.SUCCEEDED, AIGenerationJob.Status.FAILED]
        )
        .first()
    )
    if job is None:
        return None
    AIGenerationJob.objects.filter(pk=job.pk).update(
        status=AIGenerationJob.Status.RUNNING
    )
    try:
        result, provider = _practice_generate(job)
    except Exception:
        AIGenerationJob.objects.filter(pk=job.pk).update(
            status=AIGenerationJob.Status.FAILED,
            error_code="generation_failed",
            completed_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        job.status = AIGenerationJob.Status.SUCCEEDED
        job.result = result
        job.provider = provider
        job.completed_at = timezone.now()
        job.save(update_fields=["status", "result", "provider", "completed_at"])
        label = (
            "sleep story" if job.kind == AIGenerationJob.Kind.SLEEP_STORY else "session"
        )
        notification_create(
            user=job.user,
            type=Notification.Type.AI_GENERATION_COMPLETED,
            # Never the goal or the title: they are the user's words.
            title=f"Your {label} is ready",
            data={"job_id": job.pk, "content_id": str(job.content_id)},
        )
        payload = {
            "job_id": job.pk,
            "kind": job.kind,
            "status": job.status,
            "content_id": str(job.content_id),
        }
        user_id = job.user_id
        transaction.on_commit(
            lambda: realtime.push_to_user(
                user_id, realtime.AI_GENERATION_COMPLETED, payload
            )
        )
    return job


# --- mood insights ---
def _insights_valid(value: Any, refs: set[str], *, user: User) -> list[dict[str, Any]]:
    try:
        jsonschema.validate(value, prompts.INSIGHTS_SCHEMA)
    except jsonschema.ValidationError:
        return []
    return [
        item
        for item in value["insights"]
        if set(item["data_point_ids"]) <= refs
        and not safety.is_crisis(item["text"], user=user)
        and not safety.out_of_scope(item["text"])
    ]


def ai_mood_insights(
    *, user: User, date_from: date, date_to: date, include_journal_text: bool = False
) -> list[dict[str, Any]]:
    """Observations over the user's own moods, sessions and journal days in
    the range (local dates, both included), each with the data points it cites.
    Journal text is sent to the provider only with ``include_journal_text``.
    Never a diagnosis: the output check drops one that reads like it.

    Side effects: one generation off today's quota.
    """
    ai_consent_require(user=user)
    ai_quota_take(user=user, counter=GENERATIONS)
    points = sources.data_points(user, date_from, date_to)
    if not points:
        return []
    journal_texts: dict[str, str] = {}
    if include_journal_text:
        from journal.models import JournalEntry

        journal_texts = {
            f"journal:{entry.pk}": entry.body
            for entry in JournalEntry.objects.for_user(user).filter(
                local_date__range=(date_from, date_to)
            )
        }
    request = prompts.insights_request(points=points, journal_texts=journal_texts)
    by_ref = {p["ref"]: p for p in points}
    answer = _generate(request)
    insights: list[dict[str, Any]] = []
    if not answer.blocked:
        try:
            insights = _insights_valid(answer.json(), set(by_ref), user=user)
        except ValueError:
            insights = []
    if not insights:
        insights = _insights_valid(
            OfflineProvider().generate(request).json(), set(by_ref), user=user
        )
    return [
        {
            "text": item["text"],
            "data_points": [by_ref[r] for r in item["data_point_ids"]],
        }
        for item in insights
    ]
