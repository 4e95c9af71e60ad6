"""The network projection of the RDF graph: the entities as nodes, the links between them as edges.

RDF describes everything as triples, sources and numbers included; drawn or measured as they are, the
graph would be a hairball of literals and statement nodes. :func:`project` turns it into a
:class:`networkx.MultiDiGraph` of the things the graph is about, by these rules:

1. **Entities are nodes**: every IRI (or blank node) that is the subject of a triple, and every IRI that
   such a subject links to, except schema terms (classes, properties, ontologies, concept schemes, any
   term of the rdf, rdfs, owl, xsd and sh namespaces), statements (reifications: anything with an
   ``rdf:subject``) and records (rule 5). A node's label is its ``rdfs:label`` (``skos:prefLabel``;
   else its local name), its class the most specific of its ``rdf:type`` classes (deepest under
   ``rdfs:subClassOf``, the project's own terms first).
2. **A link between two entities is an edge**, keyed by the property IRI and labelled with the
   property's ``rdfs:label`` ("uses frozen model"). Not drawn: ``rdf:type`` (the class), labels, and the
   vocabulary's structure (``skos:inScheme``, ``skos:topConceptOf``, ``rdfs:subClassOf``...).
3. **Literals are facts** in the node's tooltip ("parameter count: 65,000,000,000"), and so is a link
   to something that is not a node (a schema term).
4. **Provenance is folded, never drawn**: the ``kg:source`` and ``kg:locator`` of a statement go into the
   tooltip of the link or fact it reifies; an entity's own ``dcterms:source`` goes into its "sources"
   line. (Drawn as edges, sources would tie every entity to the papers.)
5. **Records fold into what they are about**: a result into its model and its benchmark; a finding,
   claim, limitation or quote into what it is ``kg:about`` (a quote also into the person quoted); a
   training run into its model and hardware; a data-mix component into its model and data set; an
   influence into both works. Each is one line of the tooltip: label, value, status and sources. Two
   kinds also keep their relation as one edge between the entities they name: a model is "evaluated
   on" a benchmark (one edge per pair, its tooltip listing the results) and a work is "influenced by"
   another. With ``records=True`` records are nodes like any entity, and no such edges are made.
6. An entity with no link of its own that only sources, statements and folded records refer to (a
   document cited as a source, a claim status, an evaluation setting) lives in their tooltip lines.
7. An IRI with no link of its own that only says it is another's or was replaced by another
   (``owl:sameAs``, ``dcterms:isReplacedBy``: a former IRI, kept so that it still resolves) is no entity:
   what it names is drawn once, under its own IRI.

The projection is computed with SPARQL, on Oxigraph (the bundled graph's cached store, a persistent
store, a store made from files or from an rdflib graph) or on an endpoint, which gets the same queries
(:class:`Source`). The whole network is read with a few queries whose answers are about entities and
their links, never the whole graph: the statements and records, most of a large graph, are sorted out by
the engine. A view around one entity or of a query's entities (:meth:`Projector.around`,
:meth:`Projector.entities`) asks only about those entities and their neighbours, and the tooltips are
read only for the entities drawn.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import provenance
from .errors import KgtoolError, QueryError
from .namespaces import KG, PREFIXES, resource_iri
from .provenance import RECORD_CLASSES
from .results import Term, prefixed, short

if TYPE_CHECKING:
    import networkx as nx

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
DCTERMS = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]

_TYPE = RDF + "type"
_BUILTIN = tuple(PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd", "sh"))
_META_TYPES = frozenset(
    [
        OWL + n
        for n in (
            "Class",
            "ObjectProperty",
            "DatatypeProperty",
            "AnnotationProperty",
            "Ontology",
            "TransitiveProperty",
            "SymmetricProperty",
            "FunctionalProperty",
            "InverseFunctionalProperty",
            "Restriction",
        )
    ]
    + [
        RDFS + "Class",
        RDFS + "Datatype",
        RDF + "Property",
        SKOS + "ConceptScheme",
        SKOS + "Collection",  # a named group (the seven models) is a list, not a thing its members link through
        PREFIXES["sh"] + "NodeShape",
        PREFIXES["sh"] + "PropertyShape",
    ]
)
_HIERARCHY = (RDFS + "subClassOf", RDFS + "subPropertyOf")
_LABELS = (RDFS + "label", SKOS + "prefLabel")
_ALIASES = (SKOS + "altLabel",)
_DEFINITIONS = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")
_SOURCES = (KG + "source", DCTERMS + "source", PROV + "hadPrimarySource")
_LOCATOR = KG + "locator"
# the vocabulary's structure, not links between things
_STRUCTURE = frozenset(
    [
        RDF + "type",
        RDF + "subject",
        RDF + "predicate",
        RDF + "object",
        RDFS + "subClassOf",
        RDFS + "subPropertyOf",
        RDFS + "domain",
        RDFS + "range",
        OWL + "equivalentClass",
        OWL + "equivalentProperty",
        SKOS + "inScheme",
        SKOS + "topConceptOf",
        SKOS + "hasTopConcept",
    ]
)
# links between names, not between things (rule 7)
_OTHER_NAMES = (OWL + "sameAs", DCTERMS + "isReplacedBy")
_NOT_FACTS = frozenset([*_LABELS, *_ALIASES, *_DEFINITIONS, *_SOURCES, _LOCATOR, *_STRUCTURE, *_OTHER_NAMES])

# record class -> the properties naming what it is about (rule 5)
RECORD_ANCHORS: dict[str, tuple[str, ...]] = {
    KG + "EvaluationResult": (KG + "evaluatedModel", KG + "benchmark"),
    KG + "Finding": (KG + "about",),
    KG + "Claim": (KG + "about",),
    KG + "Limitation": (KG + "about",),
    KG + "Quote": (KG + "about", KG + "quotedPerson"),
    KG + "TrainingRun": (KG + "trainedModel", KG + "hardware"),
    KG + "DataMixComponent": (KG + "mixOf", KG + "dataset"),
    KG + "Influence": (KG + "influenced", KG + "influencer"),
}
# record class -> (from property, to property, edge label): the relation a folded record keeps
RECORD_LINKS: dict[str, tuple[str, str, str]] = {
    KG + "EvaluationResult": (KG + "evaluatedModel", KG + "benchmark", "evaluated on"),
    KG + "Influence": (KG + "influenced", KG + "influencer", "influenced by"),
}
_RECORDS = frozenset(RECORD_CLASSES - {KG + "Statement"})
_ANCHOR_PROPERTIES = sorted({p for anchors in RECORD_ANCHORS.values() for p in anchors} | {KG + "about"})
_RECORD_FIELDS = (KG + "value", KG + "unit", KG + "status")

TEXT_LIMIT = 240  # characters of a literal or definition shown in a tooltip
RECORDS_PER_KIND = 8  # record lines per kind in a tooltip; the rest are counted
BATCH = 1000  # terms named in one query (a VALUES block)

# Concepts that link to almost everything: drawn, they pull unrelated entities into every neighbourhood
# and shortest path (the "text" modality ties 42 benchmarks to LLaMA). Left out of the views and paths
# unless asked for; models are never hubs, however many links they have.
HUB_CLASSES = frozenset(KG + name for name in ("Modality", "Risk", "CodeRepository"))
HUB_DEGREE = 25

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def _clip(text: str, limit: int = TEXT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(label: str, count: int) -> str:
    return f"{count} {label}" + ("" if count == 1 else "s")


def key_of(term: Term) -> str:
    """A resource as the network names it: its IRI, or ``_:`` and the blank node's label."""
    return "_:" + term.value if term.kind == "bnode" else term.value


def _resources(terms: Iterable[Term]) -> set[str]:
    """The keys of the resources among ``terms`` (literals left out)."""
    return {key_of(t) for t in terms if t.kind != "literal"}


def _object_key(term: Term) -> str | Term:
    """An object as provenance is keyed: a resource by its key, a literal as the term itself."""
    return term if term.kind == "literal" else key_of(term)


def names(label: str, aliases: Iterable[str], text: str) -> bool:
    """Whether an entity of ``label`` and ``aliases`` is the one ``text`` names (any case, any spacing)."""
    wanted = " ".join(text.split()).lower()
    return label.lower() == wanted or wanted in (a.lower() for a in aliases)


def not_an_entity(text: str) -> QueryError:
    return QueryError(
        f"{text} is not an entity of the network (a record, statement or schema term "
        "is folded into the entities; --records draws records as nodes)"
    )


def ambiguous(text: str, found: Iterable[str]) -> QueryError:
    return QueryError(
        f"{text!r} is ambiguous: it is the label of " + ", ".join(prefixed(n) for n in found) + "; give the IRI instead"
    )


def _iris(values: Iterable[str]) -> str:
    return " ".join(Term("uri", v).n3() for v in sorted(values))


def _in(var: str, values: Iterable[str]) -> str:
    return f"?{var} IN ({', '.join(Term('uri', v).n3() for v in sorted(values))})"


def _among(var: str, values: Iterable[str]) -> str:
    """``FILTER(?var IN (...))``: a query names its one scope in a VALUES block, and every other set of
    terms in a filter (Oxigraph plans a second VALUES block as a product of the two)."""
    return f"FILTER({_in(var, values)})"


_NOT_FACTS_LIST = ", ".join(Term("uri", p).n3() for p in sorted(_NOT_FACTS))
_BUILTIN_TEST = " || ".join(f'STRSTARTS(STR(?VAR), "{ns}")' for ns in _BUILTIN)


# ---------------------------------------------------------------------------------------------
# where the triples come from


class Source:
    """A graph as the projection reads it: SELECT queries answered by a :mod:`kgtool.sparql` engine, on
    an Oxigraph store or on an endpoint (which is sent the very same queries). ``renamed`` maps the
    stand-in IRIs of a store made from an rdflib graph back to the IRIs they stand for (rdflib keeps
    IRIs that RDF does not allow, such as ones with spaces; Oxigraph refuses them). ``identity`` tells
    this graph from any other (:func:`kgtool.persistent.store_identity`) when it cannot change, as a
    store built by `kgtool load` cannot: the whole network read from it is then kept in the cache."""

    def __init__(self, engine, renamed: Mapping[str, str] | None = None, identity: bytes | None = None):
        self.engine = engine
        self.identity = identity
        self._original = dict(renamed or {})
        self._stand_in = {iri: stand_in for stand_in, iri in self._original.items()}
        self._schema: _Schema | None = None

    def select(self, text: str) -> list[dict[str, Term]]:
        from .queries import NamedQuery

        rows = self.engine.run(NamedQuery.parse(text, "(network projection)"), {}).rows
        if self._original:
            original = self._original
            rows = [
                {
                    v: Term("uri", original[t.value]) if t.kind == "uri" and t.value in original else t
                    for v, t in row.items()
                }
                for row in rows
            ]
        return rows

    def n3(self, iri: str) -> str:
        return Term("uri", self._stand_in.get(iri, iri)).n3()

    def values(self, keys: Iterable[str]) -> str:
        return " ".join(self.n3(k) for k in keys)

    def scoped(self, var: str, keys: Iterable[str], template: str, *, blank_nodes: bool = True) -> list[dict]:
        """The rows of ``template`` (a query with ``SCOPE`` at the start of its WHERE group) for each
        of ``keys`` as ``?var``: IRIs in VALUES blocks of :data:`BATCH`, blank nodes (which no query can
        name) by one query over every blank node of the graph, cut to the ones asked for."""
        keys = set(keys)
        iris = sorted(k for k in keys if not k.startswith("_:"))
        rows: list[dict] = []
        for start in range(0, len(iris), BATCH):
            scope = f"VALUES ?{var} {{ {self.values(iris[start : start + BATCH])} }}"
            rows += self.select(template.replace("SCOPE", scope))
        if blank_nodes and len(iris) < len(keys):
            every = (
                f"{{ SELECT DISTINCT ?{var} WHERE {{ {{ ?{var} ?scope_p ?scope_o }} UNION "
                f"{{ ?scope_s ?scope_p ?{var} }} FILTER(isBlank(?{var})) }} }}"
            )
            rows += [row for row in self.select(template.replace("SCOPE", every)) if key_of(row[var]) in keys]
        return rows

    def schema(self) -> _Schema:
        if self._schema is None:
            self._schema = _Schema.of(self)
        return self._schema


def source_of(graph) -> Source:
    """``graph`` as a :class:`Source`: a source as it is, an Oxigraph store, or an rdflib graph (copied
    into an Oxigraph store)."""
    if isinstance(graph, Source):
        return graph
    import pyoxigraph as ox

    from .sparql import LocalEngine

    if isinstance(graph, ox.Store):
        return Source(LocalEngine(graph))
    store, renamed = _oxigraph_copy(graph)
    return Source(LocalEngine(store), renamed)


def _oxigraph_copy(graph) -> tuple:
    """An rdflib graph in a new Oxigraph store, and the stand-ins of the IRIs Oxigraph refuses (a space,
    a quote, a lone surrogate: rdflib keeps them)."""
    import pyoxigraph as ox

    from .results import from_rdflib, to_oxigraph

    renamed: dict[str, str] = {}
    stand_ins: dict[str, str] = {}

    def stand_in(iri: str) -> str:
        if iri not in stand_ins:
            stand_ins[iri] = f"urn:x-kgtool:iri:{len(stand_ins)}"
            renamed[stand_ins[iri]] = iri
        return stand_ins[iri]

    converted: dict = {}

    def term(node):
        found = converted.get(node)
        if found is None:
            t = from_rdflib(node)
            try:
                found = to_oxigraph(t)
            except (ValueError, UnicodeError) as err:
                if t.kind == "uri":
                    found = to_oxigraph(t._replace(value=stand_in(t.value)))
                elif t.kind == "literal" and t.datatype:
                    found = to_oxigraph(t._replace(datatype=stand_in(t.datatype)))
                else:
                    raise KgtoolError(f"cannot read the term {ascii(str(node))[:200]}") from err
            converted[node] = found
        return found

    store = ox.Store()
    store.extend([ox.Quad(term(s), term(p), term(o)) for s, p, o in graph])
    return store, renamed


@dataclass
class _Schema:
    """What a source says about its vocabulary: few terms, whatever the size of the graph. The classes
    in use and the properties in use take a pass over the whole graph: they are read when first asked."""

    meta: dict[str, set[str]]  # term -> its types among the schema types (owl:Class...)
    broader: dict[str, set[str]]  # term -> its direct superclasses (rdfs:subClassOf)
    hierarchy: set[str]  # both ends of rdfs:subClassOf and rdfs:subPropertyOf
    source: Source | None = None
    _classes: set[str] | None = None
    _predicates: set[str] | None = None

    @classmethod
    def of(cls, source: Source) -> _Schema:
        meta: dict[str, set[str]] = defaultdict(set)
        for r in source.select(
            f"SELECT ?term ?meta WHERE {{ VALUES ?meta {{ {_iris(_META_TYPES)} }} ?term <{_TYPE}> ?meta }}"
        ):
            meta[key_of(r["term"])].add(r["meta"].value)
        broader: dict[str, set[str]] = defaultdict(set)
        hierarchy = set()
        for r in source.select(
            "SELECT ?narrower ?property ?broader WHERE "
            f"{{ VALUES ?property {{ {_iris(_HIERARCHY)} }} ?narrower ?property ?broader }}"
        ):
            if r["broader"].kind == "literal":
                continue
            narrower, wider = key_of(r["narrower"]), key_of(r["broader"])
            hierarchy |= {narrower, wider}
            if r["property"].value == RDFS + "subClassOf":
                broader[narrower].add(wider)
        return cls(dict(meta), dict(broader), hierarchy, source)

    def classes(self) -> set[str]:
        """The classes things are typed with."""
        if self._classes is None:
            assert self.source is not None  # only a union of schemas has no source, and it is made with its classes
            self._classes = {
                key_of(r["class"])
                for r in self.source.select(f"SELECT DISTINCT ?class WHERE {{ ?thing <{_TYPE}> ?class }}")
                if r["class"].kind != "literal"
            }
        return self._classes

    def predicates(self) -> set[str]:
        """The properties in use."""
        if self._predicates is None:
            assert self.source is not None  # a union of schemas is made with its properties too
            self._predicates = {r["p"].value for r in self.source.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
        return self._predicates

    def declared_classes(self) -> set[str]:
        return {t for t, meta in self.meta.items() if meta & {OWL + "Class", RDFS + "Class"}}

    def has(self, key: str, scan: bool = True) -> bool:
        """Whether ``key`` is a schema term or a term of the built-in vocabularies. Without ``scan``, the
        classes and properties in use count only if they were read already."""
        return (
            key in self.meta
            or key in self.hierarchy
            or key.startswith(_BUILTIN)
            or ((scan or self._classes is not None) and key in self.classes())
            or ((scan or self._predicates is not None) and key in self.predicates())
        )

    @staticmethod
    def union(schemas: list[_Schema]) -> _Schema:
        if len(schemas) == 1:
            return schemas[0]
        meta: dict[str, set[str]] = defaultdict(set)
        broader: dict[str, set[str]] = defaultdict(set)
        for s in schemas:
            for k, v in s.meta.items():
                meta[k] |= v
            for k, v in s.broader.items():
                broader[k] |= v
        return _Schema(
            dict(meta),
            dict(broader),
            set().union(*(s.hierarchy for s in schemas)),
            _classes=set().union(*(s.classes() for s in schemas)),
            _predicates=set().union(*(s.predicates() for s in schemas)),
        )


# ---------------------------------------------------------------------------------------------
# the projection


@dataclass
class Outline:
    """The network without its tooltips: each entity's classes and each link, as :func:`outline` reads
    them from a source. :func:`project` dresses it as a networkx graph; :func:`kgtool.analytics.stats`
    counts it as it is."""

    types: dict[str, frozenset[str]]  # node -> its classes (IRIs)
    classes: dict[str, str]  # node -> the label of its main class
    edges: list[tuple[str, str, str, str]]  # (from, to, property IRI or record class, label)
    hubs_left_out: int = 0  # hub concepts a view around an entity left out

    def as_json(self) -> dict:
        """The outline as JSON, each IRI written once: nodes, classes and link keys are lists, and the
        rest refers to them by position (a 1M-triple graph's outline takes 2 MB, not 13 MB)."""
        nodes = list(self.types)
        position = {n: i for i, n in enumerate(nodes)}
        classes = sorted({t for types in self.types.values() for t in types})
        class_position = {c: i for i, c in enumerate(classes)}
        keys = sorted({(key, label) for _, _, key, label in self.edges})
        key_position = {k: i for i, k in enumerate(keys)}
        return {
            "nodes": nodes,
            "class_labels": [self.classes[n] for n in nodes],
            "classes": classes,
            "types": [sorted(class_position[t] for t in self.types[n]) for n in nodes],
            "keys": keys,
            "edges": [[position[a], position[b], key_position[(key, label)]] for a, b, key, label in self.edges],
            "hubs_left_out": self.hubs_left_out,
        }

    @classmethod
    def from_json(cls, value: dict) -> Outline:
        nodes, classes = value["nodes"], value["classes"]
        keys = value["keys"]
        return cls(
            {n: frozenset(classes[t] for t in types) for n, types in zip(nodes, value["types"], strict=True)},
            dict(zip(nodes, value["class_labels"], strict=True)),
            [(nodes[a], nodes[b], keys[k][0], keys[k][1]) for a, b, k in value["edges"]],
            value["hubs_left_out"],
        )

    def restricted(self, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Outline:
        keep = {n for n, types in self.types.items() if kept(types, set(include), set(exclude))}
        return Outline(
            {n: t for n, t in self.types.items() if n in keep},
            {n: c for n, c in self.classes.items() if n in keep},
            [e for e in self.edges if e[0] in keep and e[1] in keep],
            self.hubs_left_out,
        )


def kept(types: Iterable[str], include: set[str], exclude: set[str]) -> bool:
    """Whether an entity of ``types`` stays when only the ``include`` classes are kept (all when empty)
    and the ``exclude`` classes are left out (class IRIs, subclasses already expanded)."""
    types = set(types)
    return (not include or bool(types & include)) and not types & exclude


def project(graph, *, records: bool = False, context=None, details: bool = True) -> nx.MultiDiGraph:
    """The network of ``graph``'s entities (a :class:`Source`, an Oxigraph store or an rdflib graph), by
    the rules of this module's docstring.

    ``context`` is a graph where labels, classes and the class hierarchy are looked up as well (the
    whole graph, when ``graph`` is a query result). Node attributes: ``label``, ``aliases``, ``types``
    (the classes), ``cls`` and ``class_label`` (the one shown), ``details`` (the tooltip text below the
    label), ``sources`` and ``record``. Edge attributes: ``property`` (IRI), ``label`` and ``details``.
    Without ``details``, the tooltips (node ``details`` and ``sources``, edge ``details``) are left out,
    which spares most of the work: enough for the analytics.
    """
    return Projector(graph, records=records, context=context).network(details=details)


def outline(graph, *, records: bool = False) -> Outline:
    """The whole network's entities with their classes, and its links: no labels, no tooltips."""
    return Projector(graph, records=records).outline()


class Projector:
    """The projection of one graph, made in steps: the whole network or a part of it, with or without
    tooltips. ``graph`` and ``context`` as for :func:`project`. Terms are keys (:func:`key_of`); what is
    known of each is looked up in batches (:meth:`lookup`) from the data and the context, and kept for
    the next step."""

    def __init__(self, graph, *, records: bool = False, context=None):
        data = source_of(graph)
        context = source_of(context) if context is not None else None
        self.data = data
        self.sources = [data] + ([context] if context is not None else [])
        self.folding = not records
        self.schema = _Schema.union([s.schema() for s in self.sources])
        self._values: dict[str, dict[str, list[Term]]] = {}
        self._asked: dict[str, set[str]] = defaultdict(set)
        self._superclasses: dict[str, set[str]] = {}
        self.cited: dict[str, dict[str, str]] = defaultdict(dict)  # node -> {document label: link}
        # a class of records is one of them or under one of them
        self.kinds = {c: k for c in self.schema.hierarchy | _RECORDS if (k := self.record_kind(c)) is not None}
        # records the engine recognises by their type in the data; a context may type more of them
        self.record_classes = sorted(c for c in self.kinds if not c.startswith("_:"))
        # the types that make a term no node: the schema's and, when they fold, the records'
        self.not_node_types = sorted(_META_TYPES | (set(self.record_classes) if self.folding else set()))
        self.extra_records: set[str] = set()
        self._whole: tuple[set[str], list[tuple[str, str, str]]] | None = None
        self._linked: dict[str, set[str]] = {}
        self._passed: dict[tuple, dict[str, bool]] = {}
        if context is not None and self.folding:
            terms = {
                key_of(r["x"])
                for r in data.select(
                    "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x FILTER(!isLiteral(?x)) } }"
                )
            }
            self.lookup(terms, [_TYPE])
            self.extra_records = {t for t in terms if not t.startswith("_:") and self.record_class(t)}

    # --- lookups

    def lookup(self, keys: Iterable[str], predicates: Iterable[str]) -> None:
        """Fetch the values of ``predicates`` for ``keys`` (those not fetched yet) from every source."""
        predicates = list(predicates)
        missing = {k for k in keys if not self._asked[k].issuperset(predicates)}
        if not missing:
            return
        for i, source in enumerate(self.sources):
            template = f"SELECT ?x ?p ?o WHERE {{ SCOPE ?x ?p ?o {_among('p', predicates)} }}"
            # another source's blank nodes are other nodes: only the data's are looked up there
            for row in source.scoped("x", missing, template, blank_nodes=i == 0):
                found = self._values.setdefault(key_of(row["x"]), {}).setdefault(row["p"].value, [])
                if row["o"] not in found:
                    found.append(row["o"])
        for k in missing:
            self._asked[k].update(predicates)

    def values(self, key: str, predicate: str) -> list[Term]:
        if predicate not in self._asked[key]:
            self.lookup([key], [predicate])
        return self._values.get(key, {}).get(predicate, [])

    def label(self, term: Term | str) -> str:
        if isinstance(term, Term):
            if term.kind == "literal":
                return short(term)
            term = key_of(term)
        for predicate in _LABELS:
            candidates = self.values(term, predicate)
            if candidates:
                # an English or untagged label first, then any, in a stable order
                best = min(candidates, key=lambda label: (label.lang not in (None, "en"), label.value))
                return " ".join(best.value.split())
        text = term[2:] if term.startswith("_:") else term
        return local_name(text) if "/" in text or "#" in text else text

    def property_label(self, predicate: str) -> str:
        labels = self.values(predicate, RDFS + "label")
        if labels:
            return min(labels, key=lambda label: label.value).value
        return _CAMEL.sub(" ", local_name(predicate)).lower()

    def edge_label(self, key: str) -> str:
        return RECORD_LINKS[key][2] if key in RECORD_LINKS else self.property_label(key)

    def aliases(self, key: str) -> list[str]:
        return sorted({" ".join(a.value.split()) for p in _ALIASES for a in self.values(key, p)})

    def types(self, key: str) -> set[str]:
        return {key_of(t) for t in self.values(key, _TYPE) if t.kind != "literal"}

    def superclasses(self, cls: str) -> set[str]:
        """``cls`` and every class above it."""
        if cls not in self._superclasses:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.schema.broader.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._superclasses[cls] = seen
        return self._superclasses[cls]

    def record_kind(self, cls: str) -> str | None:
        found = sorted(self.superclasses(cls) & _RECORDS)
        return found[0] if found else None

    def record_class(self, key: str) -> str | None:
        found = sorted(k for t in self.types(key) if (k := self.record_kind(t)) is not None)
        return found[0] if found else None

    def main_class(self, types: Iterable[str]) -> str | None:
        """The most specific class, the project's own terms and non-builtin terms first."""
        types = list(types)
        candidates = [t for t in types if not t.startswith(_BUILTIN)] or types
        if not candidates:
            return None
        return min(
            candidates, key=lambda t: (not t.startswith(KG), -len(self.superclasses(t)), self.label(t).lower(), t)
        )

    def class_label(self, types: Iterable[str]) -> str:
        cls = self.main_class(types)
        return self.label(cls) if cls is not None else "resource"

    def most_specific_labels(self, types: Iterable[str]) -> list[str]:
        """The labels of the classes no other of ``types`` is a subclass of (the project's own terms)."""
        own = [t for t in types if t.startswith(KG)]
        narrowest = [t for t in own if not any(t != o and t in self.superclasses(o) for o in own)]
        return sorted(self.label(t) for t in narrowest)

    def documents(self, key: str) -> dict[str, str]:
        """The documents a statement or record cites: label -> where to read it (its URL, else its IRI)."""
        found = {}
        for p in _SOURCES:
            for document in self.values(key, p):
                urls = self.values(key_of(document), KG + "url") if document.kind != "literal" else []
                url = [u.value for u in urls if u.value.startswith(("http://", "https://"))]
                found[self.label(document)] = min(url) if url else document.value
        return found

    def sources_text(self, key: str, named: str = "") -> str:
        """``[LLaMA paper (arXiv 2302.13971): §2.2]`` for a statement or record; "" when unsourced. A
        document that ``named`` (the record's label) already names is not named again: ``[§2.2]``."""
        documents = sorted(d for d in {self.label(s) for p in _SOURCES for s in self.values(key, p)} if d not in named)
        locators = sorted({_clip(locator.value, 120) for locator in self.values(key, _LOCATOR)})
        if not documents and not locators:
            return ""
        return "[" + ", ".join(documents) + (": " if documents and locators else "") + "; ".join(locators) + "]"

    # --- which terms are nodes (rule 1), in the engine and here

    def not_folded(self, var: str) -> str:
        """SPARQL that drops the statements and, when they fold, the records bound to ``?var``: for the
        queries over the whole graph, where the engine plans a MINUS best (one pass, then a lookup)."""
        text = f" MINUS {{ ?{var} <{RDF}subject> ?{var}_about }}"
        if self.folding and self.record_classes:
            text += (
                f" MINUS {{ ?{var} <{_TYPE}> ?{var}_record VALUES ?{var}_record {{ {_iris(self.record_classes)} }} }}"
            )
        return text + self.not_extra(var)

    def extra_list(self) -> str:
        """The records only the context types, as the terms of a SPARQL ``IN`` list."""
        return ", ".join(self.data.n3(r) for r in sorted(self.extra_records))

    def not_extra(self, var: str) -> str:
        """SPARQL that drops the records only the context types."""
        if not (self.folding and self.extra_records):
            return ""
        return f" FILTER(?{var} NOT IN ({self.extra_list()}))"

    def node_test(self, var: str) -> str:
        """SPARQL that keeps ``?var`` only when it is a node (rule 1), every condition asked of the engine:
        for views that start from a few entities, where the whole graph's schema is not read (and where
        the engine plans FILTER NOT EXISTS best: a lookup per candidate)."""
        v = var
        # each test looks one triple up by its subject or by its predicate and object (a variable
        # predicate would read every triple of the term)
        text = (
            f" FILTER(!isLiteral(?{v}))"
            f" FILTER NOT EXISTS {{ ?{v} <{RDF}subject> ?{v}_o }}"
            f" FILTER NOT EXISTS {{ ?{v}_s <{_TYPE}> ?{v} }}"
            f" FILTER NOT EXISTS {{ ?{v}_s ?{v} ?{v}_o }}"
            + "".join(
                f" FILTER NOT EXISTS {{ ?{v} <{h}> ?{v}_o }} FILTER NOT EXISTS {{ ?{v}_s <{h}> ?{v} }}"
                for h in _HIERARCHY
            )
            + f" FILTER NOT EXISTS {{ ?{v} <{_TYPE}> ?{v}_t {_among(v + '_t', self.not_node_types)} }}"
            f" FILTER(isBlank(?{v}) || !({_BUILTIN_TEST.replace('VAR', v)}))"
        )
        return text + self.not_extra(v)

    # --- the whole network

    @property
    def cache_identity(self) -> bytes | None:
        """The graph's identity when its whole network is kept in the cache (it cannot change, and no
        context adds to it), else None."""
        return self.data.identity if len(self.sources) == 1 else None

    def whole(self) -> tuple[set[str], list[tuple[str, str, str]]]:
        """Every node and every edge (from, to, key) of the network (rules 1, 2, 5 and 6)."""
        if self._whole is None:
            if self.cache_identity is not None:
                whole = self.outline()  # from the cache, or read and then kept there
                self._whole = set(whole.types), [(a, b, key) for a, b, key, _ in whole.edges]
            else:
                self._whole = self._read_whole()
        return self._whole

    def outline(self) -> Outline:
        """The whole network's outline: kept in the cache for a graph that cannot change (a store built by
        `kgtool load`, the bundled graph's), since reading it from a big graph takes seconds."""
        identity = self.cache_identity
        if identity is None:
            return self._read_outline()
        from .cache import cached_json

        # keyed on the graph, the folding, and the code whose rules make the network (this module and
        # the record classes it folds), so that a change to either is never answered from the cache
        kind = f"network 1 {'folded' if self.folding else 'records'}"
        code = [Path(__file__).read_bytes(), Path(str(provenance.__file__)).read_bytes()]
        stored = cached_json(kind, [identity, *code], lambda: self._read_outline().as_json())
        return Outline.from_json(stored)

    def _read_outline(self) -> Outline:
        if self._whole is None:
            self._whole = self._read_whole()
        nodes, edges = self._whole
        self.lookup(nodes, [_TYPE])
        types = {n: self.types(n) for n in sorted(nodes)}
        self.lookup({c for ts in types.values() for c in ts}, _LABELS)
        self.lookup({e[2] for e in edges}, [RDFS + "label"])
        return Outline(
            {n: frozenset(t) for n, t in types.items()},
            {n: self.class_label(t) for n, t in types.items()},
            [(a, b, key, self.edge_label(key)) for a, b, key in sorted(set(edges))],
        )

    def _read_whole(self) -> tuple[set[str], list[tuple[str, str, str]]]:
        data, schema_term = self.data, self.schema.has
        nodes = {
            k
            for r in data.select(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o {self.not_folded('s')} }}")
            if not schema_term(k := key_of(r["s"]))
        }
        links = _iris(p for p in self.schema.predicates() if p not in _NOT_FACTS)
        edges = []
        if links:
            for r in data.select(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {links} }} ?s ?p ?o FILTER(!isLiteral(?o)) "
                f"{self.not_folded('s')} {self.not_folded('o')} }}"
            ):
                s, o = key_of(r["s"]), key_of(r["o"])
                if s in nodes and not schema_term(o):
                    edges.append((s, o, r["p"].value))
                    nodes.add(o)
        if self.folding:
            pairs = []
            for kind, (from_p, to_p, _) in RECORD_LINKS.items():
                classes = self.classes_of(kind)
                if classes:
                    pairs += [
                        (key_of(r["a"]), key_of(r["b"]), kind)
                        for r in data.select(
                            f"SELECT DISTINCT ?a ?b WHERE {{ VALUES ?c {{ {_iris(classes)} }} ?r <{_TYPE}> ?c ; "
                            f"<{from_p}> ?a ; <{to_p}> ?b FILTER(!isLiteral(?a) && !isLiteral(?b)) }}"
                        )
                    ]
            # the entities a record names are nodes, found already but for the odd one only records name
            named = {n for a, b, _ in pairs for n in (a, b)}
            nodes |= self.entity_candidates({n for n in named - nodes if not schema_term(n)})
            edges += [(a, b, kind) for a, b, kind in pairs if a != b and a in nodes and b in nodes]
        linked = {n for e in edges for n in e[:2]}
        isolated = nodes - linked
        return nodes - self.cited_only(isolated) - self.other_names(isolated), edges

    def classes_of(self, kind: str) -> list[str]:
        """The classes whose members are records of ``kind``."""
        return sorted(c for c, k in self.kinds.items() if k == kind and not c.startswith("_:"))

    def cited_only(self, keys: set[str]) -> set[str]:
        """Those of ``keys`` that a source, a statement or (when they fold) a record refers to (rule 6)."""
        if not keys:
            return set()
        tests = [_in("q", _SOURCES), f"EXISTS {{ ?y <{RDF}subject> ?about }}"]
        if self.folding and self.record_classes:
            tests.append(f"EXISTS {{ ?y <{_TYPE}> ?c {_among('c', self.record_classes)} }}")
        if self.folding and self.extra_records:
            tests.append(f"?y IN ({self.extra_list()})")
        # one pattern and its tests, not a union (which the engine plans poorly)
        template = f"SELECT ?x WHERE {{ SCOPE FILTER EXISTS {{ ?y ?q ?x FILTER({' || '.join(tests)}) }} }}"
        return {key_of(r["x"]) for r in self.data.scoped("x", keys, template)}

    def other_names(self, keys: set[str]) -> set[str]:
        """Those of ``keys`` that say only that they are another's or were replaced by another (rule 7)."""
        if not keys:
            return set()
        template = (
            f"SELECT DISTINCT ?x WHERE {{ SCOPE ?x ?same ?o {_among('same', _OTHER_NAMES)} "
            f"FILTER NOT EXISTS {{ ?x ?p ?v FILTER(!({_in('p', _OTHER_NAMES)})) }} }}"
        )
        return {key_of(r["x"]) for r in self.data.scoped("x", keys, template)}

    # --- a part of the network, from a few entities outwards

    def links_of(self, var: str, records: bool = True) -> str:
        """SPARQL binding ``?other`` to each entity linked to ``?var`` (either way; through a folded
        record's relation too): the node test of ``?other`` is up to the caller."""
        branches = [
            f"{{ ?{var} ?p ?other FILTER(?p NOT IN ({_NOT_FACTS_LIST})) }}",
            f"{{ ?other ?p ?{var} FILTER(?p NOT IN ({_NOT_FACTS_LIST})) }}",
        ]
        if self.folding and records:
            for kind, (from_p, to_p, _) in RECORD_LINKS.items():
                classes = self.classes_of(kind)
                if classes:
                    for a, b in ((from_p, to_p), (to_p, from_p)):
                        branches.append(f"{{ ?r <{a}> ?{var} ; <{b}> ?other ; <{_TYPE}> ?c {_among('c', classes)} }}")
        return " UNION ".join(branches)

    def restriction(self, var: str, include: AbstractSet[str], exclude: AbstractSet[str]) -> str:
        text = ""
        if include:
            text += f" FILTER EXISTS {{ ?{var} <{_TYPE}> ?{var}_in {_among(var + '_in', include)} }}"
        if exclude:
            text += f" FILTER NOT EXISTS {{ ?{var} <{_TYPE}> ?{var}_out {_among(var + '_out', exclude)} }}"
        return text

    def linked(self, keys: Iterable[str]) -> dict[str, set[str]]:
        """Each of ``keys`` -> the terms linked to it, before the node test."""
        keys = set(keys)
        missing = keys - self._linked.keys()
        if missing:
            for key in missing:
                self._linked[key] = set()
            for r in self.data.scoped(
                "n",
                missing,
                "SELECT DISTINCT ?n ?other WHERE "
                f"{{ SCOPE {{ {self.links_of('n')} }} "
                "FILTER(?other != ?n && !isLiteral(?other)) }",
            ):
                self._linked[key_of(r["n"])].add(key_of(r["other"]))
        return {key: self._linked[key] for key in keys}

    def passing(self, keys: set[str], include: AbstractSet[str], exclude: AbstractSet[str]) -> set[str]:
        """Those of ``keys`` that are nodes of the network restricted to the classes given."""
        known = self._passed.setdefault((frozenset(include), frozenset(exclude)), {})
        missing = keys - known.keys()
        if missing:
            restriction = self.restriction("x", include, exclude)
            passed = {
                key_of(r["x"])
                for r in self.data.scoped(
                    "x", missing, f"SELECT ?x WHERE {{ SCOPE {self.node_test('x')}{restriction} }}"
                )
            }
            known.update((key, key in passed) for key in missing)
        return {key for key in keys if known[key]}

    def neighbours(
        self, keys: Iterable[str], include: AbstractSet[str] = frozenset(), exclude: AbstractSet[str] = frozenset()
    ) -> dict[str, set[str]]:
        """Each of ``keys`` that has neighbours in the network restricted to the classes given -> them:
        the linked terms first, then the node test once for each of them (not once per link)."""
        linked = self.linked(keys)
        passed = self.passing(set().union(*linked.values()), include, exclude)
        return {key: found for key, others in linked.items() if (found := others & passed)}

    def entity_candidates(self, keys: set[str]) -> set[str]:
        """Those of ``keys`` that the graph holds and the node test lets through (rule 1)."""
        if not keys:
            return set()
        return {
            key_of(r["x"])
            for r in self.data.scoped(
                "x",
                keys,
                f"SELECT ?x WHERE {{ SCOPE FILTER(EXISTS {{ ?x ?p ?o }} || EXISTS {{ ?s ?p ?x }}) "
                f"{self.node_test('x')} }}",
            )
        }

    def entities(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` that are nodes of the whole network."""
        keys = set(keys)
        if not keys:
            return set()
        candidates = self.entity_candidates(keys)
        linked = set(self.neighbours(candidates))
        lone = candidates - linked
        subjects = (
            {
                key_of(r["x"])
                for r in self.data.scoped("x", lone, "SELECT ?x WHERE { SCOPE FILTER EXISTS { ?x ?p ?o } }")
            }
            if lone
            else set()
        )
        return linked | (subjects - self.cited_only(subjects) - self.other_names(subjects))

    def find_entity(self, text: str, include: set[str], exclude: set[str]) -> str | None:
        """The node named by ``text``, as :func:`resolve_entity` finds it in the restricted network;
        None when a label search cannot settle it (no label matches: the whole network decides)."""
        from .queries import parse_value

        value = parse_value(text)
        if isinstance(value, Term) and value.kind == "uri":
            if value.value in self.entities([value.value]) and kept(self.types(value.value), include, exclude):
                return value.value
            raise not_an_entity(text)
        # any case and spacing; the regular expression finds them faster than a comparison of LCASE
        words = "\\s+".join(re.sub(r"([\\.^$|?*+()\[\]{}-])", r"\\\1", word) for word in text.split())
        pattern = Term("literal", f"^\\s*{words}\\s*$").n3()
        rows = self.data.select(
            f"SELECT DISTINCT ?x WHERE {{ VALUES ?p {{ {_iris([*_LABELS, *_ALIASES])} }} ?x ?p ?l "
            f'FILTER(isLiteral(?l) && REGEX(?l, {pattern}, "i")) }}'
        )
        candidates = {key_of(r["x"]) for r in rows}
        self.lookup(candidates, [*_LABELS, *_ALIASES, _TYPE])
        found = sorted(
            k
            for k in self.entities(candidates)
            if kept(self.types(k), include, exclude) and names(self.label(k), self.aliases(k), text)
        )
        if len(found) > 1:
            raise ambiguous(text, found)
        iri = resource_iri(text)
        if not found and iri and iri in self.entities([iri]) and kept(self.types(iri), include, exclude):
            return iri  # no label: the end of one of the graph's IRIs
        return found[0] if found else None

    def around(
        self, focus: str, depth: int, include: set[str], exclude: set[str], spared: set[str] | None
    ) -> tuple[set[str] | None, int]:
        """The nodes within ``depth`` links of ``focus`` in the restricted network, hubs left out (unless
        ``spared`` is None: no hubs are left out), and how many hubs were; None when the walk meets a
        blank node."""
        reached, frontier = {focus}, [focus]
        left_out: set[str] = set()
        for _ in range(depth):
            found = set().union(*self.neighbours(frontier, include, exclude).values()) - reached - left_out
            if any(k.startswith("_:") for k in found):
                return None, 0
            if spared is not None and found:
                hubs = self.hubs(found, spared, include, exclude)
                left_out |= hubs
                found -= hubs
            reached |= found
            frontier = sorted(found)
        return reached, len(left_out)

    def hubs(self, keys: set[str], spared: set[str], include: set[str], exclude: set[str]) -> set[str]:
        """The hubs among ``keys`` (:func:`hubs`), none of them of a ``spared`` class."""
        self.lookup(keys, [_TYPE])
        candidates = {k for k in keys if not self.types(k) & spared}
        by_class = {k for k in candidates if self.types(k) & HUB_CLASSES}
        # more linked terms than the hub degree before the node test, or no hub; and of a hub with
        # thousands, a sample that passes the test settles it
        linked = {k: others for k, others in self.linked(candidates - by_class).items() if len(others) > HUB_DEGREE}
        samples = {k: set(sorted(others)[: 2 * HUB_DEGREE]) for k, others in linked.items()}
        passed = self.passing(set().union(*samples.values()), include, exclude)
        unsettled = {k for k, sample in samples.items() if len(sample & passed) <= HUB_DEGREE and sample != linked[k]}
        passed |= self.passing(set().union(*(linked[k] for k in unsettled)), include, exclude)
        return by_class | {k for k, others in linked.items() if len(others & passed) > HUB_DEGREE}

    def edges_among(self, nodes: set[str]) -> list[tuple[str, str, str]]:
        """The edges (from, to, key) between ``nodes``."""
        template = (
            f"SELECT ?s ?p ?o WHERE {{ SCOPE ?s ?p ?o FILTER(?p NOT IN ({_NOT_FACTS_LIST})) FILTER(!isLiteral(?o)) }}"
        )
        edges = [
            (s, o, r["p"].value)
            for r in self.data.scoped("s", nodes, template)
            if (s := key_of(r["s"])) in nodes and (o := key_of(r["o"])) in nodes
        ]
        if self.folding:
            for kind, (from_p, to_p, _) in RECORD_LINKS.items():
                classes = self.classes_of(kind)
                if classes:
                    rows = self.data.scoped(
                        "a",
                        nodes,
                        f"SELECT DISTINCT ?a ?b WHERE {{ SCOPE ?r <{from_p}> ?a ; "
                        f"<{to_p}> ?b ; <{_TYPE}> ?c {_among('c', classes)} }}",
                    )
                    edges += [
                        (a, b, kind)
                        for r in rows
                        if r["b"].kind != "literal" and (a := key_of(r["a"])) != (b := key_of(r["b"])) and b in nodes
                    ]
        return edges

    # --- the tooltips (rules 3, 4 and 5) and the networkx graph

    def network(self, nodes: Iterable[str] | None = None, *, details: bool = True) -> nx.MultiDiGraph:
        """The network of ``nodes`` (all of them when None) and the links between them."""
        import networkx as nx

        if nodes is None:
            nodes, edges = self.whole()
        else:
            nodes = set(nodes)
            edges = (
                [e for e in self._whole[1] if e[0] in nodes and e[1] in nodes]
                if self._whole is not None
                else self.edges_among(nodes)
            )

        self.lookup(nodes, [_TYPE, *_LABELS, *_ALIASES] + ([*_DEFINITIONS, DCTERMS + "source"] if details else []))
        self.lookup({t for n in nodes for t in self.types(n)}, _LABELS)
        self.lookup({e[2] for e in edges}, [RDFS + "label"])
        edge_details: dict = {}
        facts: dict = {}
        folded: dict = {}
        if details:
            provenance = self.provenance(nodes)
            facts = self.facts(nodes, provenance)
            folded, record_lines = self.fold_records(nodes) if self.folding else ({}, {})
            edge_details = {(s, o, key): provenance.get((s, key, o), "") for s, o, key in edges}
            for (a, b, kind), lines in record_lines.items():
                edge_details[(a, b, kind)] = "\n".join(sorted(set(lines)))
        network = nx.MultiDiGraph()
        for node in sorted(nodes):
            network.add_node(node, **self.attributes(node, details, facts.get(node, ()), folded.get(node, {})))
        for s, o, key in sorted(set(edges)):
            data = {"property": key, "label": self.edge_label(key)}
            if details:
                data["details"] = edge_details.get((s, o, key), "")
            network.add_edge(s, o, key=key, **data)
        return network

    def provenance(self, nodes: set[str]) -> dict:
        """Rule 4: (subject, predicate, object) -> the sources of the statements that reify it, for the
        statements about ``nodes``."""
        rows = self.data.scoped(
            "s",
            nodes,
            f"SELECT ?st ?s ?p ?o WHERE {{ SCOPE ?st <{RDF}subject> ?s ; <{RDF}predicate> ?p ; <{RDF}object> ?o }}",
        )
        statements = {key_of(r["st"]) for r in rows}
        self.lookup(statements, [*_SOURCES, _LOCATOR])
        self.lookup(
            _resources(d for st in statements for p in _SOURCES for d in self.values(st, p)), [*_LABELS, KG + "url"]
        )
        found: dict = defaultdict(set)
        for r in rows:
            st, subject = key_of(r["st"]), key_of(r["s"])
            text = self.sources_text(st)
            if text:
                found[(subject, r["p"].value, _object_key(r["o"]))].add(text)
                self.cited[subject].update(self.documents(st))
        return {triple: " ".join(sorted(texts)) for triple, texts in found.items()}

    def facts(self, nodes: set[str], provenance: dict) -> dict[str, list[str]]:
        """Rule 3: each node's literals, and its links to things that are no node."""
        template = (
            f"SELECT ?s ?p ?o ?statement ?record ?property ?class WHERE {{ SCOPE ?s ?p ?o "
            f"FILTER(?p NOT IN ({_NOT_FACTS_LIST})) "
            f"BIND(EXISTS {{ ?o <{RDF}subject> ?about }} AS ?statement) "
            f"BIND(EXISTS {{ ?o <{_TYPE}> ?c {_among('c', self.record_classes)} }} AS ?record) "
            "BIND(EXISTS { ?x ?o ?y } AS ?property) "
            f"BIND(EXISTS {{ ?x <{_TYPE}> ?o }} AS ?class) }}"
        )
        rows = self.data.scoped("s", nodes, template)
        shown = []
        for r in rows:
            o = r["o"]
            if o.kind == "literal":
                shown.append(r)
                continue
            key = key_of(o)
            statement, record = r["statement"].value == "true", r["record"].value == "true" or key in self.extra_records
            schema = self.schema.has(key, scan=False) or "true" in (r["property"].value, r["class"].value)
            if not (schema or statement or (self.folding and record)):
                continue  # a node: a link (rule 2)
            if statement or (o.kind == "uri" and not schema and record):
                continue  # a folded record tells its own story (rule 5)
            shown.append(r)
        self.lookup(_resources(r["o"] for r in shown) | {r["p"].value for r in shown}, _LABELS)
        facts: dict = defaultdict(list)
        for r in shown:
            s, p = key_of(r["s"]), r["p"].value
            where = provenance.get((s, p, _object_key(r["o"])), "")
            facts[s].append(f"{self.property_label(p)}: {_clip(self.label(r['o']))}" + (f" {where}" if where else ""))
        return facts

    def fold_records(self, nodes: set[str]) -> tuple[dict, dict]:
        """Rule 5: the lines each record adds to the tooltips of the ``nodes`` it is about, and the lines of
        the relations kept as edges between them."""
        typed = f"EXISTS {{ ?r <{_TYPE}> ?c {_among('c', self.record_classes)} }}" if self.record_classes else ""
        extra = f"?r IN ({self.extra_list()})" if self.extra_records else ""
        test = " || ".join(t for t in (typed, extra) if t)
        if not test:
            return {}, {}
        rows = self.data.scoped(
            "a",
            nodes,
            f"SELECT DISTINCT ?r WHERE {{ SCOPE ?r ?p ?a {_among('p', _ANCHOR_PROPERTIES)} FILTER({test}) }}",
        )
        records = {key_of(r["r"]) for r in rows}
        self.lookup(records, [_TYPE, *_LABELS, *_ANCHOR_PROPERTIES, *_RECORD_FIELDS, *_SOURCES, _LOCATOR])
        self.lookup(
            _resources(v for r in records for p in (*_RECORD_FIELDS, *_SOURCES) for v in self.values(r, p)) | _RECORDS,
            [*_LABELS, KG + "url"],
        )
        folded: dict = defaultdict(lambda: defaultdict(list))
        links: dict = defaultdict(list)
        for record in sorted(records):
            kind = self.record_class(record)
            if kind is None:
                continue
            value = " ".join(
                self.label(min(vs, key=lambda t: (t.value, t.kind)))
                for p in (KG + "value", KG + "unit")
                if (vs := self.values(record, p))
            )
            status = ", ".join(sorted(self.label(s) for s in self.values(record, KG + "status")))
            label = self.label(record)
            line = _clip(label + (f": {value}" if value else "") + (f" ({status})" if status else ""))
            where = self.sources_text(record, named=label)
            line += f" {where}" if where else ""
            about = [
                k
                for p in RECORD_ANCHORS.get(kind, (KG + "about",))
                for v in self.values(record, p)
                if (k := key_of(v)) in nodes and v.kind != "literal"
            ]
            for anchor in dict.fromkeys(about):
                folded[anchor][self.label(kind)].append(line)
                self.cited[anchor].update(self.documents(record))
            if kind in RECORD_LINKS:
                from_p, to_p, _ = RECORD_LINKS[kind]
                for a in self.values(record, from_p):
                    for b in self.values(record, to_p):
                        if (
                            a != b
                            and a.kind != "literal"
                            and b.kind != "literal"
                            and key_of(a) in nodes
                            and key_of(b) in nodes
                        ):
                            links[(key_of(a), key_of(b), kind)].append(line)
        return folded, links

    def attributes(self, node: str, details: bool, facts, folded: dict) -> dict:
        """A node's attributes: label, classes and (with ``details``) the tooltip text."""
        node_types = self.types(node)
        cls = self.main_class(node_types)
        class_label = self.label(cls) if cls is not None else "resource"
        aliases = self.aliases(node)
        attributes = {
            "label": self.label(node),
            "aliases": tuple(aliases),
            "types": frozenset(node_types),
            "cls": cls or "",
            "class_label": class_label,
            "record": self.record_class(node) is not None,
        }
        if not details:
            return attributes
        # every most specific class in the text (GPT-4 is a language model and a vision-language model);
        # the colour and shape follow the one main class
        lines = [f"{', '.join(self.most_specific_labels(node_types)) or class_label} · {prefixed(node)}"]
        for p in _DEFINITIONS:
            definition = self.values(node, p)
            if definition:
                lines.append(_clip(min(definition, key=lambda d: d.value).value))
                break
        if aliases:
            lines.append("also known as: " + ", ".join(aliases))
        lines += sorted(set(facts), key=str.lower)
        for kind, entries in sorted(folded.items()):
            shown = sorted(set(entries), key=str.lower)
            lines.append(_plural(kind, len(shown)) + ":")
            lines += [f"  {e}" for e in shown[:RECORDS_PER_KIND]]
            if len(shown) > RECORDS_PER_KIND:
                lines.append(f"  … {len(shown) - RECORDS_PER_KIND} more")
        own = self.values(node, DCTERMS + "source")
        self.lookup(_resources(own), _LABELS)
        own_sources = sorted({self.label(x) for x in own})
        if own_sources:
            lines.append("sources: " + "; ".join(own_sources))
        cited = {**self.cited.get(node, {}), **{self.label(x): x.value for x in own}}
        return {
            **attributes,
            "details": "\n".join(lines),
            "sources": tuple(sorted(cited.items(), key=lambda item: item[0].lower())),
        }
