"""SPARQL Update against the store: each update request writes a new store generation.

The update runs on a copy of the current generation (hard links, cheap) under the store's write lock and is swapped
in whole by `StoreWriter.commit()`, so readers see the store before or after the update, never in between, and a
crash (or a worker killed on timeout) leaves the store as it was.

pyoxigraph's `Store.update` takes no dataset, so the protocol's `using-graph-uri` / `using-named-graph-uri` are
applied to the text: `USING <g>` / `USING NAMED <g>` clauses are inserted before the top-level WHERE of each
DELETE/INSERT operation (a `DELETE WHERE {P}` becomes `DELETE {P} USING ... WHERE {P}`). The graph IRIs are checked by
pyoxigraph's NamedNode and written in its own N-Triples form, so nothing a client sent is pasted as SPARQL syntax.
An operation that already names its dataset (USING or WITH) conflicts with the parameters: that is an error, as the
protocol asks.
"""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

from pyoxigraph import NamedNode

from .sparql_text import masked, tokens
from .store import StoreError, StoreWriter, write_lock


class UpdateError(ValueError):
    """An update that cannot be applied as sent (the client's mistake: answer 400)."""


def iri(value: str) -> NamedNode:
    """A graph IRI from a request parameter, validated."""
    try:
        node = NamedNode(value)
    except ValueError:
        raise UpdateError(f"not a valid absolute IRI: {value[:200]!r}") from None
    if ":" not in value:
        raise UpdateError(f"not an absolute IRI: {value[:200]!r}")
    return node


def with_dataset(update: str, using: list[str] | tuple = (), using_named: list[str] | tuple = ()) -> str:
    """The update with the protocol's dataset applied to each DELETE/INSERT operation."""
    if not using and not using_named:
        return update
    clauses = " ".join([f"USING {iri(g)}" for g in using] + [f"USING NAMED {iri(g)}" for g in using_named])
    code = masked(update)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end
    for op in _operations(tokens(code)):
        top = [(tok, pos) for tok, pos, depth in op if depth == 0 and tok not in ("{", "}", ";")]
        words = [tok for tok, _ in top]
        if "WITH" in words or "USING" in words:
            raise UpdateError("the update names its own dataset (USING or WITH) and the request gives "
                              "using-graph-uri / using-named-graph-uri: use one or the other")
        head = _skip_prologue(words)
        if head is None:
            continue
        kind = words[head]
        following = _next_token(op, top[head][1])
        if kind in ("LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY") or following == "DATA":
            continue
        if kind not in ("INSERT", "DELETE"):
            raise UpdateError("cannot apply using-graph-uri to this update")
        if kind == "DELETE" and following == "WHERE":  # DELETE WHERE { P }  ->  DELETE { P } USING ... WHERE { P }
            start = top[head][1]
            open_, close = _block_after(op, top[head + 1][1])
            pattern = update[open_:close + 1]
            edits.append((start, close + 1, f"DELETE {pattern} {clauses} WHERE {pattern}"))
            continue
        where = [pos for tok, pos in top[head:] if tok == "WHERE"]
        if len(where) != 1:
            raise UpdateError("cannot apply using-graph-uri: no WHERE clause found in a DELETE/INSERT operation")
        edits.append((where[0], where[0], f"{clauses} "))
    for start, end, text in sorted(edits, reverse=True):
        update = update[:start] + text + update[end:]
    return update


def _operations(toks: list[tuple[str, int, int]]):
    op: list = []
    for t in toks:
        if t[0] == ";" and t[2] == 0:
            yield op
            op = []
        else:
            op.append(t)
    if op:
        yield op


def _next_token(op, position: int) -> str:
    return next((tok for tok, pos, _ in op if pos > position), "")


def _skip_prologue(words: list[str]) -> int | None:
    for i, w in enumerate(words):
        if w in ("BASE", "PREFIX") or w.endswith(":"):
            continue
        return i
    return None


def _block_after(op, position: int) -> tuple[int, int]:
    """Offsets of the `{` following `position` and of its matching `}`."""
    open_ = None
    for tok, pos, depth in op:
        if pos <= position:
            continue
        if tok == "{" and open_ is None:
            open_, level = pos, depth
        elif tok == "}" and open_ is not None and depth == level:
            return open_, pos
    raise UpdateError("unbalanced braces in the update")


def apply_update(store: str | Path, update: str, *, base_iri: str | None = None, lock_wait: float = 10.0) -> Path:
    """Run a SPARQL update on a new generation of the store and swap it in. Returns the new generation.

    Updates take turns: while another writer holds the store's lock, wait for it (up to `lock_wait` seconds, then
    StoreError)."""
    path = Path(store)
    with contextlib.ExitStack() as stack:
        deadline = time.monotonic() + lock_wait
        while True:
            try:
                stack.enter_context(write_lock(path))
                break
            except StoreError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)
        writer = StoreWriter.copy_of_current(path)
        try:
            writer.update(update, base_iri=base_iri)
            return writer.commit()
        except BaseException:
            writer.abort()
            raise


__all__ = ["UpdateError", "with_dataset", "apply_update", "iri"]
