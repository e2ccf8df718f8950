"""Create (or refresh) the "Community moderators" group: staff in it see and act
on community content in the admin and nothing else (no journals, moods, chats
or accounts). Idempotent.

The role's permissions are kept in one place, ``kaya.staff`` (``staff_roles``
syncs every role); this command is kept for the scripts that call it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from kaya.staff import MODERATORS, roles_sync

GROUP = MODERATORS.name


def moderators_group() -> Group:
    roles_sync()
    return Group.objects.get(name=GROUP)


class Command(BaseCommand):
    help = (
        "Create or refresh the Community moderators group (community admin only); "
        "staff_roles does this for every role."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        group = moderators_group()
        self.stdout.write(
            f"{group.name}: {group.permissions.count()} permissions. Add moderators "
            "(staff accounts) to it in the admin."
        )
