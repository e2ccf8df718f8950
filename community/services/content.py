"""What every post and comment shares: how its author is shown to others,
and the checks its text passes (sanitised, blocked terms refused, the one
crisis check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from community import selectors
from community.exceptions import (
    BlockedTermError,
    CommunityBannedError,
    EmptyTextError,
)
from community.models import Comment, Post
from community.text import contains_term, sanitize_text
from journal.crisis import crisis_check, crisis_support

if TYPE_CHECKING:
    from accounts.models import User


ANONYMOUS = "Anonymous"


_Content = TypeVar("_Content", Post, Comment)


@dataclass(frozen=True)
class Published(Generic[_Content]):
    """A post or comment just written, with the ``support`` block for its
    author when the crisis check flagged it (else None)."""

    obj: _Content
    support: dict[str, Any] | None


def author_public(*, author: User, anonymous: bool) -> dict[str, str]:
    """How an author is shown to others: never the real one when anonymous."""
    if anonymous:
        return {"display_name": ANONYMOUS, "avatar_url": ""}
    return {"display_name": author.display_name, "avatar_url": author.avatar_url}


def text_checked(*, author: User, text: str) -> tuple[str, dict[str, Any] | None]:
    """Sanitised text and the support block when the crisis check flags it;
    refuses banned authors, empty text and blocked terms."""
    if selectors.is_community_banned(user=author):
        raise CommunityBannedError()
    clean = sanitize_text(text)
    if not clean:
        raise EmptyTextError()
    if contains_term(clean, selectors.blocked_terms()):
        raise BlockedTermError()
    if crisis_check(clean, author.locale).flagged:
        return clean, crisis_support(user=author)
    return clean, None
