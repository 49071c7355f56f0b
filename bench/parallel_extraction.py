#!/usr/bin/env python3
"""Build throughput with 1 and 2 extraction workers on a generated corpus of at least 20,000 abstracts.

The corpus is the bundled sample, repeated: copy k of a paper has its sentences rotated by k and its title
numbered, so no two texts are equal. It is written as JSON Lines and built with kg.builder.build exactly as
`kg build FILE --store DIR --workers N` would, once per worker count, each in a fresh Python process (so no run
inherits a loaded pipeline or warm caches from another) and into a fresh store. Printed: abstracts/s for each run,
the seconds of each phase (read, extract, map, load; extract includes starting the workers and loading the
pipeline), the speed-up of 2 workers over 1, and whether the two stores hold byte-identical sorted N-Quads.

    python bench/parallel_extraction.py [--papers 20000] [--workers 1,2] [--repeat 1] [--keep DIR]

With --repeat R the worker counts take turns R times and the fastest run of each is kept (a shared machine's
other work then costs less). The N-Quads check assumes the code does not change while the benchmark runs.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyoxigraph import RdfFormat  # noqa: E402

from kg.builder import build  # noqa: E402
from kg.ingest import read_inputs  # noqa: E402
from kg.paths import sample_corpus  # noqa: E402
from kg.store import KGStore  # noqa: E402

PHASES = ("read", "extract", "map", "load")


def generate(count: int, path: Path) -> float:
    """Write `count` varied abstracts as JSON Lines; returns the average number of words per abstract."""
    base = read_inputs([sample_corpus()]).papers
    words = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            p = base[i % len(base)]
            copy = i // len(base)
            sentences = p.abstract.split(". ")
            k = copy % max(1, len(sentences))
            abstract = ". ".join(sentences[k:] + sentences[:k])
            title = p.title if copy == 0 else f"{p.title} ({copy + 1})"
            words += len(abstract.split())
            f.write(json.dumps({"title": title, "abstract": abstract}) + "\n")
    return words / count


def digest(store: Path) -> str:
    out = io.BytesIO()
    KGStore.open(store).export(out, RdfFormat.N_QUADS)
    return hashlib.sha256(b"\n".join(sorted(out.getvalue().splitlines()))).hexdigest()


def run_one(workers: int, corpus: str, store: str) -> None:
    """One build in this (fresh) process; prints its report as a JSON line."""
    t = time.perf_counter()
    report = build([corpus], store, workers=workers)
    total = time.perf_counter() - t
    cpu = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(json.dumps({"papers": report.papers, "quads": report.quads, "seconds": report.seconds, "total": total,
                      "cpu": cpu}))


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        return run_one(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=20_000, help="abstracts to generate (default 20,000)")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per worker count; the fastest is kept")
    ap.add_argument("--keep", metavar="DIR", help="keep the corpus and the stores in DIR")
    ap.add_argument("--no-check", action="store_true", help="skip comparing the stores' N-Quads")
    args = ap.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        corpus = folder / "corpus.jsonl"
        words = generate(args.papers, corpus)
        print(f"corpus: {args.papers:,} abstracts generated from the sample ({words:.0f} words each on average), "
              f"{corpus.stat().st_size / 2**20:.1f} MB; {os.cpu_count()} CPU cores")
        idle = os.getloadavg()[0]
        if idle > 0.5:
            print(f"warning: the machine is busy (load average {idle:.1f} before starting); the figures will be low "
                  "and the speed-up of more workers understated")
        results: dict[int, dict] = {}
        for _ in range(max(1, args.repeat)):
            for n in counts:
                store = folder / f"store-{n}"
                proc = subprocess.run([sys.executable, __file__, "--one", str(n), str(corpus), str(store)],
                                      capture_output=True, text=True, check=True)
                run = json.loads(proc.stdout.splitlines()[-1])
                if n not in results or run["total"] < results[n]["total"]:
                    results[n] = run
        for n in counts:
            run = results[n]
            phases = "  ".join(f"{p} {run['seconds'].get(p, 0):6.1f} s" for p in PHASES)
            print(f"workers={n}: {run['papers']:,} papers, {run['quads']:,} quads in {run['total']:6.1f} s = "
                  f"{run['papers'] / run['total']:5.0f} abstracts/s   [{phases}]   extraction alone: "
                  f"{run['papers'] / run['seconds']['extract']:5.0f} abstracts/s   (CPU {run['cpu']:.0f} s = "
                  f"{run['cpu'] / run['total']:.1f} cores busy)", flush=True)
        if 1 in results:
            for n in counts:
                if n != 1:
                    speed = results[1]["total"] / results[n]["total"]
                    extract = results[1]["seconds"]["extract"] / results[n]["seconds"]["extract"]
                    print(f"speed-up of {n} workers over 1: {speed:.2f}x overall, {extract:.2f}x for extraction")
        if not args.no_check and len(results) > 1:
            digests = {n: digest(folder / f"store-{n}") for n in results}
            same = len(set(digests.values())) == 1
            print(f"sorted N-Quads of the stores: {'identical' if same else 'DIFFERENT'} "
                  f"(sha256 {next(iter(digests.values()))[:16]}…)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
