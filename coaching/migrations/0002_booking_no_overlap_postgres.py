"""No two active bookings of one therapist over overlapping times, enforced by
PostgreSQL itself (an exclusion constraint), so two racing requests cannot both
commit. The equality part on ``therapist_id`` needs the btree_gist extension.

The constraint is not in the model's Meta: SQLite has no exclusion constraints,
so it exists only on PostgreSQL (the operations below check the vendor) and the
SQLite default relies on the booking service's check under a lock.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models
from django.db.models import Func

CONSTRAINT_NAME = "coaching_booking_no_overlap"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()


def _constraint() -> ExclusionConstraint:
    return ExclusionConstraint(
        name=CONSTRAINT_NAME,
        expressions=[
            ("therapist", RangeOperators.EQUAL),
            (
                TsTzRange("starts_at", "ends_at", models.Value("[)")),
                RangeOperators.OVERLAPS,
            ),
        ],
        condition=models.Q(status__in=["pending", "confirmed"]),
    )


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("coaching", "TherapistBooking")
    schema_editor.add_constraint(model, _constraint())


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("coaching", "TherapistBooking")
    schema_editor.remove_constraint(model, _constraint())


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0001_initial"),
    ]

    operations = [
        # A no-op on other databases (CreateExtension checks the vendor).
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, remove_constraint, elidable=False),
    ]
