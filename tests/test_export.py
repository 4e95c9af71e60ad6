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
from rdflib import BNode, Dataset, Graph, URIRef

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
    """The file parsed by rdflib; for the quad formats, its one named graph (read in place, not copied)."""
    if fmt in ("nq", "trig"):
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB_FORMATS[fmt])
        assert [g.identifier for g in dataset.graphs() if len(g)] == [URIRef(GRAPH_IRI)]
        return dataset.graph(URIRef(GRAPH_IRI))
    return Graph().parse(path, format=RDFLIB_FORMATS[fmt])


def canonical_lines(graph: Graph) -> set[str]:
    """The N-Triples lines of the graph's triples, blank nodes labelled canonically: two graphs have the same
    lines exactly when they are isomorphic (tests/test_blank_nodes.py), and comparing them is far cheaper than
    rdflib's isomorphism test."""
    return {str(t) for t in export.canonical_triples(graph)}


def oxigraph_lines(items) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in items}


@pytest.fixture(scope="module")
def graph_lines(graph) -> set[str]:
    """The bundled graph's triples as Oxigraph writes them, blank nodes labelled canonically (read only)."""
    return canonical_lines(graph)


# The tests that read what one export command wrote share its run (each checks other things of the file),
# on one worker, so that each command runs once.
shares_exports = pytest.mark.xdist_group("test_export")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``exported(fmt)``: the result of ``kgtool export`` of the bundled graph in ``fmt`` and the file it
    wrote, run once per format. The network formats are named by the file name alone, the others by -f."""
    folder = tmp_path_factory.mktemp("exports")
    runs: dict = {}

    def exported_as(fmt: str):
        if fmt not in runs:
            out = folder / f"llmkg{export.FORMATS[fmt].suffix}"
            by_format = [] if export.FORMATS[fmt].kind == "network" else ["-f", fmt]
            runs[fmt] = (run("export", *by_format, "-o", str(out)), out)
        return runs[fmt]

    return exported_as


@shares_exports
@pytest.mark.parametrize("fmt", export.RDF_FORMATS)
def test_rdf_export_is_exact_and_accepted_by_a_strict_parser(fmt, graph, graph_lines, exported):
    result, out = exported(fmt)
    assert result.exit_code == 0, result.output
    assert f"wrote {len(graph):,} triples" in result.stderr

    assert canonical_lines(reload(out, fmt)) == graph_lines  # rdflib reads back the same graph
    # Oxigraph's parsers are strict and independent of rdflib: they read back exactly the same triples
    parsed = list(ox.parse(path=str(out), format=OXIGRAPH_FORMATS[fmt]))
    assert oxigraph_lines(parsed) == graph_lines
    if fmt in ("nq", "trig"):
        assert {q.graph_name for q in parsed} == {ox.NamedNode(GRAPH_IRI)}


@pytest.fixture(scope="module")
def projection(bundled_source):
    """The network of the bundled graph (read only)."""
    from kgtool.projection import project

    return project(bundled_source)


@shares_exports
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_export_reloads_in_networkx(fmt, projection, exported):
    import networkx as nx

    result, out = exported(fmt)
    assert result.exit_code == 0, result.output  # the format follows from the file name
    network = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert network.number_of_nodes() == projection.number_of_nodes() > 100
    assert network.number_of_edges() == projection.number_of_edges()
    llama = network.nodes[KGR + "llama"]
    assert llama["label"] == "LLaMA"


@shares_exports
def test_csv_has_one_row_per_triple_and_rebuilds_the_graph(graph, graph_lines, exported):
    result, out = exported("csv")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert len(rows) == len(graph)
    rebuilt = set()  # the rows as N-Triples lines (the bundled graph has no blank nodes)
    for row in rows:
        if row["object_kind"] == "literal":
            obj = ox.Literal(row["object"], language=row["language"] or None,
                             datatype=ox.NamedNode(row["datatype"]) if row["datatype"] else None)
        else:
            obj = ox.NamedNode(row["object"])
        rebuilt.add(str(ox.Triple(ox.NamedNode(row["subject"]), ox.NamedNode(row["predicate"]), obj)))
    assert rebuilt == graph_lines
    size = next(r for r in rows if r["subject"] == KGR + "llama-65b" and r["predicate"] == KG + "parameterCount")
    assert (size["object"], size["object_kind"], size["datatype"]) == ("65200000000", "literal", PREFIXES["xsd"] + "integer")


@shares_exports
def test_exports_are_byte_identical_across_processes(exported, tmp_path):
    # this process's exports and another process's, with another hash seed: nothing may depend on set or
    # dict order (there the triples are put in their canonical order once, as a build does, and each format
    # written from them)
    script = ("import sys; from kgtool import export; t = export.select_triples()\n"
              "for name, f in export.FORMATS.items():\n"
              "    open(sys.argv[1] + '/llmkg' + f.suffix, 'wb').write(export.to_bytes(None, name, t))")
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"  # ours is random, or the one set
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": seed})
    theirs = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    ours = {}
    for fmt in export.FORMATS:
        result, out = exported(fmt)
        assert result.exit_code == 0, result.output
        ours[out.name] = out.read_bytes()
    assert sorted(theirs) == sorted(ours) == sorted(f"llmkg{f.suffix}" for f in export.FORMATS.values())
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == []


@shares_exports
def test_ntriples_are_sorted_and_turtle_prefixes_fixed(graph, exported):
    lines = exported("nt")[1].read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(graph)
    turtle = exported("turtle")[1].read_text(encoding="utf-8").splitlines()
    declared = [line.split()[1].rstrip(":") for line in turtle if line.startswith("@prefix ")]
    assert declared == [p for p in PREFIXES if p in declared]  # the order of kgtool.namespaces
    assert {"kg", "kgr", "rdf", "rdfs", "xsd", "skos"} <= set(declared)


def test_blank_nodes_get_stable_labels(tmp_path):
    extra = tmp_path / "blank.ttl"
    extra.write_text('@prefix ex: <http://example.org/> .\nex:a ex:knows [ ex:name "B" ] , [ ex:name "C" ] .\n')
    # parsed twice, with fresh labels each time (the bundled graph, which has no blank nodes, would only add time)
    first = export.to_bytes(kgtool.load_graph([extra], bundled=False), "nt")
    second = export.to_bytes(kgtool.load_graph([extra], bundled=False), "nt")
    assert first == second
    reloaded = Graph().parse(data=first, format="nt")
    assert sum(1 for t in reloaded if isinstance(t[2], BNode) and str(t[1]) == "http://example.org/knows") == 2


@shares_exports
def test_jsonld_embeds_the_bundled_context_with_readable_keys(exported):
    result, out = exported("json-ld")
    assert result.exit_code == 0, result.output
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
    known = set(ontology.subjects()) | set(graph.predicates(unique=True))
    for alias in aliases:  # each alias names a term that is used in the data or declared in the ontology
        prefix, _, local = context[alias]["@id"].partition(":")
        assert URIRef(context[prefix] + local) in known


@pytest.fixture(scope="module")
def data_nt(tmp_path_factory) -> Path:
    """The file ``kgtool export --no-ontology -o data.nt`` writes (read only)."""
    out = tmp_path_factory.mktemp("data") / "data.nt"
    assert run("export", "--no-ontology", "-o", str(out)).exit_code == 0
    return out


@shares_exports
def test_no_ontology_exports_the_data_alone(data_nt):
    data = kgtool.load_graph(bundled_files(ontology=False), bundled=False)
    # the export is deterministic: the same triples make the same bytes
    assert data_nt.read_bytes() == export.to_bytes(data, "nt")


# literals in forms rdflib normalises ("01" and "1" are one integer), a list and blank nodes
ODD_LITERALS = """@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:n "01"^^xsd:integer , "1"^^xsd:integer , "1.50"^^xsd:decimal , "1.0E0"^^xsd:double , "1"^^xsd:boolean ,
    "hi"@en-GB ; ex:list ( 1 2 [ ex:b "x" ] ) .
"""


@pytest.mark.parametrize(("suffix", "ontology"), [(".ttl", True), (".nt", False)])  # read by rdflib, by Oxigraph
def test_the_triples_exported_are_those_of_the_graph_kgtool_loads(suffix, ontology, tmp_path):
    # select_triples reads the files without building an rdflib graph
    path = tmp_path / f"odd{suffix}"
    if suffix == ".ttl":
        path.write_text(ODD_LITERALS, encoding="utf-8")
    else:  # Oxigraph writes the literals as they are spelled
        path.write_bytes(ox.serialize(ox.parse(ODD_LITERALS, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES))
        assert b'"01"^^' in path.read_bytes()
    graph = kgtool.load_graph([path])
    if not ontology:
        for term in set(kgtool.load_graph(bundled_files(data=False), bundled=False).subjects()):
            graph.remove((term, None, None))
    selected = [str(t) for t in export.select_triples([path], ontology=ontology)]
    assert selected == [str(t) for t in export.sorted_triples(graph)]
    numbers = [line for line in selected if line.startswith("<https://example.org/a> <https://example.org/n>")]
    assert len(numbers) == 5 and f'"1"^^<{PREFIXES["xsd"]}integer>' in " ".join(numbers)


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


@shares_exports
def test_export_to_standard_output_is_the_file(data_nt):
    result = CliRunner().invoke(main, ["export", "-f", "nt", "--no-ontology"])
    assert result.exit_code == 0 and result.stdout_bytes == data_nt.read_bytes()


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


@pytest.mark.parametrize("name", ["llmkg.nt.gz", "llmkg.txt", "llmkg.v2"])
def test_a_file_name_that_names_no_format_is_refused(tmp_path, name):
    """Written as Turtle, as it was, llmkg.nt.gz held neither N-Triples nor gzip."""
    result = CliRunner().invoke(main, ["export", "-o", str(tmp_path / name)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "names no format kgtool writes" in result.stderr and "give the format with -f" in result.stderr
    assert list(tmp_path.iterdir()) == []
    named = CliRunner().invoke(main, ["export", "-f", "nt", "--no-ontology", "-o", str(tmp_path / name)])
    assert named.exit_code == 0 and (tmp_path / name).read_bytes().startswith(b"<https://w3id.org/llmkg/")


def test_a_file_name_without_a_suffix_is_turtle(tmp_path):
    out = tmp_path / "llmkg"
    assert CliRunner().invoke(main, ["export", "--no-ontology", "-o", str(out)]).exit_code == 0
    assert Graph().parse(out, format="turtle") and out.read_text().startswith("@prefix ")


def test_missing_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["export", "-o", str(tmp_path / "no" / "such" / "llmkg.ttl")])
    assert result.exit_code == 2
    assert "the folder" in result.stderr and "does not exist" in result.stderr
