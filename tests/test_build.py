"""Building the graph end to end: determinism, SHACL conformance, export, add, load and exit codes."""
from __future__ import annotations

import json

import pytest
import rdflib
from pyoxigraph import RdfFormat

from kg.builder import add, build, load
from kg.ingest import read_inputs
from kg.paths import shapes_file
from kg.store import KGStore
from kg.vocab import ENTITIES_GRAPH, Minter

from conftest import SAMPLE, run_kg, write_papers


def nquads(path) -> bytes:
    out = __import__("io").BytesIO()
    KGStore.open(path).export(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def graph_nquads(path, graph: str) -> list[bytes]:
    return sorted(line for line in nquads(path).splitlines() if line.rstrip().endswith(f"<{graph}> .".encode()))


def test_two_builds_give_byte_identical_sorted_nquads(sample_store, tmp_path):
    other = tmp_path / "again"
    build([SAMPLE], other)
    assert nquads(sample_store) == nquads(other)


def test_every_paper_has_its_own_graph_with_provenance(sample_kg):
    papers = sample_kg.select("SELECT ?p WHERE { GRAPH ?p { ?p a kg:Paper ; prov:wasGeneratedBy ?a } }")
    assert len(papers) == 119
    graphs = set(sample_kg.named_graphs())
    assert {p["p"] for p in papers} <= graphs
    assert ENTITIES_GRAPH in graphs and "https://w3id.org/paperkg/graph/ontology" in graphs
    version = sample_kg.select("SELECT ?v WHERE { ?a a prov:Activity ; kg:extractorVersion ?v }")
    assert version and version[0]["v"] == __import__("kg").__version__


def test_every_category_is_produced(sample_kg):
    counts = sample_kg.select("""SELECT
        (COUNT(DISTINCT ?m) AS ?methods) (COUNT(DISTINCT ?d) AS ?datasets) (COUNT(DISTINCT ?t) AS ?tasks)
        (COUNT(DISTINCT ?x) AS ?metrics) (COUNT(DISTINCT ?pr) AS ?proposed) (COUNT(DISTINCT ?r) AS ?repos)
        (COUNT(DISTINCT ?res) AS ?results) (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?alt) AS ?alts)
        WHERE { { ?m a kg:Method } UNION { ?d a kg:Dataset } UNION { ?t a kg:Task } UNION { ?x a kg:Metric }
        UNION { ?p kg:proposes ?pr } UNION { ?p kg:hasRepository ?r } UNION { ?res kg:value ?v }
        UNION { ?c a kg:Claim } UNION { ?e skos:altLabel ?alt } }""")[0]
    for name, value in counts.items():
        assert int(value) > 10, name


def test_abbreviation_becomes_alt_label(sample_kg):
    rows = sample_kg.select("""SELECT ?label WHERE { ?e a kg:Method ; rdfs:label ?label ; skos:altLabel "DART" }""")
    assert [r["label"] for r in rows] == ["Difficulty-Aware Rejection Tuning"]


def test_results_are_decimals_with_their_sentence(sample_kg):
    rows = sample_kg.select("""SELECT ?v ?text ?i ?abstract WHERE {
        ?p kg:reportsResult ?r ; dcterms:abstract ?abstract . ?r kg:value ?v ; kg:text ?text ; kg:sentenceIndex ?i .
        FILTER(datatype(?v) = xsd:decimal) }""")
    assert len(rows) > 20
    for r in rows:
        assert r["text"] in r["abstract"]
        assert r["v"].replace(".", "", 1).isdigit()


def test_an_improvement_without_a_named_metric_has_the_improvement_metric(tmp_path):
    corpus = write_papers(
        tmp_path / "gains.jsonl",
        {"id": "gain-1", "title": "GainNet: Routing Features Across Layers",
         "abstract": "We propose GainNet. GainNet outperforms the strongest baseline by 21% on CIFAR-100."},
        {"id": "gain-2", "title": "Sharper Retrieval",
         "abstract": "We introduce SharpRet. Experiments show that SharpRet improves accuracy by 3.6 points on "
                     "ImageNet."})
    store = tmp_path / "store"
    build([corpus], store)
    query = """SELECT ?v ?metric WHERE { ?p kg:reportsResult ?r . ?r kg:value ?v ; kg:isImprovement true ;
               kg:metric [ a kg:Metric ; rdfs:label ?metric ] } ORDER BY ?v"""
    # the gain itself where the sentence names no metric (the guideline's "improvement"), else the metric named
    assert [(r["v"], r["metric"]) for r in KGStore.open(store).select(query)] == [("3.6", "accuracy"),
                                                                                  ("21", "improvement")]
    # not written in the text, so no paper mentions it
    assert not KGStore.open(store).select('SELECT ?p WHERE { ?p kg:mentions [ rdfs:label "improvement" ] }')

    other = write_papers(tmp_path / "other.jsonl",
                         {"id": "plain-1", "title": "A Plain Paper", "abstract": "We study ResNet-50."})
    add([other], store)  # the entities graph is recomputed from the paper graphs: the node keeps its label
    assert [r["metric"] for r in KGStore.open(store).select(query)] == ["accuracy", "improvement"]


def test_repositories_are_cleaned_iris_with_host_and_owner(sample_kg):
    rows = sample_kg.select("""SELECT ?r ?host ?owner WHERE { ?p kg:hasRepository ?r .
        ?r kg:host ?host . OPTIONAL { ?r kg:owner ?owner } }""")
    urls = {r["r"] for r in rows}
    assert "https://github.com/kleinzcy/Cr-KD-NCD" in urls  # "{here}." cleaned off
    assert all(not u.endswith((".", ",", ")", "}")) for u in urls)
    assert ("https://github.com/WongKinYiu/yolov9", "github.com", "WongKinYiu") in {(r["r"], r["host"], r["owner"])
                                                                                  for r in rows}


def test_sample_graph_conforms_to_the_shapes(sample_store, tmp_path):
    pyshacl = pytest.importorskip("pyshacl")
    path = tmp_path / "all.nq"
    path.write_bytes(nquads(sample_store))
    data = rdflib.Dataset()
    data.parse(path, format="nquads")
    merged = rdflib.Graph()
    for triple in data.triples((None, None, None)):
        merged.add(triple)
    for ctx in data.contexts():
        for triple in ctx:
            merged.add(triple)
    shapes = rdflib.Graph().parse(shapes_file())
    conforms, _, text = pyshacl.validate(merged, shacl_graph=shapes, inference="none", allow_warnings=True)
    assert conforms, text[:3000]


def test_turtle_export_reparses_to_the_store_triple_count(sample_store, sample_kg, tmp_path):
    out = tmp_path / "graph.ttl"
    proc = run_kg("export", "--store", sample_store, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.startswith("@prefix") and "@prefix kg: <https://w3id.org/paperkg/ontology#>" in text
    g = rdflib.Graph().parse(out, format="turtle")
    assert len(g) == sample_kg.count_union_triples()


@pytest.mark.parametrize("fmt, rdflib_format", [("trig", "trig"), ("nquads", "nquads"), ("ntriples", "nt"),
                                                ("jsonld", "json-ld")])
def test_other_export_formats_parse(sample_store, sample_kg, tmp_path, fmt, rdflib_format):
    out = tmp_path / f"graph.{fmt}"
    assert run_kg("export", "--store", sample_store, "--format", fmt, "-o", out).returncode == 0
    if fmt in ("trig", "nquads", "jsonld"):
        ds = rdflib.Dataset()
        ds.parse(out, format=rdflib_format)
        assert sum(len(g) for g in ds.graphs()) == len(sample_kg)
    else:
        assert len(rdflib.Graph().parse(out, format=rdflib_format)) == sample_kg.count_union_triples()


def test_add_replaces_exactly_the_papers_it_reads(store_copy, tmp_path):
    paper = read_inputs([SAMPLE]).papers[4]
    iri = Minter().paper(paper.id).value
    before = nquads(store_copy)
    same = tmp_path / "same.jsonl"
    same.write_text(json.dumps({"title": paper.title, "abstract": paper.abstract}) + "\n")
    add([same], store_copy)
    assert nquads(store_copy) == before  # a paper already present, added again, changes nothing

    corrected = tmp_path / "corrected.jsonl"
    corrected.write_text(json.dumps({"title": paper.title, "abstract": paper.abstract +
                                     " Code is available at https://github.com/example/corrected."}) + "\n")
    add([corrected], store_copy)
    after = nquads(store_copy)
    changed = {line for line in set(after.splitlines()) ^ set(before.splitlines())}
    assert any(b"https://github.com/example/corrected" in line for line in changed)
    # only that paper's graph and the derived entities graph differ
    assert all(line.rstrip().endswith((f"<{iri}> .".encode(), f"<{ENTITIES_GRAPH}> .".encode()))
               for line in changed)


def test_add_a_new_paper_and_load_rdf_into_a_graph(store_copy, tmp_path):
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "2501.00001", "title": "CIFAR10 Results With ResNet-50",
                               "abstract": "We train ResNet-50 on CIFAR10. It reaches 95.1% accuracy."}) + "\n")
    add([new], store_copy)
    kg = KGStore.open(store_copy)
    rows = kg.select("""SELECT ?label WHERE { <https://w3id.org/paperkg/resource/paper/2501.00001> kg:mentions ?d .
                        ?d a kg:Dataset ; rdfs:label ?label }""")
    assert [r["label"] for r in rows] == ["CIFAR-10"]  # one node across papers, its most explicit label
    ttl = tmp_path / "extra.ttl"
    ttl.write_text("<http://example.org/s> <http://example.org/p> \"o\" .\n")
    load([ttl], store_copy, graph="http://example.org/g")
    kg = KGStore.open(store_copy)
    assert "http://example.org/g" in kg.named_graphs()


def test_cli_exit_codes_and_messages(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"title": "Good", "abstract": "We show that X outperforms Y by 2%."}) + "\n"
                   + '{"title": "truncated\n')
    proc = run_kg("build", bad, "--store", tmp_path / "store")
    assert proc.returncode == 1
    assert f"{bad}:2: error: not valid JSON" in proc.stderr
    assert "read 2 records: 1 paper built, 1 rejected" in proc.stderr
    assert KGStore.open(tmp_path / "store").select("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }") == [{"t": "Good"}]

    assert run_kg("build", bad).returncode == 2  # usage error: --store missing
    typo = run_kg("build", tmp_path / "no-such.jsonl", "--store", tmp_path / "store")
    assert typo.returncode == 2 and "no such file" in typo.stderr and "no-such.jsonl" in typo.stderr
    missing = run_kg("stats", "--store", tmp_path / "nothing-here")
    assert missing.returncode == 2 and "kg build" in missing.stderr and "Traceback" not in missing.stderr
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"title": "Good", "abstract": "A fine abstract. It has sentences."}) + "\n")
    assert run_kg("build", good, "--store", tmp_path / "store2").returncode == 0
    stats = run_kg("stats", "--store", tmp_path / "store2", "--json")
    assert json.loads(stats.stdout)["papers"] == 1


def test_shards_extracted_apart_load_into_one_consistent_graph(tmp_path):
    lines = SAMPLE.read_text().splitlines()
    (tmp_path / "a.txt").write_text("\n".join(lines[:120]) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(lines[:2] + lines[120:]) + "\n")
    for part in ("a", "b"):
        assert run_kg("extract", tmp_path / f"{part}.txt", "-o", tmp_path / f"{part}.nq", "-q").returncode == 0
    assert run_kg("load", tmp_path / "a.nq", tmp_path / "b.nq", "--store", tmp_path / "store").returncode == 0
    kg = KGStore.open(tmp_path / "store")
    twice = kg.select("""SELECT ?e WHERE { GRAPH <https://w3id.org/paperkg/graph/entities> { ?e rdfs:label ?l } }
                         GROUP BY ?e HAVING (COUNT(?l) > 1)""")
    assert twice == []  # the entities graph was recomputed from both shards' papers
    assert len(list(kg.quads("https://w3id.org/paperkg/graph/ontology"))) == len(builder_ontology())
    assert len(kg.select("SELECT ?p WHERE { ?p a kg:Paper }")) == 119


def builder_ontology():
    from kg.builder import ontology_quads
    return ontology_quads()
