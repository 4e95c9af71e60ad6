"""Load the bundled files (and any extra ones) into a graph.

rdflib is the toolkit for SHACL, inference and serialisation; the caller chooses the rdflib store
(in-memory by default, or any other store plugin, e.g. a persistent one).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.util import guess_format

from . import resources
from .errors import DataError, KgtoolError
from .namespaces import PREFIXES


def parse_file(path: str | Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new graph when None). A syntax error raises
    :class:`DataError` naming the file, line and column."""
    path = Path(path)
    graph = Graph() if graph is None else graph
    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    fmt = guess_format(str(path)) or "turtle"
    try:
        graph.parse(path, format=fmt)
    except BadSyntax as err:
        text = err._str.decode("utf-8", errors="replace")
        column = err._i - (text.rfind("\n", 0, err._i) + 1) + 1
        raise DataError(str(path), err._why, line=err.lines + 1, column=column) from None
    except (SyntaxError, ValueError) as err:  # other parsers (RDF/XML, JSON-LD, N-Triples)
        raise DataError(str(path), str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__) from None
    return graph


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph


def bundled_files(ontology: bool = True, data: bool = True) -> list[Path]:
    files: list[Path] = []
    if ontology:
        files += resources.ontology_files()
    if data:
        files += resources.data_files()
    return files


def load_graph(
    extra: Iterable[str | Path] = (),
    *,
    bundled: bool = True,
    infer: bool = False,
    store: str = "default",
) -> Graph:
    """The knowledge graph as an rdflib :class:`~rdflib.Graph`.

    ``extra``: more RDF files to merge in. ``bundled``: include the packaged ontology and data.
    ``infer``: add RDFS and OWL-RL entailments (owlrl), so that a query for ``kg:LanguageModel``
    also finds members of its subclasses. ``store``: the rdflib store plugin to load into.
    """
    graph = bind_prefixes(Graph(store=store))
    files = (bundled_files() if bundled else []) + [Path(p) for p in extra]
    for path in files:
        parse_file(path, graph)
    if infer:
        add_entailments(graph)
    return graph


def add_entailments(graph: Graph) -> Graph:
    """Expand ``graph`` in place with the RDFS + OWL-RL closure (owlrl)."""
    import owlrl  # heavy; only paid for when inference is asked for

    owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph
