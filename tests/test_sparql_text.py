"""The pure parts of the endpoint: reading SPARQL text (SERVICE, LOAD, FROM, operation), applying the protocol's
using-graph-uri to an update, Accept negotiation; and the query workers' network isolation."""
from __future__ import annotations

import multiprocessing
import socket

import pytest
from pyoxigraph import Store

from kg.sparql_text import calls_out, names_dataset, operation
from kg.update import UpdateError, with_dataset
from server.negotiation import choose, negotiate_results, parse_accept

X = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize("query", [
    f"SELECT * {{ SERVICE <{X}> {{ ?s ?p ?o }} }}",
    f"select * {{ service silent <{X}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ SERVICE<{X}>{{}} }}",
    f"PREFIX : <{X}> SELECT * {{ SERVICE:x {{}} }}",
    f"PREFIX ex: <{X}> SELECT * {{ SERVICEex:x {{}} }}",
    f"SELECT * {{ SERVICESILENT<{X}>{{}} }}",
    f"SELECT * {{ ?s ?p 1SERVICE<{X}>{{}} }}",
    f"SELECT * {{ ?s ?p true SERVICE<{X}>{{}} }}",
    f"SELECT * {{ ?s ?p ?o .SERVICE <{X}> {{}} }}",
    f"SELECT * {{ BIND(<{X}> AS ?u) SERVICE ?u {{}} }}",
    f"SELECT * {{ \"x\"SERVICE <{X}> {{}} }}",
    r"SELECT * { \u0053ERVICE <http://127.0.0.1:9/> {} }",
    # a less-than read as an IRI must not hide what follows
    f"PREFIX : <{X}> SELECT * {{ ?s <http://p#> ?o FILTER(?a<?b)SERVICE:x#>\n{{}} }}",
    f"SELECT * {{ FILTER(?a<'x>') SERVICE <{X}> {{}} FILTER('') }}",
    f"PREFIX : <{X}> SELECT * {{ ?s <http://x/a)#> ?o FILTER(?a<?b)SERVICE:x#>\n{{}} }}",
])
def test_service_is_found(query):
    assert calls_out(query, "service")


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * WHERE { ?s ?p \"SERVICE <http://x/> {}\" }",
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> {}''' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
    "PREFIX ex: <http://e/> SELECT * WHERE { ex:SERVICE ex:service ?o }",
    "SELECT * WHERE { <http://example.org/service> ?p ?o }",
    "SELECT * WHERE { <http://www.w3.org/ns/sparql-service-description#x> ?p ?o FILTER(?o = <http://a#b>) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) }",
])
def test_service_is_not_imagined(query):
    assert not calls_out(query, "service")


def test_load_is_found_in_updates():
    assert calls_out("LOAD <http://x/>", "load")
    assert calls_out("CLEAR ALL ; load silent <http://x/> INTO GRAPH <http://g/>", "load")
    assert not calls_out("INSERT DATA { <http://x/> <http://p/> \"LOAD <http://y/>\" }", "load")


@pytest.mark.parametrize("text, form", [
    ("SELECT * {}", "select"), ("PREFIX : <x:> BASE <http://b/> ask {}", "ask"),
    ("# comment\nCONSTRUCT WHERE {}", "construct"), ("DESCRIBE <x:y>", "describe"),
    ("INSERT DATA {}", "update"), ("PREFIX a: <x:> WITH <x:g> DELETE {} WHERE {}", "update"),
    ("LOAD <x:y>", "update"), ("clear all", "update"), ("nonsense", None), ("", None),
])
def test_operation(text, form):
    assert operation(text) == form


def test_names_dataset():
    assert names_dataset("SELECT * FROM <http://g/> { ?s ?p ?o }")
    assert names_dataset("SELECT * FROM NAMED <http://g/> { GRAPH ?g { ?s ?p ?o } }")
    assert not names_dataset("SELECT ?from { ?from ?p \"FROM\" } # FROM <x:y>")
    assert not names_dataset("PREFIX ex: <x:> SELECT * { ex:from ?p ?o }")


def test_with_dataset_adds_using_to_each_modify():
    update = ("CLEAR ALL ; INSERT DATA { <x:a> <x:b> <x:c> } ; "
              "INSERT { GRAPH <x:g> { ?s a <x:T> } } WHERE { ?s a <x:U> } ; "
              "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER EXISTS { SELECT * WHERE { ?s ?p ?o } } } ; "
              "DELETE WHERE { ?s <x:p> \"WHERE { }\" }")
    out = with_dataset(update, ["http://d/1", "http://d/2"], ["http://n/1"])
    using = "USING <http://d/1> USING <http://d/2> USING NAMED <http://n/1>"
    assert out.count(using) == 3
    assert f"{using} WHERE {{ ?s a <x:U> }}" in out
    assert f"DELETE {{ ?s <x:p> \"WHERE {{ }}\" }} {using} WHERE {{ ?s <x:p> \"WHERE {{ }}\" }}" in out
    assert "INSERT DATA { <x:a> <x:b> <x:c> }" in out
    store = Store()
    store.update(out)  # what comes out is valid SPARQL Update
    assert with_dataset(update) == update


@pytest.mark.parametrize("update", [
    "WITH <x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING <x:g> WHERE { ?s ?p ?o }",
])
def test_with_dataset_conflicts(update):
    with pytest.raises(UpdateError):
        with_dataset(update, ["http://d/1"])


@pytest.mark.parametrize("iri", ["not an iri", "http://x/> } ; DROP ALL ; #", "relative/path", ""])
def test_with_dataset_checks_iris(iri):
    with pytest.raises(UpdateError):
        with_dataset("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", [iri])


def test_accept_parsing_and_choice():
    assert parse_accept(None) == [("*", "*", 1.0)]
    assert parse_accept("text/csv;q=0.5, application/json; charset=utf-8, bogus, */*;q=0.1") == [
        ("text", "csv", 0.5), ("application", "json", 1.0), ("*", "*", 0.1)]
    assert negotiate_results(None) == ("json", "json", "turtle")
    assert negotiate_results("application/sparql-results+xml, application/rdf+xml") == ("xml", "xml", "rdfxml")
    assert negotiate_results("text/csv") == ("csv", "csv", None)
    assert negotiate_results("image/png") == (None, None, None)
    offers = [("text/turtle", "turtle"), ("application/n-triples", "ntriples")]
    assert choose("*/*;q=0.5, application/n-triples;q=0.4", offers) == "turtle"
    assert choose("text/*;q=0.1, application/n-triples;q=0.4", offers) == "ntriples"
    assert choose("text/turtle;q=0, */*", offers) == "ntriples"
    assert choose("text/turtle;q=abc", offers) == "turtle"  # a malformed weight is ignored
    assert parse_accept(",,,, ;;;") == [("*", "*", 1.0)]  # nothing readable: as if no Accept was sent
    assert choose("image/png, ,;", offers) is None  # but what can be read counts


def _connect_after_isolation(port, queue):
    from kg.executor import _isolate_network
    isolated = _isolate_network()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        queue.put((isolated, "connected"))
    except OSError as err:
        queue.put((isolated, type(err).__name__))


def test_query_workers_can_be_cut_off_the_network():
    """Behind the lexical refusal, a worker leaves the network namespace (where the system allows it)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=_connect_after_isolation, args=(listener.getsockname()[1], queue))
        proc.start()
        isolated, outcome = queue.get(timeout=60)
        proc.join(10)
    if not isolated:
        pytest.skip("this system does not allow a process its own network namespace")
    assert outcome != "connected"
