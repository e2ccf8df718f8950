"""Domain events the accounts app publishes (sent after commit).

Higher apps subscribe in their AppConfig.ready(); accounts imports none of them.
"""

from django.dispatch import Signal

# Every session of the user was revoked (logout-all, password change or reset,
# deactivation, deletion). kwargs: user_id: int, reason: str
user_sessions_revoked = Signal()

# The user account is about to be erased. kwargs: user_id: int
user_deleted = Signal()
