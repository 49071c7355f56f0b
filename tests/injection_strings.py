"""The injection strings thrown at every parameter of every gallery query (in the library and over HTTP), and the
values whose results a payload's results are compared with."""

NASTY = [
    '"> } ; DROP ALL ; #',
    "' } UNION { ?s ?p ?o } #",
    '" } UNION { ?s ?p ?o } #',
    '") } } SELECT * WHERE { ?s ?p ?o } #',
    'x" . ?paper ?p ?o . FILTER("1',
    '"""', "'''", '\\', '\\"', 'end\\', '\\u0022) } UNION { ?s ?p ?o } #',
    "line one\nline two", "\r\n} #\n", "tab\there", "nul\x00byte", "\u2028} #",
    "<http://x> } INSERT DATA { <a> <b> <c> }",
    "http://example.org/a b",
    "http://example.org/a> } ; DROP ALL ; #",
    "https://w3id.org/paperkg/resource/dataset/imagenet> } UNION { ?s ?p ?o",
    "res:dataset/imagenet } UNION { ?s ?p ?o }",
    "urn:x\" } UNION {",
    "1; DELETE WHERE { ?s ?p ?o }",
    "1 ) } UNION { ?s ?p ?o } #",
    "9" * 200,
    "-1e999",
    "true } UNION { ?s ?p ?o }",
    "%3E%20%7D%20UNION",
    "\U0001F600 } #",
]
HARMLESS = {"string": "harmless-value-that-matches-nothing", "iri": "https://example.org/harmless"}
# Widest values: text filters match everything with "", so a payload that legitimately matches (a sentence with a
# backslash) still gives a subset of these rows; an injected `UNION { ?s ?p ?o }` would not.
WIDEST = {"string": ""}
MARK = "\x01"  # in no label or sentence: a payload behind it can match nothing, so it must give what HARMLESS gives
