"""The SPARQL 1.1 Protocol endpoint at /sparql: queries (GET, POST form, POST direct), updates when allowed, and the
service description when a GET carries no query.

The view reads and checks the request, decides the answer's format, and asks the executor (kg.executor) for the
bytes; it never touches the store. Answers are cached per store generation (server.cache).
"""
from __future__ import annotations

import functools
import hmac
import ipaddress
import re
from http import HTTPStatus
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request
from pyoxigraph import NamedNode

from kg.executor import ExecutionError, QueryJob
from kg.sparql_text import MAX_NESTING, calls_out, names_dataset, nesting_depth, operation
from kg.update import UpdateError, with_dataset

from . import SPARQL_PATHS, cors_headers, state, text_response
from .negotiation import BOOLEAN, GRAPH, SOLUTIONS, content_type, negotiate_results

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")
BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
NOT_FAST = frozenset({"update", "using-graph-uri", "using-named-graph-uri"})
EXPECTED = {"select": 0, "ask": 1, "construct": 2, "describe": 2}
OFFERS = (SOLUTIONS, BOOLEAN, GRAPH, GRAPH)


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


@functools.lru_cache(maxsize=2048)
def parse_params(raw: bytes) -> tuple[tuple[str, str], ...]:
    """Parameters of a query string or form body: percent-decoded UTF-8, or a ProtocolError."""
    if not raw:
        return ()
    if BAD_PERCENT.search(raw):
        raise ProtocolError(400, "malformed percent-encoding in the parameters")
    try:
        return tuple(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        raise ProtocolError(400, "the parameters are not UTF-8") from None
    except ValueError:
        raise ProtocolError(400, "malformed parameters") from None


def _charset_ok() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"only UTF-8 is accepted (the request says charset={charset[:40]})")


def read_request() -> list[tuple[str, str]]:
    """All protocol parameters of the request, from the URL and the body, in order."""
    cfg = current_app.config
    raw_qs = request.query_string
    if len(raw_qs) > cfg["MAX_URL_BYTES"]:
        raise ProtocolError(414, "the query string is too long: send the query with POST")
    params = list(parse_params(raw_qs))
    if request.method != "POST":
        return params
    mimetype = request.mimetype
    if mimetype == FORM:
        _charset_ok()
        return params + list(parse_params(request.get_data(cache=False)))
    if mimetype in (QUERY_TYPE, UPDATE_TYPE):
        _charset_ok()
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the request body is not UTF-8") from None
        return params + [("query" if mimetype == QUERY_TYPE else "update", text)]
    if not mimetype:
        raise ProtocolError(415, f"a POST needs a Content-Type: {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    raise ProtocolError(415, f"unsupported Content-Type {mimetype[:60]}: use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")


def _values(params, name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _graphs(params, name: str) -> tuple[str, ...] | None:
    values = _values(params, name)
    if not values:
        return None
    for v in values:
        try:
            NamedNode(v)
        except ValueError:
            raise ProtocolError(400, f"{name} is not a valid IRI: {v[:100]!r}") from None
    return tuple(values)


def endpoint_iri(environ) -> str:
    """This endpoint's IRI (the base IRI of queries and updates), from the request's Host; checked, as the Host
    header is the client's."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return _endpoint_iri(environ.get("wsgi.url_scheme", "http"), host)


@functools.lru_cache(maxsize=256)
def _endpoint_iri(scheme: str, host: str) -> str:
    iri = f"{scheme}://{host}/sparql"
    try:
        NamedNode(iri)
        return iri
    except ValueError:
        return "http://localhost/sparql"


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def endpoint():
    try:
        params = read_request()
        queries, updates = _values(params, "query"), _values(params, "update")
        if len(queries) > 1 or len(updates) > 1:
            raise ProtocolError(400, "more than one query or update in the request")
        if queries and updates:
            raise ProtocolError(400, "a request carries a query or an update, not both")
        if updates:
            return run_update(updates[0], params)
        if queries:
            return run_query(queries[0], params)
        if request.method == "POST":
            raise ProtocolError(400, "missing query= or update= parameter")
        if any(k in QUERY_DATASET or k in UPDATE_DATASET for k, _ in params):
            raise ProtocolError(400, "missing query= parameter")
        from .service import service_description
        return service_description()
    except ProtocolError as err:
        return text_response(err.status, err.message, err.headers)
    except ExecutionError as err:
        return text_response(err.status, str(err))


def check_nesting(text: str) -> None:
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise ProtocolError(400, f"the query nests brackets or operators {depth} levels deep; the limit is "
                                 f"{MAX_NESTING}")


def prepare_query(cfg, text: str, params, accept: str | None, environ) -> QueryJob:
    """The job for a query request, after every check that does not need the store (ProtocolError otherwise)."""
    if not text.strip():
        raise ProtocolError(400, "the query is empty")
    if any(k in UPDATE_DATASET for k, _ in params):
        raise ProtocolError(400, "using-graph-uri / using-named-graph-uri are for updates; a query takes "
                                 "default-graph-uri / named-graph-uri")
    check_nesting(text)
    form = operation(text)
    if form == "update":
        if not cfg["ALLOW_UPDATE"]:
            raise ProtocolError(403, "SPARQL Update is disabled: this endpoint is read-only")
        raise ProtocolError(400, "this is an update: send it with POST as update= or application/sparql-update")
    if not cfg["ALLOW_SERVICE"] and calls_out(text, "service"):
        raise ProtocolError(400, "SERVICE (federated query) is disabled on this endpoint: it makes no outbound "
                                 "requests")
    formats = negotiate_results(accept)
    if form in EXPECTED and formats[EXPECTED[form]] is None:
        offers = ", ".join(dict.fromkeys(m for m, _ in OFFERS[EXPECTED[form]]))
        raise ProtocolError(406, f"no acceptable format for a {form.upper()} result; available: {offers}")
    default_graphs = _graphs(params, "default-graph-uri")
    named_graphs = _graphs(params, "named-graph-uri")
    if named_graphs is not None and default_graphs is None:
        default_graphs = ()  # the protocol's dataset: only what the request names
    return QueryJob(text, default_graphs, named_graphs, default_graphs is None and not names_dataset(text),
                    endpoint_iri(environ), *formats, cfg["MAX_ROWS"] or None)


def answer(st, job: QueryJob) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of the answer to a query job, from the cache or from a worker (ExecutionError otherwise)."""
    executor = st.executor
    generation = executor.current_generation()
    found = st.answers.get(generation, job)
    if found is None:
        found = executor.query(job)
        st.answers.put(found.generation, job, found, len(found.body) + len(job.text))
        cache = "miss"
    else:
        cache = "hit"
    headers = [("Content-Type", content_type(found.format)), ("Vary", "Accept"), ("X-Paperkg-Cache", cache)]
    if found.truncated:
        headers += [("X-Paperkg-Truncated", "true"), ("X-Paperkg-Max-Rows", str(job.max_rows))]
    return headers, found.body


def run_query(text: str, params) -> Response:
    job = prepare_query(current_app.config, text, params, request.headers.get("Accept"), request.environ)
    headers, body = answer(state(), job)
    return Response(body, status=200, headers=headers)


def run_update(text: str, params) -> Response:
    cfg = current_app.config
    if not cfg["ALLOW_UPDATE"]:
        raise ProtocolError(403, "SPARQL Update is disabled: this endpoint is read-only")
    if request.method != "POST":
        raise ProtocolError(400, "an update must be sent with POST (update= or application/sparql-update)")
    _authorize()
    if not text.strip():
        raise ProtocolError(400, "the update is empty")
    if any(k in QUERY_DATASET for k, _ in params):
        raise ProtocolError(400, "default-graph-uri / named-graph-uri are for queries; an update takes "
                                 "using-graph-uri / using-named-graph-uri")
    check_nesting(text)
    if operation(text) in EXPECTED:
        raise ProtocolError(400, "this is a query: send it as query= or application/sparql-query")
    if not cfg["ALLOW_SERVICE"] and (calls_out(text, "service") or calls_out(text, "load")):
        raise ProtocolError(400, "LOAD and SERVICE are disabled on this endpoint: it makes no outbound requests")
    try:
        text = with_dataset(text, _values(params, "using-graph-uri"), _values(params, "using-named-graph-uri"))
    except UpdateError as err:
        raise ProtocolError(400, str(err)) from None
    st = state()
    st.executor.update(text, base_iri=endpoint_iri(request.environ))
    st.answers.clear()
    return Response(status=204)


def _authorize() -> None:
    token = current_app.config["UPDATE_TOKEN"]
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise ProtocolError(401, "updates need Authorization: Bearer <token>",
                                {"WWW-Authenticate": 'Bearer realm="paperkg"'})
        return
    try:
        loopback = ipaddress.ip_address((request.remote_addr or "").split("%")[0]).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ProtocolError(403, "updates are accepted from this machine only (or with an update token)")


def fast_path(app, inner):
    """WSGI in front of the app for the most frequent request, a GET with one query= (and the query dataset): it is
    answered with the same checks, job, cache and executor as the view, without Flask's per-request machinery.
    Anything else, and any request the checks refuse, goes on to the app, which answers it in full."""
    cfg = app.config
    st = app.extensions["paperkg"]
    extra = cors_headers(cfg)
    max_url = cfg["MAX_URL_BYTES"]

    def wsgi(environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") not in SPARQL_PATHS:
            return inner(environ, start_response)
        qs = environ.get("QUERY_STRING", "")
        if not qs or len(qs) > max_url:
            return inner(environ, start_response)
        try:
            params = parse_params(qs.encode("latin-1"))
            queries = [v for k, v in params if k == "query"]
            if len(queries) != 1 or any(k in NOT_FAST for k, _ in params):
                return inner(environ, start_response)
            job = prepare_query(cfg, queries[0], params, environ.get("HTTP_ACCEPT"), environ)
        except (ProtocolError, UnicodeError):
            return inner(environ, start_response)
        try:
            headers, body = answer(st, job)
        except ExecutionError as err:
            message = (str(err).rstrip("\n") + "\n").encode()
            start_response(f"{err.status} {HTTPStatus(err.status).phrase}",
                           [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(message)))]
                           + extra)
            return [message]
        start_response("200 OK", headers + [("Content-Length", str(len(body)))] + extra)
        return [body]

    return wsgi
