"""The public Python API: its names are a promise, and each does what the command line does."""
from __future__ import annotations

import pytest

import kg

from conftest import SAMPLE

EXPECTED = {"__version__", "open_store", "build", "add", "load", "query", "gallery", "run_gallery_query", "export",
            "read_inputs", "extract", "KGStore", "StoreError", "IngestReport", "Paper", "Problem", "Extraction",
            "Mention", "Result", "Claim"}


def test_public_names_are_held():
    assert set(kg.__all__) == EXPECTED
    for name in kg.__all__:
        assert getattr(kg, name) is not None


def test_query_with_bindings_and_gallery(sample_store):
    store = kg.open_store(sample_store)
    rows = kg.query(store, "SELECT ?label ?d WHERE { ?d a kg:Dataset ; rdfs:label ?label }", {"label": "ImageNet"})
    assert rows and all(r["label"] == "ImageNet" for r in rows)
    assert kg.query(store, "ASK { ?p a kg:Paper }") is True
    with pytest.raises(ValueError, match="every bound variable must be in the SELECT clause"):
        kg.query(store, "SELECT ?d WHERE { ?d a kg:Dataset ; rdfs:label ?label }", {"label": "ImageNet"})
    top = kg.run_gallery_query(store, "top-datasets", {"min_papers": 2})
    assert top and any("ImageNet" in str(r.values()) for r in top)
    assert "top-datasets" in kg.gallery().ids


def test_build_extract_and_export(tmp_path):
    paper = kg.read_inputs([SAMPLE]).papers[0]
    extraction = kg.extract(paper)
    assert any(m.text == "LLaVE" for m in extraction.mentions)
    report = kg.build([SAMPLE], tmp_path / "store")
    assert report.papers == 119 and report.ok
    store = kg.open_store(tmp_path / "store")
    turtle = kg.export(store)
    assert turtle.startswith(b"@prefix")
    kg.export(store, tmp_path / "g.nq", format="nquads")
    assert (tmp_path / "g.nq").stat().st_size > 1000
