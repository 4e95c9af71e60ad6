"""The network projection of the RDF graph, and its analytics: statistics, centrality, paths, communities.

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
   kinds also keep their relation as one edge: a model is "evaluated on" a benchmark (one edge per pair,
   its tooltip listing the results) and a work is "influenced by" another. With ``records=True``
   records are nodes like any entity, and no such edges are made.

Path, centrality and community analytics treat the network as undirected: the direction of an RDF
property is a naming choice (``developedBy`` could as well be ``develops``), and paths print each
link with its true direction.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KgtoolError, QueryError
from .namespaces import KG, PREFIXES
from .results import from_rdflib, prefixed, short  # one term conversion and display, shared
from .provenance import RECORD_CLASSES

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
DCTERMS = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]

_BUILTIN = tuple(PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd", "sh"))
_META_TYPES = frozenset(
    [OWL + n for n in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "Ontology",
                       "TransitiveProperty", "SymmetricProperty", "FunctionalProperty",
                       "InverseFunctionalProperty", "Restriction")]
    + [RDFS + "Class", RDFS + "Datatype", RDF + "Property", SKOS + "ConceptScheme",
       SKOS + "Collection",  # a named group (the seven models) is a list, not a thing its members link through
       PREFIXES["sh"] + "NodeShape", PREFIXES["sh"] + "PropertyShape"])
_LABELS = (RDFS + "label", SKOS + "prefLabel")
_ALIASES = (SKOS + "altLabel",)
_DEFINITIONS = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")
_SOURCES = (KG + "source", DCTERMS + "source", PROV + "hadPrimarySource")
_LOCATOR = KG + "locator"
# the vocabulary's structure, not links between things
_STRUCTURE = frozenset([RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object",
                        RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
                        OWL + "sameAs", OWL + "equivalentClass", OWL + "equivalentProperty",
                        SKOS + "inScheme", SKOS + "topConceptOf", SKOS + "hasTopConcept"])
_NOT_FACTS = frozenset([*_LABELS, *_ALIASES, *_DEFINITIONS, *_SOURCES, _LOCATOR, *_STRUCTURE])

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

TEXT_LIMIT = 240        # characters of a literal or definition shown in a tooltip
RECORDS_PER_KIND = 8    # record lines per kind in a tooltip; the rest are counted

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def _clip(text: str, limit: int = TEXT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _plural(label: str, count: int) -> str:
    return f"{count} {label}" + ("" if count == 1 else "s")


# ---------------------------------------------------------------------------------------------
# the projection

def project(graph: "Graph", *, records: bool = False, context: "Graph | None" = None) -> "nx.MultiDiGraph":
    """The network of ``graph``'s entities, by the rules of this module's docstring.

    ``context`` is a graph where labels, classes and the class hierarchy are looked up as well (the
    whole graph, when ``graph`` is a query result). Node attributes: ``label``, ``aliases``, ``types``
    (the classes), ``cls`` and ``class_label`` (the one shown), ``details`` (the tooltip text below the
    label) and ``record``. Edge attributes: ``property`` (IRI), ``label`` and ``details``.
    """
    return _Projection(graph, context if context is not None else graph, records).build()


class _Projection:
    def __init__(self, graph: "Graph", context: "Graph", records: bool):
        self.graph, self.context, self.keep_records = graph, context, records
        self.sources = (graph,) if context is graph else (graph, context)
        self._labels: dict = {}
        self._property_labels: dict = {}
        self._depth: dict = {}
        self._superclasses: dict = {}
        self.cited: dict = defaultdict(dict)  # node term -> {document label: link} of the facts about it

    # --- lookups

    def values(self, node, predicate: str) -> list:
        from rdflib import URIRef

        found = []
        for g in self.sources:
            found += [o for o in g.objects(node, URIRef(predicate)) if o not in found]
        return found

    def label(self, term) -> str:
        if term not in self._labels:
            from rdflib import Literal

            if isinstance(term, Literal):
                return _literal_text(term)
            best = None
            for predicate in _LABELS:
                candidates = self.values(term, predicate)
                if candidates:
                    # an English or untagged label first, then any, in a stable order
                    best = min(candidates, key=lambda l: (getattr(l, "language", None) not in (None, "en"), str(l)))
                    break
            if best is not None:
                self._labels[term] = " ".join(str(best).split())
            else:
                text = str(term)
                self._labels[term] = local_name(text) if "/" in text or "#" in text else text
        return self._labels[term]

    def property_label(self, predicate) -> str:
        if predicate not in self._property_labels:
            labels = self.values(predicate, RDFS + "label")
            self._property_labels[predicate] = str(min(labels, key=str)) if labels else \
                _CAMEL.sub(" ", local_name(str(predicate))).lower()
        return self._property_labels[predicate]

    def superclasses(self, cls) -> set:
        """``cls`` and every class above it."""
        if cls not in self._superclasses:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.values(todo.pop(), RDFS + "subClassOf"):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._superclasses[cls] = seen
        return self._superclasses[cls]

    def depth(self, cls) -> int:
        if cls not in self._depth:
            self._depth[cls] = len(self.superclasses(cls))
        return self._depth[cls]

    def main_class(self, types: Iterable) -> str | None:
        """The most specific class, the project's own terms and non-builtin terms first."""
        candidates = [t for t in types if not str(t).startswith(_BUILTIN)] or list(types)
        if not candidates:
            return None
        return min(candidates, key=lambda t: (not str(t).startswith(KG), -self.depth(t),
                                              self.label(t).lower(), str(t)))

    def most_specific_labels(self, types: Iterable) -> list[str]:
        """The labels of the classes no other of ``types`` is a subclass of (the project's own terms)."""
        own = [t for t in types if str(t).startswith(KG)]
        narrowest = [t for t in own if not any(t != o and t in self.superclasses(o) for o in own)]
        return sorted(self.label(t) for t in narrowest)

    def documents(self, node) -> dict:
        """The documents a statement or record cites: label -> where to read it (its URL, else its IRI)."""
        found = {}
        for p in _SOURCES:
            for document in self.values(node, p):
                url = [u for u in self.values(document, KG + "url") if str(u).startswith(("http://", "https://"))]
                found[self.label(document)] = str(min(url, key=str)) if url else str(document)
        return found

    def sources_text(self, node) -> str:
        """``[LLaMA paper (arXiv 2302.13971): §2.2]`` for a statement or record node; "" when unsourced."""
        documents = sorted({self.label(s) for p in _SOURCES for s in self.values(node, p)})
        locators = sorted({_clip(str(l), 120) for l in self.values(node, _LOCATOR)})
        if not documents and not locators:
            return ""
        return "[" + ", ".join(documents) + (": " if documents and locators else "") + "; ".join(locators) + "]"

    # --- the rules

    def build(self) -> "nx.MultiDiGraph":
        self._classify()
        network, terms, facts = self._links_and_facts(self._provenance())
        folded = {} if self.keep_records else self._fold_records(network, terms)
        # an entity with no link of its own that only folded statements and records refer to (a document
        # cited as a source, a claim status, an evaluation setting) lives in their tooltip lines
        cited = {o for s, p, o in self.graph if str(p) in _SOURCES or s in self.statements
                 or (not self.keep_records and self.record_class(s) is not None)}
        for nid in [n for n, degree in network.degree() if degree == 0 and terms[n] in cited]:
            network.remove_node(nid)
            del terms[nid]
        for nid, node in terms.items():
            network.nodes[nid].update(self._attributes(nid, node, facts.get(nid, ()), folded.get(nid, {})))
        return _sorted_copy(network)

    def _classify(self) -> None:
        """Each term's classes, and which terms are schema terms and statements (rule 1)."""
        from rdflib import BNode, URIRef

        self.types: dict = defaultdict(set)
        for source in self.sources:
            for s, t in source.subject_objects(URIRef(RDF + "type")):
                self.types[s].add(t)
        schema = {t for ts in self.types.values() for t in ts}
        schema |= {s for s, ts in self.types.items() if {str(t) for t in ts} & _META_TYPES}
        for source in self.sources:
            schema |= set(source.predicates())
            for p in (RDFS + "subClassOf", RDFS + "subPropertyOf"):
                for s, o in source.subject_objects(URIRef(p)):
                    schema |= {s, o}
        self.schema = schema
        self.statements = set(self.graph.subjects(URIRef(RDF + "subject"), None))
        self._is_node: dict = {}
        self._resources = (URIRef, BNode)

    def record_class(self, term) -> str | None:
        for t in self.types.get(term, ()):
            for c in self.superclasses(t):
                if str(c) in _RECORDS:
                    return str(c)
        return None

    def is_node(self, term) -> bool:
        if term not in self._is_node:
            self._is_node[term] = isinstance(term, self._resources) and not (
                term in self.schema or term in self.statements or str(term).startswith(_BUILTIN)
                or (not self.keep_records and self.record_class(term) is not None))
        return self._is_node[term]

    def _provenance(self) -> dict:
        """Rule 4: (subject, predicate, object) -> the sources of the statements that reify it."""
        from rdflib import URIRef

        g, found = self.graph, defaultdict(set)
        for st in self.statements:
            triple = tuple(g.value(st, URIRef(RDF + part)) for part in ("subject", "predicate", "object"))
            text = self.sources_text(st)
            if text:
                found[triple].add(text)
                self.cited[triple[0]].update(self.documents(st))
        return {triple: " ".join(sorted(texts)) for triple, texts in found.items()}

    def _links_and_facts(self, provenance: dict):
        """Rules 2 and 3: the edges between entities, and each entity's facts."""
        import networkx as nx
        from rdflib import URIRef

        network = nx.MultiDiGraph()
        terms: dict = {}   # node id -> rdflib term
        facts: dict = defaultdict(list)

        def node(term) -> str:
            nid = _node_id(term)
            if nid not in terms:
                terms[nid] = term
                network.add_node(nid)
            return nid

        for s, p, o in self.graph:
            if not self.is_node(s):
                continue
            sid, key = node(s), str(p)
            if key in _NOT_FACTS:
                continue
            where = provenance.get((s, p, o), "")
            if self.is_node(o):
                network.add_edge(sid, node(o), key=key, property=key, label=self.property_label(p), details=where)
            elif o in self.statements or isinstance(o, URIRef) and o not in self.schema \
                    and self.record_class(o) is not None:
                continue  # a folded record tells its own story (rule 5)
            else:
                facts[sid].append(f"{self.property_label(p)}: {_clip(self.label(o))}" + (f" {where}" if where else ""))
        return network, terms, facts

    def _attributes(self, nid: str, node, facts, folded: dict) -> dict:
        """A node's attributes: label, classes and the tooltip text."""
        node_types = self.types.get(node, set())
        cls = self.main_class(node_types)
        class_label = self.label(cls) if cls is not None else "resource"
        aliases = sorted({" ".join(str(a).split()) for p in _ALIASES for a in self.values(node, p)})
        # every most specific class in the text (GPT-4 is a language model and a vision-language model);
        # the colour and shape follow the one main class
        lines = [f"{', '.join(self.most_specific_labels(node_types)) or class_label} · {prefixed(nid)}"]
        for p in _DEFINITIONS:
            definition = self.values(node, p)
            if definition:
                lines.append(_clip(str(min(definition, key=str))))
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
        own_sources = sorted({self.label(x) for x in self.values(node, DCTERMS + "source")})
        if own_sources:
            lines.append("sources: " + "; ".join(own_sources))
        cited = {**self.cited.get(node, {}), **{self.label(x): str(x) for x in self.values(node, DCTERMS + "source")}}
        return {"label": self.label(node), "aliases": tuple(aliases), "types": frozenset(str(t) for t in node_types),
                "cls": str(cls) if cls is not None else "", "class_label": class_label,
                "details": "\n".join(lines), "record": self.record_class(node) is not None,
                "sources": tuple(sorted(cited.items(), key=lambda item: item[0].lower()))}

    def _fold_records(self, network, terms: dict) -> dict:
        """Rule 5: each record becomes a line in the tooltips of its anchors (and maybe one edge)."""
        from rdflib import URIRef

        ids = {term: nid for nid, term in terms.items()}
        folded: dict = defaultdict(lambda: defaultdict(list))
        links: dict = {}
        for record in sorted({s for s in self.graph.subjects() if self.record_class(s) is not None}):
            kind = self.record_class(record)
            value = " ".join(self.label(v) for p in (KG + "value", KG + "unit") for v in self.values(record, p)[:1])
            status = ", ".join(self.label(s) for s in self.values(record, KG + "status"))
            line = _clip(self.label(record) + (f": {value}" if value else "") + (f" ({status})" if status else ""))
            where = self.sources_text(record)
            line += f" {where}" if where else ""
            anchors = [ids[a] for p in RECORD_ANCHORS.get(kind, (KG + "about",))
                       for a in self.values(record, p) if a in ids]
            for anchor in dict.fromkeys(anchors):
                folded[anchor][self.label(URIRef(kind))].append(line)
                self.cited[terms[anchor]].update(self.documents(record))
            if kind in RECORD_LINKS:
                source_p, target_p, label = RECORD_LINKS[kind]
                for a in self.values(record, source_p):
                    for b in self.values(record, target_p):
                        if a in ids and b in ids and a != b:
                            links.setdefault((ids[a], ids[b], kind, label), []).append(line)
        for (a, b, kind, label), lines in links.items():
            network.add_edge(a, b, key=kind, property=kind, label=label, details="\n".join(sorted(set(lines))))
        return folded


def _sorted_copy(network: "nx.MultiDiGraph") -> "nx.MultiDiGraph":
    """The same network with nodes and edges in sorted order, so that everything written from it
    (pages, GraphML) is the same from run to run, whatever order the store yields triples in."""
    import networkx as nx

    ordered = nx.MultiDiGraph()
    ordered.add_nodes_from(sorted(network.nodes(data=True), key=lambda item: item[0]))
    ordered.add_edges_from(sorted(network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])))
    return ordered


def _literal_text(literal) -> str:
    return short(from_rdflib(literal))


def _node_id(term) -> str:
    from rdflib import BNode

    return f"_:{term}" if isinstance(term, BNode) else str(term)


# ---------------------------------------------------------------------------------------------
# loading, and choosing what to look at

def load_rdf(extra: Iterable[str | Path] = (), *, infer: bool = False, endpoint: str | None = None,
             timeout: float = 30.0, credentials=None, store=None) -> "Graph":
    """The graph to project: the bundled files plus ``extra`` (:func:`kgtool.store.load_graph`), or
    every triple of ``endpoint``'s default graph."""
    if store is not None:
        return StoreGraph(store)
    if endpoint is None:
        from .store import load_graph

        return load_graph(extra, infer=infer)
    from .sparql import run_query
    from .store import bind_prefixes

    result = run_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", endpoint=endpoint, infer=infer,
                       extra=extra, timeout=timeout, **({"credentials": credentials} if credentials else {}))
    return bind_prefixes(to_rdflib(result.triples))


class StoreGraph:
    """An Oxigraph store seen through the few rdflib ``Graph`` methods the projection calls, answered from
    the store's own indexes: a persistent store of millions of triples is projected without being copied
    into an rdflib graph. Terms come out as rdflib terms, converted on the way. The look-ups of one
    property for one resource (labels, sources, types...), hundreds of thousands of them, are answered
    from an index of that property built by one scan on its first use: a scan per look-up costs more."""

    def __init__(self, store):
        import pyoxigraph as ox
        from rdflib import BNode, Literal, URIRef

        self.store, self._ox = store, ox
        self._rdflib_classes = (URIRef, BNode, Literal)
        self._by_property: dict = {}  # property -> {subject: [objects]}

    # rdflib term <-> Oxigraph term
    @functools.lru_cache(maxsize=1 << 16)
    def _rdflib(self, term):
        URIRef, BNode, Literal = self._rdflib_classes
        ox = self._ox
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))

    def _oxigraph(self, term):
        URIRef, BNode, Literal = self._rdflib_classes
        ox = self._ox
        if term is None:
            return None
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
        return ox.BlankNode(str(term)) if isinstance(term, BNode) else ox.NamedNode(str(term))

    def _index(self, predicate) -> dict:
        index = self._by_property.get(predicate)
        if index is None:
            index = defaultdict(list)
            convert = self._rdflib
            for quad in self.store.quads_for_pattern(None, self._oxigraph(predicate), None, self._ox.DefaultGraph()):
                index[convert(quad.subject)].append(convert(quad.object))
            self._by_property[predicate] = index
        return index

    def triples(self, pattern):
        s, p, o = pattern
        if s is not None and p is not None and o is None:
            for found in self._index(p).get(s, ()):
                yield s, p, found
            return
        convert = self._rdflib
        for quad in self.store.quads_for_pattern(self._oxigraph(s), self._oxigraph(p), self._oxigraph(o),
                                                 self._ox.DefaultGraph()):
            yield convert(quad.subject), convert(quad.predicate), convert(quad.object)

    def __iter__(self):
        return self.triples((None, None, None))

    def __len__(self) -> int:
        return len(self.store)

    def objects(self, subject=None, predicate=None):
        if subject is not None and predicate is not None:
            return iter(self._index(predicate).get(subject, ()))
        return (o for _, _, o in self.triples((subject, predicate, None)))

    def subjects(self, predicate=None, object=None):
        seen = set()
        for s, _, _ in self.triples((None, predicate, object)):
            if s not in seen:
                seen.add(s)
                yield s

    def predicates(self):
        # the engine finds the distinct predicates without handing every triple to Python
        return {self._rdflib(row["p"]) for row in self.store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}

    def subject_objects(self, predicate=None):
        return ((s, o) for s, _, o in self.triples((None, predicate, None)))

    def value(self, subject, predicate):
        return next(self.objects(subject, predicate), None)

    def transitive_subjects(self, predicate, object):
        seen, todo = {object}, [object]
        while todo:
            for s in self.subjects(predicate, todo.pop()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return seen


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(triples: Iterable) -> "Graph":
    """Triples of :class:`kgtool.results.Term` as an rdflib graph."""
    from rdflib import Graph

    from . import results

    converted: dict = {}  # each distinct term once: answers repeat predicates, types and labels

    def term(t):
        found = converted.get(t)
        if found is None:
            found = converted[t] = results.to_rdflib(t)
        return found

    graph = Graph()
    add = graph.add
    for s, p, o in triples:
        add((term(s), term(p), term(o)))
    return graph


def resolve_entity(network: "nx.MultiDiGraph", text: str) -> str:
    """The node named by ``text``: an IRI (``<...>`` or bare), a prefixed name (``kgr:llama``), or a
    label or alternative label (any case). An unknown or ambiguous name is a :class:`QueryError`."""
    from .queries import parse_value
    from .results import Term

    value = parse_value(text)
    if isinstance(value, Term) and value.kind == "uri":
        if value.value in network:
            return value.value
        raise QueryError(f"{text} is not an entity of the network (a record, statement or schema term "
                         "is folded into the entities; --records draws records as nodes)")
    wanted = " ".join(text.split()).lower()
    found = sorted(n for n, data in network.nodes(data=True)
                   if data.get("label", "").lower() == wanted or wanted in (a.lower() for a in data.get("aliases", ())))
    if len(found) == 1:
        return found[0]
    if found:
        raise QueryError(f"{text!r} is ambiguous: it is the label of " + ", ".join(prefixed(n) for n in found)
                         + "; give the IRI instead")
    import difflib

    labels = {data.get("label", ""): n for n, data in network.nodes(data=True)}
    close = difflib.get_close_matches(text, labels, n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QueryError(f"no entity is labelled {text!r}{hint}")


def resolve_class(graph: "Graph", text: str) -> set[str]:
    """The class named by ``text`` (a label, a local name such as ``LanguageModel``, a prefixed name or
    an IRI) and all its subclasses, as IRIs."""
    from rdflib import RDF as R, RDFS as RS, URIRef

    from .queries import parse_value
    from .results import Term

    classes = set(graph.objects(None, R.type)) | set(graph.subjects(R.type, URIRef(OWL + "Class"))) \
        | set(graph.subjects(R.type, RS.Class))
    value = parse_value(text)
    if isinstance(value, Term) and value.kind == "uri":
        matches = {URIRef(value.value)} & classes
    else:
        wanted = text.strip().lower()
        matches = {c for c in classes if local_name(str(c)).lower() == wanted
                   or any(str(l).lower() == wanted for l in graph.objects(c, RS.label))}
    if not matches:
        raise QueryError(f"no class is named {text!r}; give a label (\"language model\"), a name (LanguageModel) "
                         "or a prefixed name (kg:LanguageModel)")
    if len(matches) > 1 and not (isinstance(value, Term)):
        kg_matches = {m for m in matches if str(m).startswith(KG)}
        matches = kg_matches or matches
    found = set()
    for cls in matches:
        found |= {str(c) for c in graph.transitive_subjects(RS.subClassOf, cls)}
    return found


def restrict(network: "nx.MultiDiGraph", include: Iterable[str] = (), exclude: Iterable[str] = ()) -> "nx.MultiDiGraph":
    """The entities of the ``include`` classes (all when empty), minus those of the ``exclude`` classes
    (class IRIs, subclasses already expanded)."""
    include, exclude = set(include), set(exclude)
    keep = [n for n, data in network.nodes(data=True)
            if (not include or data.get("types", frozenset()) & include)
            and not data.get("types", frozenset()) & exclude]
    return network.subgraph(keep).copy()


def neighbourhood(network: "nx.MultiDiGraph", node: str, depth: int = 1) -> "nx.MultiDiGraph":
    """``node`` and every entity at most ``depth`` links away, in either direction."""
    if depth < 0:
        raise KgtoolError("--depth must be 0 or more")
    # a walk along links either way; networkx's ego_graph would first copy the whole network undirected
    reached, frontier = {node}, [node]
    for _ in range(depth):
        found = []
        for current in frontier:
            for other in (*network.successors(current), *network.predecessors(current)):
                if other not in reached:
                    reached.add(other)
                    found.append(other)
        frontier = found
    return network.subgraph(reached).copy()


# Concepts that link to almost everything: drawn, they pull unrelated entities into every neighbourhood
# and shortest path (the "text" modality ties 42 benchmarks to LLaMA). Left out of the views and paths
# unless asked for; models are never hubs, however many links they have.
HUB_CLASSES = frozenset(KG + name for name in ("Modality", "Risk", "CodeRepository"))
HUB_DEGREE = 25


def hubs(network: "nx.MultiDiGraph", spared: Iterable[str] = (), keep: Iterable[str] = (),
         degree: int = HUB_DEGREE) -> set[str]:
    """The hub entities of ``network``: those of :data:`HUB_CLASSES`, and any with more than ``degree``
    neighbours, except entities of a ``spared`` class (IRIs, subclasses expanded) and the ``keep`` nodes."""
    spared, keep = set(spared), set(keep)
    found = set()
    for node, data in network.nodes(data=True):
        types = data.get("types", frozenset())
        if node in keep or types & spared:
            continue
        if types & HUB_CLASSES or len({*network.successors(node), *network.predecessors(node)} - {node}) > degree:
            found.add(node)
    return found


def without_hubs(graph: "Graph", network: "nx.MultiDiGraph", include: Iterable[str] = (),
                 keep: Iterable[str] = ()) -> "nx.MultiDiGraph":
    """``network`` minus its hubs; models, the ``include`` classes and the ``keep`` nodes stay."""
    try:
        spared = resolve_class(graph, KG + "Model") | set(include)
    except QueryError:  # a graph without the ontology: nothing is known to be a model
        spared = set(include)
    found = hubs(network, spared, keep)
    return network.subgraph([n for n in network if n not in found]).copy() if found else network


@dataclass
class QueryView:
    network: "nx.MultiDiGraph"
    kind: str            # "construct" or "select"
    size: int            # triples or rows of the result
    missing: list[str] = field(default_factory=list)  # IRIs of a SELECT that are no entity


def query_network(graph: "Graph", query: str, params: Mapping[str, str] | None = None, *,
                  records: bool = False, endpoint: str | None = None, timeout: float = 30.0,
                  network: "nx.MultiDiGraph | None" = None, credentials=None) -> QueryView:
    """The picture of a query result: a CONSTRUCT (or DESCRIBE) result projected as a graph of its own,
    with labels and classes from ``graph``; for a SELECT, the entities among the IRIs it returns and
    the links between them. ``query`` is a named query, a .rq file or SPARQL text; it runs on
    ``graph`` (or on ``endpoint``)."""
    from .sparql import run_query

    store = None
    if endpoint is None and isinstance(graph, StoreGraph):
        store = graph.store
    elif endpoint is None:
        import pyoxigraph

        store = pyoxigraph.Store()
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    result = run_query(query, params or {}, endpoint=endpoint, store=store, timeout=timeout,
                       **({"credentials": credentials} if credentials else {}))
    if result.kind == "ask":
        raise QueryError("an ASK query answers true or false: there is nothing to draw; use a SELECT or a CONSTRUCT")
    if result.kind == "graph":
        return QueryView(project(to_rdflib(result.triples), records=records, context=graph), "construct", len(result))
    return rows_network(network if network is not None else project(graph, records=records), result.rows)


def rows_network(full: "nx.MultiDiGraph", rows: list) -> QueryView:
    """The entities among the IRIs of a SELECT's ``rows`` and the links between them in ``full`` (the
    projection of the graph the query ran on), with the rows' scores on the result links."""
    iris = list(dict.fromkeys(term.value for row in rows for term in row.values() if term.kind == "uri"))
    found = [i for i in iris if i in full]
    drawn = full.subgraph(found).copy()
    _label_scores(drawn, rows)
    return QueryView(drawn, "select", len(rows), [i for i in iris if i not in full])


def _label_scores(network: "nx.MultiDiGraph", rows: list) -> None:
    """Put the numbers of a SELECT's rows on the result links ("evaluated on") between the entities of
    each row, with the row's setting: a leaderboard drawn as a network shows its scores."""
    from .results import _NUMERIC

    scores: dict = defaultdict(list)
    for row in rows:
        iris = [t.value for t in row.values() if t.kind == "uri" and t.value in network]
        numbers = [t.value for v, t in row.items() if t.kind == "literal" and t.datatype in _NUMERIC
                   and v in ("value", "score")]
        if not numbers:
            continue
        setting = row.get("settingLabel") or row.get("setting")
        text = numbers[0] + (f" ({setting.value.rsplit('/', 1)[-1]})" if setting is not None else "")
        for a in iris:
            for b in iris:
                if network.has_edge(a, b, KG + "EvaluationResult") and text not in scores[(a, b)]:
                    scores[(a, b)].append(text)
    for (a, b), texts in scores.items():
        data = network.edges[a, b, KG + "EvaluationResult"]
        data["label"] = ", ".join(texts)


# ---------------------------------------------------------------------------------------------
# analytics

@dataclass
class Stats:
    nodes: int
    edges: int
    classes: list[tuple[str, int]]            # class label, entities
    properties: list[tuple[str, int]]         # property label, links
    degrees: list[tuple[str, int]]            # degree bin ("0", "1", "2", "3-4"...), entities
    degree_summary: dict[str, float]          # min, median, mean, max
    components: list[int]                     # sizes of the connected components, largest first

    @property
    def isolated(self) -> int:
        return sum(1 for size in self.components if size == 1)


def stats(network: "nx.MultiDiGraph") -> Stats:
    """Counts per class and per property, the degree distribution and the connected components."""
    import statistics

    import networkx as nx

    classes = Counter(data.get("class_label", "resource") for _, data in network.nodes(data=True))
    properties = Counter(data.get("label", key) for _, _, key, data in network.edges(keys=True, data=True))
    degrees = [d for _, d in network.degree()]
    bins: Counter = Counter(_degree_bin(d) for d in degrees)
    order = sorted(bins, key=lambda b: int(b.split("-")[0]))
    summary = ({"min": min(degrees), "median": statistics.median(degrees), "mean": statistics.fmean(degrees),
                "max": max(degrees)} if degrees else {"min": 0, "median": 0, "mean": 0, "max": 0})
    components = sorted((len(c) for c in nx.weakly_connected_components(network)), reverse=True)
    return Stats(network.number_of_nodes(), network.number_of_edges(), _by_count(classes), _by_count(properties),
                 [(b, bins[b]) for b in order], summary, components)


def _by_count(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0].lower()))


def _degree_bin(degree: int) -> str:
    """0, 1, 2, 3-4, 5-8, 9-16...: powers of two, so a long tail stays readable."""
    if degree <= 2:
        return str(degree)
    low = 2
    while low * 2 < degree:
        low *= 2
    return f"{low + 1}-{low * 2}"


def undirected(network: "nx.MultiDiGraph") -> "nx.Graph":
    """The simple undirected graph of the network; parallel links add up to the edge's ``weight``."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(network.nodes)
    for a, b in network.edges():
        if a == b:
            continue
        if simple.has_edge(a, b):
            simple[a][b]["weight"] += 1
        else:
            simple.add_edge(a, b, weight=1)
    return simple


@dataclass(frozen=True)
class Ranked:
    node: str
    label: str
    class_label: str
    score: float


BETWEENNESS_SAMPLE = 1000  # above this many nodes, betweenness is estimated from this many sources


def centrality(network: "nx.MultiDiGraph", top: int = 10) -> dict[str, list[Ranked]]:
    """The ``top`` entities by PageRank and by betweenness centrality (undirected; ties by label).
    Above :data:`BETWEENNESS_SAMPLE` nodes betweenness is estimated from a fixed random sample of
    sources (seeded, so the answer is repeatable)."""
    import networkx as nx

    simple = undirected(network)
    if simple.number_of_nodes() == 0:
        return {"pagerank": [], "betweenness": []}
    pagerank = nx.pagerank(simple, weight="weight")
    n = simple.number_of_nodes()
    k = BETWEENNESS_SAMPLE if n > BETWEENNESS_SAMPLE else None
    betweenness = nx.betweenness_centrality(simple, k=k, seed=42 if k else None, normalized=True)

    def ranked(scores: dict[str, float]) -> list[Ranked]:
        order = sorted(scores, key=lambda node: (-scores[node], network.nodes[node].get("label", node).lower(), node))
        return [Ranked(node, network.nodes[node].get("label", node), network.nodes[node].get("class_label", ""),
                       scores[node]) for node in order[:top]]

    return {"pagerank": ranked(pagerank), "betweenness": ranked(betweenness)}


@dataclass(frozen=True)
class Step:
    """One link of a path: from ``source`` to ``target`` along ``label``, ``forward`` when the triple
    runs that way (source -label-> target), backward otherwise."""
    source: str
    target: str
    label: str
    forward: bool


def shortest_paths(network: "nx.MultiDiGraph", a: str, b: str, limit: int = 10) -> tuple[list[list[Step]], int]:
    """The shortest paths between two entities, links followed in either direction; parallel links
    make distinct paths. Returns at most ``limit`` paths (in a stable order) and how many there are."""
    import networkx as nx

    simple = undirected(network)
    try:
        node_paths = list(nx.all_shortest_paths(simple, a, b))
    except nx.NetworkXNoPath:
        return [], 0
    paths: list[list[Step]] = []
    total = 0
    for nodes in node_paths:
        hops = [_links(network, x, y) for x, y in zip(nodes, nodes[1:])]
        count = 1
        for hop in hops:
            count *= len(hop)
        total += count
        if len(paths) < limit:
            for combination in _product(hops, limit - len(paths)):
                paths.append(list(combination))
    label = lambda node: network.nodes[node].get("label", node).lower()  # noqa: E731
    paths.sort(key=lambda p: [(label(s.target), s.label, not s.forward) for s in p])
    return paths[:limit], total


def _links(network, x: str, y: str) -> list[Step]:
    steps = [Step(x, y, data.get("label", key), True) for key, data in (network.get_edge_data(x, y) or {}).items()]
    steps += [Step(x, y, data.get("label", key), False) for key, data in (network.get_edge_data(y, x) or {}).items()]
    return sorted(steps, key=lambda s: (s.label, not s.forward))


def _product(hops: list[list[Step]], limit: int):
    import itertools

    return itertools.islice(itertools.product(*hops), limit)


def path_statement(network: "nx.MultiDiGraph", path: list[Step]) -> str:
    """``BLIP-2 -uses frozen model-> OPT -developed by-> Meta AI <-developed by- LLaMA``."""
    if not path:
        return ""
    label = lambda node: network.nodes[node].get("label", node)  # noqa: E731
    out = [label(path[0].source)]
    for step in path:
        out.append(f"-{step.label}->" if step.forward else f"<-{step.label}-")
        out.append(label(step.target))
    return " ".join(out)


@dataclass
class Communities:
    groups: list[list[str]]      # nodes of each community, largest first, each by degree then label
    modularity: float


def communities(network: "nx.MultiDiGraph", *, resolution: float = 1.0, seed: int = 42) -> Communities:
    """Communities by the Louvain method on the undirected network (parallel links as weight), with a
    fixed seed so that the answer is repeatable."""
    import networkx as nx

    simple = undirected(network)
    if simple.number_of_edges() == 0:
        groups = [{n} for n in simple.nodes]
        return Communities([list(g) for g in groups], 0.0)
    found = nx.community.louvain_communities(simple, weight="weight", resolution=resolution, seed=seed)
    modularity = nx.community.modularity(simple, found, weight="weight", resolution=resolution)
    degree = dict(simple.degree())

    def ordered(group) -> list[str]:
        return sorted(group, key=lambda n: (-degree[n], network.nodes[n].get("label", n).lower(), n))

    groups = sorted((ordered(g) for g in found), key=lambda g: (-len(g), network.nodes[g[0]].get("label", "")))
    return Communities(groups, modularity)
