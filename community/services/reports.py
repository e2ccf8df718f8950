"""Reports on posts and comments, and the automatic hide once enough distinct
users report the same thing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from community.exceptions import (
    AlreadyReportedError,
)
from community.models import (
    Comment,
    ContentStatus,
    Post,
    Report,
)
from community.text import sanitize_text

if TYPE_CHECKING:
    from accounts.models import User


# Distinct users whose open reports hide a post or comment until reviewed.
REPORT_HIDE_THRESHOLD = 3


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    post: Post | None = None,
    comment: Comment | None = None,
) -> Report:
    """Report a post or a comment. Once ``REPORT_HIDE_THRESHOLD``
    distinct users have open reports on it, it is hidden from everyone but its
    author until a moderator decides."""
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                post=post,
                comment=comment,
                reason=reason,
                details=sanitize_text(details),
            )
    except IntegrityError:
        raise AlreadyReportedError() from None
    target: Post | Comment = post if post is not None else comment  # type: ignore[assignment]
    model = type(target)
    # Two reports landing together must not both miss the threshold: lock the
    # target row, then count.
    locked = model.objects.select_for_update().get(pk=target.pk)
    reporters = (
        Report.objects.filter(
            status=Report.Status.OPEN, **{model.__name__.lower(): locked}
        )
        .values("reporter")
        .distinct()
        .count()
    )
    if reporters >= REPORT_HIDE_THRESHOLD and locked.status == ContentStatus.PUBLISHED:
        locked.status = ContentStatus.HIDDEN
        locked.save(update_fields=["status", "updated_at"])
    return report
