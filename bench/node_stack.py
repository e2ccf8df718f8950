"""`make bench --node`: the seed's stack beside KAYA on the same bench database.

bench/node/ holds a few of KAYA's hot read endpoints rebuilt in the seed's stack
(Node 20, Express 5, Prisma 7 with the pg adapter; same tables, same JSON, same
JWT and token-epoch check), run as a Node cluster with gunicorn's worker count.
This module installs it (`npm ci`, `prisma generate`) when needed, starts it
on a spare port, and holds its JSON to KAYA's on a sample of requests. Nothing
in the test suite or CI depends on Node.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.stack import Stack
from kaya.testing import free_port

NODE_DIR = Path(__file__).with_name("node")
# The KAYA paths the Node app serves (exactly as the bench asks for them).
NODE_PATHS = frozenset(
    {
        "/bench/one",
        "/api/v1/users/me",
        "/api/v1/sessions?page_size=20",
        "/api/v1/sessions/stats",
        "/api/v1/journal/mood/history",
        "/api/v1/journal?page_size=20",
        "/api/v1/community?page_size=20",
    }
)
# Requests compared per endpoint (distinct users where the bench has them).
SAMPLE = 25
LIGHT_SAMPLE = 15

_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def install() -> None:
    """`npm ci` when node_modules is missing, then the Prisma client."""
    if not shutil.which("node") or not shutil.which("npm"):
        raise SystemExit("bench: --node needs node (v20.19+) and npm")
    if not (NODE_DIR / "node_modules").is_dir():
        print("bench: npm ci in bench/node")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True
        )
    schema = NODE_DIR / "prisma" / "schema.prisma"
    generated = NODE_DIR / "node_modules" / ".prisma" / "client" / "schema.prisma"
    # (Re)generated when missing or older than the schema it was made from.
    if not generated.exists() or generated.read_text() != schema.read_text():
        # Generation uses no schema engine; the placeholder stops the CLI from
        # downloading one (binaries.prisma.sh may be unreachable).
        env = {"PRISMA_SCHEMA_ENGINE_BINARY": "/bin/false"}
        subprocess.run(
            ["npx", "--no-install", "prisma", "generate"],
            cwd=NODE_DIR,
            env={**os.environ, **env},
            check=True,
        )


def start(stack: Stack, workers: int) -> int:
    """Start the Node cluster; its process is stack.processes["node"]."""
    install()
    port = free_port()
    env = {
        **stack.env,
        "PORT": str(port),
        "WORKERS": str(workers),
        "NODE_ENV": "production",
    }
    with (stack.workdir / "node.log").open("wb") as log:
        stack.processes["node"] = subprocess.Popen(
            ["node", "server.js"],
            cwd=NODE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack.ports["node"] = port
    stack._wait(lambda: stack._healthy(port), "node")
    return port


def _fetch(port: int, path: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with _http.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _origin_free(value: Any, port: int) -> Any:
    """Links (DRF's next/previous) name the server's own origin."""
    if isinstance(value, str):
        return value.replace(f"http://127.0.0.1:{port}", "http://<origin>")
    if isinstance(value, list):
        return [_origin_free(item, port) for item in value]
    if isinstance(value, dict):
        return {key: _origin_free(item, port) for key, item in value.items()}
    return value


def compare(stack: Stack, name: str, rows: list[str], tokens: dict[str, Any]) -> int:
    """The same requests to both servers (the endpoint's own rows, and the same
    path for light users: short or empty histories, gentle mode); any difference
    fails the run with its diff. Returns how many were compared."""
    kaya_port, node_port = stack.api_port, stack.ports["node"]
    step = max(1, len(rows) // SAMPLE)
    sample = rows[::step][:SAMPLE]
    method, path = rows[0].split("\t")[:2]
    light = tokens["light"]
    sample += [
        f"{method}\t{path}\t{user['token']}"
        for user in light[:: max(1, len(light) // LIGHT_SAMPLE)][:LIGHT_SAMPLE]
    ]
    for row in sample:
        method, path, token = row.split("\t")[:3]
        assert method == "GET", name
        kaya_status, kaya = _fetch(kaya_port, path, token)
        node_status, node = _fetch(node_port, path, token)
        kaya, node = _origin_free(kaya, kaya_port), _origin_free(node, node_port)
        if kaya_status != 200 or node_status != kaya_status or kaya != node:
            diff = difflib.unified_diff(
                json.dumps(kaya, indent=1, sort_keys=True).splitlines(),
                json.dumps(node, indent=1, sort_keys=True).splitlines(),
                f"KAYA {kaya_status}",
                f"Node {node_status}",
                lineterm="",
            )
            raise SystemExit(
                f"bench: {name}: Node's answer differs from KAYA's for {path}:\n"
                + "\n".join(list(diff)[:80])
            )
    return len(sample)
