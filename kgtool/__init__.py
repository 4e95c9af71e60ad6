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

import functools
import os
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


# the list argument (the first) of the functions that take a list of files or models: a single one
# is taken as a list of one, not as a string of one-letter names (engine_for does so for run_query)
_LIST_ARGUMENTS = {"load_graph": "extra", "load_store": "extra", "validate": "files", "compare": "models"}


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        if name in _LIST_ARGUMENTS:
            value = globals()[name] = _taking_one(value, _LIST_ARGUMENTS[name])  # wrapped once
        return value
    raise AttributeError(f"module 'kgtool' has no attribute {name!r}")


def _taking_one(function, argument: str):
    """``function``, which also takes a single str or path for its first argument, ``argument``."""

    def one_as_list(value):
        return [value] if isinstance(value, (str, os.PathLike)) else value

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if args:
            args = (one_as_list(args[0]), *args[1:])
        if argument in kwargs:
            kwargs[argument] = one_as_list(kwargs[argument])
        return function(*args, **kwargs)

    return wrapper


def __dir__() -> list[str]:
    # the lazily loaded API is part of the module for dir(), help() and completion in notebooks
    return sorted(set(globals()) | set(__all__))
