"""Validation of the data: SHACL shapes, violation queries, declared terms, statement IRIs.

Nothing here prints: :func:`validate` returns a :class:`ValidationReport` that the CLI renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from . import resources, tables
from .errors import DataError
from .namespaces import BUILTIN_NAMESPACES, KG
from .provenance import statement_iri
from .results import from_oxigraph, to_rdflib
from .store import bind_prefixes, parse_file

SH = Namespace("http://www.w3.org/ns/shacl#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
_DECLARATION_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                      OWL.AnnotationProperty, RDF.Property)


@dataclass(frozen=True)
class Violation:
    """One problem found in the data, in words a curator can act on."""

    check: str                 # the shape or query that found it
    focus: str                 # the resource at fault, as a label or prefixed name
    message: str
    path: str | None = None    # the property involved
    value: str | None = None   # the offending value
    row: str | None = None     # file:line of the results-table row the focus was compiled from

    def __str__(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "") + (f" = {self.value}" if self.value else "")
        return (f"{self.row}: " if self.row else "") + f"{where}: {self.message} [{self.check}]"


@dataclass
class ValidationReport:
    files: list[Path]
    triples: int = 0
    shapes: int = 0
    checks: int = 0
    violations: list[Violation] = field(default_factory=list)
    parse_errors: list[DataError] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.parse_errors

    def summary(self) -> str:
        return (f"{len(self.files)} files, {self.triples} triples, {self.shapes} shapes, "
                f"{self.checks} checks, {len(self.violations)} violations")


def validate(files: Iterable[str | Path] = (), *, bundled: bool | None = None,
             store: str | Path | None = None) -> ValidationReport:
    """Validate the bundled data (the default), the given files, or both (``bundled=True`` with files).
    A results table names models, benchmarks and metrics of the bundled graph, so with a table among the
    files the bundled data is included unless ``bundled=False``.

    With ``store``, the folder of a persistent store (`kgtool load`), validate what it holds instead:
    its triples, less the ontology's, are the data."""
    files = [Path(f) for f in files]
    ontology = bind_prefixes(Graph())
    for path in resources.ontology_files():
        parse_file(path, ontology)
    rows: dict[str, str] = {}  # result IRI -> file:line of its table row
    if store is not None:
        report, data, engine = _store_data(Path(store), ontology, rows)
        return _check(report, data, ontology, rows, engine)
    if bundled is None:
        bundled = not files or any(tables.is_table(f) for f in files)
    data_files = (resources.data_files() if bundled else []) + files
    report = ValidationReport(files=data_files)
    data = bind_prefixes(Graph())
    for path in data_files:
        try:
            if tables.is_table(path):
                compiled = tables.compile_table(path)
                data.parse(data=compiled.ntriples(), format="nt")
                rows.update((iri, f"{path}:{line}") for iri, line in compiled.rows.items())
            else:
                parse_file(path, data)
        except tables.TableError as err:
            report.parse_errors += err.errors
        except DataError as err:
            report.parse_errors.append(err)
    if report.parse_errors:
        return report
    return _check(report, data, ontology, rows)


def _store_data(location: Path, ontology: Graph, rows: dict[str, str]) -> tuple[ValidationReport, Graph, object]:
    """The report, the data graph and the store of a persistent store; ``rows`` gains the table rows."""
    from .persistent import graph_of, open_store, read_record

    store = open_store(location)  # refused when stale
    ontology_files = {path.resolve() for path in resources.ontology_files()}
    files = [Path(entry["path"]) for entry in read_record(location).files if Path(entry["path"]) not in ontology_files]
    for path in files:
        if tables.is_table(path):
            rows.update((iri, f"{path}:{line}") for iri, line in tables.compile_table(path).rows.items())
    data = graph_of(store) - ontology
    return ValidationReport(files=files), bind_prefixes(data), store


def _check(report: ValidationReport, data: Graph, ontology: Graph, rows: dict[str, str], engine=None) -> ValidationReport:
    """Run the shapes, the check queries and the term checks on ``data``; the check queries on
    ``engine`` (an Oxigraph store holding data and ontology) when given."""
    shapes = parse_file(resources.shapes_file())
    whole = data + ontology
    bind_prefixes(whole)
    report.triples = len(data)
    report.shapes = len(set(shapes.subjects(RDF.type, SH.NodeShape)))

    report.violations += _shacl(data, ontology, shapes, whole, rows)
    queries = resources.check_queries()
    report.checks = len(queries) + 2  # + declared terms + statement IRIs
    from_store = engine is not None
    if not from_store:
        engine = _oxigraph_copy(whole)  # the checks are SPARQL; Oxigraph runs them ~50x faster than rdflib
    for query in queries:
        report.violations += _violation_query(query, engine, whole, rows)
    report.violations += _undeclared_terms(data, ontology)
    report.violations += _statement_iris(data, lexical=not from_store)
    return report


def _show(graph: Graph, node: Node | None) -> str:
    """A node as a person reads it: its label and prefixed name, or a literal's value."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return repr(str(node)) if len(str(node)) < 80 else repr(str(node)[:77] + "...")
    name = node.n3(graph.namespace_manager)
    label = graph.value(node, RDFS.label)
    return f"{label} ({name})" if label is not None else name


def _shacl(data: Graph, ontology: Graph, shapes: Graph, whole: Graph, rows: dict[str, str]) -> list[Violation]:
    import pyshacl  # heavy; only validation pays for it

    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                     abort_on_first=False, allow_warnings=False)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage)
        focus, path, value = (results.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.value))
        if path is None and value == focus:
            value = None  # a constraint on the node itself: the focus says it all
        if path is not None and not isinstance(path, URIRef):
            # a complex path (alternatives): name the property that actually holds the value
            path = next(iter(data.predicates(focus, value)), None) if value is not None else None
        found.append(Violation(
            check=_shape_name(shapes, shape),
            focus=_show(whole, focus),
            message=str(message) if message is not None else "does not conform",
            path=_show(whole, path) or None,
            value=_show(whole, value) or None,
            row=rows.get(str(focus)),
        ))
    return sorted(found, key=str)


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """The node shape's name, also for a property shape (a blank node hanging from it)."""
    if shape is not None and not isinstance(shape, URIRef):
        shape = next(iter(shapes.subjects(SH.property, shape)), shape)
    return shape.n3(shapes.namespace_manager) if isinstance(shape, URIRef) else "shape"


def query_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a .rq file."""
    header = {}
    for line in text.splitlines():
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if match:
            header.setdefault(match.group(1), match.group(2).strip())
        elif line.strip() and not line.startswith("#"):
            break
    return header


def _oxigraph_copy(graph: Graph):
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _violation_query(path: Path, store, graph: Graph, rows: dict[str, str]) -> list[Violation]:
    """Each row of a check query is a violation; ``?focus``, ``?property`` and ``?value`` say where."""
    text = path.read_text(encoding="utf-8")
    header = query_header(text)
    message = header.get("message") or header.get("title", path.stem)
    found = []
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        row = {name: None if solution[name] is None else to_rdflib(from_oxigraph(solution[name])) for name in names}
        focus = row.get("focus") or next((v for v in row.values() if v is not None), None)
        found.append(Violation(
            check=path.name, focus=_show(graph, focus), message=message,
            path=_show(graph, row.get("property")) or None, value=_show(graph, row.get("value")) or None,
            row=rows.get(str(focus)),
        ))
    return found


def _undeclared_terms(data: Graph, ontology: Graph) -> list[Violation]:
    declared = {s for t in _DECLARATION_TYPES for s in ontology.subjects(RDF.type, t)}
    used = {("property", p) for p in data.predicates()} | {("class", c) for c in data.objects(None, RDF.type)}
    return [
        Violation(check="declared-terms", focus=term.n3(data.namespace_manager),
                  message=f"{kind} is used in the data but not declared in the ontology")
        for kind, term in sorted(used)
        if isinstance(term, URIRef) and not str(term).startswith(BUILTIN_NAMESPACES) and term not in declared
    ]


def _statement_iris(data: Graph, lexical: bool = True) -> list[Violation]:
    """Statements whose IRI is not the one derived from their triple. Without ``lexical`` (a store,
    where Oxigraph keeps a number's value, not its spelling: 9.0 comes back as 9) a literal's key in
    the IRI may spell the same value differently."""
    found = []
    for statement in data.subjects(RDF.type, URIRef(KG + "Statement")):
        s, p, o = (data.value(statement, t) for t in (RDF.subject, RDF.predicate, RDF.object))
        if None in (s, p, o):
            continue  # the shape reports incomplete statements
        expected = statement_iri(str(s), str(p), str(o), isinstance(o, URIRef))
        if str(statement) != expected and (lexical or not _same_value(str(statement), expected, o)):
            found.append(Violation(check="statement-iris", focus=_show(data, statement),
                                   message=f"a statement's IRI is derived from its triple; expected <{expected}>"))
    return found


def _same_value(iri: str, expected: str, obj: Node) -> bool:
    """Whether ``iri`` differs from ``expected`` only in how its last segment spells the literal ``obj``."""
    head, _, key = iri.rpartition("/")
    if not isinstance(obj, Literal) or obj.datatype is None or head != expected.rpartition("/")[0]:
        return False
    return Literal(key, datatype=obj.datatype).eq(obj)
