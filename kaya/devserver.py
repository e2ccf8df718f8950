"""``make run``: the development server, with the checks a newcomer needs.

    python -m kaya.devserver [--host 127.0.0.1] [--port 8000]

1. The port must be free: if not, one line says so and how to pick another
   (``make run PORT=8001``), and the exit status is 1. Daphne's runserver would
   print "Starting ..." and then hang on a port it cannot bind.
2. With ``DATABASE_URL`` naming a PostgreSQL database that does not exist yet, it
   is created; a server that cannot be reached is reported in one line.
3. ``migrate``, ``seed_demo``, then ``manage.py runserver`` (REST, websockets and
   the admin in one process); once it answers, where to go and how to log in.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent


class DevServerError(Exception):
    """A problem the user can fix; its message is the one line we print."""


# Wildcard addresses: the banner and the readiness probe use loopback instead.
_ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def fail(message: str) -> NoReturn:
    sys.stderr.write(f"kaya: {message}\n")
    sys.stderr.flush()
    raise SystemExit(1)


def check_port_free(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DevServerError(f"Cannot use HOST={host}: {exc.strerror}.") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # Twisted (daphne) binds with SO_REUSEADDR too: a port only in TIME_WAIT
        # is usable, a port another process listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise DevServerError(
                f"Port {port} on {host} is already in use ({exc.strerror}). Stop "
                f"the other server, or choose another port: make run PORT={port + 1}"
            ) from exc


def ensure_database() -> str | None:
    """Create the PostgreSQL database DATABASE_URL names if it is missing.

    Returns a sentence saying what was done, or None when nothing was needed.
    """
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        return None
    params = connection.get_connection_params()
    name = params.get("dbname") or ""
    where = f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        text = str(exc).strip()
        reason = text.splitlines()[0].strip() if text else type(exc).__name__
        if "does not exist" not in text or f'"{name}"' not in text:
            raise DevServerError(
                f"Cannot connect to PostgreSQL at {where} ({reason}). Start it, fix "
                "DATABASE_URL, or unset DATABASE_URL to use SQLite."
            ) from exc
    else:
        connection.close()
        return None

    import psycopg
    from psycopg import sql

    # The server's maintenance database, as Django's own test runner uses.
    admin_params = {**params, "dbname": "postgres"}
    admin_params.pop("pool", None)
    try:
        with psycopg.connect(**admin_params, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise DevServerError(
            f'Database "{name}" does not exist at {where} and could not be created '
            f"({str(exc).strip().splitlines()[0]}). Create it: createdb "
            f"-h {params.get('host') or 'localhost'} "
            f"-U {params.get('user') or 'postgres'} {name}"
        ) from exc
    return f'Created the PostgreSQL database "{name}" at {where}.'


def _wait_until_serving(host: str, port: int, server: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def banner(host: str, port: int) -> str:
    from kaya.views import DEMO_LOGINS

    shown = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in shown:
        shown = f"[{shown}]"
    base = f"http://{shown}:{port}"
    lines = [
        "",
        f"KAYA is running at {base}/",
        f"  API docs     {base}/api/v1/docs/  (Redoc: {base}/api/v1/redoc/)",
        f"  Admin        {base}/admin/",
        f"  Health       {base}/health",
        f"  Websockets   ws://{shown}:{port}/ws/v1/?ticket=...",
    ]
    for login in DEMO_LOGINS:
        lines.append(
            f"  Demo login   {login['email']} / {login['password']} ({login['use']})"
        )
    lines.append("Stop it with Ctrl-C.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kaya.devserver")
    # Not read from $HOST/$PORT: some shells set HOST to the machine's name.
    # `make run HOST=... PORT=...` passes them as options.
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaya.settings")
    try:
        check_port_free(args.host, args.port)
        import django

        django.setup()
        done = ensure_database()
        if done:
            say(done)
    except DevServerError as exc:
        fail(str(exc))

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("seed_demo")

    address = (
        f"[{args.host}]:{args.port}"
        if ":" in args.host
        else (f"{args.host}:{args.port}")
    )
    # A fixed argv: our own interpreter and manage.py; host and port as parsed.
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "runserver", address], cwd=ROOT
    )
    # Stopping us (make, a supervisor, a test) stops the server we started.
    signal.signal(signal.SIGTERM, lambda signum, frame: server.send_signal(signum))
    try:
        probe_host = "127.0.0.1" if args.host in _ANY_ADDRESS else args.host
        if _wait_until_serving(probe_host, args.port, server):
            say(banner(args.host, args.port))
        return server.wait()
    except KeyboardInterrupt:
        # Ctrl-C reaches the server too (same process group): let it finish.
        return server.wait()


if __name__ == "__main__":
    sys.exit(main())
