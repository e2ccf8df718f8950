"""Pending notification emails move to the project's email outbox (kaya.outbox).

Sent, skipped and failed ones are history and are not copied; a pending one
keeps its send time and attempt count.
"""

from django.db import migrations

KIND = "notifications.notification"


def forward(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    OutboxEmail = apps.get_model("kaya", "OutboxEmail")
    pending = Notification.objects.filter(email_status="pending").order_by("pk")
    OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                kind=KIND,
                object_id=notification.pk,
                idempotency_key=f"{KIND}:{notification.pk}",
                status="pending",
                send_after=notification.email_send_after or notification.created_at,
                attempts=notification.email_attempts,
                created_at=notification.created_at,
            )
            for notification in pending.iterator()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_notification_email_outbox"),
        ("kaya", "0001_outbox_email"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
