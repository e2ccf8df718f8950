from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from accounts.context import RequestContext
from accounts.models import AuditLog, EmailDelivery, LoginFailure, TokenFamily, User
from accounts.services import audit_record
from accounts.tests.conftest import ME, REFRESH, bearer_client, login
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
AUDIT = "/admin/accounts/auditlog/"


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, email="root@example.com")


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


# --- audit_record and the audit admin -------------------------------------------
def test_audit_record_stores_facts_and_context(user):
    entry = audit_record(
        action="journal_export",
        actor=user,
        target=user,
        context=RequestContext(ip="192.0.2.1", user_agent="ua/1", request_id="r-1"),
        metadata={"fields": ["bio"]},
    )

    entry.refresh_from_db()
    assert (entry.actor, entry.target_type, entry.target_id) == (
        user,
        "accounts.user",
        str(user.pk),
    )
    assert (entry.ip, entry.user_agent, entry.request_id) == (
        "192.0.2.1",
        "ua/1",
        "r-1",
    )
    assert entry.outcome == "success"
    assert entry.created_at.tzinfo is not None


def test_login_audit_rows_carry_ip_user_agent_and_request_id(api_client, user):
    login(
        api_client, user.email, HTTP_USER_AGENT="KayaApp/2.0", HTTP_X_REQUEST_ID="req-9"
    )
    login(api_client, user.email, "wrong password!!")

    success, failure = AuditLog.objects.filter(action="login").order_by("id")
    assert (success.actor, success.outcome, success.ip) == (
        user,
        "success",
        "127.0.0.1",
    )
    assert (success.user_agent, success.request_id) == ("KayaApp/2.0", "req-9")
    assert (failure.actor, failure.outcome) == (user, "failure")
    assert "wrong password" not in str(failure.metadata)


def test_audit_admin_is_read_only(admin_client, user):
    entry = audit_record(action="login", actor=user)

    assert admin_client.get(AUDIT).status_code == 200
    assert admin_client.get(f"{AUDIT}add/").status_code == 403
    admin_client.post(f"{AUDIT}{entry.pk}/change/", {"action": "tampered"})
    admin_client.post(f"{AUDIT}{entry.pk}/delete/", {"post": "yes"})
    entry.refresh_from_db()
    assert entry.action == "login"


def test_audit_admin_search_and_filters(admin_client, user, other_user):
    audit_record(action="login", actor=user)
    audit_record(action="logout", actor=other_user)

    searched = admin_client.get(AUDIT, {"q": user.email})
    filtered = admin_client.get(AUDIT, {"action": "logout"})

    assert searched.context["cl"].result_count == 1
    assert list(filtered.context["cl"].result_list.values_list("actor", flat=True)) == [
        other_user.pk
    ]


# --- user admin -------------------------------------------------------------------
def test_user_admin_search_and_filters(admin_client, user, other_user):
    User.objects.exclude(pk=other_user.pk).update(email_verified_at=None)
    User.objects.filter(pk=other_user.pk).update(
        email_verified_at=timezone.now(), subscription_tier="premium"
    )

    by_email = admin_client.get(USERS, {"q": user.email})
    by_name = admin_client.get(USERS, {"q": other_user.display_name})
    verified = admin_client.get(USERS, {"verified": "yes"})
    premium = admin_client.get(USERS, {"subscription_tier__exact": "premium"})

    assert [u.pk for u in by_email.context["cl"].result_list] == [user.pk]
    assert [u.pk for u in by_name.context["cl"].result_list] == [other_user.pk]
    assert [u.pk for u in verified.context["cl"].result_list] == [other_user.pk]
    assert [u.pk for u in premium.context["cl"].result_list] == [other_user.pk]


def test_user_admin_add_form_renders(admin_client):
    assert admin_client.get(f"{USERS}add/").status_code == 200


def test_deactivate_action_revokes_every_session(
    admin_client,
    superuser,
    user,
    api_client,
    django_capture_on_commit_callbacks,
    revocations,
):
    session = login(api_client, user.email).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            USERS,
            {"action": "deactivate_users", "_selected_action": [user.pk]},
        )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert revocations == [(user.pk, "deactivated")]
    assert bearer_client(session["access"]).get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 401
    assert TokenFamily.objects.get(user=user).revoked_reason == "deactivated"
    entry = AuditLog.objects.get(action="account_deactivate")
    assert (entry.actor, entry.target_id) == (superuser, str(user.pk))


def test_resend_verification_action(
    admin_client, user, other_user, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    User.objects.filter(pk=other_user.pk).update(email_verified_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            USERS,
            {
                "action": "resend_verification",
                "_selected_action": [user.pk, other_user.pk],
            },
        )

    assert [m.to for m in mailoutbox] == [[user.email]]
    assert EmailDelivery.objects.filter(user=other_user).count() == 0


def _change_form_data(user: User, **overrides) -> dict:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "avatar_url": "",
        "bio": "",
        "timezone": user.timezone,
        "locale": user.locale,
        "subscription_tier": user.subscription_tier,
        "subscription_expires_at_0": "",
        "subscription_expires_at_1": "",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_user_admin_sensitive_fields_are_read_only(admin_client, user):
    before = User.objects.filter(pk=user.pk).values().get()

    response = admin_client.post(
        f"{USERS}{user.pk}/change/",
        _change_form_data(
            user,
            display_name="Renamed",
            token_epoch="99",
            pending_email="thief@example.com",
            email_verified_at_0="2020-01-01",
            email_verified_at_1="10:00:00",
            date_joined_0="2000-01-01",
            date_joined_1="10:00:00",
            last_login_0="2000-01-01",
            last_login_1="10:00:00",
            password="plain-text-attempt",
        ),
    )

    assert response.status_code == 302, response.content[:2000]
    after = User.objects.filter(pk=user.pk).values().get()
    assert after["display_name"] == "Renamed"
    for field in (
        "token_epoch",
        "pending_email",
        "email_verified_at",
        "date_joined",
        "last_login",
        "password",
    ):
        assert after[field] == before[field], field


def test_user_admin_filters_by_active_staff_and_date_joined(
    admin_client, superuser, user, other_user
):
    User.objects.filter(pk=other_user.pk).update(
        is_active=False, date_joined=timezone.now() - timedelta(days=40)
    )
    # What the filter's "Past 7 days" link sends: an aware midnight.
    since = str(
        timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        - timedelta(days=7)
    )

    inactive = admin_client.get(USERS, {"is_active__exact": "0"})
    staff = admin_client.get(USERS, {"is_staff__exact": "1"})
    recent = admin_client.get(USERS, {"date_joined__gte": since})

    assert [u.pk for u in inactive.context["cl"].result_list] == [other_user.pk]
    assert [u.pk for u in staff.context["cl"].result_list] == [superuser.pk]
    assert sorted(u.pk for u in recent.context["cl"].result_list) == sorted(
        [user.pk, superuser.pk]
    )


def test_staff_changes_in_the_admin_are_audited(admin_client, superuser, user):
    response = admin_client.post(
        f"{USERS}{user.pk}/change/",
        _change_form_data(user, display_name="Renamed", subscription_tier="premium"),
    )

    assert response.status_code == 302, response.content[:2000]
    user.refresh_from_db()
    assert user.display_name == "Renamed"
    entry = AuditLog.objects.get(action="admin_change")
    assert entry.actor == superuser
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(user.pk))
    assert entry.metadata == {"fields": ["display_name", "subscription_tier"]}
    assert "Renamed" not in str(entry.metadata)


def test_unticking_active_in_the_admin_revokes_tokens(admin_client, user, api_client):
    session = login(api_client, user.email).json()

    admin_client.post(
        f"{USERS}{user.pk}/change/", _change_form_data(user, is_active=None)
    )

    user.refresh_from_db()
    assert user.is_active is False
    assert bearer_client(session["access"]).get(ME).status_code == 401


@pytest.mark.redis
def test_a_change_redis_cannot_register_comes_back_with_a_message_not_a_500(
    admin_client, user, settings
):
    # With remembered user rows, a write to a user row Redis cannot register
    # fails (accounts.authentication); the staff console says so and changes
    # nothing, where it showed its 500 page.
    from kaya.cache import reset_breakers
    from kaya.testing import free_port

    settings.AUTH_USER_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    reset_breakers()
    try:
        change = f"{USERS}{user.pk}/change/"
        changed = admin_client.post(
            change, _change_form_data(user, display_name="Not saved")
        )
        shown = admin_client.get(change)
        deactivated = admin_client.post(
            USERS, {"action": "deactivate_users", "_selected_action": [user.pk]}
        )
    finally:
        reset_breakers()

    assert (changed.status_code, changed["Location"]) == (302, change)
    assert shown.status_code == 200
    assert "Not saved: the service is temporarily unavailable" in shown.text
    assert (deactivated.status_code, deactivated["Location"]) == (302, USERS)
    user.refresh_from_db()
    assert user.display_name != "Not saved"
    assert user.is_active is True
    assert not AuditLog.objects.filter(
        action__in=["admin_change", "account_deactivate"]
    ).exists()


def test_a_console_page_that_cannot_be_shown_is_not_sent_back_to_itself(rf):
    # Only a submitted change is sent back to its page: a GET would loop.
    from django.urls import resolve

    from kaya.exceptions import ServiceUnavailableError
    from kaya.middleware import AdminServiceUnavailableMiddleware

    middleware = AdminServiceUnavailableMiddleware(lambda request: None)
    for method in ("get", "head"):
        request = getattr(rf, method)(USERS)
        request.resolver_match = resolve(USERS)
        assert middleware.process_exception(request, ServiceUnavailableError()) is None


def test_only_superusers_can_grant_staff(user):
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_user", "view_user"])
    )
    client = Client()
    client.force_login(staff)

    response = client.post(
        f"{USERS}{user.pk}/change/",
        _change_form_data(user, is_staff="on", is_superuser="on"),
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_admin_login_is_locked_after_five_failures(superuser, api_client):
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": superuser.email, "password": "wrong guess!!"}
        )

    right = client.post(
        "/admin/login/", {"username": superuser.email, "password": TEST_PASSWORD}
    )

    assert right.status_code == 200  # the form again, not the redirect to the admin
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=superuser.email).count() == 5
    # One counter for the admin and the API.
    assert login(api_client, superuser.email).status_code == 429
    assert AuditLog.objects.filter(action="login_lockout").count() == 2


def test_admin_login_works_with_the_right_password(superuser):
    client = Client()
    response = client.post(
        "/admin/login/", {"username": superuser.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)


def test_audited_admin_mixin_records_adds_changes_and_deletions(superuser):
    # Another app's ModelAdmin that mixes in AuditedAdminMixin (Group stands in).
    from django.contrib.admin.sites import AdminSite
    from django.contrib.auth.models import Group
    from django.forms import modelform_factory
    from django.test import RequestFactory

    from accounts.admin import AuditedAdminMixin

    class GroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
        pass

    model_admin = GroupAdmin(Group, AdminSite())
    request = RequestFactory().post("/admin/", HTTP_USER_AGENT="Staff/1.0")
    request.user = superuser
    form_class = modelform_factory(Group, fields=["name"])
    form = form_class(data={"name": "beta"})
    assert form.is_valid()
    group = form.save(commit=False)

    model_admin.save_model(request, group, form, change=False)
    changed = form_class(data={"name": "gamma"}, instance=group)
    assert changed.is_valid()
    model_admin.save_model(request, changed.save(commit=False), changed, change=True)
    first_id = group.pk
    model_admin.delete_model(request, group)
    others = [Group.objects.create(name=n) for n in ("x", "y")]
    model_admin.delete_queryset(request, Group.objects.filter(name__in=["x", "y"]))

    rows = AuditLog.objects.order_by("id")
    assert [
        (r.action, r.actor_id, r.target_type, r.target_id, r.metadata) for r in rows
    ] == [
        ("admin_add", superuser.pk, "auth.group", str(first_id), {"fields": ["name"]}),
        (
            "admin_change",
            superuser.pk,
            "auth.group",
            str(first_id),
            {"fields": ["name"]},
        ),
        ("admin_delete", superuser.pk, "auth.group", str(first_id), {}),
        *[("admin_delete", superuser.pk, "auth.group", str(g.pk), {}) for g in others],
    ]
    assert {r.user_agent for r in rows} == {"Staff/1.0"}
    # (The staff role groups of kaya.staff exist beside them.)
    assert not Group.objects.filter(name__in=["beta", "gamma", "x", "y"]).exists()
