"""Prefixes, one source of truth for code, queries and serialisations."""

from __future__ import annotations

KG = "https://w3id.org/llmkg/ontology#"
KGR = "https://w3id.org/llmkg/resource/"

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

# The meta-vocabularies whose terms every RDF tool knows; any other term used in graph/
# must be declared in ontology/.
BUILTIN_NAMESPACES = (PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["xsd"])


def sparql_prologue() -> str:
    """PREFIX lines for every known prefix, for queries written inside the package."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
