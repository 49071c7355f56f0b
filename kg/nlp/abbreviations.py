"""Abbreviation definitions, after Schwartz & Hearst (2003): "long form (SF)" and "SF (long form)".

Pure functions over plain text, kept apart from the spaCy component so they can be tested directly.
"""
from __future__ import annotations

import re
from typing import NamedTuple

SEPARATOR = re.compile(r"\s*[;,]\s*")
LAST_WORD = re.compile(r"(\S+)$")
PAREN = re.compile(r"\(([^()]{1,80})\)")
WORD = re.compile(r"\S+")
LEADING_NOISE = re.compile(r"^(?:(?:the|a|an|our|its|their|this|these|we|of|and|or|to|for|with|by|in|on|as|"
                           r"called|named|termed|dubbed|i\.e\.,?|e\.g\.,?)\s+)+", re.IGNORECASE)
NOT_SHORT_FORMS = {"i", "ii", "iii", "iv", "v", "vi", "a", "b", "c", "d", "e", "e.g", "i.e", "etc", "cf", "resp", "see"}


class Abbreviation(NamedTuple):
    short: str
    long: str
    short_start: int  # character offsets in the text given to find_abbreviations
    long_start: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)

    @property
    def long_end(self) -> int:
        return self.long_start + len(self.long)


def is_short_form(candidate: str) -> bool:
    """A plausible abbreviation: 2-12 characters, one or two words, starts alphanumeric, has a capital letter."""
    if not 2 <= len(candidate) <= 12 or not candidate[0].isalnum():
        return False
    words = candidate.split()
    return (1 <= len(words) <= 2 and any(map(str.isupper, candidate)) and sum(map(str.isalpha, candidate)) >= 2
            and candidate.lower().rstrip(".") not in NOT_SHORT_FORMS)


def best_long_form(short: str, long: str) -> str | None:
    """The shortest end of `long` whose characters spell `short` in order, the first at a word start."""
    low = long.lower() if long.isascii() else lower_each(long)  # one character per character of `long`
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():  # (a character whose lower case is two, such as "İ", is not alphanumeric either)
            s -= 1
            continue
        i = low.rfind(c, 0, i + 1)
        if s == 0:
            while i > 0 and long[i - 1].isalnum():  # the first letter must start a word
                i = low.rfind(c, 0, i)
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    return long[start:]


def lower_each(text: str) -> str:
    """text.lower() with the text's offsets: a character whose lower case is longer than one becomes NUL, which
    matches no letter."""
    return "".join(low if len(low) == 1 else "\0" for low in map(str.lower, text))


def plural_core(short: str) -> str:
    return short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short


def find_abbreviations(text: str, lo: int = 0, hi: int | None = None) -> list[Abbreviation]:
    """The definitions in text[lo:hi] (one sentence), with offsets in `text`."""
    if hi is None:
        hi = len(text)
    found: list[Abbreviation] = []
    for m in PAREN.finditer(text, lo, hi):
        group = m.group(1)
        inner = group.strip()
        inner_start = m.start(1) + (len(group) - len(group.lstrip()))
        first = SEPARATOR.split(inner)[0]
        if is_short_form(first):
            pair = long_before(text, m.start(), first, inner_start, lo)
            if pair:
                found.append(pair)
                continue
        if len(inner.split()) >= 2:
            pair = short_before(text, m.start(), inner, inner_start, lo)
            if pair:
                found.append(pair)
    return found


# where the long form that a title's "SF: long form" spells out ends: before its means or purpose
TITLE_LONG_END = re.compile(r"\s+(?:via|with|for|through|using|by|in|on|from|towards?|at|as)\s+|\s*[,:;?!(]|\s+-+\s+",
                            re.IGNORECASE)


def title_definition(title: str) -> Abbreviation | None:
    """A title that opens with a name and spells it out after the colon: "ETran: Energy-Based Transferability
    Estimation", "CAMS: Color-Aware Multi-Style Transfer for ...". As with "SF (long form)", the words up to the
    title's next clause must spell the name from their first letter on."""
    head, sep, rest = title.partition(":")
    short = head.strip()
    if not sep or " " in short or not is_short_form(short) or not short[0].isupper():
        return None
    lead = len(rest) - len(rest.lstrip())
    end = TITLE_LONG_END.search(rest, lead)
    candidate = LEADING_NOISE.sub("", rest[lead:end.start() if end else len(rest)]).strip()
    core = plural_core(short)
    letters = sum(map(str.isalnum, core))
    words = candidate.split()
    # (fewer words than in a sentence's "long form (SF)": a title's words run on past the name more often; and not
    # a name that is its first word: "HARD: Hard Augmentations for ...")
    if not candidate or len(words) > min(letters + 2, letters * 2) or len(candidate) <= len(short) or \
            core.lower() in words[0].lower().split("-"):
        return None
    if best_long_form(core, candidate) != candidate or core[0].lower() != candidate[0].lower():
        return None
    # stricter than in a sentence, where the brackets say that a definition is meant: each capital of the name
    # starts a word (or hyphenated part) of the long form, in order, and few other words come in between
    # (not "PANDA: Prompt Transfer Meets Knowledge Distillation", a claim whose letters happen to spell the name)
    parts = [part for word in words for part in word.split("-") if part]
    capitals = [c.lower() for c in core if c.isupper()]
    initials = iter(part[0].lower() for part in parts)
    if not all(c in initials for c in capitals):
        return None
    if sum(1 for part in parts if part.lower() not in TITLE_SMALL_WORDS) - len(capitals) > 3:
        return None
    return Abbreviation(short, candidate, title.index(short), len(head) + 1 + rest.index(candidate))


TITLE_SMALL_WORDS = {"a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "over", "with"}


def long_before(text: str, paren_start: int, short: str, short_start: int, lo: int = 0) -> Abbreviation | None:
    """'long form (SF)': look back at most min(|SF| + 5, 2 |SF|) words within the sentence (text[lo:])."""
    core = plural_core(short)
    letters = sum(map(str.isalnum, core))
    max_words = min(letters + 5, letters * 2)
    end = lo + len(text[lo:paren_start].rstrip())  # the end of what comes before the bracket
    cut = max(text.rfind(". ", lo, end), text.rfind("; ", lo, end), text.rfind(": ", lo, end),
              text.rfind("(", lo, end), text.rfind(")", lo, end))
    window_start = cut + 1 if cut >= 0 else lo
    span_start = start_of_last_words(text, window_start, end, max_words)
    if span_start is None:
        return None
    candidate = text[span_start:end]
    long = best_long_form(core, candidate)
    if not long:
        return None
    long = LEADING_NOISE.sub("", long).strip(" ,;:-\"'")
    if not long or len(long) <= len(short) or long.lower() == short.lower():
        return None
    if len(long.split()) > max_words or not any(map(str.isalpha, long)):
        return None
    # the first letters of the short form must be initials of the long form, not letters inside a word
    if core[0].lower() != long[0].lower():
        return None
    long_start = span_start + candidate.rfind(long)
    return Abbreviation(short, long, short_start, long_start)


def start_of_last_words(text: str, start: int, end: int, n: int) -> int | None:
    """Where the last n words (WORD) of text[start:end] begin; None when it has no word. (n <= 0: all of them,
    as a list's [-n:] would take.)"""
    seg = text[start:end]
    parts = seg.rsplit(None, n) if n > 0 else seg.split()
    if not parts:
        return None
    if n <= 0 or len(parts) <= n:
        return start + len(seg) - len(seg.lstrip())
    q = len(parts[0])  # the words before the last n, then the spaces after them
    while seg[q].isspace():
        q += 1
    return start + q


def short_before(text: str, paren_start: int, inner: str, inner_start: int, lo: int = 0) -> Abbreviation | None:
    """'SF (long form)': the word just before the parenthesis is the abbreviation."""
    before = text[lo:paren_start].rstrip()
    last = before.rsplit(None, 1)  # LAST_WORD.search(before): the last word (before has no trailing space)
    if not last:
        return None
    word = last[-1]
    short = word.strip(",;:")
    if not is_short_form(short) or " " in short or not short.isupper():
        return None
    long = best_long_form(plural_core(short), inner)
    if not long or long != inner or len(inner.split()) > min(len(short) + 5, len(short) * 2):
        return None
    return Abbreviation(short, inner, lo + len(before) - len(word), inner_start)
