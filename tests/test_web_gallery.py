"""The gallery over HTTP: `/api/queries`, `/api/queries/<id>`, the gallery page, query pages and the editor page.

One `kg serve` on the sample store for the module; every request is a real HTTP request on loopback."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from markupsafe import escape
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from rdflib import Graph
from servers import start_server
from web_support import assert_clean_error, elements

from kg.queries import Gallery

GALLERY = Gallery.load()
IDS = GALLERY.ids
WITH_PARAMS = [(q.id, p.name) for q in GALLERY for p in q.parameters]
ODD = ["", " ", "ÜñíçødΞ ✓ 漢字 🙂 مرحبا", "9" * 40, "-" + "9" * 40, "1e308", "NaN", "-0", "0", "3.5", "true",
       "x" * 1001, "\u202e\u0000", "%00", "<b>", "https://example.org/ü"]


@pytest.fixture(scope="module")
def url(sample_store):
    with start_server(sample_store) as base:
        yield base


def run(http, url, query_id, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return http.get(f"{url}/api/queries/{query_id}", params=params, headers=headers, timeout=60)


def result_size(response) -> int:
    """Rows of a SELECT, 1 for a true ASK, triples of a graph."""
    media = response.headers["Content-Type"].split(";")[0]
    if media == "application/sparql-results+json":
        data = response.json()
        if "boolean" in data:
            return int(data["boolean"])
        return len(data["results"]["bindings"])
    return len(list(parse(response.content, format=RdfFormat.TURTLE)))


# -- the JSON API -------------------------------------------------------------------------------------------------

def test_the_list_is_the_gallery_as_interfaces_md_says(http, url):
    r = http.get(url + "/api/queries", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    listed = r.json()
    assert [q["id"] for q in listed] == IDS and len(listed) >= 25
    for entry in listed:
        q = GALLERY.get(entry["id"])
        assert entry["title"] == q.title and entry["description"] == q.description
        assert entry["tags"] == list(q.tags) and entry["sparql"] == q.sparql
        assert [p["name"] for p in entry["parameters"]] == list(q.parameter_names)
        for p in entry["parameters"]:
            assert set(p) >= {"name", "type", "default", "help"}


@pytest.mark.parametrize("query_id", IDS)
def test_every_query_answers_with_its_defaults(http, url, query_id):
    r = run(http, url, query_id)
    assert r.status_code == 200, r.text
    q = GALLERY.get(query_id)
    expected = "text/turtle" if q.form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
    assert r.headers["Content-Type"].split(";")[0] == expected
    assert result_size(r) > 0, f"{query_id} gave nothing with its defaults"


@pytest.mark.parametrize("query_id,name", WITH_PARAMS, ids=[f"{q}-{p}" for q, p in WITH_PARAMS])
def test_odd_values_give_an_answer_or_a_clear_400(http, url, query_id, name):
    q = GALLERY.get(query_id)
    param = q.parameter(name)
    for value in ODD:
        r = run(http, url, query_id, **{name: value})
        if r.status_code == 200:
            result_size(r)  # a well-formed answer
            continue
        assert_clean_error(r, 400)
        assert r.headers["Content-Type"].startswith("text/plain")
        assert f"parameter '{name}'" in r.text, r.text
        assert len(r.text) < 400
        assert param.type != "string" or len(value) > 1000, f"a string parameter takes {value!r}"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser
def test_formats_by_accept_and_by_format_parameter(http, url):
    r = run(http, url, "top-datasets", accept="text/csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:2] == ["dataset", "label"] or len(rows) > 1
    r = run(http, url, "top-datasets", accept="text/tab-separated-values")
    assert r.headers["Content-Type"].startswith("text/tab-separated-values") and r.text.startswith("?")
    r = run(http, url, "top-datasets", accept="application/sparql-results+xml")
    assert len(list(parse_query_results(r.content, format=QueryResultsFormat.XML))) > 0
    for fmt, media in [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                       ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml")]:
        r = run(http, url, "top-datasets", _format=fmt)
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media
        assert r.headers["Content-Disposition"].endswith(f'top-datasets.{fmt}"')
    for fmt, media, rdflib_format in [("turtle", "text/turtle", "turtle"), ("jsonld", "application/ld+json", "json-ld"),
                                      ("ntriples", "application/n-triples", "nt")]:
        r = run(http, url, "paper-subgraph", _format=fmt)
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media
        assert len(Graph().parse(data=r.text, format=rdflib_format)) > 0
    r = run(http, url, "paper-subgraph", accept="application/ld+json")
    assert r.headers["Content-Type"].startswith("application/ld+json")


def test_the_answer_matches_the_library_run_on_the_store(http, url, sample_kg):
    q = GALLERY.get("leaderboard")
    bound = q.bind({"dataset": "ImageNet", "metric": "acc"})
    expected = sorted(tuple(str(row[v]) if row[v] is not None else None for v in ("value", "result"))
                      for row in bound.run(sample_kg))
    r = run(http, url, "leaderboard", dataset="ImageNet", metric="acc")
    got = sorted(tuple(str(row[v]) if row[v] is not None else None for v in ("value", "result"))
                 for row in parse_query_results(r.content, format=QueryResultsFormat.JSON))
    assert got == expected and got


def test_refusals_are_short_plain_and_name_what_is_wrong(http, url):
    r = run(http, url, "no-such-query")
    assert_clean_error(r, 404)
    assert "no-such-query" in r.text
    r = run(http, url, "leaderboar")
    assert r.status_code == 404 and "leaderboard" in r.text  # a suggestion
    r = run(http, url, "leaderboard", colour="red")
    assert_clean_error(r, 400)
    assert "colour" in r.text
    r = http.get(f"{url}/api/queries/leaderboard?dataset=a&dataset=b", timeout=30)
    assert_clean_error(r, 400)
    assert "parameter 'dataset'" in r.text
    r = run(http, url, "abbreviation-glossary", max_length="twelve")
    assert_clean_error(r, 400)
    assert "parameter 'max_length'" in r.text
    r = run(http, url, "top-datasets", _format="pdf")
    assert_clean_error(r, 400)
    r = run(http, url, "paper-subgraph", accept="text/csv")
    assert_clean_error(r, 406)
    r = run(http, url, "top-datasets", accept="image/png")
    assert_clean_error(r, 406)


def test_updates_cannot_ride_on_gallery_parameters(http, url):
    before = http.get(url + "/health", timeout=30).json()["counts"]
    for params in ({"q": "x", "update": "DROP ALL"}, {"q": "DROP ALL"}, {"q": "x } ; CLEAR ALL ; #"}):
        r = run(http, url, "label-search", **params)
        assert r.status_code in (200, 400, 403), r.text
    r = http.post(url + "/api/queries/label-search", data={"update": "DROP ALL"}, timeout=30)
    assert r.status_code in (403, 405)
    assert http.get(url + "/health", timeout=30).json()["counts"] == before


# -- pages ----------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gallery_page(http, url):
    r = http.get(url + "/", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    return r


def test_the_gallery_page_shows_every_query(gallery_page):
    page = gallery_page.text
    found = elements(page)
    cards = {a["id"][2:]: a for t, a in found.tags if t == "article" and a.get("id", "").startswith("q-")}
    assert list(cards) == IDS
    for q in GALLERY:
        assert str(escape(q.title)) in page and str(escape(q.description)) in page
        assert cards[q.id]["data-tags"] == "|".join(q.tags)
    # the SPARQL text of each query, with its default values, as the text of its code block
    code_blocks = re.findall(r'<pre class="code"><code>(.*?)</code></pre>', page, re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in code_blocks]
    assert texts == [q.bind().sparql_text() for q in GALLERY]


def test_every_parameter_has_a_labelled_typed_input(gallery_page):
    found = elements(gallery_page.text)
    labels = {a["for"] for t, a in found.tags if t == "label" and "for" in a}
    fields = {a.get("id"): (t, a) for t, a in found.tags if t in ("input", "select")}
    for q in GALLERY:
        for p in q.parameters:
            fid = f"p-{q.id}-{p.name}"
            assert fid in fields and fid in labels, fid
            tag, attrs = fields[fid]
            assert attrs["name"] == p.name
            assert attrs.get("aria-describedby") == fid + "-help"
            expected = {"integer": ("input", "number"), "decimal": ("input", "number"), "string": ("input", "text"),
                        "iri": ("input", "text"), "choice": ("select", None), "boolean": ("select", None)}[p.type]
            assert tag == expected[0] and attrs.get("type") == expected[1]
            if tag == "input":
                assert attrs["value"] == p.default


def test_pages_use_no_external_asset_and_carry_a_content_security_policy(http, url, gallery_page):
    for path in ("/", "/editor", "/queries/leaderboard", "/resource/dataset/imagenet"):
        r = http.get(url + path, timeout=30)
        assert r.status_code == 200, path
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        for tag, attrs in elements(r.text).tags:
            for attr in ("src", "href"):
                if tag in ("script", "link", "img", "iframe") and attr in attrs:
                    assert attrs[attr].startswith("/"), f"{path}: external asset {attrs[attr]}"
            if tag == "script":
                assert "src" in attrs or attrs.get("type") == "application/json", "inline script"
            assert "style" not in attrs, f"{path}: inline style on <{tag}>"
            assert not any(a.startswith("on") for a in attrs), f"{path}: inline handler on <{tag}>"
    for asset in ("style.css", "app.js", "favicon.svg"):
        r = http.get(f"{url}/static/{asset}", timeout=30)
        assert r.status_code == 200 and len(r.content) > 100
        assert not re.search(r"https?://(?!w3id\.org|www\.w3\.org|purl\.org|schema\.org)", r.text), asset


def test_a_query_page_runs_the_query_without_javascript(http, url):
    r = http.get(url + "/queries/leaderboard", params={"dataset": "CIFAR", "metric": "accuracy"}, timeout=30)
    assert r.status_code == 200
    assert '<table class="data">' in r.text and "CIFAR-10" in r.text
    assert "/resource/paper/" in r.text  # titles and IRIs link to entity pages
    # the parameter columns (which echo the values) are left out of the table
    header = re.search(r"<thead>(.*?)</thead>", r.text, re.S).group(1)
    assert ">order<" not in header and ">value<" in header
    r = http.get(url + "/queries/paper-subgraph", timeout=30)
    assert r.status_code == 200 and "<th scope=\"col\">predicate</th>" in r.text
    r = http.get(url + "/queries/name-in-graph", timeout=30)
    assert r.status_code == 200 and 'class="answer' in r.text
    r = http.get(url + "/queries/abbreviation-glossary", params={"max_length": "lots"}, timeout=30)
    assert r.status_code == 400 and "parameter &#39;max_length&#39;" in r.text and 'role="alert"' in r.text
    r = http.get(url + "/queries/no-such-query", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")


def test_download_and_editor_links_carry_the_values(http, url):
    r = http.get(url + "/queries/leaderboard", params={"dataset": "Image Net & co"}, timeout=30)
    links = [a for t, a in elements(r.text).tags if t == "a" and a.get("data-link")]
    editor = next(a for a in links if a["data-link"] == "editor")
    assert dict(parse_qsl(urlsplit(editor["href"]).query))["dataset"] == "Image Net & co"
    downloads = {a["data-format"]: a["href"] for a in links if a["data-link"] == "download"}
    assert set(downloads) == {"csv", "json", "tsv"}
    got = http.get(url + downloads["csv"], timeout=30)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    assert dict(parse_qsl(urlsplit(downloads["json"]).query)) == {"dataset": "Image Net & co", "metric": "accuracy",
                                                                    "order": "descending", "_format": "json"}


def test_the_editor_starts_from_a_gallery_query_with_values(http, url):
    r = http.get(url + "/editor/leaderboard", params={"dataset": 'Image"Net'}, timeout=30)
    assert r.status_code == 200
    text = html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', r.text, re.S).group(1))
    assert text == GALLERY.get("leaderboard").bind({"dataset": 'Image"Net'}).sparql_text()
    assert 'VALUES (?dataset ?metric ?order) { ("Image\\"Net" "accuracy" "descending") }' in text
    choices = json.loads(re.search(r'<script type="application/json" id="gallery-queries">(.*?)</script>',
                                   r.text, re.S).group(1))
    assert [c["id"] for c in choices] == IDS
    r = http.get(url + "/editor", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert "ASK { ?s ?p ?o }" in r.text
    r = http.get(url + "/editor/leaderboard", params={"order": "sideways"}, timeout=30)
    assert r.status_code == 400 and "parameter &#39;order&#39;" in r.text
