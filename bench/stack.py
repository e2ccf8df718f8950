"""Start and stop the production-shaped stack that `make bench` measures.

gunicorn runs with the Dockerfile's own command line (only the bind address is
changed to a spare port on 127.0.0.1), daphne with the compose file's; both use
PostgreSQL and a Redis server that the harness starts for itself. Every process
is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path
from typing import Any

from kaya.testing import (
    ROOT,
    compose_command,
    dockerfile_command,
    executable,
    free_port,
    with_option,
)

_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Fixed, benchmark-only secrets: the bench database holds only generated data.
BENCH_SECRET_KEY = "bench-only-secret-key-" + "x" * 48
BENCH_FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE="


class Stack:
    def __init__(self, database_url: str, workdir: Path, workers: int | None) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.workers = workers
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.redis_port = free_port()
        self.api_port = free_port()
        self.ws_port = free_port()
        # Servers started beside gunicorn (bench/node_stack.py's Node cluster,
        # other gunicorn configurations for --sweep).
        self.ports: dict[str, int] = {}
        self._postgres: PostgresBackends | None = None
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_SETTINGS_MODULE", "KAYA_SERVER", "REDIS_URL"}
        }
        self.env.update(
            DEBUG="0",
            SECRET_KEY=BENCH_SECRET_KEY,
            FIELD_ENCRYPTION_KEYS=BENCH_FIELD_KEY,
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            KAYA_BENCH="1",
            LOG_LEVEL="WARNING",
            # The throttles still run on every request (their cost is measured);
            # only their budgets are raised so the load itself is not refused.
            THROTTLE_USER="100000000/m",
            THROTTLE_ANON="100000000/m",
            THROTTLE_REALTIME_TICKET="100000/m",
            THROTTLE_NOTIFICATION_TEST="100000/m",
            THROTTLE_AUTH_REFRESH="100000/m",
            THROTTLE_COMMUNITY_POST="100000/m",
            JWT_ACCESS_MINUTES="240",
            CELERY_TASK_ALWAYS_EAGER="1",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PYTHONDONTWRITEBYTECODE="1",
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )

    # -- processes ---------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> None:
        # The child keeps its own copy of the log's descriptor.
        with (self.workdir / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(
                executable(command),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def manage(self, *args: str) -> None:
        # One-off commands (migrate, seed_bench's bulk load and ANALYZE) may run
        # longer than the servers' statement timeout on a loaded machine.
        env = {**self.env, "DB_STATEMENT_TIMEOUT_MS": "0"}
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
        )

    def seed(
        self, *, users: int, heavy: int, refresh_tokens: bool = False
    ) -> dict[str, Any]:
        """Migrate, load ``seed_bench`` (if not loaded) and mint the bench users'
        tokens: the token document (``seed_bench --tokens``). Redis must be up."""
        self.manage("migrate", "--noinput", "-v", "0")
        tokens_path = self.workdir / "tokens.json"
        self.manage(
            "seed_bench",
            "--force",
            f"--users={users}",
            f"--heavy={heavy}",
            f"--tokens={tokens_path}",
            *(["--refresh-tokens"] if refresh_tokens else []),
        )
        self.vacuum()
        return dict(json.loads(tokens_path.read_text()))

    def vacuum(self) -> None:
        """VACUUM (ANALYZE) the bench database, as PostgreSQL's autovacuum keeps
        a production one: a bulk load (or a run's writes) leaves the visibility
        map unset, so every index-only scan (a page's count, the journal
        counts) would still read the heap for each row, which a served database
        does not."""
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")

    def start_redis(self) -> None:
        if not shutil.which("redis-server"):
            raise SystemExit("bench: redis-server is not installed")
        self._start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        self._wait(lambda: self._redis_ping(), "redis")

    def _redis_ping(self) -> bool:
        import redis

        with suppress(redis.RedisError):
            return bool(redis.Redis(port=self.redis_port, socket_timeout=1).ping())
        return False

    def start_api(
        self,
        name: str = "gunicorn",
        workers: int | None = None,
        options: tuple[str, ...] = (),
    ) -> list[str]:
        """gunicorn with the Dockerfile's command line on a spare port: the
        stack's own (``gunicorn``, on ``api_port``), or another configuration
        under ``name`` beside it (``--sweep``: other worker counts or classes,
        on ``ports[name]``), with ``options`` appended."""
        port = self.api_port if name == "gunicorn" else free_port()
        command = with_option(dockerfile_command(), "--bind", f"127.0.0.1:{port}")
        workers = workers or (self.workers if name == "gunicorn" else None)
        if workers:
            command = with_option(command, "--workers", str(workers))
        command += list(options)
        if name != "gunicorn":
            self.ports[name] = port
        # The access log is the shipped default; it goes to a file, as in prod.
        self._start(name, command)
        self._wait(lambda: self._healthy(port), name)
        return command

    def start_ws(self) -> list[str]:
        command = with_option(compose_command("ws"), "--bind", "127.0.0.1")
        command = with_option(command, "--port", str(self.ws_port))
        self._start("daphne", command)
        self._wait(lambda: self._healthy(self.ws_port), "daphne")
        return command

    def _healthy(self, port: int) -> bool:
        url = f"http://127.0.0.1:{port}/health"
        with (
            suppress(urllib.error.URLError, OSError),
            _http.open(url, timeout=2) as response,
        ):
            return bool(response.status == 200)
        return False

    def _wait(self, check: object, name: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                log = (self.workdir / f"{name}.log").read_text(errors="replace")
                raise SystemExit(f"bench: {name} exited early:\n{log[-3000:]}")
            if check():  # type: ignore[operator]
                return
            time.sleep(0.3)
        raise SystemExit(f"bench: {name} did not start in {seconds:.0f} s")

    def postgres_backends(self) -> PostgresBackends:
        if self._postgres is None:
            self._postgres = PostgresBackends(self.database_url)
        return self._postgres

    def stop(self) -> None:
        if self._postgres is not None:
            self._postgres.close()
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    with suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            del name

    # -- accounting ----------------------------------------------------------

    def worker_pids(self, name: str) -> list[int]:
        """The server's process and its children (gunicorn's workers)."""
        root = self.processes[name].pid
        pids = [root]
        with suppress(FileNotFoundError):
            for child in Path(f"/proc/{root}/task/{root}/children").read_text().split():
                pids.append(int(child))
        return pids


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each live process has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        with suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two ``cpu_by_pid`` samples: a process in both
    counts its difference, one born in between all of its time. One that
    exited in between is left out (what it used after the first sample can no
    longer be read): an undercount, never a negative figure."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def rss_mb(pid: int) -> float:
    with suppress(FileNotFoundError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PostgresBackends:
    """The PostgreSQL server processes working for one database: every backend
    connected to it (the workers' connections, parallel and autovacuum workers
    on it), read from ``pg_stat_activity`` through one connection of our own
    (left out). Other databases on a shared server (other people's tests and
    benches) and the server's own background processes are not counted."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(database_url, autocommit=True)

    def pids(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        self.conn.close()
