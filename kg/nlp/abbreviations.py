"""Abbreviation definitions, after Schwartz & Hearst (2003): "long form (SF)" and "SF (long form)".

Pure functions over plain text, kept apart from the spaCy component so they can be tested directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATOR = re.compile(r"\s*[;,]\s*")
LAST_WORD = re.compile(r"(\S+)$")
PAREN = re.compile(r"\(([^()]{1,80})\)")
WORD = re.compile(r"\S+")
LEADING_NOISE = re.compile(r"^(?:(?:the|a|an|our|its|their|this|these|we|of|and|or|to|for|with|by|in|on|as|"
                           r"called|named|termed|dubbed|i\.e\.,?|e\.g\.,?)\s+)+", re.IGNORECASE)
NOT_SHORT_FORMS = {"i", "ii", "iii", "iv", "v", "vi", "a", "b", "c", "d", "e", "e.g", "i.e", "etc", "cf", "resp", "see"}


@dataclass(frozen=True)
class Abbreviation:
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
    words = candidate.split()
    return (2 <= len(candidate) <= 12 and 1 <= len(words) <= 2 and candidate[0].isalnum()
            and any(c.isupper() for c in candidate) and sum(c.isalpha() for c in candidate) >= 2
            and candidate.lower().rstrip(".") not in NOT_SHORT_FORMS)


def best_long_form(short: str, long: str) -> str | None:
    """The shortest end of `long` whose characters spell `short` in order, the first at a word start."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    return long[start:]


def plural_core(short: str) -> str:
    return short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short


def find_abbreviations(text: str) -> list[Abbreviation]:
    found: list[Abbreviation] = []
    for m in PAREN.finditer(text):
        inner = m.group(1).strip()
        inner_start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
        first = SEPARATOR.split(inner)[0]
        if is_short_form(first):
            pair = long_before(text, m.start(), first, inner_start)
            if pair:
                found.append(pair)
                continue
        if len(inner.split()) >= 2:
            pair = short_before(text, m.start(), inner, inner_start)
            if pair:
                found.append(pair)
    return found


def long_before(text: str, paren_start: int, short: str, short_start: int) -> Abbreviation | None:
    """'long form (SF)': look back at most min(|SF| + 5, 2 |SF|) words within the sentence."""
    core = plural_core(short)
    letters = sum(c.isalnum() for c in core)
    max_words = min(letters + 5, letters * 2)
    before = text[:paren_start].rstrip()
    cut = max(before.rfind(". "), before.rfind("; "), before.rfind(": "), before.rfind("("), before.rfind(")"))
    window_start = cut + 1 if cut >= 0 else 0
    words = list(WORD.finditer(before, window_start))[-max_words:]
    if not words:
        return None
    span_start = words[0].start()
    candidate = before[span_start:]
    long = best_long_form(core, candidate)
    if not long:
        return None
    long = LEADING_NOISE.sub("", long).strip(" ,;:-\"'")
    if not long or len(long) <= len(short) or long.lower() == short.lower():
        return None
    if len(long.split()) > max_words or not any(c.isalpha() for c in long):
        return None
    # the first letters of the short form must be initials of the long form, not letters inside a word
    if core[0].lower() != long[0].lower():
        return None
    long_start = span_start + candidate.rfind(long)
    return Abbreviation(short=short, long=long, short_start=short_start, long_start=long_start)


def short_before(text: str, paren_start: int, inner: str, inner_start: int) -> Abbreviation | None:
    """'SF (long form)': the word just before the parenthesis is the abbreviation."""
    before = text[:paren_start].rstrip()
    m = LAST_WORD.search(before)
    if not m:
        return None
    short = m.group(1).strip(",;:")
    if not is_short_form(short) or " " in short or not short.isupper():
        return None
    long = best_long_form(plural_core(short), inner)
    if not long or long != inner or len(inner.split()) > min(len(short) + 5, len(short) * 2):
        return None
    return Abbreviation(short=short, long=inner, short_start=m.start(1), long_start=inner_start)
