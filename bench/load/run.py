"""The load run itself: virtual users over HTTP and a websocket population."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.stack import Stack

FEED = "community.feed"
POST_BODY = "Load run: a short walk after lunch helped me settle. Does it help you?"
# After the run, sockets wait this long for feed frames still in flight.
DRAIN_SECONDS = 3.0
# Sockets opened at once while the population connects.
CONNECT_BATCH = 50
# The share of each category's requests that goes to each operation.
OPERATIONS: dict[str, list[tuple[str, float]]] = {
    "reads": [("dashboard", 1), ("feed", 1), ("journal", 1), ("mood_history", 1)],
    "writes": [
        ("session_create", 3),
        ("session_complete", 3),
        ("mood_create", 2),
        ("post_create", 1),
        ("like", 1),
    ],
    "refresh": [("refresh", 1)],
    "notifications": [("notifications", 1), ("notification_read", 1)],
}
# Endpoint names in the report, by operation.
NAMES = {
    "dashboard": "GET /analytics/dashboard",
    "feed": "GET /community (20)",
    "journal": "GET /journal (20)",
    "mood_history": "GET /journal/mood/history",
    "session_create": "POST /sessions",
    "session_complete": "PATCH /sessions/{id}/complete",
    "mood_create": "POST /journal/mood",
    "post_create": "POST /community",
    "like": "POST /community/{id}/like",
    "refresh": "POST /auth/refresh",
    "notifications": "GET /notifications (20)",
    "notification_read": "PATCH /notifications/{id}/read",
}
CATEGORY = {op: cat for cat, ops in OPERATIONS.items() for op, _ in ops}
DEFAULT_MIX = "reads=60,writes=20,refresh=10,notifications=10"


def parse_mix(text: str) -> dict[str, float]:
    mix: dict[str, float] = {}
    for part in text.split(","):
        name, _, share = part.partition("=")
        name = name.strip()
        if name not in OPERATIONS:
            raise SystemExit(
                f"load: unknown mix category {name!r} (one of {', '.join(OPERATIONS)})"
            )
        mix[name] = float(share)
    if not mix or sum(mix.values()) <= 0:
        raise SystemExit("load: the mix needs a positive share")
    return mix


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Options:
    duration: float
    users: int
    sockets: int
    mix: dict[str, float]
    seed: int = 1


@dataclass
class Recorder:
    started: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    errors: Counter[str] = field(default_factory=Counter)
    # Per second since the start: [requests, errors, latencies].
    seconds: dict[int, list[Any]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, []])
    )

    def record(self, name: str, status: int, began: float, ended: float) -> None:
        seconds = ended - began
        ok = 200 <= status < 300
        self.latencies[name].append(seconds)
        self.statuses[name][status] += 1
        bucket = self.seconds[int(began - self.started)]
        bucket[0] += 1
        bucket[2].append(seconds)
        if not ok:
            self.errors[name] += 1
            bucket[1] += 1


@dataclass
class Feed:
    """Posts sent to the public feed, and their frames on the sockets."""

    sent: dict[int, float] = field(default_factory=dict)
    expected: int = 0
    delivered: int = 0
    latencies: list[float] = field(default_factory=list)
    # Frames that arrived before their POST was answered, by post id.
    early: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))


class Run:
    def __init__(self, stack: Stack, tokens: dict[str, Any], options: Options):
        self.stack = stack
        self.options = options
        self.api = f"http://127.0.0.1:{stack.api_port}"
        self.ws = f"ws://127.0.0.1:{stack.ws_port}/ws/v1/"
        heavy, light = tokens["heavy"], tokens["light"]
        if "refresh" not in heavy[0]:
            raise SystemExit("load: the tokens file has no refresh tokens")
        # Virtual users read long histories: heavy users first, then light ones.
        self.vu_users = (heavy + light)[: options.users]
        if len(self.vu_users) < options.users:
            raise SystemExit(f"load: {options.users} users need as many bench users")
        # Sockets belong to the virtual users first, so their own pushes land.
        population = heavy + light
        if options.sockets > len(population):
            raise SystemExit(f"load: {options.sockets} sockets need as many users")
        self.socket_users = population[: options.sockets]
        self.recorder = Recorder(started=time.perf_counter())
        self.feed = Feed()
        self.frames: Counter[str] = Counter()
        self.subscribed = 0
        self.connect_failures = 0
        self.drops: Counter[str] = Counter()
        self.stopping = False
        self.open_sockets: set[ClientConnection] = set()
        self.client: httpx.AsyncClient | None = None

    # -- HTTP ----------------------------------------------------------------

    async def call(
        self, op: str, method: str, path: str, token: str, body: Any = None
    ) -> tuple[int, Any]:
        assert self.client is not None
        began = time.perf_counter()
        try:
            response = await self.client.request(
                method,
                self.api + path,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            status = response.status_code
            payload = response.json() if response.content else None
        except (httpx.HTTPError, ValueError):
            status, payload = 0, None
        self.recorder.record(NAMES[op], status, began, time.perf_counter())
        return status, payload

    # -- websockets ------------------------------------------------------------

    async def _ticket(self, token: str) -> str:
        assert self.client is not None
        response = await self.client.post(
            f"{self.api}/api/v1/realtime/ticket",
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        return str(response.json()["ticket"])

    async def _open(self, user: dict[str, Any]) -> ClientConnection | None:
        try:
            ticket = await self._ticket(user["token"])
            socket = await connect(
                f"{self.ws}?ticket={ticket}",
                origin="http://127.0.0.1",  # type: ignore[arg-type]
                proxy=None,
                open_timeout=30,
                ping_interval=None,
            )
            await socket.send(json.dumps({"type": "subscribe", "channel": FEED}))
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
                if frame.get("type") == "subscribed":
                    break
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed):
            self.connect_failures += 1
            return None
        except httpx.HTTPError:
            self.connect_failures += 1
            return None
        self.subscribed += 1
        self.open_sockets.add(socket)
        return socket

    async def socket_life(self, user: dict[str, Any], ready: asyncio.Event) -> None:
        socket = await self._open(user)
        ready.set()
        while socket is not None:
            try:
                async for message in socket:
                    self._frame(json.loads(message), time.perf_counter())
            except ConnectionClosed:
                pass
            self.open_sockets.discard(socket)
            self.subscribed -= 1
            if self.stopping:
                return
            # Closed by the server mid-run: count it, reconnect as a client would.
            code = socket.close_code
            self.drops[str(code)] += 1
            await asyncio.sleep(1)
            socket = await self._open(user)

    def _frame(self, frame: dict[str, Any], at: float) -> None:
        kind = str(frame.get("type"))
        self.frames[kind] += 1
        if kind == "community.post.created":
            post_id = frame["data"]["post_id"]
            sent = self.feed.sent.get(post_id)
            if sent is None:
                self.feed.early[post_id].append(at)
                return
            self.feed.delivered += 1
            self.feed.latencies.append(at - sent)

    # -- virtual users -----------------------------------------------------------

    async def virtual_user(self, index: int, user: dict[str, Any], end: float) -> None:
        rng = random.Random(self.options.seed * 100_003 + index)
        state = {"token": user["token"], "refresh": user["refresh"]}
        sessions: list[int] = []
        posts: list[int] = []
        unread: list[int] = []
        categories = list(self.options.mix)
        weights = [self.options.mix[c] for c in categories]
        while time.perf_counter() < end:
            category = rng.choices(categories, weights)[0]
            ops = OPERATIONS[category]
            op = rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
            await self.operation(op, state, sessions, posts, unread, rng)

    async def operation(
        self,
        op: str,
        state: dict[str, str],
        sessions: list[int],
        posts: list[int],
        unread: list[int],
        rng: random.Random,
    ) -> None:
        token = state["token"]
        if op == "session_complete" and not sessions:
            op = "session_create"
        if op == "like" and not posts:
            op = "feed"
        if op == "notification_read" and not unread:
            op = "notifications"
        if op == "dashboard":
            await self.call(op, "GET", "/api/v1/analytics/dashboard", token)
        elif op == "feed":
            status, body = await self.call(
                op, "GET", "/api/v1/community?page_size=20", token
            )
            if status == 200:
                posts[:] = [row["id"] for row in body["results"]]
        elif op == "journal":
            await self.call(op, "GET", "/api/v1/journal?page_size=20", token)
        elif op == "mood_history":
            await self.call(op, "GET", "/api/v1/journal/mood/history", token)
        elif op == "session_create":
            status, body = await self.call(
                op,
                "POST",
                "/api/v1/sessions",
                token,
                {"type": "breathing", "title": "Load", "planned_duration_seconds": 600},
            )
            if status == 201:
                sessions.append(body["id"])
        elif op == "session_complete":
            session_id = sessions.pop(0)
            await self.call(
                op,
                "PATCH",
                f"/api/v1/sessions/{session_id}/complete",
                token,
                {"actual_duration_seconds": 590, "mood_after": 4},
            )
        elif op == "mood_create":
            await self.call(
                op,
                "POST",
                "/api/v1/journal/mood",
                token,
                {"mood": "good", "intensity": 4, "emotions": ["calm"], "factors": []},
            )
        elif op == "post_create":
            await self._post(token)
        elif op == "like":
            post_id = rng.choice(posts)
            await self.call(op, "POST", f"/api/v1/community/{post_id}/like", token)
        elif op == "refresh":
            status, body = await self.call(
                op, "POST", "/api/v1/auth/refresh", token, {"refresh": state["refresh"]}
            )
            if status == 200:
                state["token"], state["refresh"] = body["access"], body["refresh"]
        elif op == "notifications":
            status, body = await self.call(
                op, "GET", "/api/v1/notifications?page_size=20", token
            )
            if status == 200:
                unread[:] = [r["id"] for r in body["results"] if r["read_at"] is None]
        elif op == "notification_read":
            await self.call(
                op, "PATCH", f"/api/v1/notifications/{unread.pop()}/read", token
            )

    async def _post(self, token: str) -> None:
        # The frame may arrive before the answer: note the send time first and
        # match frames by post id once the id is known.
        began = time.perf_counter()
        subscribed = self.subscribed
        status, body = await self.call(
            "post_create",
            "POST",
            "/api/v1/community",
            token,
            {"body": POST_BODY, "topics": ["sleep"]},
        )
        if status == 201:
            self.feed.sent[body["id"]] = began
            self.feed.expected += subscribed
            for at in self.feed.early.pop(body["id"], []):
                self.feed.delivered += 1
                self.feed.latencies.append(at - began)

    # -- the run -------------------------------------------------------------------

    async def main(self) -> dict[str, Any]:
        limits = httpx.Limits(max_connections=self.options.users + CONNECT_BATCH)
        async with httpx.AsyncClient(
            trust_env=False, timeout=30, limits=limits
        ) as self.client:
            tasks = []
            connect_began = time.perf_counter()
            for start in range(0, len(self.socket_users), CONNECT_BATCH):
                events = []
                for user in self.socket_users[start : start + CONNECT_BATCH]:
                    ready = asyncio.Event()
                    events.append(ready)
                    tasks.append(asyncio.create_task(self.socket_life(user, ready)))
                await asyncio.gather(*(e.wait() for e in events))
            connect_seconds = time.perf_counter() - connect_began
            connected = self.subscribed
            print(
                f"load: {connected}/{len(self.socket_users)} sockets subscribed in "
                f"{connect_seconds:.1f} s; {self.options.users} users for "
                f"{self.options.duration:.0f} s"
            )
            self.recorder = Recorder(started=time.perf_counter())
            self.frames.clear()
            end = self.recorder.started + self.options.duration
            await asyncio.gather(
                *(
                    self.virtual_user(i, user, end)
                    for i, user in enumerate(self.vu_users)
                )
            )
            elapsed = time.perf_counter() - self.recorder.started
            await asyncio.sleep(DRAIN_SECONDS)
            subscribed_at_end = self.subscribed
            self.stopping = True
            await asyncio.gather(
                *(s.close() for s in list(self.open_sockets)), return_exceptions=True
            )
            # A socket still reconnecting ends here.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.summary(elapsed, connected, connect_seconds, subscribed_at_end)

    def summary(
        self,
        elapsed: float,
        connected: int,
        connect_seconds: float,
        subscribed_at_end: int,
    ) -> dict[str, Any]:
        rec = self.recorder
        endpoints: list[dict[str, Any]] = []
        for op, name in NAMES.items():
            values = sorted(rec.latencies.get(name, []))
            if not values:
                continue
            errors = rec.errors[name]
            endpoints.append(
                {
                    "name": name,
                    "category": CATEGORY[op],
                    "requests": len(values),
                    "errors": errors,
                    "error_rate": errors / len(values),
                    "rps": len(values) / elapsed,
                    "p50_ms": 1000 * (percentile(values, 0.50) or 0),
                    "p95_ms": 1000 * (percentile(values, 0.95) or 0),
                    "p99_ms": 1000 * (percentile(values, 0.99) or 0),
                    "max_ms": 1000 * values[-1],
                    "statuses": {str(k): v for k, v in rec.statuses[name].items()},
                }
            )
        total = sum(e["requests"] for e in endpoints)
        errors = sum(e["errors"] for e in endpoints)
        every = sorted(v for values in rec.latencies.values() for v in values)
        timeline = []
        for second in sorted(rec.seconds):
            count, failed, values = rec.seconds[second]
            timeline.append(
                {
                    "second": second,
                    "requests": count,
                    "errors": failed,
                    "p95_ms": 1000 * (percentile(sorted(values), 0.95) or 0),
                }
            )
        feed = sorted(self.feed.latencies)
        return {
            "duration_seconds": elapsed,
            "requests": total,
            "errors": errors,
            "error_rate": errors / max(total, 1),
            "throughput_rps": total / elapsed,
            "p50_ms": 1000 * (percentile(every, 0.50) or 0),
            "p95_ms": 1000 * (percentile(every, 0.95) or 0),
            "p99_ms": 1000 * (percentile(every, 0.99) or 0),
            "endpoints": endpoints,
            "websocket": {
                "sockets": len(self.socket_users),
                "connected": connected,
                "connect_seconds": connect_seconds,
                "connect_failures": self.connect_failures,
                "subscribed_at_end": subscribed_at_end,
                "dropped_by_close_code": dict(self.drops),
                "frames_by_type": dict(self.frames),
                "feed": {
                    "posts": len(self.feed.sent),
                    "expected": self.feed.expected,
                    "delivered": self.feed.delivered,
                    "delivery_rate": self.feed.delivered / max(self.feed.expected, 1),
                    "unmatched": sum(len(v) for v in self.feed.early.values()),
                    "p50_ms": 1000 * (percentile(feed, 0.50) or 0),
                    "p95_ms": 1000 * (percentile(feed, 0.95) or 0),
                    "p99_ms": 1000 * (percentile(feed, 0.99) or 0),
                },
            },
            "timeline": timeline,
            "load_average_after": list(os.getloadavg()),
        }


def run(stack: Stack, tokens: dict[str, Any], options: Options) -> dict[str, Any]:
    # httpx logs every request at INFO: thousands of lines that say nothing.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(Run(stack, tokens, options).main())
