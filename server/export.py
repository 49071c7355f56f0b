"""The whole graph as a download: `/export.ttl` (Turtle with prefixes), `/export.trig`, `/export.nq` (and `/export.nt`),
streamed, byte for byte what `kg export` writes.

How it streams, and why not through the query workers:

* A dump is not a query: it is as long as the store is big, so the query time limit must not apply, and it must not
  hold one of the pooled query workers. Each export runs in a process of its own (server.dump, started through
  multiprocessing's fork server like the query workers), which opens one store *generation* read-only and dumps it
  into a pipe in chunks; the view streams the chunks to the client as they come (nothing is built in memory).
* A generation is never modified once complete (writers make a new one and swap the store's link), so the export is
  a consistent snapshot even when `kg build` or an update swaps a new generation in while it streams.
* The view waits for the first chunk before it answers, so a store that cannot be read gets a clear 503, not a 200.
  After that the answer is chunked: if the dump process fails or stalls (no bytes for EXPORT_STALL_SECONDS) the
  server drops the connection without the final chunk, so a client sees an incomplete transfer, never a short body
  that looks complete. There is no overall time limit; a client that goes away ends the dump process.
* At most EXPORT_SLOTS exports run at once per server process (503 with Retry-After beyond that).
* The ETag is the store generation: a client that has this generation's dump gets 304.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from kg.store import current_generation

from . import app_once, state, text_response

log = logging.getLogger("paperkg.server.export")
bp = Blueprint("export", __name__)

EXPORTS = {  # extension -> (kg.formats.EXPORT name, Content-Type)
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "trig": ("trig", "application/trig"),
    "nq": ("nquads", "application/n-quads"),
    "nt": ("ntriples", "application/n-triples"),
}
DEFAULT_SLOTS = 2
DEFAULT_STALL = 120.0


class ExportFailed(Exception):
    """The dump stopped before its end: the connection is dropped so the client sees an incomplete transfer."""


def slots() -> threading.BoundedSemaphore:
    return app_once("paperkg.export_slots", lambda: threading.BoundedSemaphore(
        int(current_app.config.get("EXPORT_SLOTS") or DEFAULT_SLOTS)))


class ExportStream:
    """The chunks of one dump, read from its process; closing it (end, error or client gone) ends the process and
    frees the slot. Werkzeug and gunicorn call close() whatever happens, even when iteration never started."""

    def __init__(self, proc, conn, stall: float, release):
        self.proc, self.conn, self.stall, self._release = proc, conn, stall, release
        self.first: bytes | None = None
        self.complete = False
        self.closed = False
        self.size = 0

    def receive(self) -> bytes | None:
        """The next chunk; None at the end; ExportFailed when the dump failed, died or stalled."""
        try:
            if not self.conn.poll(self.stall):
                raise ExportFailed(f"the dump sent nothing for {self.stall:g} s")
            message = self.conn.recv_bytes()
        except (EOFError, OSError):
            raise ExportFailed("the dump process ended before the end of the dump") from None
        tag = message[:1]
        if tag == b"D":
            return message[1:]
        if tag == b"E":
            self.complete = True
            return None
        raise ExportFailed("the dump failed: " + message[1:].decode("utf-8", "replace"))

    def start(self) -> None:
        """Wait for the first chunk (or the end), so that a failure to read the store is still a clean error."""
        self.first = self.receive() or b""

    def __iter__(self):
        try:
            if self.first:
                self.size += len(self.first)
                yield self.first
            self.first = None
            while not self.complete:
                chunk = self.receive()
                if chunk:
                    self.size += len(chunk)
                    yield chunk
        except ExportFailed as err:
            log.error("export aborted after %d bytes: %s", self.size, err)
            self.close()
            raise
        finally:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if not self.complete and self.proc.is_alive():
            with contextlib.suppress(Exception):
                self.proc.kill()
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.proc.join(5)
        self._release()


def start_dump(generation: Path, fmt_name: str, stall: float, release) -> ExportStream:
    from .dump import dump_main
    ctx = multiprocessing.get_context("forkserver")
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=dump_main, args=(writer, str(generation), fmt_name), name="kg-export", daemon=True)
    try:
        proc.start()
    finally:
        writer.close()
    return ExportStream(proc, reader, stall, release)


@bp.route("/export.<ext>", methods=["GET", "HEAD"])
def export(ext: str):
    if ext not in EXPORTS:
        return text_response(404, "404 Not Found: exports are /export.ttl, /export.trig, /export.nq and /export.nt")
    fmt_name, media = EXPORTS[ext]
    cfg = current_app.config
    generation = current_generation(Path(cfg["STORE"]))
    if generation is None:
        return text_response(503, "503 Service Unavailable: the store is not available")
    key = state().executor.current_generation() or generation.name
    etag = hashlib.sha256(f"{key}\0{fmt_name}".encode()).hexdigest()[:32]
    headers = {"Content-Type": media, "ETag": f'"{etag}"', "Cache-Control": "no-cache",
               "Content-Disposition": f'attachment; filename="paperkg.{ext}"', "X-Content-Type-Options": "nosniff"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={k: v for k, v in headers.items() if k in ("ETag", "Cache-Control")})
    if request.method == "HEAD":
        return Response(status=200, headers=headers)
    gate = slots()
    if not gate.acquire(blocking=False):
        return text_response(503, "503 Service Unavailable: too many exports are running; try again in a moment",
                             {"Retry-After": "5"})
    released = threading.Event()

    def release():
        if not released.is_set():
            released.set()
            gate.release()

    try:
        stream = start_dump(generation, fmt_name, float(cfg.get("EXPORT_STALL_SECONDS") or DEFAULT_STALL), release)
    except Exception:  # could not start a process
        release()
        log.exception("could not start an export")
        return text_response(503, "503 Service Unavailable: the export could not start; try again")
    try:
        stream.start()
    except ExportFailed as err:
        stream.close()
        log.error("export failed before its first byte: %s", err)
        return text_response(503, "503 Service Unavailable: the store could not be exported; try again")
    if stream.complete and not stream.first:
        stream.close()
        return Response(b"", headers=headers)
    return Response(stream, headers=headers, direct_passthrough=True)
