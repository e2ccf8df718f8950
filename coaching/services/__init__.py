"""Writes and workflows of the coaching app, by entity: the therapist directory
and bookings. The AI coach will add its own module beside these."""
