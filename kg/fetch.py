"""Download papers from the arXiv API (Atom) and the Hugging Face daily papers API (JSON) into files kg reads.

`kg fetch arxiv --query Q -o FILE.xml` writes one Atom feed (the entries of every page merged);
`kg fetch hf-daily --date YYYY-MM-DD -o FILE.jsonl` writes JSON Lines with paperkg's fields. Both feed `kg build`.

Both fetchers (and `kg push`) share one HTTP policy, `Http`: a requests.Session whose User-Agent names paperkg and
its version; a time limit on every attempt (connect, first byte and whole body); retries with exponential backoff
on 408, 429, 5xx and network errors, honouring Retry-After; a polite pause between requests. Output goes to a
temporary file beside the target that is renamed into place once complete, so a failure never leaves a partial
file.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3

from ._version import __version__

USER_AGENT = f"paperkg/{__version__} (knowledge-graph builder for ML papers; python-requests/{requests.__version__})"
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524, 529}
MAX_BODY = 256 * 1024 * 1024  # far above any page of either API; a guard against a server that never stops
MAX_RETRY_AFTER = 600.0  # a server asking for a longer wait is told "later" instead of keeping the user waiting
MAX_BACKOFF = 60.0

ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_NS = "http://arxiv.org/schemas/atom"
ATOM, OPENSEARCH = f"{{{ATOM_NS}}}", f"{{{OPENSEARCH_NS}}}"
ARXIV_PAGE_LIMIT = 2_000  # arXiv's largest max_results per request
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HF_PAGE = 100  # the daily papers API's largest `limit`


class FetchError(Exception):
    """A fetch or push that could not be done; the message says why and what to do next."""


class UsageError(FetchError):
    """Arguments that cannot work (exit status 2)."""


# -- HTTP policy -------------------------------------------------------------------------------------------------

@dataclass
class Reply:
    """A whole HTTP answer (the body already read within the time limit)."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def snippet(self, width: int = 200) -> str:
        text = " ".join(self.body[:4096].decode("utf-8", "replace").split())
        return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Policy:
    timeout: float = 30.0  # seconds an attempt may take, from connecting to the last byte of the answer
    retries: int = 4  # further attempts after the first
    backoff: float = 1.0  # wait before the first retry; doubles at each retry, at most MAX_BACKOFF
    delay: float = 0.0  # least pause between the starts of two requests (arXiv asks for 3 s)


class AttemptFailed(Exception):
    """One attempt that may be retried (network error, time limit, retryable status)."""

    def __init__(self, message: str, reply: Reply | None = None):
        super().__init__(message)
        self.reply = reply


def check_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http:// or https:// URL, got {url!r}")
    return url


def public_url(url: str) -> str:
    """The URL without user:password, for messages."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=host)
    return urlunsplit(parts)


def retry_after(headers: dict[str, str]) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP-date), None when absent or unreadable."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class Http:
    """One client: a session, the retry policy and the pause between requests."""

    def __init__(self, policy: Policy, console, *, auth=None, headers: dict[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.policy = policy
        self.console = console
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.requests_sent = 0
        self._last_start: float | None = None

    def close(self) -> None:
        self.session.close()

    def _pace(self) -> None:
        if self._last_start is not None and self.policy.delay > 0:
            wait = self.policy.delay - (time.monotonic() - self._last_start)
            if wait > 0:
                self.sleep(wait)
        self._last_start = time.monotonic()

    def _attempt(self, method: str, url: str, **kwargs) -> Reply:
        timeout = self.policy.timeout
        deadline = time.monotonic() + timeout
        self.requests_sent += 1
        try:
            with self.session.request(method, url, timeout=(timeout, timeout), stream=True, **kwargs) as resp:
                chunks, size = [], 0
                for chunk in body_chunks(resp):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise FetchError(f"the answer from {public_url(url)} is over {MAX_BODY // 2**20} MB; "
                                         "is --api-url the right service?")
                    if time.monotonic() > deadline:
                        raise AttemptFailed(f"the answer took longer than {timeout:g} s")
                reply = Reply(resp.status_code, resp.reason or "", {k.lower(): v for k, v in resp.headers.items()},
                              b"".join(chunks), resp.url)
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError):
            raise AttemptFailed(f"no answer within {timeout:g} s") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as err:
            raise UsageError(f"cannot use the URL {public_url(url)}: {err}") from None
        except requests.exceptions.ConnectionError as err:
            text = str(err)
            if "timed out" in text.lower():
                raise AttemptFailed(f"no answer within {timeout:g} s") from None
            raise AttemptFailed(f"cannot connect or the connection broke ({short_reason(text)})") from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as err:  # cut short, ...
            raise AttemptFailed(f"broken answer ({short_reason(str(err))})") from None
        if reply.status in RETRY_STATUS:
            said = f": {reply.snippet(100)}" if reply.body.strip() and "html" not in reply.content_type else ""
            raise AttemptFailed(f"HTTP {reply.status} {reply.reason}".rstrip() + said, reply)
        return reply

    def request(self, method: str, url: str, *, what: str, **kwargs) -> Reply:
        """Send one request with retries. Returns the reply (any status that is not worth retrying); raises
        FetchError when every attempt failed."""
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            self._pace()
            try:
                return self._attempt(method, url, **kwargs)
            except AttemptFailed as failure:
                asked = retry_after(failure.reply.headers) if failure.reply is not None else None
                if asked is not None and asked > MAX_RETRY_AFTER:
                    raise FetchError(f"{what}: {failure}; the server asks to wait {asked:,.0f} s before trying "
                                     "again: run the command again later") from None
                if attempt + 1 >= attempts:
                    raise FetchError(
                        f"{what}: gave up after {attempts} attempt{'s' if attempts != 1 else ''}: {failure} "
                        f"({public_url(url)}). Check the network and the URL, or try again later with a larger "
                        "--timeout or --retries") from None
                wait = asked if asked is not None else min(self.policy.backoff * 2 ** attempt, MAX_BACKOFF)
                self.console.info(f"{what}: {failure}; retrying in {wait:.1f} s "
                                  f"(attempt {attempt + 2} of {attempts})")
                if wait > 0:
                    self.sleep(wait)
        raise AssertionError("unreachable")


def body_chunks(resp: requests.Response) -> Iterator[bytes]:
    """The body as it arrives (read1 returns what is there instead of waiting for a whole buffer, so the time
    limit of an attempt holds even for a server that sends a few bytes at a time)."""
    read1 = getattr(resp.raw, "read1", None)
    if read1 is None:  # urllib3 < 2
        yield from resp.iter_content(64 * 1024)
        return
    while chunk := read1(64 * 1024, decode_content=True):
        yield chunk


def short_reason(text: str) -> str:
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"(Connection refused)", r"(Connection reset by peer)",
                    r"(Remote end closed connection[^'\")]*)", r"(IncompleteRead\([^)]*\))"):
        m = re.search(pattern, text)
        if m:
            return m.group(1).strip()
    return text if len(text) <= 120 else text[:119] + "…"


def http_error(reply: Reply, what: str, hint: str = "") -> FetchError:
    message = f"{what}: the server answered HTTP {reply.status} {reply.reason}".rstrip()
    if reply.body:
        message += f": {reply.snippet()}"
    return FetchError(message + (f". {hint}" if hint else ""))


# -- output ------------------------------------------------------------------------------------------------------

def check_output(output: str) -> None:
    if output == "-":
        return
    path = Path(output)
    if path.is_dir():
        raise UsageError(f"-o {output} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {path.parent} does not exist")


def write_atomically(output: str, data: bytes) -> None:
    """Write the whole file or nothing: a temporary file beside the target, renamed into place."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- arXiv -------------------------------------------------------------------------------------------------------

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
