"""The pages in a real browser: headless Chromium (Debian's package) driven by Playwright, against `kg serve` on
loopback. Open the gallery, filter, run a parameterised query, see rows, follow a link to an entity page, open the
query in the editor and run it, download results and the export; hostile text stays text and no script runs.

Screenshots: tests/artifacts/gallery.png (an artifact, git-ignored) and, with PAPERKG_README_SCREENSHOT=1 (`make
screenshot`), server/static/gallery-screenshot.png (the README's picture). Skipped, with the reason, where Chromium or Playwright is missing."""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Graph
from servers import start_server
from web_support import CHROMIUM_ARGS, XSS_PAPER_IRI, XSS_TITLE, build_web_store, chromium_missing, chromium_path

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
README_SHOT = ROOT / "server" / "static" / "gallery-screenshot.png"
VIEWPORT = {"width": 1280, "height": 900}


def need_chromium():
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def sample_url(sample_store):
    """The sample graph: the gallery flow and the README's screenshot."""
    need_chromium()
    with start_server(sample_store) as base:
        yield base


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """The sample graph plus hostile text (tests/web_support.py)."""
    need_chromium()
    store = build_web_store(tmp_path_factory.mktemp("browser"))
    with start_server(store) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """What a page did that it should not: dialogs (alert), console errors (CSP violations), outside requests."""

    def __init__(self, page, local: str = "http://127.0.0.1:"):
        self.dialogs, self.errors, self.outside = [], [], []
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith((local, "blob:", "data:")) else self.outside.append(r.url))

    def _console(self, message):
        # a refused query (the test's own syntax error) is logged by the browser as a failed load: expected
        if message.type == "error" and "status of 400" not in message.text:
            self.errors.append(message.text)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self):
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.errors, f"errors in the page: {self.errors}"
        assert not self.outside, f"requests outside the server: {self.outside}"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(15_000)
    watch = Watch(p)
    yield p
    watch.check()
    context.close()


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(".card[data-query]:not([hidden])", "cs => cs.map(c => c.dataset.query)")


def test_gallery_filter_run_follow_edit_export(page, sample_url):
    url = sample_url
    page.goto(url + "/")
    total = len(page.query_selector_all(".card[data-query]"))
    assert total >= 25 and len(visible_cards(page)) == total

    # filter by text, from the keyboard
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "filter"
    page.keyboard.type("leaderboard")
    assert visible_cards(page) == ["leaderboard"]
    assert page.locator("#filter-status").inner_text() == f"1 of {total} queries"
    assert "filter=leaderboard" in page.url
    page.keyboard.press("Escape")
    assert len(visible_cards(page)) == total

    # filter by tag
    page.click('.tag-filter[data-tag="datasets"]')
    tagged = visible_cards(page)
    assert 1 < len(tagged) < total and "papers-using-dataset" in tagged
    assert page.get_attribute('.tag-filter[data-tag="datasets"]', "aria-pressed") == "true"
    page.click('.tag-filter[data-tag=""]')
    assert len(visible_cards(page)) == total

    # run a parameterised query
    page.fill("#filter", "papers-using-dataset")
    assert visible_cards(page) == ["papers-using-dataset"]
    card = page.locator("#q-papers-using-dataset")
    card.locator('input[name="dataset"]').fill("ImageNet")
    card.locator("button.run").click()
    rows = card.locator(".results table tbody tr")
    rows.first.wait_for()
    n_rows = rows.count()
    assert n_rows > 0
    assert "ImageNet" in card.locator(".results table").inner_text()
    headers = card.locator(".results thead th").all_inner_texts()
    assert "title" in headers and "dataset" not in headers  # the parameter's column is left out
    assert card.locator(".result-meta").inner_text().startswith(f"{n_rows} row")

    # the screenshots: the artifact, and the README's picture (the filtered gallery with a result table)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "gallery.png"))
    page.evaluate("window.scrollTo(0, document.querySelector('#q-papers-using-dataset').getBoundingClientRect().top"
                  " + window.scrollY - 84)")
    # the README's copy leaves out the one thing that differs from run to run (the time the query took); it is
    # rewritten only when asked (make screenshot), so a test run leaves the source tree as it was
    page.evaluate("document.querySelectorAll('.timing').forEach(e => e.hidden = true)")
    if os.environ.get("PAPERKG_README_SCREENSHOT"):
        page.screenshot(path=str(README_SHOT))
    page.screenshot(path=str(ARTIFACTS / "gallery-results.png"))

    # download the rows as CSV
    with page.expect_download() as info:
        card.locator('[data-link="download"][data-format="csv"]').click()
    download = info.value
    assert download.suggested_filename == "papers-using-dataset.csv"
    table = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert table[0][:2] == ["paper", "title"] and len(table) == n_rows + 1

    # follow a link to an entity page
    link = card.locator('.results td.k-label a[href^="/resource/paper/"]').first
    title = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r".*/resource/paper/.*"))
    assert page.locator("h1").inner_text() == title
    assert page.locator(".kind-badge").inner_text().lower() == "paper"
    page.locator('a[href^="/resource/dataset/"]').first.click()
    page.wait_for_url(re.compile(r".*/resource/dataset/.*"))
    assert page.locator(".kind-badge").inner_text().lower() == "dataset"
    page.go_back()
    page.go_back()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))

    # open the query in the editor, with its values, and run it there
    card = page.locator("#q-papers-using-dataset")
    card.locator('input[name="dataset"]').fill("ImageNet")
    card.locator('[data-link="editor"]').click()
    page.wait_for_url(re.compile(r".*/editor/papers-using-dataset\?dataset=ImageNet$"))
    text = page.locator("#query").input_value()
    assert 'VALUES (?dataset) { ("ImageNet") }' in text
    page.click("#run")
    page.locator("#editor-results table tbody tr").first.wait_for()
    assert page.locator("#editor-results table tbody tr").count() == n_rows

    # write another query and run it with the keyboard
    page.fill("#query", "SELECT (COUNT(*) AS ?papers) WHERE { ?p a kg:Paper }")
    page.focus("#query")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#editor-results thead th")).to_have_text(["papers"])
    assert int(page.locator("#editor-results td").first.inner_text()) >= 100
    page.fill("#query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s a kg:Dataset ; ?p ?o } LIMIT 7")
    page.click("#run")
    expect(page.locator("#editor-results tbody tr")).to_have_count(7)
    expect(page.locator("#editor-results thead th")).to_have_text(["subject", "predicate", "object"])
    page.fill("#query", "SELECT * WHERE { ?s ?p }")
    page.click("#run")
    page.locator("#editor-results [role=alert]").wait_for()
    assert "syntax" in page.locator("#editor-results [role=alert]").inner_text().lower()

    # the whole graph
    with page.expect_download() as info:
        page.click('footer a[href="/export.ttl"]')
    download = info.value
    assert download.suggested_filename == "paperkg.ttl"
    assert len(Graph().parse(data=Path(download.path()).read_text(), format="turtle")) > 1000


def test_hostile_text_stays_text_in_the_browser(page, hostile_url):
    url = hostile_url
    # server-rendered: the paper page
    page.goto(url + "/resource/paper/" + XSS_PAPER_IRI.rsplit("/", 1)[1])
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert "<img src=x onerror=alert(2)>" in page.locator(".abstract").inner_text()
    assert page.locator("main img, main iframe, main b, h1 script").count() == 0
    page.goto(url + "/resource/paper/xss-extra")
    assert page.locator("h1").inner_text() == "</title><script>alert(6)</script><svg onload=alert(7)>"
    assert page.locator('a[href^="javascript:"]').count() == 0

    # rendered by the page's script: a gallery query listing every paper's title
    page.goto(url + "/?filter=most+connected")
    card = page.locator("#q-most-connected-papers")
    card.locator("button.run").click()
    card.locator(".results table tbody tr").first.wait_for()
    cell = card.locator(".results td", has_text="XSSNet: <b>Bold</b>")
    assert cell.count() == 1 and cell.inner_text() == XSS_TITLE
    assert card.locator(".results b, .results script, .results img").count() == 0

    # the editor, with text that tries to close the textarea
    hostile = "# </textarea><script>alert(12)</script>\nSELECT ?t WHERE { ?p dcterms:title ?t FILTER(CONTAINS(?t, 'XSS')) }"
    page.goto(url + "/editor?query=" + quote(hostile))
    assert page.locator("#query").input_value() == hostile
    page.click("#run")
    page.locator("#editor-results tbody tr").first.wait_for()
    texts = page.locator("#editor-results tbody td").all_inner_texts()
    assert XSS_TITLE in texts
    assert page.locator("#editor-results a[href^='javascript:']").count() == 0

    # a parameter value that is markup, on a query page
    page.goto(url + "/queries/label-search?q=%3Cscript%3Ealert(13)%3C%2Fscript%3E")
    assert page.locator('#q-label-search input[name="q"]').input_value() == "<script>alert(13)</script>"
    page.wait_for_timeout(200)  # time for an injected script to run, if there were one
