"""Admin pieces shared by every app's staff console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kaya.models import OutboxEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look, not add, edit or delete (audit trails, users' records)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    """The email outbox (kaya.outbox): where each email is, never its content."""

    list_display = (
        "id",
        "kind",
        "object_id",
        "status",
        "attempts",
        "send_after",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "kind")
    search_fields = ("idempotency_key",)
