"""The compact form of a sourced fact (RDF 1.2 annotation syntax) expands, before any engine reads it, into
the plain triple and its kg:Statement at the statement IRI derived from the triple: the long form exactly."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

import kgtool
from kgtool.cli import main
from kgtool.store import parse_file, rdf_files

PREFIXES = """\
@prefix kg:   <https://w3id.org/llmkg/ontology#> .
@prefix kgr:  <https://w3id.org/llmkg/resource/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/llmkg/resource/> .
"""
COMPACT = PREFIXES + """
kgr:llama kg:usesTechnique kgr:rope {| kg:source kgr:arxiv-2302.13971 ; kg:locator "§2.2" |} .
kgr:llama kg:releaseDate "2023-02-24"^^xsd:date {|
    kg:source <web/meta-ai-blog-llama-2023> ; kg:locator "blog post" ;
    kg:note "The date of the blog announcement."@en |} .
kgr:flamingo-80b kg:parameterCount 80000000000 {| kg:qualifier <qualifier/nominal> ; kg:source kgr:arxiv-2204.14198 ;
    kg:locator "§2.2" |} .
"""
LONG = PREFIXES + """
kgr:llama kg:usesTechnique kgr:rope .
<statement/llama/uses-technique/rope> a kg:Statement ;
    rdf:subject kgr:llama ; rdf:predicate kg:usesTechnique ; rdf:object kgr:rope ;
    kg:source kgr:arxiv-2302.13971 ; kg:locator "§2.2" .
kgr:llama kg:releaseDate "2023-02-24"^^xsd:date .
<statement/llama/release-date/2023-02-24> a kg:Statement ;
    rdf:subject kgr:llama ; rdf:predicate kg:releaseDate ; rdf:object "2023-02-24"^^xsd:date ;
    kg:source <web/meta-ai-blog-llama-2023> ; kg:locator "blog post" ;
    kg:note "The date of the blog announcement."@en .
kgr:flamingo-80b kg:parameterCount 80000000000 .
<statement/flamingo-80b/parameter-count/80000000000> a kg:Statement ;
    rdf:subject kgr:flamingo-80b ; rdf:predicate kg:parameterCount ; rdf:object 80000000000 ;
    kg:qualifier <qualifier/nominal> ; kg:source kgr:arxiv-2204.14198 ; kg:locator "§2.2" .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_compact_form_expands_to_the_long_form(tmp_path):
    compact = parse_file(write(tmp_path, "compact.ttl", COMPACT))
    long = Graph().parse(data=LONG, format="turtle")
    assert isomorphic(compact, long)
    assert len(compact) == len(long) == 3 + 3 * 6 + 2  # three triples, three statements, a note and a qualifier


def test_both_engines_read_the_same_triples(tmp_path):
    path = write(tmp_path, "compact.ttl", COMPACT)
    store = kgtool.load_store([path], bundled=False)
    from_store = {str(q.triple) for q in store}
    from_graph = {f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in parse_file(path)}
    assert from_store == from_graph


def test_a_named_reifier_keeps_its_iri(tmp_path):
    path = write(tmp_path, "named.ttl", PREFIXES + """
kgr:palm kg:usesTechnique kgr:swiglu ~ <statement/palm/kept-iri> {| kg:source kgr:arxiv-2204.02311 ; kg:locator "§2" |} .
""")
    graph = parse_file(path)
    subjects = {str(s) for s in graph.subjects()}
    assert "https://w3id.org/llmkg/resource/statement/palm/kept-iri" in subjects


def test_tools_that_read_only_rdf_11_get_plain_triples(tmp_path):
    (expanded,) = rdf_files([write(tmp_path, "compact.ttl", COMPACT)])
    text = expanded.read_text(encoding="utf-8")
    assert expanded.suffix == ".nt" and "reifies" not in text and "<<" not in text
    assert isomorphic(Graph().parse(expanded, format="nt"), Graph().parse(data=LONG, format="turtle"))


def test_a_syntax_error_in_the_compact_form_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "broken.ttl", PREFIXES + """
kgr:llama kg:usesTechnique kgr:rope {| kg:source kgr:arxiv-2302.13971 ; kg:locator "§2.2" .
""")
    result = CliRunner().invoke(main, ["query", "-e", "ASK {}", "--data", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}:7:")
    assert len(result.output.strip().splitlines()) == 1


def test_the_bundled_data_uses_the_compact_form_and_ships_the_long_one(tmp_path):
    from kgtool import resources

    compact_files = [p for p in resources.data_files() if p.suffix == ".ttl" and "{|" in p.read_text(encoding="utf-8")]
    assert compact_files
    out = tmp_path / "llmkg.nt"
    assert CliRunner().invoke(main, ["export", "-f", "nt", "-o", str(out)]).exit_code == 0
    exported = out.read_text(encoding="utf-8")
    assert "rdf-syntax-ns#reifies" not in exported and "<<" not in exported
    assert ("<https://w3id.org/llmkg/resource/statement/llama/uses-technique/rope> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <https://w3id.org/llmkg/resource/llama> .") in exported
