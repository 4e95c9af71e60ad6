"""kgtool.load_graph: the bundled graph, extra files, inference, the caller's choice of store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, URIRef

import kgtool
from kgtool import resources
from kgtool.errors import DataError

KG = "https://w3id.org/llmkg/ontology#"
KGR = "https://w3id.org/llmkg/resource/"


def test_bundled_graph_holds_ontology_and_data(graph):
    assert (URIRef(KG + "Model"), None, None) in graph               # ontology
    assert (URIRef(KGR + "llama-65b"), None, None) in graph          # data
    assert len(graph) > 5000


def test_no_blank_nodes_in_the_data():
    from rdflib import BNode

    from kgtool.store import parse_file

    for path in resources.data_files():
        g = parse_file(path)
        assert not [t for t in g if any(isinstance(x, BNode) for x in t)], path


@pytest.mark.xdist_group("closure")  # the OWL-RL closure is built once (tests/test_sparql.py)
def test_inference_adds_superclass_memberships(graph):
    language_model = URIRef(KG + "LanguageModel")
    model = URIRef(KG + "Model")
    plain = set(graph.subjects(RDF.type, model))
    inferred = kgtool.load_graph(infer=True)
    with_inference = set(inferred.subjects(RDF.type, model))
    assert URIRef(KGR + "llama-65b") not in plain
    assert URIRef(KGR + "llama-65b") in with_inference
    assert set(graph.subjects(RDF.type, language_model)) <= with_inference


def test_extra_files_are_merged(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n')
    g = kgtool.load_graph([extra])
    assert (URIRef("https://example.org/x"), None, None) in g
    only = kgtool.load_graph([extra], bundled=False)
    assert len(only) == 1


def test_caller_chooses_the_store():
    g = kgtool.load_graph(store="Memory")
    assert type(g.store).__name__ == "Memory" and len(g) > 5000
    # by default, a store without contexts (tests/test_one_graph.py: it holds and answers the same)
    default = kgtool.load_graph()
    assert type(default.store).__name__ == "OneGraphStore" and len(default) == len(g)


def test_parse_error_raises_data_error(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(DataError) as err:
        kgtool.load_graph([bad], bundled=False)
    assert err.value.path.endswith("bad.ttl") and err.value.line == 1 and err.value.column is not None
    # the column counts characters, from the start of the line where the parser stopped
    line = '<https://example.org/a> <https://example.org/b> "é" <https://example.org/c> .'
    later = tmp_path / "later.ttl"
    later.write_text(f'<https://example.org/a> <https://example.org/b> "x" .\n{line}\n', encoding="utf-8")
    with pytest.raises(DataError) as err:
        kgtool.load_graph([later], bundled=False)
    assert (err.value.line, err.value.column) == (2, line.rindex("<") + 1)


def test_resources_found_in_checkout_or_package():
    root = resources.data_root()
    assert (root / "ontology" / "llmkg.ttl").is_file()
    assert resources.check_queries(), "no violation queries found"


def test_a_broken_install_is_one_line_and_exit_2(tmp_path):
    # the package without its data, as an install that lost it leaves it: found neither inside nor beside
    package = Path(kgtool.__file__).parent
    shutil.copytree(package, tmp_path / "kgtool", ignore=lambda folder, names: ["data"] if folder == str(package) else [])
    done = subprocess.run([sys.executable, "-m", "kgtool", "query", "models-by-organization"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: kgtool's bundled data was not found") and done.stderr.count("\n") == 1
    assert str(tmp_path.resolve() / "kgtool" / "data") in done.stderr  # the copy ran, not the installed package
