"""The spaCy pipeline: a blank English tokenizer plus paperkg's rule components, registered as factories.

Components (in order) and what each leaves in the Doc's state, `doc._.kg` (a DocState):
  kg_sentences      .sentences      sentence boundaries; the title (first line) is sentence -1
  kg_abbreviations  .abbreviations  "long form (SF)" pairs, document offsets
  kg_urls           .urls           cleaned URLs
  kg_gazetteer      .gazetteer      hits of the field's word lists (PhraseMatcher)
  kg_entities       .entities       typed entity mentions (recognizer.py)
  kg_results        .results        result numbers with their metric, datasets and method
  kg_claims         .claims         indices of claim sentences
(The state lives in Doc.user_data: reading a plain attribute is several times cheaper than a Doc extension.)
No model is loaded: everything works offline with spacy.blank("en").

Speed: the gazetteer's PhraseMatcher also finds the words that open the claim cues, and reads the tokens' offsets
and lower-case keys once for both; the components that read text share its lower case (lowered()); each
component has a `pipe` that takes the Docs of nlp.pipe in small batches (BATCH).
"""
from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

import spacy
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from ..vocab import slugify
from .abbreviations import find_abbreviations, title_definition
from .candidates import Candidate
from .claims import CLAIM_THRESHOLD, POINTS_WITHOUT_EVIDENCE, CueIndex, load_cues, points_of
from .recognizer import Recognizer, Sentence
from .resources import gazetteer
from .results import find_numbers, tie_datasets
from .urls import find_urls


@dataclass(slots=True)
class DocState:
    # (a field a component has not filled reads as an empty tuple: nothing is built for it in advance)
    text: str = ""
    sentences: Sequence = ()
    abbreviations: Sequence = ()
    urls: Sequence = ()
    gazetteer: Sequence = ()
    entities: object = None
    results: Sequence = ()
    claims: Sequence = ()
    # the matches of the PhraseMatcher's other patterns, flat: match id, start, end, match id, start, end, ...
    # (plain numbers, which the garbage collector does not track, rather than a tuple per match)
    matches: Sequence = ()
    token_table: object = None  # the tokens' character offsets and lower-case keys (numpy), when there are matches
    low: str | None = None  # text.lower(), computed once (lowered())
    aligned: str | None = None  # the same when it slices like the text, else None (lowered())


def state(doc: Doc) -> DocState:
    st = doc.user_data.get("kg")
    if st is None:
        st = doc.user_data["kg"] = DocState(text=doc.text)
    return st


def lowered(st: DocState) -> str:
    """The text in lower case, computed once per Doc. `st.aligned` is it too when its offsets are the text's:
    lower() keeps every character in place except U+0130 (it becomes two characters) and a capital sigma (its
    lower case depends on the letter after it), so the lower case of a slice is then the slice of the lower case."""
    if st.low is None:
        text = st.text
        st.low = low = text.lower()
        st.aligned = low if len(low) == len(text) and (text.isascii() or "\u03a3" not in text) else None
    return st.low


# Each component takes the Docs of a batch in turn before handing them on (spaCy's nlp.pipe calls `pipe`): its
# code and data stay in the processor's caches, which makes the whole run faster than passing each Doc through
# all components before the next. Batches are small, so the batch's Docs stay in the caches too.
BATCH = 16


def batched(component):
    """A `pipe` method for a component: the Docs in batches of at most BATCH (or the batch_size asked for)."""
    def pipe(docs, batch_size: int = BATCH):
        docs = iter(docs)
        size = max(1, min(batch_size, BATCH))
        while True:
            batch = list(islice(docs, size))
            if not batch:
                return
            for i, doc in enumerate(batch):
                batch[i] = component(doc)
            yield from batch
    return pipe


if not Doc.has_extension("kg"):
    Doc.set_extension("kg", getter=state)

SENTENCE_END = {".", "!", "?"}


def text_of(doc: Doc) -> str:
    """The Doc's text, computed once: Doc.text joins every token each time it is read."""
    return state(doc).text
OPENERS = set("\"'“‘([")


@Language.factory("kg_sentences")
def make_sentences(nlp: Language, name: str):
    return split_sentences


def split_sentences(doc: Doc) -> Doc:
    """Sentence boundaries after '.', '!' or '?' followed by a capital, digit or opening quote, except after
    abbreviations ("e.g.", "et al.", "Fig."); the first line is the title. Works on the text alone."""
    st = state(doc)
    text = st.text
    lowered(st)
    title_end = text.find("\n")
    sentences: list[Sentence] = []
    index = -1 if title_end >= 0 else 0
    start = 0  # where the next sentence starts
    if title_end >= 0:
        abstract = SPACE_AFTER.match(text, title_end).end()
        if abstract < len(text):
            index = add_sentence(sentences, text, 0, abstract, index)
            start = abstract
    # (the boundaries come after the abstract's start: no sentence end can be in the spaces before it)
    for mark, cut in [m.span() for m in BOUNDARY.finditer(text, max(title_end, 0))]:
        if text[mark - 1].isupper() and text[mark - 2:mark - 1].isspace() and is_initial(text, mark - 1):
            continue  # "Alan M. Turing"
        # the sentence ends with its mark (what the boundary takes after it are spaces)
        sentences.append(new_sentence(Sentence, (start, mark + 1, index)))
        index += 1
        start = cut
    add_sentence(sentences, text, start, len(text), index)
    st.sentences = sentences
    return doc


def is_initial(text: str, at: int) -> bool:
    """The lone capital at `at` (before a '.') is a name's initial: the word before it is capitalised ("Alan M.
    Turing"), where after a lower-case word it is a symbol that ends the sentence ("over the set A. We ...")."""
    before = text[max(0, at - 30):at].split()
    return bool(before) and before[-1][:1].isupper() and before[-1][1:].islower()


def add_sentence(sentences: list[Sentence], text: str, start: int, end: int, index: int) -> int:
    """Add text[start:end] less its trailing spaces as sentence `index`, unless nothing is left; the next index."""
    size = len(text[start:end].rstrip())
    if size:
        sentences.append(new_sentence(Sentence, (start, start + size, index)))
    return index + 1


new_sentence = tuple.__new__  # Sentence(start, end, index) without the Python-level __new__ of a NamedTuple
split_sentences.pipe = batched(split_sentences)


DIGIT = re.compile(r"\d")
DIGIT_BYTES = bytes.maketrans(b"0123456789" + bytes(b for b in range(256) if not 48 <= b <= 57),
                              b"0" * 10 + b"." * 246)
# (what must follow the mark is looked at first: it rules out most marks, such as decimal points, before the
# abbreviations are)
BOUNDARY = re.compile(r"[.!?](?=\s+[A-Z0-9\"'“‘(\[])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)(?<!\bcf\.)"
                      r"(?<!\bFig\.)(?<!\bEq\.)(?<!\bNo\.)(?<!\bapprox\.)(?<!\bresp\.)(?<!\bSec\.)(?<!\bTab\.)"
                      r"(?<![A-Z]\.[A-Z]\.)\s*")
SPACE_AFTER = re.compile(r"\s*")


@Language.factory("kg_abbreviations")
def make_abbreviations(nlp: Language, name: str):
    def component(doc: Doc) -> Doc:
        st = state(doc)
        found = []
        text = st.text
        sentences = st.sentences
        if sentences and sentences[0].index == -1 and ":" in text[:sentences[0].end]:
            pair = title_definition(text[:sentences[0].end])  # "ETran: Energy-Based Transferability Estimation"
            if pair:
                found.append(pair)
        paren = text.find("(")
        if paren >= 0:
            for s in st.sentences:
                if s.end > paren and text.find("(", s.start, s.end) >= 0:
                    found += find_abbreviations(text, s.start, s.end)
        st.abbreviations = found
        return doc
    component.pipe = batched(component)
    return component


@Language.factory("kg_urls")
def make_urls(nlp: Language, name: str):
    def component(doc: Doc) -> Doc:
        st = state(doc)
        text = st.text
        if "://" in text or "www." in text:
            lowered(st)
            st.urls = [url for _, _, url in find_urls(text, st.aligned)]
        else:
            st.urls = []
        return doc
    component.pipe = batched(component)
    return component


@Language.factory("kg_gazetteer")
class GazetteerMatcher:
    """The field's gazetteers (data/gazetteer/*.jsonl) in one lower-case PhraseMatcher. Forms that must match
    as written (acronyms, names that are also words) are checked against the text after matching."""

    def __init__(self, nlp: Language, name: str):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.kind_of: dict[str, str] = {}
        self.canonical: dict[str, str] = {}  # slug of any form -> the entry's label
        # (kind, lower-case form) -> None when any casing matches, else the set of casings that do
        self.casings: dict[tuple[str, str], set[str] | None] = {}
        by_kind: dict[str, set[str]] = {}
        # (kind, lower-case form) of names written with a capital inside (RotatE, ComplEx, ImageNet) and never in
        # lower case in the gazetteer: all in lower case, the text means a word ("rotate", "complex"), not them
        camel: set[tuple[str, str]] = set()
        lower_too: set[tuple[str, str]] = set()
        for entry in gazetteer():
            forms = (entry.label, *entry.aliases)
            if entry.kind == "metric":  # "attack success rates", "Dice scores", "accuracies"
                forms += tuple(filter(None, map(plural_of, forms)))
            for form in forms:
                (camel if INNER_CAPITAL.search(form) else lower_too).add((entry.kind, form.lower()))
                self.kind_of.setdefault(slugify(form), entry.kind)
                self.canonical.setdefault(slugify(form), entry.label)
                key = (entry.kind, form.lower())
                by_kind.setdefault(entry.kind, set()).add(form.lower())
                if not (entry.exact or is_acronym(form)):
                    self.casings[key] = None
                elif key not in self.casings or self.casings[key] is not None:
                    allowed = self.casings.setdefault(key, set())
                    allowed.add(form)
                    if not entry.exact and form.isupper() and form.isalpha():
                        allowed.add(form.title())  # "WILDS" is also written "Wilds"
        self.not_in_lower_case = camel - lower_too
        for kind, forms in sorted(by_kind.items()):
            self.matcher.add(kind, list(nlp.tokenizer.pipe(sorted(forms))))
        self.kind_of_id = {nlp.vocab.strings.add(kind): kind for kind in by_kind}
        self.before_matching: list = []  # callables run before each Doc is matched (patterns added lazily)
        self.pipe = batched(self)

    def __call__(self, doc: Doc) -> Doc:
        st = state(doc)
        for prepare in self.before_matching:
            prepare()
        hits = []
        others = []  # the matches of the other components' patterns (claim cues)
        matches = self.matcher(doc)
        if matches:
            st.token_table = table = doc.to_array(TOKEN_COLUMNS)  # (the claims read the keys)
            starts = table[:, 0]
            text = st.text
            kind_of_id = self.kind_of_id
            for match in matches:
                mid, s, e = match
                kind = kind_of_id.get(mid)
                if kind is None:
                    others += match
                    continue
                start_char = starts.item(s)
                end_char = starts.item(e - 1) + len(doc[e - 1])
                surface = text[start_char:end_char]
                key = (kind, surface.lower())
                allowed = self.casings.get(key)
                if (allowed is None or surface in allowed) and \
                        not (surface.islower() and key in self.not_in_lower_case):
                    hits.append((s, e, start_char, end_char, kind))
        if len(hits) > 1:
            hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen, end = [], -1
        for s, e, start_char, end_char, kind in hits:
            if s >= end:
                chosen.append((start_char, end_char, kind))
                end = e
        st.gazetteer = chosen
        st.matches = others
        return doc


INNER_CAPITAL = re.compile(r"[a-z][A-Z]")


def plural_of(form: str) -> str | None:
    """The plural of a metric's name written in lower-case words ("success rate" -> "success rates", "accuracy" ->
    "accuracies"); None where it has none or one that could be a verb ("recall" -> "recalls")."""
    head, _, last = form.rpartition(" ")
    if not (last.isalpha() and last.islower() and len(last) > 2) or last.endswith("s"):
        return None
    if last.endswith("y") and last[-2] not in "aeiou":
        return f"{form[:-1]}ies"
    return f"{form}s" if head else None


def is_acronym(form: str) -> bool:
    """Short names with capitals inside (HPS, MAE, GQA) match only as written: their lower case is often a word."""
    return len(form) <= 5 and sum(c.isupper() for c in form) >= 2


@Language.factory("kg_entities")
class EntityComponent:
    def __init__(self, nlp: Language, name: str):
        gazetteer_component = nlp.get_pipe("kg_gazetteer") if "kg_gazetteer" in nlp.pipe_names else None
        kinds = gazetteer_component.kind_of if gazetteer_component else {}
        labels = gazetteer_component.canonical if gazetteer_component else {}
        self.recognize = Recognizer(kinds.get, labels.get)
        self.pipe = batched(self)

    def __call__(self, doc: Doc) -> Doc:
        st = state(doc)
        st.entities = self.recognize(st.text, st.sentences, st.gazetteer, st.abbreviations, lowered(st))
        return doc


class FoundResult(NamedTuple):
    value: str
    unit: str
    sentence: int
    improvement: bool
    metric: Candidate | None
    datasets: tuple[Candidate, ...]
    method: Candidate | None


@Language.factory("kg_results")
def make_results(nlp: Language, name: str):
    def component(doc: Doc) -> Doc:
        st = state(doc)
        mentions = st.entities.mentions
        found = []
        text = st.text
        # the next digit in the text, looked for from the first sentence that needs it: in an ASCII text with
        # bytes.find on a copy where each digit is "0" (faster than the regex engine), else with DIGIT
        digits = text.encode("ascii").translate(DIGIT_BYTES) if text.isascii() else None
        digit = None
        for s in st.sentences:
            if s.index < 0:
                continue
            if digit is None or digit < s.start:
                if digits is not None:
                    digit = digits.find(b"0", s.start)
                    if digit < 0:
                        break  # no digit further on
                else:
                    m = DIGIT.search(text, s.start)
                    if m is None:
                        break  # no digit further on
                    digit = m.start()
            if digit >= s.end:
                continue  # none in this sentence
            inside = [c for c in mentions if s.start <= c.start < s.end]
            metrics = [c for c in inside if c.kind == "metric"]
            sentence = text[s.start:s.end]
            hits = find_numbers(sentence, [(c.start - s.start, c.end - s.start) for c in metrics])
            if not hits:
                continue
            datasets = sorted((c for c in inside if c.kind == "dataset"), key=lambda c: c.start)
            ties = tie_datasets(sentence, [(h.start, h.end) for h in hits],
                                [(c.start - s.start, c.end - s.start) for c in datasets])
            semicolon = ";" in sentence
            for hit, tie in zip(hits, ties):
                pos = hit.start + s.start
                near = metrics
                if semicolon and metrics:  # "throughput improves by 1.35x; recovery is 82x faster": clause by clause
                    lo, hi = text.rfind(";", s.start, pos) + 1, text.find(";", pos, s.end)
                    near = [c for c in metrics if c.start >= lo and (hi < 0 or c.end <= hi)]
                named_after = IN_TERMS_AFTER.match(text, hit.end + s.start) if near else None
                if named_after:  # "14.16% in terms of AUPRC": the metric the number is said in, not the nearest
                    metric = next((c for c in near if c.start == named_after.end()), None) or \
                        min(near, key=lambda c: distance(c, pos))
                else:
                    metric = min(near, key=lambda c: distance(c, pos), default=None)
                methods_before = [c for c in inside if c.kind == "method" and c.end <= pos]
                method = methods_before[0] if methods_before else None
                found.append(FoundResult(hit.value, hit.unit, s.index, hit.improvement, metric,
                                         tuple(datasets[j] for j in tie), method))
        st.results = found
        return doc
    component.pipe = batched(component)
    return component


IN_TERMS_AFTER = re.compile(r"\s*(?:(?:improvement|gain|increase|reduction)s?\s+)?(?:in terms of|on|in)\s+(?:the\s+)?")


def distance(c: Candidate, pos: int) -> int:
    # a metric named after the number ("87.5% top-1 accuracy") is nearer than one as far before it
    return (c.start - pos) if c.start >= pos else (pos - c.end) * 2


@Language.factory("kg_claims")
class ClaimComponent:
    """Marks the abstract's sentences that state findings (claims.py). The words that open a cue are phrase
    patterns of the gazetteer's PhraseMatcher (one pass over the tokens finds both), or of a matcher of its own."""

    def __init__(self, nlp: Language, name: str):
        def split(word: str) -> list[str]:
            return [t.lower_ for t in nlp.tokenizer(word)]  # a cue phrase cut as the pipeline cuts text
        strings = nlp.vocab.strings
        self.index = CueIndex(load_cues(split), key=strings.add)
        gazetteer_component = nlp.get_pipe("kg_gazetteer") if "kg_gazetteer" in nlp.pipe_names else None
        self.own_matcher = gazetteer_component is None
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER") if self.own_matcher else gazetteer_component.matcher
        self.signature_of_id: dict[int, int] = {}  # match id -> signature in self.index
        self.pending: list[tuple[int, str]] = []  # words met by the vocabulary that a prefix makes open a cue
        for sig, words in self.index.patterns():
            self.add_pattern(sig, [strings.add(w) for w in words])
        # a lexeme flag is the vocabulary's hook on new words: spaCy calls its getter once per distinct word (and
        # at once for the words already known), which is when a word that only a prefix makes a cue word
        # ("achieves") is classified; the flag itself is not read
        self.word_flag = nlp.vocab.add_flag(self.word_met)
        if not self.own_matcher:
            gazetteer_component.before_matching.append(self.add_pending)
        self.pipe = batched(self)

    def word_met(self, word: str) -> bool:
        low = word.lower()
        sig = self.index.word_met(low)
        if sig is not None:
            self.pending.append((sig, low))
        return False

    def add_pattern(self, sig: int, keys: list[int]) -> None:
        key = f"kg_cue_{sig}"
        self.matcher.add(key, [keys])
        self.signature_of_id[self.matcher.vocab.strings.add(key)] = sig

    def add_pending(self) -> None:
        if self.pending:
            strings = self.matcher.vocab.strings
            pending, self.pending = self.pending, []
            for sig, word in pending:
                self.add_pattern(sig, [strings.add(word)])

    def __call__(self, doc: Doc) -> Doc:
        st = state(doc)
        st.claims = claims = []
        abstract = [s for s in st.sentences if s.index >= 0]
        if not abstract:
            return doc
        if self.own_matcher:
            self.add_pending()
            st.matches = [x for match in self.matcher(doc) for x in match]
            st.token_table = None
        text = st.text
        index = self.index
        signature_of_id = self.signature_of_id
        table = st.token_table if st.token_table is not None else doc.to_array(TOKEN_COLUMNS)
        starts = [s.start for s in abstract]
        bounds = table[:, 0].searchsorted(starts + [len(text)]).tolist()
        keys = table[:, 1].tolist()
        found = st.matches  # flat: match id, start, end, ...
        with_results = {r.sentence for r in st.results}
        # sentences that open with a name the paper introduces (within their first 12 characters)
        own = set()
        mentions = st.entities.mentions
        # (any mention of a name the paper introduces, not only the one the proposal marked: "We propose X. ...
        # X outperforms ...")
        introduced = {c.text for c in mentions if c.proposed}
        for c in mentions:
            if c.text in introduced:
                k = bisect.bisect_right(starts, c.start) - 1
                while k >= 0 and c.start < starts[k] + 12:
                    own.add(k)
                    k -= 1
        links = "://" in text
        weights, contribution, finding, parts = index.weights, index.contribution, index.finding, index.parts
        at_start = index.at_start
        count = len(abstract)
        i, n = 0, len(found)
        for k, s in enumerate(abstract):
            lo, hi = bounds[k], bounds[k + 1]
            fired = set()
            if lo < hi:
                for ci in at_start.get(keys[lo], ()):
                    ends = index.at_start_ends(ci, keys, lo)
                    if ends and index.fires(ci, keys, lo, ends, lo, hi):
                        fired.add(ci)
            while i < n:
                pos = found[i + 1]
                if pos >= hi:
                    break
                sig = signature_of_id.get(found[i])
                end = found[i + 2]
                i += 3
                if pos < lo or sig is None:
                    continue
                at_once, longer = parts[sig]
                if at_once:
                    fired.update(at_once)
                for ci, check in longer:
                    if ci not in fired and check(keys, pos, end, lo, hi):
                        fired.add(ci)
            has_result, about_own_work = s.index in with_results, k in own
            if not (fired or has_result or about_own_work) and POINTS_WITHOUT_EVIDENCE < CLAIM_THRESHOLD:
                continue  # nothing in the sentence scores: it cannot be a claim
            points = 0
            for ci in fired:
                points += weights[ci]
            if points_of(points, s.index, count, has_result, about_own_work,
                         links and text.find("://", s.start, s.end) >= 0,
                         not contribution.isdisjoint(fired), not finding.isdisjoint(fired)) >= CLAIM_THRESHOLD:
                claims.append(s.index)
        return doc


TOKEN_COLUMNS = [IDX, LOWER]
PIPELINE = ("kg_sentences", "kg_abbreviations", "kg_urls", "kg_gazetteer", "kg_entities", "kg_results", "kg_claims")
_local = threading.local()


def build_pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.max_length = 200_000
    for name in PIPELINE:
        nlp.add_pipe(name)
    return nlp


def get_pipeline() -> Language:
    """One pipeline per thread (building it takes about a second)."""
    if getattr(_local, "nlp", None) is None:
        _local.nlp = build_pipeline()
    return _local.nlp
