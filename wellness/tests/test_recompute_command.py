"""manage.py recompute_achievements: failures are clear and resumable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from wellness.management.commands import recompute_achievements

pytestmark = pytest.mark.django_db


def test_recompute_refuses_a_bad_batch_size():
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("recompute_achievements", "--batch-size", "0")


def test_recompute_failure_names_where_to_resume(user, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(recompute_achievements, "achievements_recompute_batch", broken)

    with pytest.raises(CommandError, match="resume with --after-user-id 7"):
        call_command(
            "recompute_achievements", "--after-user-id", "7", stdout=StringIO()
        )
