"""Load the bundled files (and any extra ones) into a store.

Two engines, one set of files: queries run on Oxigraph (:func:`load_store`), which is fast and
imports in milliseconds; rdflib (:func:`load_graph`) is the toolkit for SHACL, inference and
serialisation, and the caller chooses its store plugin. rdflib is imported only by the functions
that need it, so that a plain query never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import resources
from .errors import DataError, KgtoolError
from .namespaces import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

_OXIGRAPH_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
                     ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD", ".n3": "N3"}


def parse_file(path: str | Path, graph: "Graph | None" = None) -> "Graph":
    """Parse one RDF file into ``graph`` (a new graph when None). A syntax error raises
    :class:`DataError` naming the file, line and column."""
    from rdflib import Graph
    from rdflib.plugins.parsers.notation3 import BadSyntax
    from rdflib.util import guess_format

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


def bind_prefixes(graph: "Graph") -> "Graph":
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
) -> "Graph":
    """The knowledge graph as an rdflib :class:`~rdflib.Graph`.

    ``extra``: more RDF files to merge in. ``bundled``: include the packaged ontology and data.
    ``infer``: add RDFS and OWL-RL entailments (owlrl), so that a query for ``kg:Model``
    also finds the members of its subclasses (``kg:LanguageModel``...). ``store``: the rdflib store plugin to load into.
    """
    from rdflib import Graph

    graph = bind_prefixes(Graph(store=store))
    files = (bundled_files() if bundled else []) + [Path(p) for p in extra]
    if infer:
        return graph.parse(entailed_ntriples(files), format="nt")
    for path in files:
        parse_file(path, graph)
    return graph


def entailed_ntriples(files: list[Path]) -> Path:
    """The files plus their RDFS/OWL-RL closure, as an N-Triples file in the user's cache.

    owlrl needs tens of seconds for the closure of the bundled graph, so it is computed once per
    distinct set of inputs (keyed by their content) and reused afterwards.
    """
    import hashlib
    import os
    import tempfile

    from importlib.metadata import version

    digest = hashlib.sha256(f"owlrl {version('owlrl')} RDFS_OWLRL".encode())
    for path in files:
        if not Path(path).is_file():
            raise KgtoolError(f"{path}: no such file")
        digest.update(Path(path).read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgtool"
    target = cache / f"closure-{digest.hexdigest()[:32]}.nt"
    if target.is_file():
        return target
    from rdflib import Graph, Literal

    graph = Graph()
    for path in files:
        parse_file(path, graph)
    add_entailments(graph)
    # OWL-RL rules can derive triples with a literal in subject position; RDF cannot hold them
    for triple in [t for t in graph if isinstance(t[0], Literal)]:
        graph.remove(triple)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=cache, suffix=".tmp", delete=False) as tmp:
        tmp.write(graph.serialize(format="nt", encoding="utf-8"))
    os.replace(tmp.name, target)  # atomic: a concurrent reader sees the whole file or none
    return target


def add_entailments(graph: "Graph") -> "Graph":
    """Expand ``graph`` in place with the RDFS + OWL-RL closure (owlrl)."""
    import owlrl  # heavy; only paid for when inference is asked for

    owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def load_store(extra: Iterable[str | Path] = (), *, bundled: bool = True, infer: bool = False) -> "pyoxigraph.Store":
    """The knowledge graph in an Oxigraph store, the engine that runs queries: the bundled graph alone
    from its cached persistent store (read-only), anything else loaded into memory.

    With ``infer`` the RDFS/OWL-RL closure is computed with rdflib and owlrl, then loaded.
    """
    import pyoxigraph

    extra = [Path(p) for p in extra]
    if bundled and not extra and not infer:
        from .persistent import bundled_store

        return bundled_store()
    store = pyoxigraph.Store()
    files = (bundled_files() if bundled else []) + extra
    if infer:
        store.load(path=str(entailed_ntriples(files)), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    for path in files:
        if not path.is_file():
            raise KgtoolError(f"{path}: no such file")
        fmt = getattr(pyoxigraph.RdfFormat, _OXIGRAPH_FORMATS.get(path.suffix.lower(), "TURTLE"))
        try:
            store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        except SyntaxError as err:
            raise DataError(str(path), str(err)) from None
    return store
