"""`kg fetch arxiv` and `kg fetch hf-daily` against real HTTP servers on loopback (tests/fakes) that answer in the
services' documented formats: paging, 429/503 then success, slow answers, broken and malformed bodies, errors,
empty results; and the metadata of fetched papers in the built graph."""
from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pytest

from kg.builder import build
from kg.fetch import daily_record
from kg.http_client import Reply, retry_after
from kg.ingest import read_inputs
from kg.store import KGStore

from conftest import run_kg
from fakes.cli import kg
from fakes.arxiv import ATOM_TYPE, ArxivApp, error_feed, feed_xml
from fakes.hf import DailyApp, daily_item
from fakes.papers import fake_papers
from fakes.server import Canned, FakeServer, closed_port_url, loopback_without_proxy  # noqa: F401 (autouse)

ATOM = "{http://www.w3.org/2005/Atom}"
FAST = ("--delay", "0", "--backoff", "0", "--timeout", "2")


def fetch_arxiv(server_url: str, out, *extra: str, query: str = "cat:cs.LG AND ti:learning", shell=False):
    """`kg fetch arxiv` in this process, or with shell=True in a subprocess as a user runs it."""
    run = (lambda *a: run_kg(*a, timeout=60)) if shell else kg
    return run("fetch", "arxiv", "--query", query, "--api-url", f"{server_url}/api/query", "-o", out, *FAST, *extra)


def fetch_daily(server_url: str, out, *extra: str, date: str = "2025-08-20", shell=False):
    run = (lambda *a: run_kg(*a, timeout=60)) if shell else kg
    return run("fetch", "hf-daily", "--date", date, "--api-url", f"{server_url}/api/daily_papers", "-o", out,
               *FAST, *extra)


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def papers():
    return fake_papers(12)


# -- arXiv --------------------------------------------------------------------------------------------------------

def test_arxiv_pages_are_merged_into_one_feed_kg_reads(papers, tmp_path):
    out = tmp_path / "lg.xml"
    with FakeServer(ArxivApp(papers[:7])) as server:
        proc = fetch_arxiv(server.url, out, "--page-size", "3", shell=True)
    assert proc.returncode == 0, proc.stderr
    assert "fetched 7 papers of 7 matching" in proc.stderr
    starts = [(r.arg("start"), r.arg("max_results")) for r in server.requests]
    assert starts == [("0", "3"), ("3", "3"), ("6", "3")]  # stops at totalResults
    assert {r.arg("search_query") for r in server.requests} == {"cat:cs.LG AND ti:learning"}
    assert all(r.headers["user-agent"].startswith("paperkg/") for r in server.requests)
    root = ET.parse(out).getroot()
    assert root.tag == f"{ATOM}feed" and len(root.findall(f"{ATOM}entry")) == 7
    report = read_inputs([out])
    assert not [p for p in report.problems if p.severity == "error"]
    assert [p.id for p in report.papers] == [p.arxiv_id for p in papers[:7]]
    first = report.papers[0]
    assert first.authors == papers[0].authors and first.published == papers[0].published
    assert first.urls == (f"http://arxiv.org/abs/{papers[0].arxiv_id}v1",)
    assert leftovers(tmp_path) == ["lg.xml"]


def test_arxiv_max_limits_the_papers_fetched(papers, tmp_path):
    out = tmp_path / "five.xml"
    with FakeServer(ArxivApp(papers)) as server:
        proc = fetch_arxiv(server.url, out, "--max", "5", "--page-size", "2")
    assert proc.returncode == 0, proc.stderr
    assert [r.arg("max_results") for r in server.requests] == ["2", "2", "1"]
    assert len(read_inputs([out]).papers) == 5
    assert "5 papers of 12 matching" in proc.stderr


@pytest.mark.parametrize("failure", [
    Canned(429, "Rate exceeded.", headers={"Retry-After": "0"}),
    Canned(503, "<html>Service Unavailable</html>", "text/html"),
    Canned(502, "Bad Gateway"),
    Canned(200, feed_xml([], 3, 0) * 2, ATOM_TYPE, truncate=True),  # the connection breaks mid-answer
], ids=["429-retry-after", "503", "502", "broken-connection"])
def test_arxiv_retries_a_failed_page_then_goes_on(papers, tmp_path, failure):
    out = tmp_path / "retry.xml"
    with FakeServer(ArxivApp(papers[:5])) as server:
        server.script.append(failure)
        proc = fetch_arxiv(server.url, out, "--page-size", "3")
    assert proc.returncode == 0, proc.stderr
    assert "retrying" in proc.stderr and "attempt 2 of 5" in proc.stderr
    assert [r.arg("start") for r in server.requests] == ["0", "0", "3"]
    assert len(read_inputs([out]).papers) == 5


def test_retry_after_is_honoured(papers, tmp_path):
    with FakeServer(ArxivApp(papers[:2])) as server:
        server.script.append(Canned(503, "busy", headers={"Retry-After": "1"}))
        t = time.perf_counter()
        proc = fetch_arxiv(server.url, tmp_path / "wait.xml")
        took = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr
    assert "retrying in 1.0 s" in proc.stderr
    assert took >= 1.0


def test_arxiv_still_failing_after_the_retries(tmp_path):
    with FakeServer(lambda req: Canned(503, "Service temporarily unavailable")) as server:
        proc = fetch_arxiv(server.url, tmp_path / "x.xml", "--retries", "2")
    assert proc.returncode == 1 and len(server.requests) == 3
    assert "gave up after 3 attempts: HTTP 503 Service Unavailable: Service temporarily unavailable" in proc.stderr
    assert leftovers(tmp_path) == []


def test_a_long_retry_after_is_reported_instead_of_waited_for(tmp_path):
    with FakeServer(lambda req: Canned(429, "slow down", headers={"Retry-After": "3600"})) as server:
        proc = fetch_arxiv(server.url, tmp_path / "x.xml")
    assert proc.returncode == 1 and len(server.requests) == 1
    assert "the server asks to wait 3,600 s before trying again: run the command again later" in proc.stderr


def test_arxiv_slow_server_gives_up_after_the_retries(papers, tmp_path):
    out = tmp_path / "slow.xml"
    with FakeServer(lambda req: Canned(200, feed_xml([], 0, 0), ATOM_TYPE, delay=3)) as server:
        t = time.perf_counter()
        proc = kg("fetch", "arxiv", "--query", "all:x", "--api-url", f"{server.url}/api/query", "-o", out,
                      "--delay", "0", "--backoff", "0", "--timeout", "0.4", "--retries", "1")
        took = time.perf_counter() - t
    assert proc.returncode == 1
    assert "no answer within 0.4 s" in proc.stderr and "gave up after 2 attempts" in proc.stderr
    assert "--timeout" in proc.stderr  # says what to do next
    assert len(server.requests) == 2 and took < 2.5
    assert leftovers(tmp_path) == []


def test_arxiv_trickling_answer_is_cut_at_the_timeout(tmp_path):
    """A server that answers at once but sends its body so slowly that it would take seconds."""
    out = tmp_path / "trickle.xml"
    body = feed_xml([], 0, 0)
    with FakeServer(lambda req: Canned(200, body, ATOM_TYPE, drip=0.1)) as server:
        proc = kg("fetch", "arxiv", "--query", "all:x", "--api-url", server.url, "-o", out,
                      "--delay", "0", "--backoff", "0", "--timeout", "0.4", "--retries", "0")
    assert proc.returncode == 1 and "gave up after 1 attempt" in proc.stderr
    assert "the answer took longer than 0.4 s" in proc.stderr
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("body, content_type, message", [
    (feed_xml([], 5, 0)[:-40], ATOM_TYPE, "malformed XML"),  # truncated XML, complete HTTP answer
    ("<html><body>Please wait<br></body></html>", "text/html", "malformed XML (the server says text/html)"),
    ('<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "application/xml", "expected an Atom <feed>"),
    ("", ATOM_TYPE, "malformed XML"),
], ids=["truncated", "html", "not-atom", "empty-body"])
def test_arxiv_malformed_answer_is_an_error_and_leaves_no_file(tmp_path, body, content_type, message):
    out = tmp_path / "bad.xml"
    out.write_text("an older file the user keeps")
    with FakeServer(lambda req: Canned(200, body, content_type)) as server:
        proc = fetch_arxiv(server.url, out)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Nothing was written" in proc.stderr or message.startswith("expected")
    assert out.read_text() == "an older file the user keeps"  # nothing partial, nothing overwritten
    assert leftovers(tmp_path) == ["bad.xml"]


def test_malformed_page_after_good_ones_writes_nothing(papers, tmp_path):
    out = tmp_path / "half.xml"
    app = ArxivApp(papers[:6])
    with FakeServer(lambda req: app(req) if req.arg("start") == "0" else Canned(200, "<feed><entry>", ATOM_TYPE)) \
            as server:
        proc = fetch_arxiv(server.url, out, "--page-size", "3")
    assert proc.returncode == 1 and "arXiv page 2 (start=3)" in proc.stderr
    assert leftovers(tmp_path) == []


def test_arxiv_error_feed_is_reported(tmp_path):
    body = error_feed("incorrect id format for 1234.12345")
    with FakeServer(lambda req: Canned(400, body, ATOM_TYPE)) as server:
        proc = fetch_arxiv(server.url, tmp_path / "err.xml", query="id:1234.12345")
    assert proc.returncode == 1
    assert "arXiv reports an error: incorrect id format for 1234.12345" in proc.stderr
    assert "--query" in proc.stderr
    assert len(server.requests) == 1  # a 400 is not retried
    assert leftovers(tmp_path) == []


def test_arxiv_error_feed_with_status_200_is_reported_too(tmp_path):
    with FakeServer(lambda req: Canned(200, error_feed("malformed query"), ATOM_TYPE)) as server:
        proc = fetch_arxiv(server.url, tmp_path / "err.xml")
    assert proc.returncode == 1 and "arXiv reports an error: malformed query" in proc.stderr


def test_arxiv_no_results_writes_an_empty_feed(tmp_path):
    out = tmp_path / "none.xml"
    with FakeServer(ArxivApp([])) as server:
        proc = fetch_arxiv(server.url, out, query="ti:zzzzqqq")
    assert proc.returncode == 0, proc.stderr
    assert "fetched 0 papers of 0 matching" in proc.stderr and "broader --query" in proc.stderr
    root = ET.parse(out).getroot()
    assert root.tag == f"{ATOM}feed" and root.findall(f"{ATOM}entry") == []
    assert len(server.requests) == 1


def test_arxiv_empty_page_before_total_stops_with_a_note(papers, tmp_path):
    out = tmp_path / "short.xml"
    with FakeServer(ArxivApp(papers[:8], empty_from=4)) as server:
        proc = fetch_arxiv(server.url, out, "--page-size", "4")
    assert proc.returncode == 0, proc.stderr
    assert "came back empty although arXiv counts 8 results" in proc.stderr
    assert len(read_inputs([out]).papers) == 4


def test_arxiv_server_that_ignores_start_does_not_loop(papers, tmp_path):
    app = ArxivApp(papers[:6])
    with FakeServer(lambda req: app(_first_page(req))) as server:
        proc = fetch_arxiv(server.url, tmp_path / "same.xml", "--page-size", "3")
    assert proc.returncode == 0, proc.stderr
    assert "repeated earlier entries" in proc.stderr and len(server.requests) == 2


def _first_page(req):
    req.query["start"] = ["0"]
    return req


def test_connection_refused_is_retried_then_reported(tmp_path):
    proc = kg("fetch", "arxiv", "--query", "all:x", "--api-url", closed_port_url(), "-o", tmp_path / "x.xml",
                  "--delay", "0", "--backoff", "0", "--retries", "2")
    assert proc.returncode == 1
    assert "gave up after 3 attempts" in proc.stderr and "Connection refused" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (("--page-size", "0"), "--page-size must be between 1 and 2000"),
    (("--page-size", "5000"), "--page-size must be between 1 and 2000"),
    (("--max", "0"), "--max must be at least 1"),
    (("--timeout", "0"), "--timeout must be more than 0"),
    (("--delay", "-1"), "--delay and --backoff must be 0 or more"),
])
def test_arxiv_usage_errors_send_no_request(tmp_path, args, message):
    with FakeServer(ArxivApp([])) as server:
        proc = kg("fetch", "arxiv", "--query", "all:x", "--api-url", server.url, "-o", tmp_path / "x.xml", *args)
    assert proc.returncode == 2 and message in proc.stderr
    assert server.requests == []


def test_fetch_usage_errors_for_url_and_output(tmp_path):
    proc = kg("fetch", "arxiv", "--query", "all:x", "--api-url", "ftp://example.org/api", "-o", tmp_path / "x")
    assert proc.returncode == 2 and "--api-url must be an http:// or https:// URL" in proc.stderr
    proc = kg("fetch", "hf-daily", "--date", "2025-08-20", "--api-url", closed_port_url(),
                  "-o", tmp_path / "missing" / "x.jsonl")
    assert proc.returncode == 2 and "does not exist" in proc.stderr


# -- Hugging Face daily papers ---------------------------------------------------------------------------------------

def test_daily_papers_become_json_lines_with_our_fields(papers, tmp_path):
    out = tmp_path / "daily.jsonl"
    with FakeServer(DailyApp(papers[:4])) as server:
        proc = fetch_daily(server.url, out, shell=True)
    assert proc.returncode == 0, proc.stderr
    assert "fetched 4 daily papers of 2025-08-20" in proc.stderr
    assert server.requests[0].arg("date") == "2025-08-20" and server.requests[0].path == "/api/daily_papers"
    assert server.requests[0].headers["user-agent"].startswith("paperkg/")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0] == {
        "id": papers[0].arxiv_id, "title": papers[0].title, "abstract": papers[0].abstract,
        "authors": list(papers[0].authors), "published": papers[0].published.replace("Z", ".000Z"),
        "url": f"https://arxiv.org/abs/{papers[0].arxiv_id}", "repository": papers[0].repository}
    assert "repository" not in lines[1]  # given only when the API names one
    report = read_inputs([out])
    assert not report.problems and [p.id for p in report.papers] == [p.arxiv_id for p in papers[:4]]


def test_daily_papers_to_standard_output(papers, tmp_path):
    with FakeServer(DailyApp(papers[:2])) as server:
        proc = kg("fetch", "hf-daily", "--date", "2025-08-20", "--api-url", server.url, "-o", "-", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [p.arxiv_id for p in papers[:2]]


def test_daily_papers_page_through_a_long_day(tmp_path):
    many = fake_papers(130)
    out = tmp_path / "busy.jsonl"
    with FakeServer(DailyApp(many)) as server:
        proc = fetch_daily(server.url, out)
    assert proc.returncode == 0, proc.stderr
    assert [(r.arg("limit"), r.arg("p")) for r in server.requests] == [("100", None), ("100", "1")]
    assert len(out.read_text().splitlines()) == 130


@pytest.mark.parametrize("failure", [
    Canned.json({"error": "Too many requests"}, 429, headers={"Retry-After": "0"}),
    Canned(503, "upstream connect error"),
    Canned(500, "Internal Error"),
], ids=["429", "503", "500"])
def test_daily_papers_retry_then_succeed(papers, tmp_path, failure):
    out = tmp_path / "retry.jsonl"
    with FakeServer(DailyApp(papers[:3])) as server:
        server.script.append(failure)
        proc = fetch_daily(server.url, out)
    assert proc.returncode == 0, proc.stderr
    assert "retrying" in proc.stderr and len(server.requests) == 2
    assert len(out.read_text().splitlines()) == 3


@pytest.mark.parametrize("canned, message", [
    (Canned(200, '[{"paper": {"id": "2508.1", "title": "A"', "application/json"), "malformed JSON"),
    (Canned(200, "<!doctype html><title>Hugging Face</title>", "text/html"), "malformed JSON"),
    (Canned.json({"papers": []}), "expected a JSON list of daily papers, got a JSON dict with keys papers"),
    (Canned.json("2025-08-20"), "expected a JSON list of daily papers, got a JSON str"),
    (Canned.json({"error": "Invalid date"}, 400), "the API reports an error (HTTP 400): Invalid date"),
    (Canned.json({"error": "Sorry, we can't find the page"}), "the API reports an error (HTTP 200): Sorry"),
    (Canned(404, "Not Found"), "check --api-url"),
], ids=["truncated-json", "html", "object", "string", "api-error", "api-error-200", "not-found"])
def test_daily_papers_bad_answers_are_errors_and_write_nothing(tmp_path, canned, message):
    out = tmp_path / "bad.jsonl"
    with FakeServer(lambda req: canned) as server:
        proc = fetch_daily(server.url, out)
    assert proc.returncode == 1 and message in proc.stderr
    assert leftovers(tmp_path) == []
    assert len(server.requests) == 1  # none of these is worth a retry


def test_daily_papers_items_of_the_wrong_shape_are_reported_the_rest_kept(papers, tmp_path):
    items = [daily_item(papers[0], 0), "not an object", {"title": "no paper object"},
             {"paper": {"id": "2508.99999", "title": "No summary"}}, daily_item(papers[1], 1)]
    out = tmp_path / "mixed.jsonl"
    with FakeServer(lambda req: Canned.json(items)) as server:
        proc = fetch_daily(server.url, out)
    assert proc.returncode == 1
    assert "item 2 is a JSON str" in proc.stderr and 'item 3 has no "paper" object' in proc.stderr
    assert "item 4 (2508.99999) has no summary" in proc.stderr
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [papers[0].arxiv_id, papers[1].arxiv_id]


def test_daily_papers_all_items_unusable_writes_nothing(tmp_path):
    with FakeServer(lambda req: Canned.json([1, 2, 3])) as server:
        proc = fetch_daily(server.url, tmp_path / "x.jsonl")
    assert proc.returncode == 1 and "nothing was written" in proc.stderr
    assert leftovers(tmp_path) == []


def test_daily_papers_empty_day(tmp_path):
    out = tmp_path / "sunday.jsonl"
    with FakeServer(lambda req: Canned.json([])) as server:
        proc = fetch_daily(server.url, out, date="2025-08-17")
    assert proc.returncode == 0, proc.stderr
    assert "no daily papers for 2025-08-17" in proc.stderr
    assert out.read_text() == ""


def test_daily_papers_slow_server(tmp_path):
    with FakeServer(lambda req: Canned.json([], delay=3)) as server:
        proc = kg("fetch", "hf-daily", "--date", "2025-08-20", "--api-url", server.url, "-o", tmp_path / "x",
                      "--delay", "0", "--backoff", "0", "--timeout", "0.3", "--retries", "1")
    assert proc.returncode == 1 and "no answer within 0.3 s" in proc.stderr
    assert len(server.requests) == 2 and leftovers(tmp_path) == []


@pytest.mark.parametrize("date", ["2025-13-01", "2025-02-30", "20250820", "yesterday", "2025-8-1"])
def test_daily_papers_bad_date_is_a_usage_error(tmp_path, date):
    with FakeServer(lambda req: Canned.json([])) as server:
        proc = kg("fetch", "hf-daily", "--date", date, "--api-url", server.url, "-o", tmp_path / "x.jsonl")
    assert proc.returncode == 2 and "--date must be a day written YYYY-MM-DD" in proc.stderr
    assert server.requests == []


# -- pieces ------------------------------------------------------------------------------------------------------------

def test_daily_record_takes_fields_from_the_paper_then_the_item():
    record, problem = daily_record({"title": "Item title", "publishedAt": "2025-08-20T00:00:00.000Z",
                                    "paper": {"id": "2508.00001", "summary": " An abstract. ",
                                              "authors": [{"name": " Ada  Lovelace "}, {"name": ""}, "Bob"],
                                              "githubRepo": "not a url"}}, 1)
    assert problem is None
    assert record == {"id": "2508.00001", "title": "Item title", "abstract": "An abstract.",
                      "authors": ["Ada Lovelace", "Bob"], "published": "2025-08-20T00:00:00.000Z",
                      "url": "https://arxiv.org/abs/2508.00001"}


def test_retry_after_reads_seconds_and_dates():
    assert retry_after({"retry-after": "7"}) == 7
    assert retry_after({}) is None and retry_after({"retry-after": "soon"}) is None
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0  # in the past: no wait
    assert Reply(200, "OK", {"content-type": "application/json; charset=utf-8"}, b"", "").content_type == \
        "application/json"


# -- into the graph ------------------------------------------------------------------------------------------------

def test_fetched_metadata_lands_in_the_graph(papers, tmp_path):
    """arXiv id, authors, date and repository of both sources, after `kg build` of the fetched files."""
    with FakeServer(ArxivApp(papers[:3])) as arxiv, FakeServer(DailyApp(papers[3:6])) as daily:
        assert fetch_arxiv(arxiv.url, tmp_path / "a.xml").returncode == 0
        assert fetch_daily(daily.url, tmp_path / "d.jsonl").returncode == 0
    build([tmp_path / "a.xml", tmp_path / "d.jsonl"], tmp_path / "store")
    store = KGStore.open(tmp_path / "store")
    for p in papers[:6]:
        iri = f"https://w3id.org/paperkg/resource/paper/{p.arxiv_id}"
        rows = store.select(f"SELECT ?id ?creator ?issued WHERE {{ <{iri}> a kg:Paper ; dcterms:identifier ?id ; "
                            f"dcterms:creator ?creator ; dcterms:issued ?issued }}")
        assert p.arxiv_id in {r["id"] for r in rows}, p
        assert {r["creator"] for r in rows} == set(p.authors)
        assert {r["issued"] for r in rows} == {p.published}  # xsd:dateTime, ".000Z" canonicalised away
        repos = {r["r"] for r in store.select(f"SELECT ?r WHERE {{ <{iri}> kg:hasRepository ?r }}")}
        if p in papers[3:6] and p.repository:  # the daily papers API gives the repository as metadata
            assert p.repository in repos
    issued_type = store.select("SELECT DISTINCT (DATATYPE(?d) AS ?t) WHERE { ?p dcterms:issued ?d }")
    assert issued_type == [{"t": "http://www.w3.org/2001/XMLSchema#dateTime"}]
