"""The provenance pattern: which triples need a sourced statement, and what its IRI is.

A plain triple about an entity is backed by a ``kg:Statement`` node (RDF reification) whose IRI is
derived from the triple, so that rebuilding the data never mints new nodes:
``statement/{subject slug}/{property in kebab case}/{object key}``.

Data files may state a sourced triple compactly, in RDF 1.2 Turtle's annotation syntax::

    kgr:llama kg:usesTechnique kgr:rope {| kg:source kgr:arxiv-2302.13971 ; kg:locator "§2.2" |} .

:func:`expand_annotations` turns that into the plain triple and its ``kg:Statement``, before any engine
sees it, so that every tool (rdflib included, which reads no RDF 1.2) gets the same graph as from the
long form.
"""

from __future__ import annotations

import re

from .namespaces import KG, KGR, PREFIXES
from .results import rdf_bytes

# Records carry their own kg:source; their triples need no statement of their own.
RECORD_CLASSES = frozenset(
    KG + name
    for name in (
        "Statement",
        "EvaluationResult",
        "Finding",
        "TrainingRun",
        "DataMixComponent",
        "Influence",
        "Limitation",
        "Quote",
        "Claim",
    )
)
# Documents describe themselves (their metadata is sourced by the document itself).
SELF_SOURCED_CLASSES = frozenset(KG + name for name in ("Paper", "WebPage", "CodeRepository"))
# Display helpers and descriptive metadata of a term, not claims about the world.
UNSOURCED_PROPERTIES = frozenset(KG + name for name in ("sizeLabel", "url", "unit", "lowerIsBetter"))

_OTHER = re.compile(r"[^a-z0-9.]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def slug_of(iri: str) -> str:
    """The part of a resource IRI after the kgr: namespace (``llama-65b``, ``github/openai/gpt-3``)."""
    if iri.startswith(KGR):
        return iri[len(KGR) :]
    return literal_key(re.split(r"[/#]", iri.rstrip("/#"))[-1])


def kebab(local_name: str) -> str:
    """``usesTechnique`` -> ``uses-technique``."""
    return _CAMEL.sub("-", local_name).lower()


def literal_key(lexical: str) -> str:
    """A literal's lexical form as an IRI segment: lowercase, runs of other characters as one '-'."""
    return _OTHER.sub("-", lexical.lower()).strip("-")[:60].strip("-")


def statement_iri(subject: str, predicate: str, obj: str, obj_is_iri: bool) -> str:
    """The deterministic IRI of the statement that sources ``subject predicate obj``."""
    local = re.split(r"[/#]", predicate)[-1]
    key = slug_of(obj) if obj_is_iri else literal_key(obj)
    return f"{KGR}statement/{slug_of(subject)}/{kebab(local)}/{key}"


def needs_statement(predicate: str, subject_types: set[str]) -> bool:
    """True when a triple with this predicate, on a subject of these types, must be sourced."""
    if not predicate.startswith(KG) or predicate in UNSOURCED_PROPERTIES:
        return False
    return not (subject_types & (RECORD_CLASSES | SELF_SOURCED_CLASSES))


REIFIES = PREFIXES["rdf"] + "reifies"
_RDF = PREFIXES["rdf"]


def has_annotations(data: bytes) -> bool:
    """Whether Turtle text may hold RDF 1.2 annotations or triple terms (which only the expansion reads)."""
    return b"{|" in data or b"<<" in data


def expand_annotations(triples) -> list:
    """Pyoxigraph triples with each annotation (a reifier of an asserted triple) replaced by the
    ``kg:Statement`` of today's form: ``rdf:subject``, ``rdf:predicate``, ``rdf:object`` and the
    annotation's own properties, at the statement IRI derived from the triple (a reifier named with
    ``~ <iri>`` keeps its IRI). Raises ValueError for a triple term that is not a plain triple's."""
    import pyoxigraph as ox

    triples = [t.triple if isinstance(t, ox.Quad) else t for t in triples]  # parsers give quads
    statements = {}  # reifier -> the statement node that replaces it
    for triple in triples:
        if triple.predicate.value == REIFIES:
            inner = triple.object
            # plain terms: neither the subject nor the object is a triple (a predicate is always an IRI)
            if (
                not isinstance(inner, ox.Triple)
                or isinstance(inner.subject, ox.Triple)
                or isinstance(inner.object, ox.Triple)
            ):
                raise ValueError(f"rdf:reifies needs a triple of plain terms, not {inner}")
            if isinstance(triple.subject, ox.NamedNode):
                node = triple.subject
            else:
                node = ox.NamedNode(
                    statement_iri(
                        inner.subject.value,
                        inner.predicate.value,
                        inner.object.value,
                        isinstance(inner.object, ox.NamedNode),
                    )
                )
            statements[triple.subject] = (node, inner)
    if not statements:
        return triples
    out = []
    for triple in triples:
        if triple.predicate.value == REIFIES:
            node, inner = statements[triple.subject]
            out += [
                ox.Triple(node, ox.NamedNode(_RDF + "type"), ox.NamedNode(KG + "Statement")),
                ox.Triple(node, ox.NamedNode(_RDF + "subject"), inner.subject),
                ox.Triple(node, ox.NamedNode(_RDF + "predicate"), inner.predicate),
                ox.Triple(node, ox.NamedNode(_RDF + "object"), inner.object),
            ]
            continue
        subject = statements[triple.subject][0] if triple.subject in statements else triple.subject
        obj = statements[triple.object][0] if triple.object in statements else triple.object
        out.append(ox.Triple(subject, triple.predicate, obj))
    return out


def expanded_ntriples(data: bytes, base_iri: str | None = None) -> bytes:
    """Turtle text (RDF 1.2 annotations allowed) as N-Triples in today's long form. A syntax error raises
    SyntaxError with the line and column in its message, as pyoxigraph gives them."""
    import pyoxigraph as ox

    triples = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base_iri)
    return rdf_bytes(expand_annotations(triples), ox.RdfFormat.N_TRIPLES)
