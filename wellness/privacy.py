"""The wellness app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from kaya.rollups import user_reads_changed
from kaya.timeutils import instant_text
from wellness.models import (
    ChallengeParticipant,
    EventRegistration,
    ProgramDayProgress,
    ProgramEnrollment,
    SessionDay,
    SessionTally,
    SessionTotal,
    Streak,
    UserAchievement,
    WellnessSession,
)

if TYPE_CHECKING:
    from accounts.models import User


def wellness_export(user: User) -> dict[str, Any]:
    sessions = WellnessSession.objects.for_user(user).order_by("id")
    return {
        "sessions": [
            {
                "id": s.pk,
                "type": s.type,
                "title": s.title,
                "status": s.status,
                "planned_duration_seconds": s.planned_duration_seconds,
                "actual_duration_seconds": s.actual_duration_seconds,
                "mood_before": s.mood_before,
                "mood_after": s.mood_after,
                "notes": s.notes,
                "started_at": instant_text(s.started_at),
                "completed_at": instant_text(s.completed_at),
                "local_date": s.local_date.isoformat(),
            }
            for s in sessions
        ],
        "streak": list(
            Streak.objects.for_user(user).values(
                "current_length",
                "longest_length",
                "last_active_date",
                "freezes_banked",
                "freezes_used",
            )
        ),
        "enrollments": list(
            ProgramEnrollment.objects.for_user(user)
            .order_by("id")
            .values(
                "program__slug",
                "enrolled_at",
                "days_completed",
                "progress_percent",
                "completed_at",
            )
        ),
        "program_days_done": list(
            ProgramDayProgress.objects.filter(enrollment__user=user)
            .order_by("id")
            .values("enrollment__program__slug", "day_number", "completed_at")
        ),
        "achievements": [
            {
                "code": a.achievement.code,
                "name": a.achievement.name,
                "progress": a.progress,
                "unlocked_at": instant_text(a.unlocked_at),
            }
            for a in UserAchievement.objects.for_user(user)
            .select_related("achievement")
            .order_by("id")
        ],
        "challenges": [
            {
                "slug": p.challenge.slug,
                "title": p.challenge.title,
                "progress": p.progress,
                "joined_at": instant_text(p.joined_at),
                "completed_at": instant_text(p.completed_at),
            }
            for p in ChallengeParticipant.objects.for_user(user)
            .select_related("challenge")
            .order_by("id")
        ],
        "event_registrations": [
            {
                "event": r.event.title,
                "event_starts_at": instant_text(r.event.starts_at),
                "status": r.status,
                "created_at": instant_text(r.created_at),
                "registered_at": instant_text(r.registered_at),
                "cancelled_at": instant_text(r.cancelled_at),
                "attended_at": instant_text(r.attended_at),
            }
            for r in EventRegistration.objects.for_user(user)
            .select_related("event")
            .order_by("id")
        ],
    }


def wellness_erase(user: User) -> None:
    WellnessSession.objects.for_user(user).delete()
    SessionDay.objects.for_user(user).delete()
    SessionTotal.objects.for_user(user).delete()
    SessionTally.objects.for_user(user).delete()
    user_reads_changed(user.pk)
    ProgramDayProgress.objects.filter(enrollment__user=user).delete()
    ProgramEnrollment.objects.for_user(user).delete()
    Streak.objects.for_user(user).delete()
    UserAchievement.objects.for_user(user).delete()
    ChallengeParticipant.objects.for_user(user).delete()
    _event_registrations_erase(user)


def _event_registrations_erase(user: User) -> None:
    """The user's registrations go. Seats at events still to come are given
    back first (to the waitlist), in the erasure's transaction; a seat at an
    event that has started stays counted, as it was used."""
    from wellness.services.events import event_registration_cancel

    upcoming = (
        EventRegistration.objects.for_user(user)
        .active()
        .filter(event__starts_at__gt=timezone.now())
        .select_related("event")
    )
    for registration in upcoming:
        event_registration_cancel(user=user, event=registration.event)
    EventRegistration.objects.for_user(user).delete()
