"""`kg query`: the gallery list, gallery queries with parameters, ad-hoc text and files, and exit codes."""
from __future__ import annotations

import csv
import io
import json

from conftest import run_kg

from kg.queries import Gallery

GALLERY = Gallery.load()


def query(store, *args):
    return run_kg("query", "--store", store, *args)


def test_list_shows_every_gallery_query(sample_store):
    proc = query(sample_store, "--list")
    assert proc.returncode == 0, proc.stderr
    for q in GALLERY:
        assert q.id in proc.stdout
    assert "dataset='ImageNet'" in proc.stdout  # parameters with their defaults
    listed = json.loads(query(sample_store, "--list", "--format", "json").stdout)
    assert listed == GALLERY.to_json()


def test_gallery_query_with_a_parameter_as_json(sample_store, sample_kg):
    label = sample_kg.select("SELECT ?l WHERE { ?d a kg:Dataset ; rdfs:label ?l . ?p kg:mentions ?d } "
                             "ORDER BY ?l LIMIT 1")[0]["l"]
    proc = query(sample_store, "--name", "papers-using-dataset", "--param", f"dataset={label}", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert "dataset" in data["head"]["vars"] and data["results"]["bindings"]
    for binding in data["results"]["bindings"]:
        assert binding["dataset"]["value"] == label
        assert label.lower() in binding["dataset_label"]["value"].lower() or binding["dataset_iri"]


def test_gallery_query_as_csv_and_table(sample_store):
    proc = query(sample_store, "--name", "top-datasets", "--param", "min_papers=2", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows and all(int(r["papers"]) >= 2 and r["min_papers"] == "2" for r in rows)

    proc = query(sample_store, "--name", "top-datasets", "--param", "min_papers=2")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["dataset", "label", "papers"] and "min_papers" not in lines[0]
    assert lines[-1] == f"({len(rows)} row{'s' if len(rows) != 1 else ''})"


def test_construct_and_ask_from_the_gallery(sample_store):
    proc = query(sample_store, "--name", "paper-subgraph", "--format", "ntriples")
    assert proc.returncode == 0, proc.stderr
    assert "<http://purl.org/dc/terms/title>" in proc.stdout
    proc = query(sample_store, "--name", "name-in-graph", "--param", "name=No Such Name 123")
    assert (proc.returncode, proc.stdout.strip()) == (0, "false")


def test_ad_hoc_text_and_a_file(sample_store, tmp_path):
    proc = query(sample_store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper }", "--format", "tsv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "?n" and int(proc.stdout.splitlines()[1].split("^^")[0].strip('"')) > 0

    plain = tmp_path / "count.rq"
    plain.write_text("PREFIX kg: <https://w3id.org/paperkg/ontology#>\n"
                     "SELECT (COUNT(*) AS ?n) WHERE { ?r a kg:Result }\n")
    proc = query(sample_store, f"@{plain}", "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.splitlines()[0] == "n", proc.stderr

    # a file with a gallery header takes --param like a gallery query
    proc = query(sample_store, f"@{GALLERY.get('top-tasks').path}", "--param", "min_papers=1000000")
    assert proc.returncode == 0 and proc.stdout.strip().endswith("(0 rows)"), proc.stderr


def test_unknown_name_exits_2_with_what_to_do(sample_store):
    proc = query(sample_store, "--name", "leaderbord")
    assert proc.returncode == 2
    assert "no gallery query named 'leaderbord'" in proc.stderr and "did you mean leaderboard" in proc.stderr
    assert "kg query --list" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_parameters_exit_2_naming_the_parameter(sample_store):
    cases = [
        (["--name", "top-datasets", "--param", "min_papers=many"], "parameter 'min_papers': expected a whole number"),
        (["--name", "top-datasets", "--param", "min_papers=0"], "out of range"),
        (["--name", "top-datasets", "--param", "colour=red"], "has no parameter 'colour'; it takes min_papers"),
        (["--name", "entity-papers", "--param", "entity=http://x y"], "parameter 'entity': not a valid IRI"),
        (["--name", "leaderboard", "--param", "order=sideways"], "expected one of descending, ascending"),
        (["--name", "top-datasets", "--param", "min_papers"], "--param takes NAME=VALUE"),
        (["SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--param", "x=1"], "--param applies to gallery queries"),
        (["SELECT WHERE"], "SPARQL syntax error"),
        (["--name", "top-tasks", "--format", "turtle"], "use --format table, json, csv, tsv or xml"),
        ([], "give a SPARQL query, @FILE.rq or --name"),
        (["@/no/such/file.rq"], "no query file at"),
    ]
    for args, says in cases:
        proc = query(sample_store, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert says in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""
