"""Support group membership: join (pending for private groups) and leave."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from community.exceptions import (
    GroupBannedError,
)
from community.models import (
    SupportGroup,
    SupportGroupMember,
)

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def group_join(*, group: SupportGroup, user: User) -> SupportGroupMember:
    """Join a group: active at once for a public group, pending until a group
    moderator or staff approves for a private one. Idempotent."""
    membership, _ = SupportGroupMember.objects.get_or_create(
        group=group,
        user=user,
        defaults={
            "status": SupportGroupMember.Status.PENDING
            if group.is_private
            else SupportGroupMember.Status.ACTIVE
        },
    )
    if membership.status == SupportGroupMember.Status.BANNED:
        raise GroupBannedError()
    return membership


@transaction.atomic
def group_leave(*, group: SupportGroup, user: User) -> None:
    """Leave a group (or withdraw a request). A ban stays in place."""
    SupportGroupMember.objects.filter(group=group, user=user).exclude(
        status=SupportGroupMember.Status.BANNED
    ).delete()
