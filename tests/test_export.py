"""Exports: every RDF format reloads as the same graph and a strict parser accepts it; the networks reload in
networkx; the output is byte-identical across runs; a failed export leaves the old file as it was."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import kgtool
from kgtool import export, resources
from kgtool.cli import main
from kgtool.dataset import GRAPH_IRI
from kgtool.namespaces import KG, KGR, PREFIXES
from kgtool.store import bundled_files, parse_file

RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "json-ld": "json-ld", "rdfxml": "xml"}
OXIGRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
                    "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def reload(path: Path, fmt: str) -> Graph:
    """The file parsed by rdflib; for the quad formats, the union of its graphs."""
    if fmt in ("nq", "trig"):
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB_FORMATS[fmt])
        union = Graph()
        for s, p, o, _ in dataset.quads():
            union.add((s, p, o))
        return union
    return Graph().parse(path, format=RDFLIB_FORMATS[fmt])


def oxigraph_lines(items) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in items}


@pytest.fixture(scope="module")
def graph_lines(graph) -> set[str]:
    """The bundled graph's triples as Oxigraph writes them, blank nodes labelled canonically (read only)."""
    return {str(t) for t in export.sorted_triples(graph)}


@pytest.mark.parametrize("fmt", export.RDF_FORMATS)
def test_rdf_export_is_exact_and_accepted_by_a_strict_parser(fmt, graph, graph_lines, tmp_path):
    out = tmp_path / f"llmkg{export.FORMATS[fmt].suffix}"
    result = run("export", "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {len(graph):,} triples" in result.stderr

    assert isomorphic(reload(out, fmt), graph)
    # Oxigraph's parsers are strict and independent of rdflib: they read back exactly the same triples
    parsed = list(ox.parse(path=str(out), format=OXIGRAPH_FORMATS[fmt]))
    assert oxigraph_lines(parsed) == graph_lines
    if fmt in ("nq", "trig"):
        assert {q.graph_name for q in parsed} == {ox.NamedNode(GRAPH_IRI)}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_export_reloads_in_networkx(fmt, graph, tmp_path):
    import networkx as nx

    from kgtool.projection import project

    out = tmp_path / f"llmkg.{fmt}"
    assert run("export", "-o", str(out)).exit_code == 0  # the format follows from the file name
    network = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    expected = project(graph)
    assert network.number_of_nodes() == expected.number_of_nodes() > 100
    assert network.number_of_edges() == expected.number_of_edges()
    llama = network.nodes[KGR + "llama"]
    assert llama["label"] == "LLaMA"


def test_csv_has_one_row_per_triple_and_rebuilds_the_graph(graph, tmp_path):
    out = tmp_path / "llmkg.csv"
    assert run("export", "-f", "csv", "-o", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert len(rows) == len(graph)
    rebuilt = Graph()
    for row in rows:
        if row["object_kind"] == "literal":
            obj = Literal(row["object"], lang=row["language"] or None,
                          datatype=URIRef(row["datatype"]) if row["datatype"] else None)
        else:
            obj = URIRef(row["object"])
        rebuilt.add((URIRef(row["subject"]), URIRef(row["predicate"]), obj))
    assert isomorphic(rebuilt, graph)
    size = next(r for r in rows if r["subject"] == KGR + "llama-65b" and r["predicate"] == KG + "parameterCount")
    assert (size["object"], size["object_kind"], size["datatype"]) == ("65200000000", "literal", PREFIXES["xsd"] + "integer")


def test_exports_are_byte_identical_across_processes(tmp_path):
    # two processes with different hash seeds: nothing may depend on set or dict order
    # (the triples are put in their canonical order once, as a build does, and each format written from them)
    script = ("import sys; from kgtool import export, load_graph; g = load_graph(); t = export.sorted_triples(g)\n"
              "for name, f in export.FORMATS.items():\n"
              "    open(sys.argv[1] + '/llmkg' + f.suffix, 'wb').write(export.to_bytes(g, name, t))")
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        subprocess.run([sys.executable, "-c", script, str(folder)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert sorted(outputs[0]) == sorted(f"llmkg{f.suffix}" for f in export.FORMATS.values())
    different = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert different == []


def test_ntriples_are_sorted_and_turtle_prefixes_fixed(graph):
    lines = export.to_bytes(graph, "nt").decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(graph)
    turtle = export.to_bytes(graph, "turtle").decode("utf-8").splitlines()
    declared = [line.split()[1].rstrip(":") for line in turtle if line.startswith("@prefix ")]
    assert declared == [p for p in PREFIXES if p in declared]  # the order of kgtool.namespaces
    assert {"kg", "kgr", "rdf", "rdfs", "xsd", "skos"} <= set(declared)


def test_blank_nodes_get_stable_labels(tmp_path):
    extra = tmp_path / "blank.ttl"
    extra.write_text('@prefix ex: <http://example.org/> .\nex:a ex:knows [ ex:name "B" ] , [ ex:name "C" ] .\n')
    first = export.to_bytes(export.select_graph([extra]), "nt")
    second = export.to_bytes(export.select_graph([extra]), "nt")
    assert first == second
    reloaded = Graph().parse(data=first, format="nt")
    assert sum(1 for t in reloaded if isinstance(t[2], BNode) and str(t[1]) == "http://example.org/knows") == 2


def test_jsonld_embeds_the_bundled_context_with_readable_keys(graph, tmp_path):
    out = tmp_path / "llmkg.jsonld"
    assert run("export", "-f", "json-ld", "-o", str(out)).exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    shipped = json.loads(export.context_path().read_text(encoding="utf-8"))
    assert export.context_path().parent == resources.ontology_dir()  # shipped with the package data
    assert document["@context"] == shipped["@context"]  # embedded whole: no remote context to fetch
    keys = {key for node in document["@graph"] for key in node}
    assert not [k for k in keys if k.startswith("http")]
    llama = next(node for node in document["@graph"] if node["id"] == "kgr:llama")
    assert llama["type"] == "LanguageModel"
    assert llama["label"] == {"@language": "en", "@value": "LLaMA"}
    assert llama["developedBy"] == {"id": "kgr:meta-ai"}
    ids = [node["id"] for node in document["@graph"]]
    assert ids == sorted(ids)


def test_context_aliases_never_hide_an_ontology_term(graph):
    ontology = Graph()
    for path in bundled_files(data=False):
        parse_file(path, ontology)
    declared = {str(s)[len(KG):] for s in ontology.subjects() if str(s).startswith(KG)}
    context = export.jsonld_context()
    aliases = [key for key, value in context.items() if isinstance(value, dict)]
    assert aliases and not set(aliases) & declared
    for alias in aliases:  # each alias names a term that is used in the data or declared in the ontology
        prefix, _, local = context[alias]["@id"].partition(":")
        assert URIRef(context[prefix] + local) in set(ontology.subjects()) | set(graph.predicates())


def test_no_ontology_exports_the_data_alone(tmp_path):
    out = tmp_path / "data.nt"
    assert run("export", "--no-ontology", "-o", str(out)).exit_code == 0
    data = Graph()
    for path in bundled_files(ontology=False):
        parse_file(path, data)
    assert isomorphic(Graph().parse(out, format="nt"), data)


@pytest.mark.xdist_group("closure")  # the OWL-RL closure is built once (tests/test_sparql.py)
def test_infer_exports_the_entailments(graph, tmp_path):
    out = tmp_path / "inferred.nt"
    assert run("export", "--infer", "-o", str(out)).exit_code == 0
    inferred = Graph().parse(out, format="nt")
    models = set(inferred.subjects(URIRef(PREFIXES["rdf"] + "type"), URIRef(KG + "Model")))
    assert URIRef(KGR + "llama-65b") in models and len(models) > 50
    assert len(inferred) > len(graph)


def test_query_exports_a_construct_result(graph, tmp_path):
    out = tmp_path / "llama.ttl"
    assert run("export", "--query", "model-neighbourhood", "-p", "model=LLaMA", "-o", str(out)).exit_code == 0
    exported = Graph().parse(out, format="turtle")
    expected = kgtool.run_query("model-neighbourhood", {"model": "LLaMA"})
    assert len(exported) == len(set(expected.triples)) > 50
    assert (URIRef(KGR + "llama"), URIRef(KG + "developedBy"), URIRef(KGR + "meta-ai")) in exported

    query = tmp_path / "sizes.rq"
    query.write_text("PREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
                     "CONSTRUCT { ?m kg:parameterCount ?n } WHERE { ?m kg:parameterCount ?n }\n")
    out = tmp_path / "sizes.nt"
    assert run("export", "--query", str(query), "-o", str(out)).exit_code == 0
    sizes = Graph().parse(out, format="nt")
    assert set(sizes) == set(graph.triples((None, URIRef(KG + "parameterCount"), None)))


def test_a_select_query_cannot_be_exported(tmp_path):
    result = CliRunner().invoke(main, ["export", "--query", "models-by-organization", "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 2
    assert "is a SELECT query; export needs a CONSTRUCT or DESCRIBE query" in result.stderr
    assert not (tmp_path / "x.ttl").exists()


def test_export_to_standard_output_is_the_file(tmp_path):
    result = CliRunner().invoke(main, ["export", "-f", "nt", "--no-ontology"])
    out = tmp_path / "data.nt"
    run("export", "-f", "nt", "--no-ontology", "-o", str(out))
    assert result.exit_code == 0 and result.stdout_bytes == out.read_bytes()


def test_rdfxml_refuses_a_property_it_cannot_write(tmp_path):
    extra = tmp_path / "odd.ttl"
    extra.write_text('<http://example.org/a> <http://example.org/p/> "x" .\n')
    result = CliRunner().invoke(main, ["export", "-f", "rdfxml", "--data", str(extra), "-o", str(tmp_path / "x.rdf")])
    assert result.exit_code == 2
    assert "RDF/XML cannot write the property <http://example.org/p/>" in result.stderr
    assert not (tmp_path / "x.rdf").exists()


def _limit_file_size():
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_failed_export_leaves_the_previous_file_intact(tmp_path):
    out = tmp_path / "llmkg.nt"
    previous = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    out.write_bytes(previous)
    # a real fault in the middle of writing: the process may not write more than 200 kB to any file,
    # and the N-Triples are 1.7 MB
    failed = subprocess.run([sys.executable, "-m", "kgtool", "export", "-f", "nt", "-o", str(out)],
                            capture_output=True, text=True, preexec_fn=_limit_file_size)
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.strip() == f"error: cannot write {out}: File too large; the previous file was left as it was"
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["llmkg.nt"]  # no temporary file left behind

    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/b> .\n")
    result = CliRunner().invoke(main, ["export", "--data", str(broken), "-o", str(out)])
    assert result.exit_code == 2 and "broken.ttl:1" in result.stderr
    assert out.read_bytes() == previous


def test_missing_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["export", "-o", str(tmp_path / "no" / "such" / "llmkg.ttl")])
    assert result.exit_code == 2
    assert "the folder" in result.stderr and "does not exist" in result.stderr
