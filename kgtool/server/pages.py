"""What the entity pages and the ontology page show, computed from query rows: facts grouped by property
with their sources, incoming links, a small neighbourhood graph, the ontology's classes and properties.

The queries here are the server's own; the entity's IRI is bound through a VALUES block of escaped
terms (:func:`kgtool.sparql.with_values`), never pasted into the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..namespaces import KG, KGR, PREFIXES, sparql_prologue
from ..results import Term, short

if TYPE_CHECKING:
    import jinja2

ONTOLOGY_IRI = KG.rstrip("#")
RDF, RDFS, OWL, SKOS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["skos"]
_PROLOGUE = sparql_prologue("rdf", "rdfs", "owl", "kg")

ENTITY_EXISTS = "SELECT ?p WHERE { { ?entity ?p ?o } UNION { ?s ?p ?entity } } LIMIT 1"

ENTITY_FACTS = (
    _PROLOGUE
    + """
SELECT ?property ?value (SAMPLE(?pl) AS ?propertyLabel) (SAMPLE(?vl) AS ?valueLabel) WHERE {
  ?entity ?property ?value .
  OPTIONAL { ?property rdfs:label ?pl }
  OPTIONAL { ?value rdfs:label ?vl }
} GROUP BY ?property ?value"""
)

ENTITY_SOURCES = (
    _PROLOGUE
    + """
SELECT ?property ?value ?source ?locator (SAMPLE(?sl) AS ?sourceLabel) WHERE {
  ?statement rdf:subject ?entity ; rdf:predicate ?property ; rdf:object ?value ; kg:source ?source .
  OPTIONAL { ?statement kg:locator ?locator }
  OPTIONAL { ?source rdfs:label ?sl }
} GROUP BY ?property ?value ?source ?locator"""
)

INCOMING_LIMIT = 500
ENTITY_INCOMING = (
    _PROLOGUE
    + f"""
SELECT ?subject ?property (SAMPLE(?sl) AS ?subjectLabel) (SAMPLE(?pl) AS ?propertyLabel) WHERE {{
  ?subject ?property ?entity .
  FILTER (?property NOT IN (rdf:subject, rdf:object))
  OPTIONAL {{ ?subject rdfs:label ?sl }}
  OPTIONAL {{ ?property rdfs:label ?pl }}
}} GROUP BY ?subject ?property ORDER BY ?property ?subject LIMIT {INCOMING_LIMIT + 1}"""
)

# the entity as RDF: its own triples, the statements that source them, and the links to it
ENTITY_RDF = (
    _PROLOGUE
    + """
CONSTRUCT { ?entity ?property ?value . ?statement ?p ?o . ?subject ?link ?entity }
WHERE {
  { ?entity ?property ?value }
  UNION { ?statement rdf:subject ?entity ; ?p ?o }
  UNION { ?subject ?link ?entity }
}"""
)

_TERM_TYPES = "owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property"
ONTOLOGY_TERMS = (
    _PROLOGUE
    + f"""
SELECT ?term ?type ?property ?value (SAMPLE(?pl) AS ?propertyLabel) (SAMPLE(?vl) AS ?valueLabel) WHERE {{
  VALUES ?type {{ {_TERM_TYPES} }}
  ?term a ?type ; ?property ?value .
  OPTIONAL {{ ?property rdfs:label ?pl }}
  OPTIONAL {{ ?value rdfs:label ?vl }}
}} GROUP BY ?term ?type ?property ?value"""
)

ONTOLOGY_HEADER = (
    _PROLOGUE
    + f"""
SELECT ?property ?value (SAMPLE(?pl) AS ?propertyLabel) WHERE {{
  <{ONTOLOGY_IRI}> ?property ?value .
  OPTIONAL {{ ?property rdfs:label ?pl }}
}} GROUP BY ?property ?value"""
)

ONTOLOGY_RDF = (
    _PROLOGUE
    + f"""
CONSTRUCT {{ ?term ?property ?value }}
WHERE {{
  {{ VALUES ?type {{ {_TERM_TYPES} }} ?term a ?type }} UNION {{ VALUES ?term {{ <{ONTOLOGY_IRI}> }} }}
  ?term ?property ?value .
}}"""
)

_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
_LABELS = (RDFS + "label", SKOS + "prefLabel")
_DESCRIPTIONS = (SKOS + "definition", RDFS + "comment", PREFIXES["dcterms"] + "description")
GRAPH_NODE_LIMIT = 60


@dataclass
class Link:
    """Something to show: its text, where it links to (None: plain text), and its IRI if it has one."""

    text: str
    href: str | None = None
    iri: str | None = None


@dataclass
class Source:
    link: Link
    locator: str | None = None


@dataclass
class Value:
    link: Link
    sources: list[Source] = field(default_factory=list)


@dataclass
class PropertyGroup:
    property: Link
    values: list[Value]


@dataclass
class EntityPage:
    iri: str
    title: str
    description: str | None
    types: list[Link]
    facts: list[PropertyGroup]
    incoming: list[PropertyGroup]
    incoming_truncated: bool
    graph: dict


@dataclass
class TermDoc:
    anchor: str
    iri: str
    name: str
    title: str
    description: str | None
    kinds: list[Link]
    facts: list[PropertyGroup]


@dataclass
class OntologyPage:
    title: str
    description: str | None
    header: list[PropertyGroup]
    classes: list[TermDoc]
    properties: list[TermDoc]


def templates(**options) -> jinja2.Environment:
    """The server's templates, and the parts they share with `kgtool viz` pages (kgtool/assets): for the
    server's pages and the release's ontology.html; ``options`` are further Jinja settings."""
    import jinja2

    loader = jinja2.ChoiceLoader(
        [jinja2.PackageLoader("kgtool.server", "templates"), jinja2.PackageLoader("kgtool", "assets")]
    )
    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True, **options)


def href_for(iri: str, root: str = "") -> str | None:
    """Where an IRI is shown: our resources and terms on this server, other web IRIs as they are,
    anything else (file:, javascript:, urn:...) not as a link."""
    if iri.startswith(KGR) and len(iri) > len(KGR):
        return f"{root}/resource/{quote(iri[len(KGR) :], safe='/-._~')}"
    if iri.startswith(KG):
        return f"{root}/ontology#{anchor_for(iri)}"
    if iri == ONTOLOGY_IRI:
        return f"{root}/ontology"
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def anchor_for(iri: str) -> str:
    if iri.startswith(KG):
        return iri[len(KG) :]
    return short(Term("uri", iri)).replace(":", "-").strip("<>")


def link(term: Term, label: Term | None = None, root: str = "", href=None) -> Link:
    """What a term is shown as; ``href`` (IRI -> address) replaces :func:`href_for` where given."""
    if term.kind == "uri":
        return Link(
            label.value if label else short(term), href(term.value) if href else href_for(term.value, root), term.value
        )
    if term.kind == "bnode":
        return Link(f"_:{term.value}")
    return Link(short(term))


def entity_page(
    iri: str,
    facts: list[dict[str, Term]],
    sources: list[dict[str, Term]],
    incoming: list[dict[str, Term]],
    root: str = "",
) -> EntityPage:
    backing: dict[tuple[str, Term], list[Source]] = {}
    for row in sources:
        key = (row["property"].value, row["value"])
        locator = row["locator"].value if "locator" in row else None
        backing.setdefault(key, []).append(Source(link(row["source"], row.get("sourceLabel"), root), locator))
    for found in backing.values():
        found.sort(key=lambda s: (s.link.text, s.locator or ""))
    groups = _group(
        facts,
        "property",
        "value",
        "valueLabel",
        root,
        lambda row: backing.get((row["property"].value, row["value"]), []),
    )
    truncated = len(incoming) > INCOMING_LIMIT
    incoming = incoming[:INCOMING_LIMIT]
    incoming_groups = _group(incoming, "property", "subject", "subjectLabel", root, lambda row: [])
    subject = Term("uri", iri)
    title = _first_value(facts, _LABELS) or short(subject)
    types = [v.link for g in groups if g.property.iri == RDF + "type" for v in g.values]
    graph = _neighbourhood(iri, title, facts, incoming, root)
    return EntityPage(iri, title, _first_value(facts, _DESCRIPTIONS), types, groups, incoming_groups, truncated, graph)


def ontology_page(
    header: list[dict[str, Term]], terms: list[dict[str, Term]], root: str = "", href=None
) -> OntologyPage:
    """The ontology's documentation, from the rows of ONTOLOGY_HEADER and ONTOLOGY_TERMS: the server's
    /ontology page and the release's ontology.html (which links with ``href``)."""
    by_term: dict[str, list[dict[str, Term]]] = {}
    kinds: dict[str, set[str]] = {}
    for row in terms:
        by_term.setdefault(row["term"].value, []).append(row)
        kinds.setdefault(row["term"].value, set()).add(row["type"].value)
    classes: list[TermDoc] = []
    properties: list[TermDoc] = []
    for iri, rows in by_term.items():
        unique = {(r["property"], r["value"]): r for r in rows}.values()
        shown = [r for r in unique if r["property"].value not in (RDF + "type", RDFS + "label", RDFS + "comment")]
        doc = TermDoc(
            anchor_for(iri),
            iri,
            short(Term("uri", iri)),
            _first_value(list(unique), _LABELS) or short(Term("uri", iri)),
            _first_value(list(unique), (RDFS + "comment",)),
            [link(Term("uri", k), root=root, href=href) for k in sorted(kinds[iri])],
            _group(shown, "property", "value", "valueLabel", root, lambda row: [], href),
        )
        (classes if kinds[iri] & _CLASS_TYPES else properties).append(doc)

    def order(doc: TermDoc) -> tuple[bool, str]:  # the ontology's own terms first, then by name
        return not doc.iri.startswith(KG), doc.name.lower()

    return OntologyPage(
        _first_value(header, (PREFIXES["dcterms"] + "title",)) or "Ontology",
        _first_value(header, (PREFIXES["dcterms"] + "description",)),
        _group(header, "property", "value", None, root, lambda row: [], href),
        sorted(classes, key=order),
        sorted(properties, key=order),
    )


def _group(
    rows: Iterable[dict[str, Term]],
    property_key: str,
    value_key: str,
    label_key: str | None,
    root: str,
    sources_of,
    href=None,
) -> list[PropertyGroup]:
    groups: dict[str, PropertyGroup] = {}
    for row in rows:
        prop = row[property_key]
        group = groups.get(prop.value)
        if group is None:
            group = groups[prop.value] = PropertyGroup(link(prop, row.get("propertyLabel"), root, href), [])
        group.values.append(
            Value(link(row[value_key], row.get(label_key) if label_key else None, root, href), sources_of(row))
        )
    for group in groups.values():
        group.values.sort(key=lambda v: v.link.text.lower())
    first = {RDF + "type": 0, RDFS + "label": 1}
    return sorted(groups.values(), key=lambda g: (first.get(g.property.iri or "", 2), g.property.text.lower()))


def _first_value(rows: list[dict[str, Term]], properties: tuple[str, ...]) -> str | None:
    for wanted in properties:
        values = [r["value"] for r in rows if r["property"].value == wanted and r["value"].kind == "literal"]
        if values:
            english = [v for v in values if (v.lang or "").lower().startswith("en")]
            return sorted(english or values, key=lambda v: v.value)[0].value
    return None


# the three kinds of node in an entity's neighbourhood, styled as kgtool/assets/view.js expects classes
_NEIGHBOUR_CLASSES = [
    ("this resource", "#e15759", "#a13234", "star"),
    ("what it links to", "#4e79a7", "#2f4d6e", "dot"),
    ("what links to it", "#59a14f", "#386832", "dot"),
]


def _neighbourhood(
    iri: str, title: str, facts: list[dict[str, Term]], incoming: list[dict[str, Term]], root: str
) -> dict:
    """The page's graph, in the shape of :func:`kgtool.visualize.network_data`: the entity, what it links
    to and what links to it."""
    index = {iri: 0}
    nodes = [[title, 0, short(Term("uri", iri)), [], href_for(iri, root)]]
    edges: list[list] = []
    properties: dict[str, int] = {}  # a property's label and its number

    def add(other: Term, label: Term | None, prop: dict, kind: int, outgoing: bool) -> None:
        if other.kind != "uri" or (other.value not in index and len(nodes) >= GRAPH_NODE_LIMIT):
            return
        if other.value not in index:
            index[other.value] = len(nodes)
            nodes.append([label.value if label else short(other), kind, short(other), [], href_for(other.value, root)])
        ends = (0, index[other.value]) if outgoing else (index[other.value], 0)
        edges.append([*ends, properties.setdefault(prop["label"], len(properties)), ""])

    outgoing = [row for row in facts if row["property"].value != RDF + "type"]
    # both directions take turns, so that a long list on one side does not crowd out the other
    for out_row, in_row in zip_longest(outgoing, incoming):
        if out_row:
            add(out_row["value"], out_row.get("valueLabel"), _label_of(out_row, "property"), 1, True)
        if in_row:
            add(in_row["subject"], in_row.get("subjectLabel"), _label_of(in_row, "property"), 2, False)
    classes = [
        {"label": label, "color": fill, "border": border, "shape": shape, "count": sum(1 for n in nodes if n[1] == i)}
        for i, (label, fill, border, shape) in enumerate(_NEIGHBOUR_CLASSES)
    ]
    return {
        "classes": classes,
        "properties": list(properties),
        "nodes": nodes,
        "edges": edges,
        "sources": [],
        "edgeLabels": True,
    }


def _label_of(row: dict[str, Term], key: str) -> dict:
    label = row.get(f"{key}Label")
    return {"label": label.value if label else short(row[key])}
