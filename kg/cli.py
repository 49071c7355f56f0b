"""The `kg` command: parse arguments, call the library, print. Exit 0 when all went well, 1 when records were
rejected or a job failed, 2 on a usage error."""
from __future__ import annotations

import argparse
import os
import sys
import time

from ._version import __version__
from .store import StoreError
from .vocab import DEFAULT_BASE

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class Console:
    """Messages on stderr, progress bars when stderr is a terminal; --quiet and --verbose."""

    def __init__(self, quiet: bool = False, verbose: bool = False):
        self.quiet, self.verbose = quiet, verbose
        self.bars: dict = {}
        self.interactive = sys.stderr.isatty() and not quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def detail(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr)

    def error(self, message: str) -> None:
        print(message, file=sys.stderr)

    def progress(self, phase: str, done: int, total: int) -> None:
        if not self.interactive:
            return
        from tqdm import tqdm
        bar = self.bars.get(phase)
        if bar is None:
            unit = {"read": "records", "extract": "papers", "load": "quads"}.get(phase, "items")
            bar = self.bars[phase] = tqdm(total=total, desc=phase, unit=f" {unit}", leave=False, file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()


def report_problems(console: Console, problems) -> None:
    for p in problems:
        if p.severity == "error":
            console.error(str(p))
        elif p.severity == "duplicate":
            console.info(str(p))
        else:
            console.detail(str(p)) if console.quiet else console.info(str(p))


def counted(n: int, noun: str) -> str:
    """'1 paper', '2 papers'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def summary_line(report, store: str, seconds: float, verb: str) -> str:
    ing = report.ingest
    parts = [f"{counted(report.papers, 'paper')} {verb}", f"{ing.rejected:,} rejected"]
    if ing.duplicates:
        parts.append(f"{counted(ing.duplicates, 'duplicate')} merged")
    return (f"read {counted(ing.read, 'record')}: {', '.join(parts)}; {report.quads:,} quads in {store} "
            f"({seconds:.1f} s)")


def missing_inputs(args, console: Console) -> bool:
    """Inputs that do not exist or are not files (a folder, a pipe) are a mistake on the command line (exit 2),
    not rejected records."""
    from .ingest import not_a_file
    wrong = False
    for path in args.inputs:
        problem = "no such file" if not os.path.exists(path) else not_a_file(path)
        if problem:
            console.error(f"kg {args.command}: {path}: {problem}")
            wrong = True
    return wrong


def cmd_build(args, console: Console) -> int:
    from .builder import NothingToBuild, add, build
    if missing_inputs(args, console):
        return EXIT_USAGE
    t = time.perf_counter()
    job = build if args.command == "build" else add
    verb = "built" if args.command == "build" else "added or replaced"
    kwargs = {"workers": args.workers, "progress": console.progress}
    if args.base:
        kwargs["base"] = args.base
    try:
        report = job(args.inputs, args.store, **kwargs)
    except NothingToBuild as nothing:
        report_problems(console, nothing.report.ingest.problems)
        console.error(f"read {counted(nothing.report.ingest.read, 'record')}: 0 papers {verb}, "
                      f"{nothing.report.ingest.rejected:,} rejected; the store was left as it was")
        return EXIT_REJECTED
    report_problems(console, report.ingest.problems)
    for phase, secs in report.seconds.items():
        console.detail(f"  {phase}: {secs:.2f} s")
    console.info(summary_line(report, args.store, time.perf_counter() - t, verb))
    if report.ingest.rejected:
        console.info("rejected records are listed above with file, line and reason; fix them and run "
                     f"`kg add FILE --store {args.store}` to add them")
    return EXIT_OK if report.ok else EXIT_REJECTED


def cmd_load(args, console: Console) -> int:
    from .builder import load
    count = load(args.files, args.store, graph=args.graph, progress=console.progress)
    console.info(f"loaded {len(args.files)} file(s); the store now holds {count:,} quads")
    return EXIT_OK


def cmd_export(args, console: Console) -> int:
    from .formats import EXPORT
    from .store import KGStore
    store = KGStore.open(args.store)
    fmt = EXPORT[args.format]
    if args.output and args.output != "-":
        with open(args.output, "wb") as f:
            store.export(f, fmt)
        console.info(f"wrote {args.format} to {args.output}")
    else:
        store.export(sys.stdout.buffer, fmt)
    return EXIT_OK


def cmd_stats(args, console: Console) -> int:
    import json

    from .stats import store_stats
    from .store import KGStore
    stats = store_stats(KGStore.open(args.store))
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        width = max(map(len, stats))
        for k, v in stats.items():
            print(f"{k:<{width}}  {v:,}")
    return EXIT_OK


def cmd_query(args, console: Console) -> int:
    from .query_cli import run_query
    return run_query(args, console)


def cmd_eval(args, console: Console) -> int:
    from .evaluate import run_eval
    return run_eval(args, console)


def cmd_serve(args, console: Console) -> int:
    from server.run import serve
    return serve(args, console)


def cmd_extract(args, console: Console) -> int:
    from .builder import graph_extraction
    from .ingest import read_inputs
    if missing_inputs(args, console):
        return EXIT_USAGE
    ingest = read_inputs(args.inputs)
    report_problems(console, ingest.problems)
    from pyoxigraph import RdfFormat, serialize
    quads = graph_extraction(ingest.papers, base=args.base or DEFAULT_BASE, workers=args.workers,
                             progress=console.progress)
    out = open(args.output, "wb") if args.output and args.output != "-" else sys.stdout.buffer
    try:
        serialize(sorted(quads, key=str), out, RdfFormat.N_QUADS)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    console.info(f"read {counted(ingest.read, 'record')}: {counted(len(ingest.papers), 'paper')} extracted, "
                 f"{ingest.rejected:,} rejected; {len(quads):,} quads to {args.output or 'stdout'}")
    return EXIT_OK if not ingest.rejected else EXIT_REJECTED


def cmd_fetch(args, console: Console) -> int:
    from .fetch import run_fetch
    return run_fetch(args, console)


def cmd_push(args, console: Console) -> int:
    from .push import run_push
    return run_push(args, console)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors and results")
    common.add_argument("-v", "--verbose", action="store_true", help="print warnings and timings too")

    ap = argparse.ArgumentParser(prog="kg", description="paperkg: a knowledge graph of machine-learning papers",
                                 parents=[common])
    ap.add_argument("--version", action="version", version=f"paperkg {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, text in (("build", "read inputs, extract and (re)create the store"),
                       ("add", "add or update papers in an existing store")):
        p = sub.add_parser(name, parents=[common], help=text, description=text)
        p.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="papers page, JSON Lines or arXiv Atom files (format detected from content)")
        p.add_argument("--store", required=True, metavar="DIR", help="store folder (a link to its current copy)")
        p.add_argument("--base", metavar="IRI", help=f"base of minted IRIs (default {DEFAULT_BASE})")
        p.add_argument("--workers", type=int, default=1, metavar="N", help="extraction processes (default 1)")
        p.set_defaults(func=cmd_build)

    p = sub.add_parser("load", parents=[common], help="import RDF files into the store")
    p.add_argument("files", nargs="+", metavar="FILE", help="Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD "
                                                          "(format from the file name)")
    p.add_argument("--store", required=True, metavar="DIR", help="the store to load into (created when missing)")
    p.add_argument("--graph", metavar="IRI", help="load everything into this named graph")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("export", parents=[common], help="dump the graph (Turtle with prefixes by default)")
    p.add_argument("--store", required=True, metavar="DIR", help="the store to read")
    p.add_argument("--format", default="turtle", choices=["turtle", "trig", "nquads", "ntriples", "jsonld"])
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("query", parents=[common], help="run a SPARQL query or a gallery query")
    p.add_argument("--store", required=True, metavar="DIR", help="the store to query")
    p.add_argument("query", nargs="?", help="SPARQL text, or @FILE.rq")
    p.add_argument("--name", metavar="GALLERY_ID", help="run this gallery query (see `kg query --list`)")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="gallery query parameter")
    p.add_argument("--list", action="store_true", help="list the gallery queries")
    p.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv", "xml", "turtle",
                                                         "ntriples", "jsonld"])
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("stats", parents=[common], help="counts of papers, entities, results, claims, triples")
    p.add_argument("--store", required=True, metavar="DIR", help="the store to count")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("eval", parents=[common], help="score the store against gold annotations (JSON Lines)")
    p.add_argument("--store", required=True, metavar="DIR", help="the store to score")
    p.add_argument("--gold", required=True, metavar="FILE",
                   help="gold annotations, one JSON object per paper (see tests/data/gold/GUIDELINE.md)")
    p.add_argument("--detail", action="store_true", help="list misses and false hits per paper")
    p.add_argument("--json", action="store_true", help="print the scores (and details) as JSON")
    p.add_argument("--min", default="", metavar="CAT=F1,...", help="exit 1 when an F1 is below its bound")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("extract", parents=[common], help="extract to N-Quads without a store (a map step)")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", metavar="FILE", help="N-Quads file (default standard output)")
    p.add_argument("--base", metavar="IRI", help=f"base of minted IRIs (default {DEFAULT_BASE})")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="extraction processes (default 1)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("serve", parents=[common], help="serve the SPARQL endpoint, gallery and pages")
    p.add_argument("--store", required=True, metavar="DIR", help="the store to serve (a rebuild is picked up live)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="longest a query may run (s)")
    p.add_argument("--max-rows", type=int, default=10_000, metavar="N", help="cap on SELECT rows")
    p.add_argument("--max-memory", type=int, default=2048, metavar="MB",
                   help="memory a query may take before it is stopped (default 2048; 0 = no limit)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="query worker processes")
    p.add_argument("--threads", type=int, default=16, metavar="N", help="HTTP threads")
    p.add_argument("--allow-update", action="store_true", help="accept SPARQL Update (loopback only)")
    p.add_argument("--update-token", metavar="TOKEN", help="bearer token required for updates")
    p.add_argument("--cors-origin", default="*", metavar="ORIGIN", help="Access-Control-Allow-Origin ('' = off)")
    p.add_argument("--allow-service", action="store_true", help="let queries call other endpoints (SERVICE)")
    p.add_argument("--queries", metavar="DIR", help="gallery queries folder (default: the bundled one)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("fetch", parents=[common], help="download papers from arXiv or Hugging Face",
                       description="Download papers into a file that kg build reads: arXiv search results as Atom "
                                   "XML, or a day of Hugging Face daily papers as JSON Lines. Requests are paced "
                                   "and retried; the file is written only once the download is complete.")
    fetch_sub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    f = fetch_sub.add_parser("arxiv", parents=[common], help="arXiv API search (Atom)",
                             description="Search the arXiv API and write the matching entries as one Atom feed.")
    f.add_argument("--query", required=True, metavar="Q", help='arXiv search query, e.g. "cat:cs.LG AND ti:transfer"')
    f.add_argument("--max", type=int, default=100, metavar="N", help="papers to fetch at most (default 100)")
    f.add_argument("--page-size", type=int, default=100, metavar="N", help="papers per request (default 100)")
    f.add_argument("--delay", type=float, default=3.0, metavar="S", help="pause between requests (arXiv asks 3 s)")
    f.add_argument("--api-url", default="https://export.arxiv.org/api/query", metavar="URL",
                   help="the API's address (default: %(default)s)")
    f.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per request (default 30 s)")
    f.add_argument("--retries", type=int, default=4, metavar="N", help="retries of a failed request (default 4)")
    f.add_argument("--backoff", type=float, default=1.0, metavar="S", help="wait before the first retry; doubles")
    f.add_argument("-o", "--output", required=True, metavar="FILE", help="Atom XML file ('-' = standard output)")
    f = fetch_sub.add_parser("hf-daily", parents=[common], help="Hugging Face daily papers (JSON Lines)",
                             description="Write one day of Hugging Face daily papers as JSON Lines.")
    f.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day")
    f.add_argument("--api-url", default="https://huggingface.co/api/daily_papers", metavar="URL",
                   help="the API's address (default: %(default)s)")
    f.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per request (default 30 s)")
    f.add_argument("--retries", type=int, default=4, metavar="N", help="retries of a failed request (default 4)")
    f.add_argument("--delay", type=float, default=1.0, metavar="S", help="pause between requests (default 1 s)")
    f.add_argument("--backoff", type=float, default=1.0, metavar="S", help="wait before the first retry; doubles")
    f.add_argument("-o", "--output", required=True, metavar="FILE", help="JSON Lines file ('-' = standard output)")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("push", parents=[common], help="upload every graph to a SPARQL store (Graph Store Protocol)")
    p.add_argument("--store", required=True, metavar="DIR")
    p.add_argument("--endpoint", required=True, metavar="URL", help="Graph Store Protocol URL, e.g. http://host/store")
    p.add_argument("--auth", metavar="USER:PASSWORD or Bearer TOKEN", help="credentials for the remote store")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S")
    p.add_argument("--retries", type=int, default=4, metavar="N")
    p.add_argument("--chunk", type=int, default=50_000, metavar="N", help="triples per request")
    p.add_argument("--backoff", type=float, default=1.0, metavar="S", help="wait before the first retry; doubles")
    p.add_argument("--parallel", type=int, default=4, metavar="N", help="graphs sent at once (default 4)")
    p.set_defaults(func=cmd_push)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(quiet=args.quiet, verbose=args.verbose)
    try:
        return args.func(args, console)
    except StoreError as err:
        console.error(f"kg {args.command}: {err}")
        return EXIT_USAGE
    except (FileNotFoundError, PermissionError, IsADirectoryError) as err:
        console.error(f"kg {args.command}: {err.strerror}: {err.filename}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.error(f"kg {args.command}: interrupted; the store was left as it was before")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
