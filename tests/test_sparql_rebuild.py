"""A rebuild while the server runs: `kg build` swaps a new store generation in, and the running server answers from
it (no restart), its answer cache and counts included."""
from __future__ import annotations


import requests
from conftest import run_kg, write_papers
from servers import copy_store, start_server

COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
TITLES = "SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t"


def test_rebuild_while_serving(sample_store, tmp_path):
    store = copy_store(sample_store, tmp_path / "served")
    papers = write_papers(
        tmp_path / "two.jsonl",
        {"id": "2401.00001", "title": "Sparse Mixture Routing for Speech Recognition",
         "abstract": "We propose SMR, a routing method. SMR improves word error rate on LibriSpeech by 1.2 points."},
        {"id": "2401.00002", "title": "A Benchmark for Table Question Answering",
         "abstract": "We introduce TabQA, a benchmark dataset for table question answering."})
    with start_server(store, "--workers", "1") as base, requests.Session() as http:
        sparql = base + "/sparql"

        def ask(q):
            r = http.get(sparql, params={"query": q}, timeout=30)  # one connection: one HTTP process and its cache
            assert r.status_code == 200, r.text
            return r

        assert ask(COUNT).json()["results"]["bindings"][0]["n"]["value"] == "119"
        assert ask(COUNT).headers["X-Paperkg-Cache"] == "hit"
        health = requests.get(base + "/health", timeout=30).json()
        assert health["counts"]["papers"] == 119

        run_kg("build", papers, "--store", store, check=True)

        assert ask(COUNT).json()["results"]["bindings"][0]["n"]["value"] == "2"
        titles = [b["t"]["value"] for b in ask(TITLES).json()["results"]["bindings"]]
        assert titles == ["A Benchmark for Table Question Answering", "Sparse Mixture Routing for Speech Recognition"]
        after = requests.get(base + "/health", timeout=30).json()
        assert after["counts"]["papers"] == 2 and after["generation"] != health["generation"]
