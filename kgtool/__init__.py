"""kgtool: a knowledge graph of landmark language and vision-language models.

    >>> import kgtool
    >>> g = kgtool.load_graph()                       # ontology + curated data, as an rdflib graph
    >>> result = kgtool.run_query("models-by-organization", params={"org": "OpenAI"})
    >>> report = kgtool.validate()                    # SHACL, violation queries, declared terms
    >>> table = kgtool.compare(["LLaMA", "GPT-3"])     # models side by side, every value sourced
    >>> kgtool.chart("leaderboard", "CoQA", output="coqa.svg")  # a chart (altair); .html .svg .png

The API is imported lazily so that ``kgtool --help`` and a plain query load only what they use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "load_graph": "store",
    "load_store": "store",
    "run_query": "sparql",
    "QueryResult": "results",
    "Term": "results",
    "compare": "comparison",
    "Comparison": "comparison",
    "chart": "charts",
    "validate": "validation",
    "ValidationReport": "validation",
    "KgtoolError": "errors",
    "DataError": "errors",
    "QueryError": "errors",
    "EndpointError": "errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    # "name as name" marks a name as re-exported, for type checkers and linters
    from .charts import chart as chart
    from .comparison import Comparison as Comparison
    from .comparison import compare as compare
    from .errors import DataError as DataError
    from .errors import EndpointError as EndpointError
    from .errors import KgtoolError as KgtoolError
    from .errors import QueryError as QueryError
    from .results import QueryResult as QueryResult
    from .results import Term as Term
    from .sparql import run_query as run_query
    from .store import load_graph as load_graph
    from .store import load_store as load_store
    from .validation import ValidationReport as ValidationReport
    from .validation import validate as validate


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'kgtool' has no attribute {name!r}")


def __dir__() -> list[str]:
    # the lazily loaded API is part of the module for dir(), help() and completion in notebooks; the
    # names this file uses to load it (import_module, TYPE_CHECKING...) are not
    loaded = {name for name, value in globals().items() if getattr(value, "__name__", "").startswith(f"{__name__}.")}
    return sorted({name for name in globals() if name.startswith("__")} | set(__all__) | loaded)
