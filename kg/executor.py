"""Query execution in worker processes that can be ended: how the server runs SPARQL with a time limit that holds.

pyoxigraph cannot cancel a running query, so queries do not run in the server's process. A pool of worker processes
(started through a fork server, so a new one is ready in milliseconds) each holds the store open read-only and
reopens it when a writer has swapped a new generation in. A worker evaluates a query *and* serialises the result to
bytes in the requested format, so the time limit covers both and the server never sends a cut-off body: when the
limit passes, the server kills that worker, answers 503 and a replacement starts in the background. The pool keeps
`workers` processes and grows to `max_workers` when all have been busy for `grow_after` seconds, so while some
queries run away, a cheap one still finds a worker (and a burst of short queries does not start processes).
SELECT results (and CONSTRUCT/DESCRIBE triples) are capped at `max_rows`; the answer says when it was cut.

Updates run in a worker too (kg.update writes a new generation under the store's write lock), so a runaway update
is ended the same way and leaves the store as it was. Unless outbound calls are allowed, each worker also drops its
network access when the system lets it (a network namespace of its own), behind the lexical SERVICE/LOAD refusal.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import multiprocessing
import os
import re
import threading
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Triple

from .formats import GRAPH, TABULAR, serialize_triples
from .sparql_text import top_limit
from .store import KGStore, StoreError, current_generation

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CLASS_COUNTS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"


class ExecutionError(Exception):
    """A query or update that could not be answered; `status` is the HTTP status that says why."""

    status = 500

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class QueryTimeout(ExecutionError):
    status = 503


class Busy(ExecutionError):
    status = 503


@dataclass(frozen=True)
class QueryJob:
    """One query: text, dataset (None = the store's union default graph and all named graphs), formats by result
    kind (None = not acceptable to the client), base IRI, row cap, and values for variables (pyoxigraph
    substitutions, as kg.queries binds gallery parameters). Hashable: it is also the answer cache's key."""

    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union: bool = True
    base_iri: str | None = None
    select_format: str | None = "json"
    ask_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int | None = None
    bindings: tuple[tuple[str, object], ...] | None = None  # (variable, pyoxigraph term): values bound, not pasted


@dataclass(frozen=True)
class Answer:
    body: bytes
    format: str           # a name of kg.formats.TABULAR or GRAPH
    media_type: str
    truncated: bool
    generation: str       # the key of the store generation that answered (for caches; never shown to clients)


# -- what a worker does --------------------------------------------------------------------------------------------

def _short(err: BaseException, limit: int = 300) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_term(t) -> dict:
    cls = type(t)
    if cls is NamedNode:
        return {"type": "uri", "value": t.value}
    if cls is Literal:
        if t.language:
            out = {"type": "literal", "value": t.value, "xml:lang": t.language}
            if getattr(t, "direction", None):
                out["its:dir"] = t.direction
            return out
        dt = t.datatype.value
        return {"type": "literal", "value": t.value} if dt == XSD_STRING else \
            {"type": "literal", "value": t.value, "datatype": dt}
    if cls is BlankNode:
        return {"type": "bnode", "value": t.value}
    if cls is Triple:
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    raise ValueError(f"unexpected term {t!r}")


def _xml_term(t) -> str:
    cls = type(t)
    if cls is NamedNode:
        return f"<uri>{escape(t.value)}</uri>"
    if cls is Literal:
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        dt = t.datatype.value
        if dt == XSD_STRING:
            return f"<literal>{escape(t.value)}</literal>"
        return f"<literal datatype={quoteattr(dt)}>{escape(t.value)}</literal>"
    if cls is BlankNode:
        return f"<bnode>{escape(t.value)}</bnode>"
    if cls is Triple:
        return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
                f"<object>{_xml_term(t.object)}</object></triple>")
    raise ValueError(f"unexpected term {t!r}")


def _plain_term(t) -> str:
    if t is None:
        return ""
    cls = type(t)
    if cls is BlankNode:
        return "_:" + t.value
    if cls is Triple:
        return f"{_plain_term(t.subject)} {_plain_term(t.predicate)} {_plain_term(t.object)}"
    return t.value


def _tsv_term(t) -> str:
    if t is None:
        return ""
    if type(t) is Triple:
        return f"<<( {_tsv_term(t.subject)} {_tsv_term(t.predicate)} {_tsv_term(t.object)} )>>"
    return str(t)


def serialize_rows(names: list[str], rows: list, fmt: str) -> bytes:
    """SELECT results (lists of terms, None when unbound) in a SPARQL results format."""
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(n)}/>" for n in names]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                    for n, t in zip(names, row, strict=True) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_plain_term(t) for t in row] for row in rows)
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt}")


def evaluate(store: KGStore, job: QueryJob) -> tuple[bytes, str, bool]:
    """Run a query and serialise its result: (body, format name, truncated)."""
    result = store.query(_with_base(job), dict(job.bindings) if job.bindings else None, union=job.union,
                         default_graphs=_list(job.default_graphs), named_graphs=_list(job.named_graphs))
    cap = job.max_rows
    if isinstance(result, QueryBoolean):
        if job.ask_format is None:
            raise ExecutionError("no acceptable format for an ASK result", 406)
        return result.serialize(format=TABULAR[job.ask_format][0]), job.ask_format, False
    if isinstance(result, QuerySolutions):
        if job.select_format is None:
            raise ExecutionError("no acceptable format for SELECT results", 406)
        limit = top_limit(job.text)
        if cap is None or (limit is not None and limit <= cap):  # cannot be cut: pyoxigraph writes it all
            return result.serialize(format=TABULAR[job.select_format][0]), job.select_format, False
        names = [v.value for v in result.variables]
        rows = [list(r) for r in islice(result, cap + 1)]
        truncated = len(rows) > cap
        return serialize_rows(names, rows[:cap], job.select_format), job.select_format, truncated
    if job.graph_format is None:
        raise ExecutionError("no acceptable format for an RDF graph", 406)
    triples = list(result) if cap is None else list(islice(result, cap + 1))
    truncated = cap is not None and len(triples) > cap
    return serialize_triples(triples[:cap] if truncated else triples, GRAPH[job.graph_format][0]), \
        job.graph_format, truncated


def _list(graphs):
    return list(graphs) if graphs is not None else None


def _with_base(job: QueryJob) -> str:
    """The query with the endpoint's IRI as its base (a BASE before the user's prologue, which may override it).
    The IRI is the server's own, checked by NamedNode; the line is counted back out of error positions."""
    if not job.base_iri:
        return job.text
    return f"BASE {NamedNode(job.base_iri)}\n{job.text}"


def _fix_position(message: str, job: QueryJob) -> str:
    if not job.base_iri:
        return message
    return re.sub(r"error at (\d+):(\d+)", lambda m: f"error at {max(1, int(m.group(1)) - 1)}:{m.group(2)}",
                  message)


def generation_key(path: Path) -> str | None:
    """What names the current generation of a store: the target of the store's link (one system call, where
    KGStore.is_current resolves the whole path). A plain folder (not swappable) is its own generation."""
    try:
        return os.readlink(path)
    except OSError:
        gen = current_generation(path)
        return str(gen) if gen is not None else None


def describe(store: KGStore) -> dict:
    """Counts for /health, the service description and VoID."""
    from .stats import store_stats
    classes = [(r["class"], int(r["n"])) for r in store.select(CLASS_COUNTS) if r["class"]]
    return {"stats": store_stats(store), "classes": classes, "generation": store.generation.name}


def _isolate_network() -> bool:
    """Leave the network: a fresh network namespace has no interface up. False when the system does not allow it."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(0x40000000) == 0:  # CLONE_NEWNET
            return True
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(0x10000000 | 0x40000000) != 0:  # CLONE_NEWUSER | CLONE_NEWNET
            return False
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with contextlib.suppress(OSError), open(f"/proc/self/{name}", "w") as f:
                f.write(text)
        return True
    except (OSError, AttributeError):
        return False


def _die_with_parent() -> None:
    import ctypes
    import signal
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which ends its workers


def _limit_memory(megabytes: int | None) -> None:
    """Cap the worker's heap: a query that would take more fails its allocation and ends the worker (which the
    pool replaces), instead of taking the machine's memory. RLIMIT_DATA counts the heap and private mappings, not
    the store's files mapped for reading."""
    import resource
    if megabytes:
        limit = megabytes << 20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def worker_main(conn, store_path: str, sandbox: bool, memory_mb: int | None = None) -> None:
    """The loop of a worker process: receive a job, answer it, until the server closes the pipe."""
    _die_with_parent()
    if sandbox:
        _isolate_network()
    _limit_memory(memory_mb)
    path = Path(store_path)
    store: KGStore | None = None
    opened: str | None = None
    while True:
        try:
            kind, job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if kind == "update":
                from .update import apply_update
                text, base_iri = job
                gen = apply_update(path, text, base_iri=base_iri)
                reply = ("ok", str(gen))
            else:
                link = generation_key(path)
                if store is None or link != opened:
                    store = None
                    opened = link  # read before opening: a swap in between only costs one more reopen
                    store = KGStore.open(path)
                if kind == "query":
                    body, fmt, truncated = evaluate(store, job)
                    reply = ("ok", body, fmt, truncated, opened)
                elif kind == "describe":
                    reply = ("ok", describe(store), opened)
                else:
                    reply = ("ok", None, opened)
        except ExecutionError as err:
            reply = ("err", err.status, str(err))
        except SyntaxError as err:
            msg = _short(err, 200)
            reply = ("err", 400, f"syntax error: {_fix_position(msg, job) if kind == 'query' else msg}")
        except StoreError as err:
            busy = "another paperkg command is writing" in str(err)
            reply = ("err", 503, "the store is being written by another command; try again" if busy
                     else "the store is not available")
        except (ValueError, RuntimeError, TypeError) as err:
            reply = ("err", 400, f"the {'update' if kind == 'update' else 'query'} failed: {_short(err)}")
        except OSError:
            reply = ("err", 500, "the operation failed with an input/output error")
        except Exception:  # noqa: BLE001 - the worker must answer something and stay alive
            log.exception("query worker error")
            reply = ("err", 500, "internal error while evaluating the operation")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


# -- the pool ------------------------------------------------------------------------------------------------------

class _Worker:
    __slots__ = ("process", "conn")

    def __init__(self, process, conn):
        self.process, self.conn = process, conn

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.process.join(2)


class Executor:
    """A pool of query worker processes for one store path. Thread-safe; create it in the process that uses it."""

    def __init__(self, store: str | Path, *, workers: int | None = None, max_workers: int | None = None,
                 timeout: float = 30.0, sandbox: bool = True, grow_after: float = 0.05,
                 memory_mb: int | None = None):
        self.store = Path(store)
        self.memory_mb = memory_mb
        self.workers = max(1, workers or os.cpu_count() or 2)
        self.max_workers = max(self.workers + 2, max_workers or 2 * self.workers + 2)
        self.timeout = timeout
        self.sandbox = sandbox
        self.grow_after = grow_after
        self._ctx = multiprocessing.get_context("forkserver")
        with contextlib.suppress(Exception):
            self._ctx.set_forkserver_preload(["kg.executor"])
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()
        self._closed = False
        self.pid = os.getpid()
        for _ in range(self.workers):
            self._count += 1
            self._idle.append(self._spawn())

    # workers

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=worker_main, args=(child, str(self.store), self.sandbox, self.memory_mb),
                                 name="kg-query-worker", daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def _acquire(self, deadline: float) -> _Worker:
        """An idle worker; when all are busy for a while (long queries), a new one up to max_workers."""
        grow_at = time.monotonic() + self.grow_after
        with self._cond:
            while True:
                if self._closed:
                    raise ExecutionError("the server is shutting down", 503)
                if self._idle:
                    return self._idle.pop()
                now = time.monotonic()
                if self._count < self.max_workers and (now >= grow_at or self._count < self.workers):
                    self._count += 1
                    break
                if now >= deadline:
                    raise Busy("all query workers are busy; try again in a moment")
                wait = deadline - now if self._count >= self.max_workers else min(deadline, grow_at) - now
                self._cond.wait(max(wait, 0.001))
        try:
            return self._spawn()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker) -> None:
        """End a worker (timed out or broken) and start a replacement in the background."""
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._cond:
            self._count -= 1
            if self._closed or self._count >= self.workers:
                self._cond.notify()
                return
            self._count += 1
        try:
            fresh = self._spawn()
        except Exception:  # noqa: BLE001
            log.exception("could not start a query worker")
            with self._cond:
                self._count -= 1
                self._cond.notify()
            return
        self._release(fresh)

    def _call(self, kind: str, job, timeout: float | None = None):
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        for attempt in (1, 2):
            worker = self._acquire(deadline)
            try:
                worker.conn.send((kind, job))
            except (OSError, ValueError):
                self._discard(worker)  # died while idle: try another one once
                if attempt == 2:
                    raise ExecutionError("a query worker failed", 500) from None
                continue
            try:
                ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
                reply = worker.conn.recv() if ready else None
            except (EOFError, OSError):
                self._discard(worker)
                if self.memory_mb:
                    raise ExecutionError(f"the {'update' if kind == 'update' else 'query'} was stopped: it needed "
                                         f"more than the server's memory limit of {self.memory_mb:,} MB, or its "
                                         "worker failed", 503) from None
                raise ExecutionError("the query worker ended unexpectedly (out of memory?)", 500) from None
            if reply is None:
                self._discard(worker)
                raise QueryTimeout(f"the {'update' if kind == 'update' else 'query'} took longer than the "
                                   f"server's limit of {limit:g} s and was stopped")
            self._release(worker)
            if reply[0] == "err":
                raise ExecutionError(reply[2], reply[1])
            return reply
        raise ExecutionError("no query worker available", 503)

    # what the server calls

    def query(self, job: QueryJob) -> Answer:
        _, body, fmt, truncated, generation = self._call("query", job)
        media = (TABULAR.get(fmt) or GRAPH[fmt])[1]
        return Answer(body, fmt, media, truncated, generation)

    def update(self, text: str, base_iri: str | None = None) -> str:
        """Run an update (a new store generation); returns the generation it wrote."""
        return self._call("update", (text, base_iri))[1]

    def describe(self) -> dict:
        """Counts of the store (for /health and VoID); slow on big stores, so cache it per generation."""
        return self._call("describe", None, timeout=max(self.timeout, 60.0))[1]

    def current_generation(self) -> str | None:
        """The key of the store's current generation, as answers carry it (for caches)."""
        return generation_key(self.store)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for w in idle:
            w.kill()


__all__ = ["Executor", "QueryJob", "Answer", "ExecutionError", "QueryTimeout", "Busy", "serialize_rows",
           "evaluate", "describe", "generation_key", "worker_main"]
