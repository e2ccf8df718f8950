"""Domain events the accounts app publishes (``kaya.events.publish``: after commit).

Higher apps subscribe in their AppConfig.ready(); accounts imports none of them.
"""

from django.dispatch import Signal

# Every session of the user was revoked (logout-all, password change or reset,
# deactivation, deletion). kwargs: user_id: int, reason: str
user_sessions_revoked = Signal()

# The user account was erased: sent after the erasure commits, when the user row
# and every app's personal rows are gone. kwargs: user_id: int
# Work that must happen inside the erasure (deleting or anonymising an app's
# rows) belongs in that app's privacy registry erase handler, not here.
user_deleted = Signal()
