"""Plain records that flow between the stages: ingest -> extract -> resolve -> mapping.

No spaCy or pyoxigraph type appears here, so every stage can be tested and pickled on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ENTITY_KINDS = ("method", "dataset", "task", "metric")


@dataclass(frozen=True)
class Paper:
    """One paper as read from an input file."""

    id: str  # arXiv id when known, else a short hash of the normalised title
    title: str
    abstract: str
    source: str  # file the record came from
    line: int  # 1-based line of the record in that file
    identifiers: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published: str | None = None
    urls: tuple[str, ...] = ()  # landing pages given by the source (arXiv abs page, ...)
    repositories: tuple[str, ...] = ()  # code URLs given as metadata, beside those in the abstract


@dataclass(frozen=True)
class Problem:
    """A record that could not be used (or was used with a change worth saying)."""

    source: str
    line: int
    reason: str
    severity: str = "error"  # "error": record rejected; "warning": record kept; "duplicate": merged

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.severity}: {self.reason}"


@dataclass(frozen=True)
class Mention:
    """An entity named in the text, before corpus-level resolution."""

    kind: str  # one of ENTITY_KINDS
    text: str  # surface form exactly as written
    sentence: int  # 0-based sentence index of its first occurrence
    proposed: bool = False  # the paper introduces it
    evaluated: bool = False  # the paper reports experiments on it (datasets)
    long_form: str | None = None  # expansion when `text` is a defined abbreviation
    canonical: str | None = None  # the gazetteer's label when the field knows the name under another form
    forms: tuple[str, ...] = ()  # every other surface form of the same entity in this paper


@dataclass(frozen=True)
class Result:
    value: str  # decimal as text, "87.5"
    unit: str  # "%", "points", "x", "" ...
    sentence: int
    text: str  # the exact sentence
    metric: str | None = None  # surface form of a metric mention of the same paper
    datasets: tuple[str, ...] = ()
    method: str | None = None
    improvement: bool = False


@dataclass(frozen=True)
class Claim:
    sentence: int
    text: str
    about: tuple[str, ...] = ()  # surface forms of mentions inside the sentence


@dataclass
class Extraction:
    """Everything read from one paper."""

    paper: Paper
    mentions: list[Mention] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)  # short form -> long form
    repositories: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
