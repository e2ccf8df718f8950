# KAYA backend image: one image, several roles (api, ws, worker, beat).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KAYA_VAR_DIR=/app/var

WORKDIR /app

RUN groupadd --system kaya && useradd --system --gid kaya --home-dir /app kaya

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time; whitenoise serves them.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/log && chown -R kaya:kaya /app/var

USER kaya
EXPOSE 8000

# REST + admin under WSGI (gunicorn sync workers): measured cheaper than ASGI here.
# kaya/gunicorn_conf.py sends gunicorn's access and error lines through the
# project's redacting JSON formatter (no token from a URL in any log line).
CMD ["gunicorn", "kaya.wsgi:application", "--config", "python:kaya.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3"]
