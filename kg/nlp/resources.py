"""Loading the pipeline's data files: gazetteers, word lists and patterns (JSON Lines, one entry per line)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
GAZETTEER_KINDS = {"datasets": "dataset", "methods": "method", "metrics": "metric", "tasks": "task"}


@dataclass(frozen=True)
class GazetteerEntry:
    kind: str
    label: str
    aliases: tuple[str, ...]
    exact: bool  # match case-sensitively (the lower-case form is an ordinary word)


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{n}: not valid JSON: {err.msg}") from None
    return rows


@lru_cache(maxsize=None)
def gazetteer() -> tuple[GazetteerEntry, ...]:
    entries = []
    folder = DATA / "gazetteer"
    for stem, kind in sorted(GAZETTEER_KINDS.items()):
        path = folder / f"{stem}.jsonl"
        if not path.exists():
            continue
        for row in read_jsonl(path):
            entries.append(GazetteerEntry(kind, row["label"], tuple(row.get("aliases", ())), bool(row.get("exact"))))
    return tuple(entries)


@lru_cache(maxsize=None)
def generic_terms() -> frozenset[str]:
    """Lower-cased phrases that are never named entities."""
    path = DATA / "gazetteer" / "generic_terms.jsonl"
    terms: set[str] = set()
    for source in (path, DATA / "generic_extra.jsonl"):
        if source.exists():
            terms |= {row["text"].lower() for row in read_jsonl(source) if "text" in row}
    return frozenset(terms)


@lru_cache(maxsize=None)
def lexicon() -> dict[str, frozenset[str]]:
    """Word lists by id (lexicon.jsonl): heads of names, cue verbs, units..."""
    return {row["id"]: frozenset(w.lower() for w in row["words"]) for row in read_jsonl(DATA / "lexicon.jsonl")}


def words(list_id: str) -> frozenset[str]:
    return lexicon()[list_id]


@lru_cache(maxsize=None)
def patterns(name: str) -> tuple[dict, ...]:
    """spaCy Matcher patterns with ids, from data/<name>.jsonl."""
    return tuple(read_jsonl(DATA / f"{name}.jsonl"))
