"""The names of the output formats: one spelling per format in every command (`query -f`, `export -f`,
`pull -f`...) and in the Python API, with the other spellings people commonly type accepted for it."""

from __future__ import annotations

#: another spelling -> the format's one name. "xml" is no alias of RDF/XML: it names the SPARQL XML results.
ALIASES = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "nquads": "nq",
    "n-quads": "nq",
    "jsonld": "json-ld",
    "rdf/xml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf-xml": "rdfxml",
    "md": "markdown",
}


def format_name(name: str) -> str:
    """The one name of the format called ``name`` (in any case): itself, or the format an alias stands for."""
    lowered = name.lower()
    return ALIASES.get(lowered, lowered)
