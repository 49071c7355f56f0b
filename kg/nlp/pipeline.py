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
"""
from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field

import numpy
import spacy
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from ..vocab import slugify
from .abbreviations import Abbreviation, find_abbreviations
from .candidates import Candidate
from .claims import CLAIM_THRESHOLD, ClaimScorer, load_cues, sentence_points
from .recognizer import Recognizer, Sentence
from .resources import gazetteer
from .results import find_numbers
from .urls import find_urls

@dataclass(slots=True)
class DocState:
    text: str = ""
    sentences: list = field(default_factory=list)
    abbreviations: list = field(default_factory=list)
    urls: list = field(default_factory=list)
    gazetteer: list = field(default_factory=list)
    entities: object = None
    results: list = field(default_factory=list)
    claims: list = field(default_factory=list)


def state(doc: Doc) -> DocState:
    st = doc.user_data.get("kg")
    if st is None:
        st = doc.user_data["kg"] = DocState(text=doc.text)
    return st


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
    text = text_of(doc)
    title_end = text.find("\n")
    cuts = [0]
    if title_end >= 0:
        abstract = SPACE_AFTER.match(text, title_end).end()
        if abstract < len(text):
            cuts.append(abstract)
    cuts.extend(m.end() for m in BOUNDARY.finditer(text, max(title_end, 0)))
    cuts = sorted(set(cuts))
    sentences: list[Sentence] = []
    first_index = -1 if title_end >= 0 else 0
    for k, cut in enumerate(cuts):
        end = cuts[k + 1] if k + 1 < len(cuts) else len(text)
        piece = text[cut:end].rstrip()
        if piece:
            sentences.append(Sentence(cut, cut + len(piece), first_index + k))
    state(doc).sentences = sentences
    return doc


DIGIT = re.compile(r"\d")
BOUNDARY = re.compile(r"[.!?](?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)(?<!\bcf\.)(?<!\bFig\.)(?<!\bEq\.)"
                      r"(?<!\bNo\.)(?<!\bapprox\.)(?<!\bresp\.)(?<!\bSec\.)(?<!\bTab\.)(?<![A-Z]\.[A-Z]\.)"
                      r"(?<!\s[A-Z]\.)(?=\s+[A-Z0-9\"'“‘(\[])\s*")
SPACE_AFTER = re.compile(r"\s*")


@Language.factory("kg_abbreviations")
def make_abbreviations(nlp: Language, name: str):
    def component(doc: Doc) -> Doc:
        found = []
        text = text_of(doc)
        if "(" in text:
            for s in state(doc).sentences:
                if "(" in text[s.start:s.end]:
                    for a in find_abbreviations(text[s.start:s.end]):
                        found.append(Abbreviation(a.short, a.long, a.short_start + s.start, a.long_start + s.start))
        state(doc).abbreviations = found
        return doc
    return component


@Language.factory("kg_urls")
def make_urls(nlp: Language, name: str):
    def component(doc: Doc) -> Doc:
        text = text_of(doc)
        state(doc).urls = [url for _, _, url in find_urls(text)] if ("://" in text or "www." in text) else []
        return doc
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
        for entry in gazetteer():
            for form in (entry.label, *entry.aliases):
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
        for kind, forms in sorted(by_kind.items()):
            self.matcher.add(kind, list(nlp.tokenizer.pipe(sorted(forms))))

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        strings = doc.vocab.strings
        hits = []
        matches = self.matcher(doc)
        if matches:
            starts = doc.to_array(IDX).tolist()
            for mid, s, e in matches:
                start_char = starts[s]
                end_char = starts[e - 1] + len(doc[e - 1])
                surface = text[start_char:end_char]
                allowed = self.casings.get((strings[mid], surface.lower()))
                if allowed is None or surface in allowed:
                    hits.append((s, e, start_char, end_char, strings[mid]))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen, end = [], -1
        for s, e, start_char, end_char, kind in hits:
            if s >= end:
                chosen.append((start_char, end_char, kind))
                end = e
        state(doc).gazetteer = chosen
        return doc


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

    def __call__(self, doc: Doc) -> Doc:
        st = state(doc)
        st.entities = self.recognize(st.text, st.sentences, st.gazetteer, st.abbreviations)
        return doc


@dataclass(frozen=True)
class FoundResult:
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
        for s in st.sentences:
            if s.index < 0 or not DIGIT.search(text, s.start, s.end):
                continue
            inside = [c for c in mentions if s.start <= c.start < s.end]
            metrics = [c for c in inside if c.kind == "metric"]
            sentence = text[s.start:s.end]
            for hit in find_numbers(sentence, [(c.start - s.start, c.end - s.start) for c in metrics]):
                pos = hit.start + s.start
                metric = min(metrics, key=lambda c: distance(c, pos), default=None)
                datasets = tuple(c for c in inside if c.kind == "dataset")
                methods_before = [c for c in inside if c.kind == "method" and c.end <= pos]
                method = methods_before[0] if methods_before else None
                found.append(FoundResult(hit.value, hit.unit, s.index, hit.improvement, metric, datasets, method))
        st.results = found
        return doc
    return component


def distance(c: Candidate, pos: int) -> int:
    # a metric named after the number ("87.5% top-1 accuracy") is nearer than one as far before it
    return (c.start - pos) if c.start >= pos else (pos - c.end) * 2


@Language.factory("kg_claims")
class ClaimComponent:
    """Marks the abstract's sentences that state findings (claims.py), reading cue words off the token hashes."""

    def __init__(self, nlp: Language, name: str):
        def split(word: str) -> list[str]:
            return [t.lower_ for t in nlp.tokenizer(word)]  # a cue phrase cut as the pipeline cuts text
        strings = nlp.vocab.strings
        self.scorer = ClaimScorer(load_cues(split), key=strings.add, string_of=strings.__getitem__)
        # a lexeme flag marks the words that can open a cue: spaCy sets it once per distinct word, so finding
        # the openers of a Doc is one array read instead of a Python loop over its tokens
        self.opener_flag = nlp.vocab.add_flag(lambda word: self.scorer.opens(strings.add(word.lower())))

    def __call__(self, doc: Doc) -> Doc:
        st = state(doc)
        abstract = [s for s in st.sentences if s.index >= 0]
        st.claims = []
        if not abstract:
            return doc
        table = doc.to_array([IDX, LOWER, self.opener_flag])
        lowers = table[:, 1].tolist()
        bounds = numpy.searchsorted(table[:, 0], [s.start for s in abstract] + [len(st.text)]).tolist()
        hits = numpy.flatnonzero(table[:, 2]).tolist()
        with_results = {r.sentence for r in st.results}
        own = [c.start for c in st.entities.mentions if c.proposed]
        text = st.text
        h = 0
        for k, s in enumerate(abstract):
            lo, hi = bounds[k], bounds[k + 1]
            while h < len(hits) and hits[h] < lo:
                h += 1
            first_hit = h
            while h < len(hits) and hits[h] < hi:
                h += 1
            points, fired = self.scorer.score(lowers, hits[first_hit:h], lo, hi)
            total = sentence_points(points, fired, s.index, len(abstract), has_result=s.index in with_results,
                                    about_own_work=any(s.start <= o < s.start + 12 for o in own),
                                    has_link="://" in text[s.start:s.end])
            if total >= CLAIM_THRESHOLD:
                st.claims.append(s.index)
        return doc


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
