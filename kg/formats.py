"""Result formats: names, media types and serialisation of SPARQL results (shared by the CLI and the server)."""
from __future__ import annotations

import io
from typing import Iterable

from pyoxigraph import (QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat, Triple,
                        serialize)

from .vocab import PREFIXES

# format name -> (pyoxigraph format, media type)
TABULAR = {
    "json": (QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (QueryResultsFormat.CSV, "text/csv"),
    "tsv": (QueryResultsFormat.TSV, "text/tab-separated-values"),
}
GRAPH = {
    "turtle": (RdfFormat.TURTLE, "text/turtle"),
    "ntriples": (RdfFormat.N_TRIPLES, "application/n-triples"),
    "nquads": (RdfFormat.N_QUADS, "application/n-quads"),
    "trig": (RdfFormat.TRIG, "application/trig"),
    "rdfxml": (RdfFormat.RDF_XML, "application/rdf+xml"),
    "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
}
EXPORT = {"turtle": RdfFormat.TURTLE, "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS,
          "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}


def rdf_prefixes(fmt: RdfFormat) -> dict[str, str] | None:
    return dict(PREFIXES) if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None


def serialize_solutions(result: QuerySolutions | QueryBoolean, fmt: QueryResultsFormat) -> bytes:
    return result.serialize(format=fmt)


def serialize_triples(triples: Iterable[Triple] | QueryTriples, fmt: RdfFormat) -> bytes:
    out = io.BytesIO()
    serialize(triples, out, fmt, prefixes=rdf_prefixes(fmt))
    return out.getvalue()


def term_text(term) -> str:
    if term is None:
        return ""
    return term.value if hasattr(term, "value") else str(term)


def table(result: QuerySolutions, max_width: int = 60) -> str:
    """A plain-text table for the terminal."""
    names = [v.value for v in result.variables]
    rows = [[term_text(row[n]) for n in names] for row in result]
    clip = lambda s: s if len(s) <= max_width else s[: max_width - 1] + "…"  # noqa: E731
    rows = [[clip(c.replace("\n", " ")) for c in r] for r in rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
