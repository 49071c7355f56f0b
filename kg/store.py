"""The on-disk Oxigraph store: the only module that calls pyoxigraph's Store.

Layout: the user's store path (DIR) is a symbolic link to one generation, a complete Oxigraph store in the hidden
sibling folder `.DIR.kg/gen-NNNNNN`. A writer (build, add, load, a SPARQL update) copies or creates a new
generation beside the current one and swaps the link only when the new one is complete, so readers and a crash
at any moment only ever see a whole store. The previous generation is kept for readers still on it.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, Iterator

from pyoxigraph import (DefaultGraph, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, QueryTriples,
                        RdfFormat, Store, Variable)

from .vocab import ENTITIES_GRAPH, PREFIXES, SPARQL_PREFIXES

GENERATION = re.compile(r"^gen-(\d{6})$")
KEEP_GENERATIONS = 2  # the current one and the one before, for readers that opened it a moment ago


class StoreError(Exception):
    """A store that cannot be used as asked (missing, locked, not a paperkg store)."""


def generations_dir(path: Path) -> Path:
    return path.parent / f".{path.name}.kg"


def current_generation(path: Path) -> Path | None:
    """The folder the store path points at now; None when there is no store at the path."""
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        return target if target.is_dir() else None
    if path.is_dir():
        return path  # a plain Oxigraph folder (made by another tool): usable, but not swappable in place
    return None


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """One writer at a time per store path (readers never wait)."""
    gens = generations_dir(path)
    gens.mkdir(parents=True, exist_ok=True)
    with open(gens / "write.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another paperkg command is writing to {path}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def next_generation(path: Path) -> Path:
    gens = generations_dir(path)
    numbers = [int(m.group(1)) for p in gens.iterdir() if (m := GENERATION.match(p.name))] if gens.exists() else []
    return gens / f"gen-{max(numbers, default=0) + 1:06d}"


def swap_in(path: Path, new: Path) -> None:
    """Point the store path at `new` in one atomic rename, then drop generations older than the previous one."""
    if path.exists() and not path.is_symlink():
        # a plain folder from another tool: move it aside first (the only non-atomic moment, once per store)
        os.rename(path, next_generation(path).with_name(next_generation(path).name + "-adopted"))
    link_tmp = path.with_name(f".{path.name}.link-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        link_tmp.unlink()
    os.symlink(os.path.relpath(new, path.parent), link_tmp)
    os.replace(link_tmp, path)
    fsync_dir(path.parent)
    collect_garbage(path)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def collect_garbage(path: Path) -> None:
    gens = generations_dir(path)
    current = current_generation(path)
    kept = sorted((p for p in gens.iterdir() if GENERATION.match(p.name)), reverse=True)[:KEEP_GENERATIONS]
    for p in gens.iterdir():
        if p.is_dir() and p != current and p not in kept:
            shutil.rmtree(p, ignore_errors=True)  # also unfinished ones left by a crash


class KGStore:
    """A store opened for reading: queries with bindings, export, counts."""

    def __init__(self, path: str | Path, store: Store, generation: Path):
        self.path = Path(path)
        self.generation = generation
        self._store = store

    @classmethod
    def open(cls, path: str | Path) -> "KGStore":
        path = Path(path)
        gen = current_generation(path)
        if gen is None:
            raise StoreError(f"no store at {path}: build one with `kg build INPUT --store {path}`")
        try:
            return cls(path, Store.read_only(str(gen)), gen)
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {err}") from None

    def is_current(self) -> bool:
        """False once a writer swapped a new generation in: reopen to see it."""
        return current_generation(self.path) == self.generation

    # -- queries ---------------------------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict | None = None, *, union: bool = True,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
              prefixes: bool = True) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Run a SPARQL query. `bindings` maps variable names to pyoxigraph terms (values are never pasted).

        The default graph is the union of all graphs unless `default_graphs` names the graphs to use.
        """
        kwargs: dict = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [NamedNode(g) for g in default_graphs]
        elif union:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = {Variable(k): v for k, v in bindings.items()}
        if prefixes:
            kwargs["prefixes"] = dict(PREFIXES)
        return self._store.query(sparql, **kwargs)

    def select(self, sparql: str, bindings: dict | None = None) -> list[dict[str, object]]:
        """SELECT rows as dicts of Python values (str for IRIs and literals, None when unbound)."""
        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        g = NamedNode(graph) if graph else None
        return self._store.quads_for_pattern(None, None, None, g)

    def __len__(self) -> int:
        return len(self._store)

    # -- export ----------------------------------------------------------------------------------------------------

    def export(self, output, fmt: RdfFormat) -> None:
        """Dump the store. Datasets keep their graphs; triple formats get the union of all graphs."""
        if fmt.supports_datasets:
            self._store.dump(output, fmt, prefixes=export_prefixes(fmt))
        else:
            from pyoxigraph import serialize
            serialize(self.union_triples(), output, fmt, prefixes=export_prefixes(fmt))

    def union_triples(self):
        """Every distinct triple of all graphs, streamed in index order (no sort: the first bytes go out at once,
        and a subject's triples within one graph come together)."""
        return self.query("CONSTRUCT WHERE { ?s ?p ?o }", union=True, prefixes=False)

    def count_union_triples(self) -> int:
        row = self.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                          "WHERE { GRAPH ?g { ?s ?p ?o } } }")
        return int(row[0]["n"])

    # -- what the store knows, for kg add --------------------------------------------------------------------------

    def surface_forms(self, exclude_graphs: Iterable[str] = ()) -> list[tuple[str, str, str]]:
        """(graph, entity IRI, form) for every kg:surfaceForm in the paper graphs."""
        excluded = set(exclude_graphs)
        rows = self.query("SELECT ?g ?e ?f WHERE { GRAPH ?g { ?e kg:surfaceForm ?f } }", union=False)
        return [(r["g"].value, r["e"].value, r["f"].value) for r in rows if r["g"].value not in excluded]

    def repositories(self, exclude_graphs: Iterable[str] = ()) -> list[str]:
        excluded = set(exclude_graphs)
        rows = self.query("SELECT ?g ?r WHERE { GRAPH ?g { ?p kg:hasRepository ?r } }", union=False)
        return [r["r"].value for r in rows if r["g"].value not in excluded]


def export_prefixes(fmt: RdfFormat) -> dict[str, str] | None:
    return dict(PREFIXES) if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N3, RdfFormat.RDF_XML) else None


class StoreWriter:
    """A new generation being written; `commit()` swaps it in, leaving it (or a crash) leaves the old store."""

    def __init__(self, path: Path, generation: Path, store: Store):
        self.path = path
        self.generation = generation
        self.store = store

    @classmethod
    def fresh(cls, path: str | Path) -> "StoreWriter":
        path = Path(path)
        gen = next_generation(path)
        tmp = gen.with_name(gen.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        return cls(path, gen, Store(str(tmp)))

    @classmethod
    def copy_of_current(cls, path: str | Path) -> "StoreWriter":
        path = Path(path)
        current = current_generation(path)
        if current is None:
            return cls.fresh(path)
        gen = next_generation(path)
        tmp = gen.with_name(gen.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        Store.read_only(str(current)).backup(str(tmp))  # hard links: cheap whatever the size
        return cls(path, gen, Store(str(tmp)))

    @property
    def reader(self) -> KGStore:
        return KGStore(self.path, self.store, self.generation)

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        self.store.bulk_extend(quads)

    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        g = NamedNode(graph)
        if g in set(self.store.named_graphs()):
            self.store.remove_graph(g)
        self.store.extend(list(quads))

    def clear_graph(self, graph: str) -> None:
        g = NamedNode(graph)
        if g in set(self.store.named_graphs()):
            self.store.clear_graph(g)

    def load(self, data, fmt: RdfFormat, graph: str | None = None, base_iri: str | None = None) -> None:
        to_graph = NamedNode(graph) if graph else None
        if fmt.supports_datasets and to_graph is not None:
            # a dataset format into one graph: read the quads and put them all in that graph
            from pyoxigraph import parse
            self.store.bulk_extend(Quad(q.subject, q.predicate, q.object, to_graph)
                                   for q in parse(data, fmt, base_iri=base_iri))
        else:
            self.store.bulk_load(data, fmt, base_iri=base_iri, to_graph=to_graph)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        self.store.update(sparql, base_iri=base_iri)

    def commit(self) -> Path:
        self.store.flush()
        tmp = self.generation.with_name(self.generation.name + ".tmp")
        del self.store
        os.rename(tmp, self.generation)
        swap_in(self.path, self.generation)
        return self.generation

    def abort(self) -> None:
        tmp = self.generation.with_name(self.generation.name + ".tmp")
        with contextlib.suppress(AttributeError):
            del self.store
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["KGStore", "StoreWriter", "StoreError", "write_lock", "current_generation", "Literal", "NamedNode",
           "DefaultGraph", "ENTITIES_GRAPH", "SPARQL_PREFIXES"]
