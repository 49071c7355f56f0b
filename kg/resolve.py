"""Corpus-level resolution: one node per entity across papers.

Per-paper mentions become entity references (kind, slug). Across the corpus:
  - an abbreviation defined in one paper ("Knowledge distillation (KD)") resolves a bare "KD" in another paper,
    when the corpus gives it one meaning only;
  - a name gets one kind, the one most papers give it;
  - an entity's canonical label is its most explicit form; other forms become skos:altLabel.
Priors from an existing store (for `kg add`) take part like papers already read.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .nlp.abbreviations import is_short_form
from .records import ENTITY_KINDS, Extraction, Mention
from .vocab import slugify

KIND_ORDER = ENTITY_KINDS  # tie-break: method, dataset, task, metric


@dataclass(frozen=True)
class EntityRef:
    kind: str
    slug: str


@dataclass
class PaperEntity:
    ref: EntityRef
    forms: list[str]  # surface forms in this paper, first the most explicit
    proposed: bool
    evaluated: bool
    sentence: int


@dataclass
class ResolvedPaper:
    extraction: Extraction
    entities: list[PaperEntity]
    ref_of_form: dict[str, EntityRef]  # surface form in this paper -> its entity


@dataclass
class Priors:
    """What a store already knows: papers per (kind, slug), and forms per entity."""

    kind_papers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # slug -> kind -> papers
    forms: dict[EntityRef, Counter] = field(default_factory=lambda: defaultdict(Counter))  # ref -> form -> papers


def mention_forms(m: Mention) -> list[str]:
    return list(dict.fromkeys([m.long_form or m.text, m.text, *m.forms]))


def abbreviation_meanings(extractions: Iterable[Extraction], priors: Priors) -> dict[str, str]:
    """Short form -> slug of its long form, for short forms that have exactly one meaning in the corpus."""
    meanings: dict[str, set[str]] = defaultdict(set)
    for ex in extractions:
        for short, long in ex.abbreviations.items():
            meanings[short].add(slugify(long))
    for ref, forms in priors.forms.items():
        for form in forms:
            if is_short_form(form) and slugify(form) != ref.slug:
                meanings[form].add(ref.slug)
    return {short: next(iter(slugs)) for short, slugs in meanings.items() if len(slugs) == 1}


def resolve(extractions: list[Extraction], priors: Priors | None = None) -> list[ResolvedPaper]:
    priors = priors or Priors()
    meanings = abbreviation_meanings(extractions, priors)

    def slug_of(m: Mention, local: Mapping[str, str]) -> str:
        if m.canonical:
            return slugify(m.canonical)
        if m.long_form:
            return slugify(m.long_form)
        if m.text in meanings and m.text not in local:
            return meanings[m.text]
        return slugify(m.text)

    # one vote per paper and slug for the kind the paper gives it
    votes: dict[str, Counter] = defaultdict(Counter)
    for slug, kinds in priors.kind_papers.items():
        votes[slug].update(kinds)
    slugs_per_paper = []
    for ex in extractions:
        slugs = [slug_of(m, ex.abbreviations) for m in ex.mentions]
        slugs_per_paper.append(slugs)
        for slug, m in zip(slugs, ex.mentions):
            votes[slug][m.kind] += 1

    def kind_of(slug: str) -> str:
        v = votes[slug]
        return max(KIND_ORDER, key=lambda k: (v.get(k, 0), -KIND_ORDER.index(k)))

    resolved = []
    for ex, slugs in zip(extractions, slugs_per_paper):
        merged: dict[EntityRef, PaperEntity] = {}
        for slug, m in zip(slugs, ex.mentions):
            ref = EntityRef(kind_of(slug), slug)
            entity = merged.get(ref)
            if entity is None:
                merged[ref] = PaperEntity(ref, mention_forms(m), m.proposed, m.evaluated, m.sentence)
            else:
                entity.forms = list(dict.fromkeys([*entity.forms, *mention_forms(m)]))
                entity.proposed |= m.proposed
                entity.evaluated |= m.evaluated
                entity.sentence = min(entity.sentence, m.sentence)
        for e in merged.values():
            if e.ref.kind not in ("method", "dataset"):
                e.proposed = False  # only methods and datasets are proposed (the contract's range)
            if e.ref.kind != "dataset":
                e.evaluated = False
        ref_of_form = {form: e.ref for e in merged.values() for form in e.forms}
        resolved.append(ResolvedPaper(ex, sorted(merged.values(), key=lambda e: (e.ref.kind, e.ref.slug)),
                                      ref_of_form))
    return resolved


def choose_label(forms: Mapping[str, int]) -> tuple[str, list[str]]:
    """(canonical label, other forms) from forms and the number of papers using each.

    The most explicit form wins: the longest (a long form over its abbreviation, "CIFAR-10" over "CIFAR10"),
    then the most used, then the first in code-point order (so capitals come first).
    """
    ordered = sorted(forms, key=lambda f: (-len(f), -forms[f], f))
    label = ordered[0]
    alts = sorted(f for f in ordered[1:] if f != label)
    return label, alts


def entity_forms(papers: Iterable[ResolvedPaper], priors: Priors | None = None) -> dict[EntityRef, Counter]:
    """Forms of every entity with the number of papers writing each, the input of choose_label."""
    out: dict[EntityRef, Counter] = defaultdict(Counter)
    if priors:
        for ref, forms in priors.forms.items():
            out[ref].update(forms)
    for p in papers:
        for e in p.entities:
            out[e.ref].update(set(e.forms))
    return out
