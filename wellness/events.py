"""Domain events the wellness app publishes, always after commit.

Achievements and challenges (later issues) subscribe from their AppConfig.ready().
Receivers get primitive ids and values only.
"""

from django.dispatch import Signal

# kwargs: user_id: int, session_id: int, session_type: str,
#         duration_seconds: int, local_date: datetime.date,
#         current_streak: int
session_completed = Signal()

# kwargs: user_id: int, current_streak: int, longest_streak: int
streak_freeze_earned = Signal()

# kwargs: user_id: int, enrollment_id: int, program_id: int, day_number: int
program_day_completed = Signal()

# kwargs: user_id: int, enrollment_id: int, program_id: int
program_completed = Signal()

# A participant reached a challenge's goal (sent once per participation).
# kwargs: user_id: int, challenge_id: int, participant_id: int
challenge_completed = Signal()
# Staff recorded that the user attended a wellness event.
# kwargs: user_id: int, event_id: int, registration_id: int
event_attended = Signal()
