"""Serialisations of the graph: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, GraphML, GEXF and CSV.

Every output is deterministic, so that two builds of the same data are byte-identical and a diff between
releases shows only what changed: triples are written in sorted order (their N-Triples form), prefixes
come from :data:`kgtool.namespaces.PREFIXES` in a fixed order, blank nodes (which the bundled data has
none of, but inferred or added data may) get canonical labels first. The RDF formats are written by
Oxigraph's serialisers; JSON-LD is compacted by rdflib with the context shipped in
``ontology/context.jsonld`` and embedded whole, so that no reader ever fetches a remote context.

Files are written atomically: into a temporary file in the same folder, renamed over the target only
once complete, so that a failed export leaves the previous file as it was.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import resources, results
from .dataset import GRAPH_IRI
from .errors import KgtoolError, QueryError
from .files import atomic_output
from .formats import format_name
from .namespaces import PREFIXES, used_prefixes

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    kind: str  # "rdf" (reloads as the same graph), "network" (a projection) or "table"
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", ".ttl", "text/turtle", "rdf", "Turtle"),
        Format("nt", ".nt", "application/n-triples", "rdf", "N-Triples, one sorted line per triple"),
        Format("nq", ".nq", "application/n-quads", "rdf", f"N-Quads, in the named graph <{GRAPH_IRI}>"),
        Format("trig", ".trig", "application/trig", "rdf", f"TriG, in the named graph <{GRAPH_IRI}>"),
        Format("json-ld", ".jsonld", "application/ld+json", "rdf", "JSON-LD with the bundled context"),
        Format("rdfxml", ".rdf", "application/rdf+xml", "rdf", "RDF/XML"),
        Format("graphml", ".graphml", "application/graphml+xml", "network", "GraphML network (networkx, yEd...)"),
        Format("gexf", ".gexf", "application/gexf+xml", "network", "GEXF network (Gephi)"),
        Format("csv", ".csv", "text/csv", "table", "CSV, one row per triple"),
    )
}

RDF_FORMATS = tuple(name for name, f in FORMATS.items() if f.kind == "rdf")
CSV_COLUMNS = ("subject", "predicate", "object", "object_kind", "datatype", "language")


def known_format(fmt: str) -> str:
    """The name in :data:`FORMATS` of ``fmt``, that name or an alias of it (:mod:`kgtool.formats`)."""
    if format_name(fmt) not in FORMATS:
        raise KgtoolError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return format_name(fmt)


def format_for(path: str | Path | None, fmt: str | None) -> str:
    """The format to write: ``fmt`` when given (:func:`known_format`), else the one the file name's suffix
    implies, else (no suffix, or standard output) Turtle. A suffix that names no format is refused: written
    as Turtle, x.nt.gz would hold neither N-Triples nor gzip."""
    if fmt:
        return known_format(fmt)
    if path and str(path) != "-":
        suffix = Path(path).suffix.lower()
        for name, f in FORMATS.items():
            if (
                f.suffix == suffix
                or (suffix == ".json" and name == "json-ld")
                or (suffix == ".xml" and name == "rdfxml")
            ):
                return name
        if suffix:
            suffixes = ", ".join(dict.fromkeys(f.suffix for f in FORMATS.values()))
            raise KgtoolError(f"{path}: {suffix} names no format kgtool writes ({suffixes}); give the format with -f")
    return "turtle"


# ---------------------------------------------------------------------------------------------
# what to export


def select_triples(
    extra: Iterable[str | Path] = (),
    *,
    ontology: bool = True,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    **where: Any,
) -> list:
    """The triples to export, as the writers take them (:func:`sorted_triples`): the bundled ontology and
    data plus ``extra`` files (with the RDFS/OWL-RL entailments when ``infer``) or what an Oxigraph
    ``store`` holds, or the result of the CONSTRUCT or DESCRIBE ``query`` (a name, a .rq file or SPARQL
    text) run on that graph or on ``endpoint``. ``where`` holds the keywords of
    :func:`kgtool.sparql.engine_for` (infer, store, endpoint, timeout, max_bytes, credentials).
    ``ontology=False`` leaves out the triples about the ontology's own terms (its classes, properties,
    concept schemes and header).

    The files are read into Oxigraph terms without an rdflib graph, which took most of an export's time;
    each literal still goes through rdflib once (:func:`_as_rdflib_holds`), so the triples are those of
    the graph :func:`kgtool.load_graph` reads."""
    import pyoxigraph as ox

    from .store import bundled_files

    if query is not None:
        triples = construct_triples(query, params, extra=extra, **where)
    elif where.get("endpoint"):
        raise QueryError("an export from an endpoint needs --query: the CONSTRUCT to run there")
    elif where.get("store") is not None:
        quads = where["store"].quads_for_pattern(None, None, None, ox.DefaultGraph())
        triples = _sorted_canonical(_held_terms(quads))
    else:
        triples = _sorted_canonical(read_terms(extra, infer=where.get("infer", False)))
    if not ontology:
        named = ox.NamedNode  # a blank node of another parse is never one of these
        terms = {s for path in bundled_files(data=False) for s, _, _ in file_terms(path) if type(s) is named}
        triples = [t for t in triples if t.subject not in terms]
    return triples


def read_terms(extra: Iterable[str | Path] = (), *, infer: bool = False) -> Iterator[tuple]:
    """The (subject, predicate, object) Oxigraph terms of the bundled files and ``extra`` (or of their
    closure, with ``infer``), read as :func:`kgtool.load_graph` reads them."""
    from .store import bundled_files, data_files, entailed_ntriples, read_order

    data = data_files(extra)
    if infer:
        yield from file_terms(entailed_ntriples(bundled_files(), data))
        return
    for path, options in read_order(bundled_files(), data):
        yield from file_terms(path, **options)


def file_terms(path: Path, *, base: str | None = None, remote_context: bool = False) -> Iterator[tuple]:
    """The (subject, predicate, object) Oxigraph terms of one file as the graph :func:`kgtool.store.parse_file`
    parses it into holds them: parsed by Oxigraph, or by rdflib for the formats it reads."""
    from .store import oxigraph_parsed, parse_file

    quads = oxigraph_parsed(path, base=base, remote_context=remote_context)
    if quads is not None:
        return _held_terms(quads)
    from .one_graph import OneGraph

    term = oxigraph_converter()
    graph = parse_file(path, OneGraph(), base=base, remote_context=remote_context)
    return ((term(s), term(p), term(o)) for s, p, o in graph)


def _as_rdflib_holds():
    """A function that gives an Oxigraph term as an rdflib graph holds it, for the terms that were not read
    by rdflib: rdflib normalises the lexical form of the literals of the datatypes it knows
    ("01"^^xsd:integer is "1"), and the exports have always written that form. Each literal is converted once."""
    import pyoxigraph as ox

    from .store import rdflib_converter

    to_rdflib, from_rdflib = rdflib_converter(), oxigraph_converter()
    literal = ox.Literal
    # rdflib keeps the lexical form of a string and of a language-tagged string as it is
    as_read = {ox.NamedNode(PREFIXES["xsd"] + "string"), ox.NamedNode(PREFIXES["rdf"] + "langString")}
    normalised: dict = {}

    def held(term):
        if type(term) is not literal or term.datatype in as_read:
            return term
        found = normalised.get(term)
        if found is None:
            found = normalised[term] = from_rdflib(to_rdflib(term))
        return found

    return held


def _held_terms(quads: Iterable) -> Iterator[tuple]:
    """Oxigraph quads (or triples, the graph name left aside) as (subject, predicate, object) terms, each
    literal as an rdflib graph holds it (:func:`_as_rdflib_holds`)."""
    held = _as_rdflib_holds()
    return ((q.subject, q.predicate, held(q.object)) for q in quads)


def _sorted_canonical(terms: Iterable[tuple]) -> list:
    """(subject, predicate, object) Oxigraph terms as the writers take them (:func:`sorted_triples`): each
    triple once (a graph is a set), blank nodes labelled canonically, sorted."""
    triples = _canonical(list(dict.fromkeys(terms)))
    triples.sort(key=str)
    return triples


def construct_triples(query: str, params: Mapping[str, str] | None = None, **options) -> list:
    """The triples of a CONSTRUCT or DESCRIBE query as :func:`sorted_triples` gives them, without the
    rdflib graph: what the writers need (:func:`write`'s ``triples``), seconds sooner for a large answer."""
    from .results import to_oxigraph

    converted: dict = {}
    held = _as_rdflib_holds()  # Oxigraph parsed the answer: its terms are valid RDF

    def term(t):
        found = converted.get(t)
        if found is None:
            found = converted[t] = held(to_oxigraph(t))
        return found

    return _sorted_canonical((term(s), term(p), term(o)) for s, p, o in _graph_result(query, params, options).triples)


def _graph_result(query: str, params: Mapping[str, str] | None, options: dict) -> results.QueryResult:
    from .sparql import run_query

    options = {k: v for k, v in options.items() if v is not None}
    result = run_query(query, params or {}, **options)
    if result.kind != "graph":
        raise QueryError(
            f"query {query!r} is {'an' if result.kind == 'ask' else 'a'} {result.kind.upper()} query; "
            "export needs a CONSTRUCT or DESCRIBE query"
        )
    return result


# ---------------------------------------------------------------------------------------------
# writing


def write(graph: Graph | None, fmt: str, out: str | Path | IO[bytes], triples: list | None = None) -> int:
    """Write ``graph`` in ``fmt`` to a path (atomically), to ``-`` (standard output) or to a binary
    file object. Returns the number of bytes written. ``triples``: see :func:`serialize`."""
    if isinstance(out, (str, Path)) and str(out) == "-":
        out = sys.stdout.buffer
    if isinstance(out, (str, Path)):
        with atomic_output(out) as handle:
            serialize(graph, fmt, handle, triples)
            return handle.tell()
    start = _position(out)
    serialize(graph, fmt, out, triples)
    return _position(out) - start


def to_bytes(graph: Graph | None, fmt: str, triples: list | None = None) -> bytes:
    buffer = io.BytesIO()
    serialize(graph, fmt, buffer, triples)
    return buffer.getvalue()


def serialize(graph: Graph | None, fmt: str, out: IO[bytes], triples: list | None = None) -> None:
    """Write ``graph`` to the binary file ``out`` in one of :data:`FORMATS` (or an alias of one).
    ``triples``: the graph's :func:`sorted_triples`, when the caller has them; with them, ``graph`` may be
    None, and is then made from them for the formats written through rdflib."""
    fmt = known_format(fmt)
    if FORMATS[fmt].kind == "network":
        from .network_formats import write_network

        write_network(store_of(_triples(graph, triples, ordered=False)), out, fmt)
    elif fmt == "json-ld":  # sorts its own nodes: needs the triples in no order
        out.write(jsonld_bytes(graph, triples))
    elif fmt == "csv":
        _write_csv(_triples(graph, triples), out)
    else:
        out.write(_oxigraph_bytes(_triples(graph, triples), fmt))


def _triples(graph: Graph | None, triples: list | None, ordered: bool = True) -> list:
    """``triples`` when given, else the graph's: :func:`sorted_triples`, or :func:`canonical_triples` when
    the order does not matter."""
    if triples is not None:
        return triples
    if graph is None:
        raise TypeError("the graph or its triples are needed")
    return sorted_triples(graph) if ordered else canonical_triples(graph)


def _canonically_labelled(graph: Graph | None, triples: list) -> Graph:
    """The rdflib graph a writer of rdflib graphs gets: ``graph`` itself, unless it has blank nodes (their
    labels are the parser's, other in every run) or is None; then a graph of ``triples``, the graph's
    :func:`canonical_triples`, which carry the canonical labels."""
    import pyoxigraph as ox

    from .one_graph import OneGraph
    from .store import add_oxigraph_triples

    # the triples in hand tell whether there are blank nodes, without walking the rdflib graph again
    blank = ox.BlankNode
    if graph is None or any(type(t.subject) is blank or type(t.object) is blank for t in triples):
        return add_oxigraph_triples(OneGraph(), triples)
    return graph


def store_of(data: Graph | pyoxigraph.Store | list) -> pyoxigraph.Store:
    """``data`` in an Oxigraph store: a store as it is, an rdflib graph or Oxigraph triples copied into a new one."""
    import pyoxigraph as ox

    if isinstance(data, ox.Store):
        return data
    triples = data if isinstance(data, list) else canonical_triples(data)
    store = ox.Store()
    store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    return store


def _position(out: IO[bytes]) -> int:
    try:
        return out.tell()
    except (OSError, ValueError):
        return 0


# ---------------------------------------------------------------------------------------------
# RDF through Oxigraph's serialisers, in sorted order

_OXIGRAPH = {"turtle": "TURTLE", "nt": "N_TRIPLES", "nq": "N_QUADS", "trig": "TRIG", "rdfxml": "RDF_XML"}


def sorted_triples(graph: Graph) -> list:
    """The triples as Oxigraph triples, blank nodes labelled canonically, sorted by their N-Triples form."""
    triples = canonical_triples(graph)
    triples.sort(key=str)
    return triples


def canonical_triples(graph: Graph) -> list:
    """The triples as Oxigraph triples, their blank nodes labelled canonically: the same graph gets the
    same labels in every run, whatever labels the parser made up."""
    term = oxigraph_converter()
    return _canonical([(term(s), term(p), term(o)) for s, p, o in graph])


def _canonical(terms: list[tuple]) -> list:
    """:func:`canonical_triples` of distinct (subject, predicate, object) Oxigraph terms."""
    import pyoxigraph as ox

    blank = ox.BlankNode
    if not any(type(s) is blank or type(o) is blank for s, _, o in terms):
        return [ox.Triple(*t) for t in terms]
    labels = _tree_labels(terms)
    if labels is None:  # a blank node shared by two others, or a cycle: Oxigraph's canonicalization
        dataset = ox.Dataset(ox.Quad(*t) for t in terms)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in dataset]
    relabelled = {node: blank(label) for node, label in labels.items()}
    return [ox.Triple(relabelled.get(s, s), p, relabelled.get(o, o)) for s, p, o in terms]


def _tree_labels(terms: list[tuple]) -> dict | None:
    """Canonical labels for blank nodes that form trees (each the object of at most one triple whose
    subject is a blank node, no cycles): what Turtle's [ ] and ( ) syntax and most CONSTRUCT answers make.
    ``terms``: the triples as (subject, predicate, object) Oxigraph terms.

    A node's content hash covers its outgoing triples (its children by their own hash) and the triples
    that point to it from IRIs, computed leaves first; its label hashes its parent's label, the link and
    its content. Both are linear in the size of the graph, where general canonicalization is not:
    Oxigraph's takes minutes for 1,000 nested lists. Two nodes can only get the same hash when they are
    interchangeable (same parent, link and content), so numbering them in any order gives the same output.
    None when the blank nodes do not form trees.
    """
    import hashlib

    import pyoxigraph as ox

    blank = ox.BlankNode
    outgoing: dict = {}  # blank node -> [(predicate, object)]
    incoming: dict = {}  # blank node -> [(IRI subject, predicate)]
    parent: dict = {}  # blank node -> (its blank parent, the predicate)
    for s, p, o in terms:
        subject_blank, object_blank = type(s) is blank, type(o) is blank
        if subject_blank:
            outgoing.setdefault(s, []).append((p, o))
        if object_blank:
            outgoing.setdefault(o, [])
            if subject_blank:
                if o in parent:
                    return None
                parent[o] = (s, p)
            else:
                incoming.setdefault(o, []).append((s, p))
    children: dict = {}
    for child, (node, _) in parent.items():
        children.setdefault(node, []).append(child)
    order, stack = [], [node for node in outgoing if node not in parent]
    while stack:  # depth first, without recursion: a list can nest 100,000 deep
        node = stack.pop()
        order.append(node)
        stack.extend(children.get(node, ()))
    if len(order) != len(outgoing):
        return None  # a cycle

    text: dict = {}  # the N-Triples form of each IRI and literal, written once

    def written(term) -> str:
        found = text.get(term)
        if found is None:
            found = text[term] = str(term)
        return found

    def digest(*parts: str) -> str:
        return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    content: dict = {}
    for node in reversed(order):  # leaves first
        out = sorted(
            f"{written(p)} " + (f"_:{content[o]}" if type(o) is blank else written(o)) for p, o in outgoing[node]
        )
        into = sorted(f"{written(s)} {written(p)}" for s, p in incoming.get(node, ()))
        content[node] = digest("out", *out, "in", *into)
    labels: dict = {}
    taken: dict = {}
    for node in order:  # roots first
        above = parent.get(node)
        key = digest(labels[above[0]], written(above[1]), content[node]) if above else digest("root", content[node])
        number = taken[key] = taken.get(key, -1) + 1
        labels[node] = "c" + digest(key, str(number))
    return labels


def _oxigraph_bytes(triples: list, fmt: str) -> bytes:
    if fmt == "rdfxml":
        _check_xml_names(triples)
    prefixes = used_prefixes(triples) if fmt in ("turtle", "trig", "rdfxml") else None
    return rdf_bytes(triples, fmt, prefixes)


def rdf_bytes(
    triples: list, fmt: str, prefixes: Mapping[str, str] | None = None, relative_to: str | None = None
) -> bytes:
    """Oxigraph triples (in the order given) in an RDF format, with the ``prefixes`` declared in their
    order. ``relative_to``: IRIs under this base are written as relative references and no ``@base``
    is declared, so that a reader resolves them against the file's own location (Turtle only)."""
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, _OXIGRAPH[fmt])
    items = triples
    if fmt in ("nq", "trig"):
        name = ox.NamedNode(GRAPH_IRI)
        items = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    try:
        data = results.rdf_bytes(items, rdf_format, dict(prefixes) if prefixes else None, relative_to or None)
    except results.NotXmlText:
        raise  # already says what and what to do
    except (ValueError, TypeError) as err:
        raise KgtoolError(f"cannot write the graph as {fmt}: {err}") from err
    if fmt in ("turtle", "trig"):
        return _sorted_prefix_lines(data, prefixes or {})
    if fmt == "rdfxml":
        return _sorted_namespace_attributes(data)
    return data


def _sorted_prefix_lines(data: bytes, prefixes: Mapping[str, str]) -> bytes:
    # Oxigraph writes the prefix declarations in the order of its own hash map; write them in ours
    lines = data.split(b"\n")
    body_start = 0
    while body_start < len(lines) and lines[body_start].startswith((b"@prefix ", b"@base ")):
        body_start += 1
    header = [f"@prefix {p}: <{ns}> .".encode() for p, ns in prefixes.items()]
    return b"\n".join([*header, b"", *lines[body_start:]] if header else lines[body_start:])


_RDF_ROOT = re.compile(rb"<rdf:RDF((?:\s+xmlns:[\w.-]+=\"[^\"]*\")*)\s*>")


def _sorted_namespace_attributes(data: bytes) -> bytes:
    match = _RDF_ROOT.search(data)
    if not match:
        return data
    attributes = sorted(re.findall(rb"xmlns:[\w.-]+=\"[^\"]*\"", match.group(1)))
    root = b"<rdf:RDF\n\t" + b"\n\t".join(attributes) + b">"
    return data[: match.start()] + root + data[match.end() :]


_XML_NAME_END = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*$")


def _check_xml_names(triples: list) -> None:
    """RDF/XML writes each property as an XML element name, which must end in a letter-led local name."""
    for predicate in sorted({t.predicate.value for t in triples}):
        if not _XML_NAME_END.search(predicate):
            raise KgtoolError(
                f"RDF/XML cannot write the property <{predicate}>: its IRI does not end in an XML "
                "name; export it as Turtle, N-Triples or JSON-LD instead"
            )


def oxigraph_converter():
    """A function from rdflib terms to Oxigraph terms (through :mod:`kgtool.results`' one conversion)
    that converts each distinct term once. rdflib accepts IRIs that RDF does not (a space, a control
    character, a lone surrogate from a \\u escape); they are refused here, in one line."""
    from .results import from_rdflib, to_oxigraph

    converted: dict = {}

    def convert(term):
        found = converted.get(term)
        if found is not None:
            return found
        try:
            found = converted[term] = to_oxigraph(from_rdflib(term))
        except (ValueError, UnicodeError) as err:
            what = "the IRI" if from_rdflib(term).kind == "uri" else "the term"
            raise KgtoolError(f"cannot export {what} {ascii(str(term))[:200]}: {err}") from err
        return found

    return convert


# ---------------------------------------------------------------------------------------------
# JSON-LD


def context_path() -> Path:
    """The JSON-LD context shipped with the package: readable keys for the project's terms."""
    return resources.ontology_dir() / "context.jsonld"


def jsonld_context() -> dict:
    return json.loads(context_path().read_text(encoding="utf-8"))["@context"]


def jsonld_bytes(graph: Graph | None, triples: list | None = None) -> bytes:
    """Compact JSON-LD with the bundled context embedded, nodes sorted by id, values sorted. ``triples``:
    the graph's :func:`canonical_triples` (or sorted), when the caller has them; with them, ``graph`` may be None."""
    triples = _triples(graph, triples, ordered=False)  # also refuses what RDF does not allow, as the others do
    from rdflib.plugins.serializers.jsonld import from_rdf

    graph = _canonically_labelled(graph, triples)
    context = jsonld_context()
    try:
        # rdflib's compaction as a document, without the text rdflib's serializer would write and this
        # function read back (a third of the time)
        compacted = from_rdf(graph, context_data=context, auto_compact=True)
    except RecursionError as err:
        raise KgtoolError("the graph nests blank nodes too deep for JSON-LD; export it as N-Triples or Turtle") from err
    nodes = compacted.get("@graph")
    if nodes is None:  # a single node comes out without @graph
        nodes = [] if not graph else [{k: v for k, v in compacted.items() if k != "@context"}]
    id_key = next((k for k, v in context.items() if v == "@id"), "@id")
    type_key = next((k for k, v in context.items() if v == "@type"), "@type")
    xsd = next((f"{k}:" for k, v in context.items() if v == PREFIXES["xsd"]), PREFIXES["xsd"])
    document = {
        "@context": context,
        "@graph": sorted(
            (_sort_values(n, type_key, xsd) for n in nodes), key=lambda n: str(n.get(id_key, n.get("@id", "")))
        ),
    }
    # a non-finite number is not JSON: refuse it rather than write Infinity or NaN
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n").encode("utf-8")


def _sort_values(node, type_key: str, xsd: str, ordered: bool = False):
    """Sort the values of every property (JSON-LD arrays are unordered sets, except @list, ``ordered``),
    and write each number as the literal the graph holds. ``type_key`` and ``xsd``: how rdflib writes
    ``@type`` and the XSD namespace in a value object (``"type": "xsd:decimal"``)."""
    if isinstance(node, dict):
        if node.get(type_key) in (xsd + "double", xsd + "float") and isinstance(node.get("@value"), str):
            return {**node, "@value": results.double_lexical(node["@value"])}  # "inf" as "INF"
        return {k: _sort_values(v, type_key, xsd, ordered=k == "@list") for k, v in node.items()}
    if isinstance(node, list):
        values = [_sort_values(v, type_key, xsd) for v in node]
        if ordered:
            return values
        return sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False, allow_nan=False))
    if isinstance(node, float):
        # rdflib writes an xsd:double as a native number, which JSON-LD reads back in its canonical form
        # ("2.5" as "2.5E0", 1.0 as the integer 1) and JSON cannot hold when not finite (Infinity, NaN):
        # write the lexical form the graph holds instead
        return {"@value": results.double_lexical(node), type_key: xsd + "double"}
    if isinstance(node, int) and not isinstance(node, bool) and abs(node) > 2**53:
        # beyond the integers every JSON reader holds exactly (RFC 8259 §6), a native number is read back
        # as an xsd:double: by JSON-LD from 10^21 up, and by Oxigraph beyond 64 bits: keep it exact
        return {"@value": str(node), "@type": PREFIXES["xsd"] + "integer"}
    return node


# ---------------------------------------------------------------------------------------------
# CSV


def _write_csv(triples: list, out: IO[bytes]) -> None:
    """One row per triple: subject, predicate, object and, for a literal object, its datatype or
    language (an empty datatype is xsd:string). Blank nodes are written as ``_:label``."""
    import csv

    import pyoxigraph as ox

    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for triple in triples:
        subject = triple.subject.value if isinstance(triple.subject, ox.NamedNode) else str(triple.subject)
        obj = triple.object
        if isinstance(obj, ox.Literal):
            datatype = "" if obj.language or obj.datatype.value == PREFIXES["xsd"] + "string" else obj.datatype.value
            row = (subject, triple.predicate.value, obj.value, "literal", datatype, obj.language or "")
        elif isinstance(obj, ox.BlankNode):
            row = (subject, triple.predicate.value, str(obj), "bnode", "", "")
        else:
            row = (subject, triple.predicate.value, obj.value, "iri", "", "")
        writer.writerow(row)
    text.detach()  # leave ``out`` open for the caller
