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
    ordered = sorted(candidates, key=lambda c: (-(c.source == "abbrev-long"), -(c.end - c.start), -c.priority,
                                                c.start))
    kept: list[Candidate] = []
    starts: list[int] = []  # starts of the kept spans, sorted (they never overlap each other)
    for cand in ordered:
        i = bisect.bisect_right(starts, cand.start)
        clash = None
        for k in kept[max(i - 1, 0):i + 1]:  # only neighbours in text order can overlap
            if k.overlaps(cand):
                clash = k
                break
        if clash is None:
            kept.insert(i, cand)
            starts.insert(i, cand.start)
            continue
        if cand.start >= clash.start and cand.end <= clash.end:
            # evidence from inside the winner counts for the winner
            if cand.kind and not clash.kind:
                clash.vote(cand.kind, 2)
            for kind, n in cand.kind_votes.items():
                clash.vote(kind, n)
            clash.proposed |= cand.proposed
            clash.evaluated |= cand.evaluated
    return kept


CONTEXT_WORD = re.compile(r"[\w'-]+|[(),;:]")


def words_before(text: str, start: int, n: int) -> list[str]:
    return CONTEXT_WORD.findall(text, max(0, start - 80), start)[-n:]


def words_after(text: str, end: int, n: int) -> list[str]:
    return CONTEXT_WORD.findall(text, end, end + 80)[:n]
