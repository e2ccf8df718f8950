"""Domain events the journal app publishes, sent after the transaction commits.

Higher apps (wellness achievements, challenges, analytics) subscribe from their
AppConfig.ready(); the journal imports none of them. ``sender`` is the model class
(JournalEntry, GratitudeEntry, MoodEntry). Events carry ids, dates and the mood
scale only, never journal, gratitude or mood-note text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import Signal

# A journal entry was written.
# kwargs: user_id: int, entry_id: int, local_date: datetime.date
entry_created = Signal()

# A gratitude entry was written.
# kwargs: user_id: int, gratitude_id: int, local_date: datetime.date
gratitude_created = Signal()

# A mood was logged.
# kwargs: user_id: int, mood_entry_id: int, local_date: datetime.date,
#         mood: str (MoodEntry.Mood value), score: int (1..5), intensity: int
mood_logged = Signal()


def publish(
    signal: Signal, *, sender: Any, user_id: int, local_date: date, **kwargs: Any
) -> None:
    """Send ``signal`` to every subscriber. One failing subscriber neither stops
    the others nor fails the user's (already committed) write: send_robust logs
    its traceback on the ``django.dispatch`` logger."""
    signal.send_robust(sender=sender, user_id=user_id, local_date=local_date, **kwargs)
