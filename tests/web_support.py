"""What the web tests share: a store with hostile text in it, page checks, and how to find Chromium.

The hostile store is the sample corpus plus one paper whose title, abstract and authors carry HTML and script, and a
few triples loaded as RDF that no extractor would write (a `javascript:` repository, a label with a script tag), so
every page and every script can be shown to treat the graph's text as text.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "kg" / "samples" / "seed-hf-papers.txt"
BASE = "https://w3id.org/paperkg/resource/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

XSS_TITLE = "<script>alert(1)</script> XSSNet: <b>Bold</b> & \"Quoted\" 'Learning'"
XSS_PAPER = {
    "id": "2401.99999",
    "title": XSS_TITLE,
    "abstract": ("We propose XSSNet <img src=x onerror=alert(2)>, a new method for image classification. XSSNet "
                 "achieves 91.5% accuracy on CIFAR-10 and outperforms ResNet-50 by 2.3%. We show that "
                 "<script>alert(3)</script> XSSNet improves ImageNet accuracy. Code is at "
                 "https://github.com/evil/xssnet."),
    "authors": ["<i>Mallory</i>", "Eve </td><script>alert(4)</script>"],
    "published": "2024-01-31",
}
XSS_PAPER_IRI = BASE + "paper/2401.99999"
EXTRA_GRAPH = BASE + "paper/xss-extra"
EXTRA_TTL = """\
@prefix kg: <https://w3id.org/paperkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/paperkg/resource/paper/xss-extra> a kg:Paper ;
  dcterms:title "</title><script>alert(6)</script><svg onload=alert(7)>" ;
  dcterms:abstract "An abstract with <a href=\\"javascript:alert(8)\\">a link</a> and <iframe src=x></iframe>." ;
  rdfs:seeAlso <javascript:alert(9)> ;
  kg:hasRepository <javascript:alert(10)> ;
  kg:mentions <https://w3id.org/paperkg/resource/method/xss-method> .
<https://w3id.org/paperkg/resource/method/xss-method> a kg:Method ;
  rdfs:label "<script>alert(11)</script>method" .
"""
# Markup of the payloads as it would appear if a page pasted the text in unescaped.
RAW_PAYLOADS = ["<script>alert(", "<img src=x", "<svg onload", "<iframe", "<b>Bold",
                "<i>Mallory", "</td><script>", 'href="javascript:', "href='javascript:", "</title><script>"]


def build_web_store(folder: Path) -> Path:
    """The sample corpus, the hostile paper and the hostile triples, built into `folder`/store."""
    from kg.api import load
    from kg.builder import build
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = folder / "xss.jsonl"
    jsonl.write_text(json.dumps(XSS_PAPER) + "\n", encoding="utf-8")
    ttl = folder / "extra.ttl"
    ttl.write_text(EXTRA_TTL, encoding="utf-8")
    store = folder / "store"
    build([SAMPLE, jsonl], store)
    load([ttl], store, graph=EXTRA_GRAPH)
    return store


def assert_no_raw_payload(html: str, where: str = "") -> None:
    for raw in RAW_PAYLOADS:
        assert raw not in html, f"{where}: unescaped {raw!r} in the page"
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I), f"{where}: a javascript: link"


def assert_clean_error(response, *statuses) -> None:
    """An error answer: one of the statuses, short, no stack trace, no file path."""
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    text = response.text
    for leak in ("Traceback", "File \"", "/work/", "/tmp/", "site-packages", ".py", "pyoxigraph.", "RuntimeError",
                 "ValueError", "KeyError", "TypeError", "OSError", "jinja2", "werkzeug"):
        assert leak not in text, f"{leak!r} in the error answer: {text[:300]}"


class Elements(HTMLParser):
    """Start tags and their attributes, and the text of chosen elements, from an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        return f"Chromium is not installed ({CHROMIUM} is missing; `apt-get install chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


def chromium_path() -> str:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
