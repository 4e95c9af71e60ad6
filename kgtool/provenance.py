"""The provenance pattern: which triples need a sourced statement, and what its IRI is.

A plain triple about an entity is backed by a ``kg:Statement`` node (RDF reification) whose IRI is
derived from the triple, so that rebuilding the data never mints new nodes:
``statement/{subject slug}/{property in kebab case}/{object key}``.
"""

from __future__ import annotations

import re

from .namespaces import KG, KGR

# Records carry their own kg:source; their triples need no statement of their own.
RECORD_CLASSES = frozenset(
    KG + name
    for name in (
        "Statement", "EvaluationResult", "Finding", "TrainingRun", "DataMixComponent",
        "Influence", "Limitation", "Quote", "Claim",
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
        return iri[len(KGR):]
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
