"""Papers for the fake services: real abstracts of the bundled sample, with made-up arXiv metadata."""
from __future__ import annotations

from dataclasses import dataclass

from kg.ingest import read_inputs
from kg.paths import sample_corpus


@dataclass(frozen=True)
class FakePaper:
    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    published: str
    repository: str | None = None


def fake_papers(count: int) -> list[FakePaper]:
    base = read_inputs([sample_corpus()]).papers
    out = []
    for i in range(count):
        p = base[i % len(base)]
        title = p.title if i < len(base) else f"{p.title} (part {i // len(base) + 1})"
        out.append(FakePaper(
            arxiv_id=f"2508.{10001 + i:05d}", title=title, abstract=p.abstract,
            authors=(f"Ada Lovelace{i}", f"Alan Turing{i}", "Grace Hopper"),
            published=f"2025-08-{1 + i % 28:02d}T17:{i % 60:02d}:00Z",
            repository=f"https://github.com/example-lab/project-{i}" if i % 2 == 0 else None))
    return out
