"""`kg push` through the SPARQL 1.1 Graph Store HTTP Protocol: into a real `oxigraph serve` started on loopback
(same triples per graph, same answers, idempotent), and into a fake store that refuses, fails or is slow.

How the two sides are compared: the remote default graph is NOT the union of its named graphs, so the queries
either name graphs explicitly (GRAPH ?g / GRAPH <iri>), or run on a dataset that the SPARQL protocol request
builds from every graph (default-graph-uri and named-graph-uri = each graph of the local store), which is what
kg's store does locally (the union of all graphs as default graph). Every gallery query (queries/*.rq) runs with
its default parameters on both sides: kg's own answer locally, the query text with the defaults as a VALUES row on
Oxigraph. Results are compared as sorted lists of rows (or sorted triples, or a boolean), with blank nodes replaced
by a placeholder (their labels differ between two stores by nature) and SAMPLE() columns left out (any value of
the group is a right answer)."""
from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from pyoxigraph import (BlankNode, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple,
                        parse, parse_query_results)

from kg.builder import load
from kg.push import blank_node_clusters, graph_chunks, parse_auth
from kg.store import KGStore
from kg.vocab import ENTITIES_GRAPH, ONTOLOGY_GRAPH, SPARQL_PREFIXES

from conftest import ROOT, run_kg
from fakes.cli import kg
from fakes.graph_store import GraphStoreApp
from fakes.server import Canned, FakeServer, closed_port_url, loopback_without_proxy  # noqa: F401 (autouse)

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
needs_oxigraph = pytest.mark.skipif(OXIGRAPH is None, reason="the `oxigraph` server (PyPI oxigraph) is not installed")
FAST = ("--backoff", "0", "--timeout", "5")


# queries that name their graphs: the same text on both sides, nothing to set up
GRAPH_QUERIES = {
    "every quad": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
    "triples per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "instances per class": "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?x a ?class } } "
                           "GROUP BY ?class",
    "entity labels": f"SELECT ?e ?label WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e rdfs:label ?label }} }}",
    "results per paper": "SELECT ?paper (COUNT(?r) AS ?n) WHERE { GRAPH ?paper { ?paper kg:reportsResult ?r } } "
                         "GROUP BY ?paper",
    "ontology lists arrive whole": f"SELECT ?c (COUNT(?m) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ "
                                   "?c (owl:unionOf|owl:members|owl:intersectionOf) ?list . "
                                   "?list rdf:rest*/rdf:first ?m } } GROUP BY ?c",
}
# queries written for the union default graph, as gallery queries are
UNION_QUERIES = {
    "papers with code": "SELECT ?paper ?repo ?owner WHERE { ?paper kg:hasRepository ?repo . "
                        "OPTIONAL { ?repo kg:owner ?owner } }",
    "dataset usage": "SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:mentions ?d . ?d a kg:Dataset ; "
                     "rdfs:label ?label } GROUP BY ?label",
    "leaderboard": "SELECT ?paper ?value ?metric ?dataset WHERE { ?paper kg:reportsResult ?r . ?r kg:value ?value . "
                   "OPTIONAL { ?r kg:metric/rdfs:label ?metric } OPTIONAL { ?r kg:onDataset/rdfs:label ?dataset } } "
                   "ORDER BY DESC(?value)",
    "claims about methods": "SELECT ?text ?label WHERE { ?c a kg:Claim ; kg:text ?text ; kg:about ?m . "
                            "?m a kg:Method ; rdfs:label ?label }",
    "papers without code": "SELECT ?p ?title WHERE { ?p a kg:Paper ; dcterms:title ?title "
                           "FILTER NOT EXISTS { ?p kg:hasRepository ?r } }",
}


# -- a real Oxigraph server --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def oxigraph_serve(location: Path):
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {proc.stderr.read().decode()}")
            try:
                if requests.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve did not answer within 20 s")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


@pytest.fixture
def remote(tmp_path):
    with oxigraph_serve(tmp_path / "remote") as url:
        yield url


def shape(term) -> str:
    return "_:" if isinstance(term, BlankNode) else str(term)


def rows(solutions, arbitrary: frozenset[str] = frozenset()) -> list[tuple]:
    """Sorted rows; the columns named in `arbitrary` (SAMPLE aggregates: any value of the group) are left out."""
    names = [v.value for v in solutions.variables if v.value not in arbitrary]
    return sorted(tuple(shape(s[n]) if s[n] is not None else "" for n in names) for s in solutions)


def sampled(sparql: str) -> frozenset[str]:
    return frozenset(re.findall(r"SAMPLE\s*\([^)]*\)\s*AS\s*\?(\w+)", sparql, flags=re.IGNORECASE))


def remote_rows(url: str, query: str, graphs: list[str] | None = None) -> list[tuple]:
    """SELECT over the SPARQL protocol; with `graphs`, the dataset is their union (and the graphs themselves)."""
    form: list[tuple[str, str]] = [("query", SPARQL_PREFIXES + query)]
    for g in graphs or ():
        form += [("default-graph-uri", g), ("named-graph-uri", g)]
    reply = requests.post(f"{url}/query", data=form, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
    assert reply.ok, reply.text
    return rows(parse_query_results(reply.content, format=QueryResultsFormat.JSON))


def local_rows(store: KGStore, query: str) -> list[tuple]:
    return rows(store.query(SPARQL_PREFIXES + query, prefixes=False))


def push(store, url: str, *extra: str, shell=False):
    """`kg push` in this process, or with shell=True in a subprocess as a user runs it."""
    run = (lambda *a: run_kg(*a, timeout=120)) if shell else kg
    return run("push", "--store", store, "--endpoint", f"{url}/store", *FAST, *extra)


def assert_same_answers(local: KGStore, url: str) -> None:
    graphs = local.named_graphs()
    for name, query in GRAPH_QUERIES.items():
        mine = local_rows(local, query)
        assert mine, f"{name}: no rows on the local store"
        assert remote_rows(url, query) == mine, name
    for name, query in UNION_QUERIES.items():
        mine = local_rows(local, query)
        assert mine, f"{name}: no rows on the local store"
        assert remote_rows(url, query, graphs) == mine, name


def gallery() -> list:
    """The gallery queries (queries/*.rq), when the gallery module is there to read them."""
    try:
        from kg.queries import Gallery
    except ImportError:
        return []
    return list(Gallery.load(strict=False))  # a broken .rq file is the gallery tests' business, not push's


GALLERY = gallery()


def triple_lines(triples) -> list[str]:
    return sorted(" ".join(shape(x) for x in (t.subject, t.predicate, t.object)) for t in triples)


def answer(result, arbitrary: frozenset[str] = frozenset()) -> tuple[str, object]:
    """(form, comparable answer) of a local result: sorted rows, a boolean, or sorted triples."""
    if isinstance(result, QuerySolutions):
        return "rows", rows(result, arbitrary)
    if isinstance(result, QueryBoolean):
        return "boolean", bool(result)
    return "triples", triple_lines(result)


def remote_answer(url: str, sparql: str, graphs: list[str], form: str) -> tuple[str, object]:
    """The same query on the remote store over the SPARQL protocol, on the union of `graphs`."""
    data = [("query", sparql)] + [(k, g) for g in graphs for k in ("default-graph-uri", "named-graph-uri")]
    accept = "application/n-triples" if form == "triples" else "application/sparql-results+json"
    reply = requests.post(f"{url}/query", data=data, headers={"Accept": accept}, timeout=60)
    assert reply.ok, reply.text
    if form == "triples":
        return form, triple_lines(parse(reply.content, format=RdfFormat.N_TRIPLES))
    parsed = parse_query_results(reply.content, format=QueryResultsFormat.JSON)
    return form, (bool(parsed) if form == "boolean" else rows(parsed, sampled(sparql)))


# -- against oxigraph serve ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pushed(sample_store, tmp_path_factory):
    """An oxigraph server holding the pushed sample graph, for the gallery comparison."""
    if OXIGRAPH is None:
        pytest.skip("the `oxigraph` server (PyPI oxigraph) is not installed")
    with oxigraph_serve(tmp_path_factory.mktemp("gallery-remote") / "data") as url:
        proc = push(sample_store, url)
        assert proc.returncode == 0, proc.stderr
        yield url


@pytest.mark.parametrize("query", GALLERY, ids=[q.id for q in GALLERY])
def test_every_gallery_query_gives_the_same_answer_on_the_pushed_store(query, sample_store, pushed):
    """Each gallery query with its default parameters: kg's own answer on the local store, and Oxigraph's answer
    to the query text with the defaults as a VALUES row, on a protocol dataset made of every pushed graph."""
    local = KGStore.open(sample_store)
    bound = query.bind()
    mine = answer(bound.run(local), sampled(query.sparql))
    theirs = remote_answer(pushed, bound.sparql_text(), local.named_graphs(), mine[0])
    assert mine[1] not in ([], False), f"{query.id} gives nothing on the sample: a weak comparison"
    assert theirs == mine

@needs_oxigraph
def test_push_gives_oxigraph_the_same_graphs_and_answers_and_twice_changes_nothing(sample_store, remote):
    local = KGStore.open(sample_store)
    proc = push(sample_store, remote, "--chunk", "50", shell=True)
    assert proc.returncode == 0, proc.stderr
    graphs = len(local.named_graphs())
    assert f"pushed {graphs} graphs, {len(local):,} triples to {remote}/store" in proc.stderr
    per_graph = GRAPH_QUERIES["triples per graph"]
    before = remote_rows(remote, per_graph)
    assert before == local_rows(local, per_graph)
    assert_same_answers(local, remote)

    again = push(sample_store, remote, "--chunk", "50", "--parallel", "1")
    assert again.returncode == 0, again.stderr
    assert remote_rows(remote, per_graph) == before
    assert remote_rows(remote, GRAPH_QUERIES["every quad"]) == local_rows(local, GRAPH_QUERIES["every quad"])


@needs_oxigraph
def test_push_again_repairs_a_changed_remote_graph_and_leaves_other_graphs_alone(sample_store, remote):
    local = KGStore.open(sample_store)
    assert push(sample_store, remote).returncode == 0
    paper = next(g for g in local.named_graphs() if "/paper/" in g)
    stray = '<http://example.org/x> <http://example.org/says> "stray" .\n'
    for graph in (paper, "http://example.org/someone-elses-graph"):
        r = requests.post(f"{remote}/store", params={"graph": graph}, data=stray,
                          headers={"Content-Type": "application/n-triples"}, timeout=10)
        assert r.ok
    r = requests.delete(f"{remote}/store", params={"graph": ENTITIES_GRAPH}, timeout=10)
    assert r.ok
    assert push(sample_store, remote).returncode == 0
    remote_graphs = dict(remote_rows(remote, GRAPH_QUERIES["triples per graph"]))
    one = '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert remote_graphs.pop("<http://example.org/someone-elses-graph>") == one
    assert sorted(remote_graphs.items()) == local_rows(local, GRAPH_QUERIES["triples per graph"])


@needs_oxigraph
def test_push_sends_the_default_graph_too(tmp_path, remote):
    data = tmp_path / "data.trig"
    data.write_text('<http://ex/a> <http://ex/p> "in the default graph" .\n'
                    '<http://ex/g> { <http://ex/b> <http://ex/p> _:list . _:list <http://ex/q> "x" . }\n')
    load([data], tmp_path / "store")
    proc = push(tmp_path / "store", remote)
    assert proc.returncode == 0, proc.stderr
    assert "pushed 2 graphs, 3 triples" in proc.stderr
    assert remote_rows(remote, "SELECT ?o WHERE { ?s ?p ?o }") == [('"in the default graph"',)]
    assert remote_rows(remote, "SELECT ?s ?o WHERE { GRAPH <http://ex/g> { ?s ?p ?o } }") == \
        [("<http://ex/b>", "_:"), ("_:", '"x"')]
    assert remote_rows(remote, "SELECT ?o WHERE { GRAPH <http://ex/g> { <http://ex/b> ?p ?b . ?b ?q ?o } }") == \
        [('"x"',)]  # the blank node still links the two triples


# -- against a fake store: the HTTP exchange, failures and refusals ------------------------------------------------

@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    data = folder / "tiny.trig"
    data.write_text('<http://ex/g1> { <http://ex/a> <http://ex/p> 1, 2, 3, 4, 5 . }\n'
                    '<http://ex/g2?a=1&b=2#x> { <http://ex/b> <http://ex/p> "two" . }\n')
    load([data], folder / "store")
    return folder / "store"


def test_first_chunk_is_put_then_post_with_the_graph_in_the_query(tiny_store):
    app = GraphStoreApp()
    with FakeServer(app) as server:
        proc = push(tiny_store, server.url, "--chunk", "2", "--parallel", "1")
    assert proc.returncode == 0, proc.stderr
    sent = [(r.method, r.arg("graph")) for r in server.requests]
    assert sent == [("PUT", "http://ex/g1"), ("POST", "http://ex/g1"), ("POST", "http://ex/g1"),
                    ("PUT", "http://ex/g2?a=1&b=2#x")]
    assert all(r.headers["content-type"] == "application/n-triples" for r in server.requests)
    assert all(r.headers["user-agent"].startswith("paperkg/") for r in server.requests)
    assert len(app.graphs["http://ex/g1"]) == 5 and app.graphs["http://ex/g2?a=1&b=2#x"] == [
        b'<http://ex/b> <http://ex/p> "two" .']
    assert "pushed 2 graphs, 6 triples" in proc.stderr and "(4 requests)" in proc.stderr


@pytest.mark.parametrize("auth, header", [
    ("reader:s3cret:with:colons", "Basic " + base64.b64encode(b"reader:s3cret:with:colons").decode()),
    ("Bearer abc.DEF-123", "Bearer abc.DEF-123"),
])
def test_credentials_are_sent(tiny_store, auth, header):
    with FakeServer(GraphStoreApp(authorization=header)) as server:
        proc = push(tiny_store, server.url, "--auth", auth)
    assert proc.returncode == 0, proc.stderr
    assert {r.headers.get("authorization") for r in server.requests} == {header}
    assert "s3cret" not in proc.stderr and "abc.DEF" not in proc.stderr


def test_credentials_can_come_from_the_environment(tiny_store):
    header = "Bearer from-env"
    with FakeServer(GraphStoreApp(authorization=header)) as server:
        env = dict(os.environ, KG_PUSH_AUTH="Bearer from-env", PYTHONPATH=str(ROOT))
        proc = subprocess.run([sys.executable, "-m", "kg.cli", "push", "--store", str(tiny_store), "--endpoint",
                               f"{server.url}/store"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("auth, message", [
    (None, "the store needs credentials: pass --auth"),
    ("someone:wrong", "check --auth"),
])
def test_refused_credentials_are_reported(tiny_store, auth, message):
    with FakeServer(GraphStoreApp(authorization="Bearer right")) as server:
        proc = push(tiny_store, server.url, *(["--auth", auth] if auth else []))
    assert proc.returncode == 1 and "HTTP 401" in proc.stderr and message in proc.stderr
    assert "wrong" not in proc.stderr
    assert len(server.requests) <= 2  # refused at once, not retried


def test_wrong_endpoint_says_where_the_graph_store_is(tiny_store):
    with FakeServer(GraphStoreApp()) as server:
        proc = kg("push", "--store", tiny_store, "--endpoint", f"{server.url}/sparql", *FAST)
    assert proc.returncode == 1 and "HTTP 404" in proc.stderr and "Graph Store URL" in proc.stderr
    assert "Run the same `kg push` again" in proc.stderr


@pytest.mark.parametrize("failures", [[Canned(503, "busy")], [Canned(500), Canned(502)],
                                      [Canned(200, "0123456789", truncate=True)]],
                         ids=["503", "500-502", "broken"])
def test_server_errors_are_retried(tiny_store, failures):
    app = GraphStoreApp()
    with FakeServer(app) as server:
        server.script += failures
        proc = push(tiny_store, server.url, "--parallel", "1")
    assert proc.returncode == 0, proc.stderr
    assert "retrying" in proc.stderr
    assert len(app.graphs["http://ex/g1"]) == 5 and len(app.graphs["http://ex/g2?a=1&b=2#x"]) == 1


def test_slow_store_gives_up_with_a_message(tiny_store):
    with FakeServer(lambda req: Canned(204, delay=3)) as server:
        t = time.perf_counter()
        proc = kg("push", "--store", tiny_store, "--endpoint", f"{server.url}/store", "--timeout", "0.3",
                      "--retries", "1", "--backoff", "0", "--parallel", "1")
        took = time.perf_counter() - t
    assert proc.returncode == 1
    assert "no answer within 0.3 s" in proc.stderr and "gave up after 2 attempts" in proc.stderr
    assert "0 of 2 graphs were pushed" in proc.stderr
    assert took < 3


def test_unreachable_store(tiny_store):
    proc = kg("push", "--store", tiny_store, "--endpoint", f"{closed_port_url()}/store", "--retries", "1",
                  "--backoff", "0")
    assert proc.returncode == 1 and "Connection refused" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (("--auth", "justaname"), '--auth must be USER:PASSWORD or "Bearer TOKEN"'),
    (("--auth", "Bearer "), "needs one token"),
    (("--chunk", "0"), "--chunk must be at least 1"),
    (("--parallel", "0"), "--parallel must be at least 1"),
])
def test_push_usage_errors(tiny_store, args, message):
    with FakeServer(GraphStoreApp()) as server:
        proc = kg("push", "--store", tiny_store, "--endpoint", f"{server.url}/store", *args)
    assert proc.returncode == 2 and message in proc.stderr
    assert server.requests == []


def test_push_usage_errors_for_endpoint_and_store(tmp_path, tiny_store):
    proc = kg("push", "--store", tiny_store, "--endpoint", "localhost:7878/store")
    assert proc.returncode == 2 and "--endpoint must be an http:// or https:// URL" in proc.stderr
    proc = kg("push", "--store", tmp_path / "nothing", "--endpoint", "http://127.0.0.1:9/store")
    assert proc.returncode == 2 and "no store at" in proc.stderr


# -- chunking --------------------------------------------------------------------------------------------------------

def t(s, o) -> Triple:
    term = lambda x: BlankNode(x[2:]) if x.startswith("_:") else NamedNode(f"http://ex/{x}")  # noqa: E731
    return Triple(term(s), NamedNode("http://ex/p"), term(o))


def test_chunks_keep_triples_linked_by_blank_nodes_together():
    triples = [t("a", "b"), t("_:l1", "x"), t("c", "d"), t("_:l1", "_:l2"), t("_:l2", "y"), t("e", "f"),
               t("g", "_:z"), t("_:l2", "_:l3"), t("_:l3", "w")]
    chunks = list(graph_chunks(triples, 2))
    assert sorted(map(str, (x for c in chunks for x in c))) == sorted(map(str, triples))
    lists = [c for c in chunks if any("_:l1" in str(x) for x in c)]
    assert len(lists) == 1 and sum("_:l" in str(x) for x in lists[0]) == 5  # one cluster, larger than the chunk
    assert all(len(c) <= 2 for c in chunks if c is not lists[0])
    assert [len(c) for c in blank_node_clusters([x for x in triples if "_:" in str(x)])] == [5, 1]


def test_parse_auth():
    basic, headers = parse_auth("user:pa:ss")
    assert (basic.username, basic.password, headers) == ("user", "pa:ss", {})
    assert parse_auth("bearer tok") == (None, {"Authorization": "Bearer tok"})
