"""Prefixes, one source of truth for code, queries and serialisations."""

from __future__ import annotations

import re
from collections.abc import Mapping

KG = "https://w3id.org/llmkg/ontology#"
KGR = "https://w3id.org/llmkg/resource/"
# the end of an IRI of the graph's own namespace, as a user may type it (mmlu-anatomy, result/…/coqa@dev/…)
_RESOURCE_SLUG = re.compile(r"[a-z0-9][a-z0-9._@-]*(?:/[a-z0-9][a-z0-9._@-]*)*")


def resource_iri(text: str) -> str | None:
    """The IRI in the graph's own namespace that ``text`` would end, if it has the shape of one."""
    return KGR + text if _RESOURCE_SLUG.fullmatch(text) else None


PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgr": KGR,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "mls": "http://www.w3.org/ns/mls#",
    "fair4ml": "https://w3id.org/fair4ml#",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": "http://purl.org/vocab/vann/",
}

# vocabularies of data-set descriptions (VoID, DCAT, SPARQL service description): declared where a
# description is written (kgtool.dataset.DESCRIPTION_PREFIXES), not in every serialisation
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"

# The meta-vocabularies whose terms every RDF tool knows; any other term used in graph/
# must be declared in ontology/.
BUILTIN_NAMESPACES = (PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["xsd"])


def sparql_prologue(*names: str) -> str:
    """PREFIX lines for the prefixes named (every known prefix when none is), for queries written
    inside the package."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in names or PREFIXES)


def used_prefixes(triples: list, prefixes: Mapping[str, str] = PREFIXES) -> dict[str, str]:
    """The ``prefixes`` (the project's by default) whose namespace some IRI of ``triples`` starts with,
    in their fixed order."""
    import pyoxigraph as ox

    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {prefix: ns for prefix, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
