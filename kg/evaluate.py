"""`kg eval`: score a store against gold annotations (JSON Lines, the format of tests/data/gold/GUIDELINE.md).

The graph is read through SPARQL with the contract's terms only, so the score describes the graph users get.
Matching: names compare by a normalised key (lower case, alphanumeric runs, simple plurals folded); an entity
matches a gold entry when any of its labels equals a gold form by key or shares at least half its words
(token Jaccard >= 0.5); matching is one-to-one per paper. Results match on their number (results_value), and for
results_full also on the metric and dataset the gold gives; claims when their words overlap the gold sentence's by
at least 0.8 (Jaccard).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .store import KGStore

CATEGORIES = ("methods", "datasets", "tasks", "metrics", "proposed", "repositories", "results_value", "results_full",
              "claims")
ENTITY_CLASS = {"methods": "Method", "datasets": "Dataset", "tasks": "Task", "metrics": "Metric"}

Q_PAPERS = "SELECT ?p ?title WHERE { ?p a kg:Paper ; dcterms:title ?title }"
Q_ENTITIES = """SELECT DISTINCT ?p ?e ?class ?label WHERE {
  ?p kg:mentions|kg:proposes ?e . ?e a ?class . FILTER(STRSTARTS(STR(?class), STR(kg:)))
  { ?e rdfs:label ?label } UNION { ?e skos:altLabel ?label } }"""
Q_PROPOSED = """SELECT DISTINCT ?p ?e ?label WHERE {
  ?p kg:proposes ?e . { ?e rdfs:label ?label } UNION { ?e skos:altLabel ?label } }"""
Q_REPOSITORIES = "SELECT DISTINCT ?p ?r WHERE { ?p kg:hasRepository ?r }"
Q_RESULTS = """SELECT DISTINCT ?p ?r ?value ?metric ?dataset WHERE { ?p kg:reportsResult ?r . ?r kg:value ?value .
  OPTIONAL { ?r kg:metric/rdfs:label ?metric } OPTIONAL { ?r kg:onDataset/rdfs:label ?dataset } }"""
Q_CLAIMS = "SELECT DISTINCT ?p ?c ?text WHERE { ?p kg:makesClaim ?c . ?c kg:text ?text }"


def words_of(text: str) -> list[str]:
    out = []
    for w in re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'")):
        out.append(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def name_key(text: str) -> str:
    return "".join(words_of(text))


def jaccard(a: str, b: str) -> float:
    x, y = set(words_of(a)), set(words_of(b))
    return len(x & y) / len(x | y) if x and y else 0.0


def names_match(predicted: Iterable[str], gold: Iterable[str]) -> bool:
    predicted, gold = list(predicted), list(gold)
    if {name_key(p) for p in predicted} & {name_key(g) for g in gold} - {""}:
        return True
    return any(jaccard(p, g) >= 0.5 for p in predicted for g in gold)


def first_number(text: str) -> float | None:
    m = re.search(r"-?\d+(?:\.\d+)?", str(text).replace(",", ""))
    return float(m.group()) if m else None


@dataclass
class PredictedResult:
    value: str
    metric: set[str] = field(default_factory=set)
    dataset: set[str] = field(default_factory=set)


def same_value(pred: PredictedResult, gold: dict) -> bool:
    value = first_number(pred.value)
    return value is not None and value == first_number(gold.get("value"))


def same_result(pred: PredictedResult, gold: dict) -> bool:
    """Same number, and the metric and dataset of the gold (where it names them) among the result's labels."""
    if not same_value(pred, gold):
        return False
    return all(names_match(labels, [gold[k]]) for k, labels in (("metric", pred.metric), ("dataset", pred.dataset))
               if gold.get(k))


def describe_result(x: PredictedResult | dict) -> str:
    """'87.5 [top-1 accuracy | ImageNet]': a result with the metric and dataset it is tied to, for --detail."""
    if isinstance(x, PredictedResult):
        value, metric, dataset = x.value, " / ".join(sorted(x.metric)), " / ".join(sorted(x.dataset))
    else:
        value, metric, dataset = x.get("value"), x.get("metric") or "", x.get("dataset") or ""
    return f"{value} [{metric} | {dataset}]"


def url_key(url: str) -> str:
    url = re.sub(r"^https?://(?:www\.)?", "", url.strip().lower())
    return url.rstrip("/.,;)")


def pair_up(predicted: list, gold: list, match: Callable) -> tuple[int, list, list]:
    """Greedy one-to-one matching: (matches, predictions left over, gold left over)."""
    used: set[int] = set()
    extra = []
    for p in predicted:
        hit = next((i for i, g in enumerate(gold) if i not in used and match(p, g)), None)
        if hit is None:
            extra.append(p)
        else:
            used.add(hit)
    return len(used), extra, [g for i, g in enumerate(gold) if i not in used]


@dataclass
class Tally:
    matched: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, matched: int, predicted: int, gold: int) -> None:
        self.matched += matched
        self.predicted += predicted
        self.gold += gold

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CATEGORIES})
    papers: list[dict] = field(default_factory=list)  # per paper: category -> {"false": [...], "missed": [...]}
    missing: list[str] = field(default_factory=list)  # gold titles not found in the store

    def scores(self) -> dict[str, dict[str, float]]:
        return {c: {"precision": t.precision, "recall": t.recall, "f1": t.f1, "matched": t.matched,
                    "predicted": t.predicted, "gold": t.gold} for c, t in self.tallies.items()}


def title_key(title: str) -> str:
    return name_key(re.sub(r"^Subscribe", "", title.strip()))


def read_gold(path: str | Path) -> list[dict]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{n}: not valid JSON ({err.msg})") from None
    return rows


def evaluate(store: KGStore, gold: list[dict]) -> Evaluation:
    by_title: dict[str, set[str]] = {}
    for row in store.select(Q_PAPERS):
        by_title.setdefault(title_key(row["title"]), set()).add(row["p"])
    entities: dict[str, dict[tuple[str, str], set[str]]] = {}
    for row in store.select(Q_ENTITIES):
        cls = row["class"].rsplit("#", 1)[-1]
        entities.setdefault(row["p"], {}).setdefault((cls, row["e"]), set()).add(row["label"])
    proposed: dict[str, dict[str, set[str]]] = {}
    for row in store.select(Q_PROPOSED):
        proposed.setdefault(row["p"], {}).setdefault(row["e"], set()).add(row["label"])
    repositories: dict[str, set[str]] = {}
    for row in store.select(Q_REPOSITORIES):
        repositories.setdefault(row["p"], set()).add(row["r"])
    results: dict[str, dict[str, PredictedResult]] = {}
    for row in store.select(Q_RESULTS):
        res = results.setdefault(row["p"], {}).setdefault(row["r"], PredictedResult(row["value"]))
        if row.get("metric"):
            res.metric.add(row["metric"])
        if row.get("dataset"):
            res.dataset.add(row["dataset"])
    claims: dict[str, list[str]] = {}
    for row in store.select(Q_CLAIMS):
        claims.setdefault(row["p"], []).append(row["text"])

    ev = Evaluation()
    for g in gold:
        iris = by_title.get(title_key(g["title"]), set())
        if not iris:
            ev.missing.append(g["title"])
        detail: dict = {"title": g["title"]}

        def score(category: str, predicted: list, gold_items: list, match: Callable, show=lambda x: x) -> None:
            matched, extra, missed = pair_up(predicted, gold_items, match)
            ev.tallies[category].add(matched, len(predicted), len(gold_items))
            if extra or missed:
                detail[category] = {"false": [show(x) for x in extra], "missed": [show(x) for x in missed]}

        for category, cls in ENTITY_CLASS.items():
            mine = [sorted(labels) for iri in iris for (c, _), labels in entities.get(iri, {}).items() if c == cls]
            score(category, mine, g.get(category, []), names_match, show=lambda x: x[0])
        mine = [sorted(labels) for iri in iris for labels in proposed.get(iri, {}).values()]
        score("proposed", mine, g.get("proposed", []), names_match, show=lambda x: x[0])
        mine_urls = sorted({url_key(u) for iri in iris for u in repositories.get(iri, ())})
        score("repositories", mine_urls, sorted({url_key(u) for u in g.get("repositories", [])}),
              lambda a, b: a == b)
        mine_results = [r for iri in iris for r in results.get(iri, {}).values()]
        show_result = lambda x: x.value if isinstance(x, PredictedResult) else x.get("value")  # noqa: E731
        score("results_value", mine_results, g.get("results", []), same_value, show=show_result)
        score("results_full", mine_results, g.get("results", []), same_result, show=describe_result)
        mine_claims = [t for iri in iris for t in claims.get(iri, [])]
        score("claims", mine_claims, g.get("claims", []), lambda a, b: jaccard(a, b) >= 0.8)
        ev.papers.append(detail)
    return ev


def report_text(ev: Evaluation, detail: bool) -> str:
    lines = []
    if detail:
        for paper in ev.papers:
            if len(paper) > 1:
                lines.append(f"## {paper['title']}")
                for category in CATEGORIES:
                    if category in paper:
                        lines.append(f"  {category}: false={paper[category]['false']} "
                                     f"missed={paper[category]['missed']}")
    lines.append(f"papers in gold: {len(ev.papers)}, not found in the store: {len(ev.missing)}")
    lines.extend(f"  missing: {t}" for t in ev.missing)
    lines.append(f"{'category':<15}{'P':>7}{'R':>7}{'F1':>7}{'match':>7}{'pred':>6}{'gold':>6}")
    for category, t in ev.tallies.items():
        lines.append(f"{category:<15}{t.precision:7.3f}{t.recall:7.3f}{t.f1:7.3f}{t.matched:7}{t.predicted:6}"
                     f"{t.gold:6}")
    return "\n".join(lines)


def parse_bounds(text: str) -> dict[str, float]:
    bounds = {}
    for item in filter(None, (x.strip() for x in text.split(","))):
        name, _, value = item.partition("=")
        if name not in CATEGORIES:
            raise ValueError(f"unknown category {name!r} in --min; use one of {', '.join(CATEGORIES)}")
        bounds[name] = float(value)
    return bounds


def run_eval(args, console) -> int:
    try:
        bounds = parse_bounds(args.min)
        gold = read_gold(args.gold)
    except (ValueError, OSError) as err:
        console.error(f"kg eval: {err}")
        return 2
    ev = evaluate(KGStore.open(args.store), gold)
    if args.json:
        print(json.dumps({"papers": len(gold), "missing_papers": ev.missing, "scores": ev.scores(),
                          **({"details": ev.papers} if args.detail else {})}, indent=1))
    else:
        print(report_text(ev, args.detail))
    below = [f"{c} F1 {ev.tallies[c].f1:.3f} < {b}" for c, b in bounds.items() if ev.tallies[c].f1 < b]
    if below:
        console.error("below bound: " + "; ".join(below))
        return 1
    return 0
