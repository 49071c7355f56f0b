"""Which sentences of an abstract are claims: statements of what the paper found, showed or achieved.

A sentence scores points for finding verbs ("we show", "results demonstrate"), comparisons ("outperforms"),
achievements with numbers, and loses them for contribution statements ("we propose"), background and
availability statements ("code is available at"). The cues are data (data/claim_cues.jsonl): each is a sequence
of word sets ("we" then "show|find|..." within a few words). Words are matched through a per-process cache of
which cue steps each word belongs to, so a sentence costs one pass over its words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .resources import patterns

CLAIM_THRESHOLD = 3
WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|\(")


@dataclass(frozen=True)
class Step:
    words: frozenset[str]  # whole words
    prefixes: tuple[str, ...]  # words given as "achiev*"
    phrases: tuple[tuple[str, ...], ...]  # several words in a row ("better than")
    gap: int  # most words allowed between the previous step and this one

    def first_words(self) -> set[str]:
        return set(self.words) | {p[0] for p in self.phrases}


@dataclass(frozen=True)
class Cue:
    id: str
    weight: int
    steps: tuple[Step, ...]
    at_start: bool  # the first step must open the sentence


def parse_step(items: list[str], gap: int) -> Step:
    words, prefixes, phrases = set(), [], []
    for item in items:
        item = item.lower()
        if " " in item:
            phrases.append(tuple(item.split()))
        elif item.endswith("*"):
            prefixes.append(item[:-1])
        else:
            words.add(item)
    return Step(frozenset(words), tuple(prefixes), tuple(phrases), gap)


@lru_cache(maxsize=None)
def cues() -> tuple[Cue, ...]:
    out = []
    for row in patterns("claim_cues"):
        if "steps" not in row:
            continue  # a comment line
        gaps = row.get("gaps", [0] * len(row["steps"]))
        out.append(Cue(row["id"], int(row["weight"]),
                       tuple(parse_step(items, gap) for items, gap in zip(row["steps"], gaps)),
                       bool(row.get("at_start"))))
    return tuple(out)


@lru_cache(maxsize=None)
def indexed_cues() -> tuple[tuple[int, Cue, frozenset[tuple[int, int]]], ...]:
    return tuple((ci, cue, frozenset((ci, si) for si in range(len(cue.steps)))) for ci, cue in enumerate(cues()))


_word_cache: dict[str, tuple[tuple[int, int], ...]] = {}


def steps_of(word: str) -> tuple[tuple[int, int], ...]:
    """(cue index, step index) pairs whose step can start with this word; computed once per distinct word."""
    hit = _word_cache.get(word)
    if hit is None:
        found = []
        for ci, cue in enumerate(cues()):
            for si, step in enumerate(cue.steps):
                if word in step.words or (step.prefixes and word.startswith(step.prefixes)) or \
                        any(p[0] == word for p in step.phrases):
                    found.append((ci, si))
        hit = _word_cache[word] = tuple(found)
    return hit


def step_ends(step: Step, words: list[str], at: int) -> list[int]:
    """Positions just after an occurrence of the step starting at word `at` (a phrase may span words)."""
    word = words[at]
    ends = []
    if word in step.words or (step.prefixes and word.startswith(step.prefixes)):
        ends.append(at + 1)
    for phrase in step.phrases:
        if tuple(words[at:at + len(phrase)]) == phrase:
            ends.append(at + len(phrase))
    return ends


def cue_fires(cue: Cue, positions: dict[tuple[int, int], list[int]], ci: int, words: list[str]) -> bool:
    """Does the sequence of steps occur, each within its gap after the previous one?"""
    frontier = []
    for pos in positions[(ci, 0)]:
        if cue.at_start and pos != 0:
            continue
        frontier.extend(step_ends(cue.steps[0], words, pos))
    for si in range(1, len(cue.steps)):
        if not frontier:
            return False
        step = cue.steps[si]
        nxt = []
        for pos in positions[(ci, si)]:
            if any(end <= pos <= end + step.gap for end in frontier):
                nxt.extend(step_ends(step, words, pos))
        frontier = nxt
    return bool(frontier)


def claim_score(sentence: str, index: int, count: int, has_result: bool, about_own_work: bool = False) -> int:
    """Points for one sentence; `index` is its place among the abstract's `count` sentences. `about_own_work`:
    the sentence opens with a name the paper introduces ("LLaVE-2B surpasses ...")."""
    words = WORD.findall(sentence.lower())
    positions: dict[tuple[int, int], list[int]] = {}
    cache = _word_cache
    for word in set(words).difference(cache):
        steps_of(word)  # words met for the first time
    for pos, steps in [(pos, cache[w]) for pos, w in enumerate(words) if cache[w]]:
        for key in steps:
            found = positions.get(key)
            if found is None:
                positions[key] = [pos]
            else:
                found.append(pos)
    score = 0
    fired = set()
    present = positions.keys()
    for ci, cue, keys in indexed_cues():
        if keys <= present and cue_fires(cue, positions, ci, words):  # every step has a word: worth checking
            score += cue.weight
            fired.add(cue.id)
    if "://" in sentence:
        score += WEIGHT_OF_LINK
    if has_result:
        score += 2
    if about_own_work and "contribution" not in fired:
        score += 2
    if index == 0 and "finding" not in fired:
        score -= 2  # the first sentence sets the scene
    if count > 3 and index >= count * 0.6:
        score += 1  # findings come late in an abstract
    return score


WEIGHT_OF_LINK = -6  # a sentence with a URL points at code or data: an availability statement


def is_claim(sentence: str, index: int, count: int, has_result: bool, about_own_work: bool = False) -> bool:
    return claim_score(sentence, index, count, has_result, about_own_work) >= CLAIM_THRESHOLD
