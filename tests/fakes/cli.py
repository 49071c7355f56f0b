"""Run the `kg` command line inside the test process: the same `kg.cli.main` a user's shell reaches, without the
start-up of a new interpreter for each of the many small fetch and push cases (conftest's `run_kg` runs a
subprocess, and a few tests keep doing that end to end)."""
from __future__ import annotations

import contextlib
import io
import subprocess

from kg.cli import main


def kg(*args) -> subprocess.CompletedProcess:
    argv = [str(a) for a in args]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    out.flush()
    return subprocess.CompletedProcess(["kg", *argv], code, out.buffer.getvalue().decode("utf-8"), err.getvalue())
