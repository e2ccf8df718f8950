"""Staff roles (kaya.staff) and the admin's privilege boundaries."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory
from journal.tests.factories import JournalEntryFactory
from kaya.fields import encrypted_field_names
from kaya.staff import MODERATORS, ROLES, SUPPORT, roles_sync
from kaya.tests.staff_helpers import staff_member

pytestmark = pytest.mark.django_db

ROLE_NAMES = [role.name for role in ROLES]
USERS = "/admin/accounts/user/"


def _client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _group_codenames(name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


# --- the groups -------------------------------------------------------------------
def test_staff_roles_creates_each_group_with_exactly_its_permissions():
    Group.objects.filter(name__in=ROLE_NAMES).delete()

    call_command("staff_roles", stdout=StringIO())

    for role in ROLES:
        assert _group_codenames(role.name) == {f"{a}.{c}" for a, c in role.codenames()}
    assert _group_codenames(MODERATORS.name) == {
        "community.view_post",
        "community.change_post",
        "community.view_comment",
        "community.change_comment",
        "community.view_report",
        "community.change_report",
        "community.view_supportgroup",
        "community.add_supportgroup",
        "community.change_supportgroup",
        "community.view_supportgroupmember",
        "community.change_supportgroupmember",
        "community.view_communityban",
        "community.add_communityban",
        "community.change_communityban",
        "community.delete_communityban",
        "community.view_blockedterm",
        "community.add_blockedterm",
        "community.change_blockedterm",
        "community.delete_blockedterm",
    }


def test_staff_roles_is_idempotent_and_takes_back_a_permission_granted_by_hand():
    roles_sync()
    group = Group.objects.get(name=SUPPORT.name)
    group.permissions.add(Permission.objects.get(codename="view_journalentry"))
    out = StringIO()

    call_command("staff_roles", stdout=out)
    again = StringIO()
    call_command("staff_roles", stdout=again)

    assert "  - journal.view_journalentry" in out.getvalue()
    assert "journal.view_journalentry" not in _group_codenames(SUPPORT.name)
    assert Group.objects.filter(name__in=ROLE_NAMES).count() == 3
    assert again.getvalue().count("+0 -0 permission(s)") == 3


def test_staff_roles_dry_run_changes_nothing():
    Group.objects.filter(name__in=ROLE_NAMES).delete()
    out = StringIO()

    call_command("staff_roles", "--dry-run", stdout=out)

    assert "[dry run] Community moderators: created" in out.getvalue()
    assert not Group.objects.filter(name__in=ROLE_NAMES).exists()


def test_migrate_creates_the_role_groups():
    Group.objects.filter(name__in=ROLE_NAMES).delete()

    call_command("migrate", verbosity=0)

    assert set(
        Group.objects.filter(name__in=ROLE_NAMES).values_list("name", flat=True)
    ) == set(ROLE_NAMES)


# --- each role sees its models only -----------------------------------------------
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_each_role_sees_only_its_models_on_the_admin_index(role):
    member = staff_member(role.name)
    registered = {m._meta.label_lower for m in admin.site._registry}

    response = _client(member).get("/admin/")

    assert response.status_code == 200
    shown = {
        f"{app['app_label']}.{model['object_name'].lower()}"
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert shown == set(role.models) & registered
    assert shown  # every role has something to do


def _health_text_models() -> list[type]:
    return [m for m in admin.site._registry if encrypted_field_names(m)]


def test_the_health_text_models_include_journal_gratitude_and_mood():
    labels = {m._meta.label_lower for m in _health_text_models()}
    assert {"journal.journalentry", "journal.gratitudeentry", "journal.moodentry"} <= (
        labels
    )


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_no_role_can_open_a_health_text_admin_page(role_name):
    member = staff_member(role_name)
    entry = JournalEntryFactory()
    client = _client(member)

    for model in _health_text_models():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        assert client.get(base).status_code == 403, base
    assert client.get(
        f"/admin/journal/journalentry/{entry.pk}/change/"
    ).status_code == (403)


def test_a_moderator_gets_403_on_journal_and_mood_pages():
    client = _client(staff_member(MODERATORS.name))

    for path in (
        "/admin/journal/journalentry/",
        "/admin/journal/moodentry/",
        "/admin/journal/gratitudeentry/",
    ):
        assert client.get(path).status_code == 403


def test_even_a_superuser_never_sees_journal_text_in_the_admin():
    canary = "canary-private-words-7f3a"
    entry = JournalEntryFactory(title=canary, body=canary)
    client = _client(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/journal/journalentry/")
    page = client.get(f"/admin/journal/journalentry/{entry.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert canary not in listing.content.decode()
    assert canary not in page.content.decode()


# --- privilege boundaries ---------------------------------------------------------
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
    return data


def _privileges(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.is_staff,
        user.is_superuser,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_staff_cannot_raise_their_own_privileges(role_name):
    member = staff_member(role_name)
    before = _privileges(member)
    everything = Group.objects.exclude(name=role_name).values_list("pk", flat=True)
    permission = Permission.objects.get(codename="view_journalentry")

    _client(member).post(
        f"{USERS}{member.pk}/change/",
        _change_form_data(
            member,
            is_superuser="on",
            groups=[str(pk) for pk in everything],
            user_permissions=[str(permission.pk)],
        ),
    )

    assert _privileges(member) == before
    assert before[:2] == (True, False)


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_staff_cannot_raise_a_members_privileges(role_name):
    member = staff_member(role_name)
    target = UserFactory()
    group = Group.objects.get(name=MODERATORS.name)

    _client(member).post(
        f"{USERS}{target.pk}/change/",
        _change_form_data(
            target, is_staff="on", is_superuser="on", groups=[str(group.pk)]
        ),
    )

    assert _privileges(target) == (False, False, [], [])


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_staff_cannot_edit_or_reset_another_staff_account(role_name):
    member = staff_member(role_name)
    root = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    colleague = staff_member(MODERATORS.name, email="mod@example.com")
    client = _client(member)

    for target in (root, colleague):
        password_before = target.password
        change = client.post(
            f"{USERS}{target.pk}/change/",
            _change_form_data(target, email="taken@example.com"),
        )
        reset = client.post(
            f"{USERS}{target.pk}/password/",
            {"password1": "N3w-pass-phrase!", "password2": "N3w-pass-phrase!"},
        )
        target.refresh_from_db()
        assert change.status_code == 403
        assert reset.status_code == 403
        assert target.email != "taken@example.com"
        assert target.password == password_before


def test_support_deactivating_a_selection_leaves_staff_accounts_alone():
    member = staff_member(SUPPORT.name)
    root = UserFactory(is_staff=True, is_superuser=True)
    somebody = UserFactory()

    response = _client(member).post(
        USERS,
        {
            "action": "deactivate_users",
            "_selected_action": [str(root.pk), str(somebody.pk)],
        },
    )

    assert response.status_code == 302
    root.refresh_from_db()
    somebody.refresh_from_db()
    assert (root.is_active, somebody.is_active) == (True, False)


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_staff_cannot_grant_groups_even_with_group_permissions(role_name):
    member = staff_member(role_name)
    # A superuser's slip: the group permissions given to a non-superuser.
    member.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth")
    )
    member = User.objects.get(pk=member.pk)
    group = Group.objects.get(name=role_name)
    client = _client(member)
    everything = Permission.objects.values_list("pk", flat=True)

    listing = client.get("/admin/auth/group/")
    change = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": group.name, "permissions": [str(pk) for pk in everything]},
    )
    add = client.post(
        "/admin/auth/group/add/",
        {"name": "Everything", "permissions": [str(pk) for pk in everything]},
    )

    assert (listing.status_code, change.status_code, add.status_code) == (
        403,
        403,
        403,
    )
    assert _group_codenames(role_name) == {
        f"{a}.{c}" for a, c in next(r for r in ROLES if r.name == role_name).codenames()
    }
    assert not Group.objects.filter(name="Everything").exists()
