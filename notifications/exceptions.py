"""The errors notifications' services raise (rendered by ``kaya.exceptions``)."""

from __future__ import annotations

from kaya.exceptions import ApplicationError


class EmailPreferencesLinkInvalidError(ApplicationError):
    """The signed link from a notification email is malformed, expired, or was
    made for an address the account no longer has."""

    code = "validation_error"
    message = "This link is invalid or has expired."

    def __init__(self) -> None:
        super().__init__(fields={"token": [self.message]})
