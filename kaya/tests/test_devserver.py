"""`make run` (python -m kaya.devserver): busy port, missing database, banner."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from kaya.devserver import banner
from kaya.testing import free_port, test_database_url

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "KAYA_SERVER"}
    }
    env.update(KAYA_VAR_DIR=str(tmp_path), DEBUG="1", **extra)
    return env


def _run(tmp_path, port, **extra):
    return subprocess.run(
        [sys.executable, "-m", "kaya.devserver", "--host=127.0.0.1", f"--port={port}"],
        cwd=ROOT,
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_a_busy_port_exits_at_once_with_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = _run(tmp_path, port)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"kaya: Port {port} on 127.0.0.1 is already in use (Address already in "
        f"use). Stop the other server, or choose another port: make run "
        f"PORT={port + 1}\n"
    )


def test_an_unreachable_postgresql_is_one_line_not_a_traceback(tmp_path):
    dead = free_port()

    result = _run(
        tmp_path, free_port(), DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead}/kaya"
    )

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"kaya: Cannot connect to PostgreSQL at 127.0.0.1:{dead}"
    )
    assert lines[0].endswith(
        "Start it, fix DATABASE_URL, or unset DATABASE_URL to use SQLite."
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_missing_postgresql_database_is_created(tmp_path):
    name = f"kaya_devserver_{uuid.uuid4().hex[:8]}"
    url = test_database_url().rsplit("/", 1)[0] + "/" + name
    probe = (
        "import django; django.setup(); from kaya.devserver import ensure_database; "
        "print(ensure_database()); print(ensure_database())"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={
                **_env(tmp_path, DATABASE_URL=url),
                "DJANGO_SETTINGS_MODULE": "kaya.settings",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        created, again = result.stdout.splitlines()
        assert created.startswith(f'Created the PostgreSQL database "{name}" at ')
        assert again == "None"
    finally:
        # DROP DATABASE cannot run inside the test's transaction.
        params = {**connection.get_connection_params(), "dbname": "postgres"}
        params.pop("pool", None)
        with psycopg.connect(**params, autocommit=True) as admin:
            # DROP DATABASE waits for a forced checkpoint, which on a busy
            # server can outlast the settings' statement_timeout (10 s).
            admin.execute("SET statement_timeout = 0")
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_the_banner_says_where_to_go_and_how_to_log_in():
    text = banner("0.0.0.0", 8001)

    assert "KAYA is running at http://127.0.0.1:8001/" in text
    assert "http://127.0.0.1:8001/api/v1/docs/" in text
    assert "http://127.0.0.1:8001/admin/" in text
    assert "demo@kaya.local / kaya-demo-password (API)" in text
    assert "admin@kaya.local / kaya-demo-password (admin)" in text


def test_make_run_serves_and_then_prints_where_to_go(tmp_path):
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kaya.devserver", "--port", str(port)],
            cwd=ROOT,
            env=_env(tmp_path, LOG_LEVEL="WARNING"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "Stop it with Ctrl-C." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no banner:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/", timeout=10) as response:
            home = response.read().decode()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    output = log_path.read_text()
    assert output.index("Starting ASGI/Daphne") < output.index("KAYA is running at")
    assert f"http://127.0.0.1:{port}/api/v1/docs/" in home
    # The runserver child went with its parent: the port is free again.
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
