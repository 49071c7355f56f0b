"""The example-query gallery: the page at `/`, one page per query at `/queries/<id>`, the SPARQL editor at `/editor`,
and the same data as JSON at `/api/queries` and `/api/queries/<id>?param=...`.

Parameters are converted by kg.queries into typed RDF terms and bound to the query's variables (or written as a
checked VALUES row for the query forms pyoxigraph cannot substitute into); nothing a client sends becomes query
text. Queries run through the executor like the endpoint's (time limit, row cap, answer cache).
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from kg.executor import ExecutionError, QueryJob
from kg.queries import Bound, GalleryQuery, ParameterError, UnknownQuery

from . import text_response
from .negotiation import BOOLEAN, GRAPH, SOLUTIONS, content_type, negotiate_results
from .views import (counts, error_page, gallery, max_rows, page, resource_base, run_job, secure, solutions,
                    sparql_tokens, table, triple_table, triples)

bp = Blueprint("gallery", __name__)

RESERVED = "_format"  # the one query-string name that is not a parameter: the answer's format
FORMAT_NAMES = {  # ?_format= values -> format name, per kind of result
    "tabular": {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {"turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "nquads": "nquads",
              "nq": "nquads", "trig": "trig", "rdfxml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml",
              "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld"},
}
EXTENSIONS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "ntriples": "nt",
              "nquads": "nq", "trig": "trig", "rdfxml": "rdf", "jsonld": "jsonld"}
DEFAULT_EDITOR_QUERY = """\
PREFIX kg: <https://w3id.org/paperkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>

# Papers and the datasets they evaluate on. Ctrl+Enter runs the query.
SELECT ?paper ?title ?dataset
WHERE {
  ?paper a kg:Paper ;
         dcterms:title ?title ;
         kg:evaluatesOn ?dataset .
}
ORDER BY ?title
LIMIT 50
"""


# -- parameters ------------------------------------------------------------------------------------------------------

def given_values(query: GalleryQuery, *, form: bool = False) -> dict[str, object]:
    """The parameters of the request's query string (a repeated name gives a list, which binding refuses). From a
    form (`form=True`), an empty field of a type other than text means "the default", as an empty number field
    cannot mean anything else."""
    out: dict[str, object] = {}
    types = {p.name: p.type for p in query.parameters}
    for name in request.args:
        if name == RESERVED:
            continue
        values = request.args.getlist(name)
        if form and types.get(name, "string") != "string" and all(not v.strip() for v in values):
            continue
        out[name] = values[0] if len(values) == 1 else values
    return out


def form_values(query: GalleryQuery, given: dict[str, object]) -> dict[str, str]:
    """What each input of a query's form shows: the value given, else the default."""
    out = {}
    for p in query.parameters:
        value = given.get(p.name, p.default)
        out[p.name] = value if isinstance(value, str) else p.default
    return out


def bind(query: GalleryQuery, given: dict[str, object]) -> Bound:
    return query.bind(given)


def job_for(bound: Bound, select_format, ask_format, graph_format) -> QueryJob:
    text, bindings = bound.prepared()
    return QueryJob(text, select_format=select_format, ask_format=ask_format, graph_format=graph_format,
                    max_rows=max_rows(), bindings=tuple(sorted(bindings.items())) if bindings else None)


def lookup(query_id: str) -> GalleryQuery:
    return gallery().get(query_id)


# -- pages -----------------------------------------------------------------------------------------------------------

def tag_counts() -> list[tuple[str, int]]:
    found: dict[str, int] = {}
    for q in gallery():
        for t in q.tags:
            found[t] = found.get(t, 0) + 1
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def card_context(query: GalleryQuery, values: dict[str, str], bound: Bound | None) -> dict:
    try:
        text = (bound or query.bind()).sparql_text()
    except ParameterError:
        text = query.sparql
    return {"q": query, "values": values, "sparql_tokens": sparql_tokens(text), "sparql": text,
            "query_string": query_string(query, values)}


def query_string(query: GalleryQuery, values: dict[str, str]) -> str:
    from urllib.parse import urlencode
    return urlencode([(p.name, values[p.name]) for p in query.parameters])


@bp.route("/")
def index():
    queries = list(gallery())
    cards = [card_context(q, form_values(q, {}), None) for q in queries]
    return page("gallery.html", cards=cards, tags=tag_counts(), counts=counts(), active="gallery")


@bp.route("/queries/<query_id>")
def query_page(query_id: str):
    """One gallery query, run with the values of the query string (or its defaults): the page a form without
    JavaScript submits to, and a link to share a result."""
    try:
        query = lookup(query_id)
    except UnknownQuery as err:
        return error_page(404, "Not Found", str(err))
    given = given_values(query, form=True)
    values = form_values(query, given)
    status, error, result = 200, None, None
    bound = None
    try:
        bound = bind(query, given)
    except ParameterError as err:
        status, error = 400, str(err)
    if bound is not None:
        try:
            result = run_for_page(bound)
        except ExecutionError as err:
            status, error = err.status, str(err)
    ctx = card_context(query, values, bound)
    return page("query.html", status=status, card=ctx, error=error, result=result, active="gallery",
                counts=counts())


def run_for_page(bound: Bound) -> dict:
    """Run a bound query for a page: a table of cells (or the ASK answer)."""
    base = resource_base()
    outcome = run_job(job_for(bound, "json", "json", "ntriples"))
    if bound.query.form in ("CONSTRUCT", "DESCRIBE"):
        return {"kind": "graph", "table": triple_table(triples(outcome), base, outcome.truncated)}
    found = solutions(outcome)
    if isinstance(found, bool):
        return {"kind": "boolean", "value": found}
    return {"kind": "table", "table": table(found, base, hide=bound.query.parameter_names)}


@bp.route("/editor")
@bp.route("/editor/<query_id>")
def editor(query_id: str | None = None):
    """The SPARQL editor: any query, run against /sparql by the page's script. `/editor/<id>?param=...` starts from a
    gallery query with those values (as a VALUES row), `/editor?query=...` from the given text."""
    error = None
    text = request.args.get("query")
    status = 200
    if query_id is not None:
        try:
            query = lookup(query_id)
        except UnknownQuery as err:
            return error_page(404, "Not Found", str(err))
        try:
            text = bind(query, given_values(query, form=True)).sparql_text()
        except ParameterError as err:
            status, error, text = 400, str(err), query.sparql
    if text is None:
        text = DEFAULT_EDITOR_QUERY
    choices = [{"id": q.id, "title": q.title, "sparql": q.to_json()["sparql_with_defaults"]} for q in gallery()]
    return page("editor.html", status=status, text=text, error=error, choices=choices, active="editor",
                counts=counts(), selected=query_id)


# -- the JSON API ----------------------------------------------------------------------------------------------------

@bp.route("/api/queries")
def api_list():
    body = current_app.json.dumps(gallery().to_json())
    return secure(Response(body, content_type="application/json"))


@bp.route("/api/queries/<query_id>")
def api_run(query_id: str):
    """Run one gallery query: SPARQL JSON results by default, other formats by Accept or ?_format=."""
    try:
        query = lookup(query_id)
    except UnknownQuery as err:
        return text_response(404, f"404 Not Found: {err}")
    if len(request.query_string) > current_app.config.get("MAX_URL_BYTES", 8190):
        return text_response(414, "414 Request-URI Too Long: the query string is too long")
    try:
        bound = bind(query, given_values(query))
    except ParameterError as err:
        return text_response(400, f"400 Bad Request: {err}")
    formats = answer_formats(query)
    if isinstance(formats, Response):
        return formats
    try:
        outcome = run_job(job_for(bound, *formats))
    except ExecutionError as err:
        return text_response(err.status, str(err))
    response = Response(outcome.body, content_type=content_type(outcome.format))
    for name, value in outcome.headers:
        if name.startswith("X-Paperkg-"):
            response.headers[name] = value
    response.headers["Vary"] = "Accept"
    if request.args.get(RESERVED):
        response.headers["Content-Disposition"] = \
            f'inline; filename="{query.id}.{EXTENSIONS.get(outcome.format, "txt")}"'
    return secure(response)


def answer_formats(query: GalleryQuery) -> tuple[str | None, str | None, str | None] | Response:
    """(SELECT, ASK, graph) formats from ?_format= or the Accept header; a 400/406 answer when none fits."""
    kind = "graph" if query.form in ("CONSTRUCT", "DESCRIBE") else "tabular"
    asked = request.args.get(RESERVED)
    if asked is not None:
        fmt = FORMAT_NAMES[kind].get(asked.strip().lower())
        if fmt is None:
            names = ", ".join(dict.fromkeys(FORMAT_NAMES[kind]))
            return text_response(400, f"400 Bad Request: _format {asked[:40]!r} does not fit a {query.form} query; "
                                      f"use one of {names}")
        return (fmt, fmt, None) if kind == "tabular" else (None, None, fmt)
    select_fmt, ask_fmt, graph_fmt = negotiate_results(request.headers.get("Accept"))
    chosen = {"SELECT": select_fmt, "ASK": ask_fmt}.get(query.form, graph_fmt)
    if chosen is None:
        offers = {"SELECT": SOLUTIONS, "ASK": BOOLEAN}.get(query.form, GRAPH)
        names = ", ".join(dict.fromkeys(m for m, _ in offers))
        return text_response(406, f"406 Not Acceptable: no acceptable format for a {query.form} result; "
                                  f"available: {names}")
    return select_fmt, ask_fmt, graph_fmt
