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
RULES_AT_WORK = f"""@prefix ex: <urn:x:> .
@prefix owl: <{OWL}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:partOf a owl:TransitiveProperty ; rdfs:domain ex:Part ; rdfs:range ex:Whole .
ex:hasPart owl:inverseOf ex:partOf .
ex:a ex:partOf ex:b . ex:b ex:partOf ex:c . ex:c ex:partOf ex:d .
ex:a owl:sameAs ex:a2 . ex:a2 rdfs:label "A two" ; ex:colour ex:red .
ex:Whole rdfs:subClassOf ex:Thing . ex:Thing rdfs:subClassOf ex:Entity .
ex:knows a owl:SymmetricProperty ; rdfs:subPropertyOf ex:related .
ex:p1 ex:knows ex:p2 .
ex:Red owl:hasValue ex:red ; owl:onProperty ex:colour .
ex:Some owl:someValuesFrom ex:Whole ; owl:onProperty ex:partOf .
ex:uncle owl:propertyChainAxiom ( ex:parent ex:brother ) .
ex:k ex:parent ex:l . ex:l ex:brother ex:m .
ex:f a owl:FunctionalProperty . ex:z ex:f ex:y1 , ex:y2 .
ex:r a owl:Thing ; rdfs:comment "typed with a class no rule is set off by" .
"""


@pytest.mark.parametrize("text", [
    "<urn:x:a> <urn:x:p> <urn:x:b> .\n",  # owl:sameAs is named only by what equality derives
    f"<urn:x:a> <{OWL}differentFrom> <urn:x:a> .\n<urn:x:b> <{OWL}sameAs> <urn:x:c> .\n",  # inconsistent
    RULES_AT_WORK,  # chains of derivations over several cycles
], ids=["same-as-itself", "different-from-itself", "rules-at-work"])
def test_the_work_kgtool_spares_owlrl_changes_no_triple(tmp_path, text):
    """kgtool's closure passes over triples that owlrl rules on again in every cycle to no effect, and spares
    the equality rules their work on ``x owl:sameAs x``: it gives the triples owlrl's own closure gives, and
    reports ``x owl:differentFrom x`` as an inconsistency as owlrl does."""
    data = tmp_path / "data.ttl"
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
    if text == RULES_AT_WORK:  # derived in later cycles: the transitive chain, and a2's facts on a
        assert (URIRef("urn:x:a"), URIRef("urn:x:partOf"), URIRef("urn:x:d")) in one
        assert (URIRef("urn:x:a"), URIRef("urn:x:colour"), URIRef("urn:x:red")) in one
