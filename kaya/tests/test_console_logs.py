"""Console logs: every line once, as JSON, from Django and from Celery alike."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        KAYA_VAR_DIR=str(tmp_path / "var"),
        DEBUG="1",
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
        # Celery with an in-process broker: no service needed.
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="0",
        **extra,
    )
    return env


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_development_log_lines_print_once_and_as_json(tmp_path):
    names = [
        "django.request",
        "django.server",
        "django.utils.autoreload",
        "django.channels.server",
        "kaya.probe",
    ]
    code = (
        "import django, logging; django.setup()\n"
        f"for name in {names!r}:\n"
        "    logging.getLogger(name).warning('probe from %s', name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**_env(tmp_path), "DJANGO_SETTINGS_MODULE": "kaya.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    output = result.stdout + result.stderr
    for name in names:
        assert output.count(f"probe from {name}") == 1, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert [json.loads(line)["name"] for line in lines] == names


def _run_celery(tmp_path, *args, until: str) -> str:
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    log_path = tmp_path / "celery.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "kaya", *args, "-l", "INFO"],
            cwd=cwd,
            env=_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while until not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery did not log {until!r}:\n{log_path.read_text()}")
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return log_path.read_text()


def test_a_celery_worker_logs_json_lines(tmp_path):
    output = _run_celery(
        tmp_path,
        "worker",
        "--pool=solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        until=" ready.",
    )

    ready = [r for r in _json_lines(output) if r["message"].endswith(" ready.")]
    assert [r["name"] for r in ready] == ["celery.apps.worker"]
    connected = [r for r in _json_lines(output) if r["message"].startswith("Connected")]
    assert [r["message"] for r in connected] == [
        "Connected to memory://:**@localhost//"
    ]
    # No line in Celery's own plain format ("[date: INFO/MainProcess] ...").
    assert "/MainProcess]" not in output


def test_beat_logs_json_and_keeps_its_schedule_under_var(tmp_path):
    output = _run_celery(tmp_path, "beat", until="Starting...")

    starting = [r for r in _json_lines(output) if r["message"] == "beat: Starting..."]
    assert [r["name"] for r in starting] == ["celery.beat"]
    assert "/MainProcess]" not in output
    assert list((tmp_path / "cwd").iterdir()) == []
    assert list((tmp_path / "var").glob("celerybeat-schedule*")) != []
