"""Authentication backend for Django's own logins (the admin).

Brute force against the admin login is stopped by the same database-counted,
per-account lockout as the API login (``services.login_attempt``), not by
django-ratelimit: the pinned django-ratelimit 4.1 fails ``manage.py check``
(E003) on the embedded default's LocMemCache, answers 403 rather than 429, and
with a cache outage either blocks everyone or no one. Counting failures in the
database keeps the lockout working with Redis down and shares one counter
between the admin and the API, so an attacker cannot double the budget; the same
table also locks a client address that tries many accounts.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.context import RequestContext
from accounts.exceptions import InvalidCredentialsError, LoginLockedError
from accounts.models import User
from kaya.exceptions import ApplicationError


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get("email")
        if username is None or password is None:
            return None
        context = RequestContext.from_request(request)
        try:
            return services.login_attempt(
                email=username, password=password, context=context, channel="django"
            )
        except LoginLockedError:
            # Stops the backend chain; Django shows its generic login error.
            raise PermissionDenied from None
        except (InvalidCredentialsError, ApplicationError):
            # Wrong credentials, or an address with no canonical form (which
            # names no account): Django shows its generic login error.
            return None
