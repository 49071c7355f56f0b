"""Parallel extraction gives the same graph as one process, and `kg extract` shards load anywhere with `kg load`."""
from __future__ import annotations

import io
import json
import re

import pytest
from pyoxigraph import RdfFormat

from kg.builder import build, load
from kg.ingest import read_inputs
from kg.store import KGStore
from kg.vocab import ENTITIES_GRAPH, ONTOLOGY_GRAPH

from conftest import SAMPLE, run_kg


def sorted_nquads(store) -> bytes:
    out = io.BytesIO()
    KGStore.open(store).export(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines())) + b"\n"


def without_blank_labels(nquads: bytes) -> list[bytes]:
    return sorted(re.sub(rb"_:[A-Za-z0-9]+", b"_:b", line) for line in nquads.splitlines())


def paper_graph_lines(nquads: bytes) -> list[bytes]:
    """The quads of the paper graphs (every graph but the shared entities and ontology graphs)."""
    shared = (f"<{ENTITIES_GRAPH}> .".encode(), f"<{ONTOLOGY_GRAPH}> .".encode())
    return sorted(line for line in nquads.splitlines() if line and not line.rstrip().endswith(shared))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """`kg extract` of the whole sample with 1 and with 2 workers."""
    folder = tmp_path_factory.mktemp("extract")
    out = {}
    for n in (1, 2):
        path = folder / f"all-{n}.nq"
        proc = run_kg("extract", SAMPLE, "-o", path, "--workers", n)
        assert proc.returncode == 0, proc.stderr
        assert "119 papers extracted" in proc.stderr
        out[n] = path.read_bytes()
    return out


def test_build_with_two_workers_is_byte_identical_to_one(sample_store, tmp_path):
    report = build([SAMPLE], tmp_path / "two", workers=2)
    assert report.papers == 119
    assert set(report.seconds) >= {"read", "extract", "map", "load"}
    assert sorted_nquads(tmp_path / "two") == sorted_nquads(sample_store)


def test_extract_is_the_same_for_any_number_of_workers_and_loads_into_the_built_graph(extracted, sample_store,
                                                                                      tmp_path):
    assert extracted[1] == extracted[2]
    assert extracted[1].splitlines() == sorted(extracted[1].splitlines())  # written sorted: diffable shards
    shard = tmp_path / "all.nq"
    shard.write_bytes(extracted[2])
    load([shard], tmp_path / "store")
    # a parser gives the blank nodes of a file new labels (the ontology's OWL lists): compare them as placeholders
    assert without_blank_labels(sorted_nquads(tmp_path / "store")) == without_blank_labels(sorted_nquads(sample_store))


def test_extract_shards_of_two_halves_load_into_one_store(tmp_path, sample_store):
    papers = read_inputs([SAMPLE]).papers
    half = len(papers) // 2
    shards = []
    for n, part in enumerate((papers[:half], papers[half:]), 1):
        jsonl = tmp_path / f"half-{n}.jsonl"
        jsonl.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in part))
        shard = tmp_path / f"part-{n}.nq"
        proc = run_kg("extract", jsonl, "-o", shard, "--workers", n)  # one shard with 1 worker, one with 2
        assert proc.returncode == 0, proc.stderr
        shards.append(shard)
    proc = run_kg("load", *shards, "--store", tmp_path / "store")
    assert proc.returncode == 0, proc.stderr
    store = KGStore.open(tmp_path / "store")
    full = KGStore.open(sample_store)
    papers_of = lambda s: {r["p"] for r in s.select("SELECT ?p WHERE { GRAPH ?p { ?p a kg:Paper } }")}  # noqa: E731
    assert papers_of(store) == papers_of(full) and len(papers_of(store)) == 119
    text = "SELECT ?p ?t ?a WHERE { GRAPH ?p { ?p dcterms:title ?t ; dcterms:abstract ?a } }"
    assert sorted(map(str, store.select(text))) == sorted(map(str, full.select(text)))
    # the two shards each resolved entities within their half: the paper graphs hold the same kinds of facts
    # (their entity IRIs may differ where the whole corpus would vote otherwise, see the scale notes)
    loaded, built = paper_graph_lines(sorted_nquads(tmp_path / "store")), paper_graph_lines(sorted_nquads(sample_store))
    same = len(set(loaded) & set(built)) / len(set(built))
    print(f"paper-graph quads that agree with the full build: {same:.1%}")
    assert same > 0.9, f"only {same:.1%} of the paper-graph quads agree with the full build"
