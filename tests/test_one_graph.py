"""kgtool.one_graph: the graph kgtool loads, and validation and the OWL-RL closure question millions of
times, answers exactly as rdflib's default graph does."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kgtool import resources
from kgtool.namespaces import KG, KGR
from kgtool.one_graph import OneGraph
from kgtool.store import add_entailments, parse_file


def test_membership_length_and_patterns_follow_adds_and_removes(graph):
    one = OneGraph()
    one += graph
    assert len(one) == len(graph)
    assert all(triple in one for triple in graph)

    llama = URIRef(KGR + "llama")
    label = (llama, RDFS.label, Literal("LLaMA", lang="en"))
    assert label in one and (llama, RDFS.label, Literal("LLaMA")) not in one  # a term differs by its language
    assert (llama, None, None) in one and (None, RDFS.label, Literal("LLaMA", lang="en")) in one
    developer = next(graph.objects(llama, URIRef(KG + "developedBy")))
    path = URIRef(KG + "developedBy") / RDFS.label  # a property path, evaluated as rdflib does
    assert (llama, path, next(graph.objects(developer, RDFS.label))) in one

    one.remove((llama, None, None))  # a pattern removes every match, from the set as well
    assert len(one) == len(graph) - len(list(graph.triples((llama, None, None))))
    assert label not in one and (llama, None, None) not in one
    one.add(label)
    assert label in one and len(one) == len(graph) - len(list(graph.triples((llama, None, None)))) + 1


def test_the_closure_is_the_same_as_on_rdflibs_default_graph():
    example = Path(__file__).parent / "shapes" / "ModelShape" / "valid.ttl"
    default, one = Graph(), OneGraph()
    for target in (default, one):
        for path in [*resources.ontology_files(), example]:
            parse_file(path, target)
        add_entailments(target)
    assert len(one) > len(Graph().parse(example)) + 1000  # the closure added triples
    assert set(one) == set(default)
    # a LanguageModel is a Model by the ontology's subclass axiom
    assert (URIRef(KGR + "example/tiny-lm"), RDF.type, URIRef(KG + "Model")) in one
