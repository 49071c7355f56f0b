#!/usr/bin/env python3
"""Load: 32 concurrent clients for 30 seconds of mixed gallery and ad-hoc queries against `kg serve` on loopback.

The workload interleaves every gallery query (`/api/queries/<id>`, with its defaults and with other parameter
values) with ad-hoc SPARQL at `/sparql` (point lookups of papers, aggregates per class, CONSTRUCTs of one paper,
label searches), each request different from the one before. The clients are plain HTTP/1.1 keep-alive connections
(the load generator of bench/sparql_vs_oxigraph.py) spread over a few processes; the run stops by itself.

    python bench/load.py [--store DIR] [--clients 32] [--duration 30] [--processes 4]

Prints requests, errors (any status other than 200, or a broken connection; the bound is 0), req/s, p50 and p99.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sparql_vs_oxigraph import ROOT, drive, free_port, http_get, paper_iris, running  # noqa: E402

PREFIXES = ("PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX kg: <https://w3id.org/paperkg/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
AD_HOC = [
    ("SELECT ?title WHERE {{ <{paper}> dcterms:title ?title }}", "application/sparql-results+json"),
    ("SELECT ?e ?label WHERE {{ <{paper}> kg:mentions ?e . ?e rdfs:label ?label }} ORDER BY ?label",
     "text/csv"),
    ("SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p kg:mentions ?e . ?e a kg:{cls} }} GROUP BY ?e "
     "ORDER BY DESC(?n) LIMIT {limit}", "application/sparql-results+json"),
    ("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{paper}> {{ ?s ?p ?o }} }}", "text/turtle"),
    ("SELECT ?e ?label WHERE {{ ?e rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), \"{word}\")) }} "
     "LIMIT {limit}", "application/sparql-results+xml"),
]
ACCEPT_ANY = "application/sparql-results+json, text/turtle;q=0.9, */*;q=0.1"
WORDS = ["net", "learning", "bench", "gpt", "image", "transfer", "code", "math", "data", "vision"]
CLASSES = ["Method", "Dataset", "Task", "Metric"]


def gallery_requests(base: str) -> list[bytes]:
    with urllib.request.urlopen(f"{base}/api/queries", timeout=30) as r:
        queries = json.load(r)
    out = []
    for q in queries:
        out.append(http_get(f"/api/queries/{q['id']}", ACCEPT_ANY))
        for p in q.get("parameters", []):
            if p["type"] == "string":
                for word in WORDS[:3]:
                    out.append(http_get(f"/api/queries/{q['id']}?{urlencode({p['name']: word})}",
                                        ACCEPT_ANY))
    return out


def ad_hoc_requests(papers: list[str], count: int) -> list[bytes]:
    out = []
    for i in range(count):
        template, accept = AD_HOC[i % len(AD_HOC)]
        text = PREFIXES + template.format(paper=papers[i % len(papers)], cls=CLASSES[i % 4], limit=5 + i % 50,
                                          word=WORDS[i % len(WORDS)])
        out.append(http_get(f"/sparql?query={quote(text, safe='')}", accept))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="an existing store (default: build the bundled sample)")
    ap.add_argument("--clients", type=int, default=32, help="concurrent keep-alive clients (default 32)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds (default 30)")
    ap.add_argument("--processes", type=int, default=4, help="load-generator processes (default 4)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        store = args.store
        if store is None:
            from kg.builder import build
            from kg.paths import sample_corpus
            store = Path(tmp) / "store"
            build([sample_corpus()], store)
        port = free_port()
        cmd = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port), "-q"]
        with running(cmd, port, "/health"):
            base = f"http://127.0.0.1:{port}"
            gallery = gallery_requests(base)
            ad_hoc = ad_hoc_requests(paper_iris(store), 4 * len(gallery) + 400)
            mixed = [r for pair in zip(gallery * 4, ad_hoc) for r in pair] + ad_hoc[len(gallery) * 4:]
            res = drive(port, mixed, duration=args.duration, connections=args.clients, clients=args.processes)
    print(f"kg serve ({ROOT.name}), {args.clients} clients for {args.duration:.0f} s, "
          f"{len(gallery)} gallery requests and {len(ad_hoc)} ad-hoc queries in the mix")
    print(f"requests: {res['n']:,}   errors: {res['errors']}   req/s: {res['rps']:,.0f}   "
          f"p50: {res['p50']:.1f} ms   p99: {res['p99']:.1f} ms")
    if res["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
