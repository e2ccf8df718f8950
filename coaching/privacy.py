"""The coaching app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from coaching.models import (
    AIConversation,
    AIGenerationJob,
    AIUsageDay,
    TherapistBooking,
)
from coaching.selectors.ai import ai_conversation_detail_list
from coaching.selectors.bookings import booking_detail_list
from kaya.timeutils import instant_text

if TYPE_CHECKING:
    from accounts.models import User


def coaching_export(user: User) -> dict[str, list[dict[str, Any]]]:
    """The user's bookings as a client, with their notes (decrypted) and
    history; their AI conversations, generated content and AI usage."""
    return {
        "therapist_bookings": [
            {
                "id": b.pk,
                "therapist_id": b.therapist_id,
                "therapist_display_name": b.therapist.display_name,
                "starts_at": instant_text(b.starts_at),
                "ends_at": instant_text(b.ends_at),
                "status": b.status,
                "note": b.note,
                "cancelled_at": instant_text(b.cancelled_at),
                "cancelled_late": b.cancelled_late,
                "created_at": instant_text(b.created_at),
                "transitions": [
                    {
                        "from_status": t.from_status,
                        "to_status": t.to_status,
                        "reason": t.reason,
                        "previous_starts_at": instant_text(t.previous_starts_at),
                        "created_at": instant_text(t.created_at),
                    }
                    for t in b.transitions.all()
                ],
            }
            for b in booking_detail_list(user=user).order_by("starts_at", "id")
        ],
        "ai_conversations": [
            {
                "id": c.pk,
                "title": c.title,
                "created_at": instant_text(c.created_at),
                "updated_at": instant_text(c.updated_at),
                "messages": [
                    {
                        "role": m.role,
                        "body": m.body,
                        "replaced": m.replaced,
                        "created_at": instant_text(m.created_at),
                    }
                    for m in c.messages.all()
                ],
            }
            for c in ai_conversation_detail_list(user=user).order_by("created_at", "id")
        ],
        "ai_generation_jobs": [
            {
                "id": j.pk,
                "kind": j.kind,
                "status": j.status,
                "params": j.params,
                "result": j.result,
                "content_id": str(j.content_id),
                "created_at": instant_text(j.created_at),
                "completed_at": instant_text(j.completed_at),
            }
            for j in AIGenerationJob.objects.for_user(user).order_by("created_at", "id")
        ],
        "ai_usage_days": [
            {
                "local_date": u.local_date.isoformat(),
                "chat_messages": u.chat_messages,
                "generations": u.generations,
            }
            for u in AIUsageDay.objects.for_user(user).order_by("local_date")
        ],
    }


@transaction.atomic
def coaching_erase(user: User) -> None:
    """Delete the user's bookings (their history cascades). Steps the user took
    on other people's bookings (as a therapist) lose their actor on deletion."""
    TherapistBooking.objects.for_user(user).delete()
    # AI chats (their messages cascade), generated content and usage counters.
    AIConversation.objects.for_user(user).delete()
    AIGenerationJob.objects.for_user(user).delete()
    AIUsageDay.objects.for_user(user).delete()
