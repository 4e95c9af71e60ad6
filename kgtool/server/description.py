"""What the endpoint says about itself and its data: a SPARQL 1.1 Service Description and a VoID
description, both computed from the data by queries (counts, classes, properties, graphs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .. import __version__, resources
from ..namespaces import KG, KGR, PREFIXES
from ..results import Term
from .worker import used_prefixes

VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
DCTERMS = PREFIXES["dcterms"]
RDF_TYPE = PREFIXES["rdf"] + "type"
DESCRIPTION_PREFIXES = {**PREFIXES, "void": VOID, "sd": SD, "formats": FORMATS}

# the W3C format IRIs of what /sparql can answer in
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")

Select = Callable[[str], Awaitable[list[dict[str, Term]]]]


@dataclass
class DatasetStats:
    triples: int = 0
    default_graph_triples: int = 0
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    graphs: list[tuple[str, int]] = field(default_factory=list)
    licences: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


_COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }"""
_ENTITIES = f"""SELECT (COUNT(DISTINCT ?s) AS ?entities) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{KGR}")) }}"""
_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) } GROUP BY ?class ORDER BY ?class"
_PROPERTIES = "SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o } GROUP BY ?property ORDER BY ?property"
_GRAPHS = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
_LICENCES = f"SELECT DISTINCT ?licence WHERE {{ <{KG.rstrip('#')}> <{DCTERMS}license> ?licence }} ORDER BY ?licence"
_PRESENT = "SELECT DISTINCT ?resource WHERE {{ VALUES ?resource {{ {} }} ?resource ?p ?o }} ORDER BY ?resource"


async def dataset_stats(select: Select) -> DatasetStats:
    """Count what the data holds, with SPARQL run through ``select`` (a text -> rows coroutine)."""
    stats = DatasetStats()
    counts = (await select(_COUNTS))[0]
    stats.default_graph_triples = int(counts["triples"].value)
    stats.subjects, stats.objects = int(counts["subjects"].value), int(counts["objects"].value)
    stats.entities = int((await select(_ENTITIES))[0]["entities"].value)
    stats.classes = [(r["class"].value, int(r["n"].value)) for r in await select(_CLASSES)]
    stats.properties = [(r["property"].value, int(r["n"].value)) for r in await select(_PROPERTIES)]
    stats.graphs = [(r["graph"].value, int(r["n"].value)) for r in await select(_GRAPHS) if r["graph"].kind == "uri"]
    stats.triples = stats.default_graph_triples + sum(n for _, n in stats.graphs)
    stats.licences = [r["licence"].value for r in await select(_LICENCES) if r["licence"].kind == "uri"]
    # the model families that have a file of their own under graph/models/, as far as the data has them
    candidates = [f"{KGR}{path.stem}" for path in sorted((resources.graph_dir() / "models").glob("*.ttl"))]
    if candidates:
        query = _PRESENT.format(" ".join(Term("uri", c).n3() for c in candidates))
        stats.examples = [r["resource"].value for r in await select(query)]
    return stats


def void_triples(stats: DatasetStats, endpoint: str, dataset: str) -> list:
    """The VoID description of the data set ``dataset``, as Oxigraph triples."""
    import pyoxigraph as ox

    from ..release import DATASET_DESCRIPTION, DATASET_TITLE

    void = _Namespace(VOID)
    subject = ox.NamedNode(dataset)
    triples = [
        ox.Triple(subject, ox.NamedNode(RDF_TYPE), void.Dataset),
        ox.Triple(subject, ox.NamedNode(DCTERMS + "title"), ox.Literal(DATASET_TITLE, language="en")),
        ox.Triple(subject, ox.NamedNode(DCTERMS + "description"), ox.Literal(DATASET_DESCRIPTION, language="en")),
        ox.Triple(subject, ox.NamedNode(PREFIXES["owl"] + "versionInfo"), ox.Literal(__version__)),
        ox.Triple(subject, void.sparqlEndpoint, ox.NamedNode(endpoint)),
        ox.Triple(subject, void.uriSpace, ox.Literal(KGR)),
        ox.Triple(subject, void.triples, _integer(stats.triples)),
        ox.Triple(subject, void.entities, _integer(stats.entities)),
        ox.Triple(subject, void.distinctSubjects, _integer(stats.subjects)),
        ox.Triple(subject, void.distinctObjects, _integer(stats.objects)),
        ox.Triple(subject, void.classes, _integer(len(stats.classes))),
        ox.Triple(subject, void.properties, _integer(len(stats.properties))),
    ]
    triples += [ox.Triple(subject, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(iri)) for iri in stats.licences]
    triples += [ox.Triple(subject, void.exampleResource, ox.NamedNode(iri)) for iri in stats.examples]
    vocabularies = sorted({_namespace(iri) for iri, _ in [*stats.classes, *stats.properties]})
    triples += [ox.Triple(subject, void.vocabulary, ox.NamedNode(iri)) for iri in vocabularies]
    for iri, count in stats.classes:
        partition = ox.BlankNode()
        triples += [ox.Triple(subject, void.classPartition, partition),
                    ox.Triple(partition, void["class"], ox.NamedNode(iri)),
                    ox.Triple(partition, void.entities, _integer(count))]
    for iri, count in stats.properties:
        partition = ox.BlankNode()
        triples += [ox.Triple(subject, void.propertyPartition, partition),
                    ox.Triple(partition, void.property, ox.NamedNode(iri)),
                    ox.Triple(partition, void.triples, _integer(count))]
    for iri, count in stats.graphs:
        subset = ox.BlankNode()
        triples += [ox.Triple(subject, void.subset, subset),
                    ox.Triple(subset, ox.NamedNode(RDF_TYPE), void.Dataset),
                    ox.Triple(subset, ox.NamedNode(SD + "name"), ox.NamedNode(iri)),
                    ox.Triple(subset, void.triples, _integer(count))]
    return triples


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
        triples += [ox.Triple(default_dataset, sd.namedGraph, named),
                    ox.Triple(named, ox.NamedNode(RDF_TYPE), sd.NamedGraph),
                    ox.Triple(named, sd.name, ox.NamedNode(iri)),
                    ox.Triple(named, sd.graph, graph),
                    ox.Triple(graph, ox.NamedNode(RDF_TYPE), sd.Graph),
                    ox.Triple(graph, void.triples, _integer(count))]
    return triples


def serialize(triples: list, fmt: str) -> bytes:
    """Triples in one of Oxigraph's formats (a name of :class:`pyoxigraph.RdfFormat`)."""
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, fmt)
    if fmt in ("TURTLE", "RDF_XML"):
        return ox.serialize(triples, format=rdf_format, prefixes=used_prefixes(triples, DESCRIPTION_PREFIXES))
    return ox.serialize(triples, format=rdf_format)


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


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1]
