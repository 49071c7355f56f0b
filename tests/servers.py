"""Start `kg serve` as a user would, on a free loopback port, for tests that need a live server.

    from tests.servers import start_server
    with start_server(store, "--timeout", "2") as base_url:
        requests.get(base_url + "/sparql", params={"query": "ASK {}"})

The server runs in a process group of its own and is stopped (the group, by its id) when the block ends. Its log is
kept in a temporary file and shown in the error when it fails to start.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)  # gunicorn's arbiter: quick shutdown of its workers
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of this server's own process group
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


@contextlib.contextmanager
def start_server(store: str | Path, *extra_args: str, host: str = "127.0.0.1", timeout: float = 60.0,
                 env: dict | None = None) -> Iterator[str]:
    """Run `kg serve --store STORE --host HOST --port FREE_PORT *extra_args`; yield its base URL once /health
    answers 200."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="kg-serve-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--host", host, "--port", str(port),
           *map(str, extra_args)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})))
    base = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"kg serve exited with status {proc.returncode}:\n{_tail(log.name)}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/health", timeout=5) as r:
                    if r.status == 200:
                        break
            if time.monotonic() > deadline:
                raise RuntimeError(f"kg serve did not answer /health within {timeout} s:\n{_tail(log.name)}")
            time.sleep(0.05)
        yield base
    finally:
        _stop(proc)
        log.close()
        with contextlib.suppress(OSError):
            os.unlink(log.name)


def _tail(path: str, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    return ""


def copy_store(source: str | Path, folder: str | Path) -> Path:
    """A private copy of a store (its link and its generations) in `folder`; returns the new store path."""
    source, folder = Path(source), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    hidden = source.parent / f".{source.name}.kg"
    if hidden.is_dir():
        shutil.copytree(hidden, folder / hidden.name, symlinks=True,
                        ignore=shutil.ignore_patterns("write.lock"))
    target = folder / source.name
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    else:
        shutil.copytree(source, target)
    return target


__all__ = ["start_server", "free_port", "copy_store"]
