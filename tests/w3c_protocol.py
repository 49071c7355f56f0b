"""A runner of the W3C SPARQL 1.1 Protocol test suite (manifest.ttl): read the tests, load their data, replay their
HTTP requests against a live endpoint and check the responses (status class, boolean, format).

    tests = read_manifest(MANIFEST)
    load_data(tests, store)                      # `kg load FILE --store DIR --graph IRI` per data graph
    failures = run_test(base_url, tests[0])      # [] when the test passes

Request paths in the manifest start with `/sparql/`; they are sent to `endpoint` (default `/sparql`).
"""
from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

# the suite's manifest and data (a copy of /work/shared/w3c/protocol); KG_W3C_PROTOCOL_MANIFEST names another copy
MANIFEST = Path(os.environ.get("KG_W3C_PROTOCOL_MANIFEST")
                or Path(__file__).resolve().parent / "data" / "w3c-protocol" / "manifest.ttl")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = RESULT_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/n-quads": "nquads", "application/trig": "trig"}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[str]                  # "2xx", "4xx", or exact codes such as "200"
    boolean: bool | None = None
    format: str | None = None            # "boolean", "tabular" or "RDF"


@dataclass
class ProtocolTest:
    id: str
    name: str
    exchanges: list[Exchange]
    data: list[tuple[Path, str]] = field(default_factory=list)   # (file, graph IRI)

    @property
    def is_update(self) -> bool:
        return self.id.startswith("update_")


def read_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    g = Graph()
    g.parse(path, format="turtle", publicID=path.resolve().as_uri())
    manifest = next(g.subjects(MF.entries, None))
    tests = []
    for node in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(node, MF.action)
        exchanges = [_exchange(g, r) for r in Collection(g, g.value(action, HT.requests))]
        data = []
        for gd in g.objects(node, UT.graphData):
            file = Path(str(g.value(gd, UT.graph)).removeprefix("file://"))
            data.append((file, str(g.value(gd, RDFS.label))))
        tests.append(ProtocolTest(str(node).rsplit("#", 1)[-1], str(g.value(node, MF.name)), exchanges,
                                  sorted(data, key=lambda d: d[1])))
    return tests


def _exchange(g: Graph, r) -> Exchange:
    headers = {}
    hlist = g.value(r, HT.headers)
    if hlist is not None:
        for h in Collection(g, hlist):
            headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
    body = None
    b = g.value(r, HT.body)
    if b is not None:
        encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(b, CNT.chars)).encode(encoding)
    resp = g.value(r, HT.resp)
    statuses = sorted(_status(s) for s in g.objects(resp, MF.expectedStatus))
    boolean = g.value(resp, MF.expectedBoolean)
    fmt = g.value(resp, MF.expectedFormat)
    return Exchange(str(g.value(r, HT.methodName)), str(g.value(r, HT.absolutePath)), headers, body, statuses,
                    None if boolean is None else bool(boolean.toPython()), None if fmt is None else str(fmt))


def _status(node: URIRef) -> str:
    local = str(node).rsplit("#", 1)[-1]
    m = re.fullmatch(r"StatusCode(\dxx|\d{3})", local)
    if not m:
        raise ValueError(f"unknown expected status {node}")
    return m.group(1)


def load_data(tests: list[ProtocolTest], store: Path, run_kg) -> list[tuple[Path, str]]:
    """Load every data graph the tests name into `store` with `kg load FILE --store DIR --graph IRI`."""
    graphs = sorted({d for t in tests for d in t.data}, key=lambda d: d[1])
    for file, iri in graphs:
        run_kg("load", file, "--store", store, "--graph", iri, check=True)
    return graphs


def status_ok(code: int, expected: list[str]) -> bool:
    return any(str(code) == e or (e.endswith("xx") and str(code)[0] == e[0]) for e in expected)


def run_test(base_url: str, test: ProtocolTest, endpoint: str = "/sparql", session: requests.Session | None = None,
             expect: dict[int, list[str]] | None = None) -> list[str]:
    """Replay a test; the list of what went wrong (empty when it passes). `expect` overrides the expected status of
    the exchange at that index (and skips the checks of the body), e.g. {0: ["403"]} for an update in read-only mode.
    """
    http = session or requests.Session()
    failures = []
    for i, ex in enumerate(test.exchanges):
        path = endpoint + ex.path[len("/sparql/"):] if ex.path.startswith("/sparql/") else ex.path
        r = http.request(ex.method, base_url + path, data=ex.body, headers=ex.headers, allow_redirects=False,
                         timeout=60)
        statuses = expect.get(i, ex.statuses) if expect else ex.statuses
        if not status_ok(r.status_code, statuses):
            failures.append(f"request {i + 1}: status {r.status_code}, expected {'/'.join(statuses)}: "
                            f"{r.text[:200]!r}")
            break
        if expect and i in expect:
            break
        media = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ex.format == "boolean" or ex.boolean is not None:
            value = parse_boolean(r.content, media)
            if value is None:
                failures.append(f"request {i + 1}: not a boolean result ({media}): {r.text[:200]!r}")
            elif ex.boolean is not None and value != ex.boolean:
                failures.append(f"request {i + 1}: boolean {value}, expected {ex.boolean}")
        elif ex.format == "tabular":
            if media not in TABULAR_TYPES or not tabular_ok(r.content, media):
                failures.append(f"request {i + 1}: not tabular results ({media}): {r.text[:200]!r}")
        elif ex.format == "RDF":
            if media not in RDF_TYPES or not rdf_ok(r.content, media):
                failures.append(f"request {i + 1}: not RDF ({media}): {r.text[:200]!r}")
    return failures


def parse_boolean(body: bytes, media: str) -> bool | None:
    try:
        if media == "application/sparql-results+json":
            value = json.loads(body).get("boolean")
            return value if isinstance(value, bool) else None
        if media == "application/sparql-results+xml":
            el = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
            return None if el is None else el.text.strip() == "true"
    except (ValueError, ET.ParseError, AttributeError):
        return None
    return None


def tabular_ok(body: bytes, media: str) -> bool:
    try:
        if media == "application/sparql-results+json":
            doc = json.loads(body)
            return "vars" in doc["head"] and "bindings" in doc["results"]
        if media == "application/sparql-results+xml":
            return ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}results") is not None
        return bool(body.strip())
    except (ValueError, KeyError, ET.ParseError):
        return False


def rdf_ok(body: bytes, media: str) -> bool:
    try:
        Graph().parse(io.BytesIO(body), format=RDF_TYPES[media])
        return True
    except Exception:  # noqa: BLE001 - any parse failure means "not RDF"
        return False


__all__ = ["MANIFEST", "ProtocolTest", "Exchange", "read_manifest", "load_data", "run_test", "status_ok"]
