"""The example-query gallery: `queries/*.rq` files with a header, and typed parameters bound as RDF terms.

A gallery query is one file; its id is the file stem (kebab-case). The file starts with comment lines that this
module reads, then the SPARQL text (which declares its own PREFIXes, so it runs on any endpoint)::

    # title: Papers that use a dataset
    # description: Papers that mention or evaluate on a dataset whose label or alias contains the text.
    #   A line that starts with '#' and two or more spaces continues the line before it.
    # tags: datasets, papers
    # param: dataset | string | ImageNet | Text to look for in the dataset's labels (case-insensitive)

A parameter line is `name | type | default | help`. Types: `string`, `integer`, `integer(MIN..MAX)` (either bound
may be left out), `decimal`, `decimal(MIN..MAX)`, `boolean`, `iri` and `choice(a, b, c)`. Every parameter has a
default, so every query runs without parameters (an empty default is allowed for strings only).

Parameters are never pasted into the query text. A value is converted by Python into a typed pyoxigraph term (an
int parsed by `int`, an IRI checked by `NamedNode`...) and then reaches the query in one of two ways:

* SELECT queries run with pyoxigraph substitutions (`KGStore.query(sparql, bindings=...)`). pyoxigraph applies a
  substitution only to a variable of the top-level SELECT projection, so a query projects its parameter
  variables (and groups by them when it aggregates): each result row echoes the values it was run with.
* `Bound.sparql_text()` renders the query for the editor and for other endpoints: the parameter values become one
  `VALUES` row placed first in the top-level WHERE group, each term serialised by pyoxigraph and checked by parsing
  it back (`_checked_values_block`). CONSTRUCT, ASK and DESCRIBE queries run this text, because pyoxigraph
  substitutes only variables of a SELECT projection or a CONSTRUCT template.

Both ways mean the same only when a query uses its parameters in the top-level WHERE group (triple patterns,
FILTERs, OPTIONALs, EXISTS, HAVING, ORDER BY), not inside a nested `{ ... FILTER }` group or a subquery. The tests
run every gallery query both ways and compare the results.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from .vocab import PREFIXES

__all__ = ["Gallery", "GalleryQuery", "Parameter", "Bound", "GalleryError", "QueryDefinitionError",
           "ParameterError", "UnknownQuery", "run", "PARAMETER_TYPES"]

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAMETER_TYPES = ("string", "integer", "decimal", "boolean", "iri", "choice")
HEADER_KEYS = ("title", "description", "tags", "param")
QUERY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEADER_LINE = re.compile(r"^#\s?(?P<key>[a-z]+)\s*:\s?(?P<value>.*)$")
CONTINUATION = re.compile(r"^#(?: {2,}|\t)(?P<value>\S.*)$")
TYPE_SPEC = re.compile(r"^(?P<base>[a-z]+)\s*(?:\((?P<args>.*)\))?$")
INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
DECIMAL_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
BOOLEANS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}

MAX_STRING = 1000  # characters in a string parameter
MAX_IRI = 2000
INT64 = (-(2 ** 63), 2 ** 63 - 1)  # Oxigraph's xsd:integer
MAX_DECIMAL = Decimal(10) ** 18  # Oxigraph's xsd:decimal has 18 fractional digits in 128 bits
DECIMAL_PLACES = 18


class GalleryError(ValueError):
    """Base of the gallery's errors; the message says what to do."""


class QueryDefinitionError(GalleryError):
    """A .rq file whose header or text cannot be used."""


class ParameterError(GalleryError):
    """A parameter value that does not fit its type, or a parameter the query does not take."""

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


class UnknownQuery(GalleryError, LookupError):
    """No gallery query has this id."""

    def __init__(self, query_id: str, known: Iterable[str]):
        known = list(known)
        close = difflib.get_close_matches(query_id, known, n=3, cutoff=0.5)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        super().__init__(f"no gallery query named {shown(query_id)}{hint}")
        self.query_id = query_id
        self.suggestions = close


def shown(value: object, width: int = 60) -> str:
    """A value for an error message: quoted, one line, clipped."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 4] + "…" + text[-3:]


# -- parameters ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a gallery query; its name is the SPARQL variable it binds."""

    name: str
    type: str
    default: str
    help: str
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @classmethod
    def parse(cls, spec: str, where: str) -> "Parameter":
        parts = [p.strip() for p in spec.split("|", 3)]
        if len(parts) != 4:
            raise QueryDefinitionError(f"{where}: a parameter line is `# param: name | type | default | help`, "
                                       f"got {shown(spec)}")
        name, type_spec, default, help_text = parts
        if not VARIABLE_NAME.match(name):
            raise QueryDefinitionError(f"{where}: parameter name {shown(name)} is not a SPARQL variable name "
                                       "(letters, digits and _)")
        m = TYPE_SPEC.match(type_spec)
        if not m or m.group("base") not in PARAMETER_TYPES:
            raise QueryDefinitionError(f"{where}: parameter {name}: unknown type {shown(type_spec)}; use one of "
                                       f"{', '.join(PARAMETER_TYPES)}")
        base, args = m.group("base"), m.group("args")
        choices: tuple[str, ...] = ()
        low = high = None
        if base == "choice":
            choices = tuple(c.strip() for c in (args or "").split(",") if c.strip())
            if len(choices) < 2:
                raise QueryDefinitionError(f"{where}: parameter {name}: choice needs two or more options, "
                                           "as in choice(a, b)")
        elif args is not None:
            if base not in ("integer", "decimal"):
                raise QueryDefinitionError(f"{where}: parameter {name}: only integer and decimal take a range")
            low, high = parse_range(args, base, f"{where}: parameter {name}")
        if not help_text:
            raise QueryDefinitionError(f"{where}: parameter {name} has no help text")
        param = cls(name, base, default, help_text, choices, low, high)
        try:
            param.convert(default)
        except ParameterError as err:
            raise QueryDefinitionError(f"{where}: the default of parameter {name} does not fit its type: {err}") \
                from None
        return param

    def convert(self, raw: object) -> Literal | NamedNode:
        """The RDF term for a value given as text (numbers and booleans are accepted as Python values too)."""
        if isinstance(raw, (list, tuple)):
            raise self.error(f"expected one value, got {len(raw)}")
        if raw is None:
            raw = self.default
        if isinstance(raw, bool):
            raw = "true" if raw else "false"
        elif isinstance(raw, (int, Decimal)):
            raw = str(raw)
        elif isinstance(raw, float):
            raw = repr(raw)
        if not isinstance(raw, str):
            raise self.error(f"expected text, got a {type(raw).__name__}")
        return getattr(self, f"_to_{self.type}")(raw)

    def out_of_range(self, text: str, low, high) -> ParameterError:
        if self.minimum is not None and self.maximum is None:
            allowed = f"a number of at least {self.minimum}"
        elif self.maximum is not None and self.minimum is None:
            allowed = f"a number of at most {self.maximum}"
        else:
            allowed = f"a number from {low} to {high}"
        return self.error(f"{shown(text, 30)} is out of range; use {allowed}")

    def error(self, message: str) -> ParameterError:
        return ParameterError(f"parameter {self.name!r}: {message}", self.name)

    def _to_string(self, raw: str) -> Literal:
        if len(raw) > MAX_STRING:
            raise self.error(f"text longer than {MAX_STRING} characters")
        return Literal(raw)

    def _to_integer(self, raw: str) -> Literal:
        text = raw.strip()
        if not INTEGER_TEXT.match(text):
            raise self.error(f"expected a whole number such as {self.default or '10'}, got "
                             f"{shown(raw) if raw.strip() else 'an empty value'}")
        number = int(text)
        low = int(self.minimum) if self.minimum is not None else INT64[0]
        high = int(self.maximum) if self.maximum is not None else INT64[1]
        if not low <= number <= high:
            raise self.out_of_range(text, low, high)
        return Literal(str(number), datatype=NamedNode(XSD + "integer"))

    def _to_decimal(self, raw: str) -> Literal:
        text = raw.strip()
        if not DECIMAL_TEXT.match(text):
            raise self.error(f"expected a decimal number such as {self.default or '0.5'}, got "
                             f"{shown(raw) if raw.strip() else 'an empty value'}")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes this
            raise self.error(f"expected a decimal number, got {shown(raw)}") from None
        low = self.minimum if self.minimum is not None else -MAX_DECIMAL
        high = self.maximum if self.maximum is not None else MAX_DECIMAL
        if not low <= number <= high:
            raise self.out_of_range(text, low, high)
        if -number.as_tuple().exponent > DECIMAL_PLACES:
            raise self.error(f"more than {DECIMAL_PLACES} digits after the decimal point")
        # Oxigraph's canonical form (no trailing zeros, no ".0"), so the term reads back equal from query text
        canonical = "0" if number == 0 else format(number.normalize(), "f")
        return Literal(canonical, datatype=NamedNode(XSD + "decimal"))

    def _to_boolean(self, raw: str) -> Literal:
        value = BOOLEANS.get(raw.strip().lower())
        if value is None:
            raise self.error(f"expected true or false, got {shown(raw) if raw.strip() else 'an empty value'}")
        return Literal(value)

    def _to_iri(self, raw: str) -> NamedNode:
        text = raw.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if not text:
            raise self.error("expected an IRI such as https://w3id.org/paperkg/resource/dataset/imagenet, "
                             "got an empty value")
        if len(text) > MAX_IRI:
            raise self.error(f"IRI longer than {MAX_IRI} characters")
        prefix, colon, local = text.partition(":")
        if colon and prefix in PREFIXES and not local.startswith("//"):
            text = PREFIXES[prefix] + local  # res:dataset/imagenet, kg:Method
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
            raise self.error(f"expected an absolute IRI (such as https://...), got {shown(raw)}")
        try:
            return NamedNode(text)
        except ValueError as err:
            raise self.error(f"not a valid IRI ({err}): {shown(raw)}") from None

    def _to_choice(self, raw: str) -> Literal:
        text = raw.strip()
        for choice in self.choices:
            if text.lower() == choice.lower():
                return Literal(choice)
        raise self.error(f"expected one of {', '.join(self.choices)}; got {shown(raw)}")

    def to_json(self) -> dict:
        out: dict = {"name": self.name, "type": self.type, "default": self.default, "help": self.help}
        if self.choices:
            out["choices"] = list(self.choices)
        if self.minimum is not None:
            out["min"] = int(self.minimum) if self.type == "integer" else str(self.minimum)
        if self.maximum is not None:
            out["max"] = int(self.maximum) if self.type == "integer" else str(self.maximum)
        return out


def parse_range(args: str, base: str, where: str) -> tuple[Decimal | None, Decimal | None]:
    low_text, sep, high_text = args.partition("..")
    if not sep:
        raise QueryDefinitionError(f"{where}: a range is written (MIN..MAX), either end may be left out")
    bounds = []
    for text in (low_text.strip(), high_text.strip()):
        if not text:
            bounds.append(None)
            continue
        if not (INTEGER_TEXT if base == "integer" else DECIMAL_TEXT).match(text):
            raise QueryDefinitionError(f"{where}: range bound {shown(text)} is not a {base}")
        bounds.append(Decimal(text))
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise QueryDefinitionError(f"{where}: range ({args}) is empty")
    return bounds[0], bounds[1]


# -- reading the SPARQL text -----------------------------------------------------------------------------------------

_TOKEN = re.compile("|".join([
    r"(?P<comment>#[^\r\n]*)",
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\r\n]|\\.)*"'
    r"|'(?:[^'\\\r\n]|\\.)*')",
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
    r"(?P<word>[A-Za-z_:?$][\w\-.:?$]*)",
    r"(?P<brace>[{}])",
    r"(?P<space>\s+)",
    r"(?P<other>.)",
]), re.S)
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


@dataclass(frozen=True)
class Shape:
    form: str  # SELECT, CONSTRUCT, ASK or DESCRIBE
    where_open: int | None  # offset just after the `{` that opens the top-level WHERE group
    variables: frozenset[str]


def shape_of(sparql: str) -> Shape:
    """The query form, where its top-level WHERE group opens and the variables it names (comments and strings
    skipped). Reading only this much keeps the gallery free of a SPARQL parser of its own."""
    depth, form, where_open = 0, None, None
    after_where = False
    variables = set()
    for m in _TOKEN.finditer(sparql):
        kind, text = m.lastgroup, m.group()
        if kind in ("space", "comment"):
            continue
        if after_where:
            if text != "{":
                raise QueryDefinitionError("WHERE must be followed by `{`")
            where_open = m.end()
            after_where = False
        if kind == "brace":
            depth += 1 if text == "{" else -1
        elif kind == "word":
            if text[0] in "?$":
                v = re.match(r"[?$]([A-Za-z0-9_]+)", text)
                if v:
                    variables.add(v.group(1))
            elif depth == 0:
                upper = text.upper()
                if form is None and upper in FORMS:
                    form = upper
                elif upper == "WHERE" and form is not None and where_open is None:
                    after_where = True
    if form is None:
        raise QueryDefinitionError("no SELECT, CONSTRUCT, ASK or DESCRIBE found (updates are not gallery queries)")
    return Shape(form, where_open, frozenset(variables))


_check_store: Store | None = None


def check_store() -> Store:
    """An empty in-memory store: parsing queries and VALUES blocks without touching any data."""
    global _check_store
    if _check_store is None:
        _check_store = Store()
    return _check_store


def _checked_values_block(values: Mapping[str, Literal | NamedNode]) -> str:
    """`VALUES (?a ?b) { (term term) }` from terms serialised by pyoxigraph, proven by parsing it back: the block
    must give exactly one row holding exactly these terms, or nothing is rendered."""
    names = list(values)
    block = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + \
            " ".join(str(values[n]) for n in names) + ") }"
    try:
        rows = list(check_store().query(f"SELECT * WHERE {{ {block} }}"))
    except SyntaxError:
        rows = []
    if len(rows) != 1 or any(rows[0][n] != values[n] for n in names):
        raise ParameterError("a parameter value could not be written safely into the query text")
    return block


# -- queries ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GalleryQuery:
    """One canned query: its header, its SPARQL text (without the header) and its parameters."""

    id: str
    title: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    sparql: str
    form: str
    path: Path | None = None
    where_open: int | None = field(default=None, repr=False)

    @classmethod
    def from_text(cls, query_id: str, text: str, path: Path | None = None) -> "GalleryQuery":
        where = str(path or query_id)
        if not QUERY_ID.match(query_id):
            raise QueryDefinitionError(f"{where}: a query id (the file name without .rq) is lower-case words "
                                       f"joined by '-', got {shown(query_id)}")
        header: dict[str, list[str]] = {k: [] for k in HEADER_KEYS}
        lines = text.splitlines(keepends=True)
        body_start = len(lines)
        last: tuple[str, int] | None = None
        for i, line in enumerate(lines):
            stripped = line.rstrip("\r\n")
            if not stripped.startswith("#"):
                body_start = i
                break
            m = HEADER_LINE.match(stripped)
            c = CONTINUATION.match(stripped)
            if c and last is not None:
                key, idx = last
                header[key][idx] += " " + c.group("value").strip()
            elif m:
                key = m.group("key")
                if key not in HEADER_KEYS:
                    raise QueryDefinitionError(f"{where}:{i + 1}: unknown header key {key!r}; the keys are "
                                               f"{', '.join(HEADER_KEYS)}")
                if key != "param" and header[key]:
                    raise QueryDefinitionError(f"{where}:{i + 1}: {key} given twice")
                header[key].append(m.group("value").strip())
                last = (key, len(header[key]) - 1)
            else:
                last = None  # a plain comment line
        for key in ("title", "description"):
            if not header[key] or not header[key][0]:
                raise QueryDefinitionError(f"{where}: the header needs a `# {key}: ...` line")
        tags = tuple(t.strip() for t in (header["tags"][0] if header["tags"] else "").split(",") if t.strip())
        params = tuple(Parameter.parse(spec, where) for spec in header["param"])
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise QueryDefinitionError(f"{where}: a parameter is declared twice")
        sparql = "".join(lines[body_start:]).strip() + "\n"
        try:
            shape = shape_of(sparql)
        except QueryDefinitionError as err:
            raise QueryDefinitionError(f"{where}: {err}") from None
        for p in params:
            if p.name not in shape.variables:
                raise QueryDefinitionError(f"{where}: parameter {p.name} is never used as ?{p.name} in the query")
        if params and shape.where_open is None:
            raise QueryDefinitionError(f"{where}: a query with parameters needs a `WHERE {{` clause (the values "
                                       "are placed at its start)")
        query = cls(query_id, header["title"][0], header["description"][0], tags, params, sparql, shape.form,
                    path, shape.where_open)
        query.check(where)
        return query

    @classmethod
    def from_file(cls, path: str | Path) -> "GalleryQuery":
        path = Path(path)
        return cls.from_text(path.stem, path.read_text(encoding="utf-8"), path)

    def check(self, where: str) -> None:
        """Parse the query alone (its own PREFIXes, no predeclared ones) and bound with its defaults, on an empty
        store, so a broken file is reported when the gallery loads rather than when someone runs it."""
        store = check_store()
        try:
            consume(store.query(self.sparql))
            bound = self.bind()
            consume(store.query(bound.sparql_text()))
            if self.form == "SELECT" and self.parameters:
                consume(store.query(self.sparql, substitutions={Variable(k): v for k, v in bound.values.items()}))
        except SyntaxError as err:
            raise QueryDefinitionError(f"{where}: SPARQL syntax error: {err}") from None
        except (RuntimeError, OSError, ValueError) as err:
            raise QueryDefinitionError(f"{where}: {err}" + (
                " (a SELECT query must project its parameter variables, and group by them when it aggregates)"
                if "projection" in str(err) else "")) from None

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise self.unknown_parameter(name)

    def unknown_parameter(self, name: str) -> ParameterError:
        takes = f"it takes {', '.join(self.parameter_names)}" if self.parameters else "it takes no parameters"
        return ParameterError(f"query {self.id!r} has no parameter {shown(name, 40)}; {takes}", name)

    def bind(self, params: Mapping[str, object] | None = None, *, ignore_unknown: bool = False) -> "Bound":
        """Typed values for every parameter: the given ones converted, the others their defaults.

        Raises ParameterError (a ValueError) naming the parameter when a value does not fit its type, or when
        a name is not a parameter of this query (unless `ignore_unknown`)."""
        params = dict(params or {})
        if not ignore_unknown:
            for name in params:
                if name not in self.parameter_names:
                    raise self.unknown_parameter(name)
        values = {p.name: p.convert(params[p.name] if p.name in params else p.default) for p in self.parameters}
        return Bound(self, values)

    def to_json(self) -> dict:
        """The gallery entry as the web API shows it (see interfaces.md)."""
        return {"id": self.id, "title": self.title, "description": self.description, "tags": list(self.tags),
                "parameters": [p.to_json() for p in self.parameters], "sparql": self.sparql,
                "form": self.form, "sparql_with_defaults": self.bind().sparql_text()}


def consume(result) -> None:
    """Iterate a result to the end (evaluation errors may surface only while iterating)."""
    if isinstance(result, QuerySolutions) or hasattr(result, "__iter__"):
        for _ in result:
            pass


@dataclass(frozen=True)
class Bound:
    """A gallery query with a typed value for each of its parameters."""

    query: GalleryQuery
    values: dict[str, Literal | NamedNode]

    @property
    def bindings(self) -> dict[str, Literal | NamedNode]:
        """Variable name -> term, for `KGStore.query(sparql, bindings=...)`."""
        return dict(self.values)

    def sparql_text(self) -> str:
        """The query with its values as one VALUES row at the start of the WHERE group: for the editor, for
        other endpoints, and for the query forms pyoxigraph cannot substitute into. Safe by construction: the
        values are terms serialised by pyoxigraph and parsed back before they are used."""
        if not self.values:
            return self.query.sparql
        at = self.query.where_open
        block = _checked_values_block(self.values)
        text = self.query.sparql
        rest = text[at:] if text[at:at + 1] in ("\n", "\r") else "\n  " + text[at:].lstrip(" \t")
        return f"{text[:at]}\n  {block}{rest}"

    def run(self, store, *, via: str = "auto"):
        """Run on a KGStore: pyoxigraph results (QuerySolutions, QueryBoolean or QueryTriples).

        via="auto" substitutes into SELECT queries and runs sparql_text() for the other forms; "substitution"
        and "values" force one way (the tests use both to show they agree)."""
        sparql, bindings = self.prepared(via=via)
        return store.query(sparql, bindings=bindings)

    def prepared(self, *, via: str = "auto") -> tuple[str, dict[str, Literal | NamedNode] | None]:
        """(query text, bindings) exactly as run() hands them to `KGStore.query`: for an executor that runs
        queries elsewhere (pyoxigraph terms pickle)."""
        if via not in ("auto", "substitution", "values"):
            raise ValueError(f"via must be auto, substitution or values, got {via!r}")
        if via == "substitution" and self.query.form != "SELECT" and self.values:
            raise ValueError(f"query {self.query.id!r} is a {self.query.form}: pyoxigraph substitutes only into "
                             "SELECT projections; use via='values'")
        if via == "values" or (via == "auto" and self.query.form != "SELECT"):
            return self.sparql_text(), None
        return self.query.sparql, (self.bindings or None)

    def describe(self) -> dict[str, str]:
        """Parameter name -> the value as text (for a page or a log line)."""
        return {k: v.value for k, v in self.values.items()}


def run(bound: Bound, store, *, via: str = "auto"):
    """Run a bound gallery query on a KGStore (see Bound.run)."""
    return bound.run(store, via=via)


# -- the gallery -----------------------------------------------------------------------------------------------------

class Gallery:
    """The canned queries of a folder, by id."""

    def __init__(self, queries: Iterable[GalleryQuery], errors: Iterable[str] = (), folder: Path | None = None):
        self._queries = {q.id: q for q in sorted(queries, key=lambda q: q.id)}
        self.errors = list(errors)
        self.folder = folder

    @classmethod
    def load(cls, folder: str | Path | None = None, *, strict: bool = True) -> "Gallery":
        """Read every `*.rq` of the folder (default: the project's queries/ folder). A broken file raises
        QueryDefinitionError, or with strict=False is left out and described in `gallery.errors`."""
        if folder is None:
            from .paths import queries_folder
            folder = queries_folder()
        folder = Path(folder)
        if not folder.is_dir():
            raise QueryDefinitionError(f"no gallery folder at {folder}")
        queries, errors = [], []
        for path in sorted(folder.glob("*.rq")):
            try:
                queries.append(GalleryQuery.from_file(path))
            except (QueryDefinitionError, UnicodeDecodeError) as err:
                message = str(err) if isinstance(err, QueryDefinitionError) else f"{path}: not UTF-8 text ({err})"
                if strict:
                    raise QueryDefinitionError(message) from None
                errors.append(message)
        return cls(queries, errors, folder)

    def get(self, query_id: str) -> GalleryQuery:
        try:
            return self._queries[query_id]
        except (KeyError, TypeError):
            raise UnknownQuery(str(query_id), self._queries) from None

    def __getitem__(self, query_id: str) -> GalleryQuery:
        return self.get(query_id)

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._queries

    def __iter__(self) -> Iterator[GalleryQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    @property
    def ids(self) -> list[str]:
        return list(self._queries)

    def tags(self) -> list[str]:
        return sorted({t for q in self for t in q.tags})

    def to_json(self) -> list[dict]:
        return [q.to_json() for q in self]
