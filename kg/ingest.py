"""Read input files into Paper records. Formats are detected from content, never from the file name.

Supported: the saved Hugging Face papers page (header lines, then a title line and an abstract line per paper),
JSON Lines (title, abstract, optional id, url, authors, published, repository), a JSON array of such objects (or
one, pretty-printed) and arXiv API Atom XML.
Problems are reported as `Problem` records naming file, line and reason; good records are always kept.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import stat
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .records import Paper, Problem

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000  # arXiv caps abstracts at 1,920 characters; anything far longer is not an abstract

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NEW_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
ARXIV_OLD_ID = re.compile(r"\b([a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
PAGE_HEADER = re.compile(r"^\s*get trending papers\b", re.IGNORECASE)
GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
# control characters, and the bidirectional overrides that can make text display differently from what it says
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MARKUP = re.compile(r"<\s*/?\s*(?:script|style|iframe|object|embed|svg|img|a|b|i|u|p|br|div|span|em|strong|sup|sub|"
                    r"link|meta|form|input|button|html|body|head|math|video|audio|source)\b[^<>]*>", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?](?:\s+[A-Z(]|\s*$)")


@dataclass
class IngestReport:
    """Papers read from all inputs (duplicates merged, the later record kept) and every problem met."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    read: int = 0  # records seen, good or bad

    @property
    def rejected(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def duplicates(self) -> int:
        return sum(1 for p in self.problems if p.severity == "duplicate")


def read_inputs(paths: Iterable[str | Path]) -> IngestReport:
    report = IngestReport()
    index: dict[str, int] = {}
    for path in paths:
        for item in read_file(path):
            if isinstance(item, Problem):
                report.problems.append(item)
                if item.severity == "error":
                    report.read += 1
                continue
            report.read += 1
            if item.id in index:
                earlier = report.papers[index[item.id]]
                report.problems.append(Problem(
                    item.source, item.line,
                    f"same paper as {earlier.source}:{earlier.line} (id {item.id}); the later record is kept",
                    "duplicate"))
                report.papers[index[item.id]] = item
            else:
                index[item.id] = len(report.papers)
                report.papers.append(item)
    return report


def read_file(path: str | Path) -> Iterator[Paper | Problem]:
    name = str(path)
    try:
        problem = not_a_file(path)
        if problem:
            yield Problem(name, 0, f"cannot read: {problem}")
            return
        with open(path, "rb") as f:
            head = f.read(BINARY_SNIFF)
            if looks_binary(head):  # said before the rest of a large file is read in
                yield Problem(name, 0, BINARY_FILE)
                return
            data = head + f.read()
    except OSError as err:
        yield Problem(name, 0, f"cannot read file: {err.strerror or err}")
        return
    text, problem = decode(data, name)
    if problem:
        yield problem
    if text is None:
        return
    if not text.strip():
        yield Problem(name, 0, "file is empty: no papers in it")
        return
    first = text.lstrip()[:1]
    if first == "{":
        yield from read_jsonl(text, name)
    elif first == "[":
        yield from read_json_array(text, name)
    elif first == "<":
        yield from read_atom(text, name)
    else:
        found = False
        for item in read_page(text, name):
            found = found or isinstance(item, Paper)
            yield item
        if not found:  # the page format is the fallback: say so when it was the wrong guess
            yield Problem(name, 0, "no papers read: the file was taken for a saved papers page (title and abstract "
                                   "lines), as it is neither JSON Lines nor Atom XML", "warning")


def not_a_file(path: str | Path) -> str | None:
    """Why `path` is not a file to read papers from (a folder, a pipe, a device), or None. A pipe is refused
    rather than read: opening one blocks until something writes to it, and a device may never end."""
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode):
        return None
    return "it is a folder; give the files in it" if stat.S_ISDIR(mode) else \
        "not a regular file (a pipe, socket or device); save the papers to a file first"


BINARY_SNIFF = 8192  # bytes looked at to tell text from binary
BINARY_FILE = "binary file, not text: expected a papers page, JSON Lines or Atom XML"


def looks_binary(head: bytes) -> bool:
    """Many NUL bytes or control characters (a stray NUL in a text is a text problem, reported per record)."""
    if not head:
        return False
    return head.count(b"\x00") > len(head) * 0.01 or sum(b < 9 or 13 < b < 32 for b in head) > len(head) * 0.1


def decode(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    """Bytes -> text. UTF-8 (with or without BOM) is expected; Windows-1252 (Western European, which reads
    Latin-1's letters too) is read with a warning; binary is refused."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    if looks_binary(data[:BINARY_SNIFF]):
        return None, Problem(name, 0, BINARY_FILE)
    try:
        text = data.decode("utf-8")
        return text, Problem(name, 1, "UTF-8 byte-order mark ignored", "warning") if bom else None
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        warning = Problem(name, line, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); the file was read as "
                                      "Windows-1252 (Latin-1) - save it as UTF-8 to be sure of its accents", "warning")
        return data.decode("cp1252", errors="replace"), warning


def clean_text(value: str) -> tuple[str, bool]:
    """Normalise whitespace and Unicode; drop control characters. Returns (text, had_control_chars)."""
    value = unicodedata.normalize("NFC", value)
    dirty = bool(CONTROL_CHARS.search(value.replace("\t", " ").replace("\n", " ").replace("\r", " ")))
    value = CONTROL_CHARS.sub("", value)
    return " ".join(value.split()), dirty


def normalised_title(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.lower()))


def title_hash(title: str) -> str:
    return hashlib.sha1(normalised_title(title).encode("utf-8")).hexdigest()[:12]


def arxiv_id(*candidates: str | None) -> str | None:
    """The first arXiv id found in the candidates (bare ids or arxiv.org URLs), without its version."""
    for value in candidates:
        if not value:
            continue
        value = str(value).strip()
        if "/" in value and "arxiv" not in value.lower() and not ARXIV_OLD_ID.fullmatch(value):
            continue  # a URL of some other site: its digits are not an arXiv id
        m = ARXIV_NEW_ID.search(value) or ARXIV_OLD_ID.search(value)
        if m:
            return m.group(1)
    return None


def make_paper(name: str, line: int, title: str, abstract: str, *, ident: str | None = None,
               url: str | None = None, authors: Iterable[str] = (), published: str | None = None,
               repositories: Iterable[str] = ()) -> Paper | list[Problem]:
    """Validate and normalise one record; returns the Paper or the problems that reject it."""
    problems: list[Problem] = []
    title, dirty_title = clean_text(title or "")
    abstract, dirty_abstract = clean_text(abstract or "")
    if not title:
        problems.append(Problem(name, line, "record has no title"))
    if not abstract:
        problems.append(Problem(name, line, f"title {shorten(title)!r} has no abstract"))
    if len(title) > MAX_TITLE_CHARS:
        problems.append(Problem(name, line, f"title is {len(title):,} characters, over the limit of "
                                            f"{MAX_TITLE_CHARS:,}: is this field really a title?"))
    if len(abstract) > MAX_ABSTRACT_CHARS:
        problems.append(Problem(name, line, f"abstract of {shorten(title)!r} is {len(abstract):,} characters, over "
                                            f"the limit of {MAX_ABSTRACT_CHARS:,}: is this field really an abstract?"))
    if problems:
        return problems
    found = arxiv_id(ident, url)
    # the arXiv id when there is one (not also the URL it came from), else the record's own id
    identifiers = (found,) if found else ((str(ident).strip(),) if ident and str(ident).strip() else ())
    paper = Paper(
        id=found.replace("/", "_") if found else title_hash(title),
        title=title, abstract=abstract, source=name, line=line, identifiers=identifiers,
        authors=tuple(a for a in (clean_text(x)[0] for x in authors) if a),
        published=clean_text(published)[0] or None if published else None,
        urls=tuple(u for u in [url.strip() if url else ""] if u.startswith(("http://", "https://"))),
        repositories=tuple(r.strip() for r in repositories if r and r.strip().startswith(("http://", "https://"))),
    )
    notes: list = [paper]
    if dirty_title or dirty_abstract:
        notes.append(Problem(name, line, "control or text-direction characters removed from "
                                         f"{'title' if dirty_title else 'abstract'}", "warning"))
    markup = MARKUP.search(title) or MARKUP.search(abstract)
    if markup:
        notes.append(Problem(name, line, f"markup {shorten(markup.group(), 30)!r} in "
                                         f"{'title' if MARKUP.search(title) else 'abstract'}; kept as plain text",
                             "warning"))
    return paper if len(notes) == 1 else notes  # type: ignore[return-value]


def emit(result: Paper | list) -> Iterator[Paper | Problem]:
    if isinstance(result, Paper):
        yield result
    else:
        yield from result


def shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- page format ----------------------------------------------------------------------------------------------

def looks_like_abstract(line: str) -> bool:
    return len(line) >= 300 or len(SENTENCE_END.findall(line)) >= 2


def read_page(text: str, name: str) -> Iterator[Paper | Problem]:
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    start = 0
    while start < len(lines) and PAGE_HEADER.match(lines[start][1]):
        start += 1
    lines = lines[start:]
    if lines and GLUED_SUBSCRIBE.match(lines[0][1]):
        lines[0] = (lines[0][0], GLUED_SUBSCRIBE.sub("", lines[0][1]))
    pending: tuple[int, str] | None = None
    for i, (n, line) in enumerate(lines):
        if pending is None:
            if len(line) > MAX_TITLE_CHARS or (looks_like_abstract(line) and len(line) > 500):
                yield Problem(name, n, f"text {shorten(line)!r} has no title line before it")
            else:
                pending = (n, line)
            continue
        following = lines[i + 1][1] if i + 1 < len(lines) else ""
        if not looks_like_abstract(line) and following and looks_like_abstract(following) \
                and not looks_like_abstract(pending[1]) and len(line) < 300:
            # two title-like lines in a row, then an abstract: the first title lost its abstract
            yield Problem(name, pending[0], f"title {shorten(pending[1])!r} has no abstract")
            pending = (n, line)
            continue
        yield from emit(make_paper(name, pending[0], pending[1], line))
        pending = None
    if pending is not None:
        yield Problem(name, pending[0], f"title {shorten(pending[1])!r} has no abstract (end of file)")


# -- JSON Lines --------------------------------------------------------------------------------------------------

def read_jsonl(text: str, name: str) -> Iterator[Paper | Problem]:
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), 0)
    if not parses(lines[first]) and parses(text):
        # one JSON document spread over lines (pretty-printed), not one record per line
        yield from read_json_document(text, name)
        return
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield Problem(name, n, json_error(err))
            continue
        yield from json_record(obj, name, n)


def parses(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def json_error(err: json.JSONDecodeError, expected: str = "valid JSON") -> str:
    at = " " if err.msg.endswith(" at") else " at "  # "Unterminated string starting at" ends in "at"
    return f"not {expected} ({err.msg}{at}column {err.colno})"


def read_json_document(text: str, name: str) -> Iterator[Paper | Problem]:
    """One JSON object over several lines: a paper, pretty-printed."""
    obj = json.loads(text)
    line = text.count("\n", 0, len(text) - len(text.lstrip())) + 1
    if isinstance(obj, dict) and "title" not in obj:
        yield Problem(name, line, "a JSON object that is not a paper (no title): expected JSON Lines, one paper "
                                  "per line, or an array of papers")
        return
    yield from json_record(obj, name, line)


def read_json_array(text: str, name: str) -> Iterator[Paper | Problem]:
    """A JSON array of papers, pretty-printed or not; each paper's line is where its object starts. The array is
    one document: an error in it is reported once, with its line and column, and nothing of it is read."""
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        yield Problem(name, err.lineno, json_error(err, "a valid JSON array"))
        return
    decoder = json.JSONDecoder()
    pos = skip_space(text, len(text) - len(text.lstrip()) + 1)  # after "["
    while text[pos] != "]":
        obj, end = decoder.raw_decode(text, pos)
        yield from json_record(obj, name, text.count("\n", 0, pos) + 1)
        pos = skip_space(text, end)
        if text[pos] == ",":
            pos = skip_space(text, pos + 1)


def skip_space(text: str, pos: int) -> int:
    while text[pos] in " \t\r\n":
        pos += 1
    return pos


def json_record(obj: object, name: str, n: int) -> Iterator[Paper | Problem]:
    """One paper from a decoded JSON object (of a JSON Lines line or an array)."""
    if not isinstance(obj, dict):
        yield Problem(name, n, f"expected a JSON object with title and abstract, got {type(obj).__name__}")
        return
    title, abstract = obj.get("title"), obj.get("abstract", obj.get("summary"))
    wrong = [f"{field} is {type(value).__name__}, not a string" for field, value in
             (("title", title), ("abstract", abstract)) if value is not None and not isinstance(value, str)]
    if wrong:
        yield Problem(name, n, "; ".join(wrong))
        return
    authors = obj.get("authors") or []
    if isinstance(authors, str):
        authors = [a for a in re.split(r",|\band\b", authors)]
    authors = [a.get("name", "") if isinstance(a, dict) else str(a) for a in authors]
    repos = [obj.get(k) for k in ("repository", "github", "githubRepo", "code")]
    ident = obj.get("id", obj.get("arxiv_id"))
    yield from emit(make_paper(
        name, n, title, abstract or "", ident=str(ident) if ident is not None else None,
        url=obj.get("url") if isinstance(obj.get("url"), str) else None, authors=authors,
        published=str(obj["published"]) if obj.get("published") else None,
        repositories=[r for r in repos if isinstance(r, str)]))


# -- arXiv Atom --------------------------------------------------------------------------------------------------

ENTRY_CHUNK = re.compile(r"<entry\b.*?</entry>", re.DOTALL)
NAMESPACES = ('xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
              'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"')


def read_atom(text: str, name: str) -> Iterator[Paper | Problem]:
    starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<entry\b", text)]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        # one broken entry must not cost the others: read entry by entry
        yield Problem(name, err.position[0], f"XML error ({err}); reading the entries one by one", "warning")
        yield from read_atom_entries(text, name)
        return
    if root.tag != f"{ATOM}feed":
        yield Problem(name, 1, f"XML root is <{root.tag}>, not an Atom <feed>")
        return
    for entry, line in zip(root.iter(f"{ATOM}entry"), itertools.chain(starts, itertools.repeat(0))):
        yield from atom_entry(entry, name, line)


def read_atom_entries(text: str, name: str) -> Iterator[Paper | Problem]:
    seen = 0
    for m in ENTRY_CHUNK.finditer(text):
        seen += 1
        line = text.count("\n", 0, m.start()) + 1
        chunk = m.group(0)
        if "xmlns=" not in chunk.split(">", 1)[0]:
            chunk = chunk.replace("<entry", f"<entry {NAMESPACES}", 1)
        try:
            entry = ET.fromstring(chunk)
        except ET.ParseError as err:
            yield Problem(name, line + err.position[0] - 1, f"broken Atom entry ({err})")
            continue
        yield from atom_entry(entry, name, line)
    opened = len(re.findall(r"<entry\b", text))
    if opened > seen:
        last = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<entry\b", text)][-1]
        yield Problem(name, last, "Atom entry is not closed (truncated file?)")


def atom_entry(entry: ET.Element, name: str, line: int) -> Iterator[Paper | Problem]:
    def text_of(tag: str) -> str:
        el = entry.find(f"{ATOM}{tag}")
        return "".join(el.itertext()) if el is not None else ""

    ident = text_of("id")
    alternate = next((link.get("href") for link in entry.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate" and link.get("href")), None)
    authors = ["".join(a.itertext()) for a in entry.findall(f"{ATOM}author/{ATOM}name")]
    title = text_of("title")
    if "/api/errors" in ident:  # arXiv answers a bad query with an entry titled "Error"
        yield Problem(name, line, f"the feed reports an error: {clean_text(text_of('summary'))[0]}")
        return
    yield from emit(make_paper(name, line, title, text_of("summary"), ident=ident, url=alternate or ident,
                               authors=authors, published=text_of("published") or None))
