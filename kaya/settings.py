"""KAYA settings: one file, read from the environment.

With nothing set this is the embedded default (SQLite under var/, in-memory channel
layer, eager Celery, local-memory cache, console email) so a newcomer
runs the project with no services. Production values come from the environment
variables documented in .env.example.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from kaya.env import env_bool, env_choice, env_int, env_list, env_str
from kaya.logging import json_stdout_logging

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KAYA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see .env.example)."
        )
    # Development only: a long random key kept under var/ so sessions and signed
    # tokens survive restarts. PyJWT warns on HMAC keys shorter than 32 bytes.
    _key_file = VAR_DIR / "dev-secret-key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(64))
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# Which server runs this process: "wsgi" (gunicorn, REST + admin) or "asgi"
# (daphne/uvicorn, websockets). Set by kaya/asgi.py and kaya/wsgi.py.
KAYA_SERVER = os.environ.get("KAYA_SERVER", "wsgi")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # third party
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "channels",
    # KAYA apps, lowest first: arrows point down this list and never back up.
    "kaya",
    "accounts",
    "notifications",
    "journal",
    "community",
    "coaching",
    "wellness",
]

MIDDLEWARE = [
    "kaya.middleware.RequestIdMiddleware",
    "kaya.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kaya.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Inside CORS, so a browser can read the JSON 404 it returns.
    "kaya.middleware.ApiNotFoundMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside messages: the staff console's "try again" message is stored.
    "kaya.middleware.AdminServiceUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaya.middleware.ApiCacheControlMiddleware",
]

# Benchmark ceilings (/bench/one, /bench/json) and a query-count header exist only
# with KAYA_BENCH=1, which `make bench` sets on the servers it starts.
KAYA_BENCH = env_bool("KAYA_BENCH", False)
if KAYA_BENCH:
    MIDDLEWARE.append("kaya.bench.QueryCountMiddleware")

ROOT_URLCONF = "kaya.urls"
WSGI_APPLICATION = "kaya.wsgi.application"
ASGI_APPLICATION = "kaya.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
# Seconds to wait for PostgreSQL to accept a session: a database that takes the
# connection and never answers must fail the request long before gunicorn's 30 s
# worker timeout kills it with an HTML 500 (libpq counts anything below 2 as 2).
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3, minimum=2)
# PostgreSQL cancels any statement running longer than this (ms; 0 = never), so a
# stuck query frees its worker well within the request budget; set it higher (or
# 0) for a one-off migration that rewrites a large table.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 10_000, minimum=0)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
    _is_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if _is_postgresql:
        # Django's backend, with a health check that costs no round trip
        # (kaya/db/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "kaya.db.postgresql"
        _db_options = DATABASES["default"].setdefault("OPTIONS", {})
        _db_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
        # Ours first, so an options= given in DATABASE_URL still wins.
        # plan_cache_mode: a statement prepared on the server
        # (kaya.db.planned_once_cursor; Django's own cursors bind on the client
        # and prepare nothing) is planned once for every user, rather than
        # re-planned per run whenever PostgreSQL guesses a generic plan dearer
        # (it does whenever LIMIT is a parameter). Each such statement's
        # generic plan is checked (CONTRIBUTING).
        _db_options["options"] = (
            f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} "
            "-c plan_cache_mode=force_generic_plan " + _db_options.get("options", "")
        ).strip()
    if _is_postgresql and (KAYA_SERVER == "asgi" or env_bool("DB_POOL", False)):
        # Under ASGI each request may run on a new thread, so persistent
        # connections leak ("too many clients"); use psycopg's pool instead.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 1, minimum=0),
            "max_size": env_int("DB_POOL_MAX", 10, minimum=1),
            "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                # Writers take the lock up front, so two writers queue instead of
                # failing with "database is locked" on upgrade.
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DB_VENDOR = "postgresql" if "postgresql" in DATABASES["default"]["ENGINE"] else "sqlite"

# ---------------------------------------------------------------------------
# Health checks
# ---------------------------------------------------------------------------
# /health/ready answers within this many ms: a dependency that hangs is reported
# down (503) rather than holding the probe past the prober's own timeout.
HEALTH_CHECK_TIMEOUT_MS = env_int("HEALTH_CHECK_TIMEOUT_MS", 2000, minimum=100)

# ---------------------------------------------------------------------------
# Redis: cache, channel layer, Celery broker
# ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 2, minimum=1)
CHANNEL_LAYER_MAX_CONNECTIONS = env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 100, minimum=2)
CHANNEL_LAYER_POOL_TIMEOUT = env_int("CHANNEL_LAYER_POOL_TIMEOUT", 5, minimum=1)
# The cache's own timeout, in ms: a healthy Redis answers in about 1 ms, and a
# request must stay well under a second when Redis hangs.
CACHE_SOCKET_TIMEOUT = env_int("CACHE_SOCKET_TIMEOUT_MS", 300, minimum=10) / 1000
# How long one process skips a Redis that just failed before trying it again: short
# enough to notice recovery soon, long enough that a stuck Redis costs one timeout
# per process every few seconds rather than one per call.
CACHE_BREAKER_SECONDS = env_int("CACHE_BREAKER_SECONDS", 5, minimum=1)
# How long a websocket push (on a request path, after commit) may wait on the
# channel layer, in ms: a push is best effort (clients catch up over REST), and a
# frozen Redis must not hold a request for REDIS_SOCKET_TIMEOUT.
REALTIME_SEND_TIMEOUT = env_int("REALTIME_SEND_TIMEOUT_MS", 500, minimum=10) / 1000
# How long a worker may serve a user row it remembered for authentication
# (accounts.authentication). Every write made through Django is seen by every
# worker on the next request (a write that Redis cannot register fails with a
# 503 instead), so this only bounds how long a change made behind Django's back
# (SQL in psql) goes unseen. Needs a cache every process shares, and the same
# value in every process: 0 (read the row on every request) without Redis.
AUTH_USER_CACHE_SECONDS = env_int(
    "AUTH_USER_CACHE_SECONDS", 60 if REDIS_URL else 0, minimum=0
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "kaya",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # After one failed call, skip Redis for CACHE_BREAKER_SECONDS
                # (per process) instead of waiting out a timeout on every call.
                "REDIS_CLIENT_CLASS": "kaya.cache.CircuitBreakerRedis",
                # Cache calls sit on request paths (throttles on every request):
                # a frozen Redis must cost a request a fraction of a second.
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                # A cache outage degrades (throttles fail open, cached lists are
                # rebuilt) instead of turning every request into a 500. Login
                # lockout counts in the database, so it still holds.
                "IGNORE_EXCEPTIONS": True,
                # A pooled connection that a restarted Redis closed fails its
                # next command: try once more on a new connection. Connection
                # errors only (a refused connect is instant); a timeout is not
                # retried, so a frozen Redis still costs one timeout.
                "CONNECTION_POOL_KWARGS": {
                    "retry": Retry(
                        NoBackoff(), 1, supported_errors=(RedisConnectionError,)
                    )
                },
            },
        }
    }
    # kaya.cache logs each Redis failure once (not a traceback per skipped call,
    # which during an outage would flood the logs and slow every request).
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis's layer with a pool that waits for a free
            # connection instead of failing (kaya/channel_layer.py).
            "BACKEND": "kaya.channel_layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": env_str("CHANNEL_LAYER_URL", REDIS_URL),
                        # 3x the layer's 5 s blocking receive (BZPOPMIN): an idle
                        # socket is never dropped by a client read timeout (redis-py
                        # 8 defaults to 5 s, channels_redis#422). Sends on request
                        # paths are bounded in notifications.realtime instead.
                        "socket_timeout": 15,
                        # Connecting never blocks by design: fail fast if Redis is down.
                        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                        # channels-redis builds its own pool, so redis-py's default
                        # retry does not apply: without one, the first command on
                        # a connection a restarted Redis closed fails (a dropped
                        # handshake). As for the cache: once, connection errors only.
                        "retry": AsyncRetry(
                            NoBackoff(), 1, supported_errors=(RedisConnectionError,)
                        ),
                        # Per process and event loop. Over it, a command waits
                        # this long for a connection instead of failing at once.
                        "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS,
                        "timeout": CHANNEL_LAYER_POOL_TIMEOUT,
                    }
                ],
                "prefix": "kaya",
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kaya",
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# ---------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# With no broker the tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
# No result backend is configured: nothing waits on a task's result, so no Redis
# client blocks on results (and none needs a long read timeout).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing runs on request paths (on commit): a down broker must fail fast.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 3)
# A task a dead worker never acknowledged (acks_late) goes back on the queue this
# many seconds after it was taken: above the longest task, or it runs twice.
BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # Short, for publishes on request paths. It never cuts the worker's blocking
    # read: kombu sends BRPOP with a 1 s server-side timeout and reads the reply
    # from its event loop, where no socket timeout applies (its health check
    # drops a BRPOP overdue by 1 s + health_check_interval, 25 s by default).
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    # Connecting never blocks by design: fail fast when Redis is down.
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "max_retries": 2,
}
# Publishing happens inside requests (on commit): with the broker down it must
# give up fast; the outbox rows and beat sweeps send what could not be queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "UTC"
# Beat's state file lives with the other local state, not in the working directory
# (the repository root under `make beat`).
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# ---------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=env_int("JWT_ACCESS_MINUTES", 15, minimum=1)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# ---------------------------------------------------------------------------
# REST framework and OpenAPI
# ---------------------------------------------------------------------------
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 20, minimum=1)
API_MAX_PAGE_SIZE = 100
# Behind N trusted reverse proxies, the client address is the Nth-from-last entry
# of X-Forwarded-For; with 0 (the default) the header is ignored, so a client
# cannot choose its own throttle identity.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

REST_FRAMEWORK = {
    # SimpleJWT's authentication plus the user's token epoch: logout-all and a
    # password change reject every access token minted before them.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.EpochJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # orjson, with the same bytes as DRF's JSONRenderer (kaya/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["kaya.renderers.ORJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # JSON only, with a nesting limit and valid Unicode only (hostile input is a 400).
    "DEFAULT_PARSER_CLASSES": ["kaya.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "kaya.pagination.DefaultPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "kaya.schema.KayaAutoSchema",
    "EXCEPTION_HANDLER": "kaya.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "kaya.throttles.AnonBurstThrottle",
        "kaya.throttles.UserBurstThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "100/15m"),
        "user": env_str("THROTTLE_USER", "1000/15m"),
        # Per client (address, or user when logged in) on the auth endpoints.
        "auth": env_str("THROTTLE_AUTH", "30/15m"),
        "auth_email": env_str("THROTTLE_AUTH_EMAIL", "10/h"),
        # Per login (token family), not per address: users behind one NAT all
        # refresh every 15 minutes. 30 leaves room for retries; a loop of
        # refreshes is cut.
        "auth_refresh": env_str("THROTTLE_AUTH_REFRESH", "30/15m"),
        "export": env_str("THROTTLE_EXPORT", "10/h"),
        # Per user: community posts and comments (kaya.throttles.CommunityPostThrottle).
        "community_post": env_str("THROTTLE_COMMUNITY_POST", "20/h"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "KAYA API",
    "DESCRIPTION": (
        "KAYA wellness platform API. Authenticate with `Authorization: Bearer "
        "<access>`. Every error has one shape: "
        '`{"error": {"code": "...", "message": "...", "fields": {...}, '
        '"request_id": "..."}}`; `fields` only on validation errors (400). '
        "`GET /api/v1/` links to this schema and the docs."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The docs load nothing from another host (kaya/views.py): system fonts
    # instead of Redoc's default Google Fonts.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, sans-serif",
                "headings": {"fontFamily": "system-ui, sans-serif"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["kaya.routing.strip_trailing_slashes"],
    # Responses any operation can give beyond its view's own (kaya/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kaya.schema.document_global_responses",
    ],
    # One OpenAPI enum for the session types (sessions, program days, analytics).
    "ENUM_NAME_OVERRIDES": {
        "SessionTypeEnum": "wellness.models.SessionType",
        # "status" names several choice sets: each keeps one stable enum name.
        "StatusEnum": "wellness.models.WellnessSession.Status",
        "BookingStatusEnum": "coaching.models.BookingStatus",
        "CommunityContentStatusEnum": "community.models.ContentStatus",
        "CommunityReportStatusEnum": "community.models.Report.Status",
        "CommunityMembershipStatusEnum": "community.models.SupportGroupMember.Status",
        "CommunityMembershipRoleEnum": "community.models.SupportGroupMember.Role",
        # Programs and achievements both have a "category": one name each (the
        # programs' keeps its established name).
        "CategoryEnum": "wellness.models.WellnessProgram.Category",
        "AchievementCategoryEnum": "wellness.models.Achievement.Category",
        "EventKindEnum": "wellness.models.WellnessEvent.Kind",
        "EventRegistrationStatusEnum": "wellness.models.EventRegistration.Status",
    },
}

# ---------------------------------------------------------------------------
# HTTP hardening
# ---------------------------------------------------------------------------
# Django reads the whole body of form posts up to this size; KayaBodySizeLimit
# refuses anything larger with 413 before a view reads it.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# Links in emails point at the single-page app.
FRONTEND_URL = env_str("FRONTEND_URL", "http://localhost:5173").rstrip("/")
_frontend = urlsplit(FRONTEND_URL)
# One list of browser origins for REST (CORS) and websockets (kaya/websocket.py).
# Unset: the SPA's origin from FRONTEND_URL, so the documented frontend just works.
CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS", [f"{_frontend.scheme}://{_frontend.netloc}"]
)
# The SPA sends its JWT in the Authorization header, never in cookies.
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/(api|ws)/.*$"
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# /health is probed over plain HTTP by the orchestrator inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (kaya.middleware.ContentSecurityPolicyMiddleware; Django
# 5.2 has no built-in CSP). No inline script anywhere: the docs load their start-up
# scripts as files (kaya/views.py). Redoc and Swagger UI inject <style> elements
# and Redoc searches in a blob: worker, so the docs allow those two; the admin
# needs neither.
_CSP_COMMON = (
    "default-src 'self'; script-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_ADMIN = f"{_CSP_COMMON}; style-src 'self'"
CSP_DOCS = f"{_CSP_COMMON}; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
CSP_DOCS_PATHS = ("/api/v1/docs", "/api/v1/redoc")
# JSON and files: nothing to load, never framed.
CSP_API = "default-src 'none'; frame-ancestors 'none'"

SILENCED_SYSTEM_CHECKS: list[str] = [
    # HSTS preload is a one-way commitment for the whole domain; operators opt in
    # with SECURE_HSTS_PRELOAD once every subdomain serves HTTPS.
    "security.W021",
]

# ---------------------------------------------------------------------------
# Static files
# ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KAYA <hello@kaya.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Used by django.core.mail.backends.filebased.EmailBackend (one file per message).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# The email outbox (kaya.outbox): attempts before an email is given up, and how
# long a claimed email may stay "sending" before the sweep sends it again (well
# above EMAIL_TIMEOUT, so a send still in flight is never duplicated).
EMAIL_OUTBOX_MAX_ATTEMPTS = env_int("EMAIL_OUTBOX_MAX_ATTEMPTS", 5, minimum=1)
EMAIL_OUTBOX_CLAIM_TIMEOUT_SECONDS = env_int(
    "EMAIL_OUTBOX_CLAIM_TIMEOUT_SECONDS", 900, minimum=60
)
ANYMAIL = {
    key: value
    for key, value in {
        "POSTMARK_SERVER_TOKEN": env_str("POSTMARK_SERVER_TOKEN"),
        # Postmark's API root (its default when unset); tests point it at a stub.
        "POSTMARK_API_URL": env_str("POSTMARK_API_URL"),
        "SENDGRID_API_KEY": env_str("SENDGRID_API_KEY"),
        "MAILGUN_API_KEY": env_str("MAILGUN_API_KEY"),
        "MAILGUN_SENDER_DOMAIN": env_str("MAILGUN_SENDER_DOMAIN"),
        "AMAZON_SES_CLIENT_PARAMS": {},
    }.items()
    if value
}

# ---------------------------------------------------------------------------
# I18N / time
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Spanish"), ("fr", "French"), ("de", "German")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Logging: JSON lines to stdout, with the request id on every line.
# ---------------------------------------------------------------------------
LOG_LEVEL = env_choice(
    "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
)
LOG_FILE_ENABLED = env_bool("LOG_FILE_ENABLED", False)
LOG_DIR = VAR_DIR / "log"
_log_handlers = ["stdout"]
LOGGING: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    **json_stdout_logging(),
    "root": {"handlers": _log_handlers, "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults add a plain console handler to "django" (DEBUG only)
        # and to "django.server": each line would print twice, once not as JSON.
        # Without handlers of their own they reach the root's JSON handler once,
        # through the redaction filter (the console one printed request paths
        # with their tokens).
        # (ADMINS is unset, so the mail_admins handler dropped here sent nothing.)
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Daphne's own access log (off: compose runs it with --verbosity 0) does
        # not pass through here; its INFO lines are start-up chatter.
        "daphne": {"level": "WARNING"},
    },
}
if LOG_FILE_ENABLED:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    LOGGING["handlers"]["file"] = {
        "class": "logging.handlers.RotatingFileHandler",
        "filename": str(LOG_DIR / "kaya.log"),
        "maxBytes": env_int("LOG_FILE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024),
        "backupCount": env_int("LOG_FILE_BACKUPS", 5, minimum=1),
        "formatter": "json",
        "filters": ["request_id", "redact"],
    }
    _log_handlers.append("file")

# ---------------------------------------------------------------------------
# Encryption at rest
# ---------------------------------------------------------------------------
# Fernet keys for kaya.fields (journal entries, gratitude, mood notes, session
# notes), comma separated, NEWEST FIRST. Rotate: put a new key in front, run
# `manage.py rotate_encryption_keys`, then drop the old key.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    # Development only, like the dev SECRET_KEY: losing this file makes the
    # encrypted rows of the local database unreadable. With DEBUG off and no keys,
    # the first read or write of an encrypted field raises ImproperlyConfigured.
    _field_key_file = VAR_DIR / "dev-field-encryption-key"
    if not _field_key_file.exists():
        from cryptography.fernet import Fernet

        _field_key_file.write_text(Fernet.generate_key().decode("ascii"))
    FIELD_ENCRYPTION_KEYS = [_field_key_file.read_text().strip()]

# ---------------------------------------------------------------------------
# Journal: mood support
# ---------------------------------------------------------------------------
# A mood of "very_low" logged with at least this intensity (1-10) returns crisis
# resources in the same response. No text is scanned for this.
JOURNAL_SUPPORT_MIN_INTENSITY = env_int("JOURNAL_SUPPORT_MIN_INTENSITY", 7, minimum=1)
# Crisis resources and daily prompts are chosen for the user's locale, else this one.
JOURNAL_FALLBACK_LOCALE = env_str("JOURNAL_FALLBACK_LOCALE", "en")

# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------
# Client frames on ws/v1/ above this size close the socket (1009); more than
# WEBSOCKET_RATE_MESSAGES per WEBSOCKET_RATE_SECONDS close it too (1008).
WEBSOCKET_MAX_FRAME_BYTES = env_int("WEBSOCKET_MAX_FRAME_BYTES", 4096, minimum=64)
WEBSOCKET_RATE_MESSAGES = env_int("WEBSOCKET_RATE_MESSAGES", 20, minimum=1)
WEBSOCKET_RATE_SECONDS = env_int("WEBSOCKET_RATE_SECONDS", 10, minimum=1)
# Per-user rates of POST /realtime/ticket and POST /notifications/test.
THROTTLE_REALTIME_TICKET = env_str("THROTTLE_REALTIME_TICKET", "30/m")
THROTTLE_NOTIFICATION_TEST = env_str("THROTTLE_NOTIFICATION_TEST", "5/h")
# GET /notifications/?after=<cursor> also returns this many seconds before the
# cursor, so a row whose transaction committed late is not missed (clients
# de-duplicate by id).
NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS = env_int(
    "NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS", 30, minimum=0
)
# Check every websocket frame against its JSON Schema before sending it
# (notifications.event_schemas). The test suite turns it on; off in production,
# where a bad frame is a bug to catch in CI, not a cost on every push.
KAYA_VALIDATE_EVENTS = False
# How long the signed email-preferences link in notification emails works.
NOTIFICATIONS_PREFERENCES_LINK_DAYS = env_int(
    "NOTIFICATIONS_PREFERENCES_LINK_DAYS", 90, minimum=1
)
# A broadcast announcement whose progress has not moved for this long (its task
# lost: broker down, worker killed) is resumed by the beat sweep
# (notifications.resume_stalled_announcements); well above one batch's time.
ANNOUNCEMENT_STALL_SECONDS = env_int("ANNOUNCEMENT_STALL_SECONDS", 600, minimum=60)
# A daily practice reminder not sent within this long of its local time (beat
# down, or the time was set after it passed) is skipped for that day.
PRACTICE_REMINDER_GRACE_MINUTES = env_int(
    "PRACTICE_REMINDER_GRACE_MINUTES", 120, minimum=1
)
# Public base URL of this API, for the one-click unsubscribe header in emails.
PUBLIC_API_URL = env_str("PUBLIC_API_URL", "http://127.0.0.1:8000").rstrip("/")

# ---------------------------------------------------------------------------
# Accounts: authentication, sessions, lockout, email links
# ---------------------------------------------------------------------------
# The authentication class and the auth throttle rates are in REST_FRAMEWORK
# above. Refresh rotation, blacklisting and reuse detection are done by
# accounts.services.token_refresh (SimpleJWT 5.5.1 has no token families and its
# own rotation races), so SimpleJWT's token views are not routed.
# Django logins (the admin) go through the same database-counted lockout.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
ACCOUNTS_LOGIN_MAX_FAILURES = env_int("ACCOUNTS_LOGIN_MAX_FAILURES", 5, minimum=1)
ACCOUNTS_LOGIN_MAX_FAILURES_PER_IP = env_int(
    "ACCOUNTS_LOGIN_MAX_FAILURES_PER_IP", 50, minimum=1
)
ACCOUNTS_LOGIN_LOCKOUT_SECONDS = env_int(
    "ACCOUNTS_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1
)
ACCOUNTS_EMAIL_VERIFY_MAX_AGE = env_int(
    "ACCOUNTS_EMAIL_VERIFY_MAX_AGE", 24 * 3600, minimum=60
)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600, minimum=60)
# Emails that anyone can make us send to an account (reset links, sign-up attempt
# notices, verification links after a login attempt), per kind and window, from
# any number of client addresses: per-address throttles alone let a botnet flood
# one inbox.
ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT = env_int(
    "ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT", 3, minimum=1
)
ACCOUNTS_REQUESTED_EMAILS_WINDOW_SECONDS = env_int(
    "ACCOUNTS_REQUESTED_EMAILS_WINDOW_SECONDS", 3600, minimum=60
)

# ---------------------------------------------------------------------------
# Wellness
# ---------------------------------------------------------------------------
# How long a page of the published program catalogue stays cached; staff changes
# in the admin invalidate it at once.
WELLNESS_PROGRAM_CACHE_SECONDS = env_int(
    "WELLNESS_PROGRAM_CACHE_SECONDS", 600, minimum=1
)
# How long an answer read from a user's rollups and totals (mood trends, the
# totals of /users/me/stats and /sessions/stats, the dashboard's overview) stays
# cached; every write to what it reads invalidates it at once
# (kaya.rollups.USER_READS), so this only bounds how long a bump lost to a Redis
# outage can leave it stale.
ROLLUP_READ_CACHE_SECONDS = env_int("ROLLUP_READ_CACHE_SECONDS", 900, minimum=1)
# What is deployed (a commit or image tag). Values cached by a VersionedCache
# (the catalogue, the therapist directory, the per-user reads above) are keyed
# by it, so a deploy never serves what the previous code built; unset, a digest
# of the project's Python source stands in.
KAYA_RELEASE = env_str("KAYA_RELEASE")

# ---------------------------------------------------------------------------
# AI companion (coaching.ai)
# ---------------------------------------------------------------------------
# With no key the offline provider (templates and the user's own data, no
# network) answers, so the embedded default shows every AI feature working.
GEMINI_API_KEY = env_str("GEMINI_API_KEY")
GEMINI_MODEL = env_str("GEMINI_MODEL", "gemini-2.5-flash")
# Empty: Google's endpoint. Tests point it at a stub server on 127.0.0.1.
GEMINI_BASE_URL = env_str("GEMINI_BASE_URL")
# Per attempt; a chat request waits at most about attempts x timeout.
GEMINI_TIMEOUT_MS = env_int("GEMINI_TIMEOUT_MS", 20_000, minimum=100)
# Attempts on transient errors only (429, 5xx, timeouts), with doubling backoff.
GEMINI_MAX_ATTEMPTS = env_int("GEMINI_MAX_ATTEMPTS", 3, minimum=1)
GEMINI_BACKOFF_MS = env_int("GEMINI_BACKOFF_MS", 500, minimum=0)
# After this many failed calls in a row the breaker opens: calls fail fast (the
# user gets the offline answer) for GEMINI_BREAKER_SECONDS.
GEMINI_BREAKER_FAILURES = env_int("GEMINI_BREAKER_FAILURES", 5, minimum=1)
GEMINI_BREAKER_SECONDS = env_int("GEMINI_BREAKER_SECONDS", 60, minimum=1)
# The version of the AI-processing consent text; raising it asks everyone again.
AI_CONSENT_VERSION = env_int("AI_CONSENT_VERSION", 1, minimum=1)
# Per user-local day: chat messages and generations (sessions, stories, insights).
AI_FREE_CHAT_PER_DAY = env_int("AI_FREE_CHAT_PER_DAY", 20, minimum=0)
AI_FREE_GENERATIONS_PER_DAY = env_int("AI_FREE_GENERATIONS_PER_DAY", 3, minimum=0)
AI_PREMIUM_CHAT_PER_DAY = env_int("AI_PREMIUM_CHAT_PER_DAY", 200, minimum=0)
AI_PREMIUM_GENERATIONS_PER_DAY = env_int(
    "AI_PREMIUM_GENERATIONS_PER_DAY", 30, minimum=0
)
# An identical generation request within this window reuses the stored result.
AI_GENERATION_CACHE_SECONDS = env_int("AI_GENERATION_CACHE_SECONDS", 86_400, minimum=0)
# Chat conversations untouched this long are deleted by purge_expired (beat).
AI_CHAT_RETENTION_DAYS = env_int("AI_CHAT_RETENTION_DAYS", 90, minimum=1)
# Generation jobs (the goal asked and the generated script, encrypted) older than
# this are deleted by purge_expired; sessions started from one keep its id only.
AI_GENERATION_RETENTION_DAYS = env_int("AI_GENERATION_RETENTION_DAYS", 90, minimum=1)
