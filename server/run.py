"""`kg serve`: the app under gunicorn (threaded workers), started from Python.

Updates are refused at start unless the server listens on a loopback address only, or an update token is set
(clients then send `Authorization: Bearer TOKEN`).
"""
from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

EXIT_USAGE = 2


def is_loopback(host: str) -> bool:
    """Whether every address `host` stands for is a loopback address."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def http_processes() -> int:
    """gunicorn worker processes: one per CPU up to 2 by default (Python handles HTTP in one core per process);
    KG_SERVE_HTTP_PROCESSES overrides. Each has its own query workers (--workers is the total) and answer cache."""
    try:
        return max(1, int(os.environ["KG_SERVE_HTTP_PROCESSES"]))
    except (KeyError, ValueError):
        return max(1, min(2, os.cpu_count() or 1))


def address_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (said before starting, where gunicorn would retry for seconds
    and then fail with a less helpful message), or None."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as err:
        return f"unknown host ({err})"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return "the port is in use by another program; choose another one with --port"
            return err.strerror or str(err)
    return None


def bind_address(host: str, port: int) -> str:
    return f"[{host.strip('[]')}]:{port}" if ":" in host.strip("[]") else f"{host}:{port}"


class KGThreadWorker(ThreadWorker):
    """gunicorn's threaded (gthread) worker with a quit handler that is safe in a signal handler.

    gthread's own handler shuts its thread pool down from the signal handler, which takes the pool's lock; when the
    signal lands while the main loop holds that lock (submitting a request), the worker deadlocks until the arbiter
    kills it after the graceful timeout. Exiting is enough: idle pool threads end with the process (a thread still
    busy with a request is ended by the arbiter after the graceful timeout)."""

    def handle_quit(self, sig, frame):
        Worker.handle_quit(self, sig, frame)


class KGApplication(BaseApplication):
    def __init__(self, config: dict, options: dict):
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        from . import create_app
        return create_app(self.app_config)


def _post_worker_init(worker) -> None:
    """Start the query workers before the first request (in the HTTP worker process, after gunicorn's fork).

    The worker also stops reacting to SIGINT itself: Ctrl-C reaches the whole process group and the arbiter then
    sends the worker SIGQUIT anyway, which alone ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        worker.wsgi.extensions["paperkg"].executor  # noqa: B018 - the property starts the pool
    except Exception:  # noqa: BLE001 - the first request will try again and answer 503 if the store is gone
        worker.log.warning("could not start the query workers yet")


def _worker_exit(server, worker) -> None:
    try:
        worker.wsgi.extensions["paperkg"].close()
    except Exception:  # noqa: BLE001
        pass


def serve(args, console) -> int:
    from kg.store import current_generation
    store = Path(args.store)
    if current_generation(store) is None:
        console.error(f"kg serve: no store at {store}: build one with `kg build INPUT --store {store}`")
        return EXIT_USAGE
    if args.allow_update and not args.update_token and not is_loopback(args.host):
        console.error(f"kg serve: --allow-update on {args.host} would let anyone on the network change the store; "
                      "bind to a loopback address (--host 127.0.0.1) or give --update-token TOKEN")
        return EXIT_USAGE
    if args.timeout <= 0 or args.threads < 1 or (args.workers is not None and args.workers < 1):
        console.error("kg serve: --timeout, --threads and --workers must be positive")
        return EXIT_USAGE
    problem = address_problem(args.host, args.port)
    if problem:
        console.error(f"kg serve: cannot listen on {bind_address(args.host, args.port)}: {problem}")
        return EXIT_USAGE
    processes = http_processes()
    workers = args.workers or os.cpu_count() or 2
    config = {
        "STORE": str(store.absolute()),
        "TIMEOUT": args.timeout,
        "MAX_ROWS": args.max_rows if args.max_rows and args.max_rows > 0 else None,
        "MAX_MEMORY_MB": args.max_memory if args.max_memory and args.max_memory > 0 else None,
        "ALLOW_UPDATE": bool(args.allow_update),
        "UPDATE_TOKEN": args.update_token or None,
        "CORS_ORIGIN": args.cors_origin,
        "ALLOW_SERVICE": bool(args.allow_service),
        "QUERY_WORKERS": max(1, -(-workers // processes)),  # split among the HTTP processes, rounded up
        "QUERIES_DIR": args.queries,
    }
    options = {
        "bind": [bind_address(args.host, args.port)],
        "workers": processes,
        "worker_class": "server.run.KGThreadWorker",
        "threads": args.threads,
        "timeout": int(args.timeout) + 60,   # gunicorn's heartbeat; query time is limited by the executor
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "accesslog": "-" if args.verbose else None,
        "errorlog": "-",
        "loglevel": "warning" if args.quiet else "info",
        "proc_name": "kg-serve",
        "control_socket_disable": True,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
    }
    mode = "updates allowed" if args.allow_update else "read-only"
    console.info(f"kg serve: http://{bind_address(args.host, args.port)}/sparql ({mode}; timeout {args.timeout:g} s; "
                 f"max rows {config['MAX_ROWS'] or 'unlimited'})")
    KGApplication(config, options).run()
    return 0
