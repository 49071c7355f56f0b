"""SPARQL Update with `kg serve --allow-update`: loopback only or with a bearer token, a new store generation per
update (the cache follows it), no outbound LOAD or SERVICE, runaway updates stopped with the store left as it was."""
from __future__ import annotations

import time

import pytest
import requests
from conftest import run_kg
from servers import copy_store, start_server
from test_sparql_protocol import Listener

UPDATE = {"Content-Type": "application/sparql-update"}
S = "http://example.org/s"
G = "http://example.org/graph"


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    return copy_store(sample_store, tmp_path_factory.mktemp("update"))


@pytest.fixture(scope="module")
def sparql(store):
    with start_server(store, "--allow-update", "--timeout", "3") as base:
        yield base + "/sparql"


def count_s(sparql, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ <{S}> ?p ?o }}" if graph else f"<{S}> ?p ?o"
    r = requests.get(sparql, params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def generation(sparql) -> str:
    return requests.get(sparql.removesuffix("/sparql") + "/health", timeout=30).json()["generation"]


def test_updates_write_new_generations_and_the_cache_follows(sparql):
    assert count_s(sparql) == 0
    assert count_s(sparql) == 0  # now cached
    before = generation(sparql)
    r = requests.post(sparql, data=f"INSERT DATA {{ GRAPH <{G}> {{ <{S}> <http://example.org/p> 1 }} }}".encode(),
                      headers=UPDATE, timeout=30)
    assert r.status_code == 204, r.text
    assert count_s(sparql) == 1 and count_s(sparql, G) == 1
    assert generation(sparql) != before
    r = requests.post(sparql, data={"update": f"DELETE DATA {{ GRAPH <{G}> {{ <{S}> <http://example.org/p> 1 }} }}"},
                      timeout=30)
    assert r.status_code == 204, r.text
    assert count_s(sparql) == 0


def test_using_graph_uri(sparql):
    """using-graph-uri makes the graph the WHERE clause's default graph."""
    requests.post(sparql, data=f"INSERT DATA {{ GRAPH <{G}> {{ <{S}> a <http://example.org/T> }} }}".encode(),
                  headers=UPDATE, timeout=30).raise_for_status()
    copy = f"INSERT {{ GRAPH <{G}-copy> {{ ?s a <http://example.org/U> }} }} WHERE {{ ?s a <http://example.org/T> }}"
    r = requests.post(sparql, params={"using-graph-uri": G}, data=copy.encode(), headers=UPDATE, timeout=30)
    assert r.status_code == 204
    assert count_s(sparql, G + "-copy") == 1
    conflict = f"WITH <{G}> " + copy.removeprefix("INSERT ")
    r = requests.post(sparql, params={"using-graph-uri": G}, data=("INSERT " + conflict).encode(), headers=UPDATE,
                      timeout=30)
    assert r.status_code == 400
    r = requests.post(sparql, params={"using-graph-uri": "not an iri> } ; DROP ALL ; #"}, data=copy.encode(),
                      headers=UPDATE, timeout=30)
    assert r.status_code == 400
    assert count_s(sparql, G) == 1


def test_misdirected_updates(sparql):
    assert requests.get(sparql, params={"update": "CLEAR ALL"}, timeout=30).status_code == 400
    assert requests.get(sparql, params={"query": "CLEAR ALL"}, timeout=30).status_code == 400
    r = requests.post(sparql, data=b"SELECT * WHERE { ?s ?p ?o }", headers=UPDATE, timeout=30)
    assert r.status_code == 400
    r = requests.post(sparql, data=b"CLEAR XYZ", headers=UPDATE, timeout=30)
    assert r.status_code == 400 and "syntax" in r.text
    assert count_s(sparql.removesuffix("/sparql") + "/sparql") >= 0  # still serving


def test_load_and_service_are_refused_even_with_updates(sparql):
    listener = Listener()
    try:
        endpoint = f"http://127.0.0.1:{listener.port}/data.ttl"
        for update in (f"LOAD <{endpoint}>", f"LOAD SILENT <{endpoint}> INTO GRAPH <{G}>",
                       f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"):
            for r in (requests.post(sparql, data=update.encode(), headers=UPDATE, timeout=30),
                      requests.post(sparql, data={"update": update}, timeout=30)):
                assert r.status_code == 400, r.text
        time.sleep(0.3)
        assert listener.received == []
    finally:
        listener.close()


def test_runaway_update_is_stopped_and_changes_nothing(sparql):
    before = generation(sparql)
    runaway = (f"INSERT {{ GRAPH <{G}-big> {{ ?a <http://example.org/p> ?n }} }} WHERE "
               "{ { SELECT ?a (COUNT(*) AS ?n) WHERE { GRAPH ?x { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } } GROUP BY ?a } }")
    t = time.monotonic()
    r = requests.post(sparql, data=runaway.encode(), headers=UPDATE, timeout=60)
    assert r.status_code == 503 and "stopped" in r.text
    assert time.monotonic() - t < 6
    assert generation(sparql) == before
    # the write lock went with the killed worker: the next update works
    r = requests.post(sparql, data=f"INSERT DATA {{ GRAPH <{G}> {{ <{S}> <http://example.org/q> 2 }} }}".encode(),
                      headers=UPDATE, timeout=30)
    assert r.status_code == 204, r.text


def test_update_token(sample_store, tmp_path):
    store = copy_store(sample_store, tmp_path)
    with start_server(store, "--allow-update", "--update-token", "s3cret", "--workers", "1") as base:
        update = f"INSERT DATA {{ <{S}> <http://example.org/p> 1 }}".encode()
        r = requests.post(base + "/sparql", data=update, headers=UPDATE, timeout=30)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
        r = requests.post(base + "/sparql", data=update, headers={**UPDATE, "Authorization": "Bearer wrong"},
                          timeout=30)
        assert r.status_code == 401
        r = requests.post(base + "/sparql", data=update, headers={**UPDATE, "Authorization": "Bearer s3cret"},
                          timeout=30)
        assert r.status_code == 204


def test_allow_update_is_refused_beyond_loopback(sample_store):
    proc = run_kg("serve", "--store", sample_store, "--host", "0.0.0.0", "--port", "1", "--allow-update", timeout=60)
    assert proc.returncode == 2
    assert "--update-token" in proc.stderr


def test_service_description_says_updates(sparql):
    r = requests.get(sparql, timeout=30)
    assert "SPARQL11Update" in r.text


def test_concurrent_updates_take_turns(sparql):
    """Updates sent at once (to any HTTP process of the server) all apply, one generation each."""
    import threading
    statuses = []

    def insert(i):
        r = requests.post(sparql, data=f"INSERT DATA {{ GRAPH <{G}-many> {{ <{S}> <http://example.org/n> {i} }} }}"
                          .encode(), headers=UPDATE, timeout=60)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [204] * 6
    assert count_s(sparql, G + "-many") == 6
