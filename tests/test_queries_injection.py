"""Injection strings at every parameter of every gallery query: no extra rows, no error leak, no change.

The store here is a writable in-memory copy of the sample graph, so a query that managed to write would show.
"""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Store

from kg.queries import Gallery, GalleryQuery, ParameterError
from kg.store import KGStore

from injection_strings import HARMLESS, MARK, NASTY, WIDEST

GALLERY = Gallery.load()
WITH_PARAMS = [q.id for q in GALLERY if q.parameters]


@pytest.fixture(scope="module")
def writable_kg(sample_kg):
    """The sample graph in a writable in-memory store, behind the same KGStore interface."""
    store = Store()
    store.extend(list(sample_kg.quads()))
    return KGStore(sample_kg.path, store, sample_kg.generation)


def digest(kg: KGStore) -> tuple[int, str]:
    lines = sorted(str(q) for q in kg.quads())
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def comparable(result, hide: set[str]):
    """Rows without the parameter columns (which echo the value given), as a multiset; a bool; triples."""
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables if v.value not in hide]
        return Counter(tuple(str(row[n]) if row[n] is not None else None for n in names) for row in result)
    if isinstance(result, QueryBoolean):
        return Counter([True]) if bool(result) else Counter()
    return Counter(str(t) for t in result)


def ways(q: GalleryQuery) -> list[str]:
    return ["substitution", "values"] if q.form == "SELECT" else ["values"]


@pytest.mark.parametrize("query_id", WITH_PARAMS)
def test_injection_strings_at_every_parameter(writable_kg, query_id):
    q = GALLERY.get(query_id)
    hide = set(q.parameter_names)
    before = digest(writable_kg)
    for p in q.parameters:
        def rows_for(value, way):
            return comparable(q.bind({p.name: value}).run(writable_kg, via=way), hide)

        oracle = {way: (rows_for(WIDEST.get(p.type, HARMLESS.get(p.type, p.default)), way),
                        rows_for(HARMLESS.get(p.type, p.default), way)) for way in ways(q)}
        for value in NASTY:
            try:
                bound = q.bind({p.name: value})
            except ParameterError as err:
                message = str(err)
                assert err.parameter == p.name and message.startswith(f"parameter {p.name!r}: ")
                assert not any(leak in message for leak in ("Traceback", "RuntimeError", "pyoxigraph", "  File "))
                assert p.type != "string", "a string parameter takes any text"
                continue
            assert p.type in ("string", "iri")
            text = bound.sparql_text()
            values_line = next(line for line in text.split("\n") if line.strip().startswith("VALUES ("))
            assert text.replace("\n" + values_line, "", 1) == q.sparql, "the value changed the text around it"
            for way in ways(q):
                widest, harmless = oracle[way]
                result = bound.run(writable_kg, via=way)
                if isinstance(result, QuerySolutions):
                    rows = list(result)
                    for row in rows:  # the value arrived whole, as one term
                        assert row[p.name] == bound.values[p.name]
                    result = bound.run(writable_kg, via=way)
                got = comparable(result, hide)
                assert not (got - widest), f"{query_id}: {p.name}={value!r} via {way} gave rows no value gives"
                if p.type == "string":
                    marked = rows_for(MARK + value, way)
                    assert not (marked - harmless), f"{query_id}: {p.name}={MARK + value!r} via {way}: extra rows"
    assert digest(writable_kg) == before


ECHO = GalleryQuery.from_text("echo", """\
# title: Echo
# description: Gives its parameters back, with the length of the text.
# tags: test
# param: text | string | hello | any text
# param: thing | iri | urn:x:default | an IRI
SELECT ?text ?length ?thing
WHERE {
  BIND(STRLEN(?text) AS ?length)
}
""")


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_every_injection_string_comes_back_unchanged_both_ways(writable_kg, value):
    bound = ECHO.bind({"text": value})
    for way in ("substitution", "values"):
        rows = list(bound.run(writable_kg, via=way))
        assert len(rows) == 1, way
        assert rows[0]["text"] == Literal(value) and rows[0]["text"].value == value
        assert int(rows[0]["length"].value) == len(value)
        assert rows[0]["thing"] == NamedNode("urn:x:default")


def test_the_store_on_disk_is_unchanged(sample_kg):
    """Read-only store: every gallery query with an injection string at each parameter, then count again."""
    before = digest(sample_kg)
    for q in GALLERY:
        for p in q.parameters:
            for value in NASTY[:6]:
                try:
                    bound = q.bind({p.name: value})
                except ParameterError:
                    continue
                result = bound.run(sample_kg)
                if not isinstance(result, QueryBoolean):
                    list(result)
    assert digest(sample_kg) == before
    assert len(sample_kg) == before[0]
