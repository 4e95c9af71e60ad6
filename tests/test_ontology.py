"""The ontology: every term documented, typed ends, a header, alignments, SKOS schemes."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kgtool import resources

KG = Namespace("https://w3id.org/llmkg/ontology#")
KGR = Namespace("https://w3id.org/llmkg/resource/")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    for path in resources.ontology_files():
        g.parse(path)
    return g


def kg_terms(g: Graph, kind) -> list[URIRef]:
    return sorted(t for t in g.subjects(RDF.type, kind) if str(t).startswith(str(KG)))


def test_every_class_has_label_and_comment(ontology):
    classes = kg_terms(ontology, OWL.Class)
    assert len(classes) >= 30
    for cls in classes:
        assert ontology.value(cls, RDFS.label) and ontology.value(cls, RDFS.comment), cls


def test_every_property_has_label_comment_domain_and_range(ontology):
    properties = kg_terms(ontology, OWL.ObjectProperty) + kg_terms(ontology, OWL.DatatypeProperty) \
        + kg_terms(ontology, RDF.Property)
    assert len(properties) >= 80
    for prop in properties:
        for p in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
            assert ontology.value(prop, p) is not None, f"{prop} lacks {p}"


def test_core_terms_of_the_contract(ontology):
    classes = ["Model", "LanguageModel", "VisionLanguageModel", "Organization", "Person", "Architecture",
               "Component", "Technique", "Benchmark", "Metric", "EvaluationSetting", "EvaluationResult", "Paper",
               "Product", "CodeRepository", "Hardware", "Dataset", "Claim", "Quote", "Application", "Risk"]
    properties = ["developedBy", "parameterCount", "variantOf", "trainingTokens", "contextLength", "releaseDate",
                  "introducedIn", "hasArchitecture", "hasComponent", "usesTechnique", "usesFrozenModel",
                  "inspiredBy", "powers", "trainedOn", "hasImplementation", "arxivId"]
    for name in classes:
        assert (KG[name], RDF.type, OWL.Class) in ontology, name
    for name in properties:
        assert (KG[name], RDFS.domain, None) in ontology, name
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert ontology.value(KG.parameterCount, RDFS.range) == URIRef(xsd + "integer")
    assert ontology.value(KG.releaseDate, RDFS.range) == URIRef(xsd + "date")


def test_header(ontology):
    header = URIRef("https://w3id.org/llmkg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(header, DCTERMS.title) and ontology.value(header, OWL.versionInfo)
    assert ontology.value(header, DCTERMS.license)


def test_alignments_to_the_vocabularies_users_query(ontology):
    targets = {str(o) for p in (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch) for o in ontology.objects(None, p)}
    for namespace in ("https://schema.org/", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/mls#",
                      "https://w3id.org/fair4ml#", "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#"):
        assert any(t.startswith(namespace) for t in targets), namespace
    assert (KG.Model, OWL.equivalentClass, None) not in ontology


def test_concept_schemes(graph):
    for scheme in ("architectures", "techniques", "evaluation-settings", "claim-status"):
        assert (KGR[f"scheme/{scheme}"], RDF.type, SKOS.ConceptScheme) in graph
    assert (KGR.rope, SKOS.broader, KGR["positional-encoding"]) in graph
    assert (KGR["decoder-only-transformer"], SKOS.broader, KGR.transformer) in graph
    settings = set(graph.subjects(SKOS.inScheme, KGR["scheme/evaluation-settings"]))
    assert {KGR["zero-shot"], KGR["one-shot"], KGR["few-shot"], KGR["fine-tuned"]} <= settings
    statuses = {str(s).rsplit("/", 1)[1] for s in graph.subjects(SKOS.inScheme, KGR["scheme/claim-status"])}
    assert {"confirmed", "reported", "estimated", "rumoured", "undisclosed", "corrected"} <= statuses
