"""Bad input: a clear message for each problem, every good record built, nothing else lost."""
from __future__ import annotations

import json
import re

import pytest

from kg.store import KGStore

from conftest import DATA, run_kg

BAD = DATA / "bad"

# file -> (message fragment, line or None, severity)
EXPECTED = {
    "empty.txt": ("file is empty", None, "error"),
    "binary.bin": ("binary file", None, "error"),
    "latin1.txt": ("not valid UTF-8", 1, "warning"),
    "bom.jsonl": ("byte-order mark", 1, "warning"),
    "truncated.jsonl": ("not valid JSON", 2, "error"),
    "no-abstract.jsonl": ("has no abstract", 2, "error"),
    "duplicate.jsonl": ("same paper as", 2, "duplicate"),
    "control-chars.jsonl": ("characters removed", 1, "warning"),
    "html-title.jsonl": ("kept as plain text", 1, "warning"),
    "rtl-emoji.jsonl": ("text-direction characters removed", 1, "warning"),
    "odd-lines.txt": ("has no abstract", 5, "error"),
    "broken-entry.atom": ("broken Atom entry", 10, "error"),
    "huge.jsonl": ("over the limit", 2, "error"),
}
GOOD_TITLES = {"Café Networks for Résumé Parsing", "A Paper Behind a Byte-Order Mark", "Complete Record",
               "Has an Abstract", "Twice Seen", "Bells and Nulls", "<script>alert('x')</script> Scripted Title",
               "First Paper", "A Good Atom Entry", "Small Before Huge",
               "\u0645\u0642\u0627\u0644\u0629 \U0001F680 Rockets and Reversed Text"}  # the override is gone


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    huge = tmp / "huge.jsonl"
    huge.write_text(json.dumps({"title": "Small Before Huge", "abstract": "A short abstract. It is fine."}) + "\n"
                    + json.dumps({"title": "Huge", "abstract": "word " * 210_000}) + "\n")
    inputs = sorted(p for p in BAD.iterdir() if p.suffix != ".md") + [huge]
    proc = run_kg("build", *inputs, "--store", tmp / "store")
    return proc, tmp / "store", {p.name: p for p in inputs}


def test_exit_status_says_records_were_rejected(bad_build):
    proc, _, _ = bad_build
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_problem_is_named_with_file_line_and_reason(bad_build, name):
    proc, _, paths = bad_build
    fragment, line, severity = EXPECTED[name]
    where = f"{paths[name]}:{line}" if line else f"{paths[name]}"
    lines = [x for x in proc.stderr.splitlines() if x.startswith(where + ":") and fragment in x]
    assert lines, f"no message for {name} at {where}:\n{proc.stderr}"
    assert f": {severity}: " in lines[0]


def test_every_good_record_is_built(bad_build):
    _, store, _ = bad_build
    titles = {r["t"] for r in KGStore.open(store).select("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }")}
    assert titles == GOOD_TITLES


def test_summary_adds_up(bad_build):
    proc, store, _ = bad_build
    m = re.search(r"read ([\d,]+) records?: ([\d,]+) papers? built, ([\d,]+) rejected"
                  r"(?:, ([\d,]+) duplicates? merged)?", proc.stderr)
    assert m, proc.stderr
    read, built, rejected, merged = (int((x or "0").replace(",", "")) for x in m.groups())
    assert read == built + rejected + merged
    assert built == len(KGStore.open(store).select("SELECT ?p WHERE { ?p a kg:Paper }"))
    assert merged == 1


def test_a_build_with_nothing_good_leaves_the_store_as_it_was(sample_store, tmp_path):
    store = tmp_path / "store"
    first = tmp_path / "one.jsonl"
    first.write_text(json.dumps({"title": "Kept", "abstract": "A fine abstract. It stays."}) + "\n")
    assert run_kg("build", first, "--store", store).returncode == 0
    proc = run_kg("build", BAD / "empty.txt", BAD / "binary.bin", "--store", store)
    assert proc.returncode == 1 and "the store was left as it was" in proc.stderr
    titles = [r["t"] for r in KGStore.open(store).select("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }")]
    assert titles == ["Kept"]
