"""Entity pages at /resource/...: one for every minted IRI, what each kind of page shows, RDF by Accept, refusals
(unknown resources, path traversal) and hostile text rendered as text.

The store is the sample corpus plus a paper whose title, abstract and authors carry HTML and script, and a few
hostile triples (tests/web_support.py); one `kg serve` for the module."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from urllib.parse import quote, urlsplit

import pytest
import requests
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from servers import start_server
from web_support import (BASE, XSS_PAPER, XSS_PAPER_IRI, XSS_TITLE, assert_clean_error, assert_no_raw_payload,
                         build_web_store, elements)

KG = "https://w3id.org/paperkg/ontology#"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture(scope="module")
def web_store(tmp_path_factory):
    return build_web_store(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def url(web_store):
    with start_server(web_store) as base:
        yield base


def select(http, url, query) -> list[dict]:
    r = http.get(url + "/sparql", params={"query": query}, timeout=60)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def page_path(iri: str) -> str:
    return "/resource/" + quote(iri[len(BASE):], safe="/")


def get(http, url, iri, accept="text/html", **params):
    return http.get(url + page_path(iri), headers={"Accept": accept}, params=params, timeout=60)


@pytest.fixture(scope="module")
def minted(http, url) -> dict[str, str]:
    """Every IRI under the base that the graph describes, with its kind (paper, method, ...)."""
    rows = select(http, url, f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{BASE}\")) }}")
    return {r["s"]: r["s"][len(BASE):].split("/", 1)[0] for r in rows}


def test_every_minted_iri_has_a_page(url, minted):
    kinds = set(minted.values())
    assert {"paper", "method", "dataset", "task", "metric", "result", "claim"} <= kinds

    def fetch(iri):
        with requests.get(url + page_path(iri), headers={"Accept": "text/html"}, timeout=60) as r:
            return iri, r.status_code, r.headers.get("Content-Type", ""), r.text

    with ThreadPoolExecutor(6) as pool:
        for iri, status, media, text in pool.map(fetch, sorted(minted)):
            assert status == 200, (iri, status, text[:200])
            assert media.startswith("text/html")
            assert str(escape(iri)) in text  # the page names the IRI it is about
            assert_no_raw_payload(text, iri)


def test_a_paper_page(http, url):
    r = get(http, url, XSS_PAPER_IRI)
    page = r.text
    assert r.status_code == 200
    assert f"<h1>{escape(XSS_TITLE)}</h1>" in page
    assert str(escape(XSS_PAPER["abstract"])) in page
    for author in XSS_PAPER["authors"]:
        assert str(escape(author)) in page
    assert "arXiv:2401.99999" in page and "https://arxiv.org/abs/2401.99999" in page
    assert 'href="https://github.com/evil/xssnet"' in page and "github.com · evil/xssnet" in page
    for section in ("Proposes", "Evaluates on", "Methods", "Datasets", "Results", "Claims"):
        assert f">{section}<" in page or f">{section} <" in page, section
    links = {a["href"] for t, a in elements(page).tags if t == "a" and "href" in a}
    for entity in ("method/xssnet", "dataset/cifar10", "dataset/imagenet", "metric/accuracy"):
        assert f"/resource/{entity}" in links, entity
    assert "/resource/result/2401.99999-1" in links and "/resource/claim/2401.99999-2" in links
    # a result row: value and unit, metric, dataset, method, sentence
    row = re.search(r'<a href="/resource/result/2401.99999-1"[^>]*>91.5&nbsp;%</a>.*?</tr>', page, re.S).group(0)
    for part in ('href="/resource/metric/accuracy"', 'href="/resource/dataset/cifar10"',
                 'href="/resource/method/xssnet"', "XSSNet achieves 91.5% accuracy on CIFAR-10"):
        assert part in row, part


def test_an_entity_page(http, url):
    r = get(http, url, BASE + "dataset/cifar10")
    page = r.text
    assert r.status_code == 200 and "<h1>CIFAR-10</h1>" in page
    assert ">Dataset<" in page
    rows = select(http, url, f"SELECT ?a WHERE {{ <{BASE}dataset/cifar10> skos:altLabel ?a }}")
    for row in rows:
        assert str(escape(row["a"])) in page
    papers = select(http, url, f"SELECT DISTINCT ?p WHERE {{ ?p kg:mentions <{BASE}dataset/cifar10> }}")
    assert len(papers) > 1
    for p in papers:
        assert f'href="{page_path(p["p"])}"' in page
    assert str(escape(XSS_TITLE)) in page  # the hostile paper evaluates on it: its title, as text
    assert "evaluates on" in page
    assert "/resource/result/2401.99999-1" in page  # its results
    assert "/resource/claim/2401.99999-1" in page  # claims about it, with their sentences
    assert "XSSNet achieves 91.5% accuracy on CIFAR-10" in page


def test_result_and_claim_pages(http, url):
    page = get(http, url, BASE + "result/2401.99999-1").text
    assert "<h1>91.5% accuracy on CIFAR-10 by XSSNet</h1>" in page
    assert f'href="{page_path(XSS_PAPER_IRI)}"' in page and str(escape(XSS_TITLE)) in page
    assert "sentence 2 of the abstract" in page
    page = get(http, url, BASE + "claim/2401.99999-2").text
    assert str(escape("We show that <script>alert(3)</script> XSSNet improves ImageNet accuracy.")) in page
    assert 'href="/resource/method/xssnet"' in page and 'href="/resource/dataset/imagenet"' in page


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser
def test_rdf_descriptions_by_accept_and_format(http, url):
    iri = BASE + "method/xssnet"
    for accept, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]:
        r = get(http, url, iri, accept=accept)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept), accept
        assert r.headers["Vary"] == "Accept"
        g = Graph().parse(data=r.content, format=fmt)
        subject = URIRef(iri)
        assert (subject, RDFS_LABEL, Literal("XSSNet")) in g
        assert (URIRef(XSS_PAPER_IRI), URIRef(KG + "proposes"), subject) in g
        assert (URIRef(XSS_PAPER_IRI), URIRef("http://purl.org/dc/terms/title"), Literal(XSS_TITLE)) in g
    r = get(http, url, iri, accept="text/html", format="ttl")
    assert r.headers["Content-Type"].startswith("text/turtle") and "@prefix kg:" in r.text
    r = get(http, url, iri, accept="*/*")
    assert r.headers["Content-Type"].startswith("text/html")
    r = get(http, url, iri, accept="image/png")
    assert_clean_error(r, 406)
    r = get(http, url, iri, format="docx")
    assert_clean_error(r, 400)


def test_unknown_resources_are_404(http, url):
    for path in ("/resource/paper/0000.00000", "/resource/method/no-such-method", "/resource/nothing",
                 "/resource/dataset/imagenet/extra"):
        r = http.get(url + path, timeout=30)
        assert_clean_error(r, 404)
    r = http.get(url + "/resource/paper/0000.00000", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html") and "404" in r.text


TRAVERSALS = [
    "/resource/../../etc/passwd", "/resource/..%2F..%2Fetc%2Fpasswd", "/resource/%2e%2e/%2e%2e/etc/passwd",
    "/resource/paper/..%2f..%2f..%2fetc%2fpasswd", "/resource/%252e%252e%252fetc%252fpasswd",
    "/resource/..%5c..%5cetc%5cpasswd", "/resource/paper/%00", "/resource/paper/x%0d%0aSet-Cookie:%20a=b",
    "/resource//etc/passwd", "/resource/./paper/2401.99999", "/resource/%c0%ae%c0%ae/etc/passwd",
    "/resource/" + "a/" * 600 + "b", "/resource/paper/%ff%fe", "/resource/file:%2F%2F%2Fetc%2Fpasswd",
    "/export.ttl/../../etc/passwd", "/export..%2F..%2Fetc%2Fpasswd", "/export.%2e%2e%2fetc%2fpasswd",
    "/export.ttl%00.html", "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/server/__init__.py",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(url, path):
    """Raw request lines (no client-side normalisation of `..`): 400 or 404, nothing from the file system."""
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("Accept", "text/html")
        conn.endheaders()
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        status = response.status
        cookie = response.getheader("Set-Cookie")
    finally:
        conn.close()
    assert status in (400, 404), (path, status, body[:200])
    assert "root:" not in body and "/bin/" not in body and "import " not in body
    assert "Traceback" not in body and "/work/" not in body
    assert cookie is None


def test_hostile_text_is_text_on_every_page(http, url):
    pages = ["/", "/queries/most-connected-papers", "/queries/newest-papers", "/queries/papers-with-code",
             "/queries/label-search?q=xss", "/queries/claims-about?entity=XSSNet",
             "/queries/label-search?q=%3Cscript%3Ealert(1)%3C/script%3E",
             "/editor?query=%3C/textarea%3E%3Cscript%3Ealert(1)%3C/script%3E",
             "/editor/label-search?q=%3C/textarea%3E%3Cscript%3Ealert(1)%3C/script%3E",
             "/queries/no%3Cimg%20src=x%20onerror=alert(1)%3E",
             page_path(XSS_PAPER_IRI), page_path(BASE + "paper/xss-extra"), page_path(BASE + "method/xss-method"),
             page_path(BASE + "method/xssnet"), page_path(BASE + "claim/2401.99999-2")]
    for path in pages:
        r = http.get(url + path, headers={"Accept": "text/html"}, timeout=60)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert r.headers["Content-Type"].startswith("text/html"), path
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert_no_raw_payload(r.text, path)
    page = http.get(url + "/queries/most-connected-papers", timeout=60).text
    assert str(escape(XSS_TITLE)) in page
    page = http.get(url + page_path(BASE + "paper/xss-extra"), timeout=60).text
    assert "javascript:alert(9)" in page and "javascript:alert(10)" in page  # shown as text, not as links
    assert not re.search(r'href="javascript:', page)
    assert str(escape("</title><script>alert(6)</script><svg onload=alert(7)>")) in page
