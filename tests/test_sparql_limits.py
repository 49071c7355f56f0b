"""Limits that hold: the query time limit (runaway aggregates and VALUES cross products are stopped with 503 while
cheap queries keep being answered), the row cap and its headers, a configured CORS origin."""
from __future__ import annotations

import threading
import time

import pytest
import requests
from pyoxigraph import RdfFormat, parse
from servers import start_server

TIMEOUT = 2
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
VALUES_PRODUCT = ("SELECT (COUNT(*) AS ?n) WHERE { "
                  + " ".join(f"VALUES ?v{k} {{ {' '.join(map(str, range(200)))} }}" for k in range(5)) + " }")
GROUPED = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?a ?p ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?p"
CHEAP = "SELECT ?p WHERE { ?p a kg:Paper } ORDER BY ?p LIMIT 1"


@pytest.fixture(scope="module")
def url(sample_store):
    with start_server(sample_store, "--timeout", str(TIMEOUT), "--max-rows", "5", "--workers", "2",
                      "--cors-origin", "https://example.org") as base:
        yield base


@pytest.fixture(scope="module")
def sparql(url):
    return url + "/sparql"


def test_runaways_are_stopped_while_a_cheap_query_is_answered(sparql):
    results = {}

    def run(name, query):
        t = time.monotonic()
        r = requests.get(sparql, params={"query": query}, timeout=60)
        results[name] = (r, time.monotonic() - t)

    runaways = [threading.Thread(target=run, args=(n, q)) for n, q in (("cross", CROSS_PRODUCT),
                                                                        ("values", VALUES_PRODUCT))]
    for t in runaways:
        t.start()
    time.sleep(0.4)  # both are running now, each in its own worker
    t0 = time.monotonic()
    cheap = requests.get(sparql, params={"query": CHEAP}, timeout=30)
    cheap_seconds = time.monotonic() - t0
    assert all(t.is_alive() for t in runaways), "a runaway finished before the cheap query"
    assert cheap.status_code == 200 and len(cheap.json()["results"]["bindings"]) == 1
    assert cheap_seconds < 1.0
    for t in runaways:
        t.join()
    for name, (r, seconds) in results.items():
        assert r.status_code == 503, (name, r.status_code, r.text[:200])
        assert r.headers["Content-Type"].startswith("text/plain")
        assert f"limit of {TIMEOUT} s" in r.text
        assert TIMEOUT - 0.1 < seconds < TIMEOUT + 2
    # the killed workers were replaced: the server goes on answering
    for _ in range(5):
        assert requests.get(sparql, params={"query": CHEAP + " OFFSET 1"}, timeout=30).status_code == 200


def test_grouped_aggregate_runaway_by_post(sparql):
    t = time.monotonic()
    r = requests.post(sparql, data=GROUPED.encode(), headers={"Content-Type": "application/sparql-query"},
                      timeout=60)
    assert r.status_code == 503 and "stopped" in r.text
    assert time.monotonic() - t < TIMEOUT + 2
    assert "X-Paperkg-Cache" not in r.headers  # errors are not cached


def test_max_rows_caps_select_and_says_so(sparql):
    r = requests.get(sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 5
    assert r.headers["X-Paperkg-Truncated"] == "true" and r.headers["X-Paperkg-Max-Rows"] == "5"
    r = requests.get(sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"},
                     timeout=30)
    assert r.text.count("\r\n") == 6 and r.headers["X-Paperkg-Truncated"] == "true"
    r = requests.get(sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, timeout=30)
    assert len(r.json()["results"]["bindings"]) == 3 and "X-Paperkg-Truncated" not in r.headers
    # a cross product that is cut early finishes early
    r = requests.get(sparql, params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"}, timeout=30)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 5


def test_max_rows_caps_construct(sparql):
    r = requests.get(sparql, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                     headers={"Accept": "application/n-triples"}, timeout=30)
    assert r.status_code == 200 and len(list(parse(r.content, RdfFormat.N_TRIPLES))) == 5
    assert r.headers["X-Paperkg-Truncated"] == "true"


def test_configured_cors_origin(sparql):
    r = requests.get(sparql, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}, timeout=30)
    assert r.headers["Access-Control-Allow-Origin"] == "https://example.org"
    assert "Origin" in r.headers["Vary"]
    assert "X-Paperkg-Truncated" in r.headers["Access-Control-Expose-Headers"]
    r = requests.options(sparql, headers={"Origin": "https://example.org",
                                          "Access-Control-Request-Method": "POST"}, timeout=30)
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "https://example.org"


def test_cors_can_be_turned_off(sample_store):
    with start_server(sample_store, "--cors-origin", "", "--workers", "1") as base:
        r = requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
        r = requests.options(base + "/sparql", headers={"Access-Control-Request-Method": "POST"}, timeout=30)
        assert "Access-Control-Allow-Origin" not in r.headers


def test_a_query_that_takes_too_much_memory_is_stopped_not_the_machine(sample_store):
    """Without the cap this query grows by gigabytes within seconds (every abstract, once per triple)."""
    hungry = ("SELECT (STRLEN(GROUP_CONCAT(?a)) AS ?x) WHERE { ?p <http://purl.org/dc/terms/abstract> ?a . "
              "?s ?q ?o }")
    with start_server(sample_store, "--max-memory", "300", "--timeout", "60", "--workers", "1") as base:
        started = time.monotonic()
        r = requests.post(base + "/sparql", data={"query": hungry}, timeout=90)
        assert r.status_code == 503 and "memory limit of 300 MB" in r.text
        assert time.monotonic() - started < 30  # stopped by the memory cap, long before the time limit
        r = requests.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 200 and "true" in r.text  # a new worker answers
