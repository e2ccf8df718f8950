"""Account workflows, one module per concern:

- ``audit``: the audit trail (``audit_record``), callable by any app;
- ``emails``: the account email outbox;
- ``tokens``: sessions, refresh rotation with token families, revocation;
- ``auth``: sign-up and login with the per-account lockout;
- ``verification``: email verification and change of address;
- ``passwords``: password reset and change;
- ``profile``: profile and preferences;
- ``privacy``: export, erasure, staff deactivation.

Services are keyword-only and typed; side effects (emails, domain events) run
after commit. Callers use ``from accounts import services`` and
``services.<name>(...)``: the public names are re-exported here.
"""

from __future__ import annotations

from accounts.services.audit import (
    audit_record,
)
from accounts.services.auth import (
    email_canonical_or_400,
    login_attempt,
    login_failures_purge,
    user_login,
    user_register,
)
from accounts.services.emails import (
    EMAIL_KIND,
    email_delivery_build,
    email_queue,
    requested_email_queue,
)
from accounts.services.passwords import (
    password_change,
    password_reset,
    password_reset_request,
)
from accounts.services.privacy import (
    user_deactivate,
    user_delete,
    user_erase,
    user_export,
)
from accounts.services.profile import (
    user_update,
)
from accounts.services.tokens import (
    session_logout,
    session_logout_all,
    session_start,
    sessions_revoke_all,
    token_refresh,
    tokens_purge,
)
from accounts.services.verification import (
    email_change_request,
    email_verify,
    verification_resend,
)

__all__ = [
    "EMAIL_KIND",
    "audit_record",
    "email_canonical_or_400",
    "email_change_request",
    "email_delivery_build",
    "email_queue",
    "email_verify",
    "login_attempt",
    "login_failures_purge",
    "password_change",
    "password_reset",
    "password_reset_request",
    "requested_email_queue",
    "session_logout",
    "session_logout_all",
    "session_start",
    "sessions_revoke_all",
    "token_refresh",
    "tokens_purge",
    "user_deactivate",
    "user_delete",
    "user_erase",
    "user_export",
    "user_login",
    "user_register",
    "user_update",
    "verification_resend",
]
