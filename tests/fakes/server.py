"""A real HTTP server on 127.0.0.1 in a thread (http.server.ThreadingHTTPServer), answering with an app function.

    with FakeServer(app) as server:          # app(request) -> Canned
        server.script += [Canned(503), Canned(429, headers={"Retry-After": "0"})]   # answered first, in order
        ... server.url ... server.requests ...
"""
from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, [default])[0]


@dataclass
class Canned:
    """One answer. `delay`: seconds before the status line; `truncate`: announce the whole length, send half the
    body and close the connection; `drip`: send the body 16 bytes at a time, this many seconds apart."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: bool = False
    drip: float = 0.0

    @classmethod
    def json(cls, data, status: int = 200, **kwargs) -> "Canned":
        return cls(status, json.dumps(data), "application/json; charset=utf-8", **kwargs)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        fake: FakeServer = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        seen = Seen(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()}, body)
        canned = fake.answer(seen)
        if canned.delay and fake.stopping.wait(canned.delay):
            return
        data = canned.body.encode("utf-8") if isinstance(canned.body, str) else canned.body
        try:
            self.send_response(canned.status)
            self.send_header("Content-Type", canned.content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in canned.headers.items():
                self.send_header(k, v)
            if canned.truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            if canned.truncate:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif canned.drip:
                for i in range(0, len(data), 16):
                    self.wfile.write(data[i:i + 16])
                    self.wfile.flush()
                    if fake.stopping.wait(canned.drip):
                        return
            elif self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def log_message(self, format, *args) -> None:  # noqa: A002 - the signature of http.server
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up on a slow answer is expected here


class FakeServer:
    def __init__(self, app: Callable[[Seen], Canned]):
        self.app = app
        self.script: list[Canned] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, seen: Seen) -> Canned:
        with self.lock:
            self.requests.append(seen)
            scripted = self.script.pop(0) if self.script else None
        return scripted if scripted is not None else self.app(seen)

    def __enter__(self) -> "FakeServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def closed_port_url() -> str:
    """A loopback URL nobody listens on (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module", autouse=True)
def loopback_without_proxy():
    """Requests to the loopback servers never go through a proxy set in the environment (here and in `kg`);
    autouse in each test module that imports it."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("NO_PROXY", "no_proxy"):
            mp.setenv(name, ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"])))
        yield
