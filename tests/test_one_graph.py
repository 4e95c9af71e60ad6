"""kgtool.one_graph: the graph kgtool loads, and validation and the OWL-RL closure question millions of
times, answers exactly as rdflib's default graph does."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef

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


def _without_blank_nodes(triples) -> set:
    """The triples, each blank node (owlrl's error messages are blank nodes) as one and the same mark."""
    return {tuple("_:" if isinstance(t, BNode) else t for t in triple) for triple in triples}


OWL = "http://www.w3.org/2002/07/owl#"


@pytest.mark.parametrize("text", [
    "<urn:x:a> <urn:x:p> <urn:x:b> .\n",  # owl:sameAs is named only by what equality derives
    f"<urn:x:a> <{OWL}differentFrom> <urn:x:a> .\n<urn:x:b> <{OWL}sameAs> <urn:x:c> .\n",  # inconsistent
], ids=["same-as-itself", "different-from-itself"])
def test_equality_on_itself_gives_what_owlrls_own_gives(tmp_path, text):
    """kgtool's closure spares the equality rules their work on ``x owl:sameAs x``: it still derives what
    they derive there, and reports ``x owl:differentFrom x`` as an inconsistency, as owlrl's own does."""
    data = tmp_path / "equality.ttl"
    data.write_text(text, encoding="utf-8")
    shipped = subprocess.run([sys.executable, "-c", OWLRL_AS_SHIPPED, str(data)], capture_output=True,
                             check=True).stdout
    one = parse_file(data, OneGraph())
    add_entailments(one)
    assert _without_blank_nodes(one) == _without_blank_nodes(pickle.loads(shipped))
    errors = [str(o) for o in one.objects() if isinstance(o, Literal) and "differentFrom" in o]
    if "differentFrom" in text:
        assert len(errors) == 1 and "(urn:x:a, urn:x:a)" in errors[0], errors
    else:
        assert errors == [] and (URIRef(OWL + "sameAs"),) * 3 in one
