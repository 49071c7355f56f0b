"""Resolved extraction records -> RDF quads. Pure functions: the same records always give the same quads.

Layout (ontology-contract.md): the facts of one paper in the named graph whose IRI is the paper's IRI; the shared
nodes (entity labels and types, repository descriptions, the extraction activity) in the entities graph.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Mapping

from pyoxigraph import Literal, NamedNode, Quad

from ._version import __version__
from .resolve import EntityRef, PaperEntity, ResolvedPaper, choose_label
from .vocab import CLASS_OF_KIND, ENTITIES_GRAPH, KG, Minter, T, clean_iri, repository_parts

ENTITIES = NamedNode(ENTITIES_GRAPH)
# The metric of an improvement whose sentence names none ("outperforms X by 21%", "+6.2 points"): what the number
# measures is the gain itself, as the annotation guideline has it. A shared Metric node like any other; papers do not
# mention it (it is not written in the text), so it only appears as the kg:metric of such results.
IMPROVEMENT = EntityRef("metric", "improvement")
IMPROVEMENT_LABEL = "improvement"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$")


def date_literal(value: str) -> Literal:
    if DATE.match(value):
        return Literal(value, datatype=T.xsd_date)
    if DATETIME.match(value):
        return Literal(value, datatype=T.xsd_datetime)
    return Literal(value)


def paper_quads(rp: ResolvedPaper, minter: Minter) -> list[Quad]:
    ex, paper = rp.extraction, rp.extraction.paper
    p = minter.paper(paper.id)
    quads: list[Quad] = []

    def add(s, pred, o) -> None:
        quads.append(Quad(s, pred, o, p))

    add(p, T.type, T.Paper)
    add(p, T.title, Literal(paper.title))
    add(p, T.abstract, Literal(paper.abstract))
    for ident in paper.identifiers:
        add(p, T.identifier, Literal(ident))
    for author in paper.authors:
        add(p, T.creator, Literal(author))
    if paper.published:
        add(p, T.issued, date_literal(paper.published))
    for url in paper.urls:
        add(p, T.see_also, NamedNode(clean_iri(url)))
    add(p, T.was_generated_by, minter.activity())

    for e in rp.entities:
        node = entity_node(e.ref, minter)
        add(p, T.mentions, node)
        if e.proposed:
            add(p, T.proposes, node)
        if e.evaluated:
            add(p, T.evaluates_on, node)
        for form in e.forms:
            add(node, T.surface_form, Literal(form))

    for url in ex.repositories:
        add(p, T.has_repository, NamedNode(clean_iri(url)))

    for n, r in enumerate(ex.results, 1):
        node = minter.result(paper.id, n)
        add(p, T.reports_result, node)
        add(node, T.type, T.Result)
        add(node, T.value, Literal(r.value, datatype=T.xsd_decimal))
        if r.unit:
            add(node, T.unit, Literal(r.unit))
        add(node, T.is_improvement, Literal("true" if r.improvement else "false", datatype=T.xsd_boolean))
        metric_named = False
        for prop, forms in ((T.metric, [r.metric]), (T.on_dataset, r.datasets), (T.of_method, [r.method])):
            for form in forms:
                ref = rp.ref_of_form.get(form) if form else None
                if ref and ref.kind == KIND_OF_PROPERTY[prop.value]:
                    add(node, prop, entity_node(ref, minter))
                    metric_named = metric_named or prop == T.metric
        if r.improvement and not metric_named:
            add(node, T.metric, entity_node(IMPROVEMENT, minter))
        add(node, T.text, Literal(r.text))
        add(node, T.sentence_index, Literal(str(r.sentence), datatype=T.xsd_integer))

    for n, c in enumerate(ex.claims, 1):
        node = minter.claim(paper.id, n)
        add(p, T.makes_claim, node)
        add(node, T.type, T.Claim)
        add(node, T.text, Literal(c.text))
        add(node, T.sentence_index, Literal(str(c.sentence), datatype=T.xsd_integer))
        for form in c.about:
            ref = rp.ref_of_form.get(form)
            if ref:
                add(node, T.about, entity_node(ref, minter))
    return dedupe(quads)


KIND_OF_PROPERTY = {KG + "metric": "metric", KG + "onDataset": "dataset", KG + "ofMethod": "method"}


def entity_node(ref: EntityRef, minter: Minter) -> NamedNode:
    return minter.entity(ref.kind, ref.slug)


def entity_quads(forms: Mapping[EntityRef, Mapping[str, int]], minter: Minter) -> Iterator[Quad]:
    """The entities graph: type, canonical label and other labels of every entity."""
    for ref in sorted(forms, key=lambda r: (r.kind, r.slug)):
        node = entity_node(ref, minter)
        label, alts = choose_label(forms[ref])
        yield Quad(node, T.type, NamedNode(KG + CLASS_OF_KIND[ref.kind]), ENTITIES)
        yield Quad(node, T.label, Literal(label), ENTITIES)
        for alt in alts:
            yield Quad(node, T.alt_label, Literal(alt), ENTITIES)


def repository_quads(urls: Iterable[str]) -> Iterator[Quad]:
    for url in sorted(set(urls)):
        node = NamedNode(clean_iri(url))
        host, owner, name = repository_parts(url)
        yield Quad(node, T.type, T.Repository, ENTITIES)
        yield Quad(node, T.host, Literal(host), ENTITIES)
        if owner:
            yield Quad(node, T.owner, Literal(owner), ENTITIES)
        if name:
            yield Quad(node, T.name, Literal(name), ENTITIES)


def provenance_quads(minter: Minter) -> list[Quad]:
    activity, agent = minter.activity(), minter.agent()
    return [
        Quad(activity, T.type, T.Activity, ENTITIES),
        Quad(activity, T.label, Literal(f"paperkg extractor {__version__}"), ENTITIES),
        Quad(activity, T.extractor_version, Literal(__version__), ENTITIES),
        Quad(activity, T.was_associated_with, agent, ENTITIES),
        Quad(agent, T.type, T.SoftwareAgent, ENTITIES),
        Quad(agent, T.label, Literal("paperkg"), ENTITIES),
    ]


def shared_quads(forms: Mapping[EntityRef, Mapping[str, int]], repositories: Iterable[str],
                 minter: Minter, improvement: bool = False) -> list[Quad]:
    """Everything in the entities graph, derived from the paper graphs. `improvement`: some result's metric is the
    IMPROVEMENT node (its label and type are then written too, unless a paper names that metric itself)."""
    if improvement and IMPROVEMENT not in forms:
        forms = {**forms, IMPROVEMENT: {IMPROVEMENT_LABEL: 0}}
    return [*entity_quads(forms, minter), *repository_quads(repositories), *provenance_quads(minter)]


def uses_improvement(quads: Iterable[Quad], minter: Minter) -> bool:
    """Whether some result in these quads has the IMPROVEMENT node as its metric."""
    node = entity_node(IMPROVEMENT, minter)
    return any(q.object == node and q.predicate == T.metric for q in quads)


def dedupe(quads: list[Quad]) -> list[Quad]:
    return list(dict.fromkeys(quads))


__all__ = ["paper_quads", "shared_quads", "uses_improvement", "IMPROVEMENT", "entity_quads", "repository_quads",
           "provenance_quads", "PaperEntity"]
