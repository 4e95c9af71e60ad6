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

from . import provenance, resources, tables
from .errors import DataError, KgtoolError
from .namespaces import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

_OXIGRAPH_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
                     ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD", ".n3": "N3"}


def parse_file(path: str | Path, graph: "Graph | None" = None) -> "Graph":
    """Parse one RDF file or results table (:mod:`kgtool.tables`) into ``graph`` (a new graph when
    None). A syntax error raises :class:`DataError` naming the file, line and column."""
    from rdflib import Graph
    from rdflib.plugins.parsers.notation3 import BadSyntax
    from rdflib.util import guess_format

    path = Path(path)
    graph = Graph() if graph is None else graph
    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    derived = compiled_ntriples(path)  # a results table, or Turtle with RDF 1.2 annotations
    if derived is not None:
        return graph.parse(data=derived, format="nt")
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


def compiled_file(path: str | Path) -> Path | None:
    """For a file kgtool compiles before any engine reads it, the compiled N-Triples in the user's cache
    (keyed by content): a results table (:mod:`kgtool.tables`), or Turtle that states sourced facts in
    RDF 1.2's annotation syntax, expanded to plain triples and their statements
    (:func:`kgtool.provenance.expand_annotations`). None for any other file, which is read as it is."""
    path = Path(path)
    if tables.is_table(path):
        return tables.ntriples_file(path)
    if path.suffix.lower() != ".ttl" or not path.is_file():
        return None
    data = path.read_bytes()
    if not provenance.has_annotations(data):
        return None
    from .cache import cached_file

    base = path.resolve().as_uri()
    return cached_file("expanded-turtle 1", (data, base.encode()), lambda: _expand(path, data, base))


def _expand(path: Path, data: bytes, base: str) -> bytes:
    try:
        return provenance.expanded_ntriples(data, base)
    except SyntaxError as err:
        message = str(err).split(": ", 1)[-1] if str(err).startswith("Parser error at") else str(err)
        raise DataError(str(path), message, line=err.lineno, column=err.offset) from None
    except ValueError as err:
        raise DataError(str(path), str(err)) from None


def compiled_ntriples(path: str | Path) -> bytes | None:
    """The compiled N-Triples of :func:`compiled_file`, compiled in memory when the cache cannot be written."""
    try:
        compiled = compiled_file(path)
    except OSError:
        if tables.is_table(path):
            return tables.compile_table(path).ntriples()
        data = Path(path).read_bytes()
        return _expand(Path(path), data, Path(path).resolve().as_uri())
    return None if compiled is None else compiled.read_bytes()


def rdf_files(files: Iterable[str | Path]) -> list[Path]:
    """The files as any RDF tool reads them: each results table or annotated Turtle file replaced by its
    compiled N-Triples (:func:`compiled_file`)."""
    return [compiled_file(p) or Path(p) for p in files]


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
    from importlib.metadata import version

    from .cache import cached_file

    for path in files:
        if not Path(path).is_file():
            raise KgtoolError(f"{path}: no such file")

    def closure() -> bytes:
        from rdflib import Graph, Literal

        graph = Graph()
        for path in files:
            parse_file(path, graph)
        add_entailments(graph)
        # OWL-RL rules can derive triples with a literal in subject position; RDF cannot hold them
        for triple in [t for t in graph if isinstance(t[0], Literal)]:
            graph.remove(triple)
        return graph.serialize(format="nt", encoding="utf-8")

    return cached_file(f"closure owlrl-{version('owlrl')} RDFS_OWLRL",
                       [Path(p).read_bytes() for p in files], closure)


def add_entailments(graph: "Graph") -> "Graph":
    """Expand ``graph`` in place with the RDFS + OWL-RL closure (owlrl)."""
    import owlrl  # heavy; only paid for when inference is asked for

    owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def load_store(extra: Iterable[str | Path] = (), *, bundled: bool = True, infer: bool = False) -> "pyoxigraph.Store":
    """The knowledge graph in an in-memory Oxigraph store, the engine that runs queries.

    With ``infer`` the RDFS/OWL-RL closure is computed with rdflib and owlrl, then loaded.
    """
    import pyoxigraph

    extra = [Path(p) for p in extra]
    store = pyoxigraph.Store()
    files = (bundled_files() if bundled else []) + extra
    if infer:
        store.load(path=str(entailed_ntriples(files)), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    for path in files:
        if not path.is_file():
            raise KgtoolError(f"{path}: no such file")
        derived = compiled_ntriples(path)
        if derived is not None:
            store.load(derived, format=pyoxigraph.RdfFormat.N_TRIPLES)
            continue
        fmt = getattr(pyoxigraph.RdfFormat, _OXIGRAPH_FORMATS.get(path.suffix.lower(), "TURTLE"))
        try:
            store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        except SyntaxError as err:
            raise DataError(str(path), str(err)) from None
    return store
