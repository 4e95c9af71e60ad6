"""kgtool.one_graph: the graph kgtool loads, and validation and the OWL-RL closure question millions of
times, answers exactly as rdflib's default graph does."""

from __future__ import annotations

import pickle
import subprocess
import sys
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


# owlrl's own closure, on rdflib's default graph, in a process where kgtool has not touched owlrl
OWLRL_AS_SHIPPED = """
import pickle
import sys
import owlrl
from rdflib import Graph
from kgtool.store import parse_file
graph = Graph()
for path in sys.argv[1:]:
    parse_file(path, graph)
owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
pickle.dump(set(graph), sys.stdout.buffer)  # the closure has literal subjects, which N-Triples cannot hold
"""


def test_the_closure_is_the_same_as_owlrls_own_on_rdflibs_default_graph():
    """kgtool's closure (OneGraph, and owlrl's namespace terms resolved once) adds what owlrl adds."""
    example = Path(__file__).parent / "shapes" / "ModelShape" / "valid.ttl"
    files = [*resources.ontology_files(), example]
    shipped = subprocess.run([sys.executable, "-c", OWLRL_AS_SHIPPED, *map(str, files)],
                             capture_output=True, check=True).stdout
    one = OneGraph()
    for path in files:
        parse_file(path, one)
    add_entailments(one)
    assert len(one) > len(Graph().parse(example)) + 1000  # the closure added triples
    assert set(one) == pickle.loads(shipped)
    # a LanguageModel is a Model by the ontology's subclass axiom
    assert (URIRef(KGR + "example/tiny-lm"), RDF.type, URIRef(KG + "Model")) in one
