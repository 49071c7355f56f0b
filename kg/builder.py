"""The main jobs over a store: build from inputs, add papers, load RDF files. Each writes a new generation."""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, parse

from .ingest import IngestReport, read_inputs
from .mapping import IMPROVEMENT, paper_quads, shared_quads, uses_improvement
from .paths import ontology_file
from .records import Extraction, Paper
from .resolve import EntityRef, Priors, ResolvedPaper, entity_forms, resolve
from .store import KGStore, StoreError, StoreWriter, write_lock
from .vocab import DEFAULT_BASE, ENTITIES_GRAPH, ONTOLOGY_GRAPH, Minter

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class BuildReport:
    ingest: IngestReport
    papers: int = 0
    quads: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.ingest.rejected == 0


def no_progress(phase: str, done: int, total: int) -> None:
    pass


class NothingToBuild(StoreError):
    """Every record was rejected: the store is left as it was."""

    def __init__(self, report: BuildReport):
        super().__init__("no paper could be read from the inputs; the store was left as it was")
        self.report = report


# -- extraction (optionally in worker processes) ---------------------------------------------------------------

def _extract_chunk(papers: Sequence[Paper]) -> list[Extraction]:
    from .extraction import extract_all
    return list(extract_all(papers))


def extract_papers(papers: Sequence[Paper], workers: int = 1, progress: Progress = no_progress,
                   chunk: int = 64) -> list[Extraction]:
    """Extraction records in input order; the same for any number of workers."""
    from .extraction import extract_all  # loads spaCy: only the commands that extract pay for it
    out: list[Extraction] = []
    if workers <= 1 or len(papers) <= chunk:
        for ex in extract_all(papers):
            out.append(ex)
            if len(out) % 16 == 0 or len(out) == len(papers):
                progress("extract", len(out), len(papers))
        return out
    chunks = [papers[i:i + chunk] for i in range(0, len(papers), chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_extract_chunk, chunks):
            out.extend(part)
            progress("extract", len(out), len(papers))
    return out


def ontology_quads() -> list[Quad]:
    """The ontology file as quads of the ontology graph. Its blank nodes (OWL lists) get ids numbered in file
    order, so that every build writes the same bytes."""
    graph = NamedNode(ONTOLOGY_GRAPH)
    names: dict[str, BlankNode] = {}

    def stable(term):
        if isinstance(term, BlankNode):
            return names.setdefault(term.value, BlankNode(f"ontology{len(names) + 1}"))
        return term

    with open(ontology_file(), "rb") as f:
        return [Quad(stable(t.subject), t.predicate, stable(t.object), graph) for t in parse(f, RdfFormat.TURTLE)]


def corpus_quads(resolved: list[ResolvedPaper], minter: Minter, priors: Priors | None = None) -> list[Quad]:
    quads: list[Quad] = []
    for rp in resolved:
        quads.extend(paper_quads(rp, minter))
    repositories = [url for rp in resolved for url in rp.extraction.repositories]
    quads.extend(shared_quads(entity_forms(resolved, priors), repositories, minter, uses_improvement(quads, minter)))
    quads.extend(ontology_quads())
    return quads


def graph_extraction(papers: Sequence[Paper], *, base: str = DEFAULT_BASE, workers: int = 1,
                     progress: Progress = no_progress, timings: dict | None = None) -> list[Quad]:
    """Papers -> every quad of their graph (paper graphs, entities, ontology), without any store."""
    timings = timings if timings is not None else {}
    minter = Minter(base)
    t = time.perf_counter()
    extractions = extract_papers(papers, workers, progress)
    timings["extract"] = time.perf_counter() - t
    t = time.perf_counter()
    quads = corpus_quads(resolve(extractions), minter)
    timings["map"] = time.perf_counter() - t
    return quads


# -- jobs --------------------------------------------------------------------------------------------------------

def build(inputs: Iterable[str | Path], store: str | Path, *, base: str = DEFAULT_BASE, workers: int = 1,
          progress: Progress = no_progress) -> BuildReport:
    """Read, extract and write a new store at `store`; the old one answers until the new one is complete."""
    t = time.perf_counter()
    ingest = read_inputs(inputs)
    report = BuildReport(ingest)
    report.seconds["read"] = time.perf_counter() - t
    progress("read", ingest.read, ingest.read)
    if not ingest.papers:
        raise NothingToBuild(report)
    quads = graph_extraction(ingest.papers, base=base, workers=workers, progress=progress, timings=report.seconds)
    t = time.perf_counter()
    with write_lock(Path(store)):
        writer = StoreWriter.fresh(store)
        try:
            writer.bulk_add(quads)
            progress("load", len(quads), len(quads))
            writer.commit()
        except BaseException:
            writer.abort()
            raise
    report.seconds["load"] = time.perf_counter() - t
    report.papers, report.quads = len(ingest.papers), len(quads)
    return report


def store_base(reader: KGStore) -> str | None:
    """The resource base a store was built with (read off its extraction activity)."""
    rows = reader.select("SELECT ?a WHERE { GRAPH ?g { ?a a prov:Activity } } LIMIT 1")
    if not rows:
        return None
    iri = rows[0]["a"]
    return iri[: iri.rindex("activity/")]


def store_priors(reader: KGStore, minter: Minter, exclude_graphs: Iterable[str]) -> Priors:
    priors = Priors()
    graphs_of: dict[tuple[EntityRef, str], set[str]] = defaultdict(set)
    kinds_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for graph, iri, form in reader.surface_forms(exclude_graphs):
        kind = minter.kind_of(iri)
        if kind is None:
            continue
        ref = EntityRef(kind, iri[len(minter.base) + len(kind) + 1:])
        graphs_of[(ref, form)].add(graph)
        kinds_of[ref.slug][kind].add(graph)
    for (ref, form), graphs in graphs_of.items():
        priors.forms[ref][form] = len(graphs)
    for slug, kinds in kinds_of.items():
        priors.kind_papers[slug] = Counter({k: len(g) for k, g in kinds.items()})
    return priors


def add(inputs: Iterable[str | Path], store: str | Path, *, base: str | None = None, workers: int = 1,
        progress: Progress = no_progress) -> BuildReport:
    """Add or replace papers: each paper read replaces exactly its own graph; shared labels are recomputed."""
    path = Path(store)
    t = time.perf_counter()
    ingest = read_inputs(inputs)
    report = BuildReport(ingest)
    report.seconds["read"] = time.perf_counter() - t
    if not ingest.papers:
        raise NothingToBuild(report)
    t = time.perf_counter()
    extractions = extract_papers(ingest.papers, workers, progress)
    report.seconds["extract"] = time.perf_counter() - t
    with write_lock(path):
        writer = StoreWriter.copy_of_current(path)
        try:
            reader = writer.reader
            minter = Minter(base or store_base(reader) or DEFAULT_BASE)
            graphs = [minter.paper(p.id).value for p in ingest.papers]
            t = time.perf_counter()
            resolved = resolve(extractions, store_priors(reader, minter, graphs))
            for rp, graph in zip(resolved, graphs):
                writer.replace_graph(graph, paper_quads(rp, minter))  # one transaction per paper
            refresh_shared(writer, minter)
            report.seconds["map+load"] = time.perf_counter() - t
            report.quads = len(reader)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
    report.papers = len(ingest.papers)
    return report


def refresh_shared(writer: StoreWriter, minter: Minter) -> None:
    """Recompute what the paper graphs imply: the entities graph (labels from every paper's surface forms,
    repository descriptions, the activity) and a single copy of the ontology."""
    reader = writer.reader
    forms = store_priors(reader, minter, ()).forms
    repositories = reader.repositories()
    writer.clear_graph(ENTITIES_GRAPH)
    improvement = bool(reader.select("SELECT ?r ?m WHERE { ?r kg:metric ?m } LIMIT 1",
                                     {"m": minter.entity(IMPROVEMENT.kind, IMPROVEMENT.slug)}))
    writer.bulk_add(shared_quads(forms, repositories, minter, improvement))
    writer.clear_graph(ONTOLOGY_GRAPH)
    writer.bulk_add(ontology_quads())


RDF_EXTENSIONS = {".ttl": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES, ".nq": RdfFormat.N_QUADS,
                  ".trig": RdfFormat.TRIG, ".rdf": RdfFormat.RDF_XML, ".owl": RdfFormat.RDF_XML,
                  ".xml": RdfFormat.RDF_XML, ".jsonld": RdfFormat.JSON_LD, ".json": RdfFormat.JSON_LD,
                  ".n3": RdfFormat.N3}


def rdf_format_of(path: Path) -> RdfFormat:
    suffixes = [s.lower() for s in path.suffixes]
    for s in reversed(suffixes):
        if s in RDF_EXTENSIONS:
            return RDF_EXTENSIONS[s]
    raise StoreError(f"{path}: unknown RDF format; name the file .ttl, .nt, .nq, .trig, .rdf or .jsonld")


def load(files: Iterable[str | Path], store: str | Path, *, graph: str | None = None,
         progress: Progress = no_progress) -> int:
    """Import RDF files into the store (into one named graph when `graph` is given). Returns the quad count."""
    path = Path(store)
    files = [Path(f) for f in files]
    formats = [rdf_format_of(f) for f in files]
    with write_lock(path):
        writer = StoreWriter.copy_of_current(path)
        try:
            for n, (f, fmt) in enumerate(zip(files, formats), 1):
                try:
                    writer.load(f.read_bytes(), fmt, graph, base_iri=f.resolve().as_uri())
                except (SyntaxError, ValueError) as err:
                    raise StoreError(f"{f}: not valid {fmt.name}: {err}") from None
                progress("load", n, len(files))
            base = store_base(writer.reader)
            if base:
                # paperkg graphs came in (shards of `kg extract`, say): one set of labels and one ontology
                refresh_shared(writer, Minter(base))
            count = len(writer.reader)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
    return count
