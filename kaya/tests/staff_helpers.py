"""Staff members of each role, for the staff console tests."""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.tests.factories import UserFactory
from kaya.staff import roles_sync


def staff_member(role_name: str, **fields: object) -> User:
    """A staff account in the role's group (the groups synced first: a
    transactional test elsewhere may have flushed them)."""
    roles_sync()
    member = UserFactory(is_staff=True, **fields)
    member.groups.add(Group.objects.get(name=role_name))
    return member
