"""A cache of serialised answers for one store, LRU-bounded by bytes and emptied when the store's generation changes.

Keys hold everything an answer depends on besides the store (query text, dataset, formats, row cap, base IRI); the
generation is checked on every lookup, so an answer computed before a rebuild or an update is never served after it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class AnswerCache:
    def __init__(self, max_bytes: int = 64 << 20, max_entry_bytes: int | None = None):
        self.max_bytes = max(0, max_bytes)
        self.max_entry_bytes = max_entry_bytes if max_entry_bytes is not None else self.max_bytes // 8
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._generation: str | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _switch(self, generation: str | None) -> None:
        if generation != self._generation:
            self._entries.clear()
            self._bytes = 0
            self._generation = generation

    def get(self, generation: str | None, key):
        """The answer cached for `key` in this store generation, or None."""
        with self._lock:
            self._switch(generation)
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value[0]

    def put(self, generation: str | None, key, value, size: int) -> None:
        """Keep `value` (of `size` bytes) for `key`, unless it belongs to another generation than the current one."""
        if size > self.max_entry_bytes:
            return
        with self._lock:
            if generation != self._generation:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._generation = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes
