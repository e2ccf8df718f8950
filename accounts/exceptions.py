"""The refusals accounts' services raise; ``kaya.exceptions`` renders each one as
the API's error shape with its stable ``code``."""

from __future__ import annotations

from rest_framework import status

from kaya.exceptions import ApplicationError, ConflictError, ServiceUnavailableError


class InvalidCredentialsError(ApplicationError):
    # One status and one body for an unknown email, a wrong password and an
    # inactive account, so the response does not reveal which accounts exist.
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    message = (
        "The email or password is not correct, or the email address is not "
        "verified yet (check your inbox for the link)."
    )


class LoginLockedError(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "login_locked"
    message = "Too many failed login attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class RefreshRejectedError(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
    message = "The refresh token is not valid."


class EmailLinkError(ApplicationError):
    code = "invalid_token"
    message = "This link is invalid, expired or already used."


class EmailTakenError(ConflictError):
    """A verified new address was taken by another account meanwhile (409)."""

    code = "email_taken"
    message = "This email address is already in use."


class AlreadyVerifiedError(ConflictError):
    code = "already_verified"
    message = "The email address is already verified."


class FieldError(ApplicationError):
    """A 400 about one input field, shaped like the serializers' own
    ``validation_error``: ``fields = {field: [messages]}``. Subclasses name the
    field and the default message; ``messages`` replaces it (e.g. the password
    validators' list)."""

    code = "validation_error"
    message = "The request is not valid; see fields."
    field = ""
    field_message = ""

    def __init__(self, messages: list[str] | None = None) -> None:
        super().__init__(fields={self.field: messages or [self.field_message]})


class EmailInvalidError(FieldError):
    field = "email"
    field_message = "Enter a valid email address."


class EmailNotAsciiError(ApplicationError):
    """The part before @ is not ASCII (see ``accounts.addresses``): its own
    code, with the reason on ``email``."""

    code = "email_not_ascii"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"email": [message]})


class EmailInUseError(FieldError):
    field = "email"
    field_message = "This email address is already in use."


class PasswordInvalidError(FieldError):
    """The password validators refused a new password (their messages)."""

    field = "password"
    field_message = "This password is not allowed."


class PasswordIncorrectError(FieldError):
    field = "password"
    field_message = "The password is not correct."


class CurrentPasswordIncorrectError(FieldError):
    field = "current_password"
    field_message = "The current password is not correct."


class RefreshTokenInvalidError(FieldError):
    field = "refresh"
    field_message = "This refresh token is not valid."


class UserRowsUnavailableError(ServiceUnavailableError):
    """A user row cannot be written now: Redis did not take the write's
    registration, which every worker's remembered rows depend on
    (``accounts.authentication``). Nothing was changed; the client may retry."""
