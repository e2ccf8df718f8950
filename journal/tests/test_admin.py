"""The admin shows journal, gratitude and mood entries as metadata only."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from accounts.models import User
from journal.models import CrisisResource, JournalTag, MoodTag, Prompt
from journal.tests.factories import (
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Xyzzy-private-words"


@pytest.fixture
def staff_client():
    admin = User.objects.create_superuser("admin@example.com", "x" * 20)
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def entries(user):
    journal = JournalEntryFactory(user=user, title=SECRET, body=SECRET * 3)
    JournalTag.objects.create(entry=journal, user=user, name="evening")
    gratitude = GratitudeEntryFactory(user=user, items=[SECRET])
    mood = MoodEntryFactory(user=user, note=SECRET)
    MoodTag.objects.create(
        entry=mood, user=user, kind="emotion", value="calm", local_date=mood.local_date
    )
    return {"journalentry": journal, "gratitudeentry": gratitude, "moodentry": mood}


@pytest.mark.parametrize("model", ["journalentry", "gratitudeentry", "moodentry"])
def test_admin_pages_show_metadata_but_no_content(staff_client, entries, user, model):
    obj = entries[model]
    pages = [
        f"/admin/journal/{model}/",
        f"/admin/journal/{model}/{obj.pk}/change/",
        f"/admin/journal/{model}/?q={user.email}",
    ]
    for page in pages:
        response = staff_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert SECRET not in html, page
        assert user.email in html, page


def test_admin_shows_length_and_tags(staff_client, entries):
    journal = entries["journalentry"]

    html = staff_client.get(
        f"/admin/journal/journalentry/{journal.pk}/change/"
    ).content.decode()

    assert str(len(SECRET * 3)) in html
    assert "evening" in html
    assert (
        "emotion:calm" in staff_client.get("/admin/journal/moodentry/").content.decode()
    )


def test_admin_never_decrypts_entries(staff_client, entries, settings):
    # With a key that opens nothing, any decryption would raise.
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    for model, obj in entries.items():
        assert staff_client.get(f"/admin/journal/{model}/").status_code == 200
        assert (
            staff_client.get(f"/admin/journal/{model}/{obj.pk}/change/").status_code
            == 200
        )


@pytest.mark.parametrize("model", ["journalentry", "gratitudeentry", "moodentry"])
def test_staff_cannot_add_edit_or_delete_entries(staff_client, entries, model):
    obj = entries[model]

    assert staff_client.get(f"/admin/journal/{model}/add/").status_code == 403
    assert (
        staff_client.post(
            f"/admin/journal/{model}/{obj.pk}/change/", {"note": "x"}
        ).status_code
        == 403
    )
    assert (
        staff_client.get(f"/admin/journal/{model}/{obj.pk}/delete/").status_code == 403
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_staff_curate_prompts_and_crisis_resources(staff_client):
    response = staff_client.post(
        "/admin/journal/prompt/add/",
        {"text": "What surprised you today?", "locale": "en", "is_active": "on"},
    )
    assert response.status_code == 302
    response = staff_client.post(
        "/admin/journal/crisisresource/add/",
        {
            "locale": "en",
            "name": "988 Lifeline",
            "description": "",
            "phone": "988",
            "sms": "",
            "url": "https://988lifeline.org",
            "sort_order": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302

    assert list(Prompt.objects.values_list("text", flat=True)) == [
        "What surprised you today?"
    ]
    assert list(CrisisResource.objects.values_list("name", "phone")) == [
        ("988 Lifeline", "988")
    ]
