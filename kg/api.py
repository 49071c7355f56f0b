"""The public Python API: open a store, build and update it, query it (with bound values), run gallery queries,
export. Everything here is also what the `kg` command line does.

    import kg
    kg.build(["papers.jsonl"], "var/store")
    store = kg.open_store("var/store")
    kg.query(store, "SELECT ?label WHERE { ?d a kg:Dataset ; rdfs:label ?label }")
    kg.query(store, "SELECT ?p ?t WHERE { ?p dcterms:title ?t ; kg:mentions ?d . ?d rdfs:label ?name }",
             bindings={"name": "ImageNet"})
    kg.run_gallery_query(store, "papers-using-dataset", {"dataset": "CIFAR"})
    kg.export(store, "graph.ttl")
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable, Mapping

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Triple

from . import builder
from .formats import EXPORT
from .ingest import IngestReport, read_inputs
from .queries import Gallery
from .store import KGStore
from .vocab import DEFAULT_BASE

Term = NamedNode | Literal | BlankNode


def open_store(path: str | Path) -> KGStore:
    """Open a store for reading (the path `kg build --store` was given)."""
    return KGStore.open(path)


def build(inputs: Iterable[str | Path], store: str | Path, *, base: str = DEFAULT_BASE,
          workers: int = 1) -> builder.BuildReport:
    """Read the inputs, extract and (re)create the store; the old store answers until the new one is ready."""
    return builder.build(inputs, store, base=base, workers=workers)


def add(inputs: Iterable[str | Path], store: str | Path, *, workers: int = 1) -> builder.BuildReport:
    """Add papers to a store, or replace the ones it already has."""
    return builder.add(inputs, store, workers=workers)


def load(files: Iterable[str | Path], store: str | Path, *, graph: str | None = None) -> int:
    """Import RDF files (into one named graph when `graph` is given); returns the store's quad count."""
    return builder.load(files, store, graph=graph)


def as_term(value: object) -> Term:
    """A Python value as an RDF term: pyoxigraph terms pass through, everything else becomes a plain literal."""
    if isinstance(value, (NamedNode, Literal, BlankNode)):
        return value
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return Literal(str(value))


def term_value(term) -> object:
    return None if term is None else term.value


def query(store: KGStore, sparql: str, bindings: Mapping[str, object] | None = None):
    """Run SPARQL on the store (default graph = union of all graphs; the ontology's prefixes are declared).

    `bindings` gives variables their values safely (never pasted into the text); the variables must be projected.
    Returns a list of dicts for SELECT, a bool for ASK, a list of (s, p, o) string triples for CONSTRUCT/DESCRIBE.
    """
    try:
        result = store.query(sparql, {k: as_term(v) for k, v in (bindings or {}).items()} or None)
    except RuntimeError as err:
        if "projection" in str(err):  # pyoxigraph substitutes only variables the SELECT projects
            raise ValueError(f"bindings: every bound variable must be in the SELECT clause ({err})") from None
        raise
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: term_value(row[n]) for n in names} for row in result]
    return [(t.subject.value, t.predicate.value, t.object.value) for t in result if isinstance(t, Triple)]


def gallery(folder: str | Path | None = None) -> Gallery:
    """The canned queries (queries/*.rq by default)."""
    return Gallery.load(folder)


def run_gallery_query(store: KGStore, query_id: str, params: Mapping[str, object] | None = None,
                      folder: str | Path | None = None):
    """Run a gallery query by id with its parameters (typed and bound); results as in `query`."""
    bound = gallery(folder).get(query_id).bind(params or {})
    result = bound.run(store)
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: term_value(row[n]) for n in names} for row in result]
    return [(t.subject.value, t.predicate.value, t.object.value) for t in result]


def export(store: KGStore, target: str | Path | io.BufferedIOBase | None = None, format: str = "turtle") -> bytes | None:
    """Write the graph as Turtle (with prefixes), TriG, N-Quads, N-Triples or JSON-LD; bytes when no target."""
    fmt = EXPORT[format]
    if target is None:
        out = io.BytesIO()
        store.export(out, fmt)
        return out.getvalue()
    if isinstance(target, (str, Path)):
        with open(target, "wb") as f:
            store.export(f, fmt)
        return None
    store.export(target, fmt)
    return None


__all__ = ["open_store", "build", "add", "load", "query", "gallery", "run_gallery_query", "export", "read_inputs",
           "IngestReport", "KGStore"]
