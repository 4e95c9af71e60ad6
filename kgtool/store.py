"""Load the bundled files (and any extra ones) into a store.

Two engines, one set of files: queries run on Oxigraph (:func:`load_store`), which is fast and
imports in milliseconds; rdflib (:func:`load_graph`) is the toolkit for SHACL, inference and
serialisation, and the caller chooses its store plugin. rdflib is imported only by the functions
that need it, so that a plain query never pays for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import provenance, resources, tables
from .errors import DataError, KgtoolError
from .namespaces import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph
    from rdflib.store import Store

_OXIGRAPH_FORMATS = {
    ".ttl": "TURTLE",
    ".nt": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".trig": "TRIG",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
    ".jsonld": "JSON_LD",
    ".n3": "N3",
}


# Relative IRIs resolve against the base the user states (--base), never against the file's own path.
# Without one, the parsers resolve them against this marker, and a parsed IRI under it is refused.
_NO_BASE = "http://relative-iri.kgtool.invalid/"
_RELATIVE = "holds the relative IRI <{}> and no base IRI was given: resolve it in the file (@base) or give --base IRI"
# parsed by Oxigraph, whose parsers are linear in the line length (rdflib's N-Triples parser is quadratic)
_OXIGRAPH_PARSED = {"nt": "N_TRIPLES", "nquads": "N_QUADS", "json-ld": "JSON_LD"}
# the formats rdflib reads whose syntax errors Oxigraph's parser places more precisely (parse_file)
_SYNTAX_CHECKED = {"turtle": "TURTLE", "trig": "TRIG"}
_OXIGRAPH_POSITION = re.compile(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ")

# RDF/XML (and TriX, which rdflib reads with the same XML parser), by the suffixes the engines go by
_XML_SUFFIXES = {".rdf", ".owl", ".xml", ".trix"}
# An entity of the DOCTYPE may refer to others, so that a file of a few lines expands to gigabytes (the "billion
# laughs"): Oxigraph's parser expands it without limit, and rdflib's slows down with the square of its length.
# Ontology editors declare entities as abbreviations of IRIs (<!ENTITY owl "http://www.w3.org/2002/07/owl#">), far
# below these limits: the text of one entity, and what the references of a file add up to (beyond ten times its
# size). The declarations are read from the text rather than by expat, whose limit (a hundredfold past 8 MiB) is
# far above these, and which reads some declarations differently from Oxigraph (check_xml_entities).
_ENTITY_LIMIT = 64 * 1024
_ENTITY_FACTOR = 10
_ENTITY_MARKERS = tuple("<!ENTITY".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
# a declaration: "%" for a parameter entity, the name, then the value in either quotes or where it is read from
_ENTITY = re.compile(
    r"""<!ENTITY\s+(%\s*)?([^\s"'%>]+)\s*(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\s*("[^"]*"|'[^']*')?)"""
)
# the encodings told by a file's first bytes: UTF-16, which expat (rdflib's parser) reads too, or else UTF-8
_UTF16 = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"<\0", "utf-16-le"), (b"\0<", "utf-16-be"))
_REFERENCE = re.compile(r"&([^\s&;<>\"'#]+);")
_AMPERSAND = re.compile(r"&#(?:0*38|[xX]0*26);")  # in an entity's value, a reference once its text is read again
_ENTITY_REFUSED = "RDF/XML entities that expand this much are refused"
_RDFLIB_POSITION = re.compile(r":(\d+):(\d+): (.*)$", re.S)


@dataclass(frozen=True)
class DataFiles:
    """Extra RDF files (--data) and how to read them. ``base``: the IRI their relative IRIs resolve
    against (without it a relative IRI is an error). ``remote_context``: a JSON-LD file may load a
    ``@context`` from a URL or a file (off by default: reading data never fetches or reads anything else)."""

    paths: tuple[Path, ...] = ()
    base: str | None = None
    remote_context: bool = False

    def __iter__(self):
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def data_files(extra: Iterable[str | Path] | str | os.PathLike[str] | DataFiles) -> DataFiles:
    """The files to read: a :class:`DataFiles` as it is, one file (not a string of one-letter names), or
    any iterable of them, read once."""
    if isinstance(extra, DataFiles):
        return extra
    return DataFiles((Path(extra),) if isinstance(extra, (str, os.PathLike)) else tuple(Path(p) for p in extra))


def parse_file(
    path: str | Path, graph: Graph | None = None, *, base: str | None = None, remote_context: bool = False
) -> Graph:
    """Parse one RDF file or results table (:mod:`kgtool.tables`) into ``graph`` (a new graph when
    None). A syntax error raises :class:`DataError` naming the file, line and column. ``base`` and
    ``remote_context``: see :class:`DataFiles`."""
    from xml.sax import SAXParseException

    from rdflib import Graph, URIRef
    from rdflib.exceptions import ParserError
    from rdflib.plugins.parsers.notation3 import BadSyntax
    from rdflib.util import guess_format

    path = Path(path)
    graph = Graph() if graph is None else graph
    quads = oxigraph_parsed(path, base=base, remote_context=remote_context)
    if quads is not None:
        return add_oxigraph_triples(graph, quads)
    fmt = guess_format(str(path)) or "turtle"
    # parsed into a graph of its own when ``graph`` already holds triples, so that the check for
    # relative IRIs below reads this file's nodes, not every node parsed before it (asked of its first
    # triple: a store without contexts counts by walking them all)
    into, graph = graph, (graph if next(iter(graph), None) is None else Graph())
    try:
        graph.parse(path, format=fmt, publicID=base or _NO_BASE)
    except BadSyntax as err:
        # rdflib names where the production it failed began ("objectList expected" at the space after a
        # predicate); Oxigraph's parser, where the text goes wrong, and what it expected there
        if fmt in _SYNTAX_CHECKED:
            try:
                for _ in oxigraph_quads(path, _SYNTAX_CHECKED[fmt], base):
                    pass
            except DataError as precise:
                if precise.line is not None:
                    raise precise from err
        # the arguments rdflib built the error with: document, line (from 0), text, offset in the text, reason
        _document, line, text, offset, why = err.args
        column = offset - text.rfind("\n", 0, offset)
        raise DataError(str(path), why, line=line + 1, column=column) from err
    except RecursionError as err:
        raise DataError(str(path), "lists or [ ] nested too deep for the parser") from err
    except SAXParseException as err:  # RDF/XML that is not well-formed XML (expat counts columns from 0)
        line, column = err.getLineNumber(), err.getColumnNumber()
        raise DataError(str(path), err.getMessage(), line=line, column=None if column is None else column + 1) from err
    except ParserError as err:  # RDF/XML that is XML but not RDF: rdflib puts "document:line:column: " first
        where = _RDFLIB_POSITION.search(str(err))
        if where is None:
            raise DataError(str(path), str(err).strip().splitlines()[0]) from err
        line, column, why = where.groups()
        raise DataError(str(path), why, line=int(line), column=int(column) + 1) from err
    except (SyntaxError, ValueError) as err:  # other parsers (RDF/XML, JSON-LD)
        raise DataError(
            str(path), str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        ) from err
    relative = next((str(t) for t in graph.all_nodes() if isinstance(t, URIRef) and t.startswith(_NO_BASE)), None)
    if relative is None:
        relative = next((str(p) for p in graph.predicates(unique=True) if str(p).startswith(_NO_BASE)), None)
    if relative is not None:
        raise DataError(str(path), _RELATIVE.format(relative[len(_NO_BASE) :]))
    if into is not graph:
        into.addN((s, p, o, into) for s, p, o in graph)
        for prefix, namespace in graph.namespaces():
            into.bind(prefix, namespace, override=False)
    return into


def oxigraph_parsed(
    path: Path, *, base: str | None = None, remote_context: bool = False
) -> Iterator[pyoxigraph.Quad] | None:
    """The quads of the file when kgtool reads it with Oxigraph: N-Triples, N-Quads, JSON-LD without a
    remote context, and every file it compiles first (a results table, Turtle with RDF 1.2 annotations).
    None for the other formats, which rdflib reads (:func:`parse_file`)."""
    from rdflib.util import guess_format

    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    derived = compiled_ntriples(path, base)
    fmt = "nt" if derived is not None else guess_format(str(path)) or "turtle"
    if fmt in _OXIGRAPH_PARSED and not (fmt == "json-ld" and remote_context):
        return oxigraph_quads(path, _OXIGRAPH_PARSED[fmt], base, data=derived)
    return None


def oxigraph_quads(
    path: Path, fmt: str, base: str | None = None, data: bytes | None = None
) -> Iterator[pyoxigraph.Quad]:
    """The quads of an RDF file (or of ``data``, what it compiles to) in an Oxigraph format (a name of
    ``pyoxigraph.RdfFormat``), parsed by Oxigraph: blank nodes renamed apart from other files', relative
    IRIs resolved against ``base`` or refused, a JSON-LD context never loaded from elsewhere. Errors are
    :class:`DataError` with the line and column."""
    import pyoxigraph as ox

    # N-Triples and N-Quads admit absolute IRIs only, which Oxigraph's parser enforces itself: only the
    # other formats can resolve an IRI against the placeholder base, and only their terms need looking at
    # (a fifth of the time of reading the bundled tables)
    resolves = fmt not in ("N_TRIPLES", "N_QUADS")
    try:
        source = {"path": str(path)} if data is None else {"input": data}
        for quad in ox.parse(
            **source, format=getattr(ox.RdfFormat, fmt), base_iri=base or _NO_BASE, rename_blank_nodes=True
        ):
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name) if resolves else ():
                if isinstance(term, ox.NamedNode) and term.value.startswith(_NO_BASE):
                    raise DataError(str(path), _RELATIVE.format(term.value[len(_NO_BASE) :]))
            yield quad
    except SyntaxError as err:
        raise data_error(path, err, data) from err
    except MemoryError as err:  # Oxigraph's parsers hold a token of at most 16 MB
        raise DataError(str(path), f"a literal or IRI is too long to parse ({err})") from err


def data_error(path: Path, err: SyntaxError, data: bytes | None = None) -> DataError:
    """Oxigraph's syntax error in the file at ``path`` (or in ``data``, what it compiles to) as the
    project's one-line error with the line and column."""
    message = _OXIGRAPH_POSITION.sub("", err.msg)
    if (err.lineno, err.offset) == (1, 1) and _starts_with_a_byte_order_mark(path, data):
        message = "it starts with a byte order mark (U+FEFF), which RDF syntaxes do not allow: save it without one"
    elif "LoadDocumentCallback" in message:
        message = (
            "its JSON-LD @context is not inline (a URL or a file), and kgtool does not load "
            "one unless asked: embed the context, or pass --allow-remote-context"
        )
    elif message.startswith("No scheme found in an absolute IRI"):  # Oxigraph read an IRI with no base
        message = "holds a relative IRI and no base IRI was given: resolve it in the file (@base) or give --base IRI"
    return DataError(str(path), message, line=err.lineno, column=err.offset)


def _starts_with_a_byte_order_mark(path: Path, data: bytes | None) -> bool:
    if data is None:
        with open(path, "rb") as file:
            data = file.read(3)
    return data.startswith(b"\xef\xbb\xbf")


def rdflib_converter():
    """A function from Oxigraph terms to rdflib terms, through :mod:`kgtool.results`' one conversion, that
    converts each distinct term once (graphs repeat their predicates, types and labels; a plain string
    stays without a datatype, as rdflib reads it)."""
    from .results import from_oxigraph, to_rdflib

    converted: dict = {}

    def convert(term):
        found = converted.get(term)
        if found is None:
            found = converted[term] = to_rdflib(from_oxigraph(term))
        return found

    return convert


def add_oxigraph_triples(graph: Graph, triples: Iterable) -> Graph:
    """Add Oxigraph triples (or quads, their graph name left aside) to the rdflib ``graph``, each distinct
    term converted once (:func:`rdflib_converter`)."""
    term = rdflib_converter()
    # straight to the store: Graph.addN checks each term's type again, ~15% of the cost
    graph.store.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in triples)
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


def compiled_file(path: str | Path, base: str | None = None) -> Path | None:
    """For a file kgtool compiles before any engine reads it, the compiled N-Triples in the user's cache
    (keyed by content): a results table (:mod:`kgtool.tables`), or Turtle that states sourced facts in
    RDF 1.2's annotation syntax, expanded to plain triples and their statements
    (:func:`kgtool.provenance.expand_annotations`), its relative IRIs resolved against ``base`` or refused.
    None for any other file, which is read as it is, once an RDF/XML file has passed
    :func:`check_xml_entities`."""
    path = Path(path)
    if tables.is_table(path):
        return tables.ntriples_file(path)
    if path.suffix.lower() in _XML_SUFFIXES:
        # every reader asks this first (load_store, parse_file, kgtool load): the check comes before any parser
        check_xml_entities(path)
        return None
    if path.suffix.lower() != ".ttl" or not path.is_file():
        return None
    data = path.read_bytes()
    if not provenance.has_annotations(data):
        return None
    from .cache import cached_file

    base = base or _NO_BASE
    code = Path(provenance.__file__).read_bytes()  # the expansion's own code: no stale file after a change
    return cached_file("expanded-turtle 1", (code, data, base.encode()), lambda: _expand(path, data, base))


def check_xml_entities(path: str | Path, data: bytes | None = None) -> None:
    """Refuse an XML file (or ``data``, an answer named ``path``) whose DOCTYPE declares entities that expand
    too far (:data:`_ENTITY_LIMIT`), an external entity (which no parser is let read) or a parameter entity,
    before any parser reads it.

    The declarations are read from the text, not by an XML parser: Oxigraph and expat read them differently
    (of two declarations of a name, Oxigraph keeps the last and expat the first; after an undeclared
    parameter entity, expat ignores the declarations that Oxigraph reads), so every declaration counts, at its
    largest. A declaration inside a comment counts too, which only errs on the side of refusing."""
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return  # the parser reports it
    if not any(marker in data for marker in _ENTITY_MARKERS):
        return
    encoding = next((encoding for start, encoding in _UTF16 if data.startswith(start)), "utf-8-sig")
    text = data.decode(encoding, "replace")
    values: dict[str, list[str]] = {}
    declared: dict[str, int] = {}  # where each name is first declared
    end = 0
    for match in _ENTITY.finditer(text):
        parameter, name, double, single, external, system = match.groups()
        if parameter is not None or external is not None:
            what = f"parameter entity %{name};" if parameter is not None else f"external entity &{name};"
            if external is not None and system is not None:
                what += f" ({external} {system})"
            line, column = _position(text, match.start())
            raise DataError(str(path), f"declares the {what}, which kgtool does not read", line=line, column=column)
        values.setdefault(name, []).append(_AMPERSAND.sub("&", double if double is not None else single))
        declared.setdefault(name, match.start())
        end = match.end()
    sizes = _expanded_sizes(values)
    for name, offset in declared.items():
        if sizes[name] > _ENTITY_LIMIT:
            line, column = _position(text, offset)
            message = f"the entity &{name}; expands to more than {_ENTITY_LIMIT:,} characters; {_ENTITY_REFUSED}"
            raise DataError(str(path), message, line=line, column=column)
    # the references after the declarations (in the content and the attribute values)
    bound, total = _ENTITY_LIMIT + _ENTITY_FACTOR * len(data), 0
    for match in _REFERENCE.finditer(text, end):
        total += sizes.get(match.group(1), 0)
        if total > bound:
            line, column = _position(text, match.start())
            message = (
                f"its entity references expand to more than {bound:,} characters, over ten times the file's size; "
                + _ENTITY_REFUSED
            )
            raise DataError(str(path), message, line=line, column=column)


def _expanded_sizes(values: dict[str, list[str]]) -> dict[str, int]:
    """The length of each entity's text with its references expanded (the longest of its declarations), at
    most ``_ENTITY_LIMIT + 1``; an entity that refers to itself never ends, and counts as that."""
    over = _ENTITY_LIMIT + 1
    refers = {name: [_REFERENCE.findall(value) for value in texts] for name, texts in values.items()}
    sizes: dict[str, int] = {}
    visiting: set[str] = set()
    for root in values:
        stack = [root]  # depth first without recursion: a chain of entities may be longer than Python's stack
        while stack:
            name = stack[-1]
            if name in sizes:
                stack.pop()
                continue
            if name not in visiting:
                visiting.add(name)
                pending = {r for names in refers[name] for r in names if r in values and r not in sizes}
                if pending & visiting:
                    sizes[name] = over
                    visiting.discard(name)
                else:
                    stack.extend(pending)
                continue
            visiting.discard(name)
            stack.pop()
            sizes[name] = min(
                over,
                max(
                    len(value) + sum(sizes.get(r, over) - len(r) - 2 for r in names if r in values)
                    for value, names in zip(values[name], refers[name], strict=True)
                ),
            )
    return sizes


def _position(text: str, offset: int) -> tuple[int, int]:
    """The line and column (from 1) of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _expand(path: Path, data: bytes, base: str) -> bytes:
    try:
        expanded = provenance.expanded_ntriples(data, base)
    except SyntaxError as err:
        raise data_error(path, err, data) from err
    except ValueError as err:
        raise DataError(str(path), str(err)) from err
    marker = b"<" + _NO_BASE.encode()
    if marker in expanded:  # an IRI of the file was relative, and no base was given
        start = expanded.index(marker) + len(marker)
        relative = expanded[start : expanded.index(b">", start)].decode()
        raise DataError(str(path), _RELATIVE.format(relative))
    return expanded


def compiled_ntriples(path: str | Path, base: str | None = None) -> bytes | None:
    """The compiled N-Triples of :func:`compiled_file`, compiled in memory when the cache cannot be written."""
    try:
        compiled = compiled_file(path, base)
    except OSError:
        if tables.is_table(path):
            return tables.compile_table(path).ntriples()
        return _expand(Path(path), Path(path).read_bytes(), base or _NO_BASE)
    return None if compiled is None else compiled.read_bytes()


def rdf_files(files: Iterable[str | Path]) -> list[Path]:
    """The files as any RDF tool reads them: each results table or annotated Turtle file replaced by its
    compiled N-Triples (:func:`compiled_file`)."""
    return [compiled_file(p) or Path(p) for p in files]


def load_graph(
    extra: Iterable[str | Path] | str | Path | DataFiles = (),
    *,
    bundled: bool = True,
    infer: bool = False,
    store: str | Store | None = None,
) -> Graph:
    """The knowledge graph as an rdflib :class:`~rdflib.Graph`.

    ``extra``: more RDF files to merge in (a :class:`DataFiles` says how to read them). ``bundled``:
    include the packaged ontology and data. ``infer``: add RDFS and OWL-RL entailments (owlrl), so that
    a query for ``kg:Model`` also finds the members of its subclasses (``kg:LanguageModel``...).
    ``store``: the rdflib store (or store plugin name) to load into; by default a
    :class:`~kgtool.one_graph.OneGraph`, which holds one graph without contexts and loads and writes it
    ~25% faster than rdflib's default store.
    """
    from rdflib import Graph

    from .one_graph import OneGraph

    data = data_files(extra)
    graph = bind_prefixes(OneGraph() if store is None else Graph(store=store))
    files = bundled_files() if bundled else []
    if infer:  # Oxigraph parses the closure's N-Triples faster than rdflib does
        return parse_file(entailed_ntriples(files, data), graph)
    return _read_into(graph, files, data)


def _read_into(graph: Graph, files: list[Path], data: DataFiles) -> Graph:
    for path, options in read_order(files, data):
        parse_file(path, graph, **options)
    return graph


def read_order(files: list[Path], data: DataFiles) -> Iterator[tuple[Path, dict]]:
    """The files to read for a graph of ``files`` and the user's ``data``, each with the keywords of
    :func:`parse_file` that read it. The user's files come first: an error in one is reported before
    the bundled graph's seconds of parsing."""
    for path in data:
        yield Path(path), {"base": data.base, "remote_context": data.remote_context}
    for path in files:
        yield Path(path), {}


def entailed_ntriples(files: list[Path], data: DataFiles = DataFiles()) -> Path:
    """The files and the ``data`` files plus their RDFS/OWL-RL closure, as an N-Triples file in the
    user's cache.

    owlrl needs over ten seconds for the closure of the bundled graph, so it is computed once per
    distinct set of inputs (keyed by their content) and reused afterwards.
    """
    from importlib.metadata import version

    from .cache import cached_file

    for path in [*files, *data]:
        if not Path(path).is_file():
            raise KgtoolError(f"{path}: no such file")

    def closure() -> bytes:
        from rdflib import Literal

        from .one_graph import OneGraph

        # owlrl questions the graph millions of times: OneGraph answers them faster than rdflib's default
        graph = add_entailments(_read_into(bind_prefixes(OneGraph()), files, data))
        # OWL-RL rules can derive triples with a literal in subject position; RDF cannot hold them
        for triple in [t for t in graph if isinstance(t[0], Literal)]:
            graph.remove(triple)
        return graph.serialize(format="nt", encoding="utf-8")

    # the files are read through the table compiler and the annotation expansion: their code is an input too
    code = [Path(str(module.__file__)).read_bytes() for module in (tables, provenance)]
    how = f"base={data.base} remote-context={data.remote_context}".encode()
    return cached_file(
        f"closure owlrl-{version('owlrl')} RDFS_OWLRL",
        code + [how] + [Path(p).read_bytes() for p in [*files, *data]],
        closure,
    )


def add_entailments(graph: Graph) -> Graph:
    """Expand ``graph`` in place with the RDFS + OWL-RL closure (owlrl)."""
    import owlrl  # heavy; only paid for when inference is asked for

    _resolve_owlrl_terms()
    owlrl.DeductiveClosure(_closure_class(), axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def _closure_class():
    """owlrl's RDFS + OWL-RL semantics, without the work that can only give back what the graph holds.

    owlrl applies every rule to every triple in each cycle, until a cycle adds nothing. Its rules are set off
    by a predicate of the RDF, RDFS or OWL vocabulary (and for ``rdf:type``, by a class of them); any other
    triple only gives triples made of itself (``p a rdf:Property``, ``x owl:sameAs x``), stored the first
    time it was ruled on. So a triple ruled on in an earlier cycle is passed over when its predicate, or the
    class it types with, is outside those vocabularies or one of their terms no rule is set off by
    (``rdfs:label``, ``rdfs:Resource``...). The closure holds ``x owl:sameAs x`` for every
    resource, and the equality rules would walk all the triples of x for each of them: with x the same as
    itself, they can only give back triples the graph holds, so they are spared too, but for what they can
    give: ``owl:sameAs owl:sameAs owl:sameAs`` and the error of ``x owl:differentFrom x`` (left to owlrl).
    Together this takes the closure of the bundled graph from 15 s to 9 s, with the same triples.
    """
    import owlrl
    from rdflib import OWL, RDF, RDFS

    # compared as plain strings: rdflib's own comparisons of terms run in Python, millions of times here
    vocabularies = (str(RDF), str(RDFS), str(OWL))
    rdf_type, same_as, different_from = str(RDF.type), OWL.sameAs, OWL.differentFrom
    equal, starts = str.__eq__, str.startswith
    # terms of those vocabularies that no rule is set off by (as a predicate, or as the class of rdf:type),
    # and that the closure gives to most resources and literals
    inert = {
        RDFS.Resource,
        OWL.Thing,
        RDFS.Literal,
        RDF.langString,
        RDFS.label,
        RDFS.comment,
        RDF.subject,
        RDF.predicate,
        RDF.object,
    }

    class Closure(owlrl.RDFS_OWLRL_Semantics):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.ruled: set = set()  # the triples ruled on so far

        def rules(self, t, cycle_num):
            _, p, o = t
            if t not in self.ruled:
                self.ruled.add(t)
            elif equal(p, rdf_type):
                if not starts(o, vocabularies) or o in inert:
                    return
            elif not starts(p, vocabularies) or p in inert or self._same_as_itself(t):
                return
            super().rules(t, cycle_num)

        def _same_as_itself(self, t) -> bool:
            """``x owl:sameAs x``, where no ``x owl:differentFrom x`` is to be reported."""
            s, p, o = t
            return equal(p, same_as) and s == o and (s, different_from, s) not in self.graph

        def _equality(self, triple, cycle_num):
            if self._same_as_itself(triple):
                self.store_triple((same_as, same_as, same_as))
                return
            super()._equality(triple, cycle_num)

    return Closure


class _ResolvedTerms:
    """A stand-in for one of rdflib's namespaces (``RDF``, ``OWL``, ...) that keeps each term once looked up.

    rdflib resolves ``RDF.type`` through its metaclass's ``__getattr__`` at every use, and owlrl's rules look
    such terms up millions of times: a quarter of the closure's time went there. The terms are the same
    objects rdflib gives.
    """

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str):
        term = getattr(self._namespace, name)
        setattr(self, name, term)  # later lookups find it in the instance, without __getattr__
        return term

    def __getitem__(self, name: str):
        return self._namespace[name]


def _resolve_owlrl_terms() -> None:
    """Give owlrl's modules :class:`_ResolvedTerms` in place of the rdflib namespaces they imported."""
    import sys

    from rdflib.namespace import DefinedNamespaceMeta

    for name, module in list(sys.modules.items()):
        if name == "owlrl" or name.startswith("owlrl."):
            for attribute, value in list(vars(module).items()):
                if isinstance(value, DefinedNamespaceMeta):
                    setattr(module, attribute, _ResolvedTerms(value))


def _load_compiled(store: pyoxigraph.Store, path: Path, base: str | None = None) -> bool:
    """Load a file kgtool compiles first (:func:`compiled_file`) into ``store``; False for any other file."""
    import pyoxigraph

    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    derived = compiled_ntriples(path, base)
    if derived is not None:
        store.load(derived, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return derived is not None


def load_store(
    extra: Iterable[str | Path] | str | Path | DataFiles = (),
    *,
    bundled: bool = True,
    infer: bool = False,
    read_only: bool = False,
) -> pyoxigraph.Store:
    """The knowledge graph in an in-memory Oxigraph store, the engine that runs queries.

    With ``infer`` the RDFS/OWL-RL closure is computed with rdflib and owlrl, then loaded. With
    ``read_only``, the bundled graph alone comes from its cached persistent store
    (:func:`kgtool.persistent.bundled_store`), which opens faster than the files parse.
    """
    import pyoxigraph

    data = data_files(extra)
    if read_only and bundled and not data and not infer:
        from .persistent import bundled_store

        try:
            return bundled_store()
        except OSError:
            pass  # no cache to write to: parse the files, as below
    store = pyoxigraph.Store()
    files = bundled_files() if bundled else []
    if infer:
        store.load(path=str(entailed_ntriples(files, data)), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    for path in files:
        if _load_compiled(store, path):
            continue
        fmt = getattr(pyoxigraph.RdfFormat, _OXIGRAPH_FORMATS.get(path.suffix.lower(), "TURTLE"))
        try:
            store.load(path=str(path), format=fmt)
        except SyntaxError as err:
            raise data_error(path, err) from err
    for path in data:
        if _load_compiled(store, path, data.base):
            continue
        fmt = _OXIGRAPH_FORMATS.get(path.suffix.lower(), "TURTLE")
        if fmt == "JSON_LD" and data.remote_context:
            raise KgtoolError(
                f"{path}: queries read JSON-LD with Oxigraph, which loads no remote @context; "
                "convert the file first (kgtool export --allow-remote-context)"
            )
        store.extend(oxigraph_quads(path, fmt, data.base))
    return store
