"""Reported numbers: which numbers in a sentence are results, and what metric, dataset and method they belong to.

A number is a result when it carries a result unit (87.5%, +6.2 points, 5.3x, 32.1 dB) or sits next to a metric
("BLEU-4 of 60.83"); it is not when it counts or sizes something (7B parameters, 2048 TPUs, 47k problems).
A sentence naming several datasets ties each number to those written next to it (tie_datasets).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple, Sequence

from .resources import words

NUMBER = r"[+\-−]?\d+(?:,\d{3})*(?:\.\d+)?"
UNIT = (r"%|\\%|percent(?:age points?)?|pp\b|p\.p\.|points?\b|pts\b|[x×X](?![A-Za-z0-9])|times\b|-?fold\b|dB\b|"
        r"BLEU\b|ms\b|seconds?\b|hours?\b|FPS\b|fps\b")
# (the pattern starts with the number itself so the regex engine skips text quickly; what may not come
#  before a number, such as a letter in "ResNet-50", is checked in Python. NUMBER_LED is NUMBER led by one
#  character class, a sign or a digit, which the engine looks for without trying the pattern elsewhere.)
NUMBER_LED = r"[+\-−\d](?:(?<=[+\-−])\d+|(?<=\d)\d*)(?:,\d{3})*(?:\.\d+)?"
RESULT = re.compile(
    rf"(?P<value>{NUMBER_LED})\s*(?P<unit1>{UNIT})?"
    rf"(?:\s*(?:-|–|~|to)\s*(?P<value2>{NUMBER})\s*(?P<unit2>{UNIT})?)?(?![\w])"
)
# The same for a text of ASCII characters only, where \d is [0-9]: a character class the engine tests faster
RESULT_ASCII = re.compile(RESULT.pattern.replace(r"[+\-−\d]", "[+\\-−0-9]").replace(r"\d", "[0-9]"))
NOT_BEFORE_NUMBER = set("@^/-.") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
WORD_BEFORE = re.compile(r"[\w@'-]+")
WORD_IN = re.compile(r"[\w-]+")
TIME_CONTEXT = re.compile(r"\b(?:under|within|less than|only|just|in)\s*$")
LETTER_NEXT = re.compile(r"\s*[A-Za-z]")
YEAR = re.compile(r"^(?:19|20)\d\d$")
AFTER_WORD = re.compile(r"\s*([A-Za-z][\w-]*)")
UNIT_NAMES = {"\\%": "%", "percent": "%", "pp": "percentage points", "p.p.": "percentage points", "pts": "points",
              "point": "points", "×": "x", "X": "x", "fold": "x", "-fold": "x", "time": "times"}
NEVER_RESULT_BEFORE = {"top", "table", "figure", "fig", "section", "eq", "equation", "step", "stage", "phase",
                       "version", "v", "k", "n", "layer", "level", "round", "day", "year", "chapter", "appendix",
                       "rank", "order", "r", "of"}
TIME_UNITS = {"ms", "second", "seconds", "hour", "hours"}


class NumberHit(NamedTuple):
    value: str
    unit: str
    start: int  # offsets in the sentence
    end: int
    improvement: bool


@lru_cache(maxsize=65536)
def decimal_text(raw: str) -> str | None:
    cleaned = raw.replace(",", "").replace("−", "-").lstrip("+")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.lstrip("-") if text.startswith("-") else text


def find_numbers(sentence: str, metric_spans: Sequence[tuple[int, int]]) -> list[NumberHit]:
    """Result numbers of one sentence. metric_spans: where metrics are named in it (offsets in the sentence)."""
    hits = []
    counts = words("count_noun")
    improve = words("improvement_cue")
    for m in (RESULT_ASCII if sentence.isascii() else RESULT).finditer(sentence):
        start = m.start()
        if start and sentence[start - 1] in NOT_BEFORE_NUMBER:
            continue  # a digit inside a name or a longer number: "ResNet-50", "1.5"
        raw, unit1, unit2 = m.group("value", "unit1", "unit2")
        unit = (unit2 or unit1 or "").strip()
        if not unit and not (metric_spans and any(abs(start - e) <= 25 or abs(s - m.end()) <= 12
                                                  for s, e in metric_spans)):
            continue  # no unit and no metric near: a count or a setting (the test below, done first)
        value = decimal_text(raw)
        if value is None:
            continue
        before_words = WORD_BEFORE.findall(sentence[max(0, start - 40):start].lower())
        prev = before_words[-1] if before_words else ""
        nxt = AFTER_WORD.match(sentence, m.end())
        next_word = nxt.group(1).lower() if nxt else ""
        if prev in NEVER_RESULT_BEFORE and not unit:
            continue
        if unit.lower() in TIME_UNITS:
            if not TIME_CONTEXT.search(sentence[max(0, m.start() - 30):m.start()].lower()):
                continue  # "trained for 4 hours" is a setting; "in under 3 hours" is what the method achieved
        elif not unit:
            near_metric = any(abs(m.start() - e) <= 25 or abs(s - m.end()) <= 12 for s, e in metric_spans)
            if not near_metric or YEAR.match(raw) or next_word in counts:
                continue
            if LETTER_NEXT.match(sentence, m.end()) and next_word not in {"on", "and", "in"}:
                if not any(s >= m.end() and s - m.end() <= 12 for s, _ in metric_spans):
                    continue
        if unit in ("x", "×", "X") and next_word in counts:
            continue
        if next_word in counts and unit in ("", "times"):
            continue
        window = " ".join(before_words[-4:]) + " " + next_word
        is_improvement = bool(set(WORD_IN.findall(window)) & improve) or raw.startswith("+")
        if not is_improvement and hits and hits[-1].improvement and in_one_list(sentence, hits[-1][2:4], m.span()):
            is_improvement = True  # "improves X by 21% and 12%": the list shares the cue read before its first number
        hits.append(NumberHit(value, UNIT_NAMES.get(unit, unit), m.start(), m.end(), is_improvement))
    return hits


# What may stand between the numbers of a list ("85.3%, 86.1% and 88.0%"): units, commas, "and", spaces
NUMBER_LIST_GAP = re.compile(r"^(?:\s|%|\\%|,|and\b|or\b)*$")
# A clause break between a number and a dataset after it: the dataset then belongs to the number that follows
CLAUSE_BREAK = re.compile(r"[,;:(]|\b(?:and|but|while|whereas|compared|versus|vs|than|respectively)\b")


def tie_datasets(sentence: str, numbers: Sequence[tuple[int, int]], datasets: Sequence[tuple[int, int]]
                 ) -> list[list[int]]:
    """For each number of a sentence (start, end offsets, in order), the indices of the datasets that go with it.

    "91.2% on CIFAR-10 and 72.4% on CIFAR-100": a dataset between two numbers belongs to the first when nothing
    breaks the clause between them ("% accuracy on"), else to the second ("80.1% and on COCO 50.2 AP"); datasets
    before the first number belong to it, after the last to the last. "X and Y ... on A and B, respectively" pairs a
    list of numbers with a list of datasets in order. A number left with none shares its list neighbour's."""
    if len(datasets) <= 1 or len(numbers) <= 1:
        return [list(range(len(datasets))) for _ in numbers]
    tied: list[list[int]] = [[] for _ in numbers]
    starts = [n[0] for n in numbers]
    for j, (d_start, _) in enumerate(datasets):
        i = bisect_right(starts, d_start) - 1  # the number before the dataset, -1 if none
        if i < 0:
            tied[0].append(j)
        elif i == len(numbers) - 1:
            tied[i].append(j)
        else:
            first = next(k for k, (s_, _) in enumerate(datasets) if s_ > numbers[i][1])  # first dataset after i
            gap = sentence[numbers[i][1]:datasets[first][0]]
            tied[i if not CLAUSE_BREAK.search(gap) else i + 1].append(j)
    if "respectively" in sentence:
        pair_respectively(sentence, numbers, tied)
    for i in range(len(numbers)):  # a number with no dataset of its own shares its list neighbour's
        if not tied[i]:
            if i and tied[i - 1] and in_one_list(sentence, numbers[i - 1], numbers[i]):
                tied[i] = list(tied[i - 1])
            elif i + 1 < len(numbers) and tied[i + 1] and in_one_list(sentence, numbers[i], numbers[i + 1]):
                tied[i] = list(tied[i + 1])
    return tied


def in_one_list(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two numbers with only list punctuation between them, or a few words ("74.8% in-domain and 71.6%")."""
    gap = sentence[a[1]:b[0]]
    return bool(NUMBER_LIST_GAP.match(gap)) or (len(gap.split()) <= 3 and not any(c in gap for c in ";:("))


def pair_respectively(sentence: str, numbers: Sequence[tuple[int, int]], tied: list[list[int]]) -> None:
    """A run of k numbers followed by a number holding k datasets, in a sentence saying "respectively": one each."""
    for i in range(len(numbers)):
        k = len(tied[i])
        if k >= 2 and i - k + 1 >= 0 and all(NUMBER_LIST_GAP.match(sentence[numbers[m][1]:numbers[m + 1][0]])
                                             for m in range(i - k + 1, i)):
            for m, j in zip(range(i - k + 1, i + 1), sorted(tied[i])):
                tied[m] = [j]
