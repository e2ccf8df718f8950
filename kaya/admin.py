"""Admin pieces shared by every app's staff console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kaya.models import OutboxEmail

# The staff console's name, on every admin page and the browser tab.
admin.site.site_header = "KAYA staff console"
admin.site.site_title = "KAYA staff console"
admin.site.index_title = "Dashboard"


AUDIT_FIELDS = ("created_at", "updated_at")


def audit_fields_read_only(site: admin.AdminSite) -> None:
    """Every admin shows its model's creation and update times, read-only.

    Run once the admins are registered (``KayaConfig.ready``), so no admin can
    forget them; an admin with an explicit field list still decides where (or
    whether) they appear.
    """
    for model, model_admin in site._registry.items():
        names = {f.name for f in model._meta.concrete_fields}
        missing = tuple(
            name
            for name in AUDIT_FIELDS
            if name in names and name not in model_admin.readonly_fields
        )
        if missing:
            model_admin.readonly_fields = (*model_admin.readonly_fields, *missing)  # type: ignore[misc]


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
