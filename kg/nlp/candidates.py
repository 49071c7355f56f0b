"""Entity candidates found in a paper's text, and the rules that choose among overlapping ones.

A candidate is a character span with a kind (method, dataset, task, metric) or no kind yet, and the evidence
that produced it. Rules that look at the words around a name live in `context.py`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# the higher, the more a candidate is trusted when two overlap
PRIORITY = {
    "abbrev-long": 90, "abbrev-short": 85, "named": 80, "title-name": 75, "gazetteer": 70, "shape": 60,
    "task-pattern": 45, "title-phrase": 40,
}


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    text: str
    kind: str | None
    source: str
    proposed: bool = False
    evaluated: bool = False
    long_form: str | None = None  # for a defined short form, its expansion
    canonical: str | None = None  # the gazetteer's label when the field knows this name under another form
    kind_votes: dict[str, int] = field(default_factory=dict)

    @property
    def priority(self) -> int:
        return PRIORITY[self.source]

    def overlaps(self, other: "Candidate") -> bool:
        return self.start < other.end and other.start < self.end

    def vote(self, kind: str, weight: int = 1) -> None:
        self.kind_votes[kind] = self.kind_votes.get(kind, 0) + weight


def choose(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: the longer span wins, then the more trusted source.

    A defined abbreviation's long form always wins over what lies inside it. The loser's kind votes and flags
    go to the winner, so evidence found for a part ("on the X benchmark" matched only "X") is not lost.
    """
    priority = PRIORITY
    # (sorted by the key, then by position in the list as a stable sort keeps them)
    keyed = [(c.source != "abbrev-long", c.start - c.end, -priority[c.source], c.start, i, c)
             for i, c in enumerate(candidates)]
    keyed.sort()
    ordered = [k[-1] for k in keyed]
    kept: list[Candidate] = []
    starts: list[int] = []  # starts of the kept spans, sorted (they never overlap each other)
    for cand in ordered:
        start, end = cand.start, cand.end
        i = bisect.bisect_right(starts, start)
        # only neighbours in text order can overlap
        clash = kept[i - 1] if i and kept[i - 1].start < end and start < kept[i - 1].end else None
        if clash is None and i < len(kept) and kept[i].start < end and start < kept[i].end:
            clash = kept[i]
        if clash is None:
            kept.insert(i, cand)
            starts.insert(i, start)
            continue
        if start >= clash.start and end <= clash.end:
            # evidence from inside the winner counts for the winner ("on the X benchmark" matched only "X", "-KD"
            # in "PESF-KD"), but not a metric glued on after a hyphen: "IS" (Inception Score) in "TREC-IS"
            glued_metric = cand.kind == "metric" and start > clash.start and text_before(clash, start) == "-"
            if cand.kind and not clash.kind and not glued_metric:
                clash.vote(cand.kind, 2)
            for kind, n in cand.kind_votes.items():
                clash.vote(kind, n)
            clash.proposed |= cand.proposed
            clash.evaluated |= cand.evaluated
    return kept


def text_before(c: Candidate, pos: int) -> str:
    """The character of the candidate's text just before text offset `pos` (inside it)."""
    return c.text[pos - c.start - 1]


CONTEXT_WORD = re.compile(r"[\w'-]+|[(),;:]")
# the first three words CONTEXT_WORD finds from a position: what it skips, then a word, three times
_SKIP, _WORD = r"[^\w'\-(),;:]*", r"([\w'-]+|[(),;:])"
THREE_WORDS = re.compile(rf"(?:{_SKIP}{_WORD}(?:{_SKIP}{_WORD}(?:{_SKIP}{_WORD})?)?)?")


def words_before(text: str, start: int, n: int) -> list[str]:
    """The last n words of the 80 characters before `start`."""
    window = max(0, start - 80)
    if n < 10 and start - window > 40:
        # most often the last 40 characters hold more than n words, and from the second word on CONTEXT_WORD
        # finds there the same words as in the whole window (the first may be the tail of a longer word)
        found = CONTEXT_WORD.findall(text, start - 40, start)
        if len(found) > n:
            return found[-n:]
    return CONTEXT_WORD.findall(text, window, start)[-n:]


def words_after(text: str, end: int, n: int) -> list[str]:
    return CONTEXT_WORD.findall(text, end, end + 80)[:n]


def words_after3(text: str, end: int) -> list[str]:
    """words_after(text, end, 3), read by one match."""
    m = THREE_WORDS.match(text, end, end + 80)
    return [w for w in m.groups() if w is not None]
