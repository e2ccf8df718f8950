"""Account emails move onto the one outbox (kaya.OutboxEmail): each delivery
gets its outbox row (sent ones as sent, so the privacy export keeps their
sent_at; unsent recent ones as pending, so the outbox sweep sends them), then
the delivery state columns go."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

KIND = "accounts.email"
# What the old accounts sweep would still have retried.
OLD_MAX_ATTEMPTS = 6


def deliveries_to_outbox(apps, schema_editor):
    EmailDelivery = apps.get_model("accounts", "EmailDelivery")
    OutboxEmail = apps.get_model("kaya", "OutboxEmail")
    now = timezone.now()
    rows = []
    for delivery in EmailDelivery.objects.order_by("id").iterator():
        key = f"{KIND}:{delivery.pk}"
        if delivery.sent_at is not None:
            status, sent_at, send_after = "sent", delivery.sent_at, delivery.sent_at
        elif (
            delivery.created_at > now - timedelta(days=1)
            and delivery.attempts < OLD_MAX_ATTEMPTS
        ):
            status, sent_at, send_after = "pending", None, now
        else:
            status, sent_at, send_after = "failed", None, delivery.created_at
        rows.append(
            OutboxEmail(
                kind=KIND,
                object_id=delivery.pk,
                idempotency_key=key,
                status=status,
                send_after=send_after,
                attempts=delivery.attempts,
                sent_at=sent_at,
                last_error="" if status != "failed" else "moved from accounts",
                created_at=delivery.created_at,
            )
        )
    OutboxEmail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_emaildelivery_signup_attempt"),
        ("kaya", "0001_outbox_email"),
    ]

    operations = [
        migrations.RunPython(deliveries_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="emaildelivery",
            name="accounts_email_pending_idx",
        ),
        migrations.RemoveField(
            model_name="emaildelivery",
            name="attempts",
        ),
        migrations.RemoveField(
            model_name="emaildelivery",
            name="sent_at",
        ),
    ]
