"""The example-query gallery: every queries/*.rq file loads, runs on the sample graph and binds typed parameters.

Values that depend on what the extractor finds are read from the store first, never written into the tests.
"""
from __future__ import annotations

import json
import pickle
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Store, Variable

import kg.queries as queries_module
from kg.paths import queries_folder
from kg.queries import (Bound, Gallery, GalleryQuery, ParameterError, QueryDefinitionError, UnknownQuery,
                        shape_of)

GALLERY = Gallery.load()
ALL_IDS = GALLERY.ids
SELECT_WITH_PARAMS = [q.id for q in GALLERY if q.form == "SELECT" and q.parameters]
XSD = "http://www.w3.org/2001/XMLSchema#"

REQUIRED = {  # what issue 5 asks the gallery to cover, by the id that covers it
    "overview counts": "overview-counts", "papers with code": "papers-with-code",
    "most used datasets": "top-datasets", "most used methods": "top-methods", "most used tasks": "top-tasks",
    "most used metrics": "top-metrics", "papers using a dataset": "papers-using-dataset",
    "what a paper proposes": "paper-proposals", "leaderboard": "leaderboard", "claims about": "claims-about",
    "comparisons": "comparisons", "abbreviation glossary": "abbreviation-glossary",
    "datasets used together": "datasets-used-together", "related papers": "related-papers",
    "repository owners": "repository-owners", "papers without code": "papers-without-code",
    "tasks per method": "tasks-per-method", "methods per task": "methods-per-task",
    "where a fact came from": "fact-sources", "paper subgraph (CONSTRUCT)": "paper-subgraph",
    "label search": "label-search",
}


def rows_of(result) -> list[dict]:
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]


def canonical(result):
    """A comparable form of any query result: a multiset of rows, a bool, or a multiset of triples."""
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        return Counter(tuple(str(row[n]) if row[n] is not None else None for n in names) for row in result)
    if isinstance(result, QueryBoolean):
        return bool(result)
    return Counter(str(t) for t in result)


def size(result) -> int:
    if isinstance(result, QueryBoolean):
        return int(bool(result))
    return len(list(result))


# -- the files -------------------------------------------------------------------------------------------------------

def test_gallery_has_at_least_25_queries_one_file_each():
    files = sorted(p.stem for p in queries_folder().glob("*.rq"))
    assert len(files) >= 25
    assert ALL_IDS == files
    assert GALLERY.errors == []


@pytest.mark.parametrize("topic, query_id", sorted(REQUIRED.items()))
def test_gallery_covers(topic, query_id):
    assert query_id in GALLERY, f"no gallery query for {topic}"


def test_gallery_uses_every_parameter_type_and_form():
    types = {p.type for q in GALLERY for p in q.parameters}
    assert {"string", "integer", "decimal", "iri", "choice", "boolean"} <= types
    assert {q.form for q in GALLERY} >= {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
    assert GALLERY.get("paper-subgraph").form == "CONSTRUCT"


@pytest.mark.parametrize("query_id", ALL_IDS)
def test_header_is_complete(query_id):
    q = GALLERY.get(query_id)
    assert q.title and q.description and q.tags
    assert not q.sparql.lstrip().startswith("# title")
    for p in q.parameters:
        assert p.help and p.type in queries_module.PARAMETER_TYPES
        p.convert(p.default)  # every default fits its type


@pytest.mark.parametrize("query_id", ALL_IDS)
def test_query_declares_its_own_prefixes(query_id):
    """Parsed by a bare pyoxigraph store, with no prefixes predeclared: the text runs on any endpoint."""
    q = GALLERY.get(query_id)
    bare = Store()
    for text in (q.sparql, q.bind().sparql_text()):
        try:
            result = bare.query(text)
        except SyntaxError as err:  # pragma: no cover - the message is the point
            pytest.fail(f"{query_id} does not parse on its own: {err}")
        size(result)


# -- every query runs on the sample graph ----------------------------------------------------------------------------

@pytest.mark.parametrize("query_id", ALL_IDS)
def test_query_runs_on_the_sample_with_its_defaults(sample_kg, query_id):
    q = GALLERY.get(query_id)
    result = q.bind().run(sample_kg)
    if q.form == "SELECT":
        rows = rows_of(result)
        assert rows, f"{query_id} returned no rows with its defaults"
        for row in rows:  # parameter columns echo the defaults
            for p in q.parameters:
                assert row[p.name] == p.convert(p.default)
    elif q.form == "ASK":
        assert bool(result) is True
    else:
        assert size(result) > 0


@pytest.mark.parametrize("query_id", SELECT_WITH_PARAMS)
def test_substitution_and_values_text_give_the_same_rows(sample_kg, query_id):
    """The two ways a value reaches a query (pyoxigraph substitution, VALUES in the text) mean the same."""
    q = GALLERY.get(query_id)
    samples = {"string": ["", "a", "transfer", "ImageNet", "é", 'x"y'], "integer": ["1", "2", "0", "1000"],
               "decimal": ["0", "5.5", "-1", "90"], "boolean": ["true", "false"],
               "iri": ["https://w3id.org/paperkg/resource/dataset/imagenet", "urn:x:nothing"]}
    for p in q.parameters:
        values = list(p.choices) if p.type == "choice" else samples[p.type] + [p.default]
        for value in values:
            try:
                bound = q.bind({p.name: value})
            except ParameterError:
                continue  # out of this parameter's range
            by_substitution = canonical(bound.run(sample_kg, via="substitution"))
            by_values = canonical(bound.run(sample_kg, via="values"))
            assert by_substitution == by_values, f"{query_id} {p.name}={value!r}"


# -- results that make sense (values taken from the store first) ------------------------------------------------------

def run_rows(kg, query_id, **params):
    return rows_of(GALLERY.get(query_id).bind(params).run(kg))


def test_overview_counts_match_the_graph(sample_kg):
    counts = {r["what"].value: int(r["count"].value) for r in run_rows(sample_kg, "overview-counts")}
    papers = sample_kg.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper }")[0]["n"]
    assert counts["papers"] == int(papers)
    assert set(counts) >= {"methods", "datasets", "tasks", "metrics", "results", "claims", "repositories"}


def test_papers_using_a_dataset_found_by_a_label_from_the_store(sample_kg):
    top = run_rows(sample_kg, "top-datasets")[0]
    label = top["label"].value
    rows = run_rows(sample_kg, "papers-using-dataset", dataset=label.upper())
    assert {r["dataset_iri"] for r in rows} >= {top["dataset"]}
    assert len({r["paper"] for r in rows if r["dataset_iri"] == top["dataset"]}) == int(top["papers"].value)


def test_min_papers_filters_rankings(sample_kg):
    for query_id in ("top-datasets", "top-methods", "top-tasks", "top-metrics"):
        everything = run_rows(sample_kg, query_id)
        most = int(everything[0]["papers"].value)
        counts = [int(r["papers"].value) for r in everything]
        assert counts == sorted(counts, reverse=True)
        some = run_rows(sample_kg, query_id, min_papers=str(most))
        assert some and all(int(r["papers"].value) >= most for r in some)
        assert run_rows(sample_kg, query_id, min_papers=str(most + 1)) == []


def test_leaderboard_is_sorted_both_ways(sample_kg):
    down = [Decimal(r["value"].value) for r in run_rows(sample_kg, "leaderboard", dataset="", metric="")]
    assert len(down) > 1 and down == sorted(down, reverse=True)
    up = [Decimal(r["value"].value) for r in run_rows(sample_kg, "leaderboard", dataset="", metric="",
                                                       order="ascending")]
    assert up == sorted(down)


def test_results_by_metric_respects_the_decimal_threshold(sample_kg):
    values = [Decimal(r["value"].value) for r in run_rows(sample_kg, "results-by-metric", metric="")]
    middle = sorted(values)[len(values) // 2]
    above = [Decimal(r["value"].value) for r in run_rows(sample_kg, "results-by-metric", metric="",
                                                          min_value=str(middle))]
    assert above and all(v >= middle for v in above)
    assert len(above) == sum(1 for v in values if v >= middle)


def test_boolean_parameter_filters_improvements(sample_kg):
    every = run_rows(sample_kg, "improvement-results")
    only = run_rows(sample_kg, "improvement-results", improvements_only="yes")
    assert len(only) == sum(1 for r in every if r["improvement"].value == "true")
    assert all(r["improvement"].value == "true" for r in only)


def test_choice_parameter_filters_by_kind(sample_kg):
    for kind in ("Method", "Dataset", "Task", "Metric"):
        rows = run_rows(sample_kg, "label-search", q="", kind=kind.lower())
        assert rows and {r["type"].value for r in rows} == {kind}


def test_paper_subgraph_of_a_paper_taken_from_the_store(sample_kg):
    paper = run_rows(sample_kg, "most-connected-papers")[0]["paper"]
    triples = list(GALLERY.get("paper-subgraph").bind({"paper": paper.value}).run(sample_kg))
    assert any(t.subject == paper and t.predicate.value.endswith("/title") for t in triples)
    mentioned = {r["e"] for r in sample_kg.select(f"SELECT ?e WHERE {{ <{paper.value}> kg:mentions ?e }}")}
    labelled = {t.subject.value for t in triples if t.predicate.value.endswith("#label")}
    assert mentioned <= labelled


def test_related_papers_share_entities(sample_kg):
    paper = run_rows(sample_kg, "most-connected-papers")[0]["paper"]
    rows = run_rows(sample_kg, "related-papers", paper=paper.value)
    assert rows and all(r["related"] != paper and int(r["shared"].value) >= 1 for r in rows)
    scores = [Decimal(r["score"].value) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_entity_queries_accept_iris_and_prefixed_names(sample_kg):
    entity = run_rows(sample_kg, "top-methods")[0]["method"]
    local = entity.value.removeprefix("https://w3id.org/paperkg/resource/")
    full = run_rows(sample_kg, "entity-papers", entity=entity.value)
    assert full and all(r["entity"] == entity for r in full)
    assert run_rows(sample_kg, "entity-papers", entity=f"res:{local}") == full
    assert run_rows(sample_kg, "entity-papers", entity=f"<{entity.value}>") == full
    forms = run_rows(sample_kg, "entity-surface-forms", entity=entity.value)
    assert forms and all(r["entity"] == entity for r in forms)


def test_paper_queries_find_a_paper_by_title_words_or_iri(sample_kg):
    row = run_rows(sample_kg, "paper-facts", paper_title="")[0]
    by_iri = run_rows(sample_kg, "paper-facts", paper_title=row["paper"].value)
    by_title = run_rows(sample_kg, "paper-facts", paper_title=row["title"].value.upper())
    assert by_iri and {r["paper"] for r in by_iri} == {row["paper"]}
    assert {r["fact"] for r in by_iri} <= {r["fact"] for r in by_title}


def test_ask_is_false_for_an_absent_name(sample_kg):
    ask = GALLERY.get("name-in-graph")
    assert bool(ask.bind({"name": "imagenet"}).run(sample_kg)) is True
    assert bool(ask.bind({"name": "No Such Dataset 12345"}).run(sample_kg)) is False


def test_unicode_values_run_and_come_back_unchanged(sample_kg):
    for text in ("é", "Überlernen", "转移学习", "😀", "\u200b", "ß"):
        rows = run_rows(sample_kg, "label-search", q=text)
        assert all(r["q"] == Literal(text) for r in rows)
        echo = rows_of(echo_query().bind({"text": text}).run(sample_kg))
        assert echo[0]["text"] == Literal(text) and int(echo[0]["length"].value) == len(text)


# -- binding parameters ----------------------------------------------------------------------------------------------

def echo_query() -> GalleryQuery:
    return GalleryQuery.from_text("echo", """\
# title: Echo
# description: Gives its parameters back.
# tags: test
# param: text | string | hello | any text
# param: number | integer(-5..5) | 0 | a small number
# param: amount | decimal | 1.5 | a decimal
# param: flag | boolean | false | a flag
# param: thing | iri | urn:x:default | an IRI
# param: pick | choice(red, green) | red | a colour
SELECT ?text ?length ?number ?amount ?flag ?thing ?pick
WHERE {
  BIND(STRLEN(?text) AS ?length)
}
""")


def test_bind_converts_each_type_to_a_typed_term():
    b = echo_query().bind({"text": " spaced ", "number": " -5 ", "amount": "2.50", "flag": "YES",
                           "thing": "https://example.org/a?b=c#d", "pick": "GREEN"})
    assert b.values == {"text": Literal(" spaced "), "number": Literal("-5", datatype=NamedNode(XSD + "integer")),
                        "amount": Literal("2.5", datatype=NamedNode(XSD + "decimal")), "flag": Literal(True),
                        "thing": NamedNode("https://example.org/a?b=c#d"), "pick": Literal("green")}
    assert b.describe()["pick"] == "green"
    assert isinstance(b, Bound) and b.bindings == b.values


def test_bind_accepts_python_values():
    b = echo_query().bind({"number": 3, "amount": Decimal("0.25"), "flag": True})
    assert b.values["number"].value == "3" and b.values["amount"].value == "0.25" and b.values["flag"].value == "true"


@pytest.mark.parametrize("name, value, says", [
    ("number", "abc", "whole number"),
    ("number", "", "empty value"),
    ("number", "1.5", "whole number"),
    ("number", "6", "out of range"),
    ("number", "9" * 400, "out of range"),
    ("number", "1e3", "whole number"),
    ("amount", "NaN", "decimal number"),
    ("amount", "inf", "decimal number"),
    ("amount", "1e400", "decimal number"),
    ("amount", "1" + "0" * 30, "out of range"),
    ("amount", "0." + "1" * 30, "digits after the decimal point"),
    ("amount", "   ", "empty value"),
    ("flag", "maybe", "true or false"),
    ("thing", "not an iri", "absolute IRI"),
    ("thing", "http://x y", "not a valid IRI"),
    ("thing", "http://x> } INSERT DATA { <a> <b> <c> }", "not a valid IRI"),
    ("thing", "", "empty value"),
    ("thing", "relative/path", "absolute IRI"),
    ("pick", "blue", "one of red, green"),
    ("text", "x" * 5000, "longer than"),
    ("text", ["a", "b"], "one value"),
])
def test_bad_values_raise_a_clear_error_naming_the_parameter(name, value, says):
    with pytest.raises(ParameterError) as err:
        echo_query().bind({name: value})
    assert err.value.parameter == name
    assert f"parameter {name!r}" in str(err.value) and says in str(err.value)
    assert isinstance(err.value, ValueError)


def test_unknown_parameter_names_the_ones_the_query_takes():
    with pytest.raises(ParameterError, match="has no parameter 'colour'; it takes text, number"):
        echo_query().bind({"colour": "red"})
    assert echo_query().bind({"colour": "red"}, ignore_unknown=True).values["pick"] == Literal("red")
    with pytest.raises(ParameterError, match="it takes no parameters"):
        GALLERY.get("overview-counts").bind({"x": "1"})


def test_unknown_query_id_suggests_close_ones():
    with pytest.raises(UnknownQuery, match="did you mean leaderboard") as err:
        GALLERY.get("leaderbord")
    assert isinstance(err.value, LookupError) and err.value.suggestions == ["leaderboard"]
    with pytest.raises(UnknownQuery):
        GALLERY.get("")


# -- the query text for the editor and other endpoints ---------------------------------------------------------------

def test_sparql_text_puts_one_values_row_first_in_the_where_group(sample_kg):
    q = GALLERY.get("papers-using-dataset")
    text = q.bind({"dataset": 'Image"Net'}).sparql_text()
    where = text.index("WHERE {")
    assert text[where:].startswith('WHERE {\n  VALUES (?dataset) { ("Image\\"Net") }\n')
    assert text.replace('\n  VALUES (?dataset) { ("Image\\"Net") }', "") == q.sparql
    assert GALLERY.get("overview-counts").bind().sparql_text() == GALLERY.get("overview-counts").sparql
    assert canonical(sample_kg.query(q.bind().sparql_text())) == canonical(q.bind().run(sample_kg))


def test_sparql_text_refuses_a_term_that_does_not_read_back():
    class Forged:
        value = "x"

        def __str__(self):
            return '"x") } ?s ?p ?o . VALUES (?z) { ("'

    bound = Bound(echo_query(), {"text": Forged()})
    with pytest.raises(ParameterError, match="could not be written safely"):
        bound.sparql_text()


def test_shape_ignores_braces_and_keywords_in_strings_comments_and_iris():
    text = ('PREFIX ex: <http://e/{x}>\n# WHERE { in a comment\nSELECT ?a ("WHERE {" AS ?b) ?c\n'
            "WHERE { ?a ex:WHERE '}' . ?a <http://e/WHERE> ?c }")
    shape = shape_of(text)
    assert shape.form == "SELECT" and text[:shape.where_open].endswith("\nWHERE {")
    assert {"a", "b", "c"} <= shape.variables
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert construct[:shape_of(construct).where_open] == "CONSTRUCT { ?s ?p ?o } WHERE {"


def test_prepared_is_what_run_sends_and_it_pickles(sample_kg):
    """For an executor in another process: the text and the bindings, nothing else."""
    bound = GALLERY.get("leaderboard").bind({"dataset": "CIFAR"})
    text, bindings = bound.prepared()
    assert text == bound.query.sparql and bindings == bound.values
    assert pickle.loads(pickle.dumps((text, bindings))) == (text, bindings)
    assert canonical(sample_kg.query(text, bindings)) == canonical(bound.run(sample_kg))
    text, bindings = GALLERY.get("paper-subgraph").bind().prepared()
    assert bindings is None and "  VALUES (?paper) { (<https://w3id.org/paperkg/resource/paper/" in text


def test_run_via_substitution_is_refused_for_a_construct(sample_kg):
    with pytest.raises(ValueError, match="SELECT"):
        GALLERY.get("paper-subgraph").bind().run(sample_kg, via="substitution")


# -- the gallery as JSON ---------------------------------------------------------------------------------------------

def test_to_json_matches_the_interface():
    entries = GALLERY.to_json()
    json.dumps(entries)
    assert [e["id"] for e in entries] == ALL_IDS
    for e in entries:
        assert {"id", "title", "description", "tags", "parameters", "sparql"} <= set(e)
        assert isinstance(e["tags"], list) and isinstance(e["sparql"], str)
        for p in e["parameters"]:
            assert {"name", "type", "default", "help"} <= set(p) and isinstance(p["default"], str)
    board = next(e for e in entries if e["id"] == "leaderboard")
    order = next(p for p in board["parameters"] if p["name"] == "order")
    assert order["type"] == "choice" and order["choices"] == ["descending", "ascending"]
    top = next(e for e in entries if e["id"] == "top-datasets")
    assert top["parameters"] == [{"name": "min_papers", "type": "integer", "default": "1", "min": 1,
                                  "help": "Only datasets named by at least this many papers"}]
    assert 'VALUES (?min_papers) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }' in top["sparql_with_defaults"]


# -- adding a query is adding a file; broken files are reported ------------------------------------------------------

GOOD = """\
# title: Titles
# description: Paper titles containing a text.
#   Second line of the description.
# tags: papers
# param: text | string | Transfer | words of the title
PREFIX kg: <https://w3id.org/paperkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?title ?text WHERE { ?p a kg:Paper ; dcterms:title ?title FILTER(CONTAINS(?title, ?text)) }
"""


def test_a_new_file_is_a_new_query(tmp_path, sample_kg):
    (tmp_path / "paper-titles.rq").write_text(GOOD)
    gallery = Gallery.load(tmp_path)
    q = gallery.get("paper-titles")
    assert q.description == "Paper titles containing a text. Second line of the description."
    assert rows_of(q.bind().run(sample_kg))


@pytest.mark.parametrize("change, says", [
    (("# title: Titles\n", ""), "needs a `# title"),
    (("# tags: papers\n", "# tags: papers\n# author: me\n"), "unknown header key 'author'"),
    (("string | Transfer", "text | Transfer"), "unknown type"),
    (("string | Transfer", "integer | Transfer"), "default of parameter text"),
    (("string | Transfer", "choice(a) | a"), "two or more options"),
    (("string | Transfer", "integer(5..1) | 3"), "is empty"),
    (("| words of the title", "|"), "no help text"),
    (("# param: text", "# param: bad-name"), "not a SPARQL variable name"),
    (("SELECT ?title ?text", "SELECT ?title"), "must project its parameter variables"),
    (("PREFIX dcterms: <http://purl.org/dc/terms/>\n", ""), "SPARQL syntax error"),
    (("# param: text", "# param: other"), "other is never used"),
    (("SELECT ?title ?text WHERE {", "SELECT ?title ?text {"), "needs a `WHERE {"),
    (("SELECT ?title ?text WHERE", "INSERT DATA { <a:a> <a:b> <a:c> } #"), "no SELECT"),
])
def test_broken_files_are_reported_with_the_reason(tmp_path, change, says):
    old, new = change
    assert old in GOOD
    (tmp_path / "broken.rq").write_text(GOOD.replace(old, new, 1))
    (tmp_path / "good.rq").write_text(GOOD)
    with pytest.raises(QueryDefinitionError, match="broken.rq") as err:
        Gallery.load(tmp_path)
    assert says in str(err.value)
    lenient = Gallery.load(tmp_path, strict=False)
    assert lenient.ids == ["good"] and len(lenient.errors) == 1 and says in lenient.errors[0]


def test_a_file_name_must_be_kebab_case(tmp_path):
    (tmp_path / "Bad_Name.rq").write_text(GOOD)
    with pytest.raises(QueryDefinitionError, match="lower-case words"):
        Gallery.load(tmp_path)


def test_substitution_needs_projection_which_is_why_parameters_are_projected():
    """The pyoxigraph behaviour this design rests on: a substitution applies only to a projected variable."""
    store = Store()
    with pytest.raises(RuntimeError, match="SELECT projection"):
        store.query("SELECT ?s WHERE { ?s ?p ?x }", substitutions={Variable("x"): Literal("a")})


def test_public_api():
    assert set(queries_module.__all__) == {"Gallery", "GalleryQuery", "Parameter", "Bound", "GalleryError",
                                           "QueryDefinitionError", "ParameterError", "UnknownQuery", "run",
                                           "PARAMETER_TYPES"}
    assert Path(GALLERY.folder) == queries_folder()
