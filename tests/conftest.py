"""Shared fixtures: the sample corpus built once per test session into a real on-disk store."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "kg" / "samples" / "seed-hf-papers.txt"
GOLD = DATA / "gold" / "seed-dev.jsonl"
KG = [sys.executable, "-m", "kg.cli"]


def run_kg(*args: str, check: bool = False, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run the `kg` command line in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=kwargs.pop("cwd", ROOT), **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def write_papers(path: Path, *papers: dict) -> Path:
    """A JSON Lines input of the given paper records, one per line."""
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> Path:
    """The bundled sample corpus built once; tests must not write to it (copy it with `store_copy`)."""
    from kg.builder import build
    path = tmp_path_factory.mktemp("sample") / "store"
    build([SAMPLE], path)
    return path


@pytest.fixture
def store_copy(sample_store, tmp_path) -> Path:
    """A private, writable copy of the sample store."""
    from kg.builder import build
    path = tmp_path / "store"
    build([SAMPLE], path)
    return path


@pytest.fixture(scope="session")
def sample_kg(sample_store):
    from kg.store import KGStore
    return KGStore.open(sample_store)


@pytest.fixture(scope="module")
def http():
    """One HTTP session (kept-alive connections) per test module."""
    with requests.Session() as s:
        yield s
