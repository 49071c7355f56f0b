"""Which sentences of an abstract are claims: statements of what the paper found, showed or achieved.

A sentence scores points for finding verbs ("we show", "results demonstrate"), comparisons ("outperforms"),
achievements with numbers, and loses them for contribution statements ("we propose"), background and
availability statements ("code is available at"). The cues are data (data/claim_cues.jsonl): each is a sequence
of word steps ("we" then "show|find|..." within a few tokens).

Matching runs on the tokens' lower-case hashes. In the pipeline (CueIndex) the words that open a cue are found by
the PhraseMatcher that also finds the gazetteer's names, so the Python work is proportional to the cue words
present, not to the length of the text; ClaimScorer scores lists of words (tests and tools).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from .resources import patterns

CLAIM_THRESHOLD = 3
WEIGHT_OF_LINK = -6  # a sentence with a URL points at code or data: an availability statement
WEIGHT_OF_RESULT = 2  # the sentence reports a number that is a result
WEIGHT_OF_OWN_NAME = 2  # the sentence opens with a name the paper introduces ("LLaVE-2B surpasses ...")


@dataclass(frozen=True)
class Step:
    words: frozenset[str]  # whole words
    prefixes: tuple[str, ...]  # words given as "achiev*"
    phrases: tuple[tuple[str, ...], ...]  # several tokens in a row ("better than", "state - of - the - art")
    gap: int  # most tokens allowed between the previous step and this one


@dataclass(frozen=True)
class Cue:
    id: str
    weight: int
    steps: tuple[Step, ...]
    at_start: bool  # the first step must open the sentence
    before: frozenset[str] = frozenset()  # one of these words must come just before the first step...
    before_gap: int = 0  # ...with at most this many tokens between


def parse_step(items: list[str], gap: int, split: Callable[[str], list[str]]) -> Step:
    words, prefixes, phrases = set(), [], []
    for item in items:
        item = item.lower()
        if item.endswith("*"):
            prefixes.append(item[:-1])
            continue
        parts = split(item)
        if len(parts) > 1:
            phrases.append(tuple(parts))
        else:
            words.add(item)
    return Step(frozenset(words), tuple(prefixes), tuple(phrases), gap)


def load_cues(split: Callable[[str], list[str]] = str.split) -> tuple[Cue, ...]:
    """The cues of data/claim_cues.jsonl; `split` cuts a cue word into tokens as the pipeline's tokenizer does."""
    out = []
    for row in patterns("claim_cues"):
        if "steps" not in row:
            continue  # a comment line
        gaps = row.get("gaps", [0] * len(row["steps"]))
        out.append(Cue(row["id"], int(row["weight"]),
                       tuple(parse_step(items, gap, split) for items, gap in zip(row["steps"], gaps)),
                       bool(row.get("at_start")), frozenset(w.lower() for w in row.get("before", ())),
                       int(row.get("before_gap", 0))))
    return tuple(out)


@dataclass
class KeyedStep:
    """A Step with its words turned into token keys (strings, or the vocabulary's hashes of them)."""

    words: frozenset
    phrases: dict  # first key -> tuples of keys
    prefixes: tuple[str, ...]
    gap: int
    prefix_hit: dict  # key -> whether the token starts with one of the prefixes (filled as tokens are met)
    starts: dict  # key -> whether the step can start at this token (filled as tokens are met)


class ClaimScorer:
    """Scores sentences given as lists of token keys: lower-case strings, or their hashes in a Doc's vocabulary
    (`key` turns a cue word into a key, `string_of` a key back into text)."""

    def __init__(self, cues: Sequence[Cue], key: Callable[[str], object] = str,
                 string_of: Callable[[object], str] = str):
        self.cues = tuple(cues)
        self.string_of = string_of
        self.steps = [[KeyedStep(frozenset(key(w) for w in step.words),
                                 group_phrases(tuple(key(w) for w in p) for p in step.phrases),
                                 step.prefixes, step.gap, {}, {})
                       for step in cue.steps] for cue in self.cues]
        self.before = [frozenset(key(w) for w in cue.before) for cue in self.cues]
        # a cue of one plain step fires on its opener alone: no need to look further
        self.immediate = [len(c.steps) == 1 and not c.before and not c.steps[0].phrases for c in self.cues]
        self.anywhere = [ci for ci, cue in enumerate(self.cues) if not cue.at_start]
        # cues that must open the sentence, by the key of their first word (their first steps have no prefixes)
        self.at_start: dict[object, list[int]] = {}
        for ci, cue in enumerate(self.cues):
            if cue.at_start:
                step = self.steps[ci][0]
                for k in [*step.words, *step.phrases]:
                    self.at_start.setdefault(k, []).append(ci)
        self._first: dict[object, tuple[int, ...]] = {}  # token key -> cues it can open anywhere in a sentence
        self._openers: set = set()  # keys of the tokens that can open some cue

    def first_steps_of(self, token) -> tuple[int, ...]:
        """Indices of the cues (not tied to the sentence start) whose first step can start with this token."""
        return tuple(ci for ci in self.anywhere if self.starts_step(self.steps[ci][0], token))

    def starts_step(self, step: KeyedStep, token) -> bool:
        hit = step.starts.get(token)
        if hit is None:
            hit = step.starts[token] = token in step.words or token in step.phrases or self.prefixed(step, token)
        return hit

    def prefixed(self, step: KeyedStep, token) -> bool:
        if not step.prefixes:
            return False
        hit = step.prefix_hit.get(token)
        if hit is None:
            hit = step.prefix_hit[token] = self.string_of(token).startswith(step.prefixes)
        return hit

    def opens(self, token) -> bool:
        """Can this token (key) open some cue? Remembered for the scoring that follows."""
        if token not in self._first:
            self._first[token] = self.first_steps_of(token)
        return bool(self._first[token])

    def cue_tokens(self, tokens: list) -> list[int]:
        """Positions of the tokens that can open a cue."""
        for tok in set(tokens).difference(self._first):  # tokens met for the first time
            if self._first.setdefault(tok, self.first_steps_of(tok)):
                self._openers.add(tok)
        openers = self._openers
        return [i for i, t in enumerate(tokens) if t in openers]

    def score(self, tokens: Sequence, hits: Sequence[int] | None = None, lo: int = 0,
              hi: int | None = None) -> tuple[int, set[str]]:
        """(points, ids of the cues that fired) for the sentence tokens[lo:hi] (token keys); `hits`: positions
        in `tokens` of the tokens that can open a cue, when already known. Later steps are looked for only
        after an opener, and never past the sentence."""
        hi = len(tokens) if hi is None else hi
        if hits is None:
            hits = [lo + i for i in self.cue_tokens(list(tokens[lo:hi]))]
        score, fired = 0, set()
        first = self._first
        openings = [(ci, lo) for ci in self.at_start.get(tokens[lo], ())] if hi > lo else []
        openings += [(ci, pos) for pos in hits for ci in first[tokens[pos]]]
        for ci, pos in openings:
            cue = self.cues[ci]
            if cue.id not in fired and (self.immediate[ci] or self.fires_from(ci, tokens, pos, lo, hi)):
                score += cue.weight
                fired.add(cue.id)
        return score, fired

    def fires_from(self, ci: int, tokens: Sequence, pos: int, lo: int, hi: int) -> bool:
        """Does cue `ci` occur starting at `pos` (within tokens[lo:hi]): each step within its gap after the
        previous one?"""
        steps = self.steps[ci]
        before = self.before[ci]
        if before and not any(t in before for t in tokens[max(lo, pos - 1 - self.cues[ci].before_gap):pos]):
            return False
        frontier = self.step_ends(steps[0], tokens, pos)
        for step in steps[1:]:
            nxt = []
            starts = step.starts
            for end in frontier:
                for at in range(end, min(end + step.gap + 1, hi)):
                    hit = starts.get(tokens[at])
                    if hit is None:
                        hit = self.starts_step(step, tokens[at])
                    if hit:
                        nxt.extend(self.step_ends(step, tokens, at))
            if not nxt:
                return False
            frontier = nxt
        return bool(frontier)

    def step_ends(self, step: KeyedStep, tokens: Sequence, at: int) -> list[int]:
        """Positions just after an occurrence of the step starting at token `at`."""
        token = tokens[at]
        ends = [at + 1] if token in step.words or self.prefixed(step, token) else []
        for phrase in step.phrases.get(token, ()):
            if tuple(tokens[at:at + len(phrase)]) == phrase:
                ends.append(at + len(phrase))
        return ends


def group_phrases(phrases) -> dict:
    grouped: dict = {}
    for phrase in phrases:
        grouped.setdefault(phrase[0], []).append(phrase)
    return grouped


def sentence_points(cue_points: int, fired: set[str], index: int, count: int, *, has_result: bool,
                    about_own_work: bool, has_link: bool) -> int:
    """Cue points plus what the sentence's place and neighbours say."""
    return points_of(cue_points, index, count, has_result, about_own_work, has_link,
                     bool(fired & {"contribution", "contribution-paper"}), bool(fired & {"finding", "finding-paper"}))


def points_of(cue_points: int, index: int, count: int, has_result: bool, about_own_work: bool, has_link: bool,
              contribution: bool, finding: bool) -> int:
    """sentence_points, told whether a contribution cue and a finding cue fired."""
    score = cue_points
    if has_link:
        score += WEIGHT_OF_LINK
    if has_result:
        score += WEIGHT_OF_RESULT
    if about_own_work and not contribution:
        score += WEIGHT_OF_OWN_NAME
    if index == 0 and not finding:
        score -= 2  # the first sentence sets the scene
    if count > 3 and index >= count * 0.6:
        score += 1  # findings come late in an abstract
    return score


# the most points_of gives a sentence without a cue, a result or a name of its own (for a late place in a long
# abstract): when it is below CLAIM_THRESHOLD, such a sentence needs no scoring
POINTS_WITHOUT_EVIDENCE = points_of(0, 9, 10, has_result=False, about_own_work=False, has_link=False,
                                    contribution=False, finding=False)


@lru_cache(maxsize=None)
def text_scorer() -> ClaimScorer:
    """A scorer for plain strings (words split on spaces and punctuation), for tests and tools."""
    return ClaimScorer(load_cues(split_words))


def split_words(text: str) -> list[str]:
    import re
    return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text.lower())


def is_claim(sentence: str, index: int, count: int, has_result: bool = False, about_own_work: bool = False) -> bool:
    points, fired = text_scorer().score(split_words(sentence))
    return sentence_points(points, fired, index, count, has_result=has_result, about_own_work=about_own_work,
                           has_link="://" in sentence) >= CLAIM_THRESHOLD


class CueIndex:
    """The cues for a Doc read once by a PhraseMatcher (the gazetteer's: one pass over the tokens serves both).

    The words and phrases that open a cue are phrase patterns; patterns that open the same cues share a match id
    (a "signature"), so a match says which cues may start at its place. A cue of one step fires on its match alone;
    longer cues, and cues that need a word before them, are followed on the tokens' lower-case keys from there.
    Words given by a prefix ("achiev*") become patterns, or members of their later steps, as the vocabulary meets
    them (`word_met` is called once for each new word), so every key a Doc can hold is classified before it is
    read. Cues tied to the sentence start are looked up on its first token.
    """

    def __init__(self, cues: Sequence[Cue], key: Callable[[str], object] = str):
        self.cues = tuple(cues)
        ids = [cue.id for cue in self.cues]
        if len(set(ids)) != len(ids):
            raise ValueError("claim_cues.jsonl: two cues with the same id")
        self.key = key
        self.weights = tuple(cue.weight for cue in self.cues)
        # the cues whose firing sentence_points reads (by their ids)
        self.contribution = frozenset(ci for ci, cue in enumerate(self.cues)
                                      if cue.id in ("contribution", "contribution-paper"))
        self.finding = frozenset(ci for ci, cue in enumerate(self.cues) if cue.id in ("finding", "finding-paper"))
        self.anywhere = tuple(ci for ci, cue in enumerate(self.cues) if not cue.at_start)
        self.prefixes = tuple(sorted({p for cue in self.cues for step in cue.steps for p in step.prefixes}))
        # steps by cue, with keys: (keys of one-token occurrences, phrases by first key, gap); the first step of
        # a cue tied to the sentence start counts its prefixes only on a phrase's first word, as reading the
        # tokens did
        self.steps = []
        for cue in self.cues:
            keyed = []
            for k, step in enumerate(cue.steps):
                phrases = group_phrases(tuple(key(w) for w in p) for p in step.phrases)
                one = {key(w) for w in step.words}
                if k == 0 and cue.at_start:
                    one |= {key(p[0]) for p in step.phrases if step.prefixes and p[0].startswith(step.prefixes)}
                keyed.append((one, phrases, step.gap))
            self.steps.append(keyed)
        self.before = [frozenset(key(w) for w in cue.before) for cue in self.cues]
        self.at_start: dict = {}  # key of a sentence's first token -> cues tied to the start it may open
        for ci, cue in enumerate(self.cues):
            if cue.at_start:
                one, phrases, _ = self.steps[ci][0]
                for k in [*(key(w) for w in cue.steps[0].words), *phrases]:
                    self.at_start.setdefault(k, []).append(ci)
        self.checks = [self.compile(ci) for ci in range(len(self.cues))]
        self.signatures: dict[tuple, int] = {}  # cues opened -> signature number
        self.parts: list[tuple] = []  # signature -> (cues that fire at once, (cue, its check) to follow)
        self.known: set[str] = set()  # words with a prefix of some step, already classified
        self.written = {w for ci in self.anywhere for w in self.cues[ci].steps[0].words}  # patterns from the start
        # the steps with prefixes: (prefixes, keys of the step's one-token occurrences) for the later steps,
        # (cue, prefixes) for the first steps of the cues not tied to the sentence start
        self.later_prefixed = [(step.prefixes, self.steps[ci][k][0]) for ci, cue in enumerate(self.cues)
                               for k, step in enumerate(cue.steps) if k and step.prefixes]
        self.first_prefixed = [(ci, self.cues[ci].steps[0].prefixes) for ci in self.anywhere
                               if self.cues[ci].steps[0].prefixes]

    def patterns(self) -> list[tuple[int, tuple[str, ...]]]:
        """(signature, words) of the patterns written out in the cues: the first steps' words and phrases."""
        out = []
        for word in sorted(self.written):
            out.append((self.opens(word), (word,)))
        phrases = {p for ci in self.anywhere for p in self.cues[ci].steps[0].phrases}
        for phrase in sorted(phrases):
            opened = tuple(ci for ci in self.anywhere if phrase in self.cues[ci].steps[0].phrases)
            out.append((self.signature(opened), phrase))
        return out

    def word_met(self, word: str) -> int | None:
        """Classify a word (lower case) the vocabulary meets for the first time: a word that a prefix makes part
        of a later step joins that step; the signature when a prefix makes it open a cue (it is then to become
        a pattern), else None."""
        if not word.startswith(self.prefixes) or word in self.known:
            return None
        self.known.add(word)
        key = None
        for prefixes, one in self.later_prefixed:
            if word.startswith(prefixes):
                if key is None:
                    key = self.key(word)
                one.add(key)
        if word in self.written:
            return None
        opened = tuple(ci for ci, prefixes in self.first_prefixed if word.startswith(prefixes))
        return self.signature(opened) if opened else None

    def opens(self, word: str) -> int | None:
        opened = []
        for ci in self.anywhere:
            step = self.cues[ci].steps[0]
            if word in step.words or (step.prefixes and word.startswith(step.prefixes)):
                opened.append(ci)
        return self.signature(tuple(opened)) if opened else None

    def signature(self, opened: tuple) -> int:
        sig = self.signatures.get(opened)
        if sig is None:
            sig = self.signatures[opened] = len(self.parts)
            cues = self.cues
            at_once = tuple(ci for ci in opened if len(cues[ci].steps) == 1 and not cues[ci].before)
            self.parts.append((at_once, tuple((ci, self.checks[ci]) for ci in opened if ci not in at_once)))
        return sig

    def compile(self, ci: int) -> Callable[[list, int, int, int, int], bool]:
        """check(keys, pos, end, lo, hi): does cue `ci` fire from its first step found at tokens [pos, end)?
        The common shapes (one or two steps of single words) get a check of their own; the others `fires`."""
        steps, before, cue = self.steps[ci], self.before[ci], self.cues[ci]
        if len(steps) > 2 or (len(steps) == 2 and steps[1][1]):
            return lambda keys, pos, end, lo, hi: self.fires(ci, keys, pos, [end], lo, hi)
        reach = before_gap = 0
        one: set = set()
        if len(steps) == 2:
            one, _, gap = steps[1]
            reach = gap + 1
        if before:
            before_gap = cue.before_gap + 1
        # (the windows are clipped to the sentence with conditional expressions: cheaper than calling min/max)
        if not before:
            def check(keys, pos, end, lo, hi):
                stop = end + reach
                return not one.isdisjoint(keys[end:stop if stop < hi else hi])
        elif len(steps) == 1:
            def check(keys, pos, end, lo, hi):
                start = pos - before_gap
                return not before.isdisjoint(keys[start if start > lo else lo:pos])
        else:
            def check(keys, pos, end, lo, hi):
                start, stop = pos - before_gap, end + reach
                return not before.isdisjoint(keys[start if start > lo else lo:pos]) and \
                    not one.isdisjoint(keys[end:stop if stop < hi else hi])
        return check

    def fires(self, ci: int, keys: list, pos: int, ends: list[int], lo: int, hi: int) -> bool:
        """Does cue `ci`, its first step found at token `pos` and ending at `ends`, occur in the sentence of
        tokens [lo, hi) (keys: the Doc's tokens' lower-case keys)? Each step must start within its gap after the
        previous one ends; a phrase may run past the sentence end, as when reading the tokens."""
        before = self.before[ci]
        if before and before.isdisjoint(keys[max(lo, pos - 1 - self.cues[ci].before_gap):pos]):
            return False
        frontier = ends
        steps = self.steps[ci]
        last = len(steps) - 1
        for k in range(1, last + 1):
            one, phrases, gap = steps[k]
            if k == last and not phrases:  # the last step, of single words: is one of them in reach?
                for end in frontier:
                    if not one.isdisjoint(keys[end:min(end + gap + 1, hi)]):
                        return True
                return False
            nxt = []
            for end in frontier:
                for at in range(end, min(end + gap + 1, hi)):
                    token = keys[at]
                    if token in one:
                        nxt.append(at + 1)
                    if token in phrases:
                        for phrase in phrases[token]:
                            if tuple(keys[at:at + len(phrase)]) == phrase:
                                nxt.append(at + len(phrase))
            if not nxt:
                return False
            frontier = nxt
        return True

    def at_start_ends(self, ci: int, keys: list, lo: int) -> list[int]:
        one, phrases, _ = self.steps[ci][0]
        token = keys[lo]
        ends = [lo + 1] if token in one else []
        for phrase in phrases.get(token, ()):
            if tuple(keys[lo:lo + len(phrase)]) == phrase:
                ends.append(lo + len(phrase))
        return ends
