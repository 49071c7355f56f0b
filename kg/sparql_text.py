"""Lexical facts about SPARQL text, read without a parser.

What the endpoint must know before a query runs: which operation it is (a query form or an update), whether it
would call out to another server (SERVICE, LOAD), whether it names its own dataset (FROM), and where the top-level
keywords of an update are (to apply the protocol's using-graph-uri). Everything here works on a *masked* copy of the
text of the same length, in which string literals, IRIs, comments and escapes are blanked out, so a keyword inside
`"..."`, `<...>` or `# ...` is never taken for one.

The outbound-call check is deliberately conservative. Oxigraph accepts keywords glued to what follows
(`SERVICE:x`, `SERVICEex:y`, `trueSERVICE<x>`), so the word counts wherever it is not plainly part of a variable or
prefixed name. And a `<` inside parentheses may be a less-than rather than the start of an IRI: the masked reading
can only go wrong from such a place, and only when what it took for an IRI holds `)`, `'` or `#` (what it would take
to leave the expression or start a string or comment behind the parser's back). When the text has such an IRI inside
parentheses, the word is also looked for in the raw text from there on. False alarms are possible (a prefix called
`service:`); missed calls should not be. The query workers also run without network access where the system allows
it.
"""
from __future__ import annotations

import functools
import re

_STRINGS = (r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"(?:[^"\\\n\r]|\\.)*"'
            r"|'(?:[^'\\\n\r]|\\.)*'")
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_COMMENT = r"#[^\n\r]*"
_ESCAPE = r"\\."  # PN_LOCAL_ESC outside strings (`ex:a\'b` is a name, not the start of a string)

_MASK = re.compile(f"(?P<s>{_STRINGS})|(?P<i>{_IRI})|(?P<c>{_COMMENT})|(?P<e>{_ESCAPE})", re.S)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"[?$]?[\w\-:]+|[{};]")
_WORD = re.compile(r"[?$]?[\w\-:]+")
_FROM = re.compile(r"(?<![\w\-:?$.])from(?![\w\-:])", re.I)
_NAME_CHARS = frozenset("_-.:%")

QUERY_FORMS = {"SELECT": "select", "CONSTRUCT": "construct", "DESCRIBE": "describe", "ASK": "ask"}
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


def _blank(match: re.Match) -> str:
    kind, text = match.lastgroup, match.group()
    if kind == "e":
        return "__"  # an escaped character continues a name
    if kind == "i":
        return "<" + " " * (len(text) - 2) + ">"
    return " " * len(text)


def masked(text: str) -> str:
    """`text` with strings, IRIs, comments and escapes blanked out; same length."""
    return _MASK.sub(_blank, text)


def unescape_codepoints(text: str) -> str:
    """Apply SPARQL's \\uXXXX / \\UXXXXXXXX escapes everywhere (what some engines do before parsing)."""
    def char(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group()
    return _CODEPOINT.sub(char, text)


def _continues_name(code: str, i: int) -> bool:
    """True when position i is inside a variable or prefixed name (so a word there is no keyword)."""
    j = i
    while j > 0 and (code[j - 1].isalnum() or code[j - 1] in _NAME_CHARS):
        j -= 1
    run = code[j:i]
    if ":" in run:
        return True  # a prefixed name's local part or a blank node label: `ex:SERVICE`, `_:bSERVICE`
    if j > 0 and code[j - 1] in "?$" and (run == "" or run.replace("_", "a").isalnum()):
        return True  # a variable: `?service`
    return False


def _has_keyword(code: str, word: str, start: int = 0) -> bool:
    low = code.lower()
    start = low.find(word, start)
    while start >= 0:
        if not _continues_name(code, start):
            return True
        start = low.find(word, start + 1)
    return False


def _ambiguous(text: str) -> int:
    """Offset of the first IRI-looking `<...>` inside parentheses that holds `)`, `'` or `#` (it may be a
    less-than, and the masked reading cannot be trusted from there on); -1 when there is none."""
    depth, pos = 0, 0
    for m in _MASK.finditer(text):
        code = text[pos:m.start()]
        depth += code.count("(") - code.count(")")
        pos = m.end()
        if m.lastgroup == "i" and depth > 0 and any(c in m.group() for c in ")'#"):
            return m.start()
    return -1


@functools.lru_cache(maxsize=4096)
def calls_out(text: str, word: str = "service") -> bool:
    """Whether the operation may use `word` (service, load) as a keyword, read conservatively."""
    escaped = "\\u" in text or "\\U" in text
    if word not in text.lower() and not escaped:
        return False
    for variant in (text, unescape_codepoints(text)) if escaped else (text,):
        if _has_keyword(masked(variant), word):
            return True
        doubt = _ambiguous(variant)
        if doubt >= 0 and _has_keyword(variant, word, doubt):
            return True
    return False


def tokens(code: str) -> list[tuple[str, int, int]]:
    """(upper-cased token, start, brace depth) of the masked text: words, variables, names, braces and `;`."""
    out, depth = [], 0
    for m in _TOKEN.finditer(code):
        tok = m.group()
        if tok == "}":
            depth -= 1
        out.append((tok.upper(), m.start(), depth))
        if tok == "{":
            depth += 1
    return out


_masked_recent = functools.lru_cache(maxsize=64)(masked)  # the same text is read several times per request


@functools.lru_cache(maxsize=4096)
def operation(text: str) -> str | None:
    """'select', 'construct', 'describe', 'ask' or 'update' from the first keyword after the prologue; None when the
    text starts with something else (it will fail to parse)."""
    for m in _WORD.finditer(_masked_recent(text)):
        tok = m.group().upper()
        if tok in ("BASE", "PREFIX") or tok.endswith(":"):
            continue
        if tok in QUERY_FORMS:
            return QUERY_FORMS[tok]
        if tok in UPDATE_KEYWORDS:
            return "update"
        return None
    return None


MAX_NESTING = 200  # far deeper than any real query; much deeper ones overflow the query engine's parser stack
# brackets, and runs of prefix operators ("!!!!x", "- - -1", "^^p"), which the parser nests as deeply
_BRACKET = re.compile(r"[(){}\[\]]|[!^+\-](?:\s*[!^+\-])+")


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets (groups, expressions, lists) and prefix operators outside strings, IRIs and
    comments."""
    depth = deepest = 0
    for m in _BRACKET.finditer(masked(text)):
        token = m.group()
        if token in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")}]":
            depth -= 1
        else:
            deepest = max(deepest, depth + len(token) - token.count(" ") - token.count("\n") - token.count("\t"))
    return deepest


@functools.lru_cache(maxsize=4096)
def names_dataset(text: str) -> bool:
    """Whether a query has its own dataset clause (FROM or FROM NAMED)."""
    return "from" in text.lower() and _FROM.search(_masked_recent(text)) is not None


_LIMIT = re.compile(r"(?i)(?<![\w\-:?$])limit\s+(\d+)")


@functools.lru_cache(maxsize=4096)
def top_limit(text: str) -> int | None:
    """The LIMIT of the outermost query (at brace depth 0); None when it has none."""
    code = _masked_recent(text)
    if "limit" not in code.lower():
        return None
    found = None
    for m in _LIMIT.finditer(code):
        head = code[:m.start()]
        if head.count("{") == head.count("}"):
            found = int(m.group(1))
    return found


__all__ = ["masked", "unescape_codepoints", "calls_out", "tokens", "operation", "names_dataset", "top_limit",
           "QUERY_FORMS", "UPDATE_KEYWORDS"]
