"""Reads of the coaching app, by entity: therapists (directory and slots) and
bookings. The AI coach will add its own module beside these."""
