import pytest

pytestmark = pytest.mark.django_db


def test_liveness_touches_nothing(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_reports_each_dependency_up(api_client, settings):
    response = api_client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    expected = {"database", "cache", "channel_layer"}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        expected.add("broker")
    assert set(body["checks"]) == expected
    for check in body["checks"].values():
        assert check["status"] == "up"
        assert check["latency_ms"] >= 0


def test_readiness_reports_redis_cache_down_on_a_closed_port(api_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    response = api_client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "up"


def test_readiness_reports_broker_down_on_a_closed_port(api_client, settings):
    from kaya.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = api_client.get("/health/ready")
    finally:
        app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"


@pytest.mark.redis
def test_readiness_with_redis_backed_cache_and_channel_layer(api_client, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert (
        settings.CHANNEL_LAYERS["default"]["BACKEND"]
        == "kaya.channel_layer.RedisChannelLayer"
    )
    response = api_client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"]["cache"]["status"] == "up"
    assert response.json()["checks"]["channel_layer"]["status"] == "up"


@pytest.mark.postgres
def test_readiness_on_postgres(api_client):
    from django.db import connection

    assert connection.vendor == "postgresql"
    response = api_client.get("/health/ready")

    assert response.json()["checks"]["database"]["status"] == "up"


def test_api_keeps_serving_when_the_redis_cache_is_down(auth_client, user, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }

    response = auth_client.get("/api/v1/users/me")
    ready = auth_client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"]["status"] == "down"
