"""`kg query`: run SPARQL text, a .rq file or a gallery query with parameters, and print the results.

    kg query --store DIR 'SELECT ...'                      ad-hoc text (the kg:, dcterms:, ... prefixes predeclared)
    kg query --store DIR @my.rq                            a file; one with a gallery header takes --param too
    kg query --store DIR --name leaderboard --param dataset=CIFAR --format csv
    kg query --store DIR --list [--format json]            the gallery

Exit 0 when the query ran, 2 on a usage error (unknown query id, bad parameter value, SPARQL syntax error, a
format that does not fit the result), 1 when the store failed while running the query.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from pyoxigraph import QueryBoolean, QuerySolutions

from .formats import GRAPH, TABULAR, serialize_triples, term_text
from .queries import QUERY_ID, Gallery, GalleryQuery, ParameterError, QueryDefinitionError, UnknownQuery

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


def run_query(args, console) -> int:
    try:
        if args.list:
            if args.query or args.name or args.param:
                return usage(console, "--list takes no query, --name or --param")
            return list_gallery(args, console)
        if args.name and args.query:
            return usage(console, "give either a query (text or @FILE.rq) or --name GALLERY_ID, not both")
        if not args.name and not args.query:
            return usage(console, "give a SPARQL query, @FILE.rq or --name GALLERY_ID "
                                  "(`kg query --list --store DIR` lists the gallery)")
        params = parse_params(args.param)
        if args.name:
            query = gallery(args, console).get(args.name)
            return run_gallery_query(args, console, query, params)
        text, path = read_query_argument(args.query)
        if path is not None and "# param:" in text:
            query = GalleryQuery.from_text(path.stem if is_query_id(path.stem) else "file", text, path)
            return run_gallery_query(args, console, query, params)
        if params:
            return usage(console, "--param applies to gallery queries (--name, or a .rq file with `# param:` "
                                  "header lines); put values straight into ad-hoc query text")
        return run_text(args, console, text)
    except UnknownQuery as err:
        return usage(console, f"{err}; `kg query --list --store {args.store}` lists the gallery queries")
    except ParameterError as err:
        hint = ""
        if args.name:
            hint = f"; `kg query --list --store {args.store}` shows each query's parameters and their defaults"
        return usage(console, f"{err}{hint}")
    except QueryDefinitionError as err:
        return usage(console, str(err))
    except UsageError as err:
        return usage(console, str(err))


class UsageError(Exception):
    pass


def usage(console, message: str) -> int:
    console.error(f"kg query: {message}")
    return EXIT_USAGE


def gallery(args, console=None) -> Gallery:
    """The gallery; a broken .rq file is reported and left out rather than stopping every query."""
    g = Gallery.load(getattr(args, "queries", None), strict=False)
    if console is not None:
        for error in g.errors:
            console.error(f"kg query: left out of the gallery: {error}")
    return g


def is_query_id(stem: str) -> bool:
    return bool(QUERY_ID.match(stem))


def parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items or []:
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"--param takes NAME=VALUE, got {item!r}")
        if name in params:
            raise UsageError(f"--param {name} given twice")
        params[name] = value
    return params


def read_query_argument(arg: str) -> tuple[str, Path | None]:
    if not arg.startswith("@"):
        return arg, None
    path = Path(arg[1:])
    if not path.is_file():
        raise UsageError(f"no query file at {path}")
    try:
        return path.read_text(encoding="utf-8"), path
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


# -- listing ---------------------------------------------------------------------------------------------------------

def list_gallery(args, console) -> int:
    g = gallery(args, console)
    if args.format == "json":
        print(json.dumps(g.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.format not in ("table", "csv", "tsv"):
        return usage(console, f"--list prints a table, csv, tsv or json, not {args.format}")
    rows = [[q.id, q.form, q.title, ", ".join(q.tags),
             " ".join(f"{p.name}={p.default!r}" if p.type == "string" else f"{p.name}={p.default}"
                      for p in q.parameters)] for q in g]
    header = ["id", "form", "title", "tags", "parameters (defaults)"]
    if args.format in ("csv", "tsv"):
        import csv
        writer = csv.writer(sys.stdout, delimiter="," if args.format == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:
        print(plain_table(header, rows))
        console.info(f"{len(rows)} gallery queries; run one with `kg query --store {args.store} --name ID "
                     "[--param NAME=VALUE]...`")
    return EXIT_OK


def plain_table(header: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    clip = lambda s: s if len(s) <= max_width else s[: max_width - 1] + "…"  # noqa: E731
    rows = [[clip(str(c).replace("\n", " ")) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


# -- running ---------------------------------------------------------------------------------------------------------

def open_store(args):
    from .store import KGStore
    return KGStore.open(args.store)


def run_gallery_query(args, console, query: GalleryQuery, params: dict[str, str]) -> int:
    bound = query.bind(params)
    check_format(args.format, query.form)
    store = open_store(args)
    if bound.values:
        console.detail("parameters: " + ", ".join(f"{k}={v!r}" for k, v in bound.describe().items()))
    try:
        result = bound.run(store)
        return emit(args, console, result, hide=set(query.parameter_names))
    except SyntaxError as err:  # pragma: no cover - gallery files are checked when loaded
        return usage(console, f"SPARQL syntax error in {query.id}: {err}")
    except (OSError, RuntimeError) as err:
        console.error(f"kg query: the query failed: {err}")
        return EXIT_FAILED


def run_text(args, console, text: str) -> int:
    store = open_store(args)
    try:
        result = store.query(text)
        form = "SELECT" if isinstance(result, QuerySolutions) else "ASK" if isinstance(result, QueryBoolean) \
            else "CONSTRUCT"
        check_format(args.format, form)
        return emit(args, console, result)
    except SyntaxError as err:
        return usage(console, f"SPARQL syntax error: {err}")
    except (OSError, RuntimeError) as err:
        console.error(f"kg query: the query failed: {err}")
        return EXIT_FAILED


def check_format(fmt: str, form: str) -> None:
    if form in ("CONSTRUCT", "DESCRIBE"):
        if fmt in ("csv", "tsv", "xml"):
            raise UsageError(f"a {form} query gives triples: use --format turtle, ntriples or jsonld "
                             "(table prints Turtle, json prints JSON-LD)")
    elif fmt in GRAPH_FORMATS:
        raise UsageError(f"a {form} query gives {'rows' if form == 'SELECT' else 'true or false'}: use --format "
                         "table, json, csv, tsv or xml")


def emit(args, console, result, hide: set[str] = frozenset()) -> int:
    fmt = args.format
    out = sys.stdout.buffer
    if isinstance(result, QuerySolutions):
        if fmt == "table":
            text, count = solutions_table(result, hide)
            print(text)
            console.detail(f"{count} row{'s' if count != 1 else ''}")
        else:
            write_bytes(out, result.serialize(format=TABULAR[fmt][0]))
    elif isinstance(result, QueryBoolean):
        if fmt == "table":
            print("true" if bool(result) else "false")
        else:
            write_bytes(out, result.serialize(format=TABULAR[fmt][0]))
    else:
        graph_fmt = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
        out.write(serialize_triples(result, GRAPH[graph_fmt][0]))
    out.flush()
    return EXIT_OK


def write_bytes(out, data: bytes) -> None:
    out.write(data)
    if data and not data.endswith(b"\n"):
        out.write(b"\n")


def solutions_table(result: QuerySolutions, hide: set[str], max_width: int = 60) -> tuple[str, int]:
    """A terminal table; a gallery query's parameter columns (which echo the values given) are left out."""
    names = [v.value for v in result.variables]
    shown_names = [n for n in names if n not in hide] or names
    rows = [[term_text(row[n]) for n in shown_names] for row in result]
    text = plain_table(shown_names, rows, max_width)
    return f"{text}\n({len(rows)} row{'s' if len(rows) != 1 else ''})", len(rows)


__all__ = ["run_query"]
