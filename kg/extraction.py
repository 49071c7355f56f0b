"""spaCy Doc -> plain extraction records. No spaCy type leaves this module."""
from __future__ import annotations

import bisect
from typing import Iterable, Iterator

from .nlp.candidates import Candidate
from .nlp.pipeline import DocState, get_pipeline, state
from .records import Claim, Extraction, Mention, Paper, Result
from .vocab import slugify

KIND_ORDER = ("method", "dataset", "task", "metric")  # tie-break when the evidence for two kinds is equal


def doc_text(paper: Paper) -> str:
    """Title on the first line, abstract after a blank line: the pipeline reads the title as sentence -1.
    (A single newline would do, but spaCy tokenizes texts with a lone newline several times slower.)"""
    return f"{paper.title}\n\n{paper.abstract}"


def make_doc(nlp, text: str):
    doc = nlp.make_doc(text)
    doc.user_data["kg"] = DocState(text=text)  # spares the components from rebuilding the text from the tokens
    return doc


def extract_all(papers: Iterable[Paper], batch_size: int = 64) -> Iterator[Extraction]:
    papers = list(papers)
    nlp = get_pipeline()
    docs = (make_doc(nlp, doc_text(p)) for p in papers)
    for paper, doc in zip(papers, nlp.pipe(docs, batch_size=batch_size)):
        yield from_doc(paper, doc)


def extract(paper: Paper) -> Extraction:
    nlp = get_pipeline()
    return from_doc(paper, nlp(make_doc(nlp, doc_text(paper))))


def evidence_weight(c: Candidate) -> float:
    """How much one mention's kind counts when the mentions of an entity disagree."""
    if "default" in c.kind_votes:
        return 0.5  # typed only because a coined name is most often a method
    if c.source in ("abbrev-long", "abbrev-short", "gazetteer"):
        return 3
    return 2 if c.kind_votes or c.source == "title-name" else 1


def entity_key(c: Candidate) -> str:
    return slugify(c.canonical or c.long_form or c.text)


def without_broader_tasks(mentions: list[Mention]) -> list[Mention]:
    """Tasks are kept specific: "anomaly detection" goes where the paper also names "time series anomaly
    detection" (a task whose every form ends a form of another of the paper's tasks)."""
    tasks = [m for m in mentions if m.kind == "task"]
    forms = {id(m): [f.lower() for f in (m.text, m.long_form, *m.forms) if f] for m in tasks}

    def broader(m: Mention) -> bool:
        return all(any(g.endswith(" " + f) for o in tasks if o is not m for g in forms[id(o)])
                   for f in forms[id(m)])
    return [m for m in mentions if m.kind != "task" or not broader(m)]


def from_doc(paper: Paper, doc) -> Extraction:
    st = state(doc)
    recognized = st.entities
    text = st.text
    sentences = st.sentences
    starts = [s.start for s in sentences]
    first_start = starts[0] if starts else None

    groups: dict[str, list[Candidate]] = {}
    for c in recognized.mentions:  # in text order
        key = entity_key(c)
        group = groups.get(key)
        if group is None:
            groups[key] = [c]
        else:
            group.append(c)
    mentions = []
    tasks = 0
    for cands in groups.values():
        first = cands[0]
        if len(cands) == 1:
            kind = first.kind
            forms = [first.text]
            long_form, canonical, proposed, evaluated = first.long_form, first.canonical, first.proposed, first.evaluated
        else:
            kind = first.kind
            if any(c.kind != kind for c in cands):  # the mentions disagree: the evidence votes
                votes: dict[str, float] = {}
                for c in cands:
                    votes[c.kind] = votes.get(c.kind, 0) + evidence_weight(c)
                kind = max(KIND_ORDER, key=lambda k: (votes.get(k, 0), -KIND_ORDER.index(k)))
            forms = list(dict.fromkeys([c.text for c in cands]))
            long_form = canonical = None
            proposed = evaluated = False
            for c in cands:
                long_form = long_form or c.long_form
                canonical = canonical or c.canonical
                proposed = proposed or c.proposed
                evaluated = evaluated or c.evaluated
        if long_form and long_form not in forms:
            forms.insert(0, long_form)
        if kind == "task":
            tasks += 1
        at = first.start
        mentions.append(Mention(
            kind=kind, text=forms[0],
            sentence=max(sentences[bisect.bisect_right(starts, at) - 1].index, 0) if at >= first_start else 0,
            proposed=proposed, evaluated=evaluated, long_form=long_form, forms=tuple(forms[1:]),
            canonical=canonical))

    if tasks > 1:
        mentions = without_broader_tasks(mentions)

    results = []
    if st.results:
        by_index = {s.index: s for s in sentences}
        for r in st.results:
            s = by_index[r.sentence]
            results.append(Result(
                value=r.value, unit=r.unit, sentence=r.sentence, text=text[s.start:s.end],
                metric=r.metric.long_form or r.metric.text if r.metric else None,
                datasets=tuple(dict.fromkeys([d.long_form or d.text for d in r.datasets])),
                method=(r.method.long_form or r.method.text) if r.method else None,
                improvement=r.improvement))
    claims = []
    if st.claims:
        by_index = {x.index: x for x in sentences}
        found = recognized.mentions
        for index in st.claims:
            s = by_index[index]
            lo, hi = s.start, s.end
            about = tuple(dict.fromkeys([c.long_form or c.text for c in found if lo <= c.start < hi]))
            claims.append(Claim(sentence=index, text=text[lo:hi], about=about))
    repositories = list(dict.fromkeys([*st.urls, *paper.repositories]))
    return Extraction(paper=paper, mentions=mentions, abbreviations=dict(recognized.abbreviations),
                      repositories=repositories, results=results, claims=claims)
