"""The staff console for the community: the moderation queue and its actions,
support groups, blocked terms and bans.

The queue is the post and comment changelists: by default only what needs a
decision (held by the crisis check, reported, or hidden by reports), crisis
flagged first, then the most reported, with the open report count and reasons
per target. Every action goes through a ``community.services`` function, which
records it in the accounts audit log and notifies the author where it touches
them. Moderators are staff with the community permissions only: nothing here
links to journals or moods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from accounts.admin import AuditedAdminMixin
from accounts.context import RequestContext
from community import services
from community.models import (
    BlockedTerm,
    Comment,
    CommunityBan,
    ContentStatus,
    Post,
    Report,
    SupportGroup,
    SupportGroupMember,
)

OPEN = Q(reports__status=Report.Status.OPEN)


def _with_reports(queryset: QuerySet, related: tuple[str, ...]) -> QuerySet:
    reasons = {
        f"reports_{reason}": Count(
            "reports", filter=OPEN & Q(reports__reason=reason), distinct=True
        )
        for reason in Report.Reason.values
    }
    return queryset.select_related(*related).annotate(
        open_reports=Count("reports", filter=OPEN, distinct=True), **reasons
    )


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "Needs review"), ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "") == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup} if lookup else {},
                    [] if lookup else [self.parameter_name],
                ),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "all":
            return queryset
        return queryset.filter(
            Q(status=ContentStatus.HELD)
            | Q(open_reports__gt=0)
            | Q(status=ContentStatus.HIDDEN, deleted_at__isnull=True)
        )


def _each(
    service: Callable[..., Any], done: str
) -> Callable[[Any, HttpRequest, QuerySet], None]:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        for target in queryset:
            service(target=target, actor=request.user, context=context)
        modeladmin.message_user(request, f"{done}: {len(queryset)}.", messages.SUCCESS)

    return run


def _each_author(
    service: Callable[..., Any], done: str
) -> Callable[[Any, HttpRequest, QuerySet], None]:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        authors = {target.author_id: target.author for target in queryset}
        for author in authors.values():
            service(user=author, actor=request.user, context=context)
        modeladmin.message_user(request, f"{done}: {len(authors)}.", messages.SUCCESS)

    return run


class ModerationAdmin(admin.ModelAdmin):
    list_select_related: tuple[str, ...] = ("author",)
    list_filter = (NeedsReviewFilter, "status", "crisis_flagged")
    search_fields = ("body", "author__email")
    raw_id_fields = ("author",)
    actions = ["hide", "restore", "dismiss_reports", "warn_author", "ban_author"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_reports(
            super().get_queryset(request), self.list_select_related
        ).order_by("-crisis_flagged", "-open_reports", "-created_at", "-id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="open reports", ordering="open_reports")
    def reports(self, obj: Any) -> int:
        return int(obj.open_reports)

    @admin.display(description="reasons")
    def reasons(self, obj: Any) -> str:
        counts = [
            f"{label}: {getattr(obj, f'reports_{value}')}"
            for value, label in Report.Reason.choices
            if getattr(obj, f"reports_{value}", 0)
        ]
        return ", ".join(counts) or "-"

    @admin.display(description="text")
    def excerpt(self, obj: Any) -> str:
        return obj.body[:80]

    hide = admin.action(description="Hide (from everyone but the author)")(
        _each(services.content_hide, "Hidden")
    )
    restore = admin.action(description="Restore (publish again)")(
        _each(services.content_restore, "Restored")
    )
    dismiss_reports = admin.action(description="Dismiss the open reports")(
        _each(services.reports_dismiss, "Reports dismissed on")
    )
    warn_author = admin.action(description="Warn the author")(
        _each_author(services.user_warn, "Warned")
    )
    ban_author = admin.action(description="Ban the author from the community")(
        _each_author(services.user_ban_community, "Banned")
    )


@admin.register(Post)
class PostAdmin(ModerationAdmin):
    list_select_related = ("author", "group")
    list_display = (
        "id",
        "excerpt",
        "author",
        "is_anonymous",
        "group",
        "status",
        "crisis_flagged",
        "reports",
        "reasons",
        "created_at",
    )
    readonly_fields = (
        "author",
        "group",
        "body",
        "is_anonymous",
        "topics",
        "status",
        "crisis_flagged",
        "like_count",
        "comment_count",
        "edited_at",
        "deleted_at",
        "created_at",
    )
    actions = [*ModerationAdmin.actions, "ban_from_group"]

    @admin.action(description="Ban the author from the post's group")
    def ban_from_group(self, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        banned = 0
        for post in queryset.filter(group__isnull=False).select_related("group"):
            membership, _ = SupportGroupMember.objects.get_or_create(
                group=post.group, user=post.author
            )
            services.user_ban_group(
                membership=membership, actor=request.user, context=context
            )
            banned += 1
        self.message_user(request, f"Banned from their group: {banned}.")


@admin.register(Comment)
class CommentAdmin(ModerationAdmin):
    list_select_related = ("author", "post")
    list_display = (
        "id",
        "excerpt",
        "author",
        "post",
        "status",
        "crisis_flagged",
        "reports",
        "reasons",
        "created_at",
    )
    readonly_fields = (
        "post",
        "author",
        "parent",
        "body",
        "is_anonymous",
        "status",
        "crisis_flagged",
        "edited_at",
        "deleted_at",
        "created_at",
    )


class MemberInline(admin.TabularInline):
    model = SupportGroupMember
    raw_id_fields = ("user",)
    extra = 0
    fields = ("user", "role", "status", "created_at")
    readonly_fields = ("created_at",)


@admin.register(SupportGroup)
class SupportGroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "topic", "is_private", "created_at")
    list_filter = ("is_private", "topic")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_by", "created_at")
    inlines = [MemberInline]

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SupportGroupMember)
class SupportGroupMemberAdmin(admin.ModelAdmin):
    """Requests to join private groups are approved here."""

    list_display = ("user", "group", "role", "status", "created_at")
    list_filter = ("status", "role", "group")
    search_fields = ("user__email", "group__name")
    list_select_related = ("user", "group")
    autocomplete_fields = ("group",)
    # By id: moderators may not browse users (an autocomplete needs that).
    raw_id_fields = ("user",)
    actions = ["approve", "ban"]

    @admin.action(description="Approve (pending requests)")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        for membership in queryset.select_related("group", "user"):
            services.membership_approve(
                membership=membership, actor=request.user, context=context
            )

    @admin.action(description="Ban from the group")
    def ban(self, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        for membership in queryset.select_related("group", "user"):
            services.user_ban_group(
                membership=membership, actor=request.user, context=context
            )


@admin.register(BlockedTerm)
class BlockedTermAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("term", "is_active", "created_at")
    list_filter = ("is_active",)
    list_editable = ("is_active",)
    search_fields = ("term",)


@admin.register(CommunityBan)
class CommunityBanAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "reason", "created_by", "created_at")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    list_select_related = ("user", "created_by")
    search_fields = ("user__email",)
    # By id: moderators ban from the queue's actions and may not browse users
    # (an autocomplete needs that permission).
    raw_id_fields = ("user", "created_by")
    readonly_fields = ("created_by", "created_at")
