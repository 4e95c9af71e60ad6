"""What the endpoint says about itself and its data: a SPARQL 1.1 Service Description and the VoID
description of :mod:`kgtool.dataset`, both computed from the data by queries (counts, classes,
properties, graphs)."""

from __future__ import annotations

from ..dataset import DatasetStats, dataset_stats, void_graph  # noqa: F401 (dataset_stats: the app's)
from ..namespaces import PREFIXES, SD, VOID, used_prefixes
from ..results import rdf_bytes

FORMATS = "http://www.w3.org/ns/formats/"
DCTERMS = PREFIXES["dcterms"]
RDF_TYPE = PREFIXES["rdf"] + "type"
DESCRIPTION_PREFIXES = {**PREFIXES, "void": VOID, "sd": SD, "formats": FORMATS}

# the W3C format IRIs of what /sparql can answer in
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def void_triples(stats: DatasetStats, endpoint: str, dataset: str) -> list:
    """The VoID description of the data set (:func:`kgtool.dataset.void_graph`, the one the release also
    writes) with this endpoint, as Oxigraph triples."""
    import pyoxigraph as ox

    graph = void_graph(stats, dataset, endpoint=endpoint)
    return list(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))


def service_description(stats: DatasetStats, endpoint: str, *, update: bool, dataset: str) -> list:
    """The SPARQL 1.1 Service Description of the endpoint, as Oxigraph triples."""
    import pyoxigraph as ox

    sd, void = _Namespace(SD), _Namespace(VOID)
    service, default_dataset, default_graph = ox.BlankNode(), ox.NamedNode(dataset), ox.BlankNode()
    triples = [
        ox.Triple(service, ox.NamedNode(RDF_TYPE), sd.Service),
        ox.Triple(service, sd.endpoint, ox.NamedNode(endpoint)),
        ox.Triple(service, sd.supportedLanguage, sd.SPARQL11Query),
        ox.Triple(service, sd.defaultEntailmentRegime, ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, sd.defaultDataset, default_dataset),
        ox.Triple(default_dataset, ox.NamedNode(RDF_TYPE), sd.Dataset),
        ox.Triple(default_dataset, sd.defaultGraph, default_graph),
        ox.Triple(default_graph, ox.NamedNode(RDF_TYPE), sd.Graph),
        ox.Triple(default_graph, void.triples, _integer(stats.default_graph_triples)),
    ]
    if update:
        triples.append(ox.Triple(service, sd.supportedLanguage, sd.SPARQL11Update))
    triples += [ox.Triple(service, sd.resultFormat, ox.NamedNode(FORMATS + name)) for name in RESULT_FORMATS]
    for iri, count in stats.graphs:
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(default_dataset, sd.namedGraph, named),
            ox.Triple(named, ox.NamedNode(RDF_TYPE), sd.NamedGraph),
            ox.Triple(named, sd.name, ox.NamedNode(iri)),
            ox.Triple(named, sd.graph, graph),
            ox.Triple(graph, ox.NamedNode(RDF_TYPE), sd.Graph),
            ox.Triple(graph, void.triples, _integer(count)),
        ]
    return triples


def serialize(triples: list, fmt: str) -> bytes:
    """Triples in one of Oxigraph's formats (a name of :class:`pyoxigraph.RdfFormat`)."""
    import pyoxigraph as ox

    prefixes = used_prefixes(triples, DESCRIPTION_PREFIXES) if fmt in ("TURTLE", "RDF_XML") else None
    return rdf_bytes(triples, getattr(ox.RdfFormat, fmt), prefixes)


class _Namespace:
    def __init__(self, base: str):
        self.base = base

    def __getattr__(self, name: str):
        return self[name]

    def __getitem__(self, name: str):
        import pyoxigraph as ox

        return ox.NamedNode(self.base + name)


def _integer(value: int):
    import pyoxigraph as ox

    return ox.Literal(str(value), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
