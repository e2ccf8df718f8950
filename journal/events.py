"""Domain events the journal app publishes, with ``kaya.events.publish`` (after
the transaction commits, robustly).

Higher apps (wellness achievements, challenges, analytics) subscribe from their
AppConfig.ready(); the journal imports none of them. ``sender`` is the model class
(JournalEntry, GratitudeEntry, MoodEntry). Events carry ids, dates and the mood
scale only, never journal, gratitude or mood-note text.
"""

from __future__ import annotations

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
