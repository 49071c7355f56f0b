"""Injection strings at every parameter of every gallery query, over HTTP: no extra rows, no error leak, no change
to the store.

The same oracle as the library's test (tests/test_queries_injection.py), through `kg serve`: a text parameter gives
a subset of what the widest value ("") gives, and the payload behind a character that is in no label gives exactly
what a harmless value gives; every other type refuses the payload with a short 400 naming the parameter. The store
is compared before and after by its whole N-Quads dump and its counts."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from pyoxigraph import RdfFormat, parse
from injection_strings import HARMLESS, MARK, WIDEST
from injection_strings import NASTY as SHORT_NASTY
from servers import start_server
from web_support import assert_clean_error

from kg.queries import Gallery

GALLERY = Gallery.load()
WITH_PARAMS = [(q.id, p.name) for q in GALLERY for p in q.parameters]
# over HTTP also the long ones: near a text parameter's limit, and past what a URL may carry
NASTY = SHORT_NASTY + ["A" * 999 + '" } UNION { ?s ?p ?o } #', "B" * 6000]


@pytest.fixture(scope="module")
def url(sample_store):
    with start_server(sample_store) as base:
        yield base


def fingerprint(http, url) -> tuple[str, dict]:
    dump = http.get(url + "/export.nq", timeout=60)
    assert dump.status_code == 200
    lines = sorted(dump.content.splitlines())
    return hashlib.sha256(b"\n".join(lines)).hexdigest(), http.get(url + "/health", timeout=30).json()["counts"]


@pytest.fixture(scope="module")
def before(http, url):
    return fingerprint(http, url)


def term_key(term: dict | None):
    if term is None:
        return None
    return (term["type"], str(term["value"]), term.get("datatype"), term.get("xml:lang"))


def comparable(response, hide: set[str]) -> Counter:
    media = response.headers["Content-Type"].split(";")[0]
    if media == "application/sparql-results+json":
        data = response.json()
        if "boolean" in data:
            return Counter([True]) if data["boolean"] else Counter()
        names = [v for v in data["head"]["vars"] if v not in hide]
        return Counter(tuple(term_key(b.get(n)) for n in names) for b in data["results"]["bindings"])
    return Counter(str(t) for t in parse(response.content, format=RdfFormat.TURTLE))


@pytest.mark.parametrize("query_id,name", WITH_PARAMS, ids=[f"{q}-{p}" for q, p in WITH_PARAMS])
def test_injection_strings_over_http(http, url, before, query_id, name):
    q = GALLERY.get(query_id)
    p = q.parameter(name)
    hide = set(q.parameter_names)
    api = f"{url}/api/queries/{query_id}"

    def rows(value):
        r = http.get(api, params={name: value}, timeout=60)
        assert r.status_code == 200, (value, r.text)
        return comparable(r, hide)

    widest = rows(WIDEST.get(p.type, HARMLESS.get(p.type, p.default)))
    harmless = rows(HARMLESS.get(p.type, p.default))
    for value in NASTY:
        r = http.get(api, params={name: value}, timeout=60)
        if r.status_code != 200:
            assert_clean_error(r, 400)
            assert r.headers["Content-Type"].startswith("text/plain")
            assert f"parameter '{name}'" in r.text and len(r.text) < 400
            assert p.type != "string" or len(value) > 1000, f"a text parameter refused {value!r}"
            continue
        assert p.type in ("string", "iri"), f"{p.type} parameter took {value!r}"
        got = comparable(r, hide)
        assert not (got - widest), f"{query_id}: {name}={value!r} gave rows no value gives"
        if p.type == "string":
            assert rows(MARK + value) == harmless, f"{query_id}: {name}={MARK + value!r} gave extra rows"
        if p.type == "string" and r.headers["Content-Type"].startswith("application/sparql-results+json"):
            data = r.json()
            for b in data.get("results", {}).get("bindings", []):  # the value came back whole, as one term
                if name in b:
                    assert b[name]["value"] == value


def test_injection_strings_on_the_pages(http, url):
    for value in NASTY[:8] + ["<script>alert(1)</script>"]:
        for path in ("/queries/label-search", "/editor/label-search", "/queries/paper-subgraph"):
            param = "paper" if "subgraph" in path else "q"
            r = http.get(url + path, params={param: value}, timeout=60)
            assert r.status_code in (200, 400), (path, value, r.status_code)
            assert "Traceback" not in r.text and "/work/" not in r.text
            assert "<script>alert" not in r.text


def test_the_store_did_not_change(http, url, before):
    assert fingerprint(http, url) == before
