"""A stand-in for Gemini's REST API on 127.0.0.1, so the real google-genai client
code runs in tests (request building, SSE parsing, errors) with no network.

Queue answers with ``stub.reply(...)``; each request takes the next one (the
last one repeats). ``stub.requests`` holds what the SDK sent: path and JSON.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kaya.testing import free_port


def text_body(text: str, finish_reason: str = "STOP") -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "index": 0,
    }
    if finish_reason:  # mid-stream chunks carry none
        candidate["finishReason"] = finish_reason
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 5},
    }


def blocked_body(reason: str = "SAFETY") -> dict[str, Any]:
    return {"promptFeedback": {"blockReason": reason}}


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    # Streaming: one SSE event per chunk.
    chunks: list[dict[str, Any]] | None = None
    delay_seconds: float = 0.0


class GeminiStub:
    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append({"path": self.path, "json": payload})
                index = min(len(stub.requests), len(stub.answers)) - 1
                answer = stub.answers[index] if stub.answers else Answer()
                if answer.delay_seconds:
                    time.sleep(answer.delay_seconds)
                try:
                    if answer.chunks is not None:
                        self.send_response(answer.status)
                        self.send_header("Content-Type", "text/event-stream")
                        self.end_headers()
                        for chunk in answer.chunks:
                            data = "data: " + json.dumps(chunk) + "\r\n\r\n"
                            self.wfile.write(data.encode())
                            self.wfile.flush()
                        return
                    body = json.dumps(answer.body).encode()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reply(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def text(self, text: str) -> None:
        self.reply(Answer(body=text_body(text)))

    def error(self, status: int) -> Answer:
        return Answer(
            status=status,
            body={"error": {"code": status, "message": "stub", "status": "STUB"}},
        )

    def start(self) -> GeminiStub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
