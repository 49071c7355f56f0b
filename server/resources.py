"""A page for every IRI minted under the store's base, at `/resource/{local part}`: papers, methods, datasets, tasks,
metrics, results, claims (and the extraction activity and agent). HTML for browsers; the resource's description in
Turtle, JSON-LD, N-Triples or RDF/XML by Accept or `?format=`.

The path is only ever turned into an IRI (base + local part), checked by pyoxigraph and bound to `?r` in fixed
queries run by the executor; it never reaches the file system. The description is what the page shows as RDF: every
triple with the resource as subject or object, plus the label, title and type of each node it links to.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, Response, request
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from kg.executor import ExecutionError
from kg.formats import GRAPH as RDF_FORMATS
from kg.vocab import KG, PREFIXES

from .negotiation import GRAPH, choose, content_type
from .views import Cell, cell, compact, error_page, href_for, page, records, resource_base, secure, select

bp = Blueprint("resources", __name__)

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
DCTERMS = PREFIXES["dcterms"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
TYPE = RDF + "type"
LABEL = RDFS + "label"
TITLE = DCTERMS + "title"
MAX_LOCAL = 1000
LIST_LIMIT = 5000
ENTITY_KINDS = ("method", "dataset", "task", "metric")
KIND_NAMES = {"paper": "Paper", "method": "Method", "dataset": "Dataset", "task": "Task", "metric": "Metric",
              "result": "Result", "claim": "Claim", "repository": "Repository"}
PLURAL = {"method": "Methods", "dataset": "Datasets", "task": "Tasks", "metric": "Metrics"}
ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
OFFERS = [("text/html", "html"), ("application/xhtml+xml", "html")] + GRAPH
FORMAT_PARAM = {"html": "html", "turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
                "json": "jsonld", "ntriples": "ntriples", "nt": "ntriples", "rdfxml": "rdfxml", "rdf": "rdfxml",
                "xml": "rdfxml"}
EXTENSIONS = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt", "rdfxml": "rdf"}

PROLOGUE = f"""PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX kg: <{KG}>
"""
# What the resource says: each property and value, with what the page needs to name the value.
OUTGOING = PROLOGUE + f"""
SELECT ?p ?o (SAMPLE(?pl) AS ?plabel) (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?title) (SAMPLE(?c) AS ?type)
       (SAMPLE(?h) AS ?host) (SAMPLE(?ow) AS ?owner) (SAMPLE(?nm) AS ?name) ?r
WHERE {{
  ?r ?p ?o .
  OPTIONAL {{ ?p rdfs:label ?pl }}
  OPTIONAL {{ ?o rdfs:label ?l }}
  OPTIONAL {{ ?o dcterms:title ?t }}
  OPTIONAL {{ ?o rdf:type ?c }}
  OPTIONAL {{ ?o kg:host ?h }}
  OPTIONAL {{ ?o kg:owner ?ow }}
  OPTIONAL {{ ?o kg:name ?nm }}
}}
GROUP BY ?p ?o ?r
LIMIT {LIST_LIMIT}
"""
# What says something about the resource.
INCOMING = PROLOGUE + f"""
SELECT ?s ?p (SAMPLE(?pl) AS ?plabel) (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?title) (SAMPLE(?c) AS ?type) ?r
WHERE {{
  ?s ?p ?r .
  OPTIONAL {{ ?p rdfs:label ?pl }}
  OPTIONAL {{ ?s rdfs:label ?l }}
  OPTIONAL {{ ?s dcterms:title ?t }}
  OPTIONAL {{ ?s rdf:type ?c }}
}}
GROUP BY ?s ?p ?r
LIMIT {LIST_LIMIT}
"""
# Results a paper reports, or measured with / on / of an entity.
RESULTS = PROLOGUE + """
SELECT DISTINCT ?result ?value ?unit ?improvement ?metric ?metric_label ?dataset ?dataset_label ?method
       ?method_label ?sentence ?index ?paper ?title ?r
WHERE {
  { ?r kg:reportsResult ?result } UNION { ?result kg:metric ?r } UNION { ?result kg:onDataset ?r }
  UNION { ?result kg:ofMethod ?r }
  ?result rdf:type kg:Result .
  OPTIONAL { ?result kg:value ?value }
  OPTIONAL { ?result kg:unit ?unit }
  OPTIONAL { ?result kg:isImprovement ?improvement }
  OPTIONAL { ?result kg:metric ?metric OPTIONAL { ?metric rdfs:label ?metric_label } }
  OPTIONAL { ?result kg:onDataset ?dataset OPTIONAL { ?dataset rdfs:label ?dataset_label } }
  OPTIONAL { ?result kg:ofMethod ?method OPTIONAL { ?method rdfs:label ?method_label } }
  OPTIONAL { ?result kg:text ?sentence }
  OPTIONAL { ?result kg:sentenceIndex ?index }
  OPTIONAL { ?paper kg:reportsResult ?result OPTIONAL { ?paper dcterms:title ?title } }
}
ORDER BY LCASE(STR(?title)) ?paper ?index ?result
LIMIT 2000
"""
# Claims a paper makes, or claims about an entity; one row per claim and what it is about.
CLAIMS = PROLOGUE + """
SELECT DISTINCT ?claim ?sentence ?index ?paper ?title ?about ?about_label ?about_type ?r
WHERE {
  { ?r kg:makesClaim ?claim } UNION { ?claim kg:about ?r ; rdf:type kg:Claim }
  ?claim kg:text ?sentence .
  OPTIONAL { ?claim kg:sentenceIndex ?index }
  OPTIONAL { ?paper kg:makesClaim ?claim OPTIONAL { ?paper dcterms:title ?title } }
  OPTIONAL { ?claim kg:about ?about OPTIONAL { ?about rdfs:label ?about_label } OPTIONAL { ?about rdf:type ?about_type } }
}
ORDER BY LCASE(STR(?title)) ?paper ?index ?claim
LIMIT 3000
"""


class NotFound(Exception):
    pass


def iri_of(local: str, base: str) -> NamedNode:
    """The IRI of a page path's local part, or NotFound: no empty, `.` or `..` segment, no control character or
    backslash, and pyoxigraph must accept the IRI. The local part is never used as a file path."""
    if not local or len(local) > MAX_LOCAL or "\\" in local or any(ord(c) < 0x20 or c == "\x7f" for c in local):
        raise NotFound
    if any(seg in ("", ".", "..") for seg in local.split("/")):
        raise NotFound
    try:
        return NamedNode(base + local)
    except ValueError:
        raise NotFound from None


@dataclass
class Node:
    """Something a page names: an IRI with a text and maybe a link, or a literal."""

    iri: str | None
    text: str
    href: str | None = None
    external: bool = False
    kind: str | None = None  # paper, method, ... (from its type)
    lang: str | None = None
    extra: dict = field(default_factory=dict)


def kind_of(type_iri: str | None) -> str | None:
    if type_iri and type_iri.startswith(KG):
        return type_iri[len(KG):].lower()
    return None


def node(term, base: str, label=None, title=None, type_=None) -> Node:
    if isinstance(term, NamedNode):
        href, external = href_for(term.value, base)
        text = (title.value if title is not None else None) or (label.value if label is not None else None) \
            or compact(term.value, base)
        return Node(term.value, text, href, external, kind_of(type_.value if type_ is not None else None))
    if isinstance(term, Literal):
        return Node(None, term.value, lang=term.language or None)
    return Node(None, str(term))


def description(iri: NamedNode, *, details: bool) -> dict:
    """The rows a page or an RDF answer is made of (ExecutionError when the store cannot answer)."""
    bindings = {"r": iri}
    data = {"out": records(select(OUTGOING, bindings)), "in": records(select(INCOMING, bindings)),
            "results": [], "claims": []}
    if details and (data["out"] or data["in"]):
        types = {r["o"].value for r in data["out"] if r["p"].value == TYPE}
        kinds = {kind_of(t) for t in types}
        if kinds & {"paper", *ENTITY_KINDS}:
            data["results"] = records(select(RESULTS, bindings))
            data["claims"] = records(select(CLAIMS, bindings))
    return data


def description_triples(iri: NamedNode, data: dict) -> list[Triple]:
    """The RDF description: the resource's triples both ways, and the label, title and type of its neighbours."""
    out: dict[Triple, None] = {}
    label, title, rdf_type = NamedNode(LABEL), NamedNode(TITLE), NamedNode(TYPE)

    def about(term, row):
        if isinstance(term, NamedNode) and term != iri:
            for key, pred in (("label", label), ("title", title), ("type", rdf_type)):
                if row.get(key) is not None:
                    out[Triple(term, pred, row[key])] = None

    for row in data["out"]:
        out[Triple(iri, row["p"], row["o"])] = None
        about(row["o"], row)
    for row in data["in"]:
        out[Triple(row["s"], row["p"], iri)] = None
        about(row["s"], row)
    return list(out)


def rdf_response(iri: NamedNode, data: dict, fmt: str) -> Response:
    rdf_format = RDF_FORMATS[fmt][0]
    prefixes = dict(PREFIXES) if rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else None
    body = serialize(description_triples(iri, data), format=rdf_format, prefixes=prefixes)
    response = Response(body, content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return secure(response)


def chosen_format() -> str | None:
    asked = request.args.get("format")
    if asked is not None:
        return FORMAT_PARAM.get(asked.strip().lower(), "")
    return choose(request.headers.get("Accept"), OFFERS)


@bp.route("/resource/<path:local>", merge_slashes=False)
def resource(local: str):
    base = resource_base()
    try:
        iri = iri_of(local, base)
    except NotFound:
        return error_page(404, "Not Found", "there is no resource at this address")
    fmt = chosen_format()
    if fmt == "":
        return error_page(400, "Bad Request", "format must be one of html, turtle, jsonld, ntriples, rdfxml")
    if fmt is None:
        offers = ", ".join(dict.fromkeys(m for m, _ in OFFERS))
        return error_page(406, "Not Acceptable", f"available formats: {offers}")
    try:
        data = description(iri, details=fmt == "html")
    except ExecutionError as err:
        return error_page(err.status, "Unavailable" if err.status >= 500 else "Bad Request", str(err))
    if not data["out"] and not data["in"]:
        return error_page(404, "Not Found", f"the graph says nothing about {iri.value}")
    if fmt != "html":
        return rdf_response(iri, data, fmt)
    response = page("resource.html", r=build_page(iri, data, base), active="resource")
    response.headers["Vary"] = "Accept, Accept-Encoding"
    return response


# -- the page model --------------------------------------------------------------------------------------------------

def build_page(iri: NamedNode, data: dict, base: str) -> dict:
    """What resource.html shows, from the description rows."""
    out_by_p: dict[str, list[dict]] = defaultdict(list)
    for row in data["out"]:
        out_by_p[row["p"].value].append(row)
    types = [row["o"].value for row in out_by_p.get(TYPE, [])]
    kind = next((k for k in map(kind_of, types) if k in KIND_NAMES), None)
    local = iri.value[len(base):]
    if kind is None:
        kind = local.split("/", 1)[0] if local.split("/", 1)[0] in KIND_NAMES else "other"

    def values(pred: str) -> list[Node]:
        rows = out_by_p.get(pred, [])
        nodes = [node(r["o"], base, r.get("label"), r.get("title"), r.get("type")) for r in rows]
        for n, r in zip(nodes, rows, strict=True):
            n.extra = {k: r[k].value for k in ("host", "owner", "name") if r.get(k) is not None}
        return sorted(nodes, key=lambda n: n.text.lower())

    def texts(pred: str) -> list[str]:
        return sorted({r["o"].value for r in out_by_p.get(pred, []) if isinstance(r["o"], Literal)}, key=str.lower)

    labels = texts(LABEL)
    titles = texts(TITLE)
    heading = (titles or labels or [None])[0]
    type_nodes = values(TYPE)
    p = {
        "iri": iri.value, "local": local, "kind": kind, "kind_name": KIND_NAMES.get(kind) or
        (type_nodes[0].text if type_nodes else "Resource"),
        "heading": heading, "types": type_nodes,
        "aliases": [a for a in texts(SKOS + "altLabel") if a not in labels],
        "written_as": texts(KG + "surfaceForm"),
        "statements": statements(data["out"], base),
        "incoming": incoming(data["in"], base),
        "truncated": len(data["out"]) >= LIST_LIMIT or len(data["in"]) >= LIST_LIMIT,
        "formats": [("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "ntriples"), ("RDF/XML", "rdfxml")],
    }
    if kind == "paper":
        idents = texts(DCTERMS + "identifier")
        p.update({
            "title": heading, "abstract": (texts(DCTERMS + "abstract") or [None])[0],
            "identifiers": [(i, f"https://arxiv.org/abs/{i}" if ARXIV_ID.match(i) else None) for i in idents],
            "authors": [r["o"].value for r in out_by_p.get(DCTERMS + "creator", [])],
            "issued": texts(DCTERMS + "issued"),
            "repositories": values(KG + "hasRepository"),
            "see_also": values(RDFS + "seeAlso"),
            "activity": values(PROV + "wasGeneratedBy"),
            "proposes": values(KG + "proposes"),
            "evaluates_on": values(KG + "evaluatesOn"),
            "mentions": grouped(values(KG + "mentions")),
        })
    elif kind in ENTITY_KINDS:
        p["papers"] = papers_of(data["in"], base)
    elif kind == "result":
        value = (texts(KG + "value") or [""])[0]
        unit = (texts(KG + "unit") or [""])[0]
        p.update({"value": value, "unit": unit, "metric": values(KG + "metric"),
                  "dataset": values(KG + "onDataset"), "method": values(KG + "ofMethod"),
                  "sentence": (texts(KG + "text") or [None])[0],
                  "index": (texts(KG + "sentenceIndex") or [None])[0],
                  "improvement": texts(KG + "isImprovement"),
                  "papers": reporting(data["in"], base, KG + "reportsResult")})
        p["heading"] = result_heading(p)
    elif kind == "claim":
        p.update({"sentence": (texts(KG + "text") or [None])[0], "about": values(KG + "about"),
                  "index": (texts(KG + "sentenceIndex") or [None])[0],
                  "papers": reporting(data["in"], base, KG + "makesClaim")})
        p["heading"] = "Claim"
    if not p["heading"]:
        p["heading"] = local
    p["results"] = result_rows(data["results"], base)
    p["claims"] = claim_rows(data["claims"], base)
    return p


def grouped(nodes: list[Node]) -> list[tuple[str, list[Node]]]:
    groups: dict[str, list[Node]] = defaultdict(list)
    for n in nodes:
        groups[n.kind or "other"].append(n)
    order = list(ENTITY_KINDS) + sorted(k for k in groups if k not in ENTITY_KINDS)
    return [(PLURAL.get(k, k.capitalize()), groups[k]) for k in order if groups.get(k)]


def statements(rows: list[dict], base: str) -> list[tuple[Cell, list[Cell]]]:
    """Property -> values, for the table of everything the resource says."""
    by_p: dict[str, list] = defaultdict(list)
    plabel: dict[str, str] = {}
    for r in rows:
        by_p[r["p"].value].append(r)
        if r.get("plabel") is not None:
            plabel[r["p"].value] = r["plabel"].value
    out = []
    for pred in sorted(by_p, key=lambda x: (x != TYPE, compact(x, base))):
        prop = cell(NamedNode(pred), base)
        prop = Cell(plabel.get(pred, prop.text), prop.kind, prop.href, prop.external, pred)
        vals = []
        for r in sorted(by_p[pred], key=lambda r: r["o"].value):
            label = r.get("title") or r.get("label")
            vals.append(cell(r["o"], base, label.value if label is not None else None))
        out.append((prop, vals))
    return out


def incoming(rows: list[dict], base: str) -> list[tuple[Cell, list[Cell]]]:
    by_p: dict[str, list] = defaultdict(list)
    plabel: dict[str, str] = {}
    for r in rows:
        by_p[r["p"].value].append(r)
        if r.get("plabel") is not None:
            plabel[r["p"].value] = r["plabel"].value
    out = []
    for pred in sorted(by_p, key=lambda x: compact(x, base)):
        prop = cell(NamedNode(pred), base)
        prop = Cell(plabel.get(pred, prop.text), prop.kind, prop.href, prop.external, pred)
        vals = []
        for r in by_p[pred]:
            label = r.get("title") or r.get("label")
            vals.append(cell(r["s"], base, label.value if label is not None else None))
        out.append((prop, sorted(vals, key=lambda c: c.text.lower())))
    return out


def papers_of(rows: list[dict], base: str) -> list[dict]:
    """Papers that name an entity, with what each does with it (proposes / evaluates on / mentions)."""
    roles = {KG + "proposes": "proposes", KG + "evaluatesOn": "evaluates on", KG + "mentions": "mentions"}
    papers: dict[str, dict] = {}
    for r in rows:
        role = roles.get(r["p"].value)
        if role is None:
            continue
        s = r["s"].value
        entry = papers.setdefault(s, {"node": node(r["s"], base, r.get("label"), r.get("title"), r.get("type")),
                                      "roles": set()})
        entry["roles"].add(role)
    order = {"proposes": 0, "evaluates on": 1, "mentions": 2}
    out = []
    for entry in papers.values():
        ranked = sorted(entry["roles"], key=order.get)
        shown = [x for x in ranked if x != "mentions"] or ["mentions"]
        out.append({"node": entry["node"], "roles": shown})
    return sorted(out, key=lambda e: (order[e["roles"][0]], e["node"].text.lower()))


def reporting(rows: list[dict], base: str, pred: str) -> list[Node]:
    return [node(r["s"], base, r.get("label"), r.get("title"), r.get("type")) for r in rows if r["p"].value == pred]


def result_heading(p: dict) -> str:
    parts = [f"{p['value']}{'' if p['unit'] in ('%', '') else ' '}{p['unit']}".strip()]
    if p["metric"]:
        parts.append(p["metric"][0].text)
    if p["dataset"]:
        parts.append("on " + p["dataset"][0].text)
    if p["method"]:
        parts.append("by " + p["method"][0].text)
    return " ".join(x for x in parts if x) or "Result"


def result_rows(rows: list[dict], base: str) -> list[dict]:
    def n(r: dict, key: str) -> Node | None:
        term = r.get(key)
        return node(term, base, r.get(key + "_label")) if term is not None else None

    out = []
    for r in rows:
        value = r.get("value")
        out.append({
            "result": node(r["result"], base), "value": value.value if value is not None else "",
            "unit": r["unit"].value if r.get("unit") is not None else "",
            "improvement": r.get("improvement") is not None and r["improvement"].value == "true",
            "metric": n(r, "metric"), "dataset": n(r, "dataset"), "method": n(r, "method"),
            "sentence": r["sentence"].value if r.get("sentence") is not None else "",
            "paper": node(r["paper"], base, None, r.get("title")) if r.get("paper") is not None else None,
        })
    return out


def claim_rows(rows: list[dict], base: str) -> list[dict]:
    claims: dict[str, dict] = {}
    for r in rows:
        c = claims.setdefault(r["claim"].value, {
            "claim": node(r["claim"], base), "sentence": r["sentence"].value,
            "index": r["index"].value if r.get("index") is not None else None,
            "paper": node(r["paper"], base, None, r.get("title")) if r.get("paper") is not None else None,
            "about": {}})
        if r.get("about") is not None:
            c["about"][r["about"].value] = node(r["about"], base, r.get("about_label"), None, r.get("about_type"))
    for c in claims.values():
        c["about"] = sorted(c["about"].values(), key=lambda n: n.text.lower())
    return list(claims.values())
