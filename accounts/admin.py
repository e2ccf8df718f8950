"""The staff console for accounts: users (with safe actions) and the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from rest_framework_simplejwt.token_blacklist import admin as token_admin
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts import services
from accounts.addresses import EmailAddressError, email_canonical
from accounts.context import RequestContext
from accounts.models import AuditLog, EmailDelivery, User
from kaya.admin import ReadOnlyAdmin


class AuditedAdminMixin:
    """Records staff additions, changes (field names only) and deletions.

    Other apps' ModelAdmins can mix this in to put their staff changes on the
    same trail.
    """

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        services.audit_record(
            action=AuditLog.Action.ADMIN_CHANGE
            if change
            else AuditLog.Action.ADMIN_ADD,
            actor=request.user,
            target=obj,
            context=RequestContext.from_request(request),
            metadata={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        targets = [(obj._meta.label_lower, obj.pk)]
        super().delete_model(request, obj)  # type: ignore[misc]
        self._audit_deletions(request, targets)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        targets = [(o._meta.label_lower, o.pk) for o in queryset]
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        self._audit_deletions(request, targets)

    def _audit_deletions(
        self, request: HttpRequest, targets: list[tuple[str, Any]]
    ) -> None:
        context = RequestContext.from_request(request)
        for target_type, target_id in targets:
            services.audit_record(
                action=AuditLog.Action.ADMIN_DELETE,
                actor=request.user,
                target_type=target_type,
                target_id=target_id,
                context=context,
            )


class CanonicalEmailSearchMixin:
    """A search term with an @ is an address: found by its canonical form, exactly.

    The default icontains (``UPPER()`` on PostgreSQL) would match look-alike
    spellings of another account's address (see accounts.addresses).
    """

    email_search_field = "email"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if "@" not in search_term:
            return super().get_search_results(  # type: ignore[misc]
                request, queryset, search_term
            )
        try:
            email = email_canonical(search_term)
        except EmailAddressError:
            return queryset.none(), False
        return queryset.filter(**{self.email_search_field: email}), False


class KayaUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class KayaUserChangeForm(UserChangeForm):
    avatar_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = User
        fields = "__all__"


class EmailVerifiedFilter(admin.SimpleListFilter):
    title = "email verified"
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(email_verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(email_verified_at__isnull=True)
        return queryset


# Only superusers may grant or take away staff powers.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _may_manage(request: HttpRequest, target: User) -> bool:
    """Whether the requesting staff member may edit or act on ``target``.

    Superusers manage everyone; other staff manage members only (and their own
    account, whose privilege fields stay read-only to them).
    """
    actor = request.user
    if actor.is_superuser:
        return True
    if target.pk == actor.pk:
        return True
    return not (target.is_staff or target.is_superuser)


def _members_only(request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """The part of a selection a non-superuser's bulk action may touch."""
    if request.user.is_superuser:
        return queryset
    return queryset.filter(is_staff=False, is_superuser=False)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, CanonicalEmailSearchMixin, BaseUserAdmin):
    form = KayaUserChangeForm
    add_form = KayaUserCreationForm
    ordering = ("-date_joined",)
    list_display = (
        "email",
        "display_name",
        "email_verified",
        "subscription_tier",
        "is_active",
        "is_staff",
        "date_joined",
    )
    search_fields = ("email", "display_name")
    list_filter = (
        EmailVerifiedFilter,
        "subscription_tier",
        "is_active",
        "is_staff",
        ("date_joined", admin.DateFieldListFilter),
    )
    readonly_fields = (
        "records",
        "date_joined",
        "last_login",
        "updated_at",
        "token_epoch",
        "email_verified_at",
        "pending_email",
    )
    actions = ("deactivate_users", "resend_verification")
    fieldsets = (
        (None, {"fields": ("email", "pending_email", "password")}),
        (
            "Profile",
            {"fields": ("display_name", "avatar_url", "bio", "timezone", "locale")},
        ),
        ("Subscription", {"fields": ("subscription_tier", "subscription_expires_at")}),
        (
            "Access",
            {"fields": ("is_active", *PRIVILEGE_FIELDS, "token_epoch")},
        ),
        (
            "Dates",
            {
                "fields": (
                    "date_joined",
                    "last_login",
                    "email_verified_at",
                    "updated_at",
                )
            },
        ),
        ("Records", {"fields": ("records",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "password1", "password2"),
            },
        ),
    )

    @admin.display(boolean=True, description="verified")
    def email_verified(self, obj: User) -> bool:
        return obj.email_verified

    @admin.display(description="Records")
    def records(self, obj: User) -> str:
        """A link per admin model with a ``user`` foreign key: the list of this
        user's rows, with their count. Found from the admin registry, so accounts
        imports no other app; the lists show metadata, never private text."""
        if obj.pk is None:
            return "-"
        links = []
        for model in self.admin_site._registry:
            field = next(
                (
                    f
                    for f in model._meta.concrete_fields
                    if f.name == "user" and f.related_model is User
                ),
                None,
            )
            if field is None:
                continue
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            count = model._default_manager.filter(user=obj).count()
            links.append(
                (
                    f"{url}?user__id__exact={obj.pk}",
                    capfirst(opts.verbose_name_plural),
                    count,
                )
            )
        links.sort(key=lambda link: str(link[1]))
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li><a href="{}">{}</a> ({})</li>', links),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields += PRIVILEGE_FIELDS
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A staff member who is not a superuser may not edit another staff
        # account: its email or password is a way into that account's powers.
        if obj is not None and not _may_manage(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not _may_manage(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivating by hand revokes tokens exactly as the action does.
            services.user_deactivate(
                user=obj,
                actor=request.user,
                context=RequestContext.from_request(request),
            )

    def log_deletions(self, request: HttpRequest, queryset: Any) -> list:
        # The erasure is on the AuditLog (by id); a LogEntry would keep the
        # erased person's email address in its object_repr.
        return []

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The confirmation page: counts only, and no per-model permissions.

        Deleting a user runs the privacy erasure (``services.user_erase``), which
        deletes or anonymises every app's rows itself; staff need the permission
        to delete users, not to delete journal entries or streaks, whose admins
        are read-only. Rows are counted per model, never listed: their names
        could quote private text.
        """
        _, model_count, _, _ = super().get_deleted_objects(objs, request)
        summary = [
            f"{user} and every personal row the erasure covers (counted below)"
            for user in objs
        ]
        return summary, model_count, set(), []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.user_erase(
            user=obj, actor=request.user, context=RequestContext.from_request(request)
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        for user in _members_only(request, queryset):
            services.user_erase(user=user, actor=request.user, context=context)

    @admin.action(description="Deactivate (and revoke every session)")
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        count = 0
        for user in _members_only(request, queryset):
            services.user_deactivate(user=user, actor=request.user, context=context)
            count += 1
        self.message_user(request, f"Deactivated {count} account(s).", messages.SUCCESS)

    @admin.action(description="Resend the verification email")
    def resend_verification(self, request: HttpRequest, queryset: QuerySet) -> None:
        context = RequestContext.from_request(request)
        sent = 0
        for user in _members_only(request, queryset).filter(
            email_verified_at__isnull=True
        ):
            services.verification_resend(user=user, context=context)
            services.audit_record(
                action=AuditLog.Action.ADMIN_ACTION,
                actor=request.user,
                target=user,
                context=context,
                metadata={"action": "resend_verification"},
            )
            sent += 1
        self.message_user(request, f"Queued {sent} verification email(s).")


@admin.register(AuditLog)
class AuditLogAdmin(CanonicalEmailSearchMixin, ReadOnlyAdmin):
    email_search_field = "actor__email"

    list_display = (
        "created_at",
        "action",
        "outcome",
        "actor",
        "target_type",
        "target_id",
        "ip",
    )
    list_filter = (
        "action",
        "outcome",
        "target_type",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("actor__email", "target_id", "ip", "request_id", "action")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(CanonicalEmailSearchMixin, ReadOnlyAdmin):
    email_search_field = "user__email"

    # Delivery state (attempts, sent) is on the outbox row, key accounts.email:<id>.
    list_display = ("created_at", "kind", "user")
    list_filter = ("kind",)
    search_fields = ("user__email",)
    list_select_related = ("user",)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, BaseGroupAdmin):
    """Groups carry staff powers (the roles of kaya.staff): superusers only.

    Even a staff member given the group permissions by mistake cannot change a
    group's permissions, which would raise their own.
    """

    list_display = ("name", "member_count")
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(members=Count("user"))

    @admin.display(description="members", ordering="members")
    def member_count(self, obj: Group) -> int:
        return obj.members  # type: ignore[attr-defined]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(token_admin.OutstandingTokenAdmin):
    """Issued refresh tokens (SimpleJWT's record), read-only; found by email."""

    search_fields = ("user__email", "jti")
    list_filter = (("expires_at", admin.DateFieldListFilter),)
    list_select_related = ("user",)
    ordering = ("-created_at",)


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(token_admin.BlacklistedTokenAdmin):
    """Revoked refresh tokens, read-only: staff revoke a member's sessions with
    the user admin's deactivate action, which also records it in the audit log."""

    search_fields = ("token__user__email", "token__jti")
    list_filter = (("blacklisted_at", admin.DateFieldListFilter),)
    list_select_related = ("token__user",)
    ordering = ("-blacklisted_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
