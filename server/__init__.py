"""The paperkg web application: `create_app(config)` builds a Flask app; each feature is a Blueprint.

Config keys (all optional but STORE):

| key | meaning | default |
| --- | --- | --- |
| STORE | store path (the link to its current generation) | required |
| TIMEOUT | seconds a query or update may run | 30 |
| MAX_ROWS | cap on SELECT rows and CONSTRUCT triples (None or 0: no cap) | 10000 |
| MAX_MEMORY_MB | memory a query worker may take; a query needing more is stopped (None or 0: no cap) | 2048 |
| ALLOW_UPDATE | accept SPARQL Update at /sparql | False |
| UPDATE_TOKEN | bearer token updates must carry (without one, only loopback clients may update) | None |
| CORS_ORIGIN | Access-Control-Allow-Origin ('' turns CORS off) | "*" |
| ALLOW_SERVICE | let queries call other endpoints (SERVICE) and updates LOAD from the web | False |
| QUERY_WORKERS / MAX_QUERY_WORKERS | worker processes kept / at most | CPUs / 2 x kept + 2 |
| MAX_BODY_BYTES | largest request body (413 above) | 4 MiB |
| MAX_URL_BYTES | longest query string (414 above) | 8190 |
| CACHE_BYTES | answer cache size | 64 MiB |
| QUERIES_DIR | gallery queries folder | the bundled one |

To add a feature, add its Blueprint to BLUEPRINTS ("module:attribute"); store access goes through
`server.state()` (the query executor and the caches of this process), never straight to the store.
"""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

BLUEPRINTS = [
    "server.sparql:bp",
    "server.service:bp",
    "server.gallery:bp",
    "server.resources:bp",
    "server.export:bp",
]

DEFAULTS = {
    "TIMEOUT": 30.0,
    "MAX_ROWS": 10_000,
    "MAX_MEMORY_MB": 2048,
    "ALLOW_UPDATE": False,
    "UPDATE_TOKEN": None,
    "CORS_ORIGIN": "*",
    "ALLOW_SERVICE": False,
    "QUERY_WORKERS": None,
    "MAX_QUERY_WORKERS": None,
    "MAX_BODY_BYTES": 4 << 20,
    "MAX_URL_BYTES": 8190,
    "CACHE_BYTES": 64 << 20,
    "QUERIES_DIR": None,
    "SANDBOX": True,
}
EXPOSED_HEADERS = "X-Paperkg-Truncated, X-Paperkg-Max-Rows, X-Paperkg-Cache"
WRITE_METHODS = frozenset({"PUT", "DELETE", "PATCH"})
SPARQL_PATHS = frozenset({"/sparql", "/sparql/"})

log = logging.getLogger("paperkg.server")


class State:
    """What one server process holds: the executor (started on first use, again after a fork) and the caches."""

    def __init__(self, config):
        from .cache import AnswerCache
        self.config = config
        self.answers = AnswerCache(config["CACHE_BYTES"])
        self.described: tuple[str | None, dict] | None = None
        self._executor = None
        self._pid = None
        self._lock = threading.Lock()
        self.describe_lock = threading.Lock()

    @property
    def executor(self):
        if self._executor is None or self._pid != os.getpid():
            with self._lock:
                if self._executor is None or self._pid != os.getpid():
                    from kg.executor import Executor
                    cfg = self.config
                    self._executor = Executor(cfg["STORE"], workers=cfg["QUERY_WORKERS"],
                                              max_workers=cfg["MAX_QUERY_WORKERS"], timeout=float(cfg["TIMEOUT"]),
                                              sandbox=cfg["SANDBOX"] and not cfg["ALLOW_SERVICE"],
                                              memory_mb=cfg["MAX_MEMORY_MB"] or None)
                    self._pid = os.getpid()
        return self._executor

    def close(self) -> None:
        if self._executor is not None and self._pid == os.getpid():
            self._executor.close()
            self._executor = None


def state() -> State:
    return current_app.extensions["paperkg"]


_once_lock = threading.Lock()


def app_once(key: str, make):
    """What `make()` gives, made once per app (the first request makes it; threads arriving meanwhile wait)."""
    ext = current_app.extensions
    found = ext.get(key)
    if found is None:
        with _once_lock:
            found = ext.get(key)
            if found is None:
                found = ext[key] = make()
    return found


def text_response(status: int, message: str, headers: dict | None = None) -> Response:
    """A short plain-text answer (errors never carry a stack trace or a file path)."""
    return Response(message.rstrip("\n") + "\n", status=status, headers=headers,
                    content_type="text/plain; charset=utf-8")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.update(config)
    if not app.config.get("STORE"):
        raise ValueError("create_app needs config['STORE'], the store path")
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.extensions["paperkg"] = State(app.config)

    import importlib
    for spec in BLUEPRINTS:
        module, _, attr = spec.partition(":")
        app.register_blueprint(getattr(importlib.import_module(module), attr))

    from .sparql import fast_path
    app.wsgi_app = fast_path(app, app.wsgi_app)
    app.before_request(_guard)
    app.after_request(_cors)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    return app


def _guard():
    """Refuse writes everywhere but an update-enabled /sparql; answer CORS preflights."""
    cfg = current_app.config
    method = request.method
    if method == "OPTIONS" and request.routing_exception is None:
        return _preflight()
    on_sparql = request.path in SPARQL_PATHS
    allowed = cfg["ALLOW_UPDATE"] and on_sparql
    if method in WRITE_METHODS and not cfg["ALLOW_UPDATE"]:
        return text_response(403, "this endpoint is read-only")
    if allowed:
        return None
    if request.mimetype == "application/sparql-update":
        return _read_only()
    if b"update" in request.query_string and _has_param(request.query_string, "update"):
        return _read_only()
    if not on_sparql and method == "POST" and request.mimetype == "application/x-www-form-urlencoded" \
            and "update" in request.form:
        return _read_only()
    return None


def _has_param(raw: bytes, name: str) -> bool:
    from urllib.parse import parse_qsl
    try:
        return any(k == name for k, _ in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    except ValueError:
        return False


def _read_only() -> Response:
    if current_app.config["ALLOW_UPDATE"]:
        return text_response(403, "SPARQL Update is accepted at /sparql only")
    return text_response(403, "SPARQL Update is disabled: this endpoint is read-only")


def _preflight() -> Response:
    origin = current_app.config["CORS_ORIGIN"]
    response = Response(status=204)
    response.headers["Allow"] = "GET, POST, OPTIONS, HEAD"
    if origin:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type, Authorization")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def cors_headers(config) -> list[tuple[str, str]]:
    """The CORS headers every answer carries (none when CORS_ORIGIN is '')."""
    origin = config["CORS_ORIGIN"]
    if not origin:
        return []
    headers = [("Access-Control-Allow-Origin", origin), ("Access-Control-Expose-Headers", EXPOSED_HEADERS)]
    if origin != "*":
        headers.append(("Vary", "Origin"))
    return headers


def _cors(response: Response) -> Response:
    for name, value in cors_headers(current_app.config):
        response.headers.add(name, value) if name == "Vary" else response.headers.__setitem__(name, value)
    return response


def _http_error(err: HTTPException) -> Response:
    headers = {}
    if err.code == 405 and getattr(err, "valid_methods", None):
        headers["Allow"] = ", ".join(err.valid_methods)
    message = {413: "request body too large", 414: "request URI too long"}.get(err.code, err.description or "")
    return text_response(err.code or 500, f"{err.code} {err.name}: {message}", headers)


def _internal_error(err: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return text_response(500, "500 Internal Server Error: the server could not answer this request")


__all__ = ["create_app", "state", "app_once", "text_response", "cors_headers", "BLUEPRINTS", "DEFAULTS", "State"]
