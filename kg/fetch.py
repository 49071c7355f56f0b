"""Download papers from the arXiv API (Atom) and the Hugging Face daily papers API (JSON) into files kg reads.

`kg fetch arxiv --query Q -o FILE.xml` writes one Atom feed (the entries of every page merged);
`kg fetch hf-daily --date YYYY-MM-DD -o FILE.jsonl` writes JSON Lines with paperkg's fields. Both feed `kg build`.

Both use the HTTP policy of kg.http_client (retries, backoff, time limits, polite pauses); output goes to a
temporary file beside the target that is renamed into place once complete, so a failure never leaves a partial
file.
"""
from __future__ import annotations
import datetime as dt
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
import requests
from ._version import __version__
from .http_client import (FetchError, Http, Policy, Reply, USER_AGENT, UsageError, check_output, check_url,
                          http_error, write_atomically)

ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_NS = "http://arxiv.org/schemas/atom"
ATOM, OPENSEARCH = f"{{{ATOM_NS}}}", f"{{{OPENSEARCH_NS}}}"
ARXIV_PAGE_LIMIT = 2_000  # arXiv's largest max_results per request
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HF_PAGE = 100  # the daily papers API's largest `limit`




@dataclass
class ArxivResult:
    entries: list[ET.Element] = field(default_factory=list)
    total: int | None = None
    pages: int = 0
    updated: str | None = None
    note: str | None = None  # why paging stopped early, when it did


def parse_arxiv_page(reply: Reply, what: str) -> tuple[list[ET.Element], int | None, str | None]:
    """(entries, totalResults, updated) of one answer; FetchError for malformed XML and arXiv error feeds."""
    try:
        root = ET.fromstring(reply.body)
    except ET.ParseError as err:
        if not reply.ok:
            raise http_error(reply, what) from None
        got = f" (the server says {reply.content_type})" if reply.content_type and "xml" not in reply.content_type \
            else ""
        raise FetchError(f"{what}: the server sent malformed XML{got}: {err}. Nothing was written; try again "
                         "later, or check that --api-url is an arXiv API mirror") from None
    if root.tag != f"{ATOM}feed":
        if not reply.ok:
            raise http_error(reply, what)
        raise FetchError(f"{what}: expected an Atom <feed>, got <{root.tag}>; check that --api-url is an arXiv "
                         "API mirror")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        ident = (entry.findtext(f"{ATOM}id") or "").strip()
        if "/api/errors" in ident or ident.rstrip("/").endswith("api/errors"):
            summary = " ".join((entry.findtext(f"{ATOM}summary") or "no reason given").split())
            raise FetchError(f"{what}: arXiv reports an error: {summary}. Check --query (see "
                             "https://info.arxiv.org/help/api/user-manual.html#query_details)")
    if not reply.ok:
        raise http_error(reply, what)
    total_text = (root.findtext(f"{OPENSEARCH}totalResults") or "").strip()
    total = int(total_text) if total_text.isdigit() else None
    return entries, total, (root.findtext(f"{ATOM}updated") or "").strip() or None


def fetch_arxiv(http: Http, api_url: str, query: str, limit: int, page_size: int, console) -> ArxivResult:
    result = ArxivResult()
    seen: set[str] = set()
    start = 0
    while len(result.entries) < limit:
        count = min(page_size, limit - len(result.entries))
        what = f"arXiv page {result.pages + 1} (start={start})"
        reply = http.request("GET", api_url, what=what,
                             params={"search_query": query, "start": start, "max_results": count})
        entries, total, updated = parse_arxiv_page(reply, what)
        result.pages += 1
        result.total = total if total is not None else result.total
        result.updated = result.updated or updated
        if not entries:
            if result.total is not None and start < result.total:
                result.note = (f"the page at start={start} came back empty although arXiv counts {result.total:,} "
                               "results (arXiv does this at times): run the command again to get the rest")
            break
        fresh = 0
        for entry in entries:
            key = (entry.findtext(f"{ATOM}id") or "").strip() or ET.tostring(entry)
            if key not in seen:
                seen.add(key)
                result.entries.append(entry)
                fresh += 1
        if not fresh:
            result.note = f"the page at start={start} repeated earlier entries; stopped there"
            break
        start += len(entries)
        target = min(limit, result.total) if result.total is not None else limit
        console.progress("fetch", min(len(result.entries), target), target)
        if result.total is not None and start >= result.total:
            break
    del result.entries[limit:]
    return result


def merged_feed(result: ArxivResult, api_url: str, query: str) -> bytes:
    """One Atom feed holding the entries of every page, in arXiv's own layout."""
    for prefix, uri in (("", ATOM_NS), ("opensearch", OPENSEARCH_NS), ("arxiv", ARXIV_NS)):
        ET.register_namespace(prefix, uri)
    req = requests.Request("GET", api_url, params={"search_query": query}).prepare()
    feed = ET.Element(f"{ATOM}feed")
    feed.text = "\n  "
    children = [
        ET.Element(f"{ATOM}link", {"href": req.url or api_url, "rel": "self", "type": "application/atom+xml"}),
        ET.Element(f"{ATOM}title", {"type": "html"}), ET.Element(f"{ATOM}id"), ET.Element(f"{ATOM}updated"),
        ET.Element(f"{OPENSEARCH}totalResults"), ET.Element(f"{OPENSEARCH}startIndex"),
        ET.Element(f"{OPENSEARCH}itemsPerPage"),
    ]
    children[1].text = f"ArXiv Query: search_query={query} (merged by paperkg {__version__})"
    children[2].text = req.url or api_url
    children[3].text = result.updated or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    children[4].text = str(result.total if result.total is not None else len(result.entries))
    children[5].text = "0"
    children[6].text = str(len(result.entries))
    for element in [*children, *result.entries]:
        element.tail = "\n  "
        feed.append(element)
    feed[-1].tail = "\n"
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def run_arxiv(args, console) -> int:
    for name, value, low, high in (("--max", args.max, 1, None), ("--page-size", args.page_size, 1, ARXIV_PAGE_LIMIT)):
        if value < low or (high is not None and value > high):
            raise UsageError(f"{name} must be between {low} and {high}" if high else f"{name} must be at least {low}")
    if not args.query.strip():
        raise UsageError('--query is empty; give an arXiv search query such as "cat:cs.LG AND ti:graph"')
    api_url = check_url(args.api_url, "--api-url")
    check_policy(args)
    check_output(args.output)
    t = time.perf_counter()
    http = Http(Policy(args.timeout, args.retries, args.backoff, args.delay), console)
    try:
        result = fetch_arxiv(http, api_url, args.query, args.max, args.page_size, console)
    finally:
        http.close()
    write_atomically(args.output, merged_feed(result, api_url, args.query))
    if result.note:
        console.info(f"note: {result.note}")
    total = f" of {result.total:,} matching" if result.total is not None else ""
    where = "standard output" if args.output == "-" else args.output
    console.info(f"fetched {len(result.entries):,} papers{total} from arXiv in {result.pages} request"
                 f"{'s' if result.pages != 1 else ''} to {where} ({time.perf_counter() - t:.1f} s)")
    if not result.entries:
        console.info("no paper matched the query; the file holds an empty feed. Try a broader --query")
    elif args.output != "-":
        console.info(f"next: kg build {args.output} --store DIR (or kg add {args.output} --store DIR)")
    return 0


# -- Hugging Face daily papers -----------------------------------------------------------------------------------

def daily_record(item: object, n: int) -> tuple[dict | None, str | None]:
    """One item of the daily papers list -> (record with paperkg's JSON Lines fields, None) or (None, problem)."""
    if not isinstance(item, dict):
        return None, f"item {n} is a JSON {type(item).__name__}, not an object"
    paper = item.get("paper")
    if not isinstance(paper, dict):
        return None, f"item {n} has no \"paper\" object"

    def text(*values) -> str | None:
        return next((v.strip() for v in values if isinstance(v, str) and v.strip()), None)

    ident = text(paper.get("id"))
    title = text(paper.get("title"), item.get("title"))
    abstract = text(paper.get("summary"), item.get("summary"))
    if not title or not abstract:
        missing = " and ".join(x for x, v in (("title", title), ("summary", abstract)) if not v)
        return None, f"item {n} ({ident or 'no id'}) has no {missing}"
    authors = []
    for a in paper.get("authors") or []:
        name = a.get("name") if isinstance(a, dict) else a
        if isinstance(name, str) and name.strip():
            authors.append(" ".join(name.split()))
    record: dict = {"id": ident, "title": title, "abstract": abstract, "authors": authors,
                    "published": text(paper.get("publishedAt"), item.get("publishedAt")),
                    "url": f"https://arxiv.org/abs/{ident}" if ident and re.fullmatch(
                        r"\d{4}\.\d{4,5}(v\d+)?|[a-z][a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?", ident) else None}
    repo = text(paper.get("githubRepo"), item.get("githubRepo"))
    if repo and repo.startswith(("https://", "http://")):
        record["repository"] = repo
    return {k: v for k, v in record.items() if v not in (None, [])}, None


def fetch_hf_daily(http: Http, api_url: str, date: str, console) -> tuple[list[dict], list[str], int]:
    """(records, problems, requests) of one day; pages through the list while pages come back full."""
    records: list[dict] = []
    problems: list[str] = []
    seen: set[str] = set()
    page = items = 0
    while True:
        params: dict = {"date": date, "limit": HF_PAGE}
        if page:
            params["p"] = page
        what = f"daily papers of {date}" + (f" (page {page + 1})" if page else "")
        reply = http.request("GET", api_url, what=what, params=params, headers={"Accept": "application/json"})
        if reply.status == 404 and not reply.body.lstrip().startswith((b"[", b"{")):
            raise http_error(reply, what, "check --api-url (the API is https://huggingface.co/api/daily_papers)")
        try:
            data = json.loads(reply.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as err:
            if not reply.ok:
                raise http_error(reply, what) from None
            raise FetchError(f"{what}: the server sent malformed JSON ({err}). Nothing was written; try again "
                             "later, or check --api-url") from None
        reason = data.get("error") if isinstance(data, dict) else None
        if isinstance(reason, str):
            raise FetchError(f"{what}: the API reports an error (HTTP {reply.status}): {reason}")
        if not reply.ok:
            raise http_error(reply, what)
        if not isinstance(data, list):
            keys = f" with keys {', '.join(sorted(map(str, data))[:6])}" if isinstance(data, dict) else ""
            raise FetchError(f"{what}: expected a JSON list of daily papers, got a JSON {type(data).__name__}"
                             f"{keys}; check that --api-url is the daily papers API. Nothing was written")
        fresh = 0
        for n, item in enumerate(data, items + 1):
            record, problem = daily_record(item, n)
            if problem:
                problems.append(problem)
                continue
            key = record.get("id") or record["title"]
            if key in seen:
                continue
            seen.add(key)
            records.append(record)
            fresh += 1
        items += len(data)
        console.progress("fetch", len(records), len(records))
        page += 1
        if len(data) < HF_PAGE or not fresh or page >= 50:
            return records, problems, page


def check_date(value: str) -> str:
    value = value.strip()
    try:
        if not DATE.match(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date must be a day written YYYY-MM-DD, such as 2025-08-01; got {value!r}") from None
    return value


def run_hf_daily(args, console) -> int:
    date = check_date(args.date)
    api_url = check_url(args.api_url, "--api-url")
    check_policy(args)
    check_output(args.output)
    t = time.perf_counter()
    http = Http(Policy(args.timeout, args.retries, args.backoff, args.delay), console)
    try:
        records, problems, requests_sent = fetch_hf_daily(http, api_url, date, console)
    finally:
        http.close()
    for problem in problems:
        console.error(f"skipped: {problem}")
    if problems and not records:
        console.error(f"none of the {len(problems)} items of the answer is a usable paper; nothing was written. "
                      "Check --api-url")
        return 1
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    write_atomically(args.output, data)
    where = "standard output" if args.output == "-" else args.output
    skipped = f", {len(problems)} skipped" if problems else ""
    console.info(f"fetched {len(records):,} daily papers of {date}{skipped} to {where} "
                 f"({time.perf_counter() - t:.1f} s)")
    if not records:
        console.info(f"there are no daily papers for {date} (weekends and days not yet published have none)")
    elif args.output != "-":
        console.info(f"next: kg build {args.output} --store DIR (or kg add {args.output} --store DIR)")
    return 1 if problems else 0


# -- command -----------------------------------------------------------------------------------------------------

def check_policy(args) -> None:
    if args.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    if args.retries < 0:
        raise UsageError("--retries must be 0 or more")
    if getattr(args, "delay", 0) < 0 or getattr(args, "backoff", 0) < 0:
        raise UsageError("--delay and --backoff must be 0 or more seconds")


def run_fetch(args, console) -> int:
    """`kg fetch SOURCE ...`: 0 when done, 1 when the service failed or answered nonsense, 2 on usage errors."""
    args.backoff = getattr(args, "backoff", 1.0)
    job = {"arxiv": run_arxiv, "hf-daily": run_hf_daily}[args.source]
    try:
        return job(args, console)
    except UsageError as err:
        console.error(f"kg fetch {args.source}: {err}")
        return 2
    except FetchError as err:
        console.error(f"kg fetch {args.source}: {err}")
        return 1


__all__ = ["run_fetch", "fetch_arxiv", "fetch_hf_daily", "merged_feed", "daily_record", "Http", "Policy", "Reply",
           "FetchError", "UsageError", "USER_AGENT"]
