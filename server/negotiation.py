"""Content negotiation: Accept headers (q-values, wildcards, parameters) against what each kind of result offers.

The tables list, per kind of result, the media types the server answers in, preferred first (the first is the
default for `*/*` or no Accept header), then aliases clients send for them (`application/json`, `text/xml`, ...).
An answer always carries the canonical media type of the chosen format.
"""
from __future__ import annotations

import functools

# kind of result -> [(media type, format name)], canonical types first in order of preference, then aliases
SOLUTIONS = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
]
BOOLEAN = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
]
GRAPH = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("application/rdf+xml", "rdfxml"),
    ("application/ld+json", "jsonld"),
    ("application/x-turtle", "turtle"),
    ("text/n3", "turtle"),
    ("text/plain", "ntriples"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
]
MEDIA_TYPE = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ntriples": "application/n-triples",
    "nquads": "application/n-quads", "trig": "application/trig", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
TEXTUAL = ("text/",)


def content_type(fmt: str) -> str:
    """The Content-Type header for a format (UTF-8 said explicitly for text/* types)."""
    media = MEDIA_TYPE[fmt]
    return f"{media}; charset=utf-8" if media.startswith(TEXTUAL) else media


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """[(type, subtype, q)] of an Accept header; malformed ranges and weights are skipped, parameters other than q
    ignored."""
    if not header or not header.strip():
        return [("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        type_, _, subtype = media.partition("/")
        if not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    pass  # a malformed weight is ignored, as a malformed range is
        ranges.append((type_, subtype, q))
    return ranges or [("*", "*", 1.0)]  # nothing readable: as if the client had sent no Accept


def _quality(ranges: list[tuple[str, str, float]], media: str) -> tuple[float, int]:
    """q of the most specific range matching `media` and how specific it was (2 exact, 1 type/*, 0 */*)."""
    type_, _, subtype = media.partition("/")
    best = (-1.0, -1)
    for rt, rs, q in ranges:
        if rt == type_ and rs == subtype:
            spec = 2
        elif rt == type_ and rs == "*":
            spec = 1
        elif rt == "*" and rs == "*":
            spec = 0
        else:
            continue
        if spec > best[1]:
            best = (q, spec)
    return best


def choose(header: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The format name to answer in, or None when the client accepts none of the offers."""
    return _choose(header or "", tuple(offers))


@functools.lru_cache(maxsize=1024)
def _choose(header: str, offers: tuple[tuple[str, str], ...]) -> str | None:
    ranges = parse_accept(header)
    best, best_key = None, (0.0, -1)
    for media, fmt in offers:
        q, spec = _quality(ranges, media)
        if q <= 0:
            continue
        # higher q wins; then the more specific match (an exact alias beats */*); then the server's order
        key = (q, spec)
        if key > best_key:
            best, best_key = fmt, key
    return best


def negotiate_results(header: str | None) -> tuple[str | None, str | None, str | None]:
    """Formats for (SELECT, ASK, CONSTRUCT/DESCRIBE) results under one Accept header."""
    return choose(header, SOLUTIONS), choose(header, BOOLEAN), choose(header, GRAPH)


def negotiate_rdf(header: str | None) -> str | None:
    return choose(header, GRAPH)


__all__ = ["SOLUTIONS", "BOOLEAN", "GRAPH", "MEDIA_TYPE", "content_type", "parse_accept", "choose",
           "negotiate_results", "negotiate_rdf"]
