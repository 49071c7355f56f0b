"""Pure text rules: URL cleaning, abbreviation pairs, names' shapes, slugs and IRIs."""
from __future__ import annotations

import pytest

from kg.nlp.abbreviations import find_abbreviations, title_definition
from kg.nlp.names import is_shape_name
from kg.nlp.urls import clean_url, find_urls
from kg.vocab import Minter, repository_parts, slugify


@pytest.mark.parametrize("raw, clean", [
    ("https://github.com/kleinzcy/Cr-KD-NCD{here}.", "https://github.com/kleinzcy/Cr-KD-NCD"),
    ("https://github.com/a/dataset{OpenMP-Fortran-CPP-Translation}.", "https://github.com/a/dataset"),
    ("https://project.github.io/site/{Project", "https://project.github.io/site/"),
    ("https://github.com/microsoft/dion)", "https://github.com/microsoft/dion"),
    ("https://github.com/a/b,", "https://github.com/a/b"),
    ("https://github.com/OPTML-Group/DP4TL.", "https://github.com/OPTML-Group/DP4TL"),
    ("https://demo.github.io/\\#section.", "https://demo.github.io/#section"),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("www.example.org/x;", "https://www.example.org/x"),
    ("https://localhost", None),
])
def test_clean_url(raw, clean):
    assert clean_url(raw) == clean


def test_find_urls_in_text():
    text = "Code is at https://github.com/a/b. Data (https://hf.co/datasets/c/d) and https://github.com/a/b again."
    assert [u for _, _, u in find_urls(text)] == ["https://github.com/a/b", "https://hf.co/datasets/c/d"]


def test_repository_parts():
    assert repository_parts("https://github.com/WongKinYiu/yolov9") == ("github.com", "WongKinYiu", "yolov9")
    assert repository_parts("https://www.github.com/a/b.git") == ("github.com", "a", "b")
    assert repository_parts("https://leililab.github.io/HardTests/") == ("leililab.github.io", "leililab", "HardTests")
    assert repository_parts("https://huggingface.co/datasets/o/n") == ("huggingface.co", "o", "n")
    assert repository_parts("https://europe.naverlabs.com/t-rex") == ("europe.naverlabs.com", None, None)


@pytest.mark.parametrize("text, pairs", [
    ("Knowledge distillation (KD) is a simple method.", [("KD", "Knowledge distillation")]),
    ("we propose Difficulty-Aware Rejection Tuning (DART), a method", [("DART", "Difficulty-Aware Rejection Tuning")]),
    ("Low-rank gradiEnt Similarity Search (LESS) selects data", [("LESS", "Low-rank gradiEnt Similarity Search")]),
    ("by introducing Embedding Space Maps (ESMs), light-weight", [("ESMs", "Embedding Space Maps")]),
    ("the HPO (hyperparameter optimization) problem", [("HPO", "hyperparameter optimization")]),
    ("results (see Table 2) and (i) items (e.g. this)", []),
    ("with the accuracy (ACC) metric", [("ACC", "accuracy")]),
])
def test_abbreviation_pairs(text, pairs):
    assert [(a.short, a.long) for a in find_abbreviations(text)] == pairs
    for a in find_abbreviations(text):
        assert text[a.short_start:a.short_end] == a.short and text[a.long_start:a.long_end] == a.long


@pytest.mark.parametrize("title, pair", [
    ("ETran: Energy-Based Transferability Estimation", ("ETran", "Energy-Based Transferability Estimation")),
    ("LLaVE: Large Language and Vision Embedding Models with Hardness-Weighted Contrastive Learning",
     ("LLaVE", "Large Language and Vision Embedding Models")),
    ("RKD: Relational Knowledge Distillation for Small Models", ("RKD", "Relational Knowledge Distillation")),
    ("HARD: Hard Augmentations for Robust Distillation", None),  # the name is the subtitle's first word
    ("PANDA: Prompt Transfer Meets Knowledge Distillation", None),  # "A" starts no word
    ("IRCoder: Intermediate Representations Make Language Models Robust Multilingual Code Generators", None),
    ("ZIP-FIT: Embedding-Free Data Selection via Compression-Based Alignment", None),
    ("Scaling Laws: What We Know", None),
])
def test_title_definition(title, pair):
    found = title_definition(title)
    assert ((found.short, found.long) if found else None) == pair
    if found:
        assert title[found.short_start:found.short_end] == found.short
        assert title[found.long_start:found.long_end] == found.long


@pytest.mark.parametrize("name, shaped", [
    ("LLaVE", True), ("YOLOv9", True), ("Qwen2.5-Math-7B-Instruct", True), ("t-ReX", True), ("GPT-4o", True),
    ("Llama-2", True), ("mT5", True), ("CIFAR-10", True),
    ("Transformer", False), ("7B", False), ("Top-1", False), ("usingLSH", False), ("Hardness-Weighted", False),
    ("III", False), ("GPUs", False),
])
def test_shape_of_coined_names(name, shaped):
    assert is_shape_name(name) is shaped


def test_slugs_join_variants_and_keep_distinct_names_apart():
    assert slugify("CIFAR-10") == slugify("CIFAR10") == slugify("cifar 10") == "cifar10"
    assert slugify("ImageNet") != slugify("ImageNet-C")
    assert slugify("Knowledge distillation") == slugify("knowledge Distillation") == "knowledge-distillation"
    assert slugify("LLMs") == slugify("LLM")
    assert slugify("Café–Net") == "cafe-net"


def test_minted_iris_are_deterministic_and_safe():
    m = Minter()
    assert m.paper("2401.01234").value == "https://w3id.org/paperkg/resource/paper/2401.01234"
    assert m.entity("dataset", "cifar10").value == "https://w3id.org/paperkg/resource/dataset/cifar10"
    assert m.result("hep-th_9901001", 2).value.endswith("/result/hep-th_9901001-2")
    assert Minter("https://example.org/kg").paper("x").value == "https://example.org/kg/paper/x"
    with pytest.raises(ValueError):
        Minter("not an iri")
