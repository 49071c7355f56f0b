"""What the web pages share: the gallery of this app, queries run through the executor, result tables as cells
for the templates, links for IRIs, SPARQL highlighting and the headers every page carries.

Views never open the store: every query here is a `QueryJob` answered by a worker of the executor (through
`server.sparql.answer`, so answers are cached per store generation like the endpoint's). Values from a request reach
a query only as pyoxigraph terms bound to variables (`QueryJob.bindings`), never as query text.
"""
from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import quote

from flask import Response, current_app, render_template, request
from pyoxigraph import (BlankNode, Literal, NamedNode, QueryBoolean, QueryResultsFormat, RdfFormat, Triple, parse,
                        parse_query_results)

from kg.executor import ExecutionError, QueryJob
from kg.queries import Gallery
from kg.vocab import DEFAULT_BASE, PREFIXES

from . import app_once, state
from .sparql import answer

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                             "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
GZIP_ABOVE = 8 << 10  # pages larger than this are sent gzip-compressed to clients that accept it
HTML_ROWS = 1000  # rows a page shows; downloads have them all (up to the server's row cap)
COMPACT_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "res"}
# Content Security Policy of every page: scripts, styles and images from this server only, no inline code, no
# plugins, no framing. A page that somehow carried injected markup still could not run it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


# -- the gallery -----------------------------------------------------------------------------------------------------

def gallery() -> Gallery:
    """The gallery of this app (read once; a broken .rq file is left out and logged, not fatal)."""
    return app_once("paperkg.gallery", load_gallery)


def load_gallery() -> Gallery:
    found = Gallery.load(current_app.config.get("QUERIES_DIR"), strict=False)
    for error in found.errors:
        current_app.logger.warning("left out of the gallery: %s", error)
    return found


# -- running queries through the executor ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """An answer from the executor: body, its format name, whether the row cap cut it."""

    body: bytes
    format: str
    truncated: bool
    headers: list


def run_job(job: QueryJob) -> Outcome:
    """Run a job through the executor and the answer cache (ExecutionError when it cannot be answered)."""
    headers, body = answer(state(), job)
    truncated = any(k == "X-Paperkg-Truncated" for k, _ in headers)
    fmt = next((job_format(job, v) for k, v in headers if k == "Content-Type"), "json")
    return Outcome(body, fmt, truncated, headers)


def job_format(job: QueryJob, content_type: str) -> str:
    from .negotiation import MEDIA_TYPE
    media = content_type.split(";")[0].strip()
    for fmt in (job.select_format, job.ask_format, job.graph_format):
        if fmt and MEDIA_TYPE.get(fmt) == media:
            return fmt
    return "json"


def max_rows(limit: int | None = None) -> int | None:
    """The server's row cap, lowered to `limit` when given."""
    cap = current_app.config.get("MAX_ROWS") or None
    if limit is None:
        return cap
    return limit if cap is None else min(cap, limit)


def select_job(text: str, bindings: dict | None = None, *, limit: int | None = None) -> QueryJob:
    """A job for a fixed SELECT text of this server with values bound to its variables."""
    bound = tuple(sorted(bindings.items())) if bindings else None
    return QueryJob(text, select_format="json", ask_format="json", graph_format="ntriples",
                    max_rows=max_rows(limit), bindings=bound)


@dataclass
class Solutions:
    variables: list[str]
    rows: list[list]  # pyoxigraph terms, None when unbound
    truncated: bool = False


def solutions(outcome: Outcome) -> Solutions | bool:
    """SELECT rows (terms) or an ASK answer from SPARQL JSON results."""
    result = parse_query_results(outcome.body, format=QueryResultsFormat.JSON)
    if isinstance(result, QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return Solutions(names, [[row[n] for n in names] for row in result], outcome.truncated)


def triples(outcome: Outcome) -> list[Triple]:
    """The triples of an N-Triples answer."""
    return [Triple(q.subject, q.predicate, q.object) for q in parse(outcome.body, format=RdfFormat.N_TRIPLES)]


def select(text: str, bindings: dict | None = None, *, limit: int | None = None) -> Solutions:
    found = solutions(run_job(select_job(text, bindings, limit=limit)))
    if isinstance(found, bool):  # pragma: no cover - our fixed texts are SELECTs
        raise ExecutionError("expected SELECT results", 500)
    return found


def records(found: Solutions) -> list[dict]:
    return [dict(zip(found.variables, row, strict=True)) for row in found.rows]


# -- the resource base of the store ----------------------------------------------------------------------------------

BASE_QUERY = ("PREFIX prov: <http://www.w3.org/ns/prov#>\n"
              "SELECT ?activity WHERE { ?activity a prov:Activity } ORDER BY ?activity LIMIT 1")


def resource_base() -> str:
    """The base under which the store's IRIs were minted (read off its extraction activity, once per store
    generation); the contract's default when the store does not say, or config RESOURCE_BASE when set."""
    configured = current_app.config.get("RESOURCE_BASE")
    if configured:
        return configured
    st = state()
    try:
        generation = st.executor.current_generation()
    except Exception:  # noqa: BLE001 - no store: the default base still makes links
        return DEFAULT_BASE
    cached = current_app.extensions.get("paperkg.base")
    if cached is not None and cached[0] == generation:
        return cached[1]
    base = DEFAULT_BASE
    try:
        found = select(BASE_QUERY)
        if found.rows and isinstance(found.rows[0][0], NamedNode):
            iri = found.rows[0][0].value
            if "activity/" in iri:
                base = iri[: iri.rindex("activity/")]
    except ExecutionError:
        return DEFAULT_BASE
    current_app.extensions["paperkg.base"] = (generation, base)
    return base


# -- links and cells -------------------------------------------------------------------------------------------------

SAFE_SCHEMES = ("http://", "https://")


def resource_path(local: str) -> str:
    """The page path of `{base}{local}`: each character of the local part that is not plain is percent-encoded
    (a `%` too), so the path decodes back to exactly that local part."""
    return request.script_root + "/resource/" + quote(local, safe="/")


def href_for(iri: str, base: str) -> tuple[str | None, bool]:
    """(link, external) for an IRI: a resource page for IRIs under the base, the IRI itself for other http(s) IRIs,
    no link for anything else (javascript:, data:, urn:... are shown as text, never followed)."""
    if iri.startswith(base) and len(iri) > len(base):
        return resource_path(iri[len(base):]), False
    if iri.lower().startswith(SAFE_SCHEMES):
        return iri, True
    return None, False


def compact(iri: str, base: str) -> str:
    """A short form for display: `dataset/imagenet` under the base, `kg:Method` for known vocabularies."""
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base):]
    for prefix, ns in COMPACT_PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns) and re.fullmatch(r"[\w.-]+", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = "literal"  # iri, label (a literal linked to its row's IRI), literal, number, boolean, bnode, empty
    href: str | None = None
    external: bool = False
    title: str | None = None
    lang: str | None = None


EMPTY = Cell("", "empty")


def cell(term, base: str, label: str | None = None) -> Cell:
    """How a term shows in a table (label: the text to show for an IRI instead of its short form)."""
    if term is None:
        return EMPTY
    if isinstance(term, NamedNode):
        href, external = href_for(term.value, base)
        return Cell(label or compact(term.value, base), "iri", href, external, term.value)
    if isinstance(term, BlankNode):
        return Cell("_:" + term.value, "bnode")
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt in NUMERIC:
            return Cell(term.value, "number", title=compact(dt, base))
        if dt == XSD + "boolean":
            return Cell(term.value, "boolean")
        return Cell(term.value, "literal", lang=term.language or None,
                    title=None if dt in (XSD + "string", "") or term.language else compact(dt, base))
    if isinstance(term, Triple):
        return Cell(f"<< {term.subject} {term.predicate} {term.object} >>", "literal")
    return Cell(str(term))


def pairs(variables: Sequence[str]) -> dict[str, str]:
    """Label columns and the IRI column each names: `title` -> `paper`, `label` -> `entity`, `x_label` -> `x_iri` or
    `x`. A label cell links where its IRI does (the same rule as app.js)."""
    names = set(variables)
    out = {}
    for v in variables:
        if v == "title":
            candidates = ["paper"]
        elif v == "label":
            candidates = ["entity"]
        elif v.endswith("_label"):
            stem = v[: -len("_label")]
            candidates = [stem + "_iri", stem]
        else:
            continue
        for c in candidates:
            if c in names:
                out[v] = c
                break
    return out


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    total: int
    truncated: bool = False  # cut by the server's row cap
    shown: int = 0


def table(found: Solutions, base: str, hide: Iterable[str] = (), limit: int = HTML_ROWS) -> Table:
    """Cells for a result table: hidden columns dropped (a gallery query echoes its parameters), labels linked."""
    hidden = set(hide)
    keep = [i for i, v in enumerate(found.variables) if v not in hidden] or list(range(len(found.variables)))
    columns = [found.variables[i] for i in keep]
    index = {v: i for i, v in enumerate(found.variables)}
    linked = {label: index[iri] for label, iri in pairs(found.variables).items()}
    rows = []
    for row in found.rows[:limit]:
        cells = []
        for i in keep:
            name, term = found.variables[i], row[i]
            target = row[linked[name]] if name in linked else None
            if isinstance(target, NamedNode) and isinstance(term, Literal):
                href, external = href_for(target.value, base)
                cells.append(Cell(term.value, "label", href, external, target.value,
                                  term.language or None))
            else:
                cells.append(cell(term, base))
        rows.append(cells)
    return Table(columns, rows, len(found.rows), found.truncated, len(rows))


def triple_table(ts: list[Triple], base: str, truncated: bool, limit: int = HTML_ROWS) -> Table:
    rows = [[cell(t.subject, base), cell(t.predicate, base), cell(t.object, base)] for t in ts[:limit]]
    return Table(["subject", "predicate", "object"], rows, len(ts), truncated, len(rows))


# -- SPARQL highlighting (tokens the template escapes one by one) ----------------------------------------------------

KEYWORDS = frozenset("""
BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED FROM NAMED WHERE GROUP BY HAVING ORDER ASC DESC LIMIT
OFFSET VALUES OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND AS UNDEF NOT IN EXISTS A
""".split())
FUNCTIONS = frozenset("""
COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL
FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM
ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE
""".split())
_TOKENS = re.compile(r"""
 (?P<comment>\#[^\n\r]*)
|(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
|(?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
|(?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.%:-]*)
|(?P<word>[A-Za-z_][\w-]*)
|(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
|(?P<space>\s+)
|(?P<punct>.)
""", re.X | re.S)


@functools.lru_cache(maxsize=512)
def sparql_tokens(text: str) -> tuple[tuple[str, str], ...]:
    """(class, text) pieces of a SPARQL text for highlighting; class '' for plain text."""
    out: list[tuple[str, str]] = []
    for m in _TOKENS.finditer(text):
        kind, piece = m.lastgroup, m.group()
        if kind == "word":
            upper = piece.upper()
            kind = "kw" if upper in KEYWORDS else "fn" if upper in FUNCTIONS else ""
        elif kind in ("space", "punct"):
            kind = ""
        if out and out[-1][0] == kind == "":
            out[-1] = ("", out[-1][1] + piece)
        else:
            out.append((kind, piece))
    return tuple(out)


# -- pages -----------------------------------------------------------------------------------------------------------

def counts() -> dict | None:
    """Counts of the store for page headers (cached per generation by the service blueprint); None if unknown."""
    from .service import described
    try:
        data = described()
    except ExecutionError:
        return None
    return data["stats"] if data else None


def page(template: str, status: int = 200, **context) -> Response:
    """An HTML page (Jinja autoescapes every value) with the security headers."""
    context.setdefault("base", resource_base())
    body = render_template(template, **context).encode("utf-8")
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept-Encoding"
    if len(body) > GZIP_ABOVE and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(gzip.compress(body, compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
    return secure(response)


def secure(response: Response) -> Response:
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def wants_html(accept: str | None) -> bool:
    """Whether a client prefers an HTML page to plain text (browsers say text/html first)."""
    from .negotiation import choose
    return choose(accept, [("text/plain", "text"), ("text/html", "html")]) == "html" and \
        "text/html" in (accept or "")


def error_page(status: int, title: str, message: str) -> Response:
    """An error as a page for browsers, as short plain text for everything else (never a trace or a path)."""
    if wants_html(request.headers.get("Accept")):
        try:
            base = resource_base()
        except Exception:  # noqa: BLE001
            base = DEFAULT_BASE
        return page("error.html", status=status, title=title, message=message, code=status, base=base)
    from . import text_response
    return secure(text_response(status, f"{status} {title}: {message}"))


__all__ = ["gallery", "run_job", "select_job", "select", "solutions", "triples", "records", "resource_base",
           "href_for", "compact", "cell", "pairs", "table", "triple_table", "sparql_tokens", "page", "secure",
           "error_page", "wants_html", "Outcome", "Solutions", "Table", "Cell", "HTML_ROWS", "counts"]
