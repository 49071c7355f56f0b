"""Which sentences of an abstract are claims: statements of what the paper found, showed or achieved.

A sentence scores points for finding verbs ("we show", "results demonstrate"), comparisons ("outperforms"),
achievements with numbers, and loses them for contribution statements ("we propose"), background and
availability statements ("code is available at"). The cue patterns are data: data/claim_cues.jsonl.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .resources import patterns

CLAIM_THRESHOLD = 3


@lru_cache(maxsize=None)
def cues() -> tuple[tuple[str, re.Pattern, int, frozenset[str]], ...]:
    """(id, regex, weight, words one of which the sentence must contain for the regex to be tried)."""
    return tuple((row["id"], re.compile(row["regex"], re.IGNORECASE), int(row["weight"]),
                  frozenset(row.get("needs", ()))) for row in patterns("claim_cues"))


WORDS = re.compile(r"[a-z0-9]+")


def claim_score(sentence: str, index: int, count: int, has_result: bool, about_own_work: bool = False) -> int:
    """Points for one sentence; `index` is its place among the abstract's `count` sentences. `about_own_work`:
    the sentence opens with a name the paper introduces ("LLaVE-2B surpasses ...")."""
    score = 0
    fired = set()
    present = set(WORDS.findall(sentence.lower()))
    for cue_id, regex, weight, needs in cues():
        if needs and needs.isdisjoint(present):
            continue  # cheap test first: the regex cannot match without one of these words
        if regex.search(sentence):
            score += weight
            fired.add(cue_id)
    if has_result:
        score += 2
    if about_own_work and "contribution" not in fired:
        score += 2
    if index == 0 and "finding" not in fired:
        score -= 2  # the first sentence sets the scene
    if count > 3 and index >= count * 0.6:
        score += 1  # findings come late in an abstract
    return score


def is_claim(sentence: str, index: int, count: int, has_result: bool, about_own_work: bool = False) -> bool:
    return claim_score(sentence, index, count, has_result, about_own_work) >= CLAIM_THRESHOLD
