"""A local OpenAI-compatible HTTP server on a real socket: answers POST /v1/chat/completions with a JSON
body including ``usage``, records every request, and can be told to answer errors first."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from brandkit.drafting.prompts import BRIEF_SECTIONS


def model_answer(count: int = 12, body: str = "") -> str:
    """What the fake model writes: drafts and expanded-brief sections in the asked JSON shape."""
    drafts = [
        {
            "title": f"Model draft {i + 1}",
            "headline": "",
            "subject": f"Model subject {i + 1}",
            "preheader": "",
            "body": body or f"Model draft {i + 1}. Plan your week with us and take the next step.",
        }
        for i in range(count)
    ]
    sections = {key: f"Model {title.lower()}." for key, title in BRIEF_SECTIONS}
    return json.dumps({"drafts": drafts, "sections": sections})


class FakeProvider:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: list[tuple[int, dict[str, str], str]] = []
        self.content = model_answer()
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Answer at once: without this, headers and body go as two packets and the client's delayed
            # ACK adds ~40 ms to every call.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                with provider.lock:
                    provider.requests.append(json.loads(raw or b"{}"))
                    provider.headers.append({k.lower(): v for k, v in self.headers.items()})
                    scripted = provider.script.pop(0) if provider.script else None
                if self.path.rstrip("/") != "/v1/chat/completions":
                    scripted = (404, {}, json.dumps({"error": {"message": "not found"}}))
                if scripted is None:
                    request = provider.requests[-1]
                    chars = sum(len(m.get("content", "")) for m in request.get("messages", []))
                    usage = {"prompt_tokens": chars // 4 + 1, "completion_tokens": 120}
                    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
                    body = json.dumps(
                        {
                            "id": "chatcmpl-fake",
                            "object": "chat.completion",
                            "created": 1764900000,
                            "model": request.get("model", ""),
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": provider.content},
                                }
                            ],
                            "usage": usage,
                        }
                    )
                    scripted = (200, {}, body)
                status, headers, body = scripted
                data = body.encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def fail_next(self, status: int, *, headers: dict[str, str] | None = None, times: int = 1) -> None:
        body = json.dumps({"error": {"message": f"fake error {status}", "type": "server_error"}})
        self.script.extend([(status, headers or {}, body)] * times)

    def all_text(self) -> str:
        """Every recorded request as one string, for "does any request contain X"."""
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in self.requests)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
