"""Create (or refresh) the "Community moderators" group: staff in it see and act
on community content in the admin and nothing else (no journals, moods, chats
or accounts). Idempotent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

GROUP = "Community moderators"
PERMISSIONS = {
    "post": ("view", "change"),
    "comment": ("view", "change"),
    "report": ("view", "change"),
    "supportgroup": ("view", "change", "add"),
    "supportgroupmember": ("view", "change"),
    "blockedterm": ("view", "change", "add", "delete"),
    "communityban": ("view", "change", "add", "delete"),
}


def moderators_group() -> Group:
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        f"{verb}_{model}" for model, verbs in PERMISSIONS.items() for verb in verbs
    ]
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="community", codename__in=codenames
        )
    )
    return group


class Command(BaseCommand):
    help = "Create or refresh the Community moderators group (community admin only)."

    def handle(self, *args: Any, **options: Any) -> None:
        group = moderators_group()
        self.stdout.write(
            f"{group.name}: {group.permissions.count()} permissions. Add moderators "
            "(staff accounts) to it in the admin."
        )
