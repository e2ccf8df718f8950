import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from journal.models import CrisisResource, Prompt
from wellness.models import ProgramDay, WellnessProgram

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_makes_a_usable_catalogue(settings, api_client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.filter(email="demo@kaya.local").count() == 1
    assert User.objects.get(email="admin@kaya.local").is_superuser
    assert WellnessProgram.objects.filter(is_published=True).count() == 2
    assert ProgramDay.objects.count() == 12
    assert WellnessProgram.objects.get(slug="calm-in-seven-days").days_count == 7
    assert Prompt.objects.count() == 5
    assert CrisisResource.objects.count() == 2

    login = api_client.post(
        "/api/v1/auth/login",
        {"email": "demo@kaya.local", "password": "kaya-demo-password"},
        format="json",
    )
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    titles = [p["title"] for p in api_client.get("/api/v1/programs").json()["results"]]
    assert sorted(titles) == ["Calm in Seven Days", "Deeper Sleep"]


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(email="demo@kaya.local").exists()


def test_the_cross_app_commands_belong_to_kaya():
    from django.core.management import get_commands

    commands = get_commands()

    assert commands["seed_demo"] == "kaya"
    assert commands["rotate_encryption_keys"] == "kaya"
    assert commands["seed_bench"] == "wellness"
