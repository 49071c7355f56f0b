#!/usr/bin/env python3
"""`kg serve` against `oxigraph serve-read-only` on the same store, in the same run, with the same load generator.

Both servers are started by this script on free loopback ports, over the same store folder (Oxigraph with
--union-default-graph, which is the graph contract of kg serve). The load generator is one plain HTTP/1.1 keep-alive
client per connection (raw sockets, no client library in the way), spread over a few processes, running for a fixed
duration per measurement. Each query shape is measured twice:

* repeated: every request sends the same query text (what a gallery page does; kg serve may answer from its cache);
* varied: every request names another paper (or entity class) and carries a unique LIMIT, so no two query texts of a
  measurement are equal, nor equal to those of its warm-up (cache misses: the cost of evaluating every query).

Shapes: a point lookup (one paper's title, SPARQL JSON), a GROUP BY aggregate (how many papers mention each entity of
one class, ordered by that count, SPARQL JSON) and a CONSTRUCT of one paper's graph (Turtle). The two servers are
measured in alternation, shape by shape, so a machine getting busier or quieter does not favour either side.

    python bench/sparql_vs_oxigraph.py [--store DIR] [--duration 8] [--connections 8] [--clients 2]

Prints req/s, p50 and p99 latency for both servers and the ratio kg/oxigraph of the throughputs. The bound of the
issue: at least 0.9 on each shape.
"""
from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIXES = ("PREFIX dcterms: <http://purl.org/dc/terms/>\n"
            "PREFIX kg: <https://w3id.org/paperkg/ontology#>\n")

SHAPES = {
    # name: (query text with {paper} or {cls} and {limit} to fill in, Accept)
    "point": (PREFIXES + "SELECT ?title WHERE {{ <{paper}> dcterms:title ?title }} LIMIT {limit}",
              "application/sparql-results+json"),
    "group-by": (PREFIXES + "SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p kg:mentions ?e . ?e a <{cls}> }} "
                 "GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT {limit}",
                 "application/sparql-results+json"),
    "construct": ("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{paper}> {{ ?s ?p ?o }} }} LIMIT {limit}",
                  "text/turtle"),
}
CLASSES = [f"https://w3id.org/paperkg/ontology#{c}" for c in ("Method", "Dataset", "Task", "Metric")]


# -- the load generator ----------------------------------------------------------------------------------------------

def read_response(sock: socket.socket, buf: bytearray) -> tuple[int, int, bool]:
    """Read one HTTP/1.1 response; returns (status, body length, connection kept open)."""
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            break
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        buf += chunk
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    del buf[:end + 4]
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        size = 0
        while True:
            while (i := buf.find(b"\r\n")) < 0:
                buf += sock.recv(65536)
            n = int(bytes(buf[:i]).split(b";")[0], 16)
            del buf[:i + 2]
            while len(buf) < n + 2:
                buf += sock.recv(65536)
            del buf[:n + 2]
            size += n
            if n == 0:
                return status, size, keep
    length = int(headers.get("content-length", "0"))
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        buf += chunk
    del buf[:length]
    return status, length, keep


def connection_loop(port: int, requests: list[bytes], offset: int, deadline: float, out: list) -> None:
    """One keep-alive connection sending requests[offset], requests[offset + 1], ... until the deadline."""
    latencies, errors, i = [], 0, offset
    sock, buf = None, bytearray()
    while True:
        now = time.perf_counter()
        if now >= deadline:
            break
        if sock is None:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = bytearray()
        try:
            sock.sendall(requests[i % len(requests)])
            status, _, keep = read_response(sock, buf)
        except OSError:
            sock.close()
            sock, errors = None, errors + 1
            continue
        latencies.append(time.perf_counter() - now)
        if status != 200:
            errors += 1
        if not keep:
            sock.close()
            sock = None
        i += 1
    if sock is not None:
        sock.close()
    out.append((latencies, errors))


def client_process(port: int, requests: list[bytes], connections: int, first: int, total: int, start: float,
                   duration: float, queue) -> None:
    while time.time() < start:
        time.sleep(0.001)
    deadline = time.perf_counter() + duration
    out: list = []
    stride = max(1, len(requests) // total)  # each connection walks its own stretch of the list
    threads = [threading.Thread(target=connection_loop,
                                args=(port, requests, (first + k) * stride, deadline, out)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(([x for lat, _ in out for x in lat], sum(e for _, e in out)))


def drive(port: int, requests: list[bytes], *, duration: float, connections: int, clients: int) -> dict:
    """`clients` processes with `connections` keep-alive connections each, for `duration` seconds."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start = time.time() + 0.3
    per = max(1, connections // clients)
    procs = [ctx.Process(target=client_process, args=(port, requests, per, c * per, per * clients, start, duration,
                                                      queue)) for c in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    n = len(latencies)
    pct = lambda q: latencies[min(n - 1, int(q * n))] * 1000 if n else float("nan")  # noqa: E731
    return {"rps": n / duration, "p50": pct(0.50), "p99": pct(0.99), "errors": sum(e for _, e in results), "n": n}


def http_get(path: str, accept: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n"
            f"User-Agent: bench\r\n\r\n").encode()


# -- the servers -----------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with status {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.1)
    raise SystemExit(f"no answer on port {port} after {timeout} s")


@contextlib.contextmanager
def running(cmd: list[str], port: int, ready_path: str):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(port, ready_path, proc)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def oxigraph_binary() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    return str(exe) if exe.exists() else (shutil.which("oxigraph") or "oxigraph")


def paper_iris(store: Path) -> list[str]:
    from kg.store import KGStore
    rows = KGStore.open(store).select("SELECT ?p WHERE { ?p a kg:Paper } ORDER BY ?p")
    return [r["p"] for r in rows]


def workload(shape: str, mode: str, papers: list[str], path: str, start: int = 0, count: int = 60_000) -> list[bytes]:
    """The requests of one measurement: the same one again and again, or `count` different ones (LIMIT 1000+i)."""
    template, accept = SHAPES[shape]

    def text(i: int) -> str:
        return template.format(paper=papers[i % len(papers)], cls=CLASSES[i % len(CLASSES)], limit=1000 + i)
    if mode == "repeated":
        return [http_get(f"{path}?query={quote(text(0), safe='')}", accept)]
    return [http_get(f"{path}?query={quote(text(i), safe='')}", accept) for i in range(start, start + count)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="an existing store (default: build the bundled sample into a temp dir)")
    ap.add_argument("--duration", type=float, default=8.0, help="seconds per measurement (default 8)")
    ap.add_argument("--connections", type=int, default=8, help="keep-alive connections in all (default 8)")
    ap.add_argument("--clients", type=int, default=2, help="load-generator processes (default 2)")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated subset of " + ",".join(SHAPES))
    ap.add_argument("--modes", default="repeated,varied")
    ap.add_argument("--kg-args", default="", help="extra arguments for kg serve, e.g. '--workers 3'")
    args = ap.parse_args()

    tmp = None
    store = args.store
    if store is None:
        from kg.builder import build
        from kg.paths import sample_corpus
        tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
        store = tmp / "store"
        print(f"building the sample store in {store} ...", flush=True)
        build([sample_corpus()], store)
    papers = paper_iris(store)

    kg_port, ox_port = free_port(), free_port()
    kg_cmd = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(kg_port), "-q",
              *args.kg_args.split()]
    ox_cmd = [oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{ox_port}",
              "--union-default-graph"]
    rows = []
    try:
        with running(kg_cmd, kg_port, "/health"), running(ox_cmd, ox_port, "/query?query=ASK%7B%7D"):
            print(f"kg serve on :{kg_port}, oxigraph serve-read-only on :{ox_port}; {args.connections} connections "
                  f"from {args.clients} processes, {args.duration:g} s per measurement, {os.cpu_count()} CPUs\n",
                  flush=True)
            for shape in args.shapes.split(","):
                for mode in args.modes.split(","):
                    res = {}
                    for name, port, path in (("oxigraph", ox_port, "/query"), ("kg", kg_port, "/sparql")):
                        warm = workload(shape, mode, papers, path, start=10_000_000, count=200)  # other texts
                        drive(port, warm, duration=1.0, connections=args.connections, clients=args.clients)
                        res[name] = drive(port, workload(shape, mode, papers, path), duration=args.duration,
                                          connections=args.connections, clients=args.clients)
                    rows.append((shape, mode, res))
                    report_row(shape, mode, res)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\nsummary (ratio = kg req/s / oxigraph req/s; the bound is >= 0.9):")
    for shape, mode, res in rows:
        ratio = res["kg"]["rps"] / res["oxigraph"]["rps"] if res["oxigraph"]["rps"] else float("nan")
        print(f"  {shape:<10} {mode:<9} ratio {ratio:5.2f}  {'ok' if ratio >= 0.9 else 'BELOW BOUND'}")


def report_row(shape: str, mode: str, res: dict) -> None:
    print(f"{shape} / {mode}")
    for name in ("oxigraph", "kg"):
        r = res[name]
        err = f"  ({r['errors']} errors)" if r["errors"] else ""
        print(f"  {name:<9} {r['rps']:8.0f} req/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms{err}")
    ratio = res["kg"]["rps"] / res["oxigraph"]["rps"] if res["oxigraph"]["rps"] else float("nan")
    print(f"  ratio     {ratio:8.2f}\n", flush=True)


if __name__ == "__main__":
    main()
