"""Request id, body size limit and API cache headers."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control, patch_vary_headers

from kaya.exceptions import ServiceUnavailableError, error_response
from kaya.logging import request_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only if it is short and plain, so it cannot inject into logs.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Take X-Request-ID from the caller (or make one); echo it; log with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Cleared on request_finished (below), not here: Django logs the
        # response ("Not Found: /x") after the middleware chain has returned.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _clear_request_id(**kwargs: object) -> None:
    request_id_var.set(None)


request_finished.connect(_clear_request_id, dispatch_uid="kaya.clear_request_id")


class ApiNotFoundMiddleware:
    """An unknown path under /api/ answers in the error shape, DEBUG included.

    With DEBUG on, Django answers an unmatched URL with its HTML debug page
    (every route listed) before handler404 is consulted; API clients get JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return error_response(404, "not_found", "Not found.")
        return response


class BodySizeLimitMiddleware:
    """Refuse request bodies over API_MAX_BODY_BYTES with 413 before parsing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            return error_response(
                400, "bad_request", "The Content-Length header is not a number."
            )
        if size > settings.API_MAX_BODY_BYTES:
            return error_response(
                413,
                "request_too_large",
                f"The request body is larger than {settings.API_MAX_BODY_BYTES} bytes.",
            )
        return self.get_response(request)


class ApiCacheControlMiddleware:
    """Authenticated API responses must never be stored by a shared cache.

    Every API response passes here, and almost none has a ``Vary`` or
    ``Cache-Control`` header yet: then the header is set to what Django's
    ``patch_*`` helpers would write (they parse and merge, for the rest).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            if "Vary" in response:
                patch_vary_headers(response, ["Authorization"])
            else:
                response["Vary"] = "Authorization"
            user = getattr(request, "user", None)
            if "HTTP_AUTHORIZATION" in request.META or (
                user is not None and user.is_authenticated
            ):
                if response.get("Cache-Control"):
                    patch_cache_control(response, no_store=True, private=True)
                else:
                    response["Cache-Control"] = "no-store, private"
        return response


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response (Django 5.2 has none built in;
    the policies are in settings): the admin's pages run only their own scripts
    and styles, the API docs their own scripts (their widgets inject styles), and
    anything else (JSON, files) may load nothing and be framed by nobody."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        html = response.get("Content-Type", "").startswith("text/html")
        if request.path.startswith(settings.CSP_DOCS_PATHS):
            policy = settings.CSP_DOCS
        elif request.path.startswith("/admin/"):
            policy = settings.CSP_ADMIN
        elif not html:
            policy = settings.CSP_API
        else:
            # The browsable API (DEBUG only) and Django's debug pages use inline
            # scripts; they are not served in production.
            return response
        response["Content-Security-Policy"] = policy
        return response


class AdminServiceUnavailableMiddleware:
    """In the staff console, a change a dependency cannot take now (a
    ``ServiceUnavailableError``: Redis did not register a write to a user row,
    say) answers with the same page again and a message, not the 500 page. The
    admin's change and delete views run in a transaction, so nothing of that
    change was saved; an action over several rows stops at the row that failed.
    Only for a submitted change (not GET or HEAD). Placed after
    ``MessageMiddleware``, so the message is stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        match = getattr(request, "resolver_match", None)
        if (
            not isinstance(exception, ServiceUnavailableError)
            or match is None
            or "admin" not in match.namespaces
            # A page that cannot be shown is not sent back to itself (a loop).
            or request.method in ("GET", "HEAD")
        ):
            return None
        logger.warning(
            "staff console: %s refused by an unavailable dependency (%s)",
            request.method,
            type(exception).__name__,
        )
        messages.error(
            request,
            "Not saved: the service is temporarily unavailable. A form's change "
            "was not saved; an action over several rows stopped at the first row "
            "it could not change. Please try again shortly.",
        )
        return HttpResponseRedirect(request.get_full_path())
