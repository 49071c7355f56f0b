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


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, cleaned url) for every URL in the text, in order, without repeats."""
    found, seen = [], set()
    for m in URL.finditer(text):
        url = clean_url(m.group(0))
        if url and url not in seen:
            seen.add(url)
            found.append((m.start(), m.start() + len(m.group(0)), url))
    return found
