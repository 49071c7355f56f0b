"""Self-description: the SPARQL service description (GET /sparql without a query), a VoID description of the
dataset at /void, and /health. Counts come from the store through the executor, once per store generation."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from kg.executor import ExecutionError
from kg.formats import GRAPH as RDF_FORMATS
from kg.vocab import DEFAULT_BASE, KG, ONTOLOGY_IRI, PREFIXES

from . import state, text_response
from .negotiation import GRAPH, content_type, negotiate_rdf

bp = Blueprint("service", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"]
DUMPS = ["export.ttl", "export.trig", "export.nq"]
DESCRIPTION_PREFIXES = {"sd": SD, "void": VOID, "formats": FORMATS, **PREFIXES}


def n(iri: str) -> NamedNode:
    return NamedNode(iri)


def integer(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD_INTEGER)


def described() -> dict | None:
    """Counts of the current store generation (computed once per generation); None when the store is unavailable."""
    st = state()
    executor = st.executor
    generation = executor.current_generation()
    cached = st.described
    if cached is not None and cached[0] == generation:
        return cached[1]
    with st.describe_lock:
        cached = st.described
        if cached is not None and cached[0] == generation:
            return cached[1]
        try:
            data = executor.describe()
        except ExecutionError:
            return None
        st.described = (generation, data)
        return data


def rdf_answer(triples: list[Triple]) -> Response:
    fmt = negotiate_rdf(request.headers.get("Accept"))
    if fmt is None:
        offers = ", ".join(dict.fromkeys(m for m, _ in GRAPH))
        return text_response(406, f"no acceptable format; available: {offers}")
    rdf_format = RDF_FORMATS[fmt][0]
    prefixes = DESCRIPTION_PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
    response = Response(serialize(triples, format=rdf_format, prefixes=prefixes), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response


def void_triples(root: str, data: dict | None) -> list[Triple]:
    ds = n(root + "void#dataset")
    t = [Triple(ds, RDF_TYPE, n(VOID + "Dataset")),
         Triple(ds, n(DCTERMS + "title"), Literal("paperkg: a knowledge graph of machine-learning papers")),
         Triple(ds, n(DCTERMS + "description"), Literal(
             "Papers (title and abstract) with the methods, datasets, tasks and metrics they mention, the results "
             "they report and the claims they make, extracted from their abstracts.")),
         Triple(ds, n(VOID + "sparqlEndpoint"), n(root + "sparql")),
         Triple(ds, n(VOID + "uriSpace"), Literal(DEFAULT_BASE)),
         Triple(ds, n(VOID + "vocabulary"), n(ONTOLOGY_IRI)),
         Triple(ds, n(VOID + "vocabulary"), n(DCTERMS[:-1])),
         Triple(ds, n(VOID + "rootResource"), n(ONTOLOGY_IRI))]
    t += [Triple(ds, n(VOID + "dataDump"), n(root + d)) for d in DUMPS]
    t += [Triple(ds, n(VOID + "feature"), n(FORMATS + f)) for f in ("Turtle", "TriG", "N-Quads")]
    if data:
        stats = data["stats"]
        t.append(Triple(ds, n(VOID + "triples"), integer(stats["triples"])))
        entities = sum(stats.get(k, 0) for k in ("papers", "methods", "datasets", "tasks", "metrics", "results",
                                                   "claims", "repositories"))
        t.append(Triple(ds, n(VOID + "entities"), integer(entities)))
        t.append(Triple(ds, n(VOID + "classes"), integer(len(data["classes"]))))
        for cls, count in data["classes"]:
            part = BlankNode()
            t += [Triple(ds, n(VOID + "classPartition"), part), Triple(part, n(VOID + "class"), n(cls)),
                  Triple(part, n(VOID + "entities"), integer(count))]
    return t


def service_description() -> Response:
    """The SPARQL service description of this endpoint (Turtle unless Accept asks for another RDF format)."""
    cfg = current_app.config
    root = request.host_url
    try:
        NamedNode(root)
    except ValueError:
        root = "http://localhost/"
    me = n(root + "sparql")
    data = described()
    ds, graph = n(root + "void#dataset"), BlankNode()
    t = [Triple(me, RDF_TYPE, n(SD + "Service")),
         Triple(me, n(SD + "endpoint"), me),
         Triple(me, n(RDFS + "label"), Literal("paperkg SPARQL endpoint")),
         Triple(me, n(RDFS + "comment"), Literal(
             f"The default graph is the union of all named graphs (one per paper, plus entities and ontology). "
             f"Queries run for at most {float(cfg['TIMEOUT']):g} s (503 when stopped); "
             + (f"SELECT results are capped at {cfg['MAX_ROWS']} rows (header X-Paperkg-Truncated). "
                if cfg["MAX_ROWS"] else "")
             + ("SPARQL Update is accepted; its WHERE clauses read the store's own default graph unless the "
                "update names graphs (GRAPH, USING, WITH or using-graph-uri). " if cfg["ALLOW_UPDATE"]
                else "The endpoint is read-only. ")
             + ("" if cfg["ALLOW_SERVICE"] else "SERVICE and LOAD are refused: the server makes no outbound "
                                                "requests."))),
         Triple(me, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
         Triple(me, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
         Triple(me, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
         Triple(me, n(SD + "defaultDataset"), ds),
         Triple(ds, RDF_TYPE, n(SD + "Dataset")),
         Triple(ds, n(SD + "defaultGraph"), graph),
         Triple(graph, RDF_TYPE, n(SD + "Graph")),
         Triple(ds, n(RDFS + "seeAlso"), n(root + "void"))]
    if cfg["ALLOW_UPDATE"]:
        t.append(Triple(me, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    if cfg["ALLOW_SERVICE"]:
        t.append(Triple(me, n(SD + "feature"), n(SD + "BasicFederatedQuery")))
    t += [Triple(me, n(SD + "resultFormat"), n(FORMATS + f)) for f in RESULT_FORMATS]
    if data:
        t.append(Triple(graph, n(VOID + "triples"), integer(data["stats"]["triples"])))
    t += void_triples(root, data)
    return rdf_answer(t)


@bp.route("/void")
def void():
    root = request.host_url
    try:
        NamedNode(root)
    except ValueError:
        root = "http://localhost/"
    return rdf_answer(void_triples(root, described()))


@bp.route("/health")
def health():
    data = described()
    if data is None:
        body = {"status": "unavailable", "message": "the store cannot be read"}
        return Response(json.dumps(body), status=503, content_type="application/json")
    body = {"status": "ok", "generation": data["generation"], "counts": data["stats"],
            "classes": {c.removeprefix(KG): k for c, k in data["classes"] if c.startswith(KG)}}
    return Response(json.dumps(body), status=200, content_type="application/json")
