"""Where the project's data folders are: beside the package in a checkout, under share/paperkg once installed."""
from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def project_folder(name: str) -> Path:
    """ontology/ or queries/: the checkout's folder when running from one, else the installed copy."""
    candidates = [PACKAGE.parent / name, Path(sys.prefix) / "share" / "paperkg" / name,
                  Path(sysconfig.get_path("data")) / "share" / "paperkg" / name]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise FileNotFoundError(f"cannot find the {name}/ folder of paperkg (looked in {', '.join(map(str, candidates))})")


def ontology_file() -> Path:
    return project_folder("ontology") / "paperkg.ttl"


def shapes_file() -> Path:
    return project_folder("ontology") / "shapes.ttl"


def queries_folder() -> Path:
    return project_folder("queries")


def sample_corpus() -> Path:
    return PACKAGE / "samples" / "seed-hf-papers.txt"
