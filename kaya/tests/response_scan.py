"""Every API response a test receives is scanned for what must never leave the
server (the ``_scan_api_responses`` fixture of the root conftest.py runs it):

- a password hash (Django's ``<algorithm>$...`` encodings);
- a JWT of another user than the one the request authenticated as, or any
  refresh token outside the endpoints that issue one;
- the email of another user (a row of ``accounts.User``);
- an internal field (``INTERNAL_FIELDS``) as a key of the JSON body, or a value
  that is Fernet ciphertext (an encrypted column read raw).

A test that must receive such a body opts out with
``@pytest.mark.no_response_scan(reason="...")``.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import Resolver404, resolve

API_PREFIX = "/api/"
# The OpenAPI document and docs pages describe fields (``password``) and carry
# examples; they hold no data.
DOCS_PREFIXES = ("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc")

# Routes that answer with a token pair for the user who signed in, signed up,
# refreshed or set a password.
TOKEN_ROUTES = frozenset(
    {
        "register",
        "login",
        "refresh",
        "change-password",
        "reset-password",
        "reset-password-token",
        "verify-email",
        "verify-email-token",
    }
)

# Keys of a JSON body that are internal: credentials and their bookkeeping, token
# internals, privilege flags a client never needs.
INTERNAL_FIELDS = frozenset(
    {
        "password",
        "password_hash",
        "token_epoch",
        "is_superuser",
        "user_permissions",
        "jti",
        "refresh_jti",
        "family_id",
        "token_hash",
        "ciphertext",
        "secret_key",
        "signing_key",
        "field_encryption_keys",
    }
)

PASSWORD_HASH = re.compile(
    r"\b(?:argon2(?:id|i|d)?|pbkdf2_sha(?:1|256)|bcrypt(?:_sha256)?|scrypt|md5|"
    r"sha1|unsalted_md5|unsalted_sha1)\$[^\s\"']{8,}"
)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_-]{60,}={0,2}")
# A signed link token (django.core.signing: payload:timestamp:signature).
SIGNED = re.compile(r"(eyJ[A-Za-z0-9_-]+):[A-Za-z0-9_-]+:[A-Za-z0-9_-]+")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


class ResponseLeakError(AssertionError):
    """A response body carries something it must never carry."""


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return {}


def _route_name(path: str) -> str:
    try:
        return resolve(path).url_name or ""
    except Resolver404:
        return ""


def _request_user(response: HttpResponse) -> Any:
    """The user the request authenticated as (DRF sets it on the Django request),
    or None."""
    request = getattr(response, "wsgi_request", None)
    user = getattr(request, "__dict__", {}).get("user") if request else None
    user = getattr(user, "_wrapped", user)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _keys(data: Any, inside_error: bool = False) -> set[str]:
    if isinstance(data, dict):
        found: set[str] = set()
        for key, value in data.items():
            # An error's "fields" names the input's fields ("password": ["..."]).
            if inside_error and key == "fields":
                continue
            found.add(str(key))
            found |= _keys(value, inside_error=inside_error or key == "error")
        return found
    if isinstance(data, list):
        return set().union(*(_keys(item, inside_error) for item in data))
    return set()


def _users_by_email(emails: set[str]) -> dict[str, int]:
    """The users whose address (or pending address) is one of ``emails``; {} when
    the test has no database access."""
    from django.db import DatabaseError, connection
    from django.db.models import Q

    from accounts.models import User

    lowered = {email.lower() for email in emails}
    query = Q()
    for email in lowered:
        query |= Q(email__iexact=email) | Q(pending_email__iexact=email)
    # The scan is not the code under test: its query must not count in the
    # test's django_assert_num_queries, so it leaves the query log as it was.
    log = connection.queries_log
    logged = len(log)
    try:
        rows = list(
            User.objects.filter(query).values_list("pk", "email", "pending_email")
        )
    except RuntimeError:  # pytest-django: this test may not use the database
        return {}
    except DatabaseError:  # the test broke its own transaction on purpose
        return {}
    finally:
        while len(log) > logged:
            log.pop()
    found: dict[str, int] = {}
    for pk, email, pending in rows:
        for address in (email, pending):
            if address and address.lower() in lowered:
                found[address.lower()] = pk
    return found


def scan_response(method: str, path: str, sent_body: bytes, response: Any) -> None:
    """Raise ResponseLeakError when the response to ``method path`` leaks."""
    if not path.startswith(API_PREFIX) or isinstance(response, StreamingHttpResponse):
        return
    text = response.content.decode("utf-8", errors="replace")
    if not text:
        return
    problems: list[str] = []
    docs = path.startswith(DOCS_PREFIXES)

    if match := PASSWORD_HASH.search(text):
        problems.append(f"a password hash ({match.group(0)[:16]}...)")
    if not docs and (match := FERNET.search(text)):
        problems.append(f"Fernet ciphertext ({match.group(0)[:16]}...)")

    user = _request_user(response)
    route = _route_name(path)
    token_users: set[str] = set()
    for token in JWT.findall(text):
        claims = _claims(token)
        owner = str(claims.get("user_id", ""))
        token_users.add(owner)
        if claims.get("token_type") == "refresh" and route not in TOKEN_ROUTES:
            problems.append(f"a refresh token outside the token endpoints ({route})")
        if user is not None and owner != str(user.pk):
            problems.append(f"a JWT of user {owner} in a response to user {user.pk}")
    if len(token_users) > 1:
        problems.append(f"JWTs of several users: {sorted(token_users)}")

    emails = set(EMAIL.findall(text))
    if emails and not docs:
        allowed = {
            e.lower() for e in EMAIL.findall(sent_body.decode("utf-8", "replace"))
        }
        allowed_users = {str(pk) for pk in token_users if pk}
        if route in TOKEN_ROUTES:
            # An email link's signed token names the user it acts for.
            sent = path + sent_body.decode("utf-8", "replace")
            for payload in SIGNED.findall(sent):
                claims = _claims("." + payload)
                allowed_users.add(str(claims.get("u", "")))
                allowed.add(str(claims.get("e", "")).lower())
        if user is not None:
            allowed_users.add(str(user.pk))
        if user is not None:
            allowed |= {user.email.lower(), (user.pending_email or "").lower()}
        unknown = {e for e in emails if e.lower() not in allowed}
        for email, pk in (_users_by_email(unknown) if unknown else {}).items():
            if email not in allowed and str(pk) not in allowed_users:
                problems.append(f"the email of another user ({email})")

    if not docs and "json" in response.get("Content-Type", ""):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        internal = sorted(_keys(data) & INTERNAL_FIELDS)
        if internal:
            problems.append(f"internal fields {internal}")

    if problems:
        raise ResponseLeakError(
            f"{method} {path} -> {response.status_code} leaks: " + "; ".join(problems)
        )
