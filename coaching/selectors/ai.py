"""The AI companion's reads, scoped to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from coaching.models import AIConversation, AIGenerationJob, AIMessage

if TYPE_CHECKING:
    from accounts.models import User


def ai_job_list(*, user: User) -> QuerySet[AIGenerationJob]:
    return AIGenerationJob.objects.for_user(user)


def ai_conversation_list(*, user: User) -> QuerySet[AIConversation]:
    return AIConversation.objects.for_user(user).order_by("-updated_at", "-id")


def ai_conversation_detail_list(*, user: User) -> QuerySet[AIConversation]:
    """With their messages, oldest first."""
    return ai_conversation_list(user=user).prefetch_related(
        Prefetch("messages", queryset=AIMessage.objects.order_by("created_at", "id"))
    )
