"""Safety before and after the model.

- Every user message and every model output goes through the one crisis check
  (``journal.crisis.crisis_check``); on a signal the reply is the fixed,
  reviewed safe message with crisis resources for the user's locale and
  country, and the model's text is not shown.
- A blocked or empty answer becomes a fixed message too, never "" or a 500.
- An output check keeps the companion out of diagnosis, medication and diet
  advice, whatever the model wrote.
- Each crisis referral adds one to a per-day counter with no user and no
  content (``AICrisisReferralDay``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.utils import timezone

from coaching.models import AICrisisReferralDay
from journal.crisis import crisis_check, crisis_support

if TYPE_CHECKING:
    from accounts.models import User

SYSTEM_INSTRUCTIONS = (
    "You are KAYA's AI companion, an AI and not a person. You offer wellness "
    "support (reflection, encouragement, breathing, mindfulness, sleep "
    "routines), not therapy. If asked, say plainly that you are an AI. Never "
    "diagnose a condition, never advise on medication (starting, stopping, "
    "doses) and never give diet, weight-loss or eating advice: for these, "
    "suggest a doctor or another qualified professional. If the person may be "
    "in danger, do not counsel: encourage them to contact a crisis line or "
    "emergency services now. Be warm, brief and concrete; answer in the "
    "person's language; do not ask for or repeat personal details."
)

# Shown instead of the model's text in a crisis; reviewed wording, never
# generated. The offer of the safety plan goes with it.
CRISIS_REPLY = (
    "I'm really glad you told me. What you're going through sounds serious, and "
    "you deserve support from a person right now. Please reach out to one of "
    "the crisis lines below; they are free, confidential and there to listen. "
    "If you are in immediate danger, call your local emergency number. If you "
    "have a safety plan, this is a good moment to open it."
)
# A blocked or empty answer.
FALLBACK_REPLY = (
    "I'm not able to answer that one. I'm an AI companion for wellness support; "
    "if something feels urgent or medical, please talk to a professional you "
    "trust. Would you like to try a short breathing exercise together instead?"
)
# The output check refused the model's text.
OUT_OF_SCOPE_REPLY = (
    "That's something I can't advise on: I'm an AI wellness companion, not a "
    "clinician, so I stay away from diagnoses, medication and diet advice. A "
    "doctor or another qualified professional is the right person to ask. I'm "
    "happy to help with relaxation, sleep routines or talking things through."
)

# What the companion must not say, whatever the model wrote. Deliberately
# broad: a false positive costs one canned answer, a miss costs much more.
_OUT_OF_SCOPE = re.compile(
    r"\b("
    r"you (probably |likely |may |might )?(have|suffer from) "
    r"(depression|anxiety disorder|bipolar|ptsd|adhd|ocd|an? [a-z]+ disorder)"
    r"|(my|a) diagnosis"
    r"|i diagnose"
    r"|\d+\s?(mg|milligrams?|mcg|ml)\b"
    r"|(take|start|stop|increase|decrease|reduce) (your |the )?"
    r"(medication|medicine|meds|dose|dosage|antidepressants?|pills?)"
    r"|(sertraline|fluoxetine|xanax|alprazolam|lorazepam|zoloft|prozac|"
    r"diazepam|melatonin dose)"
    r"|calorie deficit|calories a day|(fasting|diet) plan|lose weight by"
    r")",
    re.IGNORECASE,
)


def is_crisis(text: str, *, user: User) -> bool:
    return crisis_check(text, user.locale).flagged


def out_of_scope(text: str) -> bool:
    return bool(_OUT_OF_SCOPE.search(text))


def crisis_referral_record() -> None:
    """One more referral today (UTC), for reporting; no user, no content."""
    today = timezone.now().date()
    row, created = AICrisisReferralDay.objects.get_or_create(
        date=today, defaults={"count": 1}
    )
    if not created:
        AICrisisReferralDay.objects.filter(pk=row.pk).update(count=F("count") + 1)


def crisis_reply(*, user: User) -> tuple[str, dict[str, Any]]:
    """The safe message and the support block (crisis lines) for the user."""
    crisis_referral_record()
    return CRISIS_REPLY, crisis_support(user=user)


def checked_output(text: str, *, user: User) -> tuple[str, dict[str, Any] | None]:
    """The text to show for a model output, and a support block if it is a
    crisis reply. Empty -> fallback; crisis -> safe message; out of scope ->
    the fixed redirect. The second value says whether it was replaced."""
    if not text.strip():
        return FALLBACK_REPLY, None
    if is_crisis(text, user=user):
        return crisis_reply(user=user)
    if out_of_scope(text):
        return OUT_OF_SCOPE_REPLY, None
    return text, None
