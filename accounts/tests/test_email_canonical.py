"""One person, one email address: every spelling of an address is one account.

Look-alike letters are written as escapes: U+0131 is the dotless i, U+017F the
long s, U+FF52 a full-width r. PostgreSQL's UPPER() (iexact, icontains) folds
the first two onto I and S, so the tests that show that folding no longer
reaches another account run on PostgreSQL.
"""

from __future__ import annotations

import importlib
import logging

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.addresses import EmailAddressError, email_canonical
from accounts.models import LoginFailure, User
from accounts.tests.conftest import (
    ME,
    REGISTER,
    STRONG_PASSWORD,
    bearer_client,
    login,
    register_payload,
)
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DOTLESS_I = "\u0131"
LONG_S = "\u017f"
RESET_REQUEST = "/api/v1/auth/request-password-reset"
USERS = "/admin/accounts/user/"
ATTACKER_PASSWORD = "another calm river at noon 17"


# --- the canonical form ----------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Ana@Example.COM", "ana@example.com"),
        ("  ana@example.com.  ", "ana@example.com"),
        # NFKC: full-width letters and the long s are their plain letters.
        ("\uff41na@\uff45xample.com", "ana@example.com"),
        (f"{LONG_S}am@kaya.local", "sam@kaya.local"),
        # IDN domains are stored as punycode; a dotless i is another domain.
        ("anna@B\u00fccher.de", "anna@xn--bcher-kva.de"),
        ("anna@XN--BCHER-KVA.DE", "anna@xn--bcher-kva.de"),
        (f"anna@gma{DOTLESS_I}l.test", "anna@xn--gmal-nza.test"),
        ("a+tag@localhost", "a+tag@localhost"),
    ],
)
def test_email_canonical_forms(raw, canonical):
    assert email_canonical(raw) == canonical
    assert email_canonical(canonical) == canonical


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (f"adm{DOTLESS_I}n@kaya.local", "email_not_ascii"),
        ("\u0430nna@example.com", "email_not_ascii"),  # Cyrillic a
        ("ADM\u0130N@kaya.local", "email_not_ascii"),  # dotted capital I
        ("an\u200bna@example.com", "email_invalid"),  # zero-width space
        ("an\x00na@example.com", "email_invalid"),
        ("an na@example.com", "email_invalid"),
        ("a@\ud800.com", "email_invalid"),
        ("not-an-email", "email_invalid"),
        ("a@b@example.com", "email_invalid"),
        ("a@exa_mple.com", "email_invalid"),
        ("@example.com", "email_invalid"),
    ],
)
def test_email_canonical_refuses(raw, code):
    with pytest.raises(EmailAddressError) as caught:
        email_canonical(raw)
    assert caught.value.code == code


# --- sign-up -----------------------------------------------------------------------
def test_register_refuses_a_non_ascii_local_part_with_its_own_code(api_client):
    response = api_client.post(
        REGISTER, register_payload(email=f"adm{DOTLESS_I}n@kaya.local")
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "email_not_ascii"
    assert list(error["fields"]) == ["email"]
    assert User.objects.count() == 0


def test_register_stores_an_idn_domain_as_punycode_and_its_other_spelling_is_taken(
    api_client, django_capture_on_commit_callbacks, mailoutbox
):
    first = api_client.post(REGISTER, register_payload(email="Anna@B\u00fccher.de"))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = api_client.post(
            REGISTER, register_payload(email="anna@xn--bcher-kva.DE")
        )

    # Sign-up answers alike for a new and a taken address (no enumeration); the
    # second spelling is the same address, so its owner is told of the attempt.
    assert first.status_code == second.status_code == 202
    assert second.json() == first.json()
    assert list(User.objects.values_list("email", flat=True)) == [
        "anna@xn--bcher-kva.de"
    ]
    assert [message.to for message in mailoutbox] == [["anna@xn--bcher-kva.de"]]


# --- login -------------------------------------------------------------------------
@pytest.mark.postgres
def test_a_look_alike_address_does_not_log_into_another_account(api_client):
    UserFactory(email="admin@kaya.local")

    response = login(api_client, f"adm{DOTLESS_I}n@kaya.local")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "email_not_ascii"
    assert "access" not in response.json()
    assert LoginFailure.objects.count() == 0


@pytest.mark.postgres
def test_spellings_with_one_canonical_form_log_into_the_one_account(api_client):
    sam = UserFactory(email="sam@kaya.local")

    for spelling in (f"{LONG_S}am@kaya.local", "SAM@Kaya.Local", "\uff53am@kaya.local"):
        response = login(api_client, spelling)
        assert response.status_code == 200, spelling
        assert response.json()["user"]["id"] == sam.pk


@pytest.mark.postgres
def test_pre_registering_a_look_alike_does_not_capture_the_real_address(
    api_client, django_capture_on_commit_callbacks, mailoutbox
):
    attacker = api_client.post(
        REGISTER,
        register_payload(
            email=f"anna@gma{DOTLESS_I}l.test", password=ATTACKER_PASSWORD
        ),
    )
    victim = api_client.post(REGISTER, register_payload(email="anna@gmail.test"))
    assert (attacker.status_code, victim.status_code) == (202, 202)
    # Two accounts: the look-alike did not take the real address. Both verify
    # their addresses (the API logs in verified addresses only).
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "anna@gmail.test",
        "anna@xn--gmal-nza.test",
    ]
    User.objects.update(email_verified_at=timezone.now())
    victim_id = User.objects.get(email="anna@gmail.test").pk

    own = login(api_client, "anna@gmail.test", STRONG_PASSWORD)
    stolen = login(api_client, "anna@gmail.test", ATTACKER_PASSWORD)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reset = api_client.post(RESET_REQUEST, {"email": "Anna@Gmail.test"})

    assert own.status_code == 200
    assert own.json()["user"]["id"] == victim_id
    assert stolen.status_code == 401
    assert reset.status_code == 202
    assert [message.to for message in mailoutbox] == [["anna@gmail.test"]]


@pytest.mark.postgres
def test_every_spelling_shares_one_failure_budget(api_client):
    UserFactory(email="sam@kaya.local")
    spellings = [
        "sam@kaya.local",
        f"{LONG_S}am@kaya.local",
        "Sam@KAYA.local",
        "\uff53am@kaya.local",
        f"{LONG_S.upper()}AM@kaya.local",
    ]
    for spelling in spellings:
        assert login(api_client, spelling, "wrong password!!").status_code == 401

    for spelling in spellings:
        locked = login(api_client, spelling)
        assert locked.status_code == 429, spelling
        assert locked.json()["error"]["code"] == "login_locked"
    assert (
        list(LoginFailure.objects.values_list("email", flat=True))
        == ["sam@kaya.local"] * 5
    )


@pytest.mark.postgres
def test_a_locked_account_stays_locked_under_a_look_alike_spelling(api_client):
    UserFactory(email="sam@kaya.local")
    for _ in range(5):
        login(api_client, "sam@kaya.local", "wrong password!!")

    response = login(api_client, f"{LONG_S}am@kaya.local")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "login_locked"


# --- the admin, createsuperuser ----------------------------------------------------
@pytest.mark.postgres
def test_admin_login_refuses_a_look_alike_address():
    admin_user = UserFactory(email="admin@kaya.local", is_staff=True)
    client = Client()

    look_alike = client.post(
        "/admin/login/?next=/admin/",
        {"username": f"adm{DOTLESS_I}n@kaya.local", "password": TEST_PASSWORD},
    )
    assert look_alike.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session

    other_case = client.post(
        "/admin/login/?next=/admin/",
        {"username": "ADMIN@Kaya.local", "password": TEST_PASSWORD},
    )
    assert other_case.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


@pytest.mark.postgres
def test_admin_user_search_by_address_finds_no_look_alike():
    admin_user = UserFactory(email="admin@kaya.local", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)

    look_alike = client.get(USERS, {"q": f"adm{DOTLESS_I}n@kaya.local"})
    other_case = client.get(USERS, {"q": "Admin@KAYA.local"})

    assert look_alike.context["cl"].result_count == 0
    assert list(other_case.context["cl"].result_list) == [admin_user]


def test_admin_add_form_stores_the_canonical_form_and_refuses_its_twin():
    admin_user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    form = {
        "display_name": "New",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }

    added = client.post(f"{USERS}add/", {**form, "email": "New@B\u00fccher.DE"})
    twin = client.post(f"{USERS}add/", {**form, "email": "new@xn--bcher-kva.de"})
    non_ascii = client.post(f"{USERS}add/", {**form, "email": "n\u00e9w@example.com"})

    assert added.status_code == 302
    assert twin.status_code == 200  # the form again, with the error
    assert "email" in twin.context["adminform"].form.errors
    assert non_ascii.status_code == 200
    assert "email" in non_ascii.context["adminform"].form.errors
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "new@xn--bcher-kva.de",
        "root@example.com",
    ]


def test_createsuperuser_stores_the_canonical_form_and_refuses_its_twin(
    monkeypatch,
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)

    call_command("createsuperuser", interactive=False, email="Root@B\u00fccher.de")
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "createsuperuser", interactive=False, email="ROOT@xn--bcher-kva.de"
        )
    with pytest.raises(CommandError, match="ASCII"):
        call_command(
            "createsuperuser", interactive=False, email=f"r{DOTLESS_I}ot@example.com"
        )

    assert list(User.objects.values_list("email", "is_superuser")) == [
        ("root@xn--bcher-kva.de", True)
    ]


# --- email change ------------------------------------------------------------------
def bearer_client_for(user) -> APIClient:
    response = login(APIClient(), user.email)
    assert response.status_code == 200, response.content
    return bearer_client(response.json()["access"])


def test_email_change_to_another_spelling_of_a_taken_address_is_refused(
    api_client, user
):
    api_client.post(REGISTER, register_payload(email="anna@b\u00fccher.de"))

    response = bearer_client_for(user).patch(
        ME,
        {"email": "Anna@XN--BCHER-KVA.de", "current_password": TEST_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["email"]
    user.refresh_from_db()
    assert user.pending_email == ""


def test_email_change_to_a_non_ascii_local_part_is_refused(user):
    response = bearer_client_for(user).patch(
        ME,
        {"email": f"adm{DOTLESS_I}n@kaya.local", "current_password": TEST_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "email_not_ascii"
    user.refresh_from_db()
    assert user.pending_email == ""


def test_email_change_stores_the_canonical_pending_address(user):
    response = bearer_client_for(user).patch(
        ME,
        {"email": "Next@B\u00fccher.de", "current_password": TEST_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["pending_email"] == "next@xn--bcher-kva.de"


# --- the data migration ------------------------------------------------------------
def _migration():
    return importlib.import_module("accounts.migrations.0007_user_email_canonical")


def test_migration_canonicalises_rows_and_reports_collisions_unmerged(caplog):
    mixed = UserFactory()
    look_alike = UserFactory()
    sam = UserFactory()
    long_s = UserFactory()
    fine = UserFactory(email="fine@example.com")
    # Written past the model's canonicalisation, as the old code stored them.
    raw = {
        mixed.pk: "Mixed@B\u00fccher.de",
        look_alike.pk: f"adm{DOTLESS_I}n@kaya.local",
        sam.pk: "sam@kaya.local",
        long_s.pk: f"{LONG_S}am@kaya.local",
    }
    for pk, email in raw.items():
        User.objects.filter(pk=pk).update(email=email)
    User.objects.filter(pk=fine.pk).update(pending_email="Next@Example.COM")
    User.objects.filter(pk=sam.pk).update(pending_email=f"n{DOTLESS_I}@example.com")

    with caplog.at_level(logging.WARNING, logger="accounts.migrations"):
        _migration().canonicalise_emails(django_apps, None)

    emails = dict(User.objects.values_list("pk", "email"))
    assert emails == {
        mixed.pk: "mixed@xn--bcher-kva.de",
        look_alike.pk: f"adm{DOTLESS_I}n@kaya.local",
        sam.pk: "sam@kaya.local",
        long_s.pk: f"{LONG_S}am@kaya.local",
        fine.pk: "fine@example.com",
    }
    pending = dict(User.objects.values_list("pk", "pending_email"))
    assert (pending[fine.pk], pending[sam.pk]) == ("next@example.com", "")
    assert [record.getMessage() for record in caplog.records] == [
        "accounts: addresses with no canonical form, left untouched: users "
        f"{look_alike.pk}",
        f"accounts: one canonical address shared by users {sam.pk}, {long_s.pk}; "
        "left untouched, not merged",
    ]
    # The left-over look-alike row is unreachable: its spelling is the
    # canonical form of the other row's address.
    response = login(APIClient(), f"{LONG_S}am@kaya.local")
    assert response.json()["user"]["id"] == sam.pk
