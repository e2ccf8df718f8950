"""Errors the community services raise (rendered by kaya.exceptions)."""

from __future__ import annotations

from rest_framework import status

from kaya.exceptions import ApplicationError


class BlockedTermError(ApplicationError):
    code = "blocked_term"
    message = (
        "This contains a word or phrase that is not allowed in the community. "
        "Please rephrase it."
    )


class CommunityBannedError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "community_banned"
    message = "You can no longer post, comment or like in the community."


class GroupNotFoundError(ApplicationError):
    """A group that does not exist, or a private group the user is not in."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = "Not found."


class NotGroupMemberError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "not_group_member"
    message = "Join this group before posting in it."


class GroupBannedError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "group_banned"
    message = "You cannot join this group."


class ReplyDepthError(ApplicationError):
    code = "reply_too_deep"
    message = "Replies can only be made to top-level comments."


class CommentRemovedError(ApplicationError):
    code = "comment_removed"
    message = "This comment was removed."


class AlreadyReportedError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "already_reported"
    message = "You have already reported this."


class EmptyTextError(ApplicationError):
    code = "empty_text"
    message = "Write something first: nothing is left once markup is removed."


class ParentCommentNotFoundError(ApplicationError):
    code = "parent_not_found"
    message = "The comment to reply to is not on this post."
