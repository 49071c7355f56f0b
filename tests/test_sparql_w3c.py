"""The W3C SPARQL 1.1 Protocol test suite against `kg serve`: read-only (every query test passes, every update is
refused with 403) and with --allow-update (all 34 tests pass)."""
from __future__ import annotations

import pytest
import requests
from conftest import run_kg
from servers import copy_store, start_server
from w3c_protocol import read_manifest, run_test

TESTS = read_manifest()
IDS = [t.id for t in TESTS]


@pytest.fixture(scope="module")
def w3c_store(tmp_path_factory):
    """A fresh store holding the suite's data graphs, loaded with `kg load FILE --store DIR --graph IRI`."""
    store = tmp_path_factory.mktemp("w3c") / "store"
    graphs = sorted({d for t in TESTS for d in t.data}, key=lambda d: d[1])
    assert len(graphs) == 3
    for file, iri in graphs:
        run_kg("load", file, "--store", store, "--graph", iri, check=True)
    return store


@pytest.fixture(scope="module")
def read_only_server(w3c_store):
    with start_server(w3c_store) as url:
        yield url


@pytest.fixture(scope="module")
def update_server(w3c_store, tmp_path_factory):
    store = copy_store(w3c_store, tmp_path_factory.mktemp("w3c-update"))
    with start_server(store, "--allow-update") as url:
        yield url, store


def test_manifest_has_34_tests():
    assert len(TESTS) == 34
    assert sum(t.is_update for t in TESTS) == 7


@pytest.mark.parametrize("test", TESTS, ids=IDS)
def test_read_only(read_only_server, test):
    """Queries pass; updates that should succeed are refused with 403 instead."""
    expect = {0: ["403"]} if test.is_update else None
    failures = run_test(read_only_server, test, expect=expect)
    assert not failures, f"{test.id} ({test.name}): {failures}"


_state = {"dirty": False}


@pytest.mark.parametrize("test", TESTS, ids=IDS)
def test_with_updates(update_server, test):
    url, store = update_server
    if test.data and _state["dirty"]:
        # an earlier update test rewrote the store: give this test its data back
        requests.post(url + "/sparql", data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"},
                      timeout=30).raise_for_status()
        for file, iri in test.data:
            run_kg("load", file, "--store", store, "--graph", iri, check=True)
        _state["dirty"] = False
    failures = run_test(url, test)
    _state["dirty"] |= test.is_update
    assert not failures, f"{test.id} ({test.name}): {failures}"


def test_trailing_slash_path(read_only_server):
    """The suite's own paths (/sparql/) work as they are."""
    r = requests.get(read_only_server + "/sparql/", params={"query": "ASK {}"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True
