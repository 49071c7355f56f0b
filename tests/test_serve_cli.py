"""`kg serve` says at once, with exit 2, when it cannot listen where it was asked to."""
from __future__ import annotations

import socket

from conftest import run_kg


def test_a_port_in_use_is_a_usage_error(sample_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_kg("serve", "--store", sample_store, "--port", str(port), timeout=60)
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in proc.stderr
    assert "--port" in proc.stderr


def test_an_unknown_host_is_a_usage_error(sample_store):
    proc = run_kg("serve", "--store", sample_store, "--host", "no-such-host.invalid", "--port", "5000", timeout=60)
    assert proc.returncode == 2 and "unknown host" in proc.stderr
