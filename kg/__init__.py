"""paperkg: turn machine-learning paper abstracts into a queryable RDF knowledge graph.

The public API (held by tests/test_api.py): open_store, build, add, load, query, gallery, run_gallery_query,
export, read_inputs, extract. See kg/api.py for examples. Names are imported on first use, so that commands
which do not extract (`kg --help`, `kg query`, `kg fetch`) do not pay for loading spaCy.
"""
from importlib import import_module

from ._version import __version__

_HOMES = {
    "open_store": "api", "build": "api", "add": "api", "load": "api", "query": "api", "gallery": "api",
    "run_gallery_query": "api", "export": "api", "read_inputs": "ingest", "IngestReport": "ingest",
    "extract": "extraction", "KGStore": "store", "StoreError": "store",
    "Paper": "records", "Problem": "records", "Extraction": "records", "Mention": "records", "Result": "records",
    "Claim": "records",
}

__all__ = [
    "__version__",
    "open_store", "build", "add", "load", "query", "gallery", "run_gallery_query", "export",
    "read_inputs", "extract",
    "KGStore", "StoreError", "IngestReport",
    "Paper", "Problem", "Extraction", "Mention", "Result", "Claim",
]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
