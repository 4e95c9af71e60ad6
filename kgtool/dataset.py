"""What the data set says about itself: counts computed from the data by SPARQL, and the VoID description
built from them. The release's void.ttl and the server's /.well-known/void are both made here; each adds
only what it alone knows (the release its files and date, the server its endpoint)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import __version__, resources
from .namespaces import DCAT, KG, KGR, PREFIXES, SD, VOID
from .results import Term

if TYPE_CHECKING:
    from rdflib import Graph

DATASET_IRI = "https://w3id.org/llmkg/"
GRAPH_IRI = "https://w3id.org/llmkg/graph"  # the named graph an export in N-Quads or TriG, and a push, put it in
DATASET_TITLE = "LLM knowledge graph"
# the seven models of the source article, as the collection graph/shared/collections.ttl lists them (a test
# keeps the two, and the ontology's description, in step); the command's help and this description name them
SEVEN_MODELS = ("GPT-3", "LaMDA", "PaLM", "Flamingo", "BLIP-2", "LLaMA", "GPT-4")
DATASET_DESCRIPTION = (
    f"The landmark language and vision-language models {', '.join(SEVEN_MODELS[:-1])} and "
    f"{SEVEN_MODELS[-1]}: sizes, training, architectures, techniques, benchmark results, papers and "
    "products, every fact with its source, and the rumours and errors about them as typed claims."
)
DESCRIPTION_PREFIXES = {"void": VOID, "dcat": DCAT, **PREFIXES}

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
_CLASSES = (
    "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) } "
    "GROUP BY ?class ORDER BY ?class"
)
_PROPERTIES = "SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o } GROUP BY ?property ORDER BY ?property"
_GRAPHS = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
_LICENCES = (
    f"SELECT DISTINCT ?licence WHERE {{ <{KG.rstrip('#')}> <{PREFIXES['dcterms']}license> ?licence }} ORDER BY ?licence"
)
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


def store_stats(store) -> DatasetStats:
    """:func:`dataset_stats` of a pyoxigraph Store, run in this thread. The queries never wait, so the
    coroutine runs to its end at the first step, with no event loop (a caller may be inside one)."""
    from .results import select_rows

    async def select(text: str) -> list[dict[str, Term]]:
        return select_rows(store, text)

    counting = dataset_stats(select)
    try:
        counting.send(None)
    except StopIteration as done:
        return done.value
    counting.close()
    raise RuntimeError("dataset_stats waited for something: it cannot run without an event loop")


@dataclass(frozen=True)
class Distribution:
    """A file of the data set: its IRI, title, media type, byte size, and whether it is an RDF dump."""

    iri: str
    title: str
    media_type: str
    size: int | None
    dump: bool


def void_graph(
    stats: DatasetStats,
    dataset: str = DATASET_IRI,
    *,
    endpoint: str | None = None,
    issued: str | None = None,
    distributions: Iterable[Distribution] = (),
) -> Graph:
    """The VoID (and DCAT) description of ``dataset``: triple, entity, class and property counts with a
    partition per class, per property and per named graph, the vocabularies used, licence, version,
    example resources; the SPARQL endpoint, the release date and the files when given. Partitions have
    IRIs derived from what they count, so that the same data gives the same description."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF, XSD

    void, dcat = Namespace(VOID), Namespace(DCAT)
    subject = URIRef(dataset)
    out = Graph()

    def add(s, p, o):
        out.add((s, p, o))

    def count(number: int) -> Literal:
        return Literal(number, datatype=XSD.integer)

    add(subject, RDF.type, void.Dataset)
    add(subject, RDF.type, dcat.Dataset)
    add(subject, DCTERMS.title, Literal(DATASET_TITLE, lang="en"))
    add(subject, DCTERMS.description, Literal(DATASET_DESCRIPTION, lang="en"))
    add(subject, OWL.versionInfo, Literal(__version__))
    add(subject, dcat.version, Literal(__version__))
    if issued:
        add(subject, DCTERMS.issued, Literal(issued, datatype=XSD.date))
    if endpoint:
        add(subject, void.sparqlEndpoint, URIRef(endpoint))
    add(subject, void.uriSpace, Literal(KGR))
    for name, value in (
        ("triples", stats.triples),
        ("entities", stats.entities),
        ("distinctSubjects", stats.subjects),
        ("distinctObjects", stats.objects),
        ("classes", len(stats.classes)),
        ("properties", len(stats.properties)),
    ):
        add(subject, void[name], count(value))
    for licence in stats.licences:
        add(subject, DCTERMS.license, URIRef(licence))
    for example in stats.examples:
        add(subject, void.exampleResource, URIRef(example))
    for vocabulary in sorted({_namespace(iri) for iri, _ in [*stats.classes, *stats.properties]}):
        add(subject, void.vocabulary, URIRef(vocabulary))
    for iri, entities in stats.classes:
        partition = URIRef(f"{dataset}void/class/{_partition_slug(iri)}")
        add(subject, void.classPartition, partition)
        add(partition, void["class"], URIRef(iri))
        add(partition, void.entities, count(entities))
    for iri, triples in stats.properties:
        partition = URIRef(f"{dataset}void/property/{_partition_slug(iri)}")
        add(subject, void.propertyPartition, partition)
        add(partition, void.property, URIRef(iri))
        add(partition, void.triples, count(triples))
    for iri, triples in stats.graphs:
        subset = URIRef(f"{dataset}void/graph/{_partition_slug(iri)}")
        add(subject, void.subset, subset)
        add(subset, RDF.type, void.Dataset)
        add(subset, URIRef(SD + "name"), URIRef(iri))
        add(subset, void.triples, count(triples))
    for file in distributions:
        distribution = URIRef(file.iri)
        add(subject, dcat.distribution, distribution)
        add(distribution, RDF.type, dcat.Distribution)
        add(distribution, DCTERMS.title, Literal(file.title, lang="en"))
        add(distribution, dcat.downloadURL, distribution)
        add(distribution, dcat.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{file.media_type}"))
        if file.size is not None:
            add(distribution, dcat.byteSize, count(file.size))
        if file.dump:
            add(subject, void.dataDump, distribution)
    return out


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _partition_slug(iri: str) -> str:
    for prefix, namespace in DESCRIPTION_PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace) :]):
            return f"{prefix}-{iri[len(namespace) :]}"
    import hashlib  # here: every command imports this module (for the seven models' names), few need this

    return hashlib.sha256(iri.encode()).hexdigest()[:16]
