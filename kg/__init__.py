"""paperkg: turn machine-learning paper abstracts into a queryable RDF knowledge graph.

The public API (held by tests/test_api.py): open_store, build, add, load, query, gallery, run_gallery_query,
export, read_inputs, extract. See kg/api.py for examples.
"""
from ._version import __version__
from .api import add, build, export, gallery, load, open_store, query, read_inputs, run_gallery_query
from .extract import extract
from .ingest import IngestReport
from .records import Claim, Extraction, Mention, Paper, Problem, Result
from .store import KGStore, StoreError

__all__ = [
    "__version__",
    "open_store", "build", "add", "load", "query", "gallery", "run_gallery_query", "export",
    "read_inputs", "extract",
    "KGStore", "StoreError", "IngestReport",
    "Paper", "Problem", "Extraction", "Mention", "Result", "Claim",
]
