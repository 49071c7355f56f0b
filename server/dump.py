"""The process that writes an export: it opens one store generation read-only and dumps it into a pipe.

Kept apart from the Flask code (this module imports no web framework) because it runs in a child process started
through multiprocessing's fork server. The protocol on the pipe is one message per chunk, each starting with a tag
byte: `D` data, `E` the end (the dump is complete), `X` an error (the rest is a short message for the log).
"""
from __future__ import annotations

import contextlib
import signal
from pathlib import Path

CHUNK = 256 << 10


class PipeWriter:
    """A file-like object for pyoxigraph's dump that sends full chunks through a pipe."""

    def __init__(self, conn, chunk: int = CHUNK):
        self.conn = conn
        self.chunk = chunk
        self.buffer = bytearray()
        self.sent = 0

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= self.chunk:
            self._send()
        return len(data)

    def flush(self) -> None:  # pyoxigraph flushes at the end; chunks leave when full or at close
        pass

    def _send(self) -> None:
        if self.buffer:
            self.conn.send_bytes(b"D" + bytes(self.buffer))
            self.sent += len(self.buffer)
            self.buffer.clear()

    def close(self) -> None:
        self._send()


def _die_with_parent() -> None:
    import ctypes
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan dump when the server dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def dump_main(conn, generation: str, fmt_name: str, chunk: int = CHUNK) -> None:
    """Dump the store generation at `generation` (a complete, never-modified Oxigraph folder) as `fmt_name`
    (a name of kg.formats.EXPORT), exactly as `kg export` writes it."""
    _die_with_parent()
    try:
        from kg.formats import EXPORT
        from kg.store import KGStore
        store = KGStore.open(Path(generation))
        writer = PipeWriter(conn, chunk)
        store.export(writer, EXPORT[fmt_name])
        writer.close()
        conn.send_bytes(b"E")
    except BrokenPipeError:
        return  # the server stopped reading (client gone): nothing to tell
    except BaseException as err:  # noqa: BLE001 - the server must learn that the dump is incomplete
        with contextlib.suppress(Exception):
            conn.send_bytes(b"X" + f"{type(err).__name__}: {err}"[:500].encode("utf-8", "replace"))
    finally:
        with contextlib.suppress(Exception):
            conn.close()
