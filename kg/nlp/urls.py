"""Finding URLs in abstract text and cleaning them of sentence punctuation and LaTeX residue."""
from __future__ import annotations

import re

HOST = re.compile(r"https?://([^/?#]+)", re.IGNORECASE)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
LATEX_ESCAPE = re.compile(r"\\([#_%&~$])")
LATEX_WRAPPER = re.compile(r"^\\(?:url|href)\{([^}]*)\}.*$")
GLUED_BRACES = re.compile(r"\{[^{}]*\}?$")  # "{here}", "{Project" (the rest of the group was cut at a space)
TRAILING = ".,;:!?'\"*"
PAIRS = {")": "(", "]": "[", "}": "{"}


def clean_url(raw: str) -> str | None:
    """The URL without what the sentence glued to it; None when nothing URL-like remains."""
    url = LATEX_WRAPPER.sub(r"\1", raw.strip())
    url = LATEX_ESCAPE.sub(r"\1", url)
    while True:
        before = url
        url = url.rstrip(TRAILING)
        url = GLUED_BRACES.sub("", url) if "{" in url else url
        if url and url[-1] in PAIRS and url.count(PAIRS[url[-1]]) < url.count(url[-1]):
            url = url[:-1]  # a closing bracket of the sentence, not of the URL
        if url == before:
            break
    if url.lower().startswith("www."):
        url = "https://" + url
    host = HOST.match(url)
    if not host or "." not in host.group(1):
        return None
    return url


def find_urls(text: str, low: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, cleaned url) for every URL in the text, in order, without repeats. `low`: text.lower() when
    its offsets are the text's (then only the places where "http" or "www." is written are tried)."""
    found, seen = [], set()
    for m in (URL.finditer(text) if low is None else url_matches(text, low)):
        url = clean_url(m.group(0))
        if url and url not in seen:
            seen.add(url)
            found.append((m.start(), m.start() + len(m.group(0)), url))
    return found


def url_matches(text: str, low: str) -> list:
    """URL.finditer(text), trying only where a URL can start: at "http" or "www." in any case (no other letter
    matches h, t, p or w when the case is ignored)."""
    starts = []
    for lead in ("http", "www."):
        pos = low.find(lead)
        while pos >= 0:
            starts.append(pos)
            pos = low.find(lead, pos + 1)
    starts.sort()
    out, end = [], 0
    for pos in starts:
        if pos >= end:
            m = URL.match(text, pos)
            if m:
                out.append(m)
                end = m.end()
    return out
