"""Thin views: validate input, call one service or selector, serialize output."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.context import RequestContext
from accounts.jwt import TokenPair
from accounts.models import User
from accounts.serializers import (
    AuthResultOutput,
    DetailOutput,
    EmailVerifyInput,
    PasswordChangeInput,
    PasswordResetInput,
    PasswordResetRequestInput,
    PasswordResetTokenInput,
    TokenPairOutput,
    TokenRefreshInput,
    UserDeleteInput,
    UserExportOutput,
    UserLoginInput,
    UserOutput,
    UserRegisterInput,
    UserStatsOutput,
    UserUpdateInput,
)
from kaya.api import validated
from kaya.schema import ErrorSerializer
from kaya.throttles import AUTH_THROTTLES, RefreshFamilyThrottle

AUTH = ["accounts"]
USERS = ["users"]


def _pair(pair: TokenPair) -> dict[str, str]:
    return {"access": pair.access, "refresh": pair.refresh}


def _auth_result(user: User, pair: TokenPair) -> dict[str, Any]:
    return {"user": UserOutput(user).data, **_pair(pair)}


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


EMAIL_400 = _error(
    "`validation_error` with `fields`; `email_not_ascii` when the part of the "
    "address before @ is not ASCII (see the README on email addresses)."
)


class AuthView(APIView):
    """Anonymous auth endpoints: per-IP limits that fail open
    (``kaya.throttles.FailOpenMixin``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES
    throttle_scope = "auth"


SIGNUP_ACCEPTED = {
    "detail": "Check your email: the link in it confirms the address, then log in."
}


class RegisterView(AuthView):
    @extend_schema(
        tags=AUTH,
        summary="Create an account",
        description=(
            "Answers 202 with the same body whether the address is new or already "
            "has an account, so sign-up does not reveal which addresses exist. A "
            "new account gets a verification link and can log in once the address "
            "is verified; the owner of a taken address is told by email that "
            "someone tried to sign up with it. No tokens are returned."
        ),
        request=UserRegisterInput,
        responses={202: DetailOutput, 400: EMAIL_400},
    )
    def post(self, request: Request) -> Response:
        values = validated(UserRegisterInput, request.data)
        services.user_register(
            email=values["email"],
            password=values["password"],
            display_name=values["display_name"],
            timezone_name=values["timezone"],
            locale=values.get("locale", "en"),
            context=RequestContext.from_request(request),
        )
        return Response(SIGNUP_ACCEPTED, status=status.HTTP_202_ACCEPTED)


class LoginView(AuthView):
    @extend_schema(
        tags=AUTH,
        summary="Log in with email and password",
        description=(
            "An unknown email, a wrong password, an inactive account and an "
            "address not verified yet all get the same 401 body (the right "
            "password of an unverified account also sends a new verification "
            "link). After 5 failed attempts in 15 minutes the account "
            "answers 429 with `Retry-After`, even to the right password."
        ),
        request=UserLoginInput,
        responses={
            200: AuthResultOutput,
            400: EMAIL_400,
            401: _error("`invalid_credentials`."),
            429: _error("`login_locked` (see `Retry-After`) or `throttled`."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(UserLoginInput, request.data)
        user, pair = services.user_login(
            email=data["email"],
            password=data["password"],
            context=RequestContext.from_request(request),
        )
        return Response(_auth_result(user, pair))


class RefreshView(AuthView):
    # Only this limit, per login rather than per address: every client refreshes
    # every 15 minutes, and a per-address cap (the anonymous one included) would
    # log out users behind a shared NAT. See RefreshFamilyThrottle.
    throttle_classes = [RefreshFamilyThrottle]

    @extend_schema(
        tags=AUTH,
        summary="Rotate a refresh token",
        description=(
            "Returns a new access and refresh token; the old refresh token is "
            "blacklisted. Replaying a refresh token that was already rotated "
            "revokes every token descended from the same login, and answers 401. "
            "Limited per login (token family), not per client address: "
            "`THROTTLE_AUTH_REFRESH` (default 30 per 15 minutes); a token that "
            "does not verify counts against the client address."
        ),
        request=TokenRefreshInput,
        responses={
            200: TokenPairOutput,
            401: _error("`token_not_valid`."),
            429: _error("`throttled` (see `Retry-After`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(TokenRefreshInput, request.data)
        pair = services.token_refresh(
            raw_refresh=data["refresh"],
            context=RequestContext.from_request(request),
        )
        return Response(_pair(pair))


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=AUTH,
        summary="Log out this session",
        request=TokenRefreshInput,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        data = validated(TokenRefreshInput, request.data)
        services.session_logout(
            user=request.user,
            raw_refresh=data["refresh"],
            context=RequestContext.from_request(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=AUTH,
        summary="Log out everywhere",
        description="Revokes every refresh token and every issued access token.",
        request=None,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        services.session_logout_all(
            user=request.user, context=RequestContext.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


VERIFY_EMAIL_RESPONSES = {
    200: UserOutput,
    400: _error(
        "`invalid_token`: invalid, expired, or no longer matching "
        "the account (e.g. a newer address)."
    ),
    409: _error("`email_taken`: the new address was taken meanwhile."),
}


class VerifyEmailTokenView(AuthView):
    @extend_schema(
        tags=AUTH,
        summary="Verify an email address",
        description=(
            "The token of the link in the verification email (signed, 24 h), sent "
            "in the body so that it appears in no URL. Sending it again once the "
            "address is verified (a double click, a mail scanner) answers 200 and "
            "changes nothing."
        ),
        request=EmailVerifyInput,
        responses=VERIFY_EMAIL_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        data = validated(EmailVerifyInput, request.data)
        user = services.email_verify(
            token=data["token"], context=RequestContext.from_request(request)
        )
        return Response(UserOutput(user).data)


class VerifyEmailView(AuthView):
    @extend_schema(
        tags=AUTH,
        summary="Verify an email address (token in the path)",
        description=(
            "The link from the verification email: signed, 24 h. Opening it again "
            "once the address is verified answers 200 and changes nothing. "
            "`POST /auth/verify-email` with the token in the body does the same "
            "and keeps the token out of URLs."
        ),
        responses=VERIFY_EMAIL_RESPONSES,
    )
    def get(self, request: Request, token: str) -> Response:
        user = services.email_verify(
            token=token, context=RequestContext.from_request(request)
        )
        return Response(UserOutput(user).data)


class ResendVerificationView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = AUTH_THROTTLES
    throttle_scope = "auth_email"

    @extend_schema(
        tags=AUTH,
        summary="Send the verification email again",
        request=None,
        responses={
            202: DetailOutput,
            409: _error("`already_verified`."),
        },
    )
    def post(self, request: Request) -> Response:
        services.verification_resend(
            user=request.user, context=RequestContext.from_request(request)
        )
        return Response(
            {"detail": "Verification email queued."}, status=status.HTTP_202_ACCEPTED
        )


PASSWORD_RESET_ACCEPTED = {
    "detail": "If an account uses this address, a reset link is on its way."
}


class PasswordResetRequestView(AuthView):
    throttle_scope = "auth_email"

    @extend_schema(
        tags=AUTH,
        summary="Request a password reset email",
        description="Answers the same whether or not the address has an account.",
        request=PasswordResetRequestInput,
        responses={202: DetailOutput, 400: EMAIL_400},
    )
    def post(self, request: Request) -> Response:
        data = validated(PasswordResetRequestInput, request.data)
        services.password_reset_request(
            email=data["email"],
            context=RequestContext.from_request(request),
        )
        return Response(PASSWORD_RESET_ACCEPTED, status=status.HTTP_202_ACCEPTED)


PASSWORD_RESET_RESPONSES = {
    200: DetailOutput,
    400: _error(
        "`invalid_token`: invalid, expired or already used; or "
        "`validation_error` on `password`."
    ),
}


def _password_reset(request: Request, *, token: str, password: str) -> Response:
    # The password validators need the account, which only the token names.
    services.password_reset(
        token=token,
        password=password,
        context=RequestContext.from_request(request),
    )
    return Response({"detail": "Your password has been changed."})


class PasswordResetTokenView(AuthView):
    @extend_schema(
        tags=AUTH,
        summary="Set a new password from a reset link",
        description=(
            "The token of the link in the reset email (1 h, single use) and the new "
            "password, both in the body so that the token appears in no URL. Ends "
            "every session of the account."
        ),
        request=PasswordResetTokenInput,
        responses=PASSWORD_RESET_RESPONSES,
        # The path form (an older link shape) keeps auth_reset_password_create.
        operation_id="auth_reset_password_token_create",
    )
    def post(self, request: Request) -> Response:
        data = validated(PasswordResetTokenInput, request.data)
        return _password_reset(request, token=data["token"], password=data["password"])


class PasswordResetView(AuthView):
    @extend_schema(
        tags=AUTH,
        summary="Set a new password from a reset link (token in the path)",
        description=(
            "1 h, single use; ends every session of the account. "
            "`POST /auth/reset-password` with the token in the body does the same "
            "and keeps the token out of URLs."
        ),
        request=PasswordResetInput,
        responses=PASSWORD_RESET_RESPONSES,
    )
    def post(self, request: Request, token: str) -> Response:
        data = validated(PasswordResetInput, request.data)
        return _password_reset(request, token=token, password=data["password"])


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=AUTH,
        summary="Change the password",
        description="Ends every other session; returns new tokens for this one.",
        request=PasswordChangeInput,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request) -> Response:
        data = validated(PasswordChangeInput, request.data, user=request.user)
        pair = services.password_change(
            user=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            context=RequestContext.from_request(request),
        )
        return Response(_pair(pair))


DELETE_DESCRIPTION = (
    "Requires the password. Revokes every token, closes websockets, and deletes "
    "or anonymises every personal row."
)
DELETE_RESPONSES = {204: None, 400: _error("`validation_error`: wrong password.")}


def _me_delete(request: Request) -> Response:
    data = validated(UserDeleteInput, request.data)
    services.user_delete(
        user=request.user,
        password=data["password"],
        context=RequestContext.from_request(request),
    )
    return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=USERS, summary="My profile", responses={200: UserOutput})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)

    @extend_schema(
        tags=USERS,
        summary="Update my profile and preferences",
        description=(
            "Read-only fields (is_staff, email_verified, subscription, dates) are "
            "ignored. A new `email` needs `current_password` and takes effect once "
            "verified; the old address is told."
        ),
        request=UserUpdateInput,
        responses={200: UserOutput, 400: EMAIL_400},
    )
    def patch(self, request: Request) -> Response:
        values = validated(UserUpdateInput, request.data, user=request.user)
        new_email = values.pop("email", None)
        current_password = values.pop("current_password", "")
        user = services.user_update(
            user=request.user,
            data=values,
            new_email=new_email,
            current_password=current_password,
            context=RequestContext.from_request(request),
        )
        return Response(UserOutput(user).data)

    @extend_schema(
        tags=USERS,
        summary="Delete my account (use POST /users/me/delete)",
        description=(
            f"{DELETE_DESCRIPTION} Takes the same JSON body as "
            '`POST /users/me/delete` (`{"password": ...}`); a body on DELETE is '
            "dropped by some clients and proxies, so prefer the POST form."
        ),
        request=None,
        # Its body is undocumented, but still parsed: the body errors stay.
        responses={
            **DELETE_RESPONSES,
            413: _error("Request body too large."),
            415: _error(
                "The body is not `application/json` (`unsupported_media_type`)."
            ),
        },
        deprecated=True,
    )
    def delete(self, request: Request) -> Response:
        return _me_delete(request)


class MeDeleteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=USERS,
        summary="Delete my account",
        description=DELETE_DESCRIPTION,
        request=UserDeleteInput,
        responses=DELETE_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return _me_delete(request)


class MeStatsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=USERS, summary="My totals", responses={200: UserStatsOutput})
    def get(self, request: Request) -> Response:
        return Response(selectors.user_stats(user=request.user))


class MeExportView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = AUTH_THROTTLES
    throttle_scope = "export"

    @extend_schema(
        tags=USERS,
        summary="Export all my data",
        description="Every app's data about you, as one JSON document.",
        responses={200: UserExportOutput},
    )
    def get(self, request: Request) -> Response:
        document = services.user_export(
            user=request.user, context=RequestContext.from_request(request)
        )
        return Response(
            document,
            headers={"Content-Disposition": 'attachment; filename="kaya-export.json"'},
        )
