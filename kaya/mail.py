"""Templated emails: one system for every app (accounts, notifications, ...).

A message ``name`` has three templates under ``templates/emails/``:
``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html`` (which extends
``emails/base.html``). They are rendered in the recipient's locale. Callers send
from a Celery task queued on commit, never from a request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render_email(
    name: str, context: dict[str, Any], locale: str = "en"
) -> dict[str, str]:
    full_context = {"frontend_url": settings.FRONTEND_URL, **context}
    with translation.override(locale or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}.subject.txt", full_context)
        text = render_to_string(f"emails/{name}.txt", full_context)
        html = render_to_string(f"emails/{name}.html", full_context)
    return {"subject": " ".join(subject.split()), "text": text, "html": html}


def send_templated_email(
    *,
    to: str,
    name: str,
    context: dict[str, Any],
    locale: str = "en",
    headers: dict[str, str] | None = None,
) -> None:
    """Render and send one email. Raises on provider failure (tasks retry)."""
    rendered = render_email(name, context, locale)
    message = EmailMultiAlternatives(
        subject=rendered["subject"],
        body=rendered["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(rendered["html"], "text/html")
    message.send(fail_silently=False)
