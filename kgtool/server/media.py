"""Content negotiation: which format to answer in, from the Accept header (or a ``format`` parameter)."""

from __future__ import annotations

# what a SELECT or ASK answer can be written as: key -> (media type sent, Oxigraph's format name)
SOLUTION_FORMATS = {
    "json": ("application/sparql-results+json", "JSON"),
    "xml": ("application/sparql-results+xml", "XML"),
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "tsv": ("text/tab-separated-values; charset=utf-8", "TSV"),
}
# what a CONSTRUCT or DESCRIBE answer, an entity or a description can be written as
GRAPH_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", "TURTLE"),
    "nt": ("application/n-triples", "N_TRIPLES"),
    "jsonld": ("application/ld+json", "JSON_LD"),
    "rdfxml": ("application/rdf+xml", "RDF_XML"),
}

# the media types clients ask for, in the order the server prefers them when a client has no preference
SOLUTION_TYPES = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
]
GRAPH_TYPES = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "nt"),
]
PAGE_TYPES = [("text/turtle", "turtle"), ("text/html", "html"), ("application/xhtml+xml", "html"), *GRAPH_TYPES[1:]]

# the values of the `format` (or `output`) parameter that some clients send instead of an Accept header
_FORMAT_NAMES = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"),
    "rdf+xml": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
}


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The key of the offer the client accepts with the highest quality (the earlier offer on a tie);
    None when it accepts none of them. No Accept header accepts everything."""
    ranges = _parse(accept) if accept and accept.strip() else [("*", "*", 1.0)]
    best: tuple[float, str] | None = None
    for media_type, key in offers:
        quality = _quality(media_type, ranges)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, key)
    return best[1] if best else None


def from_format_parameter(values: list[str]) -> tuple[str | None, str | None]:
    """The (solutions, graph) format keys named by ``format=`` values, by name or media type."""
    for value in values:
        value = value.strip().lower()
        if value in _FORMAT_NAMES:
            return _FORMAT_NAMES[value]
        solutions, graph = negotiate(value, SOLUTION_TYPES), negotiate(value, GRAPH_TYPES)
        if "*" not in value and (solutions or graph):
            return solutions, graph
    return None, None


def _parse(accept: str) -> list[tuple[str, str, float]]:
    ranges = []
    for item in accept.split(","):
        media_range, *parameters = [part.strip() for part in item.split(";")]
        kind, _, subtype = media_range.lower().partition("/")
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        if kind and subtype:
            ranges.append((kind, subtype, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    kind, _, subtype = media_type.partition("/")
    best_specificity, quality = -1, 0.0
    for range_kind, range_subtype, range_quality in ranges:
        if range_kind == kind and range_subtype == subtype:
            specificity = 2
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif range_kind == "*" and range_subtype == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, range_quality
    return quality
