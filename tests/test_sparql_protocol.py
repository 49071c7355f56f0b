"""The SPARQL endpoint of `kg serve` over HTTP, read-only: protocol, negotiation, refusals, self-description.

One server on the sample store for the whole module; every request is a real HTTP request on loopback."""
from __future__ import annotations

import csv
import io
import socket
import threading
import time

import pytest
import requests
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from rdflib import Graph, Namespace, URIRef
from servers import start_server

from kg.stats import store_stats
from kg.store import KGStore

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
KG = "https://w3id.org/paperkg/ontology#"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
PAPERS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"


@pytest.fixture(scope="module")
def url(sample_store):
    with start_server(sample_store) as base:
        yield base


@pytest.fixture(scope="module")
def sparql(url):
    return url + "/sparql"


@pytest.fixture(scope="module")
def a_paper(sample_kg):
    return sample_kg.select("SELECT ?p WHERE { ?p a kg:Paper } ORDER BY ?p LIMIT 1")[0]["p"]


def get(sparql, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return requests.get(sparql, params={"query": query, **params}, headers=headers, timeout=30)


def count(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def assert_plain_error(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "Traceback" not in r.text and "/work/" not in r.text and ".py" not in r.text and "/tmp/" not in r.text
    assert 0 < len(r.text) < 1000


# -- the three ways to send a query ----------------------------------------------------------------------------------

def test_get_post_form_and_post_direct_agree(sparql, sample_kg):
    expected = sample_kg.select(PAPERS)[0]["n"]
    a = get(sparql, PAPERS)
    b = requests.post(sparql, data={"query": PAPERS}, timeout=30)
    c = requests.post(sparql, data=PAPERS.encode(), headers=DIRECT, timeout=30)
    for r in (a, b, c):
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "application/sparql-results+json"
        assert count(r) == int(expected) == 119


def test_charset_parameters_are_accepted(sparql):
    r = requests.post(sparql, data=PAPERS.encode(), headers={"Content-Type": "application/sparql-query; charset=UTF-8"},
                      timeout=30)
    assert r.status_code == 200 and count(r) == 119
    r = requests.post(sparql, data=f"query={requests.utils.quote(PAPERS)}",
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, timeout=30)
    assert r.status_code == 200 and count(r) == 119


def test_undefined_parameters_are_ignored(sparql):
    """SPARQLWrapper adds format/output/results; they do not change the answer, Accept decides."""
    r = get(sparql, PAPERS, accept="application/sparql-results+xml", format="json", output="json", results="json")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/sparql-results+xml"


def test_default_graph_is_the_union(sparql, a_paper):
    """Paper facts (paper graph) join entity labels (entities graph) without GRAPH."""
    q = f"SELECT ?label WHERE {{ <{a_paper}> kg:mentions ?e . ?e rdfs:label ?label }}"
    r = get(sparql, q)
    assert r.status_code == 200 and r.json()["results"]["bindings"]


def test_dataset_parameters_are_honoured(sparql, a_paper):
    q = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a kg:Paper }"
    assert count(get(sparql, q)) == 119
    assert count(get(sparql, q, **{"default-graph-uri": a_paper})) == 1
    r = get(sparql, "SELECT ?g WHERE { GRAPH ?g { ?s a kg:Paper } }", **{"named-graph-uri": a_paper})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [a_paper]
    # only named graphs given: the default graph is empty
    assert count(get(sparql, q, **{"named-graph-uri": a_paper})) == 0


def test_from_clause_is_honoured(sparql, a_paper):
    q = f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{a_paper}> WHERE {{ ?s a kg:Paper }}"
    assert count(get(sparql, q)) == 1


# -- content negotiation ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, media", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("application/sparql-results+xml, application/rdf+xml", "application/sparql-results+xml"),
])
def test_select_formats(sparql, accept, media):
    r = get(sparql, "SELECT ?p ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?p LIMIT 3", accept)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == media
    fmt = {"application/sparql-results+json": QueryResultsFormat.JSON, "text/csv": QueryResultsFormat.CSV,
           "application/sparql-results+xml": QueryResultsFormat.XML,
           "text/tab-separated-values": QueryResultsFormat.TSV}[media]
    if fmt is QueryResultsFormat.CSV:  # lossy: pyoxigraph does not read it back
        rows = list(csv.reader(io.StringIO(r.text)))[1:]
    else:
        rows = list(parse_query_results(r.content, fmt))
    assert len(rows) == 3


@pytest.mark.parametrize("accept, media, fmt", [
    (None, "text/turtle", RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", RdfFormat.N_TRIPLES),
    ("application/n-quads", "application/n-quads", RdfFormat.N_QUADS),
    ("application/trig", "application/trig", RdfFormat.TRIG),
    ("application/rdf+xml", "application/rdf+xml", RdfFormat.RDF_XML),
    ("application/ld+json", "application/ld+json", RdfFormat.JSON_LD),
    ("application/sparql-results+xml, application/rdf+xml", "application/rdf+xml", RdfFormat.RDF_XML),
    ("text/html;q=0.9, text/turtle;q=0.8", "text/turtle", RdfFormat.TURTLE),
])
def test_construct_formats(sparql, a_paper, accept, media, fmt):
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{a_paper}> {{ ?s ?p ?o }} }}"
    r = get(sparql, q, accept)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == media
    triples = list(parse(r.content, fmt))
    assert len(triples) > 5
    if fmt is RdfFormat.TURTLE:
        assert b"@prefix kg: <https://w3id.org/paperkg/ontology#>" in r.content


def test_describe_and_ask(sparql, a_paper):
    r = get(sparql, f"DESCRIBE <{a_paper}>")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert list(parse(r.content, RdfFormat.TURTLE))
    r = get(sparql, "ASK { ?p a kg:Paper }", "application/sparql-results+xml")
    assert r.status_code == 200 and b"<boolean>true</boolean>" in r.content


def test_nothing_acceptable_is_406(sparql):
    assert_plain_error(get(sparql, PAPERS, "image/png"), 406)
    assert_plain_error(get(sparql, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/csv"), 406)
    assert_plain_error(get(sparql, PAPERS, "application/sparql-results+json;q=0"), 406)


# -- what is refused, and how ----------------------------------------------------------------------------------------

def test_bad_requests(sparql):
    assert_plain_error(get(sparql, "SELECT * WHERE {"), 400)
    assert_plain_error(requests.get(sparql + "?query=ASK%7B%7D&query=ASK%7B%7D", timeout=30), 400)
    assert_plain_error(requests.get(sparql + "?query=ASK%7B%7D%zz", timeout=30), 400)
    assert_plain_error(requests.get(sparql + "?query=ASK%20%7B%7D%FF", timeout=30), 400)
    assert_plain_error(requests.get(sparql + "?query=", timeout=30), 400)
    assert_plain_error(requests.get(sparql + "?default-graph-uri=http%3A%2F%2Fx", timeout=30), 400)
    assert_plain_error(get(sparql, PAPERS, **{"default-graph-uri": "not an iri"}), 400)
    assert_plain_error(requests.post(sparql, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30), 415)
    assert_plain_error(requests.post(sparql, data=b"query=ASK%7B%7D", timeout=30), 415)
    assert_plain_error(requests.post(sparql, data="ASK {}".encode("utf-16"),
                                     headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
                                     timeout=30), 415)
    assert_plain_error(requests.post(sparql, data=b"ASK { ?s ?p \"\xff\" }", headers=DIRECT, timeout=30), 400)
    assert_plain_error(requests.post(sparql, data=b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", headers=FORM,
                                     timeout=30), 400)
    r = requests.request("PATCH", sparql, timeout=30)
    assert r.status_code in (403, 405)


UPDATES = ["INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }", "LOAD <http://example.org/x.ttl>",
           "CLEAR ALL", "DROP DEFAULT", "DROP GRAPH <https://w3id.org/paperkg/graph/entities>",
           "DELETE WHERE { ?s ?p ?o }"]


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("send", ["get", "form", "direct", "query-param", "put", "other-route-direct",
                                  "other-route-form", "other-route-get"])
def test_updates_are_refused_with_403(url, sparql, send, update):
    r = {
        "get": lambda: requests.get(sparql, params={"update": update}, timeout=30),
        "form": lambda: requests.post(sparql, data={"update": update}, timeout=30),
        "direct": lambda: requests.post(sparql, data=update.encode(),
                                        headers={"Content-Type": "application/sparql-update"}, timeout=30),
        "query-param": lambda: get(sparql, update),
        "put": lambda: requests.put(sparql, data=update.encode(),
                                    headers={"Content-Type": "application/sparql-update"}, timeout=30),
        "other-route-direct": lambda: requests.post(url + "/health", data=update.encode(),
                                                    headers={"Content-Type": "application/sparql-update"},
                                                    timeout=30),
        "other-route-form": lambda: requests.post(url + "/void", data={"update": update}, timeout=30),
        "other-route-get": lambda: requests.get(url + "/void", params={"update": update}, timeout=30),
    }[send]()
    assert r.status_code in (400, 403) and "Traceback" not in r.text  # LOAD as a query parameter: 400 or 403
    if send != "query-param" or "LOAD" not in update:
        assert_plain_error(r, 403)
    assert count(get(sparql, "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/s> ?p ?o }")) == 0
    assert count(get(sparql, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/paperkg/graph/entities> "
                             "{ ?s ?p ?o } }")) > 0


class Listener:
    """A plain TCP listener on loopback that records every connection it gets."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.received.append(conn.recv(65536) or b"<connected>")
                body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            except OSError:
                self.received.append(b"<connected>")
            finally:
                conn.close()

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def service_queries(endpoint: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE<{endpoint}>{{ ?s ?p ?o }} }}",
        f"PREFIX x: <{endpoint}> SELECT * WHERE {{ SERVICE x: {{ ?s ?p ?o }} }}",
        f"PREFIX : <{endpoint}> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # a comment\n SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"ASK {{ FILTER(1 < 2) SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
    ]


def test_service_is_refused_and_nothing_goes_out(sparql, listener):
    endpoint = f"http://127.0.0.1:{listener.port}/sparql"
    for q in service_queries(endpoint):
        for r in (get(sparql, q), requests.post(sparql, data={"query": q}, timeout=30),
                  requests.post(sparql, data=q.encode(), headers=DIRECT, timeout=30)):
            assert_plain_error(r, 400)
            assert "SERVICE" in r.text
    for update in (f"LOAD <{endpoint}>", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"):
        r = requests.post(sparql, data={"update": update}, timeout=30)
        assert r.status_code == 403
    time.sleep(0.3)
    assert listener.received == []


def test_the_word_service_elsewhere_is_fine(sparql):
    q = ('SELECT ?service WHERE { ?service ?p "SERVICE <http://example.org/> {}" . '
         '# SERVICE <http://example.org/>\n } LIMIT 1')
    assert get(sparql, q).status_code == 200


def test_body_and_uri_limits(sparql):
    big = b"ASK {} #" + b"x" * (5 << 20)
    assert_plain_error(requests.post(sparql, data=big, headers=DIRECT, timeout=60), 413)
    long_query = "ASK {} #" + "x" * 9000
    r = requests.get(sparql, params={"query": long_query}, timeout=30)
    assert r.status_code in (413, 414)
    # the same query is fine in a POST
    assert requests.post(sparql, data=long_query.encode(), headers=DIRECT, timeout=30).status_code == 200


def test_deeply_nested_queries_are_refused_not_crashed(sparql):
    for text in ("SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000,
                 "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
                 "ASK { FILTER(" + "!" * 10000 + "true) }",  # prefix operators nest in the parser too
                 "SELECT (" + "- " * 5000 + "1 AS ?x) {}"):
        r = requests.post(sparql, data=text.encode(), headers=DIRECT, timeout=60)
        assert_plain_error(r, 400)
        assert "levels deep" in r.text
    assert get(sparql, "ASK {}").status_code == 200


def test_cors(sparql):
    r = get(sparql, "ASK {}")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = requests.options(sparql, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "Content-Type"}, timeout=30)
    assert r.status_code in (200, 204)
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]


def test_repeated_queries_come_from_the_cache(sparql):
    """(Each HTTP process has its cache; one keep-alive connection stays with one process.)"""
    q = "SELECT ?t WHERE { ?p dcterms:title ?t } ORDER BY ?t LIMIT 2"
    with requests.Session() as s:
        first, second = (s.get(sparql, params={"query": q}, timeout=30) for _ in range(2))
        assert first.headers["X-Paperkg-Cache"] == "miss" and second.headers["X-Paperkg-Cache"] == "hit"
        assert first.content == second.content
        r = s.get(sparql, params={"query": q}, headers={"Accept": "text/csv"}, timeout=30)
        assert r.headers["X-Paperkg-Cache"] == "miss"


# -- self-description ------------------------------------------------------------------------------------------------

def test_service_description(sparql):
    r = requests.get(sparql, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    me = URIRef(sparql)
    assert (me, SD.endpoint, me) in g
    assert (me, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (me, SD.supportedLanguage, SD.SPARQL11Update) not in g
    assert (me, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in g
    dataset = g.value(me, SD.defaultDataset)
    assert dataset is not None and g.value(dataset, VOID.triples) is not None
    r = requests.get(sparql, headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/ld+json")
    assert len(list(parse(r.content, RdfFormat.JSON_LD))) == len(g)


def test_void(url, sample_kg):
    r = requests.get(url + "/void", timeout=30)
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    ds = URIRef(url + "/void#dataset")
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef(url + "/sparql")
    dumps = {str(o) for o in g.objects(ds, VOID.dataDump)}
    assert dumps == {url + "/export.ttl", url + "/export.trig", url + "/export.nq"}
    assert int(g.value(ds, VOID.triples)) == store_stats(sample_kg)["triples"]
    partitions = {str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities))
                  for p in g.objects(ds, VOID.classPartition)}
    assert partitions[KG + "Paper"] == 119
    assert partitions[KG + "Method"] == store_stats(sample_kg)["methods"]


def test_health(url, sample_store):
    r = requests.get(url + "/health", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert body["status"] == "ok"
    assert body["counts"] == store_stats(KGStore.open(sample_store))
    assert str(sample_store) not in r.text


def test_unknown_route_is_plain_404(url):
    assert_plain_error(requests.get(url + "/no/such/page", timeout=30), 404)


def test_many_clients_at_once(sparql):
    """Concurrent keep-alive clients all get complete answers."""
    errors = []

    def client(i):
        with requests.Session() as s:
            for j in range(15):
                r = s.get(sparql, params={"query": f"SELECT ?p WHERE {{ ?p a kg:Paper }} LIMIT {i * 100 + j + 1}"},
                          timeout=30)
                if r.status_code != 200 or len(r.json()["results"]["bindings"]) != min(119, i * 100 + j + 1):
                    errors.append((i, j, r.status_code))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_allow_service_lifts_the_refusal(sample_store, listener):
    with start_server(sample_store, "--allow-service", "--workers", "1") as base:
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        r = get(base + "/sparql", q)
        assert listener.received, "the SERVICE call did not go out"
        assert r.status_code == 200, r.text
        assert r.json()["results"]["bindings"] == []
        assert "BasicFederatedQuery" in requests.get(base + "/sparql", timeout=30).text
