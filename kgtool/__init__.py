"""kgtool: a knowledge graph of landmark language and vision-language models.

    >>> import kgtool
    >>> g = kgtool.load_graph()                  # ontology + curated data, as an rdflib graph
    >>> report = kgtool.validate()               # SHACL, violation queries, declared terms
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DataError, KgtoolError
from .store import load_graph
from .validate import ValidationReport, validate

__all__ = ["__version__", "load_graph", "validate", "ValidationReport", "KgtoolError", "DataError"]
