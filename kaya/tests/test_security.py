import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# A valid Fernet key made for this test only.
PRODUCTION_FIELD_KEY = "x2bQ0m4mYy9Ggq8v6pJ3tU1n5rW7sZ0aC2eF4hK6mP8="


def _run(args, env_overrides, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DATABASE_URL",
            "REDIS_URL",
            "ALLOWED_HOSTS",
            "FIELD_ENCRYPTION_KEYS",
            "KAYA_SERVER",
            "CELERY_BROKER_URL",
            "CELERY_TASK_ALWAYS_EAGER",
            "EMAIL_BACKEND",
            "DB_POOL",
            "DB_CONN_MAX_AGE",
        }
    }
    env.update(env_overrides)
    env["KAYA_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_to_start_with_debug_off_and_no_secret_key(tmp_path):
    result = _run(["manage.py", "check"], {"DEBUG": "0"}, tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_refuse_a_malformed_boolean(tmp_path):
    result = _run(["manage.py", "check"], {"DEBUG": "maybe"}, tmp_path)

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


# Loads the settings (no service is contacted) and prints what they resolved to.
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "db": db["ENGINE"],
    "conn_max_age": db["CONN_MAX_AGE"],
    "pool": "pool" in db.get("OPTIONS", {}),
    "cache": s.CACHES["default"]["BACKEND"],
    "layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "email": s.EMAIL_BACKEND,
}))
"""
SERVICES = {
    "DATABASE_URL": "postgres://kaya@db.invalid:5432/kaya",
    "REDIS_URL": "redis://redis.invalid:6379/0",
}


def _resolved_settings(env, tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "kaya.settings", **env}
    result = _run(["-c", SHOW_SETTINGS], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_gives_the_embedded_default(tmp_path):
    assert _resolved_settings({}, tmp_path) == {
        "db": "django.db.backends.sqlite3",
        "conn_max_age": 0,
        "pool": False,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "layer": "channels.layers.InMemoryChannelLayer",
        "eager": True,
        "broker": "",
        "email": "django.core.mail.backends.console.EmailBackend",
    }


def test_database_and_redis_urls_switch_to_the_services(tmp_path):
    resolved = _resolved_settings(SERVICES, tmp_path)

    assert resolved == {
        "db": "kaya.db.postgresql",
        "conn_max_age": 60,
        "pool": False,
        "cache": "django_redis.cache.RedisCache",
        "layer": "kaya.channel_layer.RedisChannelLayer",
        "eager": False,
        "broker": "redis://redis.invalid:6379/0",
        "email": "django.core.mail.backends.console.EmailBackend",
    }


def test_http_under_asgi_uses_the_connection_pool_without_persistence(tmp_path):
    resolved = _resolved_settings({**SERVICES, "KAYA_SERVER": "asgi"}, tmp_path)

    assert (resolved["conn_max_age"], resolved["pool"]) == (0, True)


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": "x7!" * 24 + "production-like-secret-key",
            "ALLOWED_HOSTS": "kaya.example.com",
            "FIELD_ENCRYPTION_KEYS": PRODUCTION_FIELD_KEY,
        },
        tmp_path,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_without_field_encryption_keys(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": "x7!" * 24 + "production-like-secret-key",
            "ALLOWED_HOSTS": "kaya.example.com",
            "FIELD_ENCRYPTION_KEYS": "",
        },
        tmp_path,
    )

    assert result.returncode != 0
    assert "kaya.E102" in result.stderr


def test_security_headers_on_api_responses(auth_client):
    response = auth_client.get("/api/v1/schema/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_authenticated_api_responses_are_not_stored(auth_client):
    response = auth_client.get("/api/v1/schema/")

    assert "no-store" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_hsts_is_sent_over_https_in_production(api_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = api_client.get("/health", secure=True)

    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )


def test_cors_allows_only_configured_origins(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.kaya.example"]
    allowed = api_client.options(
        "/api/v1/schema/",
        HTTP_ORIGIN="https://app.kaya.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    refused = api_client.options(
        "/api/v1/schema/",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://app.kaya.example"
    assert "Access-Control-Allow-Credentials" not in allowed
    assert "Access-Control-Allow-Origin" not in refused


@pytest.mark.urls("kaya.tests.urls")
def test_large_responses_are_gzipped(api_client):
    response = api_client.get(
        "/api/v1/test/numbers?page_size=100", HTTP_ACCEPT_ENCODING="gzip"
    )

    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Vary": "Accept"},
        {"Vary": "authorization"},
        {"Vary": "*"},
        {"Cache-Control": ""},
        {"Cache-Control": "public, max-age=60"},
        {"Cache-Control": "no-cache", "Vary": "Accept, Origin"},
    ],
)
@pytest.mark.parametrize("authenticated", [True, False])
def test_api_cache_headers_are_what_djangos_patch_helpers_write(
    rf, headers, authenticated
):
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control, patch_vary_headers

    from kaya.middleware import ApiCacheControlMiddleware

    def view(request):
        response = HttpResponse(b"{}", content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        return response

    extra = {"HTTP_AUTHORIZATION": "Bearer x"} if authenticated else {}
    response = ApiCacheControlMiddleware(view)(rf.get("/api/v1/users/me", **extra))
    expected = view(None)
    patch_vary_headers(expected, ["Authorization"])
    if authenticated:
        patch_cache_control(expected, no_store=True, private=True)

    assert dict(response.headers) == dict(expected.headers)
    if authenticated:
        assert "no-store" in response["Cache-Control"]
