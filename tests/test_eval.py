"""`kg eval`: scores through SPARQL, per-paper misses and false hits, and the quality bounds on the dev gold."""
from __future__ import annotations

import json

from kg.evaluate import PredictedResult, evaluate, names_match, read_gold, same_result, same_value
from kg.store import KGStore

from conftest import GOLD, run_kg

BOUNDS = "methods=0.65,datasets=0.75,tasks=0.5,metrics=0.65,proposed=0.7,repositories=0.98,results_value=0.7,claims=0.75"


def test_dev_gold_meets_the_quality_bounds(sample_store):
    proc = run_kg("eval", "--store", sample_store, "--gold", GOLD, "--min", BOUNDS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "papers in gold: 60, not found in the store: 0" in proc.stdout


def test_eval_reports_misses_and_false_hits_per_paper(sample_store, tmp_path):
    gold = read_gold(GOLD)[0]  # LLaVE
    gold = dict(gold, datasets=[["MMEB"], ["A Dataset Nobody Mentions"]], metrics=[])
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold) + "\n")
    ev = evaluate(KGStore.open(sample_store), [gold])
    assert ev.papers[0]["datasets"]["missed"] == ["A Dataset Nobody Mentions"]
    assert ev.tallies["datasets"].matched == 1 and ev.tallies["datasets"].gold == 2
    proc = run_kg("eval", "--store", sample_store, "--gold", path, "--detail", "--json")
    data = json.loads(proc.stdout)
    assert data["details"][0]["datasets"]["missed"] == ["A Dataset Nobody Mentions"]
    assert data["scores"]["datasets"]["recall"] == 0.5


def test_eval_bounds_fail_with_exit_1_and_bad_gold_with_exit_2(sample_store, tmp_path):
    proc = run_kg("eval", "--store", sample_store, "--gold", GOLD, "--min", "methods=0.99")
    assert proc.returncode == 1 and "below bound: methods F1" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    proc = run_kg("eval", "--store", sample_store, "--gold", bad)
    assert proc.returncode == 2 and f"{bad}:1" in proc.stderr


def test_name_matching_rules():
    assert names_match(["CIFAR10"], ["CIFAR-10"])
    assert names_match(["Transformers"], ["transformer"])
    assert names_match(["domain adaptation"], ["Sample-Efficient Domain Adaptation"])  # half the words shared
    assert not names_match(["ImageNet"], ["CIFAR-10"])
    assert names_match(["ImageNet"], ["ImageNet-C"])  # relaxed: half of the words are shared


def test_result_matching_on_value_and_on_metric_and_dataset():
    mine = PredictedResult("87.50", metric={"top-1 accuracy"}, dataset={"ILSVRC-2012", "ImageNet"})
    assert same_value(mine, {"value": "87.5%"}) and not same_value(mine, {"value": "87.6"})
    assert same_result(mine, {"value": "87.5", "metric": "Top-1 Accuracy", "dataset": "ImageNet"})
    assert same_result(mine, {"value": "87.5"})  # the gold names neither: the number decides
    assert not same_result(mine, {"value": "87.5", "metric": "BLEU"})
    assert not same_result(PredictedResult("87.5"), {"value": "87.5", "dataset": "ImageNet"})
