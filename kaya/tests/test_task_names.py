"""Every Celery task of ours has an explicit name ``<app>.<verb_object>``, and
the beat schedule only names tasks that exist."""

from __future__ import annotations

import re

from django.apps import apps

from kaya.celery import app

PROJECT_APPS = {
    "kaya",
    "accounts",
    "notifications",
    "journal",
    "community",
    "coaching",
    "wellness",
}
NAME = re.compile(r"^(?P<app>[a-z]+)\.[a-z]+(?:_[a-z]+)+$")


def _our_tasks() -> dict[str, object]:
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if task.__module__.split(".")[0] in PROJECT_APPS
    }


def test_project_apps_are_the_installed_local_apps():
    local = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if not config.path.count("site-packages")
    }
    assert local == PROJECT_APPS


def test_every_task_of_ours_is_named_app_dot_verb_object():
    tasks = _our_tasks()

    assert tasks, "no project task was discovered"
    for name, task in tasks.items():
        match = NAME.match(name)
        assert match, (
            f"{task.__module__}: task name {name!r} is not <app>.<verb_object>"
        )
        app_label = task.__module__.split(".")[0]
        assert match["app"] == app_label, f"{name!r} is declared in {app_label}"


def test_the_tasks_we_rely_on_are_registered():
    tasks = _our_tasks()

    assert {
        "kaya.send_email",
        "kaya.sweep_email_outbox",
        "accounts.purge_login_failures",
        "accounts.purge_tokens",
    } <= set(tasks)
    # Accounts' emails go through the one outbox: no task of their own.
    assert not any(name.startswith("accounts.") and "email" in name for name in tasks)


def test_every_beat_entry_names_a_registered_task_of_ours():
    tasks = _our_tasks()

    for entry, spec in app.conf.beat_schedule.items():
        assert spec["task"] in tasks, (
            f"beat entry {entry!r}: unknown task {spec['task']!r}"
        )
