"""Staff roles: the groups the staff console grants, and their exact permissions.

A role is a ``django.contrib.auth`` group whose permissions are kept equal to the
table below by ``roles_sync()`` (the ``staff_roles`` command, and after every
``migrate``): a permission granted by hand to a role's group is taken away again,
so the table is the one place a role's reach is decided. Models are named by
label, so this module imports no app.

No role reaches private health text (journal, gratitude and mood entries, AI
chat): those models are never listed here, and their admins only ever show
metadata, even to superusers. The AI crisis-referral counter (per-day counts,
no user, no content) is granted to no role either: staff see its daily figures
on the dashboard, and its admin page is for superusers. Superusers are not a
group: ``is_superuser`` is a flag that only another superuser (or
``createsuperuser``) can set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)
REVIEW = ("view", "change")


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    # "app_label.model_name" -> actions ("view", "add", "change", "delete")
    models: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def codenames(self) -> set[tuple[str, str]]:
        """(app_label, codename) for every permission this role holds."""
        found = set()
        for label, actions in self.models.items():
            app_label, model_name = label.split(".")
            for action in actions:
                found.add((app_label, f"{action}_{model_name}"))
        return found


CONTENT_EDITORS = Role(
    name="Content editors",
    description="Programs and their days, achievements, challenges, events, "
    "journal prompts and therapists.",
    models={
        "wellness.wellnessprogram": ALL,
        "wellness.programday": ALL,
        "wellness.achievement": ALL,
        "wellness.challenge": ALL,
        "wellness.wellnessevent": ALL,
        # Attendance marking and the attendee list of an event.
        "wellness.eventregistration": REVIEW,
        "journal.prompt": ALL,
        "coaching.therapist": ALL,
        "coaching.availabilitywindow": ALL,
        "coaching.availabilityexception": ALL,
    },
)

MODERATORS = Role(
    name="Community moderators",
    description="The community moderation queue: hide, restore, dismiss "
    "reports, warn and ban; support groups and their members; blocked terms.",
    models={
        "community.post": REVIEW,
        "community.comment": REVIEW,
        "community.report": REVIEW,
        # Groups and join requests (approve, ban from a group).
        "community.supportgroup": ("view", "add", "change"),
        "community.supportgroupmember": REVIEW,
        "community.communityban": ALL,
        "community.blockedterm": ALL,
    },
)

SUPPORT = Role(
    name="Support",
    description="Users' account state (activate, deactivate, resend "
    "verification), the audit log and email delivery; never health text.",
    models={
        "accounts.user": REVIEW,
        "accounts.auditlog": VIEW,
        "accounts.emaildelivery": VIEW,
        "kaya.outboxemail": VIEW,
        "notifications.notification": VIEW,
        "notifications.schedulednotification": VIEW,
    },
)

ROLES: tuple[Role, ...] = (CONTENT_EDITORS, MODERATORS, SUPPORT)


def role_by_name(name: str) -> Role:
    for role in ROLES:
        if role.name == name:
            return role
    raise KeyError(name)


@dataclass
class RoleChange:
    role: str
    created: bool
    added: list[str]
    removed: list[str]


def roles_sync(*, using: str = "default") -> list[RoleChange]:
    """Create each role's group and set its permissions to exactly the table's.

    Idempotent: a second run changes nothing. Raises ``LookupError`` when a
    permission of the table does not exist (a renamed model): better a failed
    deploy than a role that silently lost part of its reach.
    """
    changes = []
    with transaction.atomic(using=using):
        for role in ROLES:
            wanted = role.codenames()
            permissions = list(
                Permission.objects.using(using)
                .filter(
                    content_type__app_label__in={app for app, _ in wanted},
                    codename__in={codename for _, codename in wanted},
                )
                .select_related("content_type")
            )
            by_key = {
                (p.content_type.app_label, p.codename): p
                for p in permissions
                if (p.content_type.app_label, p.codename) in wanted
            }
            missing = wanted - by_key.keys()
            if missing:
                raise LookupError(
                    f"{role.name}: no such permission(s) "
                    + ", ".join(sorted(f"{a}.{c}" for a, c in missing))
                )
            group, created = Group.objects.using(using).get_or_create(name=role.name)
            current = {
                (p.content_type.app_label, p.codename): p
                for p in group.permissions.select_related("content_type")
            }
            added = sorted(by_key.keys() - current.keys())
            removed = sorted(current.keys() - by_key.keys())
            if added:
                group.permissions.add(*(by_key[key] for key in added))
            if removed:
                group.permissions.remove(*(current[key] for key in removed))
            changes.append(
                RoleChange(
                    role=role.name,
                    created=created,
                    added=[f"{a}.{c}" for a, c in added],
                    removed=[f"{a}.{c}" for a, c in removed],
                )
            )
    return changes


def roles_sync_after_migrate(sender, app_config=None, using="default", **kwargs):  # type: ignore[no-untyped-def]
    """post_migrate: once the last app has migrated (every permission exists)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    if app_config is None or app_config != list(apps.get_app_configs())[-1]:
        return
    # auth creates permissions in its own post_migrate handler, per app; make
    # sure every app's exist before the roles refer to them.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    roles_sync(using=using)
