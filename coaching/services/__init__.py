"""Writes and workflows of the coaching app, by entity: the therapist directory,
bookings and the AI companion (``ai``)."""

from coaching.services.ai import ai_chat_purge_expired, ai_generation_purge_expired

__all__ = ["ai_chat_purge_expired", "ai_generation_purge_expired"]
