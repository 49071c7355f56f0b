"""Ontology terms and IRI minting: the only place that builds IRIs of the graph."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, urlsplit

from pyoxigraph import NamedNode

from ._version import __version__

DEFAULT_BASE = "https://w3id.org/paperkg/resource/"
KG = "https://w3id.org/paperkg/ontology#"
ENTITIES_GRAPH = "https://w3id.org/paperkg/graph/entities"
ONTOLOGY_GRAPH = "https://w3id.org/paperkg/graph/ontology"
ONTOLOGY_IRI = "https://w3id.org/paperkg/ontology"

PREFIXES = {
    "kg": KG,
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "schema": "https://schema.org/",
    "res": DEFAULT_BASE,
}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

CLASS_OF_KIND = {"method": "Method", "dataset": "Dataset", "task": "Task", "metric": "Metric"}
KIND_OF_CLASS = {v: k for k, v in CLASS_OF_KIND.items()}


def term(prefixed: str) -> NamedNode:
    prefix, local = prefixed.split(":", 1)
    return NamedNode(PREFIXES[prefix] + local)


class T:
    """The terms the mapping writes, as pyoxigraph nodes (built once)."""

    type = term("rdf:type")
    label = term("rdfs:label")
    see_also = term("rdfs:seeAlso")
    alt_label = term("skos:altLabel")
    title = term("dcterms:title")
    abstract = term("dcterms:abstract")
    identifier = term("dcterms:identifier")
    creator = term("dcterms:creator")
    issued = term("dcterms:issued")
    was_generated_by = term("prov:wasGeneratedBy")
    was_associated_with = term("prov:wasAssociatedWith")
    Activity = term("prov:Activity")
    SoftwareAgent = term("prov:SoftwareAgent")
    Paper = term("kg:Paper")
    Result = term("kg:Result")
    Claim = term("kg:Claim")
    Repository = term("kg:Repository")
    mentions = term("kg:mentions")
    proposes = term("kg:proposes")
    evaluates_on = term("kg:evaluatesOn")
    has_repository = term("kg:hasRepository")
    reports_result = term("kg:reportsResult")
    makes_claim = term("kg:makesClaim")
    value = term("kg:value")
    unit = term("kg:unit")
    metric = term("kg:metric")
    on_dataset = term("kg:onDataset")
    of_method = term("kg:ofMethod")
    is_improvement = term("kg:isImprovement")
    text = term("kg:text")
    sentence_index = term("kg:sentenceIndex")
    about = term("kg:about")
    surface_form = term("kg:surfaceForm")
    extractor_version = term("kg:extractorVersion")
    host = term("kg:host")
    owner = term("kg:owner")
    name = term("kg:name")
    xsd_decimal = term("xsd:decimal")
    xsd_integer = term("xsd:integer")
    xsd_boolean = term("xsd:boolean")
    xsd_date = term("xsd:date")
    xsd_datetime = term("xsd:dateTime")


@lru_cache(maxsize=65536)
def slugify(name: str) -> str:
    """Canonical key of a name: lower-case ASCII words joined by '-', a number glued to the word before it.

    Case, hyphen and spacing variants meet ("CIFAR-10", "CIFAR10", "cifar 10" -> "cifar10") while distinct
    names stay distinct ("ImageNet" -> "imagenet", "ImageNet-C" -> "imagenet-c"). A plural last word is folded
    ("LLMs" -> "llm", "Transformers" -> "transformer").
    """
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(c if c.isascii() else ("" if unicodedata.combining(c) else " ") for c in decomposed)
    words = re.findall(r"[A-Za-z0-9]+", folded)
    if words:
        last = words[-1]
        if re.fullmatch(r"[A-Z]{2,}s", last) or (
                re.fullmatch(r"[A-Za-z][a-z]{3,}s", last) and not last.endswith(("ss", "us", "is"))):
            words[-1] = last[:-1]
    out = ""
    for word in (w.lower() for w in words):
        if out and out[-1].isalpha() and re.fullmatch(r"\d+[a-z]?", word):
            out += word  # "cifar" + "10", "gpt" + "4o", "resnet" + "50"
        else:
            out += ("-" if out else "") + word
    return out


def clean_iri(url: str) -> str:
    """Percent-encode what an IRI may not contain (spaces, quotes, angle brackets...)."""
    return quote(url, safe="/:?#[]@!$&'()*+,;=%~-._")


class Minter:
    """Mints the IRIs of one build under a base (default https://w3id.org/paperkg/resource/)."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", base):
            raise ValueError(f"base IRI must be an http(s) IRI, got {base!r}")
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def paper(self, paper_id: str) -> NamedNode:
        return NamedNode(self.base + "paper/" + quote(paper_id, safe="-._~"))

    def entity(self, kind: str, slug: str) -> NamedNode:
        return NamedNode(f"{self.base}{kind}/{slug}")

    def result(self, paper_id: str, n: int) -> NamedNode:
        return NamedNode(f"{self.base}result/{quote(paper_id, safe='-._~')}-{n}")

    def claim(self, paper_id: str, n: int) -> NamedNode:
        return NamedNode(f"{self.base}claim/{quote(paper_id, safe='-._~')}-{n}")

    def activity(self) -> NamedNode:
        return NamedNode(f"{self.base}activity/extractor-{__version__}")

    def agent(self) -> NamedNode:
        return NamedNode(f"{self.base}agent/paperkg")

    def kind_of(self, iri: str) -> str | None:
        """'method' for {base}method/x, None when the IRI is no entity of this base."""
        if not iri.startswith(self.base):
            return None
        kind = iri[len(self.base):].split("/", 1)[0]
        return kind if kind in CLASS_OF_KIND else None


def repository_parts(url: str) -> tuple[str, str | None, str | None]:
    """(host, owner, name) of a repository URL; owner and name for forges that have them."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    if host in FORGES and len(segments) >= 2:
        name = segments[1][:-4] if segments[1].endswith(".git") else segments[1]
        return host, segments[0], name
    if host.endswith(".github.io"):
        return host, host[: -len(".github.io")], segments[0] if segments else None
    if host in ("huggingface.co", "hf.co") and segments:
        rest = segments[1:] if segments[0] in ("datasets", "spaces") else segments
        if len(rest) >= 2:
            return host, rest[0], rest[1]
    return host, None, None


FORGES = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com", "sourceforge.net"}
