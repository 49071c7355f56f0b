"""paperkg: turn machine-learning paper abstracts into a queryable RDF knowledge graph."""
from ._version import __version__

__all__ = ["__version__"]
