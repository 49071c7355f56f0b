"""Crash safety: kill -9 of `kg build` or `kg add` at any moment leaves the old store whole and answering."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kg.ingest import read_inputs
from kg.store import KGStore

from conftest import ROOT, SAMPLE


def paper_count(store) -> int:
    return len(KGStore.open(store).select("SELECT ?p WHERE { ?p a kg:Paper }"))


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """The sample four times over, with distinct titles: a build that takes a few seconds."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    papers = read_inputs([SAMPLE]).papers
    with path.open("w") as f:
        for copy in range(4):
            for p in papers:
                f.write(json.dumps({"title": f"{p.title} (copy {copy})", "abstract": p.abstract}) + "\n")
    return path


def start_kg(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *map(str, args)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 1.0, 2.0, 3.5])
def test_kill_during_build_leaves_the_old_store(store_copy, big_corpus, delay):
    assert paper_count(store_copy) == 119
    proc = start_kg("build", big_corpus, "--store", store_copy)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert paper_count(store_copy) in (119, 476)  # the old store, or the new one if the build had finished
    # the next build completes and cleans up what the killed one left
    done = start_kg("build", big_corpus, "--store", store_copy)
    assert done.wait(timeout=300) == 0, done.stderr.read().decode()
    assert paper_count(store_copy) == 476
    leftovers = [p.name for p in (store_copy.parent / f".{store_copy.name}.kg").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.slow
def test_kill_during_add_changes_nothing(store_copy, big_corpus):
    before = paper_count(store_copy)
    proc = start_kg("add", big_corpus, "--store", store_copy)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert paper_count(store_copy) in (before, before + 476)  # all of the add or none of it
