"""The settings module: each framework dict assigned once with its final value,
the effective REST framework classes, the shipped password hashers, and one
Redis database per parallel test worker."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys

import pytest
from django.conf import settings

from kaya.testing import ROOT
from pytest_workers import worker_redis_url

SETTINGS_FILE = ROOT / "kaya" / "settings.py"


def _assigned_names(tree: ast.Module) -> list[str]:
    """Names bound or mutated at module level (``X = ...``, ``X[...] = ...``,
    ``X.update(...)``), once per statement."""
    names = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "setdefault", "append", "extend"}
        ):
            targets = [node.func.value]
        for target in targets:
            while isinstance(target, (ast.Subscript, ast.Attribute)):
                target = target.value
            if isinstance(target, ast.Name):
                names.append(target.id)
    return names


def test_each_framework_settings_dict_is_assigned_once():
    names = _assigned_names(ast.parse(SETTINGS_FILE.read_text()))

    assert names.count("REST_FRAMEWORK") == 1
    assert names.count("SPECTACULAR_SETTINGS") == 1
    assert names.count("SIMPLE_JWT") == 1


def test_rest_framework_has_the_expected_classes():
    rest = settings.REST_FRAMEWORK

    assert rest["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "accounts.authentication.EpochJWTAuthentication"
    ]
    assert rest["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.IsAuthenticated"
    ]
    assert rest["DEFAULT_PARSER_CLASSES"] == ["kaya.parsers.JSONParser"]
    assert rest["DEFAULT_RENDERER_CLASSES"][0] == "kaya.renderers.ORJSONRenderer"
    assert rest["DEFAULT_PAGINATION_CLASS"] == "kaya.pagination.DefaultPagination"
    assert rest["DEFAULT_SCHEMA_CLASS"] == "kaya.schema.KayaAutoSchema"
    assert rest["EXCEPTION_HANDLER"] == "kaya.exceptions.api_exception_handler"
    assert rest["DEFAULT_THROTTLE_CLASSES"] == [
        "kaya.throttles.AnonBurstThrottle",
        "kaya.throttles.UserBurstThrottle",
    ]
    assert rest["DEFAULT_THROTTLE_RATES"] == {
        "anon": "100/15m",
        "user": "1000/15m",
        "auth": "30/15m",
        "auth_email": "10/h",
        "auth_refresh": "30/15m",
        "export": "10/h",
        "community_post": "20/h",
    }
    assert settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] == {
        "SessionTypeEnum": "wellness.models.SessionType",
        "StatusEnum": "wellness.models.WellnessSession.Status",
        "BookingStatusEnum": "coaching.models.BookingStatus",
        "CommunityContentStatusEnum": "community.models.ContentStatus",
        "CommunityReportStatusEnum": "community.models.Report.Status",
        "CommunityMembershipStatusEnum": "community.models.SupportGroupMember.Status",
        "CommunityMembershipRoleEnum": "community.models.SupportGroupMember.Role",
        "CategoryEnum": "wellness.models.WellnessProgram.Category",
        "AchievementCategoryEnum": "wellness.models.Achievement.Category",
        "EventKindEnum": "wellness.models.WellnessEvent.Kind",
        "EventRegistrationStatusEnum": "wellness.models.EventRegistration.Status",
    }


def test_the_shipped_settings_hash_passwords_with_argon2():
    # The test run hashes with MD5 (conftest.py); the module keeps what ships.
    shipped = importlib.import_module("kaya.settings").PASSWORD_HASHERS

    assert shipped == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def test_each_xdist_worker_takes_its_own_redis_database():
    base = "redis://127.0.0.1:6379/6"

    assert worker_redis_url(base, "") == base
    assert worker_redis_url(base, "gw0") == base
    assert worker_redis_url(base, "gw2") == "redis://127.0.0.1:6379/8"
    assert worker_redis_url("redis://:pw@h:1", "gw3") == "redis://:pw@h:1/3"


def test_the_settings_use_this_workers_redis_database():
    """Every Redis client of this process uses the URL the plugin gave this worker
    (pytest_workers.py shifted the environment): the worker's own database in a
    parallel run, REDIS_URL's in a run in one process. Settings read before the
    shift would keep REDIS_URL's number on every worker."""
    if not settings.REDIS_URL:
        pytest.skip("only against Redis")

    urls = {
        settings.REDIS_URL,
        settings.CACHES["default"]["LOCATION"],
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"],
        settings.CELERY_BROKER_URL,
    }
    assert urls == {os.environ["REDIS_URL"]}


def test_importing_the_project_package_leaves_the_settings_unread():
    """``import kaya`` (the Celery app) must not evaluate Django's settings, and
    the worker plugin must not import the project: either way the settings would
    be read before the plugin moves REDIS_URL to the worker's database."""
    code = (
        "import sys, pytest_workers, os\n"
        "assert not [m for m in sys.modules if m == 'kaya' or m.startswith('kaya.')]\n"
        "assert os.environ['REDIS_URL'].endswith('/9'), os.environ['REDIS_URL']\n"
        "import kaya\n"
        "from django.conf import settings\n"
        "assert 'kaya.settings' not in sys.modules\n"
        "assert not settings.configured\n"
        "assert settings.REDIS_URL == 'redis://127.0.0.1:6379/9'\n"
        "assert kaya.celery_app.conf.beat_schedule\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kaya.settings",
        "PYTEST_XDIST_WORKER": "gw2",
        "REDIS_URL": "redis://127.0.0.1:6379/7",
    }
    for name in ("CACHE_URL", "CHANNEL_LAYER_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
