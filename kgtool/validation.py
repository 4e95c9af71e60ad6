"""Validation of the data: SHACL shapes, violation queries, declared terms, statement IRIs.

Nothing here prints: :func:`validate` returns a :class:`ValidationReport` that the CLI renders.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from . import resources, tables
from .errors import DataError, KgtoolError
from .files import write_file
from .namespaces import BUILTIN_NAMESPACES, KG, PREFIXES
from .one_graph import OneGraph
from .provenance import statement_iri
from .queries import header
from .results import from_oxigraph, to_rdflib
from .store import DataFiles, bind_prefixes, data_files, load_store, parse_file

SH = Namespace(PREFIXES["sh"])
OWL = Namespace(PREFIXES["owl"])
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_DECLARATION_TYPES = (
    OWL.Class,
    RDFS.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
)


@dataclass(frozen=True)
class Violation:
    """One problem found in the data, in words a curator can act on."""

    check: str  # the shape or query that found it
    focus: str  # the resource at fault, as a label or prefixed name
    message: str
    path: str | None = None  # the property involved
    value: str | None = None  # the offending value
    row: str | None = None  # file:line of the results-table row the focus was compiled from

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
    saved: bool = False  # read from the cache: the inputs are those of an earlier run, unchanged

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.parse_errors

    def summary(self) -> str:
        """What was checked and found, or, when a file could not be parsed (and nothing was checked), that."""
        if self.parse_errors:
            unreadable = len({error.path for error in self.parse_errors})  # a results table can have several
            return f"{unreadable} of {len(self.files)} files could not be parsed"
        return (
            f"{len(self.files)} files, {self.triples} triples, {self.shapes} shapes, "
            f"{self.checks} checks, {len(self.violations)} violations"
        )


def validate(
    files: Iterable[str | Path] | str | Path = (),
    *,
    bundled: bool | None = None,
    fresh: bool = False,
    store: str | Path | None = None,
    base: str | None = None,
) -> ValidationReport:
    """Validate the bundled data (the default), the given files, or both (``bundled=True`` with files).
    Relative IRIs in the files resolve against ``base``; without it they are errors.
    A results table names models, benchmarks and metrics of the bundled graph, so with a table among the
    files the bundled data is included unless ``bundled=False``.

    The report is kept in the user's cache (:mod:`kgtool.cache`): a second run on the same files, unchanged,
    reads it there instead of running the SHACL engine again (``fresh`` runs every check all the same).

    With ``store``, the folder of a persistent store (`kgtool load`), validate what it holds instead:
    its triples, less the ontology's, are the data."""
    if store is not None:
        return validate_store(store)[0]
    paths = list(data_files(files))  # one file, or several
    if bundled is None:
        bundled = not paths or any(tables.is_table(f) for f in paths)
    inputs = (resources.data_files() if bundled else []) + paths
    stored = _stored_report(inputs, base)
    report = _read_report(stored, inputs) if stored and not fresh else None
    if report is None:
        report = _validate(inputs, alone=not bundled, base=base)
        if stored and not report.parse_errors:
            _write_report(stored, report)
    return report


def _stored_report(data_files: list[Path], base: str | None = None) -> Path | None:
    """Where the cache keeps the report on exactly these inputs: keyed by every file validation reads
    (the path as given, which the report prints, and the content), the base IRI, kgtool's own code and the
    versions of the engines, so that any change validates afresh. None when a file cannot be read:
    validating then reports it."""
    from importlib.metadata import version

    from . import __version__
    from .cache import cache_path

    read = [*resources.ontology_files(), resources.shapes_file(), *resources.check_queries(), *data_files]
    code = sorted(Path(__file__).parent.glob("*.py"))
    try:
        inputs = [path.read_bytes() for path in code]
        inputs += [str(path).encode() + b"\0" + path.read_bytes() for path in read]
    except OSError:
        return None
    if base is not None:
        inputs.append(b"base\0" + base.encode())
    engines = " ".join(f"{name}-{version(name)}" for name in ("pyshacl", "rdflib", "pyoxigraph"))
    return cache_path(f"validation-report 1 kgtool-{__version__} {engines}", inputs, ".json")


def _read_report(stored: Path, data_files: list[Path]) -> ValidationReport | None:
    try:
        saved = json.loads(stored.read_bytes())
        return ValidationReport(
            files=data_files,
            triples=saved["triples"],
            shapes=saved["shapes"],
            checks=saved["checks"],
            violations=[Violation(**v) for v in saved["violations"]],
            saved=True,
        )
    except (OSError, ValueError, KeyError, TypeError):  # not there yet, or not a report: validate afresh
        return None


def _write_report(stored: Path, report: ValidationReport) -> None:
    saved = {
        "triples": report.triples,
        "shapes": report.shapes,
        "checks": report.checks,
        "violations": [asdict(v) for v in report.violations],
    }
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        write_file(stored, json.dumps(saved, ensure_ascii=False).encode("utf-8"))
    except (OSError, KgtoolError):
        pass  # a cache that cannot be written costs the next run time, not its report


def _ontology() -> Graph:
    ontology = bind_prefixes(Graph())
    for path in resources.ontology_files():
        parse_file(path, ontology)
    return ontology


def _validate(data_files: list[Path], alone: bool = False, base: str | None = None) -> ValidationReport:
    """``alone``: the files without the bundled data, whose problems are the files' own: the ontology's
    terms cite papers of the bundled data, which a check of the files alone does not hold."""
    report = ValidationReport(files=data_files)
    ontology = _ontology()
    data = bind_prefixes(OneGraph())
    for path in data_files:
        try:
            parse_file(path, data, base=base)  # a results table as its compiled triples
        except tables.TableError as err:
            report.parse_errors += err.errors
        except DataError as err:
            report.parse_errors.append(err)
    if report.parse_errors:
        return report
    # the checks are SPARQL; Oxigraph runs them ~50x faster than rdflib. It reads the files (the compiled
    # N-Triples of tables and annotated Turtle, cached) itself, faster than a re-serialised rdflib graph
    engine = load_store(DataFiles(tuple(resources.ontology_files() + data_files), base), bundled=False)
    return _check(report, data, ontology, _table_rows(data_files), engine, alone=alone)


def _table_rows(files: list[Path]) -> Callable[[], dict[str, str]]:
    """A function giving, for each result compiled from a table among ``files``, the file:line of its row.
    Only a report with violations asks for it: compiling the tables again costs more than checking them."""

    @functools.cache
    def rows() -> dict[str, str]:
        return {
            iri: f"{path}:{line}"
            for path in files
            if tables.is_table(path)
            for iri, line in tables.compile_table(path).rows.items()
        }

    return rows


def validate_store(location: str | Path) -> tuple[ValidationReport, Graph]:
    """Validate what a persistent store holds (the check queries run on the store itself), and give the
    store's triples as the rdflib graph that was validated, for a caller that needs them too (a release):
    converting the store again would cost as much as half the checks."""
    from .persistent import graph_of, open_store, read_record

    location = Path(location)
    store = open_store(location)  # refused when stale
    ontology = _ontology()
    ontology_files = {path.resolve() for path in resources.ontology_files()}
    files = [Path(entry["path"]) for entry in read_record(location).files if Path(entry["path"]) not in ontology_files]
    data = graph_of(store)
    lacking = [triple for triple in ontology if triple not in data]  # a store loaded without the ontology
    for triple in ontology:  # in place: a graph difference would copy the data (~2 s)
        data.remove(triple)
    # Oxigraph keeps a number's value, not its spelling (9.0 comes back as 9): statement IRIs are compared by value
    report = _check(ValidationReport(files=files), data, ontology, _table_rows(files), store, lexical=False)
    for triple in lacking:  # the checks added the ontology back: what the store holds, no more
        data.remove(triple)
    return report, data


def _check(
    report: ValidationReport,
    data: Graph,
    ontology: Graph,
    rows: Callable[[], dict[str, str]],
    engine,
    lexical: bool = True,
    alone: bool = False,
) -> ValidationReport:
    """Run the shapes, the check queries (on ``engine``, an Oxigraph store of data and ontology) and
    the term checks on ``data``, which gains the ontology's triples. ``alone``: report only what is
    found about the resources the data describes (its subjects), not about the ontology's own terms."""
    report.triples = len(data)
    described = set(data.subjects()) if alone else None
    used = {("property", p) for p in data.predicates(unique=True)} | {
        ("class", c) for c in data.objects(None, RDF.type, unique=True)
    }
    # pyshacl needs the data and the ontology in one graph: once the data's own count and terms are taken,
    # the ontology's few triples are added to it (merging two graphs into a third costs ~1 s more)
    whole = data
    whole.addN((s, p, o, whole) for s, p, o in ontology)
    shapes = parse_file(resources.shapes_file())
    report.shapes = len(set(shapes.subjects(RDF.type, SH.NodeShape)))

    report.violations += _shacl(shapes, whole, rows, described)
    queries = resources.check_queries()
    report.checks = len(queries) + 3  # + declared terms + statement IRIs + literal values
    for query in queries:
        report.violations += _violation_query(query, engine, whole, rows, described)
    report.violations += _undeclared_terms(used, ontology, whole)
    report.violations += _statement_iris(whole, lexical=lexical)
    report.violations += _ill_typed_literals(whole, described)
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


def _shacl(
    shapes: Graph, whole: Graph, rows: Callable[[], dict[str, str]], described: set | None = None
) -> list[Violation]:
    """The shapes' violations, of every focus node or of those in ``described``."""
    import pyshacl  # heavy; only validation pays for it

    # ``whole`` is the data with the ontology mixed in, which pyshacl would build from ``ont_graph`` by
    # cloning the data graph (~10% of its time); with no inference and no rules it only reads the graph
    _, results, _ = pyshacl.validate(
        whole,
        shacl_graph=targeted_property_shapes(shapes),
        inference="none",
        inplace=True,
        abort_on_first=False,
        allow_warnings=False,
    )
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage)
        focus, path, value = (results.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.value))
        if described is not None and focus not in described:
            continue
        if path is None and value == focus:
            value = None  # a constraint on the node itself: the focus says it all
        if path is not None and not isinstance(path, URIRef):
            # a complex path (alternatives): name the property that actually holds the value
            path = next(iter(whole.predicates(focus, value)), None) if value is not None else None
        found.append(
            Violation(
                check=_shape_name(shapes, shape),
                focus=_show(whole, focus),
                message=str(message) if message is not None else "does not conform",
                path=_show(whole, path) or None,
                value=_show(whole, value) or None,
                row=rows().get(str(focus)),
            )
        )
    # two constraints of one shape that a value breaks alike (a datatype and a minimum under one message)
    # are one thing to fix: one line
    return sorted(set(found), key=str)


def targeted_property_shapes(shapes: Graph) -> Graph:
    """The same shapes, with each property shape of a targeted node shape given that node shape's targets
    and validated on its own. SHACL checks a focus node against a node shape by checking it against each of
    its property shapes, so the report is the same (each result names the same property shape); pyshacl,
    though, runs the property shapes hanging from a node shape one focus node at a time, rebuilding their
    constraints for each, which made it ~3x slower on the bundled graph's thousands of results. Node
    shapes that other shapes refer to (sh:node, sh:or...) or that are deactivated are left as they are."""
    from rdflib.collection import Collection

    flat = Graph()
    flat += shapes
    referred = {shape for p in (SH.node, SH["not"], SH.qualifiedValueShape) for shape in shapes.objects(None, p)}
    for p in (SH["or"], SH["and"], SH.xone):
        for members in shapes.objects(None, p):
            referred.update(Collection(shapes, members))
    for node_shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(node_shape, p)]
        if any((node_shape, RDF.type, c) in shapes for c in (RDFS.Class, OWL.Class)):
            targets.append((SH.targetClass, node_shape))  # a shape that is a class targets its instances
        if not targets or node_shape in referred or shapes.value(node_shape, SH.deactivated) is not None:
            continue
        for property_shape in shapes.objects(node_shape, SH.property):
            flat.remove((node_shape, SH.property, property_shape))
            flat.addN((property_shape, p, o, flat) for p, o in targets)
    return flat


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """The node shape's name, also for a property shape (a blank node hanging from it)."""
    if shape is not None and not isinstance(shape, URIRef):
        shape = next(iter(shapes.subjects(SH.property, shape)), shape)
    return shape.n3(shapes.namespace_manager) if isinstance(shape, URIRef) else "shape"


def _violation_query(
    path: Path, store, graph: Graph, rows: Callable[[], dict[str, str]], described: set | None = None
) -> list[Violation]:
    """Each row of a check query is a violation (of those about ``described``, when given); ``?focus``,
    ``?property`` and ``?value`` say where."""
    text = path.read_text(encoding="utf-8")
    fields = dict(reversed(header(text)))  # the first line of each key
    message = fields.get("message") or fields.get("title", path.stem)
    found = []
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        row = {name: None if solution[name] is None else to_rdflib(from_oxigraph(solution[name])) for name in names}
        focus = row.get("focus") or next((v for v in row.values() if v is not None), None)
        if described is not None and focus not in described:
            continue
        found.append(
            Violation(
                check=path.name,
                focus=_show(graph, focus),
                message=message,
                path=_show(graph, row.get("property")) or None,
                value=_show(graph, row.get("value")) or None,
                row=rows().get(str(focus)),
            )
        )
    return found


def _undeclared_terms(used: set[tuple[str, Node]], ontology: Graph, graph: Graph) -> list[Violation]:
    """``used``: ("property", p) and ("class", c) for each property and class the data uses."""
    declared = {s for t in _DECLARATION_TYPES for s in ontology.subjects(RDF.type, t)}
    return [
        Violation(
            check="declared-terms",
            focus=term.n3(graph.namespace_manager),
            message=f"{kind} is used in the data but not declared in the ontology",
        )
        for kind, term in sorted(used)
        if isinstance(term, URIRef) and not str(term).startswith(BUILTIN_NAMESPACES) and term not in declared
    ]


def _ill_typed_literals(graph: Graph, described: set | None = None) -> list[Violation]:
    """Literals whose text is no value of their datatype ("abc"^^xsd:integer, "2023-13-45"^^xsd:date, an
    xsd:int out of its range): rdflib reads each as it parses (``Literal.ill_typed``)."""
    return sorted(
        (
            Violation(
                check="literal-values",
                focus=_show(graph, s),
                message=f"the text is not a value of its datatype, {_show(graph, o.datatype)}",
                path=_show(graph, p),
                value=repr(str(o)),
            )
            for s, p, o in graph
            if isinstance(o, Literal) and o.ill_typed and (described is None or s in described)
        ),
        key=str,
    )


def _statement_iris(data: Graph, lexical: bool = True) -> list[Violation]:
    """Statements whose IRI is not the one derived from their triple. Without ``lexical`` (a store,
    where Oxigraph keeps a number's value, not its spelling: 9.0 comes back as 9) a literal's key in
    the IRI may spell the same value differently."""
    found = []
    for statement in data.subjects(RDF.type, URIRef(KG + "Statement")):
        s, p, o = (data.value(statement, t) for t in (RDF.subject, RDF.predicate, RDF.object))
        if s is None or p is None or o is None:
            continue  # the shape reports incomplete statements
        expected = statement_iri(str(s), str(p), str(o), isinstance(o, URIRef))
        if str(statement) != expected and (lexical or not _same_value(str(statement), expected, o)):
            found.append(
                Violation(
                    check="statement-iris",
                    focus=_show(data, statement),
                    message=f"a statement's IRI is derived from its triple; expected <{expected}>",
                )
            )
    return found


def _same_value(iri: str, expected: str, obj: Node) -> bool:
    """Whether ``iri`` differs from ``expected`` only in how its last segment spells the literal ``obj``."""
    head, _, key = iri.rpartition("/")
    if not isinstance(obj, Literal) or obj.datatype is None or head != expected.rpartition("/")[0]:
        return False
    return Literal(key, datatype=obj.datatype).eq(obj)
