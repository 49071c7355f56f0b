"""Real SPARQL clients against a live `kg serve`: SPARQLWrapper (GET and POST), rdflib's SPARQLStore, requests."""
from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from servers import start_server
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

PREFIXES = "PREFIX kg: <https://w3id.org/paperkg/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
TITLES = PREFIXES + "SELECT ?paper ?title WHERE { ?paper a kg:Paper ; dcterms:title ?title } ORDER BY ?paper LIMIT 5"


@pytest.fixture(scope="module")
def sparql(sample_store):
    with start_server(sample_store) as base:
        yield base + "/sparql"


@pytest.fixture(scope="module")
def expected_titles(sample_kg):
    return [(r["paper"], r["title"]) for r in sample_kg.select(TITLES)]


@pytest.fixture(scope="module")
def a_paper(expected_titles):
    return expected_titles[0][0]


def wrapper(sparql, method, fmt, request_method=None):
    w = SPARQLWrapper(sparql)
    w.setMethod(method)
    if request_method:
        w.setRequestMethod(request_method)
    w.setReturnFormat(fmt)
    return w


@pytest.mark.parametrize("method, request_method", [(GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)])
def test_sparqlwrapper_select_json(sparql, expected_titles, method, request_method):
    w = wrapper(sparql, method, JSON, request_method)
    w.setQuery(TITLES)
    result = w.query().convert()
    got = [(b["paper"]["value"], b["title"]["value"]) for b in result["results"]["bindings"]]
    assert got == expected_titles


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_xml_and_csv(sparql, expected_titles, method):
    w = wrapper(sparql, method, XML)
    w.setQuery(TITLES)
    doc = w.query().convert()  # an xml.dom document
    assert len(doc.getElementsByTagName("result")) == len(expected_titles)
    w = wrapper(sparql, method, CSV)
    w.setQuery(TITLES)
    assert w.query().convert().decode().count("\n") == len(expected_titles) + 1


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_ask_and_construct(sparql, a_paper, method):
    w = wrapper(sparql, method, JSON)
    w.setQuery(PREFIXES + f"ASK {{ <{a_paper}> a kg:Paper }}")
    assert w.query().convert()["boolean"] is True
    w = wrapper(sparql, method, TURTLE)
    w.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{a_paper}> {{ ?s ?p ?o }} }}")
    g = Graph().parse(data=w.query().convert(), format="turtle")
    assert (URIRef(a_paper), None, None) in g
    w = wrapper(sparql, method, XML)  # CONSTRUCT with the default (RDF/XML) goes back to an rdflib Graph
    w.setQuery(f"DESCRIBE <{a_paper}>")
    g = w.query().convert()
    assert isinstance(g, Graph) and (URIRef(a_paper), None, None) in g


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(sparql, expected_titles, a_paper, method):
    store = SPARQLStore(query_endpoint=sparql, method=method)
    g = Graph(store=store)
    rows = list(g.query(TITLES))
    assert [(str(r.paper), str(r.title)) for r in rows] == expected_titles
    assert g.query(PREFIXES + f"ASK {{ <{a_paper}> a kg:Paper }}").askAnswer is True
    built = g.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{a_paper}> {{ ?s ?p ?o }} }}").graph
    assert (URIRef(a_paper), URIRef("http://purl.org/dc/terms/title"), None) in built
    title = dict(expected_titles)[a_paper]
    assert (URIRef(a_paper), URIRef("http://purl.org/dc/terms/title"), Literal(title)) in g
    store.close()


def test_requests_with_session_keep_alive(sparql, expected_titles):
    with requests.Session() as s:
        for _ in range(3):
            r = s.post(sparql, data=TITLES.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
                       timeout=30)
            assert r.status_code == 200
            assert [(b["paper"]["value"], b["title"]["value"]) for b in r.json()["results"]["bindings"]] == \
                expected_titles
