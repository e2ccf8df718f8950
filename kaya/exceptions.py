"""One error hierarchy and one error shape for the whole API.

Every 4xx/5xx from the API is ``{"error": {"code", "message", "fields"?,
"request_id"?}}``. Services raise ``ApplicationError`` subclasses with a stable
code; views never build error responses themselves.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from kaya.logging import current_request_id

logger = logging.getLogger("kaya.errors")

SERVER_ERROR_MESSAGE = (
    "Something went wrong on our side. Please try again; if it keeps happening, "
    "contact support with the request id."
)


class ApplicationError(Exception):
    """A business rule refused the operation. Subclass per meaning."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "application_error"
    message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields
        self.headers = headers or {}
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.message)


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = "Not found."


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state."


class ForbiddenError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    message = "You do not have permission to do this."


_SURROGATE = re.compile("[\ud800-\udfff]")


def _renderable(value: Any) -> Any:
    """Error details may echo the caller's input; a lone surrogate in it cannot
    be encoded to UTF-8 and would turn the 400 into a 500 while rendering."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {_renderable(key): _renderable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_renderable(item) for item in value]
    return value


class ServiceUnavailableError(ApplicationError):
    """A dependency (database, cache) cannot serve now; the client may retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"
    message = "The service is temporarily unavailable. Please try again shortly."


def error_body(
    code: str, message: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": _renderable(message)}
    if fields:
        error["fields"] = _renderable(fields)
    request_id = current_request_id()
    if request_id:
        error["request_id"] = request_id
    return {"error": error}


def error_response(
    status_code: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> JsonResponse:
    """The error shape for plain Django views and middleware (outside DRF)."""
    return JsonResponse(error_body(code, message, fields), status=status_code)


def _drf_code(exc: drf_exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and isinstance(detail.get("code"), str):
        # SimpleJWT's specific codes, e.g. "token_not_valid".
        return str(detail["code"])
    if isinstance(exc, drf_exceptions.ValidationError):
        return "validation_error"
    if isinstance(exc, drf_exceptions.NotAuthenticated):
        return "not_authenticated"
    if isinstance(exc, drf_exceptions.AuthenticationFailed):
        return "authentication_failed"
    if isinstance(exc, drf_exceptions.Throttled):
        return "throttled"
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        return "method_not_allowed"
    if isinstance(exc, drf_exceptions.NotFound):
        return "not_found"
    if isinstance(exc, drf_exceptions.PermissionDenied):
        return "permission_denied"
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        return "unsupported_media_type"
    if isinstance(exc, drf_exceptions.ParseError):
        return "parse_error"
    return str(exc.default_code)


def _drf_message(exc: drf_exceptions.APIException) -> str:
    if isinstance(exc, drf_exceptions.ValidationError):
        return "The request is not valid; see fields."
    detail = exc.detail
    if isinstance(detail, dict):
        # SimpleJWT puts {"detail", "code", "messages"} in its detail.
        return str(detail.get("detail") or exc.default_detail)
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail) or str(exc.default_detail)
    return str(detail)


def _flatten(path: str, detail: Any, out: dict[str, list[Any]]) -> None:
    if isinstance(detail, dict):
        for key, value in detail.items():
            _flatten(f"{path}.{key}" if path else str(key), value, out)
    elif isinstance(detail, list) and any(
        isinstance(item, dict | list) for item in detail
    ):
        # One entry per item of a list (of a ListSerializer: {} for a good item).
        for index, item in enumerate(detail):
            if item:
                _flatten(f"{path}.{index}" if path else str(index), item, out)
    else:
        items = detail if isinstance(detail, list) else [detail]
        out.setdefault(path or "non_field_errors", []).extend(items)


def _validation_fields(detail: Any) -> dict[str, Any]:
    """``fields`` is always a flat map of messages: an error inside a list or
    an object is keyed by its dotted path (``topics.0``, ``support.phone``), as
    the document says, never a nested object."""
    out: dict[str, list[Any]] = {}
    _flatten("", detail, out)
    return out


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes the one error shape."""
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    if isinstance(exc, DatabaseOperationalError | DatabaseInterfaceError):
        # The database is unreachable, timed out, cancelled a statement or lost
        # the connection: not our bug and not the client's, so a 503 it may
        # retry, not a 500.
        request = context.get("request")
        logger.warning(
            "Database unavailable in %s %s (%s)",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            type(exc.__cause__ or exc).__name__,
        )
        exc = ServiceUnavailableError()

    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response(
            error_body(exc.code, exc.message, exc.fields),
            status=exc.status_code,
            headers=exc.headers,
        )

    if isinstance(exc, drf_exceptions.APIException):
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
        fields = (
            _validation_fields(exc.detail)
            if isinstance(exc, drf_exceptions.ValidationError)
            else None
        )
        set_rollback()
        return Response(
            error_body(_drf_code(exc), _drf_message(exc), fields),
            status=exc.status_code,
            headers=headers,
        )

    # Anything else is our bug: log it with the traceback, answer generically.
    request = context.get("request")
    logger.exception(
        "Unhandled error in %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
    )
    set_rollback()
    return Response(
        error_body("server_error", SERVER_ERROR_MESSAGE),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler404(request: HttpRequest, exception: Exception | None = None) -> Any:
    if _is_api(request):
        return error_response(404, "not_found", "Not found.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def handler500(request: HttpRequest) -> Any:
    if _is_api(request) or request.path.startswith("/health"):
        return error_response(500, "server_error", SERVER_ERROR_MESSAGE)
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request: HttpRequest, exception: Exception | None = None) -> Any:
    if _is_api(request):
        return error_response(400, "bad_request", "The request is not valid.")
    from django.views.defaults import bad_request

    return bad_request(request, exception or Exception())


def handler403(request: HttpRequest, exception: Exception | None = None) -> Any:
    if _is_api(request):
        return error_response(403, "permission_denied", "Permission denied.")
    from django.views.defaults import permission_denied

    return permission_denied(request, exception or DjangoPermissionDenied())
