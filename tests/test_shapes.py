"""Every shape has a valid and an invalid example: the valid one conforms, the invalid one fails on that shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from kgtool import resources

SH = Namespace("http://www.w3.org/ns/shacl#")
KGSH = "https://w3id.org/llmkg/shapes#"
EXAMPLES = Path(__file__).parent / "shapes"


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(resources.shapes_file())


@pytest.fixture(scope="module")
def ontology():
    g = Graph()
    for path in resources.ontology_files():
        g.parse(path)
    return g


def targeted_shapes() -> list[str]:
    g = Graph().parse(resources.shapes_file())
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return sorted({str(s)[len(KGSH):] for s in g.subjects(RDF.type, SH.NodeShape)
                   if any((s, t, None) in g for t in targets)})


def run(data_path: Path, shapes: Graph, ontology: Graph):
    import pyshacl

    data = Graph().parse(data_path)
    return pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")


def failing_shapes(results: Graph, shapes: Graph) -> set[str]:
    names = set()
    for source in results.objects(None, SH.sourceShape):
        owner = source if isinstance(source, URIRef) else shapes.value(None, SH.property, source)
        if owner is not None:
            names.add(str(owner)[len(KGSH):])
    return names


def test_every_shape_has_examples():
    missing = [n for n in targeted_shapes()
               if not (EXAMPLES / n / "valid.ttl").is_file() or not (EXAMPLES / n / "invalid.ttl").is_file()]
    assert missing == []


@pytest.mark.parametrize("name", targeted_shapes())
def test_valid_example_conforms(name, shapes, ontology):
    conforms, _, text = run(EXAMPLES / name / "valid.ttl", shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("name", targeted_shapes())
def test_invalid_example_fails_on_its_shape(name, shapes, ontology):
    conforms, results, text = run(EXAMPLES / name / "invalid.ttl", shapes, ontology)
    assert not conforms
    assert name in failing_shapes(results, shapes), text


def shacl_results(data: Graph, shapes: Graph, inplace: bool = False) -> set[tuple]:
    import pyshacl

    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", inplace=inplace)
    return {tuple(results.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
                                                  SH.resultMessage, SH.sourceConstraintComponent))
            for r in results.subjects(RDF.type, SH.ValidationResult)}


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_validation_runs_the_same_shapes_faster_without_changing_a_result(example, shapes, ontology):
    """kgtool hands pyshacl the property shapes of targeted node shapes as shapes of their own (the
    same validation, run a focus list at a time), and the data in a store without contexts, read in
    place: on every example, the results are the shapes' own on rdflib's default store."""
    from kgtool.one_graph import OneGraph
    from kgtool.validation import targeted_property_shapes

    data = Graph().parse(example) + ontology
    expected = shacl_results(data, shapes)
    assert shacl_results(data, targeted_property_shapes(shapes)) == expected
    one_graph = OneGraph()
    one_graph += data
    assert len(one_graph) == len(data)
    assert shacl_results(one_graph, targeted_property_shapes(shapes), inplace=True) == expected
    if example.stem == "invalid":
        assert expected  # the comparison covers real results, not two empty sets
